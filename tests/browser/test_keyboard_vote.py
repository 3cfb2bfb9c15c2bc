"""A participant can rank and cast a ballot with the keyboard only (no mouse, no dragging)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VOTE_CODE, join

pytestmark = pytest.mark.browser


def tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches `selector` (real keyboard navigation)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused_text(page):
    return page.evaluate("document.activeElement.textContent.trim()")


def test_participant_can_rank_and_vote_with_the_keyboard_only(new_context):
    page = new_context(width=390).new_page()
    join(page, VOTE_CODE, name="Keyboard voter")
    readback = page.locator("#readback")
    expect(readback).to_contain_text("rank at least one")

    # Enter adds the first proposal; focus moves on to the next one still to rank, so Space adds it.
    tab_to(page, "#unranked [data-move=add]")
    assert "Repair the footpath" in focused_text(page)
    page.keyboard.press("Enter")
    assert "Plant an orchard" in focused_text(page)
    page.keyboard.press("Space")
    expect(readback).to_have_text("Your ranking: 1. Repair the footpath, 2. Plant an orchard")

    # The rank number of the last one, with an arrow key: it becomes number 1.
    tab_to(page, "#unranked select")
    page.keyboard.press("ArrowDown")
    expect(readback).to_have_text("Your ranking: 1. Open a repair café, 2. Repair the footpath, 3. Plant an orchard")
    expect(page.locator("#announcer")).to_contain_text("Open a repair café is now number 1 of 3.")

    # Down on the first moves it to second place; focus stays on the button that was pressed.
    page.keyboard.press("Shift+Tab")
    while not page.evaluate("document.activeElement.matches('#ranked li:first-child [data-move=down]')"):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(readback).to_have_text("Your ranking: 1. Repair the footpath, 2. Open a repair café, 3. Plant an orchard")
    focus = page.evaluate(
        "[document.activeElement.dataset.move,"
        " document.activeElement.closest('li').querySelector('.rank-item__title').textContent]"
    )
    assert focus == ["down", "Open a repair café"]

    tab_to(page, "#cast-button")
    assert page.evaluate("document.activeElement.getAttribute('aria-describedby')") == "readback"
    page.keyboard.press("Enter")
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("Your ballot is recorded. Receipt code:")
    code = receipt.locator("strong").inner_text()
    assert len(code) == 14 and code.count("-") == 2
    expect(page.locator("#cast-button")).to_have_text("Change my ballot")

    # The saved ballot comes back after a reload, in the same order.
    page.reload()
    page.wait_for_selector("#connection[data-state=connected]")
    expect(readback).to_have_text("Your ranking: 1. Repair the footpath, 2. Open a repair café, 3. Plant an orchard")
    expect(page.locator("#receipt strong")).to_have_text(code)
