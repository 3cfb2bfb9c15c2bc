"""A board page's sessions still to come, read at 320 px in Welsh and English, and their calendar file downloaded."""

from pathlib import Path

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

PAGES = [
    ("/en/north-wales/", "Denbigh town hall: which transport pilot?", "Join code"),
    ("/cy/gogledd-cymru/", "Neuadd y dref Dinbych: pa gynllun peilot trafnidiaeth?", "amser y DU"),
]


@pytest.mark.parametrize(("url", "title", "text"), PAGES)
def test_visitor_sees_what_is_coming_at_320px_and_downloads_it_to_their_calendar(new_context, url, title, text):
    context = new_context(width=320, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    section = page.locator("section[aria-labelledby=upcoming-sessions]")
    body = section.inner_text()
    assert title in body and text in body and "NEUADD" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert not axe_violations(page)

    link = section.locator("a[href$='/s/NEUADD/calendar.ics']")
    link.focus()  # reachable by keyboard
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == "cyd-NEUADD.ics"
    calendar = Path(download.path()).read_bytes().decode("utf-8")
    lines = calendar.replace("\r\n ", "").split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "BEGIN:VEVENT" in lines and lines[-2] == "END:VCALENDAR"
    summary = next(line for line in lines if line.startswith("SUMMARY"))
    assert summary.split(":", 1)[1] == title.replace(",", "\\,").replace(";", "\\;")
    assert any(line.startswith("DTSTART:") and line.endswith("Z") for line in lines)
