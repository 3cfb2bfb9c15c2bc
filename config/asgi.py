"""ASGI entry point: HTTP goes to Django, WebSockets to the deliberation consumers."""

import os
from functools import partial

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django_asgi_app = get_asgi_application()

# Imported after Django is set up: routing pulls in models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

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
    if unsent_bytes_of(send) is None or not hasattr(protocol, "STATE_OPEN"):
        return None

    def write(frame):
        if protocol.state == protocol.STATE_OPEN:
            protocol.transport.write(frame)

    return write


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
            "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        }
    )
)
