"""Editors of one board edit that board's pages, in both languages, and no other board's."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import GroupPagePermission

from home.models import BoardPage
from home.permissions import BOARD_PAGE_PERMISSIONS, ensure_board_editors_group
from tests.home.conftest import PASSWORD, add_page, make_consultation

pytestmark = pytest.mark.django_db


def edit_url(page):
    return f"/admin/pages/{page.id}/edit/"


def own_pages(tree):
    return [tree.board_a, tree.board_a_cy, tree.consultation_a, tree.consultation_a_cy]


def other_pages(tree):
    return [tree.board_b, tree.board_b_cy, tree.consultation_b, tree.consultation_b_cy, tree.home, tree.home_cy]


def test_editor_can_edit_own_boards_pages_in_both_languages(client, site_tree, board_editors):
    client.force_login(board_editors.a)
    for page in own_pages(site_tree):
        assert page.permissions_for_user(board_editors.a).can_edit(), page
        assert page.permissions_for_user(board_editors.a).can_publish(), page
        assert client.get(edit_url(page)).status_code == 200, page.url_path


def test_editor_cannot_edit_another_boards_pages(client, site_tree, board_editors):
    client.force_login(board_editors.a)
    for page in other_pages(site_tree):
        assert not page.permissions_for_user(board_editors.a).can_edit(), page
        response = client.get(edit_url(page))
        # Wagtail answers a page it will not let you edit with a redirect to the dashboard.
        assert response.status_code in (302, 403), page.url_path
        if response.status_code == 302:
            assert response["Location"] == "/admin/"


def test_editor_of_the_other_board_is_kept_out_the_same_way(client, site_tree, board_editors):
    client.force_login(board_editors.b)
    assert client.get(edit_url(site_tree.consultation_b)).status_code == 200
    assert client.get(edit_url(site_tree.consultation_a)).status_code in (302, 403)
    assert client.get(edit_url(site_tree.board_a_cy)).status_code in (302, 403)


def test_editor_can_add_consultations_to_own_board_only(site_tree, board_editors):
    assert site_tree.board_a.permissions_for_user(board_editors.a).can_add_subpage()
    assert not site_tree.board_b.permissions_for_user(board_editors.a).can_add_subpage()
    assert not site_tree.home.permissions_for_user(board_editors.a).can_add_subpage()


def test_editor_can_translate_a_new_consultation_and_edit_the_welsh_copy(client, site_tree, board_editors):
    editor = board_editors.a
    assert editor.has_perm("wagtailadmin.access_admin")
    assert editor.has_perm("simple_translation.submit_translation")
    new = make_consultation(site_tree.board_a, title="Libraries", slug="libraries", question="Which hours?")
    client.force_login(editor)
    response = client.post(f"/admin/translation/submit/page/{new.id}/", {"locales": [site_tree.cy.id]})
    assert response.status_code == 302
    welsh = new.get_translation(site_tree.cy)
    assert welsh.get_parent().id == site_tree.board_a_cy.id
    assert client.get(edit_url(welsh)).status_code == 200


def test_editor_cannot_translate_another_boards_page(client, site_tree, board_editors):
    new = make_consultation(site_tree.board_b, title="Parks", slug="parks", question="Which park?")
    client.force_login(board_editors.a)
    response = client.post(f"/admin/translation/submit/page/{new.id}/", {"locales": [site_tree.cy.id]})
    assert response.status_code in (302, 403)
    assert not new.has_translation(site_tree.cy)


def test_editor_can_edit_a_board_page_they_translated_themselves(client, site_tree):
    """A board translated after its group was made: the signal carries the permissions over."""
    board_c = add_page(site_tree.home, BoardPage(title="Board C", slug="board-c", area="C"))
    group = ensure_board_editors_group(board_c)
    editor = get_user_model().objects.create_user("editor-c", password=PASSWORD)
    editor.groups.add(group)
    client.force_login(editor)
    response = client.post(f"/admin/translation/submit/page/{board_c.id}/", {"locales": [site_tree.cy.id]})
    assert response.status_code == 302
    welsh = board_c.get_translation(site_tree.cy)
    codenames = set(GroupPagePermission.objects.filter(group=group, page=welsh).values_list("permission__codename", flat=True))
    assert codenames == set(BOARD_PAGE_PERMISSIONS)
    assert client.get(edit_url(welsh)).status_code == 200


def test_ensure_board_editors_group_is_idempotent(site_tree):
    first = ensure_board_editors_group(site_tree.board_a)
    count = GroupPagePermission.objects.count()
    again = ensure_board_editors_group(site_tree.board_a_cy)  # either language finds the same group
    assert again == first
    assert first.name == "Board A editors"
    assert GroupPagePermission.objects.count() == count
    pages = set(GroupPagePermission.objects.filter(group=first).values_list("page_id", flat=True))
    assert pages == {site_tree.board_a.id, site_tree.board_a_cy.id}


def test_anonymous_visitor_cannot_open_the_editor(client, site_tree):
    response = client.get(edit_url(site_tree.board_a))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_admin_can_open_the_editor_and_the_create_form_of_every_page_type(client, site_tree):
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    for page in (site_tree.home, site_tree.board_a, site_tree.consultation_a_cy):
        assert client.get(edit_url(page)).status_code == 200
    assert client.get(f"/admin/pages/add/home/boardpage/{site_tree.home.id}/").status_code == 200
    assert client.get(f"/admin/pages/add/home/consultationpage/{site_tree.board_a.id}/").status_code == 200
