"""Streams and audiences (issue 11): facilitators get every event, everyone else only the public ones, chained by `prev`.

Through the real ASGI application (as test_socket.py), and at the service level.
"""

import json
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async

from deliberation import selectors, services
from deliberation.identity import presenter_key
from deliberation.models import Event, LiveSession
from deliberation.services import _base
from tests.conftest import rounds_of

FACILITATOR_ONLY = {"participant.joined", "ballot.cast", "round.counted"}


async def frames_until(client, kind):
    """The types of the frames a socket receives up to and including the first `kind` (presence left out)."""
    seen = []
    while True:
        message = await client.receive()
        if message["type"] != "presence":
            seen.append(message)
        if message["type"] == kind:
            return seen


async def sync(client, after, ref="s"):
    """Send `sync` after a cursor and return the ack's payload."""
    await client.send_raw(text=json.dumps({"type": "sync", "ref": ref, "after": after}))
    reply = await client.reply(ref)
    assert reply["type"] == "ack", reply
    return reply["payload"]


@pytest.fixture
async def room(live, facilitator, join, connect):
    """The session's rounds, Alys (joined) as an actor, and two sockets: the facilitator's and Alys's (`a`, with `state`)."""
    rounds = await database_sync_to_async(rounds_of)(live)
    alys, alys_actor = await database_sync_to_async(join)("Alys")
    _, fac, _ = await connect(live.code, user=facilitator)
    _, a, state = await connect(live.code, participant=alys)
    return SimpleNamespace(rounds=rounds, alys=alys_actor, fac=fac, a=a, state=state)


def public_seqs_after(session, after):
    """The log's public events after a cursor."""
    return list(Event.objects.filter(session=session, audience=Event.Audience.ALL, seq__gt=after).values_list("seq", flat=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_participant_gets_no_frame_for_a_join_while_a_facilitator_does(live, room, join, fac_actor):
    rounds, fac, a, state = room.rounds, room.fac, room.a, room.state
    await database_sync_to_async(join)("Bryn")  # participant.joined: facilitators only
    joined = await fac.event("participant.joined")
    assert joined["payload"]["participant"]["name"] == "Bryn" and "prev" not in joined
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    await database_sync_to_async(join)("Cerys")
    await database_sync_to_async(services.proposal_submit)(
        actor=room.alys, session=live, round_id=rounds["proposal"].pk, title="Later buses"
    )
    frames = await frames_until(a, "proposal.submitted")
    assert [f["type"] for f in frames] == ["round.opened", "proposal.submitted"]
    opened, submitted = frames
    # The public chain runs across the two joins: each public event names the public one before it.
    assert opened["prev"] <= state["seq"] < opened["seq"]
    assert submitted["prev"] == opened["seq"] < submitted["seq"] - 1
    fac_frames = await frames_until(fac, "proposal.submitted")
    assert [f["type"] for f in fac_frames] == ["round.opened", "participant.joined", "proposal.submitted"]
    assert [f["seq"] for f in fac_frames] == list(range(joined["seq"] + 1, joined["seq"] + 4))


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_participant_gets_no_frame_for_ballots_or_counts_while_a_facilitator_does(
    live, facilitator, connect, open_vote, fac_actor
):
    vote = await database_sync_to_async(open_vote)(authors=["Alys", "Bryn", "Cerys"])
    _, fac, _ = await connect(live.code, user=facilitator)
    _, alys, _ = await connect(live.code, participant=vote.authors[0].participant)
    _, bryn, _ = await connect(live.code, participant=vote.authors[1].participant)
    cast = await bryn.send("ballot.cast", {"round": vote.round.pk, "ranking": vote.ids})
    assert cast["type"] == "ack"
    assert (await fac.event("ballot.cast"))["payload"]["ballots"] == 1
    await database_sync_to_async(services.round_close)(actor=fac_actor, session=live, round_id=vote.round.pk)
    assert [f["type"] for f in await frames_until(alys, "round.closed")] == ["round.closed"]
    assert [f["type"] for f in await frames_until(fac, "round.counted")] == ["round.closed", "round.counted"]
    # Nothing else reached the participant: its next frame is the answer to its ping, naming the last public event.
    await alys.send_raw(text=json.dumps({"type": "ping", "ref": "after"}))
    frames = await frames_until(alys, "ack")
    assert [f["type"] for f in frames] == ["ack"]
    assert frames[0]["payload"]["seq"] == (await database_sync_to_async(LiveSession.objects.get)(pk=live.pk)).last_public_seq


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_participant_who_missed_a_public_event_sees_the_gap_and_sync_brings_exactly_it(
    live, room, join, fac_actor, monkeypatch
):
    rounds, fac, a = room.rounds, room.fac, room.a
    cursor = room.state["seq"]
    real = _base.broadcast

    def lossy(session_id, event, audience):
        if event["type"] == "round.opened":  # the layer silently drops it (a full channel)
            return
        real(session_id, event, audience)

    monkeypatch.setattr(_base, "broadcast", lossy)
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    await database_sync_to_async(join)("Cerys")  # facilitator-only, between the two public events
    await database_sync_to_async(services.proposal_submit)(
        actor=room.alys, session=live, round_id=rounds["proposal"].pk, title="Community car scheme"
    )
    submitted = (await frames_until(a, "proposal.submitted"))[-1]
    assert submitted["prev"] > cursor  # the client sees the gap (the missed round.opened)
    replay = await sync(a, cursor)
    assert replay["facilitator"] is False
    events = replay["events"]
    assert [e["type"] for e in events] == ["round.opened", "proposal.submitted"]
    assert [e["seq"] for e in events] == await database_sync_to_async(public_seqs_after)(live, cursor)
    assert events[0]["prev"] <= cursor and events[1]["prev"] == events[0]["seq"] == submitted["prev"]
    # A facilitator's replay after the same point holds every event, the join included.
    everything = await sync(fac, cursor, ref="f")
    assert everything["facilitator"] is True
    seqs = [e["seq"] for e in everything["events"]]
    assert seqs == list(range(cursor + 1, submitted["seq"] + 1))
    assert {e["type"] for e in everything["events"]} >= {"round.opened", "participant.joined", "proposal.submitted"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_ping_answers_each_viewer_the_last_seq_of_its_own_stream(live, room, join, fac_actor):
    fac, a = room.fac, room.a
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=room.rounds["proposal"].pk)
    await database_sync_to_async(join)("Bryn")
    await database_sync_to_async(join)("Cerys")
    session = await database_sync_to_async(LiveSession.objects.get)(pk=live.pk)
    assert session.last_public_seq == session.last_seq - 2
    assert (await fac.send("ping"))["payload"]["seq"] == session.last_seq
    assert (await a.send("ping"))["payload"]["seq"] == session.last_public_seq


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_room_screen_gets_the_public_stream_only(live, facilitator, join, connect, fac_actor):
    rounds = await database_sync_to_async(rounds_of)(live)
    key = await database_sync_to_async(presenter_key)(live)
    _, screen, state = await connect(live.code, query=f"key={key}")
    assert state["payload"]["viewer"]["facilitator"] is False
    await database_sync_to_async(join)("Alys")
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    assert [f["type"] for f in await frames_until(screen, "round.opened")] == ["round.opened"]
    session = await database_sync_to_async(LiveSession.objects.get)(pk=live.pk)
    await database_sync_to_async(join)("Bryn")
    assert (await screen.send("ping"))["payload"]["seq"] == session.last_public_seq
    replay = await sync(screen, state["seq"])
    assert replay["facilitator"] is False
    assert [e["type"] for e in replay["events"]] == ["round.opened"]


# Service level: the messages log() broadcasts and the replay selectors build.


@pytest.fixture
def sent(monkeypatch):
    """The messages services broadcast, as (message, audience), once their transaction commits."""
    messages = []
    monkeypatch.setattr(_base, "broadcast", lambda session_id, message, audience: messages.append((message, audience)))
    return messages


@pytest.mark.django_db
def test_public_events_carry_the_seq_of_the_public_one_before_them(
    live, fac_actor, join, sent, django_capture_on_commit_callbacks
):
    rounds = rounds_of(live)
    with django_capture_on_commit_callbacks(execute=True):
        _alys, alys_actor = join("Alys")
        services.round_open(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
        join("Bryn")
        join("Cerys")
        services.proposal_submit(actor=alys_actor, session=live, round_id=rounds["proposal"].pk, title="Later buses")
    assert [(m["type"], a) for m, a in sent] == [
        ("participant.joined", Event.Audience.FACILITATORS),
        ("round.opened", Event.Audience.ALL),
        ("participant.joined", Event.Audience.FACILITATORS),
        ("participant.joined", Event.Audience.FACILITATORS),
        ("proposal.submitted", Event.Audience.ALL),
    ]
    assert [m["seq"] for m, _a in sent] == [1, 2, 3, 4, 5]
    assert [m.get("prev") for m, _a in sent] == [None, 0, None, None, 2]
    assert ["prev" in m for m, _a in sent] == [False, True, False, False, True]
    live.refresh_from_db()
    assert (live.last_seq, live.last_public_seq) == (5, 5)


@pytest.mark.django_db
def test_replay_gives_a_participant_the_public_events_with_their_prev_and_a_facilitator_every_event(live, fac_actor, join):
    rounds = rounds_of(live)
    _alys, alys_actor = join("Alys")  # 1 (facilitators)
    services.round_open(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)  # 2
    join("Bryn")  # 3 (facilitators)
    join("Cerys")  # 4 (facilitators)
    services.proposal_submit(actor=alys_actor, session=live, round_id=rounds["proposal"].pk, title="Later buses")  # 5
    join("Dylan")  # 6 (facilitators)
    public = selectors.events_after(live, 3, facilitator=False)
    assert [(e["seq"], e["prev"]) for e in public] == [(5, 2)]  # the first names the last public event before the cursor
    assert [(e["seq"], e["prev"]) for e in selectors.events_after(live, 0, facilitator=False)] == [(2, 0), (5, 2)]
    assert selectors.events_after(live, 5, facilitator=False) == []  # the join after it is not a participant's
    every = selectors.events_after(live, 1, facilitator=True)
    assert [e["seq"] for e in every] == [2, 3, 4, 5, 6]
    assert [e.get("prev") for e in every] == [0, None, None, 2, None]
    assert selectors.events_after(live, 7, facilitator=False) is None  # beyond the log: a snapshot instead
