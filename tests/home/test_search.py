"""Search finds pages by their words, in the visitor's language only, with pagination."""

import pytest

from home.models import Stage
from tests.home.conftest import make_consultation

pytestmark = pytest.mark.django_db


def test_visitor_can_find_a_consultation_by_a_word_in_its_question(client, site_tree):
    html = client.get("/en/search/", {"q": "surgery"}).content.decode()
    assert 'href="/en/board-a/rural-transport/"' in html
    assert "1 result for" in html


def test_visitor_can_find_a_welsh_consultation_by_a_welsh_word(client, site_tree):
    html = client.get("/cy/search/", {"q": "feddygfa"}).content.decode()
    assert 'href="/cy/bwrdd-a/trafnidiaeth-wledig/"' in html


def test_visitor_cannot_find_pages_of_the_other_language(client, site_tree):
    english_word_in_welsh = client.get("/cy/search/", {"q": "surgery"}).content.decode()
    welsh_word_in_english = client.get("/en/search/", {"q": "feddygfa"}).content.decode()
    assert "rural-transport" not in english_word_in_welsh
    assert "trafnidiaeth-wledig" not in welsh_word_in_english
    assert 'class="search-results"' not in english_word_in_welsh


def test_visitor_sees_a_no_results_message(client, site_tree):
    response = client.get("/en/search/", {"q": "zzyzx"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There are no matching pages." in html
    assert 'value="zzyzx"' in html


def test_visitor_sees_only_the_form_without_a_query(client, site_tree):
    html = client.get("/en/search/").content.decode()
    assert 'role="search"' in html and 'type="search"' in html
    assert "results for" not in html


def test_visitor_can_page_through_many_results(client, site_tree):
    for number in range(12):
        make_consultation(
            site_tree.board_a,
            title=f"Parking question {number}",
            slug=f"parking-{number}",
            question="Where should the new car park go?",
            stage=Stage.UPCOMING,
        )
    first = client.get("/en/search/", {"q": "parking"}).content.decode()
    assert "12 results for" in first
    assert first.count("<li>\n        <h3>") == 10
    assert 'rel="next"' in first and "page=2" in first
    second = client.get("/en/search/", {"q": "parking", "page": 2}).content.decode()
    assert 'rel="prev"' in second and second.count("<li>\n        <h3>") == 2
    # A page number that is not a number or out of range shows a real page, not an error.
    assert client.get("/en/search/", {"q": "parking", "page": "x"}).status_code == 200
    assert client.get("/en/search/", {"q": "parking", "page": 99}).status_code == 200


def test_visitor_does_not_find_draft_pages(client, site_tree):
    site_tree.consultation_b.unpublish()
    html = client.get("/en/search/", {"q": "neighbours"}).content.decode()
    assert "/en/board-b/loneliness/" not in html
