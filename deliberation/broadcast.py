"""The broadcast transport: the one place that sends committed events to connected sockets.

Everything goes through `broadcast()`, so a later change of transport (sharding groups, a
fan-out process) touches only this module. Delivery is best-effort by design: channel layers
drop messages when a channel is full and Redis forgets groups on restart; clients recover
through `sync` from the event log, which is the source of truth.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# Channel-layer message types are fixed here, never taken from client data (Channels dispatches on them).
EVENT_MESSAGE = "session.event"
PRESENCE_MESSAGE = "session.presence"


def group_name(session_id):
    """The channel-layer group of every socket on a session."""
    return f"cyd.session.{session_id}"


def _send(session_id, message):
    """Send one message to the session's group, logging (not raising) transport failures."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(session_id), message)
    except Exception:  # noqa: BLE001 - the event is committed; clients resync from the log
        logger.exception("broadcast to session %s failed", session_id)


def broadcast(session_id, event, audience):
    """Send a committed event (`{"type", "seq", "payload"}`) to every socket on the session."""
    _send(session_id, {"type": EVENT_MESSAGE, "event": event, "audience": audience})


async def abroadcast_presence(session_id, counts):
    """Send live presence counts (ephemeral, not logged) to every socket on the session."""
    layer = get_channel_layer()
    try:
        await layer.group_send(group_name(session_id), {"type": PRESENCE_MESSAGE, "counts": counts})
    except Exception:  # noqa: BLE001 - presence is advisory
        logger.exception("presence broadcast to session %s failed", session_id)
