"""The broadcast transport: the one place that sends committed events to connected sockets.

Everything goes through `broadcast()`: each event is serialised here once and sent once to the session's
channel-layer group, whose members are one hub channel per server process (deliberation/fanout.py writes it to
that process's sockets). Delivery is best-effort by design: channel layers drop messages when a channel is full
and Redis forgets groups on restart; clients recover through `sync` from the event log, the source of truth.
"""

import hashlib
import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from deliberation.models import Event

logger = logging.getLogger(__name__)

# Channel-layer message types are fixed here, never taken from client data (Channels dispatches on them).
EVENT_MESSAGE = "session.event"
PRESENCE_MESSAGE = "session.presence"
SIGNED_OUT_MESSAGE = "user.signed_out"


def group_name(session_id):
    """The channel-layer group of a session: one hub channel per server process with sockets on it."""
    return f"cyd.session.{session_id}"


def user_group_name(user_id):
    """The channel-layer group of every socket of a signed-in user."""
    return f"cyd.user.{user_id}"


def session_digest(session_key):
    """A browser session's key as it travels through the channel layer: hashed, never the key itself."""
    return hashlib.sha256(f"cyd.socket.{session_key}".encode()).hexdigest() if session_key else None


def _group_send(group, message):
    """Send one message to a group, logging (not raising) transport failures."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # noqa: BLE001 - the event is committed; clients resync from the log
        logger.exception("broadcast to %s failed", group)


def broadcast(session_id, event, audience):
    """Send a committed event (`{"type", "seq", "payload"}`, serialised once) to the session's sockets of its audience."""
    _group_send(group_name(session_id), {"type": EVENT_MESSAGE, "text": json.dumps(event), "audience": audience})


async def abroadcast_presence(session_id, counts):
    """Send live presence counts (ephemeral, not logged) to every socket on the session."""
    layer = get_channel_layer()
    text = json.dumps({"type": "presence", "payload": counts})
    try:
        await layer.group_send(group_name(session_id), {"type": PRESENCE_MESSAGE, "text": text, "audience": Event.Audience.ALL})
    except Exception:  # noqa: BLE001 - presence is advisory
        logger.exception("presence broadcast to session %s failed", session_id)


@receiver(user_logged_out, dispatch_uid="cyd.close_sockets_on_sign_out")
def close_sockets_on_sign_out(sender, request, user, **kwargs):
    """Close the sockets of the browser that signed out: they were opened with the user's rights."""
    session = getattr(request, "session", None)
    if user is None or session is None or not session.session_key:
        return
    _group_send(user_group_name(user.pk), {"type": SIGNED_OUT_MESSAGE, "session": session_digest(session.session_key)})


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="cyd.close_sockets_on_deactivation")
def close_sockets_on_deactivation(sender, instance, **kwargs):
    """Close every socket of a user who was deactivated (in any browser): they had the user's rights."""
    if not instance.is_active:
        message = {"type": SIGNED_OUT_MESSAGE, "session": None}
        transaction.on_commit(lambda: _group_send(user_group_name(instance.pk), message))
