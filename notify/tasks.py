"""Background work of notifications, on the "cyd" database queue (`manage.py db_worker --backend cyd`)."""

from django_tasks import task

from notify import mail, services
from notify.models import Follower


@task(backend="cyd")
def send_confirmation(follower_id, link_value):
    """Send the confirmation e-mail (nothing when the address has gone or the link was superseded)."""
    follower = Follower.objects.filter(pk=follower_id).first()
    if follower is None or not follower.confirm_nonce:
        return False
    mail.confirmation(follower, link_value).send()
    return True


@task(backend="cyd")
def announce_event(event_id):
    """Hand out a round's opening or results to the followers (one notice each)."""
    return services.announce_event(event_id)


@task(backend="cyd")
def remind_round(round_id):
    """Hand out the reminder before a round closes to followers who have not taken part."""
    return services.remind_round(round_id)


@task(backend="cyd")
def announce_items(page_id, commitment_ids, update_ids, published_at=None):
    """Hand out new commitments and progress updates of a published consultation page."""
    return services.announce_items(page_id, commitment_ids, update_ids, published_at)


@task(backend="cyd")
def send_digest(follower_id):
    """Send a follower's waiting notices as one e-mail, if due."""
    return services.send_digest(follower_id)
