"""An address the mail server refuses for good stops getting mail until its owner confirms it again."""

import pytest
from django.utils import timezone

from notify import services
from notify.models import Follower, Notice
from tests.notify.conftest import Inbox, send_mail_to, smtp_server

pytestmark = pytest.mark.django_db(transaction=True)


class Refusing(Inbox):
    """A real SMTP server that refuses some recipients: 550 (no such mailbox) or 451 (try later)."""

    def __init__(self, codes):
        super().__init__()
        self.codes = codes

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.codes:
            return self.codes[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing(settings):
    codes = {"gone@example.com": "550 5.1.1 No such mailbox", "busy@example.com": "451 4.3.0 Try later"}
    with smtp_server(Refusing(codes)) as inbox:
        send_mail_to(settings, inbox)
        yield inbox


def _owed_a_digest(email, live):
    """A confirmed follower of `live` with one waiting notice whose digest is due now."""
    follower = services.follow_request(email=email, language="en", target=services.Target(session=live))
    services.confirm(services.confirm_link_value(Follower.objects.get(pk=follower.pk)))
    ideas = live.rounds.get(kind="proposal")
    ideas.state = "open"
    ideas.save(update_fields=["state"])
    Notice.objects.create(follower_id=follower.pk, kind=Notice.Kind.OPENED, key=f"opened:{ideas.pk}", round=ideas)
    Follower.objects.filter(pk=follower.pk).update(digest_due_at=timezone.now())
    return follower


def test_a_permanently_refused_address_is_marked_bounced_and_gets_nothing_more(refusing, live):
    follower = _owed_a_digest("gone@example.com", live)
    assert services.send_digest(follower.pk) == 0
    follower.refresh_from_db()
    assert follower.bounced_at is not None and not follower.reachable and follower.digest_due_at is None
    assert Notice.objects.get(follower=follower).dropped  # not retried
    # Confirming the address again (the confirmation got through) makes it reachable again.
    services.follow_request(email="gone@example.com", language="en", target=services.Target(session=live))
    services.confirm(services.confirm_link_value(Follower.objects.get(pk=follower.pk)))
    follower.refresh_from_db()
    assert follower.bounced_at is None and follower.reachable


def test_a_temporary_refusal_is_tried_again_later_not_marked_bounced(refusing, live):
    follower = _owed_a_digest("busy@example.com", live)
    assert services.send_digest(follower.pk) == 0
    follower.refresh_from_db()
    assert follower.bounced_at is None and follower.digest_due_at > timezone.now()  # waits for the retry
    assert not Notice.objects.get(follower=follower).dropped
