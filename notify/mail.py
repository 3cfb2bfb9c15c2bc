"""The e-mails: a confirmation and a digest, each in the follower's language, plain text and HTML, with
one-click unsubscribe headers (RFC 8058) and absolute links that work from a mail client."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notify import selectors
from notify.models import Notice


def absolute(path):
    """An absolute link on the site's public address (WAGTAILADMIN_BASE_URL)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def manage_url(follower):
    """The follower's "your notifications" page."""
    return absolute(reverse("notify_manage", args=[follower.token]))


def unsubscribe_url(follower):
    """The one-click unsubscribe address (GET shows a button, POST unsubscribes)."""
    return absolute(reverse("notify_unsubscribe", args=[follower.token]))


def _message(follower, subject, template, context):
    """An e-mail to the follower in their language, with both parts and the unsubscribe headers."""
    context = context | {
        "follower": follower,
        "manage_url": manage_url(follower),
        "unsubscribe_url": unsubscribe_url(follower),
        "LANGUAGE_CODE": follower.language,
    }
    text = render_to_string(f"notify/email/{template}.txt", context)
    html = render_to_string(f"notify/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[follower.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": follower.language,
            "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def target_name(*, session=None, page=None):
    """What a follow is of, in words: a session's title or a consultation page's title."""
    if session is not None:
        return _("the live session “%(title)s”") % {"title": session.shown_title}
    if page is not None:
        return _("the consultation “%(title)s”") % {"title": page.title}
    return _("a consultation that is no longer published")


def confirmation(follower, link_value):
    """The confirmation e-mail: what they asked to follow, what they will get, and the link."""
    with translation.override(follower.language):
        pending = selectors.follows_of(follower)
        names = [target_name(session=s, page=p) for follow, s, p in pending if follow.confirmed_at is None]
        url = absolute(reverse("notify_confirm", args=[link_value]))
        subject = _("Confirm your e-mail address for Cyd")
        return _message(follower, subject, "confirm", {"names": names, "confirm_url": url})


def _why(follower, session=None, page_key=None):
    """Why the follower hears about this: what they follow that it belongs to."""
    follows = list(follower.follows.select_related("session__consultation"))
    if session is not None and any(f.session_id == session.pk for f in follows):
        return target_name(session=session)
    if page_key is not None and not any(f.consultation_key == page_key for f in follows):
        # Progress on a consultation reaches the followers of its sessions: name the session they follow.
        sessions = [f.session for f in follows if f.session is not None and f.session.consultation is not None]
        followed = next((s for s in sessions if s.consultation.translation_key == page_key), None)
        if followed is not None:
            return target_name(session=followed)
    key = page_key or (session.consultation.translation_key if session and session.consultation_id else None)
    page = selectors.consultation_page(key, follower.language) if key else None
    return target_name(page=page) if page is not None else target_name(session=session)


def _item(follower, notice):
    """One notice as the digest shows it: a headline, a line of detail, a link and why it was sent."""
    if notice.kind in {Notice.Kind.OPENED, Notice.Kind.REMINDER, Notice.Kind.PUBLISHED}:
        round_ = notice.round
        session = round_.session
        title = round_.shown_title
        if notice.kind == Notice.Kind.PUBLISHED:
            headline = _("Results published: %(title)s") % {"title": title}
            link = reverse("results", args=[session.code, round_.pk])
            detail = ""
        else:
            link = reverse("session", args=[session.code])
            when = formats.date_format(timezone.localtime(round_.closes_at), "DATETIME_FORMAT") if round_.closes_at else ""
            if notice.kind == Notice.Kind.OPENED:
                headline = _("Round opened: %(title)s") % {"title": title}
                detail = _("It closes on %(when)s.") % {"when": when} if when else ""
            else:
                headline = _("Closing soon: %(title)s") % {"title": title}
                detail = _("It closes on %(when)s and you have not taken part yet.") % {"when": when}
        return {"headline": headline, "detail": detail, "url": absolute(link), "why": _why(follower, session=session)}
    commitment = notice.commitment
    page = selectors.consultation_page(commitment.page.translation_key, follower.language)
    parts = page.get_url_parts() if page is not None else None
    url = absolute(parts[2] if parts else "/")
    if notice.kind == Notice.Kind.COMMITMENT:
        headline = _("New commitment: %(title)s") % {"title": commitment.title}
        detail = commitment.you_said
    else:
        headline = _("Progress on “%(title)s”") % {"title": commitment.title}
        detail = notice.update.text
    return {"headline": headline, "detail": detail, "url": url, "why": _why(follower, page_key=commitment.page.translation_key)}


def digest(follower, notices):
    """The digest e-mail of these notices, in the follower's language."""
    with translation.override(follower.language):
        items = [_item(follower, notice) for notice in notices]
        if len(items) == 1:
            subject = items[0]["headline"]
        else:
            subject = ngettext("%(n)s update on what you follow", "%(n)s updates on what you follow", len(items)) % {
                "n": len(items)
            }
        whys = sorted({item["why"] for item in items})
        return _message(follower, f"Cyd: {subject}", "digest", {"items": items, "whys": whys})
