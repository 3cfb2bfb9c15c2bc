"""Site-wide views: health check, language switch and error pages."""

import asyncio
import sys
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# A health check answers within about this many seconds even when a dependency does not.
HEALTH_TIMEOUT = 2


def _database_ok():
    """Return True if the database answers a trivial query (in HEALTH_TIMEOUT, even from the pool)."""
    try:
        pool = getattr(connection, "pool", None)  # PostgreSQL's connection pool, if configured
        if pool is not None:
            # A request would wait the pool's whole timeout for a connection; the check waits less.
            pool.open()
            with pool.connection(timeout=HEALTH_TIMEOUT) as conn:
                return conn.execute("SELECT 1").fetchone()[0] == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


async def _layer_round_trip():
    """Send a message to a fresh channel and read it back through the channel layer."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "health.ping", "token": token})
    message = await asyncio.wait_for(layer.receive(channel), timeout=HEALTH_TIMEOUT)
    return message.get("token") == token


def _layer_ok():
    """Return True if a message makes a round trip through the channel layer."""
    try:
        return async_to_sync(_layer_round_trip)()
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


@never_cache
@require_GET
def healthz(request):
    """Report database and channel-layer health as JSON: 200 when both are fine, else 503."""
    checks = {"database": _database_ok(), "channel_layer": _layer_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "fail"} | {k: "ok" if v else "fail" for k, v in checks.items()}
    return JsonResponse(body, status=200 if healthy else 503)


def switch_language(request, code):
    """Remember the chosen language in a cookie and go to the same page in that language."""
    if not check_for_language(code):
        code = settings.LANGUAGE_CODE.split("-")[0]
    target = request.GET.get("next") or f"/{code}/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = f"/{code}/"
    # Wagtail pages pass their translation's URL already; other paths are translated here.
    response = HttpResponseRedirect(translate_url(target, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )
    return response


def page_not_found(request, exception=None):
    """Render the bilingual 404 page."""
    return render(request, "404.html", status=404)


def server_error(request):
    """Render the error page without touching the database (it may be the cause); 503 while the database is down."""
    if isinstance(sys.exc_info()[1], OperationalError):  # unreachable, pool exhausted: temporary, the page says so
        response = render(request, "500.html", status=503)
        response["Retry-After"] = "10"
        return response
    return render(request, "500.html", status=500)
