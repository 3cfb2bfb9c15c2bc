"""The browser's participant identity, kept in its Django session across reconnects."""

import re
import uuid

from django.core import signing

from deliberation.models import LiveSession, Participant

SESSION_KEY = "cyd_participants"
PRESENTER_SALT = "cyd.presenter"


def participant_id_from_session(django_session, code):
    """The participant id this browser holds for the session with `code`, if any."""
    if django_session is None:
        return None
    return (django_session.get(SESSION_KEY) or {}).get(code.upper())


def remember_participant(django_session, code, participant_id):
    """Keep the participant id for this session's code in the browser's Django session."""
    joined = dict(django_session.get(SESSION_KEY) or {})
    joined[code.upper()] = participant_id
    django_session[SESSION_KEY] = joined


# A return link's secret: the participant's random token (uuid4, 122 random bits) as 32 hex digits.
RETURN_TOKEN = re.compile(r"[0-9a-f]{32}")


def return_token(participant):
    """The secret of a walk-in's personal return link ("keep my place"); replacing their token retires it."""
    return participant.token.hex


def participant_for_return(code, token):
    """The walk-in whose return link of the session with `code` this is, or None (malformed, replaced, another
    session's, or of someone with an account, who comes back by signing in)."""
    if not isinstance(token, str) or not RETURN_TOKEN.fullmatch(token):
        return None
    found = Participant.objects.select_related("session").filter(
        token=uuid.UUID(hex=token), session__code=code.upper(), user__isnull=True
    )
    return found.first()


def presenter_key(session):
    """A signed key that lets a room's screen watch a session read-only (given out by the console).

    It carries the session's key version: rotating the key or ending the session makes it stop working.
    """
    return signing.dumps([session.pk, session.presenter_key_version], salt=PRESENTER_SALT, compress=True)


def presenter_session_id(key):
    """The session id a presenter key was made for, or None when it is missing, forged, rotated or ended."""
    if not key:
        return None
    try:
        session_id, version = signing.loads(key, salt=PRESENTER_SALT)
    except (signing.BadSignature, TypeError, ValueError):  # also keys of the old format (a bare id)
        return None
    live = LiveSession.objects.filter(pk=session_id, presenter_key_version=version).exclude(status=LiveSession.Status.ENDED)
    return session_id if live.exists() else None
