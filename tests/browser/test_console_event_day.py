"""The facilitator console on event day: count outcomes and the way forward, ending with a confirmation, undo.

Sessions come from tests/browser/setup/console.py.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import join, log_in

pytestmark = pytest.mark.browser


def row(console, title):
    return console.locator("#rounds tr", has_text=title)


def moderated(console, title):
    """A proposal's item in the console's moderation list (by its heading, not the merge choices)."""
    return console.locator("#mod-proposals > li").filter(has=console.locator("h3", has_text=title))


def console_for(new_context, code, **options):
    """A signed-in facilitator's console on a session."""
    page = new_context(width=1280, **options).new_page()
    log_in(page, f"/en/s/{code}/facilitate/")
    if options.get("java_script_enabled", True):
        expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    return page


def styled_as_error(locator):
    """The element has the error look (a solid red left border), not plain text."""
    return locator.evaluate(
        "el => { const s = getComputedStyle(el); return s.borderLeftStyle === 'solid' && "
        "parseFloat(s.borderLeftWidth) >= 4 && s.borderLeftColor === 'rgb(177, 14, 30)'; }"
    )


# --- items 1 and 2: the count outcome, said plainly, with a way forward --------------------------


def test_facilitator_sees_no_result_for_a_vote_without_ballots_and_everyone_is_told(new_context, server):
    console = console_for(new_context, "FN4RTB")
    citizen = new_context(width=390).new_page()
    join(citizen, "FN4RTB", name="Alys")
    vote = row(console, "Choose with no ballots")
    vote.get_by_role("button", name=re.compile("^Open")).click()
    expect(vote).to_contain_text("Open")
    vote.get_by_role("button", name=re.compile("^Close")).click()
    expect(vote.locator("[data-slot=counted]")).to_have_text(re.compile(r"^No result: no ballots were cast\."))
    expect(vote).not_to_contain_text("Chosen")
    publish = vote.get_by_role("button", name=re.compile("^Publish"))
    expect(publish).to_be_enabled()
    publish.click()
    expect(vote).to_contain_text("Results published")

    link = citizen.locator("#results-list a", has_text="Choose with no ballots")
    expect(link).to_be_visible()
    link.click()
    expect(citizen.locator("main")).to_contain_text("No result")
    expect(citizen.locator("main")).to_contain_text(re.compile("no ballots were cast", re.I))
    expect(citizen.locator("main")).not_to_contain_text(re.compile("Repair the footpath|Plant an orchard|Open a repair"))


def test_facilitator_can_close_a_vote_whose_count_fails_and_count_it_again_with_stv(new_context, server):
    console = console_for(new_context, "FC7UNT")
    vote = row(console, "Choose two")
    vote.get_by_role("button", name=re.compile("^Close")).click()
    expect(vote.locator("[data-slot=state]")).to_have_text("Closed")
    problem = vote.locator("[data-slot=counted]")
    expect(problem).to_contain_text("The count could not be completed:")
    expect(problem).to_contain_text("elects one")
    publish = vote.get_by_role("button", name=re.compile("^Publish"))
    expect(publish).to_be_disabled()
    console.screenshot(path="/tmp/console-count-failed.png", full_page=True)

    # The way forward: count again, here with single transferable vote for the same two winners.
    recount = vote.locator("form[data-action='round.recount']")
    expect(recount).to_be_visible()
    recount.get_by_label("Counting method").select_option("stv")
    recount.get_by_label("Number of winners").fill("2")
    recount.get_by_role("button", name=re.compile("^Count again")).click()
    expect(problem).to_have_text(
        re.compile(
            r"^Counted\. Chosen: (Repair the footpath, Plant an orchard|"
            r"Plant an orchard, Repair the footpath)\."
        )
    )
    expect(recount).to_be_hidden()
    expect(publish).to_be_enabled()
    # Another session-start (a reload) renders the same from the server.
    console.reload()
    expect(row(console, "Choose two").locator("[data-slot=counted]")).to_contain_text("Counted. Chosen:")
    row(console, "Choose two").get_by_role("button", name=re.compile("^Publish")).click()
    expect(row(console, "Choose two")).to_contain_text("Results published")


def test_facilitator_cannot_add_an_instant_runoff_round_for_two_winners(new_context, server):
    console = console_for(new_context, "FC7UNT")
    console.click("#add-round summary")
    console.select_option("#new-kind", "vote")
    console.select_option("#new-method", "irv")
    # With JavaScript the number of winners is asked only for single transferable vote.
    expect(console.locator("#new-seats")).to_be_hidden()
    console.select_option("#new-method", "stv")
    expect(console.locator("#new-seats")).to_be_visible()
    console.select_option("#new-kind", "proposal")
    expect(console.locator("#new-method")).to_be_hidden()

    # Without JavaScript the choice is open, and the server's refusal is shown, styled, where messages go.
    plain = console_for(new_context, "FC7UNT", java_script_enabled=False)
    plain.click("#add-round summary")
    plain.select_option("#new-kind", "vote")
    plain.fill("#new-title", "Two winners by runoff")
    plain.select_option("#new-method", "irv")
    plain.fill("#new-seats", "2")
    plain.click("#add-round button[type=submit]")
    message = plain.locator(".message--error")
    expect(message).to_contain_text("elects one winner")
    assert styled_as_error(message)
    expect(plain.locator("#rounds")).not_to_contain_text("Two winners by runoff")


# --- item 5: ending needs a confirmation; a refusal is shown styled ------------------------------


def test_facilitator_must_confirm_ending_the_session(new_context, server):
    console = console_for(new_context, "FE6ND9")
    end = console.locator(".end-session")
    end.get_by_role("button", name="End the session").click()
    dialog = console.locator("dialog#end-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Nobody can join or take part after this")
    console.screenshot(path="/tmp/console-end-dialog.png")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(end.get_by_role("button", name="End the session")).to_be_focused()

    # A refusal (a round is still open) is shown in the console's message area, styled as an error.
    end.get_by_role("button", name="End the session").click()
    dialog.get_by_role("button", name="End session").click()
    refusal = end.locator("[data-slot=feedback]")
    expect(refusal).to_have_text("Close the open round before ending the session.")
    assert styled_as_error(refusal)
    console.screenshot(path="/tmp/console-end-refused.png", full_page=True)

    row(console, "Talk it through").get_by_role("button", name=re.compile("^Close")).click()
    expect(row(console, "Talk it through")).to_contain_text("Closed")
    end.get_by_role("button", name="End the session").click()
    dialog.get_by_role("button", name="End session").click()
    expect(console.locator("#session-ended")).to_be_visible()
    expect(console.locator("#session-ended")).to_have_text("This session has ended. Its record and results stay published.")
    expect(end.get_by_role("button")).to_have_count(0)
    console.reload()
    expect(console.locator("#session-ended")).to_be_visible()
    expect(console.locator(".end-session button")).to_have_count(0)


def test_facilitator_without_javascript_confirms_with_a_checkbox_and_sees_a_styled_refusal(new_context, server):
    console = console_for(new_context, "FE7NDJ", java_script_enabled=False)
    end = console.locator(".end-session")
    end.get_by_role("button", name="End the session").click()
    # The required box was not ticked: the browser keeps the form, nothing is sent.
    expect(console.locator(".message--error")).to_have_count(0)
    expect(end.get_by_role("button", name="End the session")).to_be_visible()
    end.get_by_label(re.compile("Yes, end the session")).check()
    end.get_by_role("button", name="End the session").click()
    message = console.locator(".message--error")
    expect(message).to_have_text("Close the open round before ending the session.")
    assert styled_as_error(message)
    # The message sits in the page's content, under the site header, not above it.
    assert message.evaluate("el => el.closest('main') !== null")
    console.screenshot(path="/tmp/console-end-refused-nojs.png", full_page=True)


# --- item 14: a hidden proposal keeps its author in the console ----------------------------------


def test_facilitator_still_sees_the_author_of_a_hidden_proposal(new_context, server):
    console = console_for(new_context, "FE7NDJ")
    item = moderated(console, "Plant an orchard")
    expect(item.locator("[data-slot=author]")).to_have_text("Gwenllian")
    item.get_by_label("Public reason for hiding").fill("Off topic")
    item.get_by_role("button", name="Hide").click()
    expect(item.get_by_role("button", name=re.compile("^Restore"))).to_be_visible()
    expect(item.locator("[data-slot=author]")).to_have_text("Gwenllian")
    console.reload()
    item = moderated(console, "Plant an orchard")
    expect(item.locator("[data-slot=author]")).to_have_text("Gwenllian")


# --- item 7: undo a merge, void a paper slip -------------------------------------------------------


def enter_slip(console, title):
    """Type a slip with one choice and record it; wait until the console has it before the next."""
    paper = console.locator("#paper")
    before = int(console.locator("#paper-count").inner_text())
    paper.get_by_label(title).fill("1")
    paper.get_by_label(title).press("Enter")
    expect(console.locator("#paper-count")).to_have_text(str(before + 1))


def test_facilitator_can_undo_a_merge_and_void_paper_slips_with_reasons(new_context, server):
    console = console_for(new_context, "FU4NDV")
    citizen = new_context(width=390).new_page()
    join(citizen, "FU4NDV", name="Gwen")
    kept = citizen.locator("#proposals > li", has_text="Fix the bus shelter")
    expect(kept).to_contain_text("Includes the duplicate “Repair the bus shelter”")

    # The merged proposal is listed in the console with an undo that needs a reason.
    merged = moderated(console, "Repair the bus shelter")
    expect(merged).to_contain_text("Merged into #")
    expect(merged.get_by_role("button", name="Hide")).to_be_hidden()
    undo = merged.locator("form[data-action='proposal.unmerge']")
    undo.get_by_role("button", name=re.compile("^Undo merge")).click()
    expect(merged).to_contain_text("Merged into #")  # a reason is required: nothing sent
    undo.get_by_label("Reason for undoing the merge").fill("Two different shelters")
    undo.get_by_role("button", name=re.compile("^Undo merge")).click()
    expect(merged.get_by_role("button", name="Hide")).to_be_visible()
    expect(merged).not_to_contain_text("Merged into #")
    expect(merged.locator("[data-slot=comment-count]")).to_have_text("1")

    # Live for citizens: the duplicate stands alone again with its comment, without a reload.
    own = citizen.locator("#proposals > li", has_text="Repair the bus shelter")
    expect(own.locator(".proposal__title")).to_have_text("Repair the bus shelter")
    expect(own).to_contain_text("Use the glass from the old one")
    expect(kept).not_to_contain_text("Includes the duplicate")

    # A vote with the three proposals; one citizen and four paper slips, two of them typed in error.
    row(console, "Choose one").get_by_role("button", name=re.compile("^Open")).click()
    expect(citizen.locator("#unranked > li")).to_have_count(3)
    citizen.locator("#unranked > li", has_text="Plant trees").get_by_role("button", name=re.compile("Add to my ranking")).click()
    citizen.click("#cast-button")
    expect(citizen.locator("#receipt")).to_contain_text("Receipt code")
    for title in ("Plant trees on the green", "Fix the bus shelter", "Fix the bus shelter", "Fix the bus shelter"):
        enter_slip(console, title)
    expect(console.locator("#count-ballots")).to_have_text("5")
    slips = console.locator("#paper-slips > li")
    expect(slips).to_have_count(4)
    expect(slips.nth(2)).to_contain_text("1. Fix the bus shelter")

    third = slips.nth(2)
    third.get_by_label(re.compile("Reason for voiding")).fill("Slip 2 typed twice")
    third.get_by_role("button", name=re.compile("^Void")).click()
    expect(third).to_contain_text("Voided: Slip 2 typed twice")
    expect(third.get_by_role("button", name=re.compile("^Void"))).to_be_hidden()
    expect(console.locator("#count-ballots")).to_have_text("4")

    # Closed with a tie; voiding the last mistyped slip after closing counts the round again.
    row(console, "Choose one").get_by_role("button", name=re.compile("^Close")).click()
    expect(row(console, "Choose one").locator("[data-slot=counted]")).to_contain_text("Counted. Chosen:")
    expect(slips).to_have_count(4)
    fourth = slips.nth(3)
    fourth.get_by_label(re.compile("Reason for voiding")).fill("Belongs to another table")
    fourth.get_by_role("button", name=re.compile("^Void")).click()
    expect(fourth).to_contain_text("Voided: Belongs to another table")
    expect(row(console, "Choose one").locator("[data-slot=counted]")).to_have_text(
        re.compile(r"^Counted\. Chosen: Plant trees on the green\.")
    )
    expect(row(console, "Choose one")).to_contain_text("ballots cast: 3")
    console.screenshot(path="/tmp/console-undo.png", full_page=True)

    # Published, the count is of the three valid ballots.
    row(console, "Choose one").get_by_role("button", name=re.compile("^Publish")).click()
    results = citizen.locator("#results-list a", has_text="Choose one")
    expect(results).to_be_visible()
    results.click()
    expect(citizen.locator(".winners")).to_have_text("Plant trees on the green")
    expect(citizen.locator(".summary-list:not(.trust__figures)")).to_contain_text(
        re.compile(r"Ballots counted\s*3 \(including 2 paper")
    )
