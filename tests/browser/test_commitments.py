"""Commitments on the board and consultation pages read at 320 px in both languages: status in words, no sideways page."""

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

PAGES = [
    ("/en/west-wales/", "What we committed to", "Not doing"),
    ("/cy/gorllewin-cymru/", "Cyfoeth Naturiol Cymru", "Agor pob cae ysgol"),
    ("/en/west-wales/green-spaces-and-nature-recovery/", "You said, we did", "In progress"),
    ("/cy/gorllewin-cymru/mannau-gwyrdd-ac-adfer-natur/", "Mapio llwybrau cerdded diogel", "Cyngor Sir Caerfyrddin"),
]


@pytest.mark.parametrize(("url", "heading", "text"), PAGES)
def test_visitor_reads_commitments_at_320px_without_scrolling_the_page_sideways(new_context, url, heading, text):
    page = new_context(width=320).new_page()
    page.goto(url)
    body = page.inner_text("main")
    assert heading in body and text in body
    # Every status tag has its words in it, not only a colour.
    tags = page.eval_on_selector_all(".tag[class*='tag--']", "tags => tags.map(t => t.innerText.trim())")
    assert tags and all(tags)
    # Wide tables scroll inside their own region; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert not axe_violations(page)
