"""Editors create sessions in the Wagtail admin; rounds that have opened are changed only from the console."""

import pytest
from django.contrib.auth.models import Permission

from deliberation import services
from deliberation.models import LiveSession
from tests.conftest import rounds_of

pytestmark = pytest.mark.django_db
ADD = "/admin/snippets/deliberation/livesession/add/"


@pytest.fixture
def session_editor(make_user):
    """A non-superuser with admin access and the live-session model permissions."""
    user = make_user("session-editor")
    codenames = ["access_admin", "add_livesession", "change_livesession", "view_livesession"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def form_data(title, rounds, facilitator=None):
    """The snippet form's POST data with an inline formset of rounds."""
    data = {
        "title": title,
        "description": "",
        "consultation": "",
        "language": "en",
        "starts_at": "",
        "rounds-TOTAL_FORMS": str(len(rounds)),
        "rounds-INITIAL_FORMS": "0",
        "rounds-MIN_NUM_FORMS": "0",
        "rounds-MAX_NUM_FORMS": "1000",
    }
    if facilitator:
        data["facilitators"] = [facilitator.pk]
    for i, round_ in enumerate(rounds):
        data |= {f"rounds-{i}-{key}": value for key, value in round_.items()} | {f"rounds-{i}-id": ""}
    return data


def test_editor_can_create_a_session_with_rounds_in_wagtail(client, session_editor, facilitator):
    client.force_login(session_editor)
    assert client.get(ADD).status_code == 200
    rounds = [
        {"kind": "proposal", "title": "Ideas", "prompt": "", "max_per_participant": "", "method": "irv", "seats": "1"},
        {"kind": "vote", "title": "Decide", "prompt": "", "max_per_participant": "", "method": "stv", "seats": "2"},
    ]
    response = client.post(ADD, form_data("Green spaces workshop", rounds, facilitator))
    assert response.status_code == 302, response.content.decode()[:2000]
    session = LiveSession.objects.get(title="Green spaces workshop")
    assert len(session.code) == 6
    assert [r.kind for r in session.rounds.all()] == ["proposal", "vote"]
    assert list(session.facilitators.all()) == [facilitator]


def test_editor_cannot_change_a_round_that_has_opened(client, session_editor, live, fac_actor):
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    client.force_login(session_editor)
    url = f"/admin/snippets/deliberation/livesession/edit/{live.pk}/"
    rounds = list(live.rounds.all())
    data = form_data(live.title, [])
    data |= {"rounds-TOTAL_FORMS": str(len(rounds)), "rounds-INITIAL_FORMS": str(len(rounds))}
    for i, round_ in enumerate(rounds):
        title = "Renamed" if round_.pk == r["proposal"].pk else round_.title
        data |= {
            f"rounds-{i}-id": round_.pk,
            f"rounds-{i}-kind": round_.kind,
            f"rounds-{i}-title": title,
            f"rounds-{i}-prompt": round_.prompt,
            f"rounds-{i}-max_per_participant": "",
            f"rounds-{i}-method": round_.method,
            f"rounds-{i}-seats": round_.seats,
        }
    response = client.post(url, data)
    assert response.status_code == 200  # the form comes back with the error
    assert "has already opened" in response.content.decode()
    r["proposal"].refresh_from_db()
    assert r["proposal"].title == "Ideas"


def test_participant_without_admin_access_cannot_create_sessions(client, make_user):
    client.force_login(make_user("citizen"))
    response = client.get(ADD)
    assert response.status_code in {302, 403}
