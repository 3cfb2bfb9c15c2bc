"""HTTP security of the live module: redirects, presenter keys and join-code guessing."""

import json
import re
from urllib.parse import unquote

import pytest
from channels.db import database_sync_to_async

from deliberation import services
from deliberation.errors import ServiceError
from deliberation.identity import presenter_key
from deliberation.models import Event, LiveSession
from deliberation.throttle import JOIN_CODE_FAILURES
from tests.conftest import rounds_of


@pytest.mark.parametrize("target", ["//evil.example/path", "https://evil.example/", "/\\evil.example/", "///evil.example"])
def test_visitor_cannot_be_sent_off_site_by_the_act_form(client, live, target):
    client.post(f"/en/s/{live.code}/", {"name": "Alys"})
    response = client.post(f"/en/s/{live.code}/act/", {"action": "participant.rename", "name": "Bea", "next": target})
    assert response.status_code == 302
    assert response["Location"] == f"/en/s/{live.code}/"


def test_facilitator_can_be_sent_back_to_the_console_by_the_act_form(client, live, facilitator):
    client.force_login(facilitator)
    back = f"/en/s/{live.code}/facilitate/#paper-heading"
    response = client.post(
        f"/en/s/{live.code}/act/", {"action": "round.close", "round": rounds_of(live)["vote"].pk, "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back


@pytest.mark.parametrize("target", ["//evil.example/path", "https://evil.example/"])
def test_visitor_cannot_be_sent_off_site_by_the_language_switch(client, target):
    response = client.get(f"/language/cy/?next={target}")
    assert response.status_code == 302 and response["Location"] == "/cy/"


def test_facilitator_cannot_be_sent_off_site_after_signing_in(client, facilitator):
    response = client.post("/en/accounts/login/", {"username": "fac", "password": "pw-fac", "next": "//evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/en/sessions/"


# --- L6: presenter keys end with the session and can be rotated ------------------------------


def _console_key(client, live):
    """The presenter key in the facilitator console's "Open the presenter screen" link."""
    console = client.get(f"/en/s/{live.code}/facilitate/").content.decode()
    return unquote(re.search(r'/present/\?key=([^"]+)"', console).group(1))


def test_room_screen_cannot_watch_live_with_the_key_of_an_ended_session(client, live, facilitator, fac_actor):
    client.force_login(facilitator)
    key = _console_key(client, live)
    assert client.get(f"/en/s/{live.code}/present/?key={key}").content.decode().count(f'data-key="{key}"') == 1
    services.session_end(actor=fac_actor, session=live)
    assert 'data-key=""' in client.get(f"/en/s/{live.code}/present/?key={key}").content.decode()


def test_facilitator_can_rotate_the_room_screen_key_and_the_old_one_stops_working(client, live, facilitator):
    client.force_login(facilitator)
    old = _console_key(client, live)
    response = client.post(
        f"/en/s/{live.code}/act/",
        {"action": "session.rotate_presenter_key", "next": f"/en/s/{live.code}/facilitate/"},
        follow=True,
    )
    assert "New room-screen link made" in response.content.decode()
    new = _console_key(client, live)
    assert new != old
    assert 'data-key=""' in client.get(f"/en/s/{live.code}/present/?key={old}").content.decode()
    assert f'data-key="{new}"' in client.get(f"/en/s/{live.code}/present/?key={new}").content.decode()
    event = Event.objects.get(session=live, type="session.presenter_key_rotated")
    assert event.audience == Event.Audience.FACILITATORS and event.actor_user_id == facilitator.pk


def test_participant_cannot_rotate_the_room_screen_key(live, join):
    _p, alys = join("Alys")
    with pytest.raises(ServiceError) as refused:
        services.session_rotate_presenter_key(actor=alys, session=live)
    assert refused.value.code == "forbidden"
    live.refresh_from_db()
    assert live.presenter_key_version == 1


async def _screen_connects(connect, live, key):
    """Whether a room screen's socket with `key` is let in (state first) or refused (4403)."""
    connected, screen, _ = await connect(live.code, expect_state=False, query=f"key={key}")
    assert connected  # accepted first, then refused after the lookups
    output = await screen.comm.receive_output(timeout=5)
    await screen.close()
    if output["type"] == "websocket.close":
        assert output["code"] == 4403
        return False
    return output["type"] == "websocket.send" and '"type": "state"' in output["text"]


@pytest.mark.django_db(transaction=True)
async def test_room_screen_socket_is_refused_with_an_ended_or_rotated_key(live, fac_actor, connect):
    async def key_now():
        return await database_sync_to_async(lambda: presenter_key(LiveSession.objects.get(pk=live.pk)))()

    old = await key_now()
    assert await _screen_connects(connect, live, old)
    await database_sync_to_async(services.session_rotate_presenter_key)(actor=fac_actor, session=live)
    new = await key_now()
    assert not await _screen_connects(connect, live, old)
    assert await _screen_connects(connect, live, new)
    await database_sync_to_async(services.session_end)(actor=fac_actor, session=live)
    assert not await _screen_connects(connect, live, new)


@pytest.mark.django_db(transaction=True)
async def test_room_screen_already_watching_is_cut_off_when_the_key_is_rotated(live, fac_actor, connect):
    """An open room screen with the old key stops at its next message (its keep-alive ping), not only on reconnect."""
    key = await database_sync_to_async(lambda: presenter_key(LiveSession.objects.get(pk=live.pk)))()
    _, screen, first = await connect(live.code, query=f"key={key}")
    assert first["type"] == "state"
    await database_sync_to_async(services.session_rotate_presenter_key)(actor=fac_actor, session=live)
    await screen.send_raw(text=json.dumps({"type": "ping", "ref": "p1"}))
    while True:
        output = await screen.comm.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == 4403
    await screen.close()


# --- L7: join-code guessing over HTTP is throttled per address --------------------------------

GUESSER = "203.0.113.9"
NEIGHBOUR = "198.51.100.7"


def test_visitor_cannot_keep_guessing_join_codes_on_the_join_form(client, live):
    for n in range(JOIN_CODE_FAILURES):
        wrong = client.post("/en/join/", {"code": f"ZZZ{n:03d}"}, REMOTE_ADDR=GUESSER)
        assert wrong.status_code == 200 and "No session has that code" in wrong.content.decode()
    refused = client.post("/en/join/", {"code": "ZZZ999"}, REMOTE_ADDR=GUESSER)
    assert refused.status_code == 429 and "Too many join codes" in refused.content.decode()
    # A right guess from that address is refused the same way, so guessing on learns nothing...
    assert client.post("/en/join/", {"code": live.code}, REMOTE_ADDR=GUESSER).status_code == 429
    # ...while another address joins as usual.
    assert client.post("/en/join/", {"code": live.code}, REMOTE_ADDR=NEIGHBOUR).status_code == 302


def test_visitor_cannot_keep_guessing_codes_in_session_links(client, live, facilitator):
    for n in range(JOIN_CODE_FAILURES):
        assert client.get(f"/en/s/ZZZ{n:03d}/", REMOTE_ADDR=GUESSER).status_code == 404
    for path in ["/en/s/ZZZ999/", f"/en/s/{live.code}/", f"/en/s/{live.code}/present/", f"/en/s/{live.code}/qr.svg"]:
        refused = client.get(path, REMOTE_ADDR=GUESSER)
        assert refused.status_code == 429, path
    assert "Too many join codes" in client.get(f"/en/s/{live.code}/", REMOTE_ADDR=GUESSER).content.decode()
    assert client.get(f"/en/s/{live.code}/", REMOTE_ADDR=NEIGHBOUR).status_code == 200
    client.force_login(facilitator)  # a signed-in facilitator on the venue's wi-fi still runs the session
    assert client.get(f"/en/s/{live.code}/facilitate/", REMOTE_ADDR=GUESSER).status_code == 200


def test_participant_who_joined_is_not_blocked_by_guessing_from_the_same_address(client, live):
    client.post(f"/en/s/{live.code}/", {"name": "Alys"}, REMOTE_ADDR=GUESSER)
    for n in range(JOIN_CODE_FAILURES + 1):
        client.get(f"/en/s/ZZZ{n:03d}/", REMOTE_ADDR=GUESSER)
    page = client.get(f"/en/s/{live.code}/", REMOTE_ADDR=GUESSER)
    assert page.status_code == 200 and 'id="live"' in page.content.decode()


def test_visitor_can_join_after_many_right_codes_and_a_few_typos(client, live):
    for _ in range(3 * JOIN_CODE_FAILURES):  # a hall of people joining from one address: never counted
        assert client.post("/en/join/", {"code": live.code}, REMOTE_ADDR=GUESSER).status_code == 302
    for n in range(JOIN_CODE_FAILURES - 1):
        client.post("/en/join/", {"code": f"ZZZ{n:03d}"}, REMOTE_ADDR=GUESSER)
    assert client.post("/en/join/", {"code": live.code}, REMOTE_ADDR=GUESSER).status_code == 302
    assert client.get(f"/en/s/{live.code}/results/999/", REMOTE_ADDR=GUESSER).status_code == 404  # a real code
    assert client.post("/en/join/", {"code": live.code}, REMOTE_ADDR=GUESSER).status_code == 302


def test_visitor_can_still_join_when_the_throttle_cache_is_down(client, live, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    assert client.post("/en/join/", {"code": "ZZZ000"}).status_code == 200
    assert client.post("/en/join/", {"code": live.code}).status_code == 302
    assert client.get("/en/s/ZZZ000/").status_code == 404
