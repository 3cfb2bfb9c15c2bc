"""Every piece of content in both languages, in a real browser: a Welsh citizen reads the board's words in Welsh,
contributions carry their language, the console marks a missing translation, and the room can show both."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, join, log_in

pytestmark = pytest.mark.browser

CODE = "CYMRAE"  # tests/browser/setup/bilingual.py


def console(new_context):
    """The facilitator's console on the bilingual session, connected."""
    page = new_context().new_page()
    log_in(page, f"/en/s/{CODE}/facilitate/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    return page


def test_welsh_citizen_sees_welsh_round_titles_and_writes_in_welsh(new_context, server):
    page = new_context(width=390).new_page()
    join(page, CODE, "Gwen", lang="cy")
    heading = page.locator("#current-heading")
    expect(heading).to_have_text("Syniadau ar gyfer y lawnt")
    expect(heading).to_have_attribute("lang", "cy")
    expect(page.locator("#current-round [data-slot=prompt]")).to_have_text("Un syniad yr un, mewn brawddeg.")
    expect(page.locator("h1")).to_have_attribute("lang", "cy")
    # Written in Welsh unless changed: the page's language is the default.
    expect(page.locator("#propose input[name=language][value=cy]")).to_be_checked()
    page.fill("#proposal-title", "Meinciau o gwmpas y lawnt")
    page.click("#propose button[type=submit]")
    mine = page.locator("#proposals .proposal__title", has_text="Meinciau o gwmpas y lawnt")
    expect(mine).to_have_attribute("lang", "cy")
    # One written in English, on the Welsh page, is marked English (WCAG 3.1.2).
    page.check("#propose input[name=language][value=en]")
    page.fill("#proposal-title", "Benches around the green")
    page.click("#propose button[type=submit]")
    expect(page.locator("#proposals .proposal__title", has_text="Benches around the green")).to_have_attribute("lang", "en")
    # An English reader sees the English words, and the Welsh proposal still marked Welsh.
    english = new_context().new_page()
    join(english, CODE, "Tom", lang="en")
    expect(english.locator("#current-heading")).to_have_text("Ideas for the green")
    expect(english.locator("#current-heading")).to_have_attribute("lang", "en")
    expect(english.locator("#proposals .proposal__title", has_text="Perllan gymunedol")).to_have_attribute("lang", "cy")
    assert axe_violations(page) == []


def test_facilitator_sees_a_missing_translation_and_adds_it_live(new_context, server):
    fac = console(new_context)
    rows = fac.locator("#rounds tr")
    vote_row = rows.filter(has_text="Choose for the green")
    expect(vote_row.locator("[data-slot=missing]")).to_be_visible()
    expect(rows.filter(has_text="Ideas for the green").locator("[data-slot=missing]")).to_be_hidden()
    assert axe_violations(fac) == []
    citizen = new_context().new_page()
    join(citizen, CODE, "Owain", lang="cy")
    ideas_row = rows.filter(has_text="Ideas for the green")
    ideas_row.locator("summary", has_text="Change the words").click()
    ideas_row.locator("input[name=title_cy]").fill("Syniadau i’r lawnt")
    ideas_row.locator("button", has_text="Save the words").click()
    expect(ideas_row.locator("[data-slot=feedback]")).to_have_text("The round's words are saved.")
    expect(citizen.locator("#current-heading")).to_have_text("Syniadau i’r lawnt")  # live, no reload
    # The draft vote gets its Welsh from the console too, and its warning goes.
    vote_row.locator("summary", has_text="Change the words").click()
    vote_row.locator("input[name=title_cy]").fill("Dewis ar gyfer y lawnt")
    vote_row.locator("button", has_text="Save the words").click()
    expect(vote_row.locator("[data-slot=missing]")).to_be_hidden()


@pytest.mark.parametrize("width", [1280, 390])
def test_room_screen_shows_both_languages_welsh_first_and_passes_axe(new_context, server, width):
    fac = console(new_context)
    url = fac.get_by_role("link", name="Open the presenter screen").get_attribute("href")
    screen = new_context(width=width).new_page()
    screen.goto(url)
    expect(screen.locator("#connection")).to_have_attribute("data-state", "connected")
    # The toggle is a plain link: reached and followed by keyboard.
    toggle = screen.get_by_role("link", name="Show Welsh and English")
    toggle.focus()
    screen.keyboard.press("Enter")
    screen.wait_for_url("**both=1**")
    expect(screen.locator("#connection")).to_have_attribute("data-state", "connected")
    title = screen.locator("#present-round [data-slot=title]")
    expect(title.locator("span[lang=cy]")).to_have_count(1)
    spans = title.locator("span[lang]")
    assert [spans.nth(i).get_attribute("lang") for i in range(spans.count())] == ["cy", "en"]
    expect(screen.locator("h1 span[lang=cy]")).to_have_text("Dwyieithog: y lawnt bentref")
    expect(screen.locator("#proposals li", has_text="Perllan gymunedol")).to_have_attribute("lang", "cy")
    assert axe_violations(screen) == []
    expect(screen.get_by_role("link", name="Show one language")).to_be_visible()
