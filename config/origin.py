"""The WebSocket Origin check: the page must be this site, scheme, host and port included.

Channels' AllowedHostsOriginValidator compares only the Origin's host with ALLOWED_HOSTS, so a page
on another port of the same host (`http://localhost:1`) could open sockets with a visitor's cookies.
Here, as Django's CSRF check does for forms, the Origin must equal `<scheme>://<Host header>` of the
socket's own request, or be listed in CSRF_TRUSTED_ORIGINS.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host


def _header(scope, name):
    """One request header as text (the last one if repeated), or None."""
    value = None
    for key, raw in scope.get("headers", []):
        if key.decode("latin-1").lower() == name:
            value = raw.decode("latin-1")
    return value


def _scheme(scope):
    """The page scheme the socket belongs to: https behind a TLS proxy that says so, as Django decides for HTTP."""
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        header, secure = proxy
        name = header.lower().removeprefix("http_").replace("_", "-")
        forwarded = _header(scope, name)
        if forwarded is not None:
            return "https" if forwarded.split(",")[0].strip() == secure else "http"
    return "https" if scope.get("scheme") in {"wss", "https"} else "http"


def _trusted(origin):
    """Whether CSRF_TRUSTED_ORIGINS lists the origin (exactly, or as `scheme://*.domain`)."""
    parts = urlsplit(origin)
    for trusted in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
        trusted = trusted.lower()
        if origin == trusted:
            return True
        wanted = urlsplit(trusted)
        if "*" in wanted.netloc and wanted.scheme == parts.scheme:
            suffix = wanted.netloc.split("*", 1)[1]
            if parts.netloc.endswith(suffix):
                return True
    return False


def origin_allowed(scope):
    """Whether the socket's Origin is the site that served the page (same scheme, host and port)."""
    origin = (_header(scope, "origin") or "").lower()
    if not origin or origin == "null":
        return False
    if _trusted(origin):
        return True
    host = (_header(scope, "host") or "").lower()
    if not host:
        # ASGI servers always pass Host; without one (an in-process test client) only an allowed host's
        # default port can match.
        domain = urlsplit(origin).hostname or ""
        return f"{urlsplit(origin).scheme}://{domain}" == origin and validate_host(domain, settings.ALLOWED_HOSTS)
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    return origin == f"{_scheme(scope)}://{host}"


class SameOriginValidator:
    """ASGI middleware refusing a WebSocket handshake from any other origin (see the module docstring)."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        """Refuse (close before accepting) unless the Origin is this site's."""
        if scope["type"] == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
