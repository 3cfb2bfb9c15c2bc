"""Who has the session open (advisory: not logged, no seq, no lock).

Each process writes its sockets' comings and goings in batches, a few times a second (deliberation/fanout.py), so a
connect storm costs one write per tick, not one per socket.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from deliberation import selectors
from deliberation.models import Presence


def presence_apply(*, session_id: int, entered: list[dict] = (), left: list[str] = (), alive: list[str] = ()) -> dict[str, int]:
    """Record sockets opened on a session (`entered`: their channel_name, facilitator, participant_id, user_id) and
    closed (`left`: channel names), mark `alive` ones as still there; forget sockets not heard from in time.

    Returns the session's presence counts after the change.
    """
    now = timezone.now()
    with transaction.atomic():
        # Rows of sockets whose process died (kill -9, a crash) are never left: they go once they are stale.
        Presence.objects.filter(seen_at__lt=now - timedelta(seconds=selectors.PRESENCE_TIMEOUT_SECONDS)).delete()
        for names in _chunks(list(left)):
            Presence.objects.filter(channel_name__in=names).delete()
        for names in _chunks(list(alive)):
            Presence.objects.filter(channel_name__in=names).update(seen_at=now)
        if entered:
            Presence.objects.bulk_create(
                [Presence(session_id=session_id, seen_at=now, **row) for row in entered],
                update_conflicts=True,
                unique_fields=["channel_name"],
                update_fields=["session", "facilitator", "participant", "user", "seen_at"],
            )
    return selectors.presence_counts(session_id)


def _chunks(items, size=500):
    """`items` in lists of at most `size` (a query's parameters stay well within SQLite's limit)."""
    return [items[i : i + size] for i in range(0, len(items), size)]
