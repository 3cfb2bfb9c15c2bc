"""Work the server does on time, by itself: open scheduled rounds, close (count, and maybe publish) due ones.

`tick` is the one clock. The `cyd_worker` management command runs it every second, so the schedule is kept
with nobody's browser open; every daphne process runs it too while it has sockets open
(`process_clock_enter`), so those sockets hear an open or a close at once even on the in-memory channel layer,
which a separate worker process cannot reach. Each round is opened through `services.round_open` and closed
through `services.round_close` with the system actor, so it is locked (the session row), logged (`"by":
"schedule"` / `"by": "timer"`), counted, published when the round says so and broadcast exactly like a
facilitator's action; clocks racing do each thing once, and a clock that was stopped catches up on its next tick.
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


# The worker waits this long past a round's time before acting, so a daphne process with the round's sockets
# open acts first and they hear it at once (the in-memory layer does not cross processes); with nobody
# connected, a few seconds late changes nothing anyone sees.
WORKER_GRACE_SECONDS = 5

# Refusals that mean someone (or another clock) got there first: nothing to do, nothing to say.
_DONE_ALREADY = {"wrong_state", "not_found"}
# Round ids (with the refusal) already logged as not openable on time, so a round that waits is logged once.
_warned = set()


def due_rounds(now=None):
    """Open rounds that close automatically and whose timer has run out by `now`: (round id, session id) pairs."""
    now = now or timezone.now()
    due = Round.objects.filter(state=Round.State.OPEN, auto_close=True, closes_at__lte=now)
    return list(due.order_by("closes_at", "pk").values_list("pk", "session_id"))


def due_openings(now=None):
    """Draft rounds scheduled to open by `now` in sessions not ended: (round id, session id) pairs, earliest first."""
    now = now or timezone.now()
    due = Round.objects.filter(state=Round.State.DRAFT, opens_at__lte=now).exclude(session__status=LiveSession.Status.ENDED)
    return list(due.order_by("opens_at", "position", "pk").values_list("pk", "session_id"))


def close_due_rounds(now=None, grace_seconds=0):
    """Close every open auto-closing round whose timer ran out `grace_seconds` before `now`; return the ids closed."""
    closed = []
    for round_id, session_id in due_rounds((now or timezone.now()) - timedelta(seconds=grace_seconds)):
        try:
            services.round_close(actor=SYSTEM, session=LiveSession(pk=session_id), round_id=round_id)
        except ServiceError as error:
            # Closed meanwhile by a facilitator or another worker: nothing left to do.
            if error.code not in _DONE_ALREADY:
                logger.warning("round %s could not be closed on time: %s", round_id, error.code)
            continue
        closed.append(round_id)
    return closed


def open_due_rounds(now=None, grace_seconds=0):
    """Open every draft round scheduled to open `grace_seconds` before `now`; return the ids opened.

    A round that cannot open yet (another round of its session is still open, too few proposals for a vote) waits
    and is tried again on every tick; the reason is logged once."""
    opened = []
    for round_id, session_id in due_openings((now or timezone.now()) - timedelta(seconds=grace_seconds)):
        try:
            services.round_open(actor=SYSTEM, session=LiveSession(pk=session_id), round_id=round_id)
        except ServiceError as error:
            if error.code not in _DONE_ALREADY and (round_id, error.code) not in _warned:
                _warned.add((round_id, error.code))
                logger.warning("round %s could not be opened on time: %s", round_id, error.code)
            continue
        opened.append(round_id)
    return opened


def tick(now=None, grace_seconds=0):
    """One look at the clock: close what is due, open what is due, then close what opened already past its time
    (a clock that was stopped catches up once). Returns {"closed", "opened", "published"}: round ids."""
    now = now or timezone.now()
    closed = close_due_rounds(now, grace_seconds)  # first, so a round opening when another closes finds room
    opened = open_due_rounds(now, grace_seconds)
    closed += close_due_rounds(now, grace_seconds)
    published = list(Round.objects.filter(pk__in=closed, state=Round.State.PUBLISHED).values_list("pk", flat=True))
    return {"closed": closed, "opened": opened, "published": published}


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
    """Run `tick` once a second while this process has sockets (failures are logged, then retried)."""
    while _process_clock["sockets"] > 0:
        try:
            await database_sync_to_async(tick)()
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the clock
            logger.warning("the schedule's tick failed in this process; trying again in a moment", exc_info=True)
        await asyncio.sleep(PROCESS_CLOCK_SECONDS)
