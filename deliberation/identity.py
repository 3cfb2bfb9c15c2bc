"""The browser's participant identity, kept in its Django session across reconnects."""

from django.core import signing

from deliberation.models import LiveSession

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
