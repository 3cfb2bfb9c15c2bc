"""The browser's participant identity, kept in its Django session across reconnects."""

SESSION_KEY = "cyd_participants"


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
