"""Site-wide views: health check, language switch and error pages."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok():
    """Return True if the database answers a trivial query."""
    try:
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
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
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
    from django.conf import settings

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
    """Render the 500 page without touching the database (it may be the cause)."""
    return render(request, "500.html", status=500)
