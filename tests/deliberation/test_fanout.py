"""The process-local fan-out (deliberation/fanout.py): one subscription per session, audiences, bounded buffering."""

import asyncio
import json
import socket
import time
import urllib.parse

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config.asgi import application
from deliberation import fanout, services
from deliberation.broadcast import group_name, user_group_name
from deliberation.models import Presence
from tests.conftest import ORIGIN, rounds_of, session_cookie_for
from tests.servers import Browserless, daphne, fresh_database, new_session, prepare, server_env

pytestmark = pytest.mark.django_db(transaction=True)


async def _members(group):
    """The channels in a group of the in-memory layer, or of channels_redis (a sorted set per group)."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        return set(layer.groups.get(group, {}))
    connection = layer.connection(layer.consistent_hash(group))
    return {member.decode() for member in await connection.zrange(layer._group_key(group), 0, -1)}


async def test_one_channel_per_session_and_process_holds_every_socket(live, facilitator, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    bryn, _ = await database_sync_to_async(join)("Bryn")
    _, a, _ = await connect(live.code, participant=alys)
    _, b, _ = await connect(live.code, participant=bryn)
    _, fac, _ = await connect(live.code, user=facilitator)
    # The session's group holds the hub's channel only; the signed-in facilitator's socket is in its user's group.
    assert await _members(group_name(live.pk)) == {fanout.hub_channel(live.pk)}
    assert len(await _members(user_group_name(facilitator.pk))) == 1
    for client in (a, b, fac):
        await client.close()
    assert fanout.hub_channel(live.pk) is None  # the last socket gone, the hub left the group
    assert not await _members(group_name(live.pk)) and not await _members(user_group_name(facilitator.pk))


async def test_facilitator_only_events_reach_facilitators_only_and_nobody_gets_skip(live, facilitator, join, connect, fac_actor):
    rounds = await database_sync_to_async(rounds_of)(live)
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    _, fac, _ = await connect(live.code, user=facilitator)
    await database_sync_to_async(join)("Bryn")  # participant.joined: facilitators only
    joined = await fac.event("participant.joined")
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    opened = await fac.event("round.opened")
    assert opened["seq"] == joined["seq"] + 1
    first = await a.receive()
    while first["type"] == "presence":
        first = await a.receive()
    assert first["type"] == "round.opened" and first["seq"] == opened["seq"]  # no `skip` for Bryn's join
    for client in (a, fac):
        await client.close()


async def test_reply_goes_before_the_event_its_frame_caused(live, join, connect, fac_actor):
    rounds = await database_sync_to_async(rounds_of)(live)
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    await a.send_raw(
        text=json.dumps({"type": "proposal.submit", "ref": "p1", "payload": {"round": rounds["proposal"].pk, "title": "Bus"}})
    )
    kinds = []
    while "proposal.submitted" not in kinds:
        message = await a.receive()
        if message["type"] != "presence":
            kinds.append(message["type"])
    assert kinds == ["ack", "proposal.submitted"]
    await a.close()


async def _types_until_quiet(client, quiet=0.7):
    """The types of the messages a client gets until none comes for `quiet` seconds (a close counts as one)."""
    types = []
    while not await client.comm.receive_nothing(timeout=quiet):
        output = await client.comm.receive_output()
        types.append(json.loads(output["text"])["type"] if "text" in output else output["type"])
    return types


async def test_a_facilitator_who_loses_the_role_stops_getting_facilitator_events(live, facilitator, join, connect):
    me, _ = await database_sync_to_async(join)("Facilitator who also joined")
    _, fac, _ = await connect(live.code, participant=me, user=facilitator)
    await database_sync_to_async(join)("Alys")
    assert "participant.joined" in await _types_until_quiet(fac)
    await database_sync_to_async(live.facilitators.remove)(facilitator)
    assert (await fac.send("ping"))["type"] == "ack"  # every frame re-checks the role (still a participant: not closed)
    await database_sync_to_async(join)("Bryn")
    assert set(await _types_until_quiet(fac)) <= {"presence"}  # no participant.joined, no skip
    await fac.close()


class Recorder:
    """A socket as a lane sees it: what was sent, and a backlog the test sets."""

    def __init__(self):
        self.sent = []
        self.backlog = 0

    async def send(self, text):
        self.sent.append(json.loads(text))


async def test_a_lane_over_its_limit_drops_events_then_sends_resync_once(settings):
    settings.CYD_SOCKET_MAX_UNSENT_BYTES = 1000
    socket_ = Recorder()
    lane = fanout.Lane(socket_.send, lambda: socket_.backlog, facilitator=False)
    await lane.release()
    await lane.push(json.dumps({"seq": 1}))
    socket_.backlog = 5000  # the client stopped reading
    for seq in (2, 3, 4):
        await lane.push(json.dumps({"seq": seq}))
    assert lane.dropped == 3 and lane.behind
    socket_.backlog = 0  # it drained
    await lane.push(json.dumps({"seq": 5}))
    await lane.push(json.dumps({"seq": 6}))
    assert socket_.sent == [{"seq": 1}, {"type": "resync"}, {"seq": 5}, {"seq": 6}]


async def test_a_lane_holds_events_within_its_limit_while_the_socket_answers_a_frame(settings):
    settings.CYD_SOCKET_MAX_UNSENT_BYTES = 25
    socket_ = Recorder()
    lane = fanout.Lane(socket_.send, None, facilitator=True)
    await lane.push(json.dumps({"seq": 1}))  # held until the state is sent
    await lane.push(json.dumps({"seq": 2}))
    await lane.push(json.dumps({"seq": 3}))  # over 25 bytes held: dropped, the socket will be told to resync
    assert socket_.sent == []
    await lane.release()
    await lane.push(json.dumps({"seq": 4}))
    assert socket_.sent == [{"seq": 1}, {"seq": 2}, {"type": "resync"}, {"seq": 4}]


class FlakyLayer:
    """A channel layer that fails once, then delivers one message, then waits; cancellation comes back as redis-py's."""

    def __init__(self):
        self.calls = 0

    async def new_channel(self):
        return "hub!1"

    async def group_add(self, group, channel):
        pass

    async def group_discard(self, group, channel):
        pass

    async def receive(self, channel):
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("Redis is restarting")
        if self.calls == 2:
            return {"type": "session.event", "text": json.dumps({"seq": 7}), "audience": "all"}
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError as exc:
            raise TimeoutError("Timeout reading from 127.0.0.1:6379") from exc


async def test_the_hub_reads_on_through_a_layer_outage_and_still_stops_when_its_last_socket_leaves(monkeypatch):
    layer = FlakyLayer()
    monkeypatch.setattr(fanout, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(fanout, "LAYER_RETRY_SECONDS", 0.05)
    socket_ = Recorder()
    lane = fanout.Lane(socket_.send, None, facilitator=False)
    await fanout.attach(999, lane)
    await lane.release()
    for _ in range(100):
        if socket_.sent:
            break
        await asyncio.sleep(0.02)
    assert socket_.sent == [{"seq": 7}]
    await asyncio.wait_for(fanout.detach(999, lane), 5)  # the reader's task ends, though the layer disguised the cancel
    assert fanout.hub_channel(999) is None


# --- a real daphne: a socket that stops reading is not buffered without bound -------------------------------------

CODE = "SLOW4U"
LIMIT = 4096  # bytes daphne may hold for one socket in this test (the default is 256 KiB)
PROMPT = "Say what would help. " * 95  # ~2 KB: 240 events (~0.5 MB) overflow even the default limit and the kernel


def _stalled_socket(browser, base):
    """A socket whose client reads one message ahead at most, over a tiny TCP window (small receive buffer and MSS)."""
    parsed = urllib.parse.urlparse(base)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    raw.connect((parsed.hostname, parsed.port))
    return browser.socket(CODE, sock=raw, max_queue=1)


def _create_rounds(sockets, count):
    """Create `count` rounds round-robin over facilitator sockets (each has its own rate budget)."""
    made = 0
    while made < count:
        payload = {"kind": "proposal", "title": f"Round {made}", "prompt": PROMPT}
        reply = sockets[made % len(sockets)].send("round.create", payload)
        if reply["type"] == "ack":
            made += 1
        else:
            assert reply["code"] == "rate_limited", reply
            time.sleep(0.05)


def test_a_socket_that_stops_reading_is_resynced_not_buffered_without_bound():
    env = server_env(fresh_database("fanout"), CYD_SOCKET_MAX_UNSENT_BYTES=str(LIMIT))
    prepare(env)
    new_session(env, CODE)
    with daphne(env, worker=False) as (base, _process):
        browser = Browserless(base)
        browser.login("facilitator", "cyd-facilitator-demo")
        fast = [browser.socket(CODE) for _ in range(6)]
        slow = _stalled_socket(browser, base)
        cursor = slow.seq
        _create_rounds(fast, 240)  # facilitator-only round.created events, ~2.2 KB each
        # The client reads again: what daphne held for it, then a resync once the next event finds it drained.
        frames = []
        try:
            while True:
                frames.append(json.loads(slow.ws.recv(timeout=1)))
        except TimeoutError:
            pass
        fast[0].ok("round.create", {"kind": "proposal", "title": "Last"})
        last = fast[0].wait_event("round.created", round__title="Last")["seq"]
        while not frames or frames[-1].get("seq") != last:
            frames.append(json.loads(slow.ws.recv(timeout=10)))
        seqs = [f["seq"] for f in frames if "seq" in f]
        assert {"type": "resync"} in frames, [f.get("type") for f in frames]
        assert len(seqs) < last - cursor, (len(seqs), last - cursor)  # events were dropped for it, not buffered
        # The client catches up from the log: every event is there, once.
        have = cursor
        while have + 1 in seqs:
            have += 1
        replay = slow.send("sync", after=have)["payload"]["events"]
        assert sorted(set(seqs) | {e["seq"] for e in replay}) == list(range(cursor + 1, last + 1))
        for ws in [*fast, slow]:
            ws.close()


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 70000])
def test_server_frame_is_one_unmasked_text_frame_with_the_shortest_length_encoding(size):
    """RFC 6455 5.2: FIN + text opcode, no mask bit, 7-bit / 16-bit / 64-bit length, then the UTF-8 payload."""
    text = ("ŵ" * size)[: size // 2] + "a" * (size - 2 * (size // 2))  # multi-byte characters: length counts bytes
    payload = text.encode("utf-8")
    frame = fanout.text_frame(text)
    assert frame[0] == 0x81 and frame[1] & 0x80 == 0
    if len(payload) < 126:
        assert frame[1] == len(payload) and frame[2:] == payload
    elif len(payload) < 1 << 16:
        assert frame[1] == 126 and int.from_bytes(frame[2:4], "big") == len(payload) and frame[4:] == payload
    else:
        assert frame[1] == 127 and int.from_bytes(frame[2:10], "big") == len(payload) and frame[10:] == payload


# --- connect storms: nothing on the handshake path waits for the database thread -----------------------------------


async def test_a_handshake_is_accepted_while_the_database_thread_is_busy(live, join):
    """Every database call queues for one thread; a busy thread must not hold back accepting sockets (a connect storm
    used to time handshakes out: docs/performance.md). The state follows once the thread is free."""
    from asgiref.sync import sync_to_async

    alys, _ = await database_sync_to_async(join)("Alys")
    cookie = await database_sync_to_async(session_cookie_for)(alys)
    socket_ = WebsocketCommunicator(application, f"/ws/sessions/{live.code}/", headers=[(b"cookie", cookie), ORIGIN])
    busy = asyncio.ensure_future(sync_to_async(time.sleep)(3))  # thread_sensitive: the one database thread
    await asyncio.sleep(0.1)
    started = time.monotonic()
    connected, _ = await socket_.connect(timeout=5)
    accepted = time.monotonic() - started
    assert connected and accepted < 1.5, accepted
    assert not busy.done()
    state = json.loads(await socket_.receive_from(timeout=10))
    assert state["type"] == "state" and busy.done()
    await socket_.disconnect()


async def test_presence_is_written_in_batches_and_a_socket_gone_within_a_tick_leaves_no_row(live, join, connect):
    people = [(await database_sync_to_async(join)(f"Person {i}"))[0] for i in range(5)]
    clients = [(await connect(live.code, participant=p))[1] for p in people]
    counts = None
    while counts != {"participants": 5, "facilitators": 0}:
        counts = (await clients[-1].event("presence"))["payload"]
    rows = await database_sync_to_async(lambda: set(Presence.objects.values_list("channel_name", flat=True)))()
    assert len(rows) == 5
    _, brief, _ = await connect(live.code, participant=people[0])
    await brief.close()  # opened and closed within one tick: never written
    for client in clients:
        await client.close()
    assert await database_sync_to_async(Presence.objects.count)() == 0  # the last socket's hub wrote the leaves


def test_live_records_are_left_out_of_wagtails_reference_index():
    """Wagtail indexes every saved model with a foreign key (a task per save); live records name no page."""
    from django.apps import apps
    from wagtail.models import ReferenceIndex

    indexed = {m.__name__ for m in apps.get_app_config("deliberation").get_models() if ReferenceIndex.model_is_indexable(m)}
    assert indexed == {"LiveSession"}


async def test_a_citizen_connecting_after_moderation_gets_the_lists_as_they_are_now(
    live, join, connect, fac_actor, proposal_round
):
    """Connects share one build of the public proposals per public event; hiding or rewording one is such an event."""
    ideas = await database_sync_to_async(proposal_round)(["Bus pass", "Library hours"], "Alys")
    bryn, _ = await database_sync_to_async(join)("Bryn")

    async def titles():
        _, client, state = await connect(live.code, participant=bryn)
        await client.close()
        return {p["id"]: (p.get("title"), p["hidden"], p["mine"]) for p in state["payload"]["proposals"]}

    first, second = (p.pk for p in ideas.proposals)
    assert await titles() == {first: ("Bus pass", False, False), second: ("Library hours", False, False)}
    await database_sync_to_async(services.proposal_hide)(actor=fac_actor, session=live, proposal_id=first, reason="Off topic")
    await database_sync_to_async(services.proposal_edit_title)(
        actor=fac_actor, session=live, proposal_id=second, title="Longer library hours"
    )
    assert await titles() == {first: (None, True, False), second: ("Longer library hours", False, False)}
    # `mine` is per viewer, never shared: the author sees their own.
    _, alys, state = await connect(live.code, participant=ideas.authors[0].participant)
    assert {p["mine"] for p in state["payload"]["proposals"]} == {True}


@pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis channel layer only (the PostgreSQL + Redis run)")
async def test_an_idle_session_on_redis_keeps_listening_without_a_timeout(live, join, connect, fac_actor, caplog):
    """channels_redis reads with a 5 s blocking BZPOPMIN; redis-py 8 times a socket out after 5 s by default, which
    broke idle reads off as "layer unavailable" (django/channels_redis#422) and left the hub deaf while it waited."""
    layer = get_channel_layer()
    assert all(host.get("socket_timeout", 5) > layer.brpop_timeout for host in layer.hosts)
    alys, actor = await database_sync_to_async(join)("Alys")
    ideas = await database_sync_to_async(lambda: rounds_of(live)["proposal"].pk)()
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=ideas)
    _, client, _ = await connect(live.code, participant=alys)
    await asyncio.sleep(7)  # longer than one blocking read: nothing happens meanwhile
    started = time.monotonic()
    await database_sync_to_async(services.proposal_submit)(actor=actor, session=live, round_id=ideas, title="After a quiet spell")
    await client.event("proposal.submitted", timeout=5)
    assert time.monotonic() - started < 1.5
    assert "unavailable" not in caplog.text
