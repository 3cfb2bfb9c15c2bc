"""Security of the live socket: replay privacy, revoked users, frame size, bad text, refused sockets, presence, origin."""

import json
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client as HttpClient
from django.utils import timezone

from config.asgi import application
from deliberation import rules, selectors, services
from deliberation.identity import remember_participant
from deliberation.models import Comment, Participant, Presence, Proposal
from deliberation.protocol import MAX_FRAME_BYTES
from tests.conftest import ORIGIN, Client, rounds_of, session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

PHONE = "07700 900123"


async def _socket(code, cookie=b"", headers=(ORIGIN,), client=None):
    """A socket through the real ASGI app with exactly these headers (and a client address when given)."""
    all_headers = ([(b"cookie", cookie)] if cookie else []) + list(headers)
    comm = WebsocketCommunicator(application, f"/ws/sessions/{code}/", headers=all_headers)
    if client:
        comm.scope["client"] = client  # what daphne passes: the peer's address
    connected, _ = await comm.connect(timeout=5)
    return connected, Client(comm)


async def _sync(client, after=0):
    """Send `sync` and return its reply."""
    await client.send_raw(text=json.dumps({"type": "sync", "ref": "sync-1", "after": after}))
    return await client.reply("sync-1")


def _events(reply, kind):
    return [e for e in reply["payload"]["events"] if e["type"] == kind]


# --- H1: a replay shows what is true now -------------------------------------------------------


async def test_anonymous_participant_cannot_read_hidden_proposal_through_sync(live, join, connect, fac_actor):
    def prepare():
        r = rounds_of(live)
        services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
        _alys, alys = join("Alys Jones")
        proposal = services.proposal_submit(
            actor=alys, session=live, round_id=r["proposal"].pk, title=f"Call me on {PHONE}", body=f"Or text {PHONE}"
        )
        services.proposal_edit_title(actor=fac_actor, session=live, proposal_id=proposal.pk, title=f"Ring {PHONE}")
        services.proposal_hide(actor=fac_actor, session=live, proposal_id=proposal.pk, reason="Personal information")
        return proposal, join("")[0]

    proposal, stranger = await database_sync_to_async(prepare)()
    _, client, _ = await connect(live.code, participant=stranger)
    reply = await _sync(client)
    assert reply["type"] == "ack"
    assert PHONE not in json.dumps(reply)
    assert "Alys Jones" not in json.dumps(reply)
    for kind in ("proposal.submitted", "proposal.edited"):
        (event,) = _events(reply, kind)
        assert event["payload"]["proposal"]["id"] == proposal.pk
        assert event["payload"]["proposal"]["hidden"] is True
        assert event["payload"]["proposal"]["reason"] == "personal"
    await client.close()


async def test_anonymous_participant_cannot_read_hidden_comment_through_sync(live, join, connect, fac_actor, proposal_round):
    def prepare():
        r = rounds_of(live)
        ideas = proposal_round(("Later buses",), "Alys", close=True)
        (proposal,), alys = ideas.proposals, ideas.authors[0]
        services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
        comment = services.comment_submit(
            actor=alys, session=live, round_id=r["comment"].pk, proposal_id=proposal.pk, body=f"My number is {PHONE}"
        )
        services.comment_hide(actor=fac_actor, session=live, comment_id=comment.pk, reason="Personal information")
        return comment, join("")[0]

    comment, stranger = await database_sync_to_async(prepare)()
    _, client, _ = await connect(live.code, participant=stranger)
    reply = await _sync(client)
    assert PHONE not in json.dumps(reply)
    (event,) = _events(reply, "comment.submitted")
    assert event["payload"]["comment"] == {**event["payload"]["comment"], "id": comment.pk, "hidden": True}
    assert "body" not in event["payload"]["comment"]
    await client.close()


async def test_participant_cannot_read_a_name_removed_since_through_sync(live, join, connect, fac_actor, proposal_round):
    def prepare():
        r = rounds_of(live)
        ideas = proposal_round(("Later buses", "Later trains"), "Megan Pritchard")
        (kept, other), megan = ideas.proposals, ideas.authors[0]
        services.proposal_merge(actor=fac_actor, session=live, proposal_id=other.pk, into_id=kept.pk)
        services.round_close(actor=fac_actor, session=live, round_id=r["proposal"].pk)
        services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
        services.comment_submit(actor=megan, session=live, round_id=r["comment"].pk, proposal_id=kept.pk, body="Yes")
        # The board erases her name at her request: the contributions stay, unattributed.
        services.participant_rename(actor=megan, session=live, name="")
        Proposal.objects.filter(author=megan.participant).update(author_name="")
        Comment.objects.filter(author=megan.participant).update(author_name="")
        return join("")[0]

    stranger = await database_sync_to_async(prepare)()
    _, client, first = await connect(live.code, participant=stranger)
    assert "Pritchard" not in json.dumps(first)  # the snapshot already shows the row as it is now
    reply = await _sync(client)
    assert "Pritchard" not in json.dumps(reply)
    (merged,) = _events(reply, "proposal.merged")
    assert merged["payload"]["proposal"]["author"] == merged["payload"]["into"]["author"] == ""
    await client.close()


async def test_facilitator_can_still_read_hidden_text_through_sync(live, facilitator, connect, fac_actor, proposal_round):
    def prepare():
        (proposal,) = proposal_round((f"Ring {PHONE}",), "Alys").proposals
        services.proposal_hide(actor=fac_actor, session=live, proposal_id=proposal.pk, reason="Personal information")

    await database_sync_to_async(prepare)()
    _, fac, first = await connect(live.code, user=facilitator)
    assert PHONE in json.dumps(first["payload"]["facilitator"]["hidden_proposals"])  # what facilitators see anyway
    reply = await _sync(fac)
    (event,) = _events(reply, "proposal.submitted")
    assert event["payload"]["proposal"]["title"] == f"Ring {PHONE}"
    await fac.close()


# --- M2: a revoked user loses their rights on an open socket ------------------------------------


async def test_deactivated_facilitator_cannot_create_round_on_open_socket(live, facilitator, connect):
    _, fac, _ = await connect(live.code, user=facilitator)
    assert (await fac.send("round.create", {"kind": "proposal", "title": "More ideas"}))["type"] == "ack"
    # A bulk update sends no signal: the socket stays open, and the next message is checked against the database.
    await database_sync_to_async(type(facilitator).objects.filter(pk=facilitator.pk).update)(is_active=False)
    reply = await fac.send("round.create", {"kind": "proposal", "title": "Even more"})
    assert reply["type"] == "error" and reply["code"] == "forbidden"
    await fac.close()


async def test_deactivated_facilitator_has_every_socket_closed(live, facilitator, connect):
    _, laptop, _ = await connect(live.code, user=facilitator)
    _, phone, _ = await connect(live.code, user=facilitator)  # another browser session
    facilitator.is_active = False
    await database_sync_to_async(facilitator.save)()
    for socket in (laptop, phone):
        message = await socket.comm.receive_output(timeout=5)
        while message["type"] != "websocket.close":  # presence updates may come first
            message = await socket.comm.receive_output(timeout=5)
        assert message["code"] == 4401


async def test_facilitator_whose_password_changed_cannot_create_round_on_open_socket(live, facilitator, connect):
    _, fac, _ = await connect(live.code, user=facilitator)
    facilitator.set_password("a-new-password-9")
    await database_sync_to_async(facilitator.save)()
    reply = await fac.send("round.create", {"kind": "proposal", "title": "More ideas"})
    assert reply["code"] == "forbidden"
    await fac.close()


async def test_facilitator_signed_out_in_another_tab_has_socket_closed(live, facilitator):
    def sign_in():
        browser = HttpClient()
        browser.force_login(facilitator)
        return browser

    browser = await database_sync_to_async(sign_in)()
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    connected, tab = await _socket(live.code, cookie=cookie)
    assert connected and (await tab.receive())["payload"]["viewer"]["facilitator"] is True
    response = await database_sync_to_async(browser.post)("/en/accounts/logout/")
    assert response.status_code == 302
    closed = await tab.comm.receive_output(timeout=5)
    while closed["type"] != "websocket.close":  # presence updates may come first
        closed = await tab.comm.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_facilitator_signed_out_elsewhere_keeps_this_socket(live, facilitator, connect):
    _, fac, _ = await connect(live.code, user=facilitator)

    def sign_in_and_out():
        browser = HttpClient()
        browser.force_login(facilitator)
        browser.post("/en/accounts/logout/")

    await database_sync_to_async(sign_in_and_out)()
    assert (await fac.send("round.create", {"kind": "proposal", "title": "More ideas"}))["type"] == "ack"
    await fac.close()


# --- M3: large frames cost nothing --------------------------------------------------------------


async def test_participant_huge_frame_gets_too_large_fast_and_socket_keeps_working(live, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    frame = json.dumps({"type": "ping", "ref": "big", "pad": "x" * (1024 * 1024)})
    started = time.monotonic()
    await a.send_raw(text=frame)
    reply = await a.reply()
    assert reply["code"] == "too_large" and reply["ref"] is None  # the frame was never parsed for its ref
    assert time.monotonic() - started < 0.5
    assert (await a.send("ping"))["type"] == "ack"
    await a.close()


async def test_participant_rate_limited_frame_is_not_parsed(live, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    for n in range(100):  # far over the burst (and its refill while they are handled): the last ones are refused
        await a.send_raw(text=json.dumps({"type": "ping", "ref": f"p{n}"}))
    await a.send_raw(text=json.dumps({"type": "ping", "ref": "big", "pad": "x" * (64 * MAX_FRAME_BYTES)}))
    replies = [await a.reply() for _ in range(101)]
    last = replies[-1]
    assert last["code"] == "rate_limited"
    assert last["ref"] is None  # not even read for its ref (only frames within the limit are scanned for one)
    await a.close()


# --- L3: text that cannot be stored or that disguises itself -----------------------------------


@pytest.mark.parametrize("title", ["Bus\u0000stop", "Bus \ud800 stop"])
async def test_participant_cannot_propose_a_nul_or_a_lone_surrogate(live, join, connect, fac_actor, title):
    r = await database_sync_to_async(rounds_of)(live)
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    reply = await a.send("proposal.submit", {"round": r["proposal"].pk, "title": title})
    assert reply["code"] == "invalid"
    assert "character" in reply["message"]
    assert await database_sync_to_async(Proposal.objects.count)() == 0
    assert (await a.send("ping"))["type"] == "ack"
    await a.close()


@pytest.mark.parametrize("body", ["Yes\u0000", "\udfff"])
async def test_participant_cannot_comment_a_nul_or_a_lone_surrogate(live, connect, fac_actor, proposal_round, body):
    def prepare():
        r = rounds_of(live)
        ideas = proposal_round(("Later buses",), "Alys", close=True)
        services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
        return r, ideas.authors[0].participant, ideas.proposals[0]

    r, participant, proposal = await database_sync_to_async(prepare)()
    _, a, _ = await connect(live.code, participant=participant)
    reply = await a.send("comment.submit", {"round": r["comment"].pk, "proposal": proposal.pk, "body": body})
    assert reply["code"] == "invalid" and "character" in reply["message"]
    assert await database_sync_to_async(Comment.objects.count)() == 0
    await a.close()


async def test_participant_cannot_take_a_name_with_a_nul_or_a_lone_surrogate(live, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    for name in ("Al\u0000ys", "Al\ud83dys"):
        reply = await a.send("participant.rename", {"name": name})
        assert reply["code"] == "invalid"
    assert (await database_sync_to_async(Participant.objects.get)(pk=alys.pk)).display_name == "Alys"
    await a.close()


async def test_participant_cannot_send_a_ref_with_a_nul(live, join, connect, fac_actor):
    r = await database_sync_to_async(rounds_of)(live)
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    await a.send_raw(
        text=json.dumps(
            {"type": "proposal.submit", "ref": "r\u0000", "payload": {"round": r["proposal"].pk, "title": "Later buses"}}
        )
    )
    reply = await a.reply()
    assert reply["type"] == "error" and reply["code"] in {"bad_frame", "invalid"}
    assert await database_sync_to_async(Proposal.objects.count)() == 0
    await a.close()


async def test_participant_bidi_overrides_are_dropped_from_titles_and_names(live, join, connect, fac_actor):
    r = await database_sync_to_async(rounds_of)(live)
    await database_sync_to_async(services.round_open)(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    alys, _ = await database_sync_to_async(join)("Alys")
    _, a, _ = await connect(live.code, participant=alys)
    renamed = await a.send("participant.rename", {"name": "\u202eAlys\u202c \u2066Jones\u2069"})
    assert renamed["payload"]["name"] == "Alys Jones"
    ack = await a.send("proposal.submit", {"round": r["proposal"].pk, "title": "Buses\u202d to\u202a town\u2067\u2068"})
    proposal = await database_sync_to_async(Proposal.objects.get)(pk=ack["payload"]["id"])
    assert (proposal.title, proposal.author_name) == ("Buses to town", "Alys Jones")
    only_controls = await a.send("proposal.submit", {"round": r["proposal"].pk, "title": "\u202e\u202e"})
    assert only_controls["code"] == "invalid"
    await a.close()


def _http_participant(live, name="Alys"):
    """A browser (HTTP test client) holding a joined participant of the live session."""
    participant = services.participant_join(session=live, display_name=name)
    browser = HttpClient()
    session = browser.session
    remember_participant(session, live.code, participant.pk)
    session.save()
    return browser, participant


@pytest.mark.parametrize("title", ["Bus\u0000stop", "Bus\u202e stop\u202c\u0000"])
async def test_participant_cannot_propose_a_nul_over_http(live, fac_actor, title):
    def run():
        r = rounds_of(live)
        services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
        browser, _participant = _http_participant(live)
        fields = {"action": "proposal.submit", "ref": "form-1", "round": r["proposal"].pk, "title": title}
        return browser.post(f"/en/s/{live.code}/act/", fields, follow=True), Proposal.objects.count()

    response, count = await database_sync_to_async(run)()
    assert response.status_code == 200
    assert "character" in response.content.decode()
    assert count == 0


async def test_participant_cannot_take_a_name_with_a_nul_over_http(live):
    def run():
        browser, participant = _http_participant(live)
        response = browser.post(f"/en/s/{live.code}/act/", {"action": "participant.rename", "name": "A\u0000"}, follow=True)
        participant.refresh_from_db()
        return response, participant.display_name

    response, name = await database_sync_to_async(run)()
    assert "character" in response.content.decode() and name == "Alys"


async def test_visitor_cannot_join_with_a_nul_or_bidi_controls_in_the_name_over_http(live):
    def run():
        browser = HttpClient()
        refused = browser.post(f"/en/s/{live.code}/", {"name": "Al\u0000ys"})
        browser.post(f"/en/s/{live.code}/", {"name": "\u202eAlys\u202c"})
        return refused, list(Participant.objects.values_list("display_name", flat=True))

    refused, names = await database_sync_to_async(run)()
    assert refused.status_code == 200 and "Null characters are not allowed" in refused.content.decode()
    assert names == ["Alys"]


async def test_participant_cannot_comment_a_nul_over_http(live, fac_actor, proposal_round):
    def run():
        r = rounds_of(live)
        browser, participant = _http_participant(live)
        (proposal,) = proposal_round(("Later buses",), rules.Actor(participant=participant), close=True).proposals
        services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
        fields = {"action": "comment.submit", "round": r["comment"].pk, "proposal": proposal.pk, "body": "No\u0000"}
        return browser.post(f"/en/s/{live.code}/act/", fields, follow=True), Comment.objects.count()

    response, count = await database_sync_to_async(run)()
    assert "character" in response.content.decode() and count == 0


# --- L4: frames on a refused socket -------------------------------------------------------------


async def test_visitor_frames_on_a_refused_socket_do_not_crash_it(live):
    connected, client = await _socket(live.code)
    assert connected  # accepted only to say why
    for n in range(3):  # sent before the refusal arrives
        await client.send_raw(text=json.dumps({"type": "ping", "ref": f"early-{n}"}))
    await client.send_raw(data=b"\x00")
    assert await client.comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    await client.comm.disconnect()  # re-raises anything the consumer raised


# --- L5: presence counts people ------------------------------------------------------------------


async def test_facilitator_sees_one_participant_with_many_tabs_counted_once(live, facilitator, join, connect):
    alys, _ = await database_sync_to_async(join)("Alys")
    bryn, _ = await database_sync_to_async(join)("Bryn")
    tabs = [(await connect(live.code, participant=alys))[1] for _ in range(3)]
    tabs.append((await connect(live.code, participant=bryn))[1])
    tabs += [(await connect(live.code, user=facilitator))[1] for _ in range(2)]
    presence = await tabs[-1].event("presence")
    while presence["payload"] != {"participants": 2, "facilitators": 1}:  # coalesced: the last word counts
        presence = await tabs[-1].event("presence")
    assert await database_sync_to_async(selectors.presence_counts)(live.pk) == {"participants": 2, "facilitators": 1}
    for tab in tabs:
        await tab.close()


async def test_stale_presence_rows_are_deleted(live, join):
    def run():
        alys, _ = join("Alys")
        row = {"facilitator": False, "participant_id": alys.pk, "user_id": None}
        dead = [row | {"channel_name": "dead.1"}, row | {"channel_name": "dead.2"}]
        services.presence_apply(session_id=live.pk, entered=dead)
        old = timezone.now() - timedelta(seconds=selectors.PRESENCE_TIMEOUT_SECONDS + 1)
        Presence.objects.filter(channel_name__startswith="dead.").update(seen_at=old)
        bryn, _ = join("Bryn")
        alive = [{"channel_name": "live.1", "facilitator": False, "participant_id": bryn.pk, "user_id": None}]
        counts = services.presence_apply(session_id=live.pk, entered=alive)
        return sorted(Presence.objects.values_list("channel_name", flat=True)), counts

    names, counts = await database_sync_to_async(run)()
    assert names == ["live.1"]
    assert counts == {"participants": 1, "facilitators": 0}


# --- L7: the Origin must be this site, port included; join-code guessing is throttled ----------


@pytest.mark.parametrize(
    "host,origin",
    [
        (b"testserver", b"http://testserver:1"),
        (b"localhost:8000", b"http://localhost:1"),
        (b"localhost:8000", b"http://localhost"),
        (b"localhost:8000", b"https://localhost:8000"),
        (b"localhost:8000", b"http://127.0.0.1:8000"),
        (b"evil.example", b"http://evil.example"),  # not an allowed host
    ],
)
async def test_participant_cannot_connect_from_another_origin_on_the_same_host(live, join, host, origin):
    alys, _ = await database_sync_to_async(join)("Alys")
    cookie = await database_sync_to_async(session_cookie_for)(alys)
    connected, _client = await _socket(live.code, cookie=cookie, headers=[(b"host", host), (b"origin", origin)])
    assert not connected


@pytest.mark.parametrize("host", [b"localhost:8000", b"testserver"])
async def test_participant_can_connect_from_the_origin_of_the_page(live, join, host):
    alys, _ = await database_sync_to_async(join)("Alys")
    cookie = await database_sync_to_async(session_cookie_for)(alys)
    headers = [(b"host", host), (b"origin", b"http://" + host)]
    connected, client = await _socket(live.code, cookie=cookie, headers=headers)
    assert connected and (await client.receive())["type"] == "state"
    await client.close()


async def test_participant_can_connect_from_a_trusted_origin(live, join, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://cyd.example.org"]
    alys, _ = await database_sync_to_async(join)("Alys")
    cookie = await database_sync_to_async(session_cookie_for)(alys)
    headers = [(b"host", b"localhost:8000"), (b"origin", b"https://cyd.example.org")]
    connected, client = await _socket(live.code, cookie=cookie, headers=headers)
    assert connected
    await client.close()


async def test_participant_can_connect_through_a_tls_proxy(live, join, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    alys, _ = await database_sync_to_async(join)("Alys")
    cookie = await database_sync_to_async(session_cookie_for)(alys)
    headers = [(b"host", b"localhost"), (b"origin", b"https://localhost"), (b"x-forwarded-proto", b"https")]
    connected, client = await _socket(live.code, cookie=cookie, headers=headers)
    assert connected
    await client.close()


async def test_visitor_cannot_keep_guessing_join_codes_over_sockets(live, join):
    from deliberation.throttle import JOIN_CODE_FAILURES as UNKNOWN_CODES_PER_WINDOW

    guesser = ("203.0.113.9", 40000)
    codes = []
    for n in range(UNKNOWN_CODES_PER_WINDOW + 2):
        connected, client = await _socket(f"ZZZ{n:03d}", client=guesser)
        assert connected
        codes.append((await client.comm.receive_output(timeout=5))["code"])
    assert codes[:UNKNOWN_CODES_PER_WINDOW] == [4403] * UNKNOWN_CODES_PER_WINDOW
    assert codes[-2:] == [4429, 4429]
    # Even a real code is refused to a stranger from that address now...
    connected, client = await _socket(live.code, client=guesser)
    assert (await client.comm.receive_output(timeout=5))["code"] == 4429
    # ...but people who joined (say, on the same venue wi-fi) and other addresses are not affected.
    alys, _ = await database_sync_to_async(join)("Alys")
    cookie = await database_sync_to_async(session_cookie_for)(alys)
    connected, client = await _socket(live.code, cookie=cookie, client=guesser)
    assert connected and (await client.receive())["type"] == "state"
    await client.close()
    connected, client = await _socket("ZZZ999", client=("198.51.100.7", 40000))
    assert (await client.comm.receive_output(timeout=5))["code"] == 4403


async def test_socket_task_ends_when_cancelled_even_if_the_layer_turns_cancellation_into_an_error():
    """redis-py reports a read cancelled mid-way as a TimeoutError: the retry loop must still let the task end
    (a socket closed by daphne, or a test's teardown, cancels it)."""
    import asyncio

    from deliberation.consumers import SessionConsumer

    async def receive():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError as exc:
            raise TimeoutError("Timeout reading from 127.0.0.1:6379") from exc

    consumer = SessionConsumer()
    consumer.channel_receive = receive
    task = asyncio.ensure_future(consumer.channel_receive())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
