"""Keep your place (issue 13): the return link is copied by keyboard at 320 px, opens the place on another browser,
and its pages (session section, e-mail form errors, a link that does not work) pass axe-core WCAG 2.2 AA."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VOTE_CODE, axe_violations, join

pytestmark = pytest.mark.browser


def test_participant_can_copy_their_link_by_keyboard_and_come_back_on_another_browser(new_context):
    context = new_context(width=320, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    join(page, VOTE_CODE, name="Returning Rhian")
    section = page.locator("#keep-place")
    expect(section).to_be_visible()
    link = page.locator("#keep-place-link")
    expect(link).to_have_attribute("readonly", "")
    url = link.input_value()
    assert re.search(rf"/en/s/{VOTE_CODE}/return/[0-9a-f]{{32}}/$", url)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling at 320 px
    link.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Copy")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#keep-place-copied")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == url

    other = new_context().new_page()  # another device
    other.goto(url)
    other.wait_for_url(f"**/en/s/{VOTE_CODE}/")
    expect(other.locator("#rename")).to_have_value("Returning Rhian")
    expect(other.locator("#keep-place-link")).to_have_value(url)


def test_email_form_errors_and_a_broken_link_are_accessible(new_context):
    page = new_context(width=320).new_page()
    join(page, VOTE_CODE)
    page.fill("#keep-place-email", "alys@")
    page.locator("#keep-place form.keep-place__email button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter an e-mail address in the right form")
    expect(page.locator("#keep-place-email")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    page.goto(f"/cy/s/{VOTE_CODE}/return/{'0' * 32}/")
    expect(page.locator("h1")).to_have_text("Nid yw’r ddolen hon yn gweithio")
    assert axe_violations(page) == []
