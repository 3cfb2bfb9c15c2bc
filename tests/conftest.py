"""Shared pytest fixtures: users, live sessions, participants and real-ASGI socket clients."""

import json
import os

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from deliberation import services
from deliberation.identity import remember_participant
from deliberation.models import LiveSession, Round
from deliberation.rules import Actor

ORIGIN = (b"origin", b"http://testserver")


def pytest_collection_modifyitems(config, items):
    """Browser tests are required in CI and skipped elsewhere when Chromium is missing."""
    if os.path.exists("/usr/bin/chromium") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="Debian chromium is not installed (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a Welsh request or socket earlier in the thread must not leak."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: throttle counts (deliberation/throttle.py) live there."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    """Create a plain (non-superuser) user."""

    def make(username, **extra):
        return get_user_model().objects.create_user(username=username, password="pw-" + username, **extra)

    return make


@pytest.fixture
def facilitator(make_user):
    """A facilitator: a plain user, facilitating the `live` session."""
    return make_user("fac")


@pytest.fixture
def live(db, facilitator):
    """A live session with a proposal, a comment and a vote round (all drafts)."""
    session = LiveSession.objects.create(title="Rural transport", code="K7MP4Q")
    session.facilitators.add(facilitator)
    Round.objects.create(session=session, kind="proposal", title="Ideas", position=1)
    Round.objects.create(session=session, kind="comment", title="Discuss", position=2)
    Round.objects.create(session=session, kind="vote", title="Decide", position=3, method="irv")
    return session


def rounds_of(session):
    """The session's rounds keyed by kind."""
    return {r.kind: r for r in session.rounds.all()}


@pytest.fixture
def fac_actor(facilitator):
    """The facilitator as an actor."""
    return Actor(user=facilitator)


@pytest.fixture
def join(live):
    """Join the live session as a new walk-in participant; returns (participant, actor)."""

    def do(name="", session=None):
        target = session or live
        participant = services.participant_join(session=target, display_name=name)
        return participant, Actor(participant=participant)

    return do


def session_cookie_for(participant=None, user=None):
    """A Django session (saved) that holds a participant identity and/or a signed-in user."""
    store = SessionStore()
    if participant is not None:
        remember_participant(store, participant.session.code, participant.pk)
    if user is not None:
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
    store.save()
    return f"sessionid={store.session_key}".encode()


class Client:
    """A socket client through the real ASGI application, with helpers for the protocol."""

    def __init__(self, communicator):
        self.comm = communicator
        self.n = 0

    async def send(self, kind, payload=None, ref=None):
        """Send a protocol message and return its reply (skipping broadcast events)."""
        self.n += 1
        ref = ref or f"r{self.n}"
        await self.comm.send_to(text_data=json.dumps({"type": kind, "ref": ref, "payload": payload or {}}))
        return await self.reply(ref)

    async def send_raw(self, text=None, data=None):
        """Send a raw frame."""
        message = {"type": "websocket.receive"}
        message |= {"bytes": data} if data is not None else {"text": text}
        await self.comm.send_input(message)

    async def reply(self, ref=None, timeout=5):
        """Wait for the ack/error for `ref` (any ack/error when None), discarding other messages."""
        while True:
            message = await self.receive(timeout)
            if message["type"] in {"ack", "error"} and (ref is None or message.get("ref") == ref):
                return message

    async def receive(self, timeout=5):
        """The next message."""
        return json.loads(await self.comm.receive_from(timeout=timeout))

    async def event(self, kind, timeout=5):
        """Wait for the next event of a type, discarding others."""
        while True:
            message = await self.receive(timeout)
            if message["type"] == kind:
                return message

    async def close(self):
        """Disconnect."""
        await self.comm.disconnect()


@pytest.fixture
def connect():
    """Open a socket on a session as a participant or user; returns (connected, Client, first message)."""
    from config.asgi import application

    opened = []

    async def do(code, participant=None, user=None, origin=ORIGIN, expect_state=True):
        from channels.db import database_sync_to_async

        cookie = await database_sync_to_async(session_cookie_for)(participant, user)
        headers = [(b"cookie", cookie)] + ([origin] if origin else [])
        comm = WebsocketCommunicator(application, f"/ws/sessions/{code}/", headers=headers)
        connected, subprotocol = await comm.connect(timeout=5)
        client = Client(comm)
        opened.append(client)
        first = await client.receive() if connected and expect_state else None
        return connected, client, first

    yield do
