"""Shared pytest fixtures: users, live sessions, participants and real-ASGI socket clients."""

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.utils import translation

from config.asgi import application
from deliberation import services
from deliberation.identity import remember_participant
from deliberation.models import LiveSession, Proposal, Round
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
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: throttle counts (deliberation/throttle.py) live there."""
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


THREE_TITLES = ("Bus", "Car share", "Cycle path")


@dataclass
class Ideas:
    """What `proposal_round` made: the proposal round, its proposals in order, and each proposal's author."""

    round: Round
    proposals: list[Proposal]
    authors: list[Actor]

    @property
    def ids(self) -> list[int]:
        """The proposals' ids, in the order they were written."""
        return [p.pk for p in self.proposals]


@dataclass
class OpenVote:
    """What `open_vote` made: the vote round (open, read back from the database) and the ideas it ranks."""

    round: Round
    ideas: Ideas

    @property
    def ids(self) -> list[int]:
        """The candidates' ids, in the order they were written."""
        return self.ideas.ids

    @property
    def authors(self) -> list[Actor]:
        """Each candidate's author."""
        return self.ideas.authors


@pytest.fixture
def proposal_round(live, fac_actor, join):
    """Open the `live` session's proposal round and write proposals in it; returns `Ideas`.

    `authors`: one name (that one walk-in writes them all), one Actor, or one name or Actor per title
    (each name is a new walk-in, joined when its proposal is written). `close=True` closes the round after.
    """

    def make(
        titles: Sequence[str] = THREE_TITLES, authors: str | Actor | Sequence[str | Actor] = "Author", *, close=False
    ) -> Ideas:
        ideas = rounds_of(live)["proposal"]
        services.round_open(actor=fac_actor, session=live, round_id=ideas.pk)
        if isinstance(authors, str | Actor):
            authors = [join(authors)[1] if isinstance(authors, str) else authors] * len(titles)
        made = Ideas(round=ideas, proposals=[], authors=[])
        for title, author in zip(titles, authors, strict=True):
            actor = join(author)[1] if isinstance(author, str) else author
            made.proposals.append(services.proposal_submit(actor=actor, session=live, round_id=ideas.pk, title=title))
            made.authors.append(actor)
        if close:
            services.round_close(actor=fac_actor, session=live, round_id=ideas.pk)
        return made

    return make


@pytest.fixture
def open_vote(live, fac_actor, proposal_round):
    """Run the proposal round (see `proposal_round`), close it, open the vote round on its proposals; returns `OpenVote`.

    `method` and `seats` are set on the vote round first (as saved, unchecked) when given; other keywords
    (`minutes`, `auto_close`) go to `services.round_open`.
    """

    def make(
        titles: Sequence[str] = THREE_TITLES,
        authors: str | Actor | Sequence[str | Actor] = "Author",
        *,
        method: str | None = None,
        seats: int | None = None,
        **open_options,
    ) -> OpenVote:
        ideas = proposal_round(titles, authors, close=True)
        vote = rounds_of(live)["vote"]
        if method is not None or seats is not None:
            Round.objects.filter(pk=vote.pk).update(method=method or vote.method, seats=seats or vote.seats)
        services.round_open(actor=fac_actor, session=live, round_id=vote.pk, **open_options)
        return OpenVote(round=Round.objects.get(pk=vote.pk), ideas=ideas)

    return make


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
        self.closed = False

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
        """Disconnect (once: the `connect` fixture closes at teardown whatever the test left open)."""
        if not self.closed:
            self.closed = True
            await self.comm.disconnect()


@pytest.fixture
async def connect(db):
    """Open sockets on a session as a participant or user, with an optional query string (`"key=…"`, `"lang=cy"`).

    Returns (connected, Client, first message); every socket it opened is closed at teardown.
    """
    opened = []

    async def do(code, participant=None, user=None, origin=ORIGIN, expect_state=True, query=""):
        cookie = await database_sync_to_async(session_cookie_for)(participant, user)
        headers = [(b"cookie", cookie)] + ([origin] if origin else [])
        path = f"/ws/sessions/{code}/" + (f"?{query}" if query else "")
        comm = WebsocketCommunicator(application, path, headers=headers)
        connected, _subprotocol = await comm.connect(timeout=5)
        client = Client(comm)
        opened.append(client)
        first = await client.receive() if connected and expect_state else None
        return connected, client, first

    yield do
    for client in opened:
        if not client.comm.future.done():
            await client.close()
