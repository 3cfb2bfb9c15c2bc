"""Work the server does on time, by itself: close (and count) rounds whose timer has run out.

Run by the `cyd_worker` management command every second, so the schedule is kept with nobody's
browser open; and by every daphne process while it has sockets open (`process_clock_enter`), so
those sockets hear the close at once even on the in-memory channel layer, which a separate worker
process cannot reach. Each round is closed through `services.round_close` with the system actor, so
the close is locked, logged (`"by": "timer"`), counted and broadcast exactly like a facilitator's;
clocks racing close it once.
"""

import asyncio
import logging
from datetime import timedelta

from channels.db import database_sync_to_async
from django.utils import timezone

from deliberation import services
from deliberation.errors import ServiceError
from deliberation.models import LiveSession, Round
from deliberation.rules import Actor

logger = logging.getLogger(__name__)

SYSTEM = Actor(system=True)


# The worker waits this long past a round's time before closing it, so a daphne process with the round's sockets
# open closes it first and they hear it at once (the in-memory layer does not cross processes); with nobody
# connected, closing a few seconds late changes nothing anyone sees.
WORKER_GRACE_SECONDS = 5


def due_rounds(now=None):
    """Open rounds that close automatically and whose timer has run out by `now`: (round id, session id) pairs."""
    now = now or timezone.now()
    due = Round.objects.filter(state=Round.State.OPEN, auto_close=True, closes_at__lte=now)
    return list(due.order_by("closes_at", "pk").values_list("pk", "session_id"))


def close_due_rounds(now=None, grace_seconds=0):
    """Close every open auto-closing round whose timer ran out `grace_seconds` before `now`; return the ids closed."""
    closed = []
    for round_id, session_id in due_rounds((now or timezone.now()) - timedelta(seconds=grace_seconds)):
        try:
            services.round_close(actor=SYSTEM, session=LiveSession(pk=session_id), round_id=round_id)
        except ServiceError as error:
            # Closed meanwhile by a facilitator or another worker: nothing left to do.
            if error.code not in {"wrong_state", "not_found"}:
                logger.warning("round %s could not be closed on time: %s", round_id, error.code)
            continue
        closed.append(round_id)
    return closed


PROCESS_CLOCK_SECONDS = 1.0
_process_clock = {"sockets": 0, "task": None}


def process_clock_enter():
    """A socket opened in this process: keep this process's clock running while any socket is open."""
    _process_clock["sockets"] += 1
    task = _process_clock["task"]
    loop = asyncio.get_running_loop()
    if task is None or task.done() or task.get_loop() is not loop:
        _process_clock["task"] = loop.create_task(_run_process_clock())


def process_clock_leave():
    """A socket closed in this process; the clock stops after the last one."""
    _process_clock["sockets"] = max(0, _process_clock["sockets"] - 1)


async def _run_process_clock():
    """Close due rounds once a second while this process has sockets (failures are logged, then retried)."""
    while _process_clock["sockets"] > 0:
        try:
            await database_sync_to_async(close_due_rounds)()
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the clock
            logger.warning("closing due rounds in this process failed; trying again in a moment", exc_info=True)
        await asyncio.sleep(PROCESS_CLOCK_SECONDS)
