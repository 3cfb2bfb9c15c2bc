"""Every page type renders in English and Welsh, accessibly, and links to its translation."""

import re
from datetime import date
from types import SimpleNamespace
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from home.models import BoardPage, ConsultationPage, HomePage, Stage

pytestmark = pytest.mark.django_db

PAGES = [
    # (url, html lang, text that must be on the page)
    ("/en/", "en-GB", "Welcome to Cyd"),
    ("/cy/", "cy", "Croeso i Cyd"),
    ("/en/board-a/", "en-GB", "Board A"),
    ("/cy/bwrdd-a/", "cy", "Bwrdd A"),
    ("/en/board-a/rural-transport/", "en-GB", "How should people reach the surgery without a bus?"),
    ("/cy/bwrdd-a/trafnidiaeth-wledig/", "cy", "Sut dylai pobl gyrraedd y feddygfa heb fws?"),
    ("/en/search/?q=surgery", "en-GB", "Rural transport"),
    ("/cy/search/?q=feddygfa", "cy", "Trafnidiaeth wledig"),
]


@pytest.mark.parametrize(("url", "lang", "text"), PAGES)
def test_visitor_can_view_every_page_type_in_both_languages(client, site_tree, url, lang, text):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}"' in html
    assert text in html


@pytest.mark.parametrize("url", [page[0] for page in PAGES])
def test_visitor_gets_accessible_markup_without_inline_script_or_style(client, site_tree, url):
    html = client.get(url).content.decode()
    assert html.count("<h1") == 1
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels  # no skipped levels
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline <script> is forbidden by the CSP"


@pytest.mark.parametrize(
    ("url", "code", "translation"),
    [
        ("/en/", "cy", "/cy/"),
        ("/cy/", "en", "/en/"),
        ("/en/board-a/", "cy", "/cy/bwrdd-a/"),
        ("/cy/bwrdd-a/", "en", "/en/board-a/"),
        ("/en/board-a/rural-transport/", "cy", "/cy/bwrdd-a/trafnidiaeth-wledig/"),
        ("/cy/bwrdd-a/trafnidiaeth-wledig/", "en", "/en/board-a/rural-transport/"),
    ],
)
def test_visitor_can_switch_to_the_translation_of_a_page(client, site_tree, url, code, translation):
    html = client.get(url).content.decode()
    href = re.search(rf'<a class="language-switch" href="([^"]+)" hreflang="{code}"', html).group(1)
    href = href.replace("&amp;", "&")
    assert parse_qs(urlparse(href).query)["next"] == [translation]
    response = client.get(href)
    assert response.status_code == 302
    assert response["Location"] == translation
    assert client.get(translation).status_code == 200


@pytest.mark.parametrize("url", ["/en/no-such-page/", "/cy/dim-tudalen-fel-hyn/", "/en/board-a/nope/"])
def test_visitor_gets_404_for_an_unknown_page_in_both_languages(client, site_tree, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]


def test_visitor_sees_boards_and_open_consultations_of_their_language_on_home(client, site_tree):
    en = client.get("/en/").content.decode()
    cy = client.get("/cy/").content.decode()
    assert "Board A" in en and "Board B" in en
    assert "Bwrdd A" in cy and "Bwrdd B" in cy
    # Only the open consultation is "open now", and only in the page's own language.
    assert "Rural transport" in en and "Trafnidiaeth wledig" not in en
    assert "Trafnidiaeth wledig" in cy and "Rural transport" not in cy
    assert "Loneliness" not in en


def test_visitor_sees_partners_contact_and_consultations_on_a_board_page(client, site_tree):
    html = client.get("/en/board-a/").content.decode()
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert "Board A Council" in html
    assert "mailto:board-a@cyd.example" in html
    assert 'class="tag tag--open"' in html
    assert 'aria-label="Breadcrumb"' in html
    cy = client.get("/cy/bwrdd-a/").content.decode()
    assert "Cyngor Bwrdd A" in cy and "Board A Council" not in cy


def test_visitor_sees_stage_dates_sessions_and_you_said_we_did_on_a_consultation(client, site_tree):
    response = client.get("/en/board-a/rural-transport/")
    html = response.content.decode()
    assert 'class="tag tag--open"' in html
    assert '<time datetime="2026-11-02">2 November 2026</time>' in html
    assert '<time datetime="2027-01-29">' in html
    assert "Buses are too early." in html and "Later clinics." in html
    assert "deliberation/includes/consultation_sessions.html" in [t.name for t in response.templates]
    cy = client.get("/cy/bwrdd-a/trafnidiaeth-wledig/").content.decode()
    assert "Mae’r bysiau’n rhy gynnar." in cy
    assert "Tachwedd 2026" in cy  # dates in Welsh


def test_visitor_sees_every_body_block_rendered(client, site_tree):
    image = Image.objects.create(title="Map", file=get_test_image_file())
    document = Document.objects.create(title="Summary of responses", file=get_test_image_file("summary.txt"))
    page = site_tree.consultation_a
    page.background = [
        {"type": "rich_text", "value": "<p>Plain words.</p>"},
        {
            "type": "image",
            "value": {
                "image": {"image": image.pk, "alt_text": "A map of bus routes", "decorative": False},
                "caption": "Bus routes",
            },
        },
        {"type": "document", "value": {"document": document.pk, "description": "What people said."}},
        {"type": "callout", "value": {"style": "warning", "heading": "Closing soon", "text": "<p>Hurry.</p>"}},
        {
            "type": "video",
            "value": {
                "video": "https://www.youtube.com/watch?v=abc",
                "title": "Why we ask",
                "caption": "Transcript below.",
            },
        },
        {
            "type": "timeline",
            "value": {
                "heading": "Stages",
                "stages": [{"date": "2026-11-02", "label": "Opens", "description": "Have your say."}],
            },
        },
    ]
    page.save_revision().publish()
    player = '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Why we ask"></iframe>'
    with mock.patch("home.blocks.get_embed", return_value=SimpleNamespace(html=player)):
        html = client.get("/en/board-a/rural-transport/").content.decode()
    assert "<p>Plain words.</p>" in html
    assert 'alt="A map of bus routes"' in html and "<figcaption" in html
    assert "Summary of responses" in html and "What people said." in html
    assert 'class="callout callout--warning"' in html and "<h3>Closing soon</h3>" in html
    assert player in html and 'href="https://www.youtube.com/watch?v=abc"' in html
    assert '<ol class="timeline">' in html and '<time class="timeline__date" datetime="2026-11-02">' in html
    assert " style=" not in html


def test_visitor_still_gets_the_video_link_when_the_provider_is_unreachable(client, site_tree):
    from wagtail.embeds.exceptions import EmbedNotFoundException

    page = site_tree.consultation_a
    page.background = [{"type": "video", "value": {"video": "https://vimeo.com/1", "title": "Our film"}}]
    page.save_revision().publish()
    with mock.patch("home.blocks.get_embed", side_effect=EmbedNotFoundException):
        response = client.get("/en/board-a/rural-transport/")
    assert response.status_code == 200
    assert 'href="https://vimeo.com/1"' in response.content.decode()


def test_editor_cannot_put_pages_outside_home_board_consultation_order(site_tree):
    assert BoardPage.can_create_at(site_tree.home)
    assert not ConsultationPage.can_create_at(site_tree.home)
    assert ConsultationPage.can_create_at(site_tree.board_a)
    assert not BoardPage.can_create_at(site_tree.board_a)
    assert not HomePage.can_create_at(site_tree.board_a)
    assert ConsultationPage.subpage_types == []


def test_editor_cannot_save_key_dates_out_of_order(site_tree):
    page = site_tree.consultation_a
    page.closes = date(2026, 10, 1)  # before it opens
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "closes" in error.value.message_dict


def test_stage_labels_are_translated():
    from django.utils import translation

    with translation.override("en"):
        labels = [str(label) for label in Stage.labels]
    assert labels == ["Upcoming", "Open", "Deciding", "Outcome published"]
    assert [field.verbose_name for field in ConsultationPage._meta.get_fields() if field.name == "stage"]
