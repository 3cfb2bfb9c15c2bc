"""Process-local fan-out: one channel-layer subscription per session (and event loop), written to local sockets.

broadcast.py sends each committed event once to the session's group, already serialised. Here a `Hub` per session
and running event loop holds ONE channel in that group, reads it with one task and writes the text straight to each
local socket's `Lane` (no per-socket layer message, no per-socket thread hop, no JSON per socket). Facilitator-only
events go only to lanes whose viewer is a facilitator now.

A lane never buffers without bound: while its socket's unsent bytes (the `cyd.unsent_bytes` the ASGI wrapper in
config/asgi.py puts in the scope) exceed CYD_SOCKET_MAX_UNSENT_BYTES, events for it are dropped (counted); once it has
drained it gets `{"type": "resync"}` once and catches up from the event log with `sync` (docs/protocol.md).

The hub also keeps the session's presence for its sockets: sockets opened and closed are written to the database in
one batch per PRESENCE_TICK (with the counts then broadcast once), and every socket still open is marked alive every
PRESENCE_ALIVE_SECONDS, so neither a connect storm nor keep-alives cost a database write per socket.
"""

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Awaitable, Callable

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from deliberation import selectors, services
from deliberation.broadcast import abroadcast_presence, group_name
from deliberation.models import Event

logger = logging.getLogger(__name__)

REJOIN_SECONDS = 10  # re-add the hub's channel to the group now and then: Redis forgets groups when it restarts
LAYER_RETRY_SECONDS = 2  # while the channel layer is down, read again this often (the sockets stay up)
RESYNC = json.dumps({"type": "resync"})
PRESENCE_TICK = 0.5  # seconds between presence writes (and count broadcasts) per process and session
PRESENCE_ALIVE_SECONDS = selectors.PRESENCE_TIMEOUT_SECONDS / 3  # open sockets are marked alive this often

# The hubs of each running event loop (daphne has one; tests start a new loop per test), by session id.
_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _reraise_cancellation(exc: BaseException) -> None:
    """Raise CancelledError when `exc` is a cancellation in disguise (redis-py turns a cancelled read into TimeoutError)."""
    task = asyncio.current_task()
    if isinstance(exc.__cause__, asyncio.CancelledError) or (task is not None and task.cancelling()):
        raise asyncio.CancelledError from exc


def keep_receiving(receive: Callable[[], Awaitable[dict]], name: str) -> Callable[[], Awaitable[dict]]:
    """`receive` that outlives a channel-layer outage: a failed read waits and tries again (cancellation still ends it).

    Clients catch up from the event log meanwhile (ping carries the latest seq, `sync` replays).
    """
    down = False

    async def resilient():
        nonlocal down
        while True:
            try:
                message = await receive()
            except Exception as exc:  # noqa: BLE001 - any layer failure
                _reraise_cancellation(exc)
                if not down:
                    logger.warning("channel layer unavailable for %s; retrying", name, exc_info=True)
                down = True
                await asyncio.sleep(LAYER_RETRY_SECONDS)
                continue
            down = False
            return message

    return resilient


def _no_backlog() -> int:
    return 0


def text_frame(text: str) -> bytes:
    """One unfragmented, unmasked WebSocket text frame (RFC 6455 5.2), as a server sends it to every client alike."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


class Lane:
    """One local socket as the hub sees it: its viewer's audience, how to write to it, and how far behind it is."""

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        unsent: Callable[[], int] | None,
        facilitator: bool,
        write_frame: Callable[[bytes], None] | None = None,
    ):
        self.send = send
        self.write_frame = write_frame  # daphne: write the event's ready-made frame; elsewhere `send` the text
        self.presence: dict | None = None  # the socket's presence row (channel_name, who), when it counts as a person
        self.unsent = unsent or _no_backlog
        self.facilitator = facilitator  # the consumer updates it after every frame
        self.limit = settings.CYD_SOCKET_MAX_UNSENT_BYTES
        self.holding = True  # until the first state is sent; then while the consumer answers a frame
        self.held: list[tuple[str, bytes | None]] = []
        self.held_bytes = 0
        self.behind = False
        self.dropped = 0

    def hold(self) -> None:
        """Keep events back (the consumer is about to send a reply that must go first)."""
        self.holding = True

    async def release(self) -> None:
        """Send the events held back (they fitted within the limit), in order; then events as they come."""
        while self.held:
            text, frame = self.held.pop(0)
            self.held_bytes -= len(text)
            await self._deliver(text, frame)
        self.holding = False
        if self.behind and self.unsent() <= self.limit:
            self.behind = False
            await self.send(RESYNC)

    async def push(self, text: str, frame: bytes | None = None) -> None:
        """Deliver one event (or hold it back, or drop it while the socket is over its limit); `frame` is its frame."""
        if not self.holding:
            await self._write(text, frame)
        elif self.behind or self.unsent() + self.held_bytes + len(text) > self.limit:
            self._drop()
        else:
            self.held.append((text, frame))
            self.held_bytes += len(text)

    def _drop(self) -> None:
        self.behind = True
        self.dropped += 1

    async def _write(self, text: str, frame: bytes | None) -> None:
        if self.unsent() > self.limit:
            self._drop()
            return
        if self.behind:
            self.behind = False
            await self.send(RESYNC)
        await self._deliver(text, frame)

    async def _deliver(self, text: str, frame: bytes | None) -> None:
        if self.write_frame is not None and frame is not None:
            self.write_frame(frame)
        else:
            await self.send(text)


class Hub:
    """One session's subscription in this process: a channel in the session's group, read by one task."""

    def __init__(self, session_id: int):
        self.session_id = session_id
        self.layer = get_channel_layer()
        self.lanes: set[Lane] = set()
        self.channel = None
        self.joined = False  # whether the last group_add succeeded
        self.ready = asyncio.Event()  # set once the channel was added to the group (or adding it failed: retried)
        self.entered: dict[str, dict] = {}  # presence rows not yet written, by channel name
        self.left: set[str] = set()  # channel names of closed sockets whose rows were written
        self.written: set[str] = set()  # channel names whose rows are in the database
        self.presence_due = asyncio.Event()
        self.alive_at = time.monotonic()
        self.tasks = [asyncio.ensure_future(self._rejoin()), asyncio.ensure_future(self._read())]
        self.tasks.append(asyncio.ensure_future(self._presence()))

    def enter(self, lane: Lane) -> None:
        """Count `lane`'s person as present (written with the next batch)."""
        if lane.presence is not None:
            self.entered[lane.presence["channel_name"]] = lane.presence
            self.presence_due.set()

    def leave(self, lane: Lane) -> None:
        """No longer count `lane`'s socket (a row never written is simply forgotten)."""
        if lane.presence is None:
            return
        name = lane.presence["channel_name"]
        if self.entered.pop(name, None) is None:  # written, or being written now
            self.left.add(name)
        self.presence_due.set()

    async def flush_presence(self) -> None:
        """Write what changed (and the alive marks when due) in one database call; broadcast the counts if they moved."""
        entered, left = list(self.entered.values()), list(self.left)
        alive = []
        if time.monotonic() - self.alive_at >= PRESENCE_ALIVE_SECONDS:
            self.alive_at = time.monotonic()
            alive = sorted(self.written)
        if not (entered or left or alive):
            return
        self.entered, self.left = {}, set()
        try:
            counts = await database_sync_to_async(services.presence_apply)(
                session_id=self.session_id, entered=entered, left=left, alive=alive
            )
        except Exception as exc:  # noqa: BLE001 - presence is advisory; the rows go stale and are deleted
            _reraise_cancellation(exc)
            logger.warning("presence of session %s not written", self.session_id, exc_info=True)
            return
        self.written.update(row["channel_name"] for row in entered)
        self.written.difference_update(left)
        if entered or left:
            await abroadcast_presence(self.session_id, counts)

    async def _presence(self) -> None:
        """Write presence in batches: at most once per PRESENCE_TICK, and the alive marks now and then."""
        while True:
            try:
                await asyncio.wait_for(self.presence_due.wait(), PRESENCE_ALIVE_SECONDS)
            except TimeoutError:
                pass
            self.presence_due.clear()
            await asyncio.sleep(PRESENCE_TICK)  # the rest of a burst joins this batch
            await self.flush_presence()

    async def join(self) -> None:
        """Add the channel to the session's group (again); with the layer down, note it and carry on."""
        try:
            self.channel = self.channel or await self.layer.new_channel()
            await self.layer.group_add(group_name(self.session_id), self.channel)
            self.joined = True
        except Exception as exc:  # noqa: BLE001 - the layer is down: the sockets stay up, clients resync
            _reraise_cancellation(exc)
            self.joined = False
            logger.warning("joining the group of session %s failed", self.session_id, exc_info=True)

    async def _rejoin(self) -> None:
        """Join the session's group, then again every REJOIN_SECONDS (every LAYER_RETRY_SECONDS while it fails)."""
        while True:
            await self.join()
            self.ready.set()
            await asyncio.sleep(REJOIN_SECONDS if self.joined else LAYER_RETRY_SECONDS)

    async def _read(self) -> None:
        """Receive each message once for the process and write it to the local lanes of its audience."""
        await self.ready.wait()
        receive = keep_receiving(lambda: self.layer.receive(self.channel), f"session {self.session_id}")
        while True:
            message = await receive()
            everyone = message["audience"] == Event.Audience.ALL
            text = message["text"]
            frame = text_frame(text)  # once per event, for every socket of this process
            for lane in list(self.lanes):
                if everyone or lane.facilitator:
                    try:
                        await lane.push(text, frame)
                    except Exception:  # noqa: BLE001 - one broken socket must not stop the others
                        logger.warning("delivery on session %s failed", self.session_id, exc_info=True)

    async def close(self) -> None:
        """Stop reading, leave the group, then write the last presence changes (a slow database must not keep the
        channel in the group: the socket's disconnect may be cut short)."""
        self.ready.set()  # nobody waits for a hub that is gone
        for task in self.tasks:
            task.cancel()
        if self.channel is not None:
            try:
                await self.layer.group_discard(group_name(self.session_id), self.channel)
            except Exception:  # noqa: BLE001 - the layer forgets the channel by itself (expiry)
                logger.warning("leaving the group of session %s failed", self.session_id, exc_info=True)
        await asyncio.gather(*self.tasks, return_exceptions=True)  # a presence write under way finishes first
        await self.flush_presence()


def _loop_hubs() -> dict[int, Hub]:
    return _hubs.setdefault(asyncio.get_running_loop(), {})


async def attach(session_id: int, lane: Lane) -> None:
    """Deliver the session's events to `lane` (held back until `lane.release()`); the first lane starts the hub."""
    hubs = _loop_hubs()
    hub = hubs.get(session_id)
    if hub is None:
        hub = hubs[session_id] = Hub(session_id)
    hub.lanes.add(lane)
    hub.enter(lane)
    await hub.ready.wait()


async def detach(session_id: int, lane: Lane) -> None:
    """Stop delivering to `lane`; the last lane of a session stops its hub."""
    hubs = _loop_hubs()
    hub = hubs.get(session_id)
    if hub is None:
        return
    hub.lanes.discard(lane)
    hub.leave(lane)
    if not hub.lanes:
        del hubs[session_id]
        await hub.close()


async def ensure_joined(session_id: int) -> None:
    """Join the session's group now if the last attempt failed (a socket's frame after the layer came back)."""
    hub = _loop_hubs().get(session_id)
    if hub is not None and not hub.joined:
        await hub.join()


def hub_channel(session_id: int) -> str | None:
    """The channel this process (event loop) listens on for the session, or None when it has no socket on it."""
    hub = _loop_hubs().get(session_id)
    return hub.channel if hub else None
