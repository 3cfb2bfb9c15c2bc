"""Authoring sessions in the admin: duplicate a session as a fresh draft to run again.

A copy keeps what was prepared (title, description, consultation, facilitators, who may vote and the sign-in
list, the rounds) and nothing that happened: a new join code and presenter key, no participants, cards,
proposals, ballots or events, every round being prepared, no start time (the editor schedules it).
"""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from deliberation import rules
from deliberation.models import LiveSession, Round
from deliberation.services._base import require

# Fields a copy does not take from its session or rounds: identity, what happened, and when.
SESSION_FIELDS_NOT_COPIED = {
    "id",
    "code",
    "status",
    "starts_at",
    "last_seq",
    "last_public_seq",
    "presenter_key_version",
    "created_at",
}
ROUND_FIELDS_NOT_COPIED = {"id", "session", "state", "result", "closes_at", "opened_at", "closed_at", "published_at"}
COPY_TITLE_MAX = 200


def _copied_fields(instance, not_copied):
    """The concrete field values of `instance` a copy takes (foreign keys by id)."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name not in not_copied
    }


def _copy_title(title, language):
    """The copy's title in `language`: "<title> (copy)", cut to fit the field."""
    with translation.override(language):
        return (_("%(title)s (copy)") % {"title": title})[:COPY_TITLE_MAX]


@transaction.atomic
def session_duplicate(*, actor: rules.Actor, session: LiveSession) -> LiveSession:
    """A draft copy of `session` and its rounds, with a new join code; refused unless the actor may author it."""
    source = LiveSession.objects.get(pk=session.pk)
    require(actor, rules.AUTHOR_SESSION, source)
    fields = _copied_fields(source, SESSION_FIELDS_NOT_COPIED)
    fields["title"] = _copy_title(source.title, settings.LANGUAGE_CODE)  # `title` is the default language's
    if fields.get("title_cy"):
        fields["title_cy"] = _copy_title(source.title_cy, "cy")
    copy = LiveSession.objects.create(**fields)
    copy.facilitators.set(source.facilitators.all())
    copy.voters.set(source.voters.all())
    Round.objects.bulk_create(
        Round(session=copy, **_copied_fields(round_, ROUND_FIELDS_NOT_COPIED)) for round_ in source.rounds.all()
    )
    return copy
