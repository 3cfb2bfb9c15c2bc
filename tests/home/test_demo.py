"""The demo loader builds a bilingual site with real-sounding boards, and a second run changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.documents.models import Document
from wagtail.models import GroupPagePermission, Locale, Page, PageLogEntry, Revision, Site

from home.demo import load_demo
from home.models import BoardPage, BoardPartner, Commitment, CommitmentUpdate, ConsultationPage, HomePage, Stage

pytestmark = pytest.mark.django_db


def snapshot():
    """Counts and revision ids that any change to the demo would alter."""
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "log entries": PageLogEntry.objects.count(),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "group page permissions": GroupPagePermission.objects.count(),
        "documents": Document.objects.count(),
        "partners": BoardPartner.objects.count(),
        "commitments": sorted(Commitment.objects.values_list("pk", "partner_id", "status")),
        "progress updates": CommitmentUpdate.objects.count(),
        "latest revisions": sorted(Page.objects.values_list("id", "latest_revision_id")),
        "passwords": sorted(get_user_model().objects.values_list("username", "password")),
    }


def test_demo_loader_is_idempotent(demo):
    before = snapshot()
    load_demo(show_credentials=False)
    assert snapshot() == before


def test_demo_loader_puts_back_content_an_editor_changed(demo):
    board = BoardPage.objects.get(slug="north-wales")
    board.intro = "Changed by hand."
    board.save_revision().publish()
    load_demo(show_credentials=False)
    board.refresh_from_db()
    assert board.intro.startswith("The Public Services Boards of North Wales")


def test_demo_has_every_page_in_english_and_welsh(demo):
    cy = Locale.objects.get(language_code="cy")
    english = Page.objects.filter(locale__language_code="en", depth__gt=1).specific()
    assert {type(page) for page in english} == {HomePage, BoardPage, ConsultationPage}
    assert english.count() == 7
    for page in english:
        welsh = page.get_translation(cy)
        assert welsh.live
        assert welsh.title != page.title, page.title


def test_demo_site_root_is_the_english_home_page(demo, client):
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific == demo.home
    assert client.get("/en/").status_code == 200
    assert "Penderfynu gyda’ch Bwrdd Gwasanaethau Cyhoeddus" in client.get("/cy/").content.decode()


def test_demo_boards_consultations_and_updates_read_like_real_practice(demo):
    boards = {board.title: board for board in BoardPage.objects.filter(locale__language_code="en")}
    assert set(boards) == {"North Wales", "Cwm Taf and Bridgend", "West Wales"}
    health_boards = {
        "North Wales": "Betsi Cadwaladr University Health Board",
        "Cwm Taf and Bridgend": "Cwm Taf Morgannwg University Health Board",
        "West Wales": "Hywel Dda University Health Board",
    }
    for title, board in boards.items():
        partners = [partner.name for partner in board.partners.all()]
        assert health_boards[title] in partners
        assert "Natural Resources Wales" in partners
        assert any("Fire and Rescue" in name for name in partners)
        consultations = ConsultationPage.objects.child_of(board)
        assert consultations.count() >= 1
        for consultation in consultations:
            assert consultation.commitments.count() >= 1
            assert any(block.block_type == "timeline" for block in consultation.background)
            assert consultation.documents
    stages = set(ConsultationPage.objects.values_list("stage", flat=True))
    assert Stage.OPEN in stages
    assert stages & {Stage.DECIDING, Stage.OUTCOME}


def test_demo_users_have_the_right_roles(demo):
    users = {user.username: user for user in get_user_model().objects.all()}
    north_wales = BoardPage.objects.get(slug="north-wales")
    west_wales = BoardPage.objects.get(slug="west-wales")
    assert users["admin"].is_superuser and users["admin"].check_password("cyd-admin-demo")
    editor = users["editor"]
    assert [group.name for group in editor.groups.all()] == ["North Wales editors"]
    assert editor.check_password("cyd-editor-demo")
    assert north_wales.permissions_for_user(editor).can_edit()
    assert not west_wales.permissions_for_user(editor).can_edit()
    facilitator = users["facilitator"]
    assert facilitator.is_staff and not facilitator.is_superuser
    assert [group.name for group in facilitator.groups.all()] == ["North Wales facilitators"]
    assert not north_wales.permissions_for_user(facilitator).can_edit()


def test_editor_of_the_demo_can_edit_north_wales_but_not_west_wales(demo, client):
    client.force_login(get_user_model().objects.get(username="editor"))
    north = ConsultationPage.objects.get(slug="rural-transport-to-services")
    west = ConsultationPage.objects.get(slug="green-spaces-and-nature-recovery")
    assert client.get(f"/admin/pages/{north.id}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{west.id}/edit/").status_code in (302, 403)


def test_facilitator_cannot_edit_any_page(demo, client):
    client.force_login(get_user_model().objects.get(username="facilitator"))
    north = ConsultationPage.objects.get(slug="rural-transport-to-services")
    assert client.get(f"/admin/pages/{north.id}/edit/").status_code in (302, 403)


def test_demo_loader_hands_the_north_wales_consultation_to_the_live_module(demo, monkeypatch):
    calls = []

    def fake_load_demo_sessions(*, consultation, facilitator):
        calls.append((consultation, facilitator))
        return ["Live session: join code ABC123"]

    monkeypatch.setattr("deliberation.demo.load_demo_sessions", fake_load_demo_sessions)
    lines = load_demo(show_credentials=False)
    [(consultation, facilitator)] = calls
    assert consultation.slug == "rural-transport-to-services"
    assert consultation.locale.language_code == "en"
    assert facilitator.username == "facilitator"
    assert "Live session: join code ABC123" in lines


@pytest.mark.parametrize("debug", [True, False])
def test_load_demo_command_prints_credentials_only_in_debug(demo, settings, capsys, debug):
    settings.DEBUG = debug
    call_command("load_demo")
    out = capsys.readouterr().out
    assert ("cyd-editor-demo" in out) is debug
    assert ("http://127.0.0.1:8000/admin/" in out) is debug
    assert ("/cy/" in out) is debug
