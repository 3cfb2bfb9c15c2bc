"""ASGI entry point: HTTP goes to Django, WebSockets to the deliberation consumers."""

import os
from functools import partial
from types import SimpleNamespace

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django_asgi_app = get_asgi_application()

# Imported after Django is set up: routing pulls in models.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402
from django.contrib.auth import get_user  # noqa: E402
from django.utils.functional import SimpleLazyObject  # noqa: E402

from config.origin import SameOriginValidator  # noqa: E402
from deliberation.routing import websocket_urlpatterns  # noqa: E402


def unsent_bytes_of(send):
    """A callable giving the bytes daphne has accepted for this socket but not yet written to it; None elsewhere.

    Under daphne, `send` is `partial(Server.handle_reply, protocol)` and the protocol's Twisted transport keeps what
    the kernel would not take yet in `dataBuffer` (from `offset`) plus `_tempDataLen`. Anything else (another server,
    a TLS transport, ApplicationCommunicator in tests) has no such buffer to read: the fan-out then counts 0.
    """
    protocol = send.args[0] if isinstance(send, partial) and send.args else None
    transport = getattr(protocol, "transport", None)
    if not all(hasattr(transport, name) for name in ("dataBuffer", "offset", "_tempDataLen")):
        return None

    def unsent():
        return len(transport.dataBuffer) - transport.offset + transport._tempDataLen

    return unsent


def frame_writer_of(send):
    """A callable writing a ready-made WebSocket frame straight to this socket under daphne; None elsewhere.

    A server's frames are not masked, so one event's frame is the same bytes for every socket: the fan-out builds it
    once (deliberation/fanout.py `text_frame`) and hands it to each transport, instead of each socket going through
    Channels, daphne and autobahn to frame the same text again. daphne does not negotiate compression, so the frame
    is what autobahn would have written; writes happen on the event loop's thread, so frames never interleave.
    """
    protocol = send.args[0] if isinstance(send, partial) and send.args else None
    unsent = unsent_bytes_of(send)
    transport = getattr(protocol, "transport", None)
    if unsent is None or not hasattr(protocol, "STATE_OPEN") or not hasattr(transport, "writeSomeData"):
        return None

    def write(frame):
        if protocol.state != protocol.STATE_OPEN:
            return
        # As asyncio's transports do: with nothing queued, hand the frame to the kernel now (one send), and queue only
        # what it did not take. Twisted's write() always queues and registers for writability first (two more epoll
        # calls per frame: most of the server's time with thousands of sockets). Its own writeSomeData does the send.
        if unsent() == 0 and not getattr(transport, "TLS", False) and transport.connected and not transport.disconnecting:
            sent = transport.writeSomeData(frame)
            if isinstance(sent, int):
                if sent == len(frame):
                    return
                frame = frame[sent:]
        transport.write(frame)  # the rest; or, after a failed send, Twisted finds the lost connection as it always does

    return write


class LazyUser:
    """`scope["user"]`, read from the browser's session the first time synchronous code asks for it.

    Channels' AuthMiddleware reads the user before the consumer starts, in its own trip to the one thread that runs
    synchronous code (where every HTTP view and database call queues too): in a connect storm each handshake waited
    for that queue. Here the consumer's single database call at connect reads it instead (deliberation/consumers.py),
    the same way Django's request.user does (django.contrib.auth.get_user: session hash checked, backend's user).
    """

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        session = scope["session"]
        user = SimpleLazyObject(lambda: get_user(SimpleNamespace(session=session)))
        return await self.inner(dict(scope, user=user), receive, send)


class SocketBacklog:
    """Outermost ASGI wrapper: WebSocket scopes get `cyd.unsent_bytes` (deliberation/fanout.py bounds each socket's buffer)
    and `cyd.write_frame` (it writes each event's one frame to every socket)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            scope = dict(scope, **{"cyd.unsent_bytes": unsent_bytes_of(send), "cyd.write_frame": frame_writer_of(send)})
        return await self.inner(scope, receive, send)


application = SocketBacklog(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            # The Origin must be this site, port included (or a CSRF-trusted origin): see config/origin.py.
            "websocket": SameOriginValidator(SessionMiddlewareStack(LazyUser(URLRouter(websocket_urlpatterns)))),
        }
    )
)
