"""WebSocket tests through the real ASGI application (origin check, session cookie, protocol)."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from deliberation import services
from deliberation.consumers import REFILL_PER_SECOND
from deliberation.identity import presenter_key
from deliberation.models import Ballot, LiveSession, Proposal
from tests.conftest import rounds_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_participant_can_connect_from_site_origin_and_gets_state(live, join, connect):
    participant, _actor = await database_sync_to_async(join)("Alys")
    connected, client, first = await connect(live.code, participant=participant)
    assert connected
    assert first["type"] == "state"
    assert first["payload"]["session"]["code"] == live.code
    assert first["payload"]["viewer"]["participant"] == participant.pk
    # A participant never sees draft rounds.
    assert first["payload"]["rounds"] == []
    await client.close()


@pytest.mark.parametrize("origin", [(b"origin", b"http://evil.example"), (b"origin", b"null"), None])
async def test_anonymous_cannot_connect_from_foreign_null_or_missing_origin(live, join, connect, origin):
    participant, _actor = await database_sync_to_async(join)("Alys")
    connected, _client, _first = await connect(live.code, participant=participant, origin=origin, expect_state=False)
    assert not connected


async def test_visitor_who_has_not_joined_cannot_watch(live, connect):
    connected, client, _first = await connect(live.code, expect_state=False)
    assert connected  # accepted only to say why
    closed = await client.comm.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4403}


async def test_facilitator_can_connect_and_sees_drafts_and_counts(live, facilitator, connect):
    connected, client, first = await connect(live.code, user=facilitator)
    assert connected
    assert first["payload"]["viewer"]["facilitator"] is True
    assert [r["state"] for r in first["payload"]["rounds"]] == ["draft", "draft", "draft"]
    assert "facilitator" in first["payload"]
    await client.close()


async def test_participant_can_propose_and_others_receive_it_after_commit(live, facilitator, join, connect):
    rounds = await database_sync_to_async(rounds_of)(live)
    alys, _ = await database_sync_to_async(join)("Alys")
    bryn, _ = await database_sync_to_async(join)("Bryn")
    _, fac, _ = await connect(live.code, user=facilitator)
    _, a, _ = await connect(live.code, participant=alys)
    _, b, _ = await connect(live.code, participant=bryn)
    reply = await fac.send("round.open", {"round": rounds["proposal"].pk})
    assert reply["type"] == "ack"
    opened = await b.event("round.opened")
    assert opened["payload"]["round"]["state"] == "open"

    reply = await a.send("proposal.submit", {"round": rounds["proposal"].pk, "title": "A bus to the surgery"})
    assert reply["type"] == "ack"
    # Acknowledged means committed.
    assert await database_sync_to_async(Proposal.objects.filter(pk=reply["payload"]["id"]).exists)()
    event = await b.event("proposal.submitted")
    assert event["payload"]["proposal"]["title"] == "A bus to the surgery"
    assert event["payload"]["proposal"]["author"] == "Alys"
    assert event["seq"] > opened["seq"]
    for client in (fac, a, b):
        await client.close()


async def test_participant_retry_with_same_ref_does_not_create_twice(live, facilitator, join, connect, fac_actor):
    rounds = await database_sync_to_async(rounds_of)(live)
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    payload = {"round": rounds["proposal"].pk, "title": "Later buses"}
    first = await a.send("proposal.submit", payload, ref="same-ref")
    second = await a.send("proposal.submit", payload, ref="same-ref")
    assert first["type"] == second["type"] == "ack"
    assert first["payload"]["id"] == second["payload"]["id"]
    assert await database_sync_to_async(Proposal.objects.count)() == 1
    await a.close()


BAD_FRAMES = [
    ("not json", "bad_frame"),
    ("", "bad_frame"),
    ("[1, 2]", "bad_frame"),
    ('{"ref": "x"}', "bad_frame"),
    ('{"type": "nope.nothing", "ref": "x"}', "unknown_type"),
    ('{"type": "session.event", "ref": "x", "payload": {}}', "unknown_type"),
    ('{"type": "websocket.disconnect", "ref": "x"}', "unknown_type"),
    ('{"type": "proposal.submit", "ref": "x", "payload": "title"}', "invalid"),
    ('{"type": "proposal.submit", "ref": "x", "payload": {"round": "1", "title": "t"}}', "invalid"),
    ('{"type": "proposal.submit", "ref": "x", "payload": {"round": 1, "title": 5}}', "invalid"),
    ('{"type": "proposal.submit", "ref": "x", "payload": {"round": true, "title": "t"}}', "invalid"),
    ('{"type": "proposal.submit", "ref": "x", "payload": {"title": "t"}}', "invalid"),
    ('{"type": "proposal.submit", "ref": "x", "payload": {"round": 1, "title": "t", "evil": 1}}', "invalid"),
    ('{"type": "ballot.cast", "ref": "x", "payload": {"round": 1, "ranking": ["a"]}}', "invalid"),
    ('{"type": "sync", "ref": "x", "after": "zero"}', "invalid"),
    ('{"type": "proposal.submit", "ref": 12, "payload": {}}', "bad_frame"),
]


@pytest.mark.parametrize("frame,code", BAD_FRAMES)
async def test_participant_bad_frame_gets_clear_error_and_changes_nothing(live, join, connect, frame, code):
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    before = await database_sync_to_async(lambda: (Proposal.objects.count(), live.events.count()))()
    await a.send_raw(text=frame)
    reply = await a.reply()
    assert reply["type"] == "error"
    assert reply["code"] == code
    assert reply["message"]
    after = await database_sync_to_async(lambda: (Proposal.objects.count(), live.events.count()))()
    assert after == before
    await a.close()


async def test_participant_binary_and_oversized_frames_are_refused(live, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    await a.send_raw(data=b"\x00\x01binary")
    assert (await a.reply())["code"] == "bad_frame"
    huge = json.dumps({"type": "proposal.submit", "ref": "big", "payload": {"round": 1, "title": "x" * 20000}})
    await a.send_raw(text=huge)
    assert (await a.reply())["code"] == "too_large"
    await a.close()


async def test_participant_flood_is_rate_limited_not_disconnected(live, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    codes = []
    for i in range(40):
        await a.send_raw(text=json.dumps({"type": "ping", "ref": f"p{i}"}))
    for _i in range(40):
        reply = await a.reply()
        codes.append(reply.get("code", "ack"))
    assert "rate_limited" in codes
    assert codes.count("ack") >= 20
    # Still connected: once the bucket has refilled one token (docs/protocol.md, `rate_limited`), the next frame is answered.
    await asyncio.sleep(1.5 / REFILL_PER_SECOND)
    pong = await a.send("ping", ref="after-flood")
    assert pong["type"] == "ack" and pong["ref"] == "after-flood", pong
    assert isinstance(pong["payload"]["seq"], int)
    await a.close()


async def test_participant_resyncs_missed_events_after_a_gap(live, join, connect, proposal_round):
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, first = await connect(live.code, participant=alys)
    seen = first["seq"]
    await a.close()  # the socket drops: events happen while it is away (or the layer drops them)
    await database_sync_to_async(proposal_round)(["Community car scheme"], "Bryn")
    _, a2, again = await connect(live.code, participant=alys)
    await a2.send_raw(text=json.dumps({"type": "sync", "ref": "s1", "after": seen}))
    reply = await a2.reply("s1")
    events = reply["payload"]["events"]
    types = [e["type"] for e in events]
    assert "round.opened" in types and "proposal.submitted" in types
    assert "participant.joined" not in types  # facilitator-only events (Bryn joining) are not replayed to a participant
    # The public events chain without a gap: the first follows the cursor, each names the one before it.
    assert events[0]["prev"] <= seen
    assert [e["prev"] for e in events[1:]] == [e["seq"] for e in events[:-1]]
    assert again["seq"] == events[-1]["seq"]
    await a2.close()


async def test_participant_far_behind_gets_a_snapshot(live, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    await a.send_raw(text=json.dumps({"type": "sync", "ref": "s", "after": 10_000}))
    reply = await a.reply("s")
    assert reply["payload"]["snapshot"]["type"] == "state"
    await a.close()


async def test_facilitator_cannot_act_once_role_removed_while_connected(live, facilitator, connect):
    rounds = await database_sync_to_async(rounds_of)(live)
    _, fac, _ = await connect(live.code, user=facilitator)
    await database_sync_to_async(live.facilitators.remove)(facilitator)
    reply = await fac.send("round.open", {"round": rounds["proposal"].pk})
    assert reply["type"] == "error" and reply["code"] == "forbidden"
    await fac.close()


async def test_participant_ballot_ack_carries_receipt_and_last_ballot_counts(live, connect, open_vote):
    vote = await database_sync_to_async(open_vote)(authors="Alys")
    ids = vote.ids
    _, a, _ = await connect(live.code, participant=vote.authors[0].participant)
    first = await a.send("ballot.cast", {"round": vote.round.pk, "ranking": [ids[0], ids[1]]})
    second = await a.send("ballot.cast", {"round": vote.round.pk, "ranking": [ids[2]]})
    assert first["payload"]["receipt"] == second["payload"]["receipt"]
    ballots = await database_sync_to_async(lambda: list(Ballot.objects.values_list("ranking", flat=True)))()
    assert ballots == [[ids[2]]]
    bad = await a.send("ballot.cast", {"round": vote.round.pk, "ranking": [ids[0], ids[0]]})
    assert bad["code"] == "invalid"
    unknown = await a.send("ballot.cast", {"round": vote.round.pk, "ranking": [999999]})
    assert unknown["code"] == "invalid"
    await a.close()


async def test_everyone_sees_presence_counts_coalesced(live, facilitator, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    bryn, _ = await database_sync_to_async(join)("Bryn")
    _, fac, _ = await connect(live.code, user=facilitator)
    _, a, _ = await connect(live.code, participant=alys)
    _, b, _ = await connect(live.code, participant=bryn)
    counts = None
    for _i in range(5):  # a burst of joins gives a few updates, the last with everyone
        counts = (await fac.event("presence"))["payload"]
        if counts == {"participants": 2, "facilitators": 1}:
            break
    assert counts == {"participants": 2, "facilitators": 1}
    await b.close()
    while counts != {"participants": 1, "facilitators": 1}:
        counts = (await fac.event("presence"))["payload"]
    await a.close()
    await fac.close()


async def test_participant_recovers_an_event_the_layer_dropped(live, join, connect, fac_actor, monkeypatch):
    from deliberation.services import _base as services_module  # where services broadcast on commit

    rounds = await database_sync_to_async(rounds_of)(live)
    alys, _ = await database_sync_to_async(join)("Alys")
    bryn, bryn_actor = await database_sync_to_async(join)("Bryn")
    _, a, first = await connect(live.code, participant=alys)
    real = services_module.broadcast
    dropped = []

    def lossy(session_id, event, audience):
        if event["type"] == "round.opened":  # the layer silently drops this one (a full channel)
            dropped.append(event["seq"])
            return
        real(session_id, event, audience)

    monkeypatch.setattr(services_module, "broadcast", lossy)
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    await database_sync_to_async(services.proposal_submit)(
        actor=bryn_actor, session=live, round_id=rounds["proposal"].pk, title="Community car scheme"
    )
    event = await a.event("proposal.submitted")
    last = first["seq"]
    assert event["seq"] > last + 1  # the client sees the gap ...
    await a.send_raw(text=json.dumps({"type": "sync", "ref": "gap", "after": last}))
    recovered = (await a.reply("gap"))["payload"]["events"]
    assert dropped[0] in [e["seq"] for e in recovered]  # ... and sync brings back what was lost
    assert any(e["type"] == "round.opened" for e in recovered)
    await a.close()


async def test_participant_notices_a_forgotten_group_on_ping_and_is_rejoined(live, join, connect, fac_actor, monkeypatch):
    from channels.layers import get_channel_layer

    from deliberation import fanout
    from deliberation.broadcast import group_name

    monkeypatch.setattr(fanout, "REJOIN_SECONDS", 1)
    rounds = await database_sync_to_async(rounds_of)(live)
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, first = await connect(live.code, participant=alys)
    # Redis restarted: the group no longer knows this process's channel for the session (its hub's).
    await get_channel_layer().group_discard(group_name(live.pk), fanout.hub_channel(live.pk))
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    pong = await a.send("ping")
    assert pong["payload"]["seq"] > first["seq"]  # the client can tell it is behind and sync
    await asyncio.sleep(1.1)  # the hub re-adds its channel every REJOIN_SECONDS
    await database_sync_to_async(services.round_close)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    closed = await a.event("round.closed")  # and it is in the group again
    assert closed["payload"]["round"]["id"] == rounds["proposal"].pk
    await a.close()


async def test_room_screen_with_the_presenter_key_watches_read_only(live, facilitator, join, connect, fac_actor):
    rounds = await database_sync_to_async(rounds_of)(live)
    key = await database_sync_to_async(presenter_key)(live)
    connected, screen, state = await connect(live.code, query=f"key={key}")
    assert connected and state["type"] == "state" and state["payload"]["viewer"]["facilitator"] is False
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=rounds["proposal"].pk)
    assert (await screen.event("round.opened"))["payload"]["round"]["id"] == rounds["proposal"].pk
    reply = await screen.send("proposal.submit", {"round": rounds["proposal"].pk, "title": "From the screen"})
    assert reply["code"] == "not_joined"  # watching is not taking part
    await screen.close()


@pytest.mark.parametrize("key", ["forged", "other-session"])
async def test_room_screen_with_a_bad_key_is_refused(live, connect, key):
    if key == "other-session":
        other = await database_sync_to_async(LiveSession.objects.create)(title="Other", code="OTHR77")
        key = await database_sync_to_async(presenter_key)(other)
    connected, screen, _ = await connect(live.code, query=f"key={key}", expect_state=False)
    assert connected
    assert await screen.comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_participant_gets_errors_in_the_language_of_their_page(live, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    _, client, _ = await connect(live.code, participant=alys, query="lang=cy")
    reply = await client.send("nope.nothing")
    assert reply["code"] == "unknown_type"
    assert reply["message"] == "Nid yw’r weithred honno’n hysbys."
    await client.close()
