"""Pages of notifications: the follow form, the confirmation link, "your notifications" and unsubscribe."""

import hashlib

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from deliberation import throttle
from deliberation.identity import participant_id_from_session
from notify import selectors, services
from notify.forms import FollowForm
from notify.models import Follower

# A hall can share one address; one person needs a handful of follows.
FOLLOWS_PER_ADDRESS = 60
FOLLOWS_PER_EMAIL = 5
FOLLOW_WINDOW = 60 * 60  # seconds; the refusal says "an hour"


def _target(request):
    """The consultation page (by id, any language) or live session (by code) the form names, or None."""
    from deliberation.models import LiveSession
    from home.models import ConsultationPage

    data = request.POST if request.method == "POST" else request.GET
    session_code, page_id = (data.get("session") or "").strip(), (data.get("consultation") or "").strip()
    if session_code:
        session = LiveSession.objects.filter(code=session_code.upper()[:12]).first()
        return services.Target(session=session) if session is not None else None
    if page_id.isdigit() and len(page_id) < 12:
        page = ConsultationPage.objects.live().public().filter(pk=int(page_id)).first()
        return services.Target(consultation=page) if page is not None else None
    return None


def _context(target):
    """What the follow page says the form is about."""
    from notify.mail import target_name

    return {
        "target": target,
        "target_name": target_name(session=target.session, page=target.consultation),
        "session": target.session,
        "consultation": target.consultation,
    }


@require_http_methods(["GET", "POST"])
def follow(request):
    """Ask for an address and a language; answer the same way whether or not the address is known."""
    target = _target(request)
    if target is None:
        return render(request, "notify/missing.html", status=404)
    default_language = target.consultation.locale.language_code if target.consultation else get_language()
    form = FollowForm(request.POST or None, initial={"language": default_language})
    context = _context(target) | {"form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "notify/follow.html", context, status=200 if request.method == "GET" else 400)
    email = form.cleaned_data["email"]
    scopes = [
        f"notify-address:{request.META.get('REMOTE_ADDR', '') or 'unknown'}",
        "notify-email:" + hashlib.sha256(email.lower().encode()).hexdigest(),
    ]
    limits = [FOLLOWS_PER_ADDRESS, FOLLOWS_PER_EMAIL]
    if not all(throttle.allow(scope, limit, FOLLOW_WINDOW) for scope, limit in zip(scopes, limits, strict=True)):
        form.add_error(None, _("Too many requests to follow from here or for this address. Try again in an hour."))
        return render(request, "notify/follow.html", context, status=429)
    for scope in scopes:
        throttle.fail(scope, FOLLOW_WINDOW)
    participant = None
    if target.session is not None:
        participant_id = participant_id_from_session(request.session, target.session.code)
        participant = target.session.participants.filter(pk=participant_id).first() if participant_id else None
    services.follow_request(email=email, language=form.cleaned_data["language"], target=target, participant=participant)
    return render(request, "notify/follow_sent.html", context | {"email": email})


def confirm(request, value):
    """Confirm an address from the e-mailed link; a tampered, expired or used link says so and changes nothing."""
    try:
        follower = services.confirm(value)
    except services.ConfirmError as error:
        return render(request, "notify/confirm_failed.html", {"code": error.code}, status=400)
    return render(request, "notify/confirmed.html", {"follower": follower})


def _follower(token):
    """The follower whose secret link this is, or 404."""
    if not token or len(token) > 64:
        raise Http404
    return get_object_or_404(Follower, token=token)


@require_http_methods(["GET", "POST"])
def manage(request, token):
    """ "Your notifications": what you follow, your language, unfollow each, unsubscribe from all, delete."""
    follower = _follower(token)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "language" and request.POST.get("language") in dict(FollowForm.base_fields["language"].choices):
            services.set_language(follower, request.POST["language"])
        elif action == "unfollow":
            services.unfollow(follower, request.POST.get("follow") if str(request.POST.get("follow")).isdigit() else None)
        elif action == "unsubscribe":
            services.unsubscribe(follower)
        elif action == "delete":
            services.forget(follower)
            return render(request, "notify/deleted.html")
        else:
            return render(request, "notify/manage.html", _manage_context(follower) | {"bad": True}, status=400)
        return redirect(reverse("notify_manage", args=[follower.token]))
    return render(request, "notify/manage.html", _manage_context(follower))


def _manage_context(follower):
    """The rows of the "your notifications" page."""
    from notify.mail import target_name

    rows = [
        {"follow": f, "name": target_name(session=s, page=p), "url": s.get_absolute_url() if s else (p.url if p else "")}
        for f, s, p in selectors.follows_of(follower)
    ]
    return {"follower": follower, "rows": rows, "languages": FollowForm.base_fields["language"].choices}


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a button (mail scanners follow links; a GET changes nothing). POST: unsubscribe, idempotently."""
    follower = Follower.objects.filter(token=token).first() if token and len(token) <= 64 else None
    if request.method == "POST":
        if follower is not None:
            services.unsubscribe(follower)
        return render(request, "notify/unsubscribed.html", {"follower": follower})
    if follower is None:
        raise Http404
    return render(request, "notify/unsubscribe.html", {"follower": follower})
