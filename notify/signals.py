"""Hooks on other apps' records, without editing them: the event log and Wagtail's page publishing."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published

ANNOUNCED_EVENTS = {"round.opened", "round.published"}


@receiver(post_save, sender="deliberation.Event", dispatch_uid="notify_event_saved")
def event_saved(sender, instance, created, raw=False, **kwargs):
    """A round opened or its results were published: hand it out to followers once the event is committed."""
    if not created or raw or instance.type not in ANNOUNCED_EVENTS:
        return
    from notify import tasks

    event_id = instance.pk
    transaction.on_commit(lambda: tasks.announce_event.enqueue(event_id), robust=True)


@receiver(page_published, dispatch_uid="notify_page_published")
def consultation_published(sender, instance, **kwargs):
    """A consultation page was published: its commitments and progress updates not seen before are news."""
    from home.models import ConsultationPage
    from notify import services, tasks

    page = instance.specific if not isinstance(instance, ConsultationPage) else instance
    if not isinstance(page, ConsultationPage):
        return
    commitments, updates = services.new_items(page)
    if commitments or updates:
        page_id, when = page.pk, timezone.now().isoformat()
        transaction.on_commit(lambda: tasks.announce_items.enqueue(page_id, commitments, updates, when), robust=True)
