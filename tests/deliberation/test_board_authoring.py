# ruff: noqa: F811 (pytest fixtures imported from tests.home.conftest are arguments here)
"""Board editors author their own board's live sessions in the Wagtail admin, and no other board's."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from deliberation import rules, services
from deliberation.models import Event, LiveSession, Round
from home.demo import load_demo
from home.permissions import (
    SESSION_PERMISSIONS,
    ensure_board_editors_group,
    ensure_board_facilitators_group,
    grant_board_page_permissions,
)
from tests.conftest import rounds_of
from tests.home.conftest import _demo_keys, _isolated, _site_tree_keys, board_editors, demo, site_tree  # noqa: F401

pytestmark = pytest.mark.django_db
BASE = "/admin/snippets/deliberation/livesession/"
ADD = BASE + "add/"


def edit_url(session):
    return f"{BASE}edit/{session.pk}/"


def copy_url(session):
    return f"{BASE}copy/{session.pk}/"


@pytest.fixture
def people(site_tree, board_editors, make_user):
    """Each board's facilitator (in its facilitators group), and someone in no board's group."""
    fac_a, fac_b = make_user("fac-a"), make_user("fac-b")
    fac_a.groups.add(ensure_board_facilitators_group(site_tree.board_a))
    fac_b.groups.add(ensure_board_facilitators_group(site_tree.board_b))
    return {"a": fac_a, "b": fac_b, "stranger": make_user("stranger")}


@pytest.fixture
def sessions(site_tree, people):
    """A session of board A (English), one of board A's Welsh consultation, and one of board B, each with rounds."""
    made = {}
    for key, consultation in (("a", site_tree.consultation_a), ("a_cy", site_tree.consultation_a_cy)):
        made[key] = LiveSession.objects.create(title=f"Session {key}", consultation=consultation)
        made[key].facilitators.add(people["a"])
    made["b"] = LiveSession.objects.create(title="Session b", consultation=site_tree.consultation_b)
    made["b"].facilitators.add(people["b"])
    for session in made.values():
        Round.objects.create(session=session, kind="proposal", title="Ideas", position=1)
        Round.objects.create(session=session, kind="vote", title="Decide", position=2)
    return made


def session_data(session=None, **changes):
    """The snippet form's POST data: `session` as saved (or a new one), with `changes`."""
    rounds = list(session.rounds.all()) if session else []
    data = {
        "title": session.title if session else "",
        "description": session.description if session else "",
        "consultation": session.consultation_id if session and session.consultation_id else "",
        "language": session.language if session else "en",
        "starts_at": "",
        "facilitators": [u.pk for u in session.facilitators.all()] if session else [],
        "eligibility": session.eligibility if session else "open",
        "uncarded_may_contribute": "on",
        "rounds-TOTAL_FORMS": str(len(rounds)),
        "rounds-INITIAL_FORMS": str(len(rounds)),
        "rounds-MIN_NUM_FORMS": "0",
        "rounds-MAX_NUM_FORMS": "1000",
    }
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
    return data | changes


def test_board_editors_group_gets_session_permissions_and_a_facilitators_group(site_tree):
    group = ensure_board_editors_group(site_tree.board_a)
    again = ensure_board_editors_group(site_tree.board_a_cy)  # idempotent, from either language
    assert again == group
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {codename for _app, codename in SESSION_PERMISSIONS} <= codenames
    assert "delete_livesession" not in codenames  # a session's record is never deleted by a board editor
    assert Group.objects.filter(name="Board A facilitators").count() == 1
    assert ensure_board_facilitators_group(site_tree.board_a_cy).name == "Board A facilitators"


def test_editor_has_the_menu_and_lists_only_their_boards_sessions(client, board_editors, sessions):
    client.force_login(board_editors.a)
    assert "Live sessions" in client.get("/admin/").content.decode()
    response = client.get(BASE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Session a" in page and "Session a_cy" in page  # the Welsh consultation is the same board's
    assert "Session b" not in page


def test_rules_decide_each_session(board_editors, sessions, site_tree):
    editor_a = rules.Actor(user=board_editors.a)
    assert rules.can(editor_a, rules.AUTHOR_SESSION, sessions["a"])
    assert rules.can(editor_a, rules.AUTHOR_SESSION, sessions["a_cy"])
    assert not rules.can(editor_a, rules.AUTHOR_SESSION, sessions["b"])
    assert not rules.can(editor_a, rules.AUTHOR_SESSION_FOR, site_tree.consultation_b)
    assert not rules.can(editor_a, rules.AUTHOR_SESSION_FOR, None)  # only site-wide authors leave it unattached
    assert not rules.can(rules.Actor(), rules.AUTHOR_SESSION, sessions["a"])
    assert set(rules.sessions_authored_by(board_editors.b)) == {sessions["b"]}
    # Page permissions alone (no live-session model permission) author nothing.
    page_only = Group.objects.create(name="Board A page editors only")
    grant_board_page_permissions(page_only, site_tree.board_a)
    writer = get_user_model().objects.create_user("writer")
    writer.groups.add(page_only)
    assert not rules.can(rules.Actor(user=writer), rules.AUTHOR_SESSION, sessions["a"])


def test_editor_adds_and_schedules_a_session_of_their_board(client, board_editors, people, site_tree):
    client.force_login(board_editors.a)
    response = client.get(f"{ADD}?consultation={site_tree.consultation_a.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["consultation"] == site_tree.consultation_a.pk  # pre-filled from the page's panel
    assert set(form.fields["consultation"].queryset) == {site_tree.consultation_a, site_tree.consultation_a_cy}
    data = session_data(
        title="Evening workshop",
        consultation=site_tree.consultation_a.pk,
        starts_at="2027-01-14 18:30",
        facilitators=[people["a"].pk],
        **{"rounds-TOTAL_FORMS": "1", "rounds-INITIAL_FORMS": "0", "rounds-0-id": "", "rounds-0-kind": "proposal"},
        **{"rounds-0-title": "Ideas", "rounds-0-prompt": "", "rounds-0-method": "irv", "rounds-0-seats": "1"},
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session = LiveSession.objects.get(title="Evening workshop")
    assert session.consultation_id == site_tree.consultation_a.pk
    assert session.starts_at.year == 2027 and session.starts_at.day == 14
    assert list(session.facilitators.all()) == [people["a"]]
    assert [r.title for r in session.rounds.all()] == ["Ideas"]


def test_add_ignores_a_prefill_of_another_boards_consultation(client, board_editors, site_tree):
    client.force_login(board_editors.a)
    response = client.get(f"{ADD}?consultation={site_tree.consultation_b.pk}")
    assert response.status_code == 200
    assert "consultation" not in response.context["form"].initial


@pytest.mark.parametrize("consultation", ["b", "none"])
def test_editor_cannot_create_a_session_for_another_board_or_none(client, board_editors, site_tree, consultation):
    client.force_login(board_editors.a)
    chosen = site_tree.consultation_b.pk if consultation == "b" else ""
    response = client.post(ADD, session_data(title="Sneaky", consultation=chosen))
    assert response.status_code == 200  # the form comes back with the error
    errors = response.context["form"].errors["consultation"]
    if consultation == "b":
        assert errors == ["You can only attach a session to a consultation of your own board. Choose one from the list."]
    else:
        assert errors
    assert not LiveSession.objects.filter(title="Sneaky").exists()


def test_editor_edits_their_boards_session(client, board_editors, sessions):
    client.force_login(board_editors.a)
    session = sessions["a_cy"]
    assert client.get(edit_url(session)).status_code == 200
    response = client.post(edit_url(session), session_data(session, title="Gweithdy", starts_at="2027-02-01 10:00"))
    assert response.status_code == 302, response.content.decode()[:3000]
    session.refresh_from_db()
    assert session.title == "Gweithdy" and session.starts_at is not None


def refused(client, response):
    """Not found or forbidden: Wagtail answers "forbidden" with a redirect to the dashboard, and a 404 under /admin/
    is first redirected to the language-prefixed address (also not found)."""
    if response.status_code == 302 and response["Location"] != "/admin/":
        response = client.get(response["Location"])
    return response.status_code in (403, 404) or (response.status_code == 302 and response["Location"] == "/admin/")


def test_editor_cannot_reach_another_boards_session(client, board_editors, sessions):
    client.force_login(board_editors.a)
    other = sessions["b"]
    urls = (edit_url(other), f"{BASE}history/{other.pk}/", f"{BASE}usage/{other.pk}/", f"{BASE}delete/{other.pk}/")
    for url in (*urls, copy_url(other)):
        assert refused(client, client.get(url)), url
    assert refused(client, client.post(edit_url(other), session_data(other, title="Taken over")))
    assert refused(client, client.post(copy_url(other)))
    assert refused(client, client.post(f"{BASE}delete/{other.pk}/"))
    other.refresh_from_db()
    assert other.title == "Session b"
    assert LiveSession.objects.count() == 3


def test_editor_cannot_move_their_session_to_another_board(client, board_editors, sessions, site_tree):
    client.force_login(board_editors.a)
    session = sessions["a"]
    response = client.post(edit_url(session), session_data(session, consultation=site_tree.consultation_b.pk))
    assert response.status_code == 200
    assert "consultation of your own board" in response.content.decode()
    session.refresh_from_db()
    assert session.consultation_id == site_tree.consultation_a.pk


def test_facilitators_are_chosen_from_the_boards_people(client, board_editors, people, sessions):
    client.force_login(board_editors.a)
    offered = set(client.get(edit_url(sessions["a"])).context["form"].fields["facilitators"].queryset)
    assert offered == {people["a"], board_editors.a}
    offered = set(client.get(ADD).context["form"].fields["facilitators"].queryset)
    assert offered == {people["a"], board_editors.a}
    response = client.post(edit_url(sessions["a"]), session_data(sessions["a"], facilitators=[people["b"].pk]))
    assert response.status_code == 200
    assert "facilitators" in response.context["form"].errors
    assert list(sessions["a"].facilitators.all()) == [people["a"]]


def test_superuser_keeps_every_session(client, sessions, people, site_tree):
    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    client.force_login(admin)
    page = client.get(BASE).content.decode()
    assert "Session a" in page and "Session b" in page
    response = client.post(edit_url(sessions["b"]), session_data(sessions["b"], title="Fixed by admin"))
    assert response.status_code == 302, response.content.decode()[:3000]
    offered = set(client.get(edit_url(sessions["b"])).context["form"].fields["facilitators"].queryset)
    assert people["b"] in offered and people["stranger"] not in offered  # board B's people, not every user


def test_an_opened_round_is_read_only_in_the_admin(client, board_editors, sessions, people):
    session = sessions["a"]
    fac = rules.Actor(user=people["a"])
    ideas = rounds_of(session)["proposal"]
    services.round_open(actor=fac, session=session, round_id=ideas.pk)
    client.force_login(board_editors.a)
    response = client.get(edit_url(session))
    page = response.content.decode()
    assert "This round has opened, so it is read-only here" in page
    form = response.context["form"].formsets["rounds"].forms[0]
    assert form.instance.pk == ideas.pk and form.fields["title"].disabled

    renamed = session_data(session, **{"rounds-0-title": "Renamed"})
    response = client.post(edit_url(session), renamed)
    assert response.status_code == 200 and "has already opened" in response.content.decode()
    deleted = session_data(session, **{"rounds-0-DELETE": "on"})
    response = client.post(edit_url(session), deleted)
    assert response.status_code == 200 and "has already opened" in response.content.decode()
    ideas.refresh_from_db()
    assert ideas.title == "Ideas" and ideas.state == "open"

    # A browser does not send the read-only fields: the rest of the session still saves.
    unsent = {k: v for k, v in session_data(session, title="Still editable").items() if not k.startswith("rounds-0-")}
    unsent["rounds-0-id"] = ideas.pk
    response = client.post(edit_url(session), unsent)
    assert response.status_code == 302, response.content.decode()[:3000]
    ideas.refresh_from_db()
    assert ideas.title == "Ideas" and ideas.state == "open"
    assert LiveSession.objects.get(pk=session.pk).title == "Still editable"


def test_duplicate_through_the_admin_gives_drafts_and_a_new_code(client, board_editors, sessions, people):
    source = sessions["a"]
    fac = rules.Actor(user=people["a"])
    ideas = rounds_of(source)["proposal"]
    services.round_open(actor=fac, session=source, round_id=ideas.pk)
    participant = services.participant_join(session=source, display_name="Nia")
    services.proposal_submit(actor=rules.Actor(participant=participant), session=source, round_id=ideas.pk, title="Bus")
    client.force_login(board_editors.a)
    response = client.get(copy_url(source))
    assert response.status_code == 200 and "Duplicate as a draft" in response.content.decode()
    response = client.post(copy_url(source))
    copy = LiveSession.objects.exclude(pk__in=[s.pk for s in sessions.values()]).get()
    assert response.status_code == 302 and response["Location"] == edit_url(copy)
    assert copy.code != source.code and len(copy.code) == 6
    assert copy.title == "Session a (copy)" and copy.consultation_id == source.consultation_id
    assert copy.status == LiveSession.Status.SCHEDULED and copy.starts_at is None
    assert [(r.kind, r.title, r.state) for r in copy.rounds.all()] == [
        ("proposal", "Ideas", "draft"),
        ("vote", "Decide", "draft"),
    ]
    assert list(copy.facilitators.all()) == [people["a"]]
    assert not copy.participants.exists() and not Event.objects.filter(session=copy).exists()
    assert not Round.objects.filter(session=copy, proposals__isnull=False).exists()
    assert client.get(edit_url(copy)).status_code == 200


def test_duplicate_copies_the_welsh_title_too(board_editors, sessions):
    LiveSession.objects.filter(pk=sessions["a"].pk).update(title_cy="Sesiwn a")
    copy = services.session_duplicate(actor=rules.Actor(user=board_editors.a), session=sessions["a"])
    assert copy.title == "Session a (copy)" and copy.title_cy.startswith("Sesiwn a (")


def test_duplicate_service_refuses_another_boards_editor(board_editors, sessions):
    from deliberation.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        services.session_duplicate(actor=rules.Actor(user=board_editors.b), session=sessions["a"])
    assert refused.value.code == "forbidden"
    assert LiveSession.objects.count() == 3


def test_consultation_page_lists_its_sessions_with_links(client, board_editors, sessions, site_tree):
    client.force_login(board_editors.a)
    page = client.get(f"/admin/pages/{site_tree.consultation_a.pk}/edit/").content.decode()
    assert "Session a" in page and "Session a_cy" in page  # both languages' sessions of this consultation
    assert "Session b" not in page
    assert edit_url(sessions["a"]) in page and copy_url(sessions["a"]) in page
    assert f"{ADD}?consultation={site_tree.consultation_a.pk}" in page
    assert "Add a live session" in page


def test_demo_gives_the_second_board_its_own_editor_and_the_facilitator_a_board(demo, client):
    User = get_user_model()
    second = User.objects.get(username="editor-cwm-taf")
    assert second.check_password("cyd-editor-cwm-taf-demo") and not second.is_staff
    assert [group.name for group in second.groups.all()] == ["Cwm Taf and Bridgend editors"]
    facilitator = User.objects.get(username="facilitator")
    assert [group.name for group in facilitator.groups.all()] == ["North Wales facilitators"]
    client.force_login(second)
    assert "K7MP4Q" not in client.get(BASE).content.decode()  # the live demo session is North Wales's
    north_wales_session = LiveSession.objects.get(code="K7MP4Q")
    response = client.get(edit_url(north_wales_session))
    assert refused(client, response)
    client.force_login(User.objects.get(username="editor"))
    assert "K7MP4Q" in client.get(BASE).content.decode()
    offered = set(client.get(edit_url(north_wales_session)).context["form"].fields["facilitators"].queryset)
    assert facilitator in offered and second not in offered
    lines = load_demo(show_credentials=True)
    assert any("editor-cwm-taf / cyd-editor-cwm-taf-demo" in line for line in lines)


def test_session_chooser_offers_only_the_editors_boards_sessions(client, board_editors, sessions):
    client.force_login(board_editors.a)
    page = client.get("/admin/snippets/choose/deliberation/livesession/").content.decode()
    assert "Session a" in page and "Session b" not in page
    chosen = "/admin/snippets/choose/deliberation/livesession/chosen/{}/"
    assert client.get(chosen.format(sessions["a"].pk)).status_code == 200
    assert refused(client, client.get(chosen.format(sessions["b"].pk)))


def test_a_new_consultation_page_says_to_save_it_before_adding_sessions(client, board_editors, site_tree):
    client.force_login(board_editors.a)
    response = client.get(f"/admin/pages/add/home/consultationpage/{site_tree.board_a.pk}/")
    assert response.status_code == 200
    assert "Save this consultation first, then add its live sessions here." in response.content.decode()
