"""A visitor can join by typing or pasting the code any way, or straight from the link, with or without a name."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VOTE_CODE

pytestmark = pytest.mark.browser


def test_visitor_can_join_with_a_pasted_code_and_stay_anonymous(new_context):
    page = new_context(width=320).new_page()
    page.goto("/en/join/")
    page.fill("#id_code", "K7MP4")
    page.press("#id_code", "Enter")
    expect(page.locator(".error-summary")).to_contain_text("Enter the 6-character code.")
    page.fill("#id_code", "ZZZZZZ")
    page.press("#id_code", "Enter")
    expect(page.locator("#id_code-error")).to_contain_text("No session has that code")
    expect(page.locator("#id_code")).to_have_attribute("aria-invalid", "true")
    page.fill("#id_code", f"  {VOTE_CODE.lower()[:3]} {VOTE_CODE.lower()[3:]} ")
    page.press("#id_code", "Enter")
    page.wait_for_url(f"**/en/s/{VOTE_CODE}/")
    expect(page.locator("h1")).to_have_text("Browser test: keyboard vote")
    page.get_by_role("button", name="Take part").click()
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    expect(page.locator("#rename")).to_have_value("")


def test_visitor_can_join_from_the_link_without_javascript(browser, server):
    context = browser.new_context(base_url=server["url"], java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/cy/s/{VOTE_CODE}/")
        page.fill("#id_name", "Heb JS")
        page.press("#id_name", "Enter")
        expect(page.locator("#vote")).to_be_visible()
        page.select_option("#ballot-nojs select >> nth=1", "1")
        page.locator("#ballot-form button[type=submit]").click()
        expect(page.locator("#receipt strong")).to_have_text(re.compile(r"^\w{4}-\w{4}-\w{4}$"))
        expect(page.locator("#rename")).to_have_value("Heb JS")
    finally:
        context.close()
