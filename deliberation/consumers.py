"""A thin relay between a WebSocket and the protocol/services: parse, ask, delegate, reply."""

import asyncio
import json
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from deliberation import protocol, rules, selectors, services
from deliberation.broadcast import abroadcast_presence, group_name
from deliberation.errors import ServiceError
from deliberation.identity import participant_id_from_session, presenter_session_id
from deliberation.models import LiveSession, Participant
from deliberation.rules import Actor

# Per-connection flood control: a token bucket (burst, then a steady rate).
BUCKET_SIZE = 20
REFILL_PER_SECOND = 5.0
REJOIN_SECONDS = 10  # re-add to the group now and then: Redis forgets groups when it restarts
PRESENCE_DELAY = 0.5  # coalesce presence updates: at most two a second per process and session
_presence_pending = {}


def _query(scope, name):
    """One value from the socket's query string."""
    return parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name, [None])[0]


def _presenter_for(scope):
    """The session a presenter key in the socket's query string (`?key=...`) was made for."""
    return presenter_session_id(_query(scope, "key"))


def _language(scope):
    """The page's language (`?lang=cy`), else the remembered one, for translated error messages."""
    from django.conf import settings
    from django.utils.translation import check_for_language

    cookies = scope.get("cookies") or {}
    for code in (_query(scope, "lang"), cookies.get(settings.LANGUAGE_COOKIE_NAME)):
        if code and code in dict(settings.LANGUAGES) and check_for_language(code):
            return code
    return settings.LANGUAGE_CODE


def _actor_for(scope, participant_id):
    """Build the actor from the socket's user, participant (fresh from the database) and presenter key."""
    participant = Participant.objects.filter(pk=participant_id).first() if participant_id else None
    return Actor(user=scope.get("user"), participant=participant, presenter_for=_presenter_for(scope))


def _connect(scope, code):
    """Look up the session and the viewer's role, and the first state message."""
    participant_id = participant_id_from_session(scope.get("session"), code)
    actor = _actor_for(scope, participant_id)
    info = selectors.connect_info(code, actor)
    if info is None or not info["allowed"]:
        return None
    session = LiveSession(pk=info["session_id"])
    info["participant_id"] = actor.participant.pk if actor.participant else None
    info["state"] = selectors.session_state(session, actor)
    return info


def _role(scope, session_id, participant_id):
    """Re-read the viewer's role (roles can change while the socket is open)."""
    actor = _actor_for(scope, participant_id)
    return rules.can(actor, rules.VIEW_FACILITATOR_DATA, LiveSession(pk=session_id))


class SessionConsumer(AsyncWebsocketConsumer):
    """One participant's or facilitator's socket on a live session."""

    async def connect(self):
        """Accept viewers who joined (or facilitate); send them the full state."""
        self.code = self.scope["url_route"]["kwargs"]["code"].upper()
        self.session_id = None
        self.language = _language(self.scope)
        # Accept first: under load the lookups below can outlast the server's handshake timeout.
        await self.accept()
        info = await database_sync_to_async(_connect)(self.scope, self.code)
        if info is None:
            await self.close(code=4403)
            return
        self.session_id = info["session_id"]
        self.participant_id = info["participant_id"]
        self.facilitator = info["facilitator"]
        self.tokens, self.refilled = float(BUCKET_SIZE), time.monotonic()
        await self._join_group()
        await self.send(text_data=json.dumps(info["state"]))
        self.counted = self.facilitator or self.participant_id is not None  # a room screen is not a person
        if self.counted:
            await database_sync_to_async(services.presence_enter)(
                session_id=self.session_id, channel_name=self.channel_name, facilitator=self.facilitator
            )
            self._schedule_presence()

    async def disconnect(self, code):
        """Leave the group and the presence count."""
        if self.session_id is None:
            return
        await self.channel_layer.group_discard(group_name(self.session_id), self.channel_name)
        if self.counted:
            await database_sync_to_async(services.presence_leave)(channel_name=self.channel_name)
            self._schedule_presence()

    async def _join_group(self):
        """Join (or re-join) the session's broadcast group."""
        await self.channel_layer.group_add(group_name(self.session_id), self.channel_name)
        self.joined_at = time.monotonic()

    def _take_token(self):
        """Refill and take one token; False when the connection is flooding."""
        now = time.monotonic()
        self.tokens = min(BUCKET_SIZE, self.tokens + (now - self.refilled) * REFILL_PER_SECOND)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def receive(self, text_data=None, bytes_data=None):
        """Answer every frame with exactly one reply."""
        if bytes_data is not None:
            await self._reply(ServiceError("bad_frame").as_reply(None))
            return
        if not self._take_token():
            await self._reply(ServiceError("rate_limited").as_reply(protocol.ref_of(text_data)))
            return
        replies = await database_sync_to_async(protocol.handle)(
            session_id=self.session_id,
            user=self.scope.get("user"),
            participant_id=self.participant_id,
            channel_name=self.channel_name,
            text=text_data,
            language=self.language,
        )
        for reply in replies:
            await self._reply(reply)
        if time.monotonic() - self.joined_at >= REJOIN_SECONDS:
            await self._join_group()
        # Roles can change mid-session: every acted-on message re-reads the role for broadcasts.
        self.facilitator = await database_sync_to_async(_role)(self.scope, self.session_id, self.participant_id)

    async def _reply(self, message):
        await self.send(text_data=json.dumps(message))

    async def session_event(self, message):
        """Relay a committed event (facilitator-only events become `skip` for others)."""
        event = selectors.event_for_viewer(message["event"], message["audience"], self.facilitator)
        await self.send(text_data=json.dumps(event))

    async def session_presence(self, message):
        """Relay live presence counts."""
        await self.send(text_data=json.dumps({"type": "presence", "payload": message["counts"]}))

    def _schedule_presence(self):
        """Send presence counts soon, once for a burst of joins and leaves."""
        session_id = self.session_id
        if session_id in _presence_pending:
            return

        async def later():
            await asyncio.sleep(PRESENCE_DELAY)
            _presence_pending.pop(session_id, None)
            counts = await database_sync_to_async(selectors.presence_counts)(session_id)
            await abroadcast_presence(session_id, counts)

        _presence_pending[session_id] = asyncio.ensure_future(later())
