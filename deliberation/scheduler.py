"""Work the server does on time, by itself: close (and count) rounds whose timer has run out.

Run by the `cyd_worker` management command every second. Each round is closed through
`services.round_close` with the system actor, so the close is locked, logged (`"by": "timer"`),
counted and broadcast exactly like a facilitator's; two workers racing close it once.
"""

import logging

from django.utils import timezone

from deliberation import services
from deliberation.errors import ServiceError
from deliberation.models import LiveSession, Round
from deliberation.rules import Actor

logger = logging.getLogger(__name__)

SYSTEM = Actor(system=True)


def due_rounds(now=None):
    """Open rounds that close automatically and whose timer has run out by `now`: (round id, session id) pairs."""
    now = now or timezone.now()
    due = Round.objects.filter(state=Round.State.OPEN, auto_close=True, closes_at__lte=now)
    return list(due.order_by("closes_at", "pk").values_list("pk", "session_id"))


def close_due_rounds(now=None):
    """Close every open auto-closing round whose timer has run out by `now`; return the ids this call closed."""
    closed = []
    for round_id, session_id in due_rounds(now):
        try:
            services.round_close(actor=SYSTEM, session=LiveSession(pk=session_id), round_id=round_id)
        except ServiceError as error:
            # Closed meanwhile by a facilitator or another worker: nothing left to do.
            if error.code not in {"wrong_state", "not_found"}:
                logger.warning("round %s could not be closed on time: %s", round_id, error.code)
            continue
        closed.append(round_id)
    return closed
