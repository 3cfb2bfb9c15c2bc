"""Who has the session open (advisory: not logged, no seq, no lock)."""

from datetime import timedelta

from django.utils import timezone

from deliberation import selectors
from deliberation.models import Presence


def presence_enter(
    *, session_id: int, channel_name: str, facilitator: bool, participant_id: int | None = None, user_id: int | None = None
) -> None:
    """Record an open socket on a session (whose person it is), and forget sockets not heard from in time."""
    now = timezone.now()
    # Rows of sockets whose process died (kill -9, a crash) are never left: they go once they are stale.
    Presence.objects.filter(seen_at__lt=now - timedelta(seconds=selectors.PRESENCE_TIMEOUT_SECONDS)).delete()
    Presence.objects.update_or_create(
        channel_name=channel_name,
        defaults={
            "session_id": session_id,
            "facilitator": facilitator,
            "seen_at": now,
            "participant_id": participant_id,
            "user_id": user_id,
        },
    )


def presence_touch(*, channel_name: str) -> None:
    """Mark a socket as still there (called on the client's keep-alive)."""
    Presence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def presence_leave(*, channel_name: str) -> None:
    """Forget a closed socket."""
    Presence.objects.filter(channel_name=channel_name).delete()
