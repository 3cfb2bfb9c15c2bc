"""Background work of the live module, on the "cyd" database queue (`manage.py db_worker --backend cyd`)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from deliberation.identity import return_token
from deliberation.models import LiveSession, Participant


def return_link_absolute(participant, language):
    """A walk-in's return link on the site's public address (WAGTAILADMIN_BASE_URL), in `language`."""
    with translation.override(language):
        path = reverse("return_link", args=[participant.session.code, return_token(participant)])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def return_link_message(participant, email, language):
    """The "keep your place" e-mail: the participant's current return link, in `language`, plain text and HTML."""
    live = participant.session
    with translation.override(language):
        context = {
            "live": live,
            "title": live.shown_title,
            "url": return_link_absolute(participant, language),
            "LANGUAGE_CODE": language,
        }
        subject = _("Your link back to “%(title)s”") % {"title": live.shown_title}
        message = EmailMultiAlternatives(
            subject=f"Cyd: {subject}",
            body=render_to_string("deliberation/email/return_link.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
            headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(render_to_string("deliberation/email/return_link.html", context), "text/html")
    return message


@task(backend="cyd")
def send_return_link(participant_id, email, language):
    """E-mail a walk-in their return link once (nothing when they are gone, refused, or the session has ended)."""
    participant = (
        Participant.objects.select_related("session")
        .filter(pk=participant_id, user__isnull=True, admission=Participant.Admission.ADMITTED)
        .exclude(session__status=LiveSession.Status.ENDED)
        .first()
    )
    if participant is None:
        return False
    return_link_message(participant, email, language).send()
    return True
