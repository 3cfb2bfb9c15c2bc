"""Who may vote in the Wagtail admin: editable before a vote, refused once locked (the console's rule)."""

import pytest
from django.contrib.auth.models import Permission

from deliberation.models import LiveSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_editor(make_user):
    """A non-superuser with admin access and the live-session model permissions."""
    user = make_user("session-editor")
    codenames = ["access_admin", "add_livesession", "change_livesession", "view_livesession"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def edit_data(live, **changes):
    """The session editor's POST data for `live` as it is, with `changes`, its rounds unchanged."""
    rounds = list(live.rounds.all())
    data = {
        "title": live.title,
        "description": live.description,
        "consultation": "",
        "language": live.language,
        "starts_at": "",
        "facilitators": [u.pk for u in live.facilitators.all()],
        "eligibility": live.eligibility,
        "voters": [u.pk for u in live.voters.all()],
        "rounds-TOTAL_FORMS": str(len(rounds)),
        "rounds-INITIAL_FORMS": str(len(rounds)),
        "rounds-MIN_NUM_FORMS": "0",
        "rounds-MAX_NUM_FORMS": "1000",
    }
    for flag in ("uncarded_may_contribute", "double_entry"):
        if getattr(live, flag):
            data[flag] = "on"
    for i, round_ in enumerate(rounds):
        data |= {
            f"rounds-{i}-id": round_.pk,
            f"rounds-{i}-kind": round_.kind,
            f"rounds-{i}-title": round_.title,
            f"rounds-{i}-prompt": round_.prompt,
            f"rounds-{i}-max_per_participant": "",
            f"rounds-{i}-method": round_.method,
            f"rounds-{i}-seats": round_.seats,
        }
    for key, value in changes.items():
        if value is False:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def url_of(live):
    return f"/admin/snippets/deliberation/livesession/edit/{live.pk}/"


def test_editor_can_choose_who_may_vote_in_wagtail_before_a_vote(client, session_editor, live, make_user):
    client.force_login(session_editor)
    page = client.get(url_of(live)).content.decode()
    assert 'name="eligibility"' in page and 'type="radio"' in page
    panel = make_user("panel-member")
    response = client.post(url_of(live), edit_data(live, eligibility="signin", double_entry="on", voters=[panel.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    live.refresh_from_db()
    assert live.eligibility == LiveSession.Eligibility.SIGNIN and live.double_entry
    assert list(live.voters.all()) == [panel]


def test_editor_cannot_change_who_may_vote_in_wagtail_while_a_vote_is_open(client, session_editor, live, open_vote):
    open_vote(("Buses on Sundays", "A village minibus"), ["Nia", "Nia"])
    client.force_login(session_editor)
    response = client.post(url_of(live), edit_data(live, eligibility="cards"))
    assert response.status_code == 200  # the form comes back with the error
    assert "Who may vote cannot change while a vote is open" in response.content.decode()
    live.refresh_from_db()
    assert live.eligibility == LiveSession.Eligibility.OPEN


def test_editor_can_still_rename_a_locked_session_in_wagtail(client, session_editor, live, open_vote):
    open_vote(("Buses on Sundays", "A village minibus"), ["Nia", "Nia"])
    client.force_login(session_editor)
    response = client.post(url_of(live), edit_data(live, title="Rural transport (evening)"))
    assert response.status_code == 302, response.content.decode()[:3000]
    live.refresh_from_db()
    assert live.title == "Rural transport (evening)" and live.eligibility == LiveSession.Eligibility.OPEN
