"""A thin relay between a WebSocket and the protocol/services: parse, ask, delegate, reply."""

import json
import logging
import time
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import check_for_language

from deliberation import fanout, protocol, rules, scheduler, selectors, throttle
from deliberation.broadcast import session_digest, user_group_name
from deliberation.errors import ServiceError
from deliberation.identity import participant_id_from_session
from deliberation.models import LiveSession

logger = logging.getLogger(__name__)

# Per-connection flood control: a token bucket (burst, then a steady rate).
BUCKET_SIZE = 20
REFILL_PER_SECOND = 5.0

# Close codes (docs/protocol.md).
CLOSE_SIGNED_OUT = 4401
CLOSE_REFUSED = 4403
CLOSE_TOO_MANY_GUESSES = 4429
CLOSE_TRY_AGAIN = 1013  # a dependency (the database) failed: the client retries with backoff


def _query(scope, name):
    """One value from the socket's query string."""
    return parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name, [None])[0]


def _language(scope):
    """The page's language (`?lang=cy`), else the remembered one, for translated error messages."""
    cookies = scope.get("cookies") or {}
    for code in (_query(scope, "lang"), cookies.get(settings.LANGUAGE_COOKIE_NAME)):
        if code and code in dict(settings.LANGUAGES) and check_for_language(code):
            return code
    return settings.LANGUAGE_CODE


def _current_user(scope):
    """The socket's user as the database says now: anonymous once signed out, deactivated or re-passworded."""
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return user
    key = getattr(scope.get("session"), "session_key", None)
    if not key:
        return AnonymousUser()
    # A fresh read of the browser's session (the scope's copy is from the handshake), checked as Django checks a request.
    fresh = get_user(SimpleNamespace(session=import_module(settings.SESSION_ENGINE).SessionStore(key)))
    return fresh if fresh.is_authenticated and fresh.pk == user.pk else AnonymousUser()


def _actor(scope, user, participant_id, session_id=None):
    """The socket's actor: the user, the participant (fresh from the database) and the room-screen key (`?key=...`)."""
    return rules.actor_for(user=user, session_id=session_id, participant_id=participant_id, presenter_key=_query(scope, "key"))


def _address(scope):
    """The client's address (daphne puts the proxy's X-Forwarded-For there when told to)."""
    client = scope.get("client") or ()
    return client[0] if client and client[0] else "unknown"


def _connect(scope, code):
    """Look up the session, the viewer's role and the first state message; or the close code refusing them."""
    user = scope.get("user")
    participant_id = participant_id_from_session(scope.get("session"), code)
    actor = _actor(scope, user, participant_id)  # the session is not known yet: only its code
    # Join-code guessing: an address over its budget of wrong codes (shared with the HTTP join form) may
    # still open sessions it joined or facilitates, so a venue's shared wi-fi keeps working.
    guesses = throttle.join_code_scope(_address(scope))
    known = participant_id is not None or (user is not None and user.is_authenticated) or actor.presenter_for is not None
    if not known and not throttle.allow(guesses, throttle.JOIN_CODE_FAILURES, throttle.JOIN_CODE_WINDOW):
        return {"refused": CLOSE_TOO_MANY_GUESSES}
    info = selectors.connect_info(code, actor)
    if info is None:
        throttle.fail(guesses, throttle.JOIN_CODE_WINDOW)
        return {"refused": CLOSE_REFUSED}
    if not info["allowed"]:
        return {"refused": CLOSE_REFUSED}
    session = LiveSession(pk=info["session_id"])
    info["participant_id"] = actor.participant.pk if actor.participant else None
    info["user_id"] = user.pk if user is not None and user.is_authenticated else None
    info["state"] = selectors.session_state(session, actor)
    return info


def _act(scope, session_id, participant_id, text, language):
    """Handle one frame as the viewer is now (read once from the database); return (replies, facilitator, allowed)."""
    actor = _actor(scope, _current_user(scope), participant_id, session_id)
    replies = protocol.handle(
        session_id=session_id,
        user=actor.user,
        participant_id=participant_id,
        text=text,
        language=language,
        actor=actor,
    )
    # Roles can change mid-session: every message re-checks the audience of the events this socket gets, and whether
    # the viewer may still watch at all (a rotated room-screen key, a session ended, a participant no longer admitted).
    session = LiveSession(pk=session_id)
    return replies, rules.can(actor, rules.VIEW_FACILITATOR_DATA, session), rules.can(actor, rules.VIEW_SESSION, session)


class SessionConsumer(AsyncWebsocketConsumer):
    """One participant's or facilitator's socket on a live session."""

    session_id = None  # set once the viewer is accepted; until then frames are not read

    async def dispatch(self, message):
        """Run the message's handler, without Channels' `aclose_old_connections()` before each one.

        That call is a trip to the one thread that runs synchronous code, so under load every handshake and frame
        queued behind every HTTP view and database call before it even started. Every database call here goes
        through `database_sync_to_async`, which closes stale connections itself before and after.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    @property
    def channel_receive(self):
        """Read this socket's own channel (only the user's group sends to it: sign-out); it outlives a layer outage."""
        return self._channel_receive

    @channel_receive.setter
    def channel_receive(self, receive):
        # Channels ends the consumer when reading the layer raises; here a failed read waits and tries again.
        self._channel_receive = fanout.keep_receiving(receive, "a socket")

    async def connect(self):
        """Accept viewers who joined (or facilitate); send them the full state."""
        self.code = self.scope["url_route"]["kwargs"]["code"].upper()
        self.language = _language(self.scope)
        # Accept first: under load the lookups below can outlast the server's handshake timeout.
        await self.accept()
        try:
            info = await database_sync_to_async(_connect)(self.scope, self.code)
        except Exception:  # noqa: BLE001 - the database is down: say "try again later", the client retries
            logger.exception("socket connect to %s failed", self.code)
            info = {"refused": CLOSE_TRY_AGAIN}
        if "refused" in info:
            await self.close(code=info["refused"])
            return
        self.participant_id = info["participant_id"]
        self.user_id = info["user_id"]
        self.session_digest = session_digest(getattr(self.scope.get("session"), "session_key", None))
        self.tokens, self.refilled = float(BUCKET_SIZE), time.monotonic()
        self.joined_at = None
        self.session_id = info["session_id"]
        # Events reach this socket through its process's hub for the session (held back until the state is sent).
        self.lane = fanout.Lane(
            self._send_text, self.scope.get("cyd.unsent_bytes"), info["facilitator"], self.scope.get("cyd.write_frame")
        )
        if info["facilitator"] or self.participant_id is not None:  # a room screen is not a person
            self.lane.presence = {
                "channel_name": self.channel_name,
                "facilitator": info["facilitator"],
                "participant_id": self.participant_id,
                "user_id": self.user_id,
            }
        await fanout.attach(self.session_id, self.lane)
        await self._join_user_group()
        await self.send(text_data=json.dumps(info["state"]))
        await self.lane.release()
        scheduler.process_clock_enter()

    async def disconnect(self, code):
        """Leave the hub (and with it the presence count) and the user's group."""
        if self.session_id is None:
            return
        scheduler.process_clock_leave()
        if self.user_id:  # layer calls first: the hub's last presence write may wait for the database
            try:
                await self.channel_layer.group_discard(user_group_name(self.user_id), self.channel_name)
            except Exception:  # noqa: BLE001 - the layer forgets the channel by itself (expiry)
                logger.warning("leaving the group of user %s failed", self.user_id, exc_info=True)
        await fanout.detach(self.session_id, self.lane)

    async def _join_user_group(self):
        """Join (or re-join) the signed-in user's group, so signing out closes this socket; walk-ins join no group."""
        if not self.user_id:
            return
        try:
            await self.channel_layer.group_add(user_group_name(self.user_id), self.channel_name)
        except Exception:  # noqa: BLE001 - with the layer down the socket stays up; the next message tries again
            logger.warning("joining the group of user %s failed", self.user_id, exc_info=True)
            return
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
        """Answer every frame with exactly one reply (cheap refusals first: nothing oversized is parsed)."""
        if self.session_id is None:
            return  # not (or not yet) a viewer: the socket is being closed with the reason
        if bytes_data is not None or text_data is None:
            await self._reply(ServiceError("bad_frame").as_reply(None))
            return
        if not self._take_token():
            await self._reply(ServiceError("rate_limited").as_reply(protocol.ref_of(text_data)))
            return
        if len(text_data) > protocol.MAX_FRAME_BYTES:  # characters <= UTF-8 bytes: surely too large
            await self._reply(ServiceError("too_large").as_reply(None))
            return
        self.lane.hold()  # events (those this frame causes too) go out after its reply, as before
        try:
            try:
                replies, self.lane.facilitator, allowed = await database_sync_to_async(_act)(
                    self.scope, self.session_id, self.participant_id, text_data, self.language
                )
            except Exception:  # noqa: BLE001 - exactly one reply per message, even with the database down
                logger.exception("message failed on session %s", self.session_id)
                replies, allowed = [ServiceError("server_error").as_reply(protocol.ref_of(text_data))], True
            for reply in replies:
                await self._reply(reply)
        finally:
            await self.lane.release()
        if not allowed:
            await self.close(code=CLOSE_REFUSED)
            return
        await fanout.ensure_joined(self.session_id)  # the layer is back after an outage: hear events again at once
        if self.joined_at is None or time.monotonic() - self.joined_at >= fanout.REJOIN_SECONDS:
            await self._join_user_group()

    async def _reply(self, message):
        await self.send(text_data=json.dumps(message))

    async def _send_text(self, text):
        """Write an event (already serialised by the broadcast) to this socket."""
        await self.send(text_data=text)

    async def user_signed_out(self, message):
        """Close this socket when its browser signed out (in another tab), or when the user was deactivated (all)."""
        if message.get("session") is None or message["session"] == self.session_digest:
            await self.close(code=CLOSE_SIGNED_OUT)
