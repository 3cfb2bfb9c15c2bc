"""Translations cannot silently drift: the admin lists Welsh pages older than their English source, warns after
publishing the English, and the public Welsh page says the English was updated since."""

import re

import pytest
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html

from home.models import out_of_date_translations

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/translations-out-of-date/"
WELSH_URL = "/cy/bwrdd-a/trafnidiaeth-wledig/"


def publish_in_admin(client, page, **changes):
    """Open the page editor, change fields, press Publish; returns the page the editor lands on (redirects followed)."""
    url = f"/admin/pages/{page.pk}/edit/"
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    # StreamField inputs are made by the editor's JavaScript; the test pages' stream fields are empty.
    for field in page.specific._meta.get_fields():
        if isinstance(field, StreamField):
            assert not getattr(page.specific, field.name), "publish_in_admin only fills empty stream fields"
            data[f"{field.name}-count"] = "0"
    for name, value in changes.items():
        data[name] = value
    data["action-publish"] = "action-publish"
    return client.post(url, data, follow=True)


def test_nothing_is_out_of_date_when_each_translation_was_published_after_its_source(site_tree, admin_client):
    assert not out_of_date_translations().exists()
    html = admin_client.get(REPORT).content.decode()
    assert "Every translation you can edit was published after its English page." in html
    assert "translation-notice" not in admin_client.get(WELSH_URL).content.decode()


def test_editor_sees_a_welsh_page_in_the_report_once_its_english_page_is_published_again(site_tree, admin_client):
    site_tree.consultation_a.save_revision().publish()
    html = admin_client.get(REPORT).content.decode()
    assert "Trafnidiaeth wledig" in html
    assert "Bwrdd A" not in html and "Unigrwydd" not in html  # up to date
    assert f"/admin/pages/{site_tree.consultation_a_cy.pk}/edit/" in html
    assert f"/admin/pages/{site_tree.consultation_a.pk}/revisions/compare/" in html
    compare = re.search(r'href="(/admin/pages/\d+/revisions/compare/[^"]+)"', html).group(1)
    assert admin_client.get(compare).status_code == 200


def test_editor_of_another_board_does_not_see_its_pages_in_the_report(site_tree, board_editors, client):
    site_tree.consultation_a.save_revision().publish()
    site_tree.consultation_b.save_revision().publish()
    client.force_login(board_editors.b)
    html = client.get(REPORT).content.decode()
    assert "Unigrwydd" in html
    assert "Trafnidiaeth wledig" not in html


def test_editor_is_warned_after_publishing_an_english_page_whose_welsh_is_now_older(site_tree, admin_client):
    page = site_tree.consultation_a
    response = publish_in_admin(admin_client, page, question="How should people reach the surgery and the hospital?")
    html = response.content.decode()
    assert Page.objects.get(pk=page.pk).specific.question.endswith("and the hospital?")  # it was published
    assert "is now older than this page" in html
    assert "Trafnidiaeth wledig" in html
    assert f"/admin/pages/{site_tree.consultation_a_cy.pk}/edit/" in html


def test_editor_opening_the_welsh_page_is_told_its_english_source_changed(site_tree, admin_client):
    site_tree.consultation_a.save_revision().publish()
    html = admin_client.get(f"/admin/pages/{site_tree.consultation_a_cy.pk}/edit/").content.decode()
    assert "after this translation was last published" in html
    assert f"/admin/pages/{site_tree.consultation_a.pk}/revisions/compare/" in html
    fresh = admin_client.get(f"/admin/pages/{site_tree.consultation_b_cy.pk}/edit/").content.decode()
    assert "after this translation was last published" not in fresh


def test_visitor_to_an_out_of_date_welsh_page_is_told_when_the_english_changed_with_a_link(site_tree, client):
    assert "translation-notice" not in client.get(WELSH_URL).content.decode()
    site_tree.consultation_a.save_revision().publish()
    html = client.get(WELSH_URL).content.decode()
    assert "translation-notice" in html
    assert 'href="/en/board-a/rural-transport/" hreflang="en"' in html
    assert "translation-notice" not in client.get("/en/board-a/rural-transport/").content.decode()
    assert "translation-notice" not in client.get("/cy/bwrdd-a/").content.decode()  # its own English is older


def test_publishing_the_welsh_page_afterwards_clears_the_report_the_notice_and_the_warning(site_tree, admin_client):
    site_tree.consultation_a.save_revision().publish()
    publish_in_admin(admin_client, site_tree.consultation_a_cy)
    assert "Trafnidiaeth wledig" not in admin_client.get(REPORT).content.decode()
    assert "translation-notice" not in admin_client.get(WELSH_URL).content.decode()
    html = admin_client.get(f"/admin/pages/{site_tree.consultation_a_cy.pk}/edit/").content.decode()
    assert "after this translation was last published" not in html


def test_publishing_the_welsh_page_warns_about_nothing(site_tree, admin_client):
    html = publish_in_admin(admin_client, site_tree.consultation_a_cy).content.decode()
    assert "is now older than this page" not in html
