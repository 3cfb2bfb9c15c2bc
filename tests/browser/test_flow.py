"""A whole session with three people at once: a facilitator and two citizens (one in Welsh).

Proposals, comments and a ranked vote to published results, asserting what each person sees at
each step, including a citizen whose connection drops and comes back.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FLOW_CODE, join, log_in

pytestmark = pytest.mark.browser

ROUNDS = [("proposal", "Ideas for the hall"), ("comment", "Talk them through"), ("vote", "Choose one")]


def row(console, title):
    return console.locator("#rounds tr", has_text=title)


def proposal(page, title):
    return page.locator("#proposals > li", has_text=title)


def mark_no_reload(*pages):
    for page in pages:
        page.evaluate("window.__sameDocument = true")


def assert_not_reloaded(*pages):
    for page in pages:
        assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_facilitator_and_two_citizens_run_a_whole_session(new_context):
    console = new_context(width=1280).new_page()
    log_in(console, f"/en/s/{FLOW_CODE}/facilitate/")
    expect(console.locator("#connection")).to_have_attribute("data-state", "connected")

    # The facilitator prepares the run of show from the console.
    for kind, title in ROUNDS:
        if console.locator("#add-round").get_attribute("open") is None:
            console.click("#add-round summary")
        console.select_option("#new-kind", kind)
        console.fill("#new-title", title)
        console.click("#add-round button[type=submit]")
        expect(row(console, title)).to_contain_text("Being prepared")
    expect(console.locator("#rounds tr")).to_have_count(3)

    # Two citizens join: Alys in English with a name, another in Welsh anonymously.
    alys = new_context(width=390).new_page()
    join(alys, FLOW_CODE, name="Alys")
    bryn_context = new_context(width=390)
    bryn = bryn_context.new_page()
    join(bryn, FLOW_CODE, name="", lang="cy")
    assert bryn.get_attribute("html", "lang") == "cy"
    mark_no_reload(alys, bryn)
    expect(console.locator("#count-participants")).to_have_text("2")
    expect(console.locator("#count-connected")).to_have_text("2")

    # Proposals round, with a timer: the form and the countdown appear without a reload.
    row(console, "Ideas for the hall").locator("input[name=minutes]").fill("10")
    row(console, "Ideas for the hall").get_by_role("button", name=re.compile("^Open")).click()
    for page in (alys, bryn):
        expect(page.locator("#propose")).to_be_visible()
        expect(page.locator("#current-heading")).to_have_text("Ideas for the hall")
        expect(page.locator("#current-round .timer")).to_contain_text(re.compile(r"\b(10:00|9:\d\d)\b"))

    alys.fill("#proposal-title", "A minibus to the surgery")
    alys.press("#proposal-title", "Enter")
    expect(alys.locator("#propose [data-slot=feedback]")).to_have_text("Your proposal has been added.")
    expect(proposal(alys, "A minibus to the surgery").locator(".mine-tag")).to_be_visible()
    expect(proposal(bryn, "A minibus to the surgery")).to_be_visible()
    expect(proposal(bryn, "A minibus to the surgery").locator(".mine-tag")).to_be_hidden()
    expect(bryn.locator("#announcer")).to_contain_text("A minibus to the surgery")

    bryn.fill("#proposal-title", "Bws nos ar ddydd Sadwrn")
    bryn.press("#proposal-title", "Enter")
    expect(proposal(alys, "Bws nos ar ddydd Sadwrn")).to_be_visible()
    expect(console.locator("#count-proposals")).to_have_text("2")

    # Bryn's connection drops: the indicator says so, and what Bryn sends waits.
    bryn_context.set_offline(True)
    expect(bryn.locator("#connection")).to_have_attribute("data-state", re.compile("offline|reconnecting"))
    alys.fill("#proposal-title", "Later buses on market days")
    alys.press("#proposal-title", "Enter")
    expect(proposal(alys, "Later buses on market days")).to_be_visible()
    bryn.fill("#proposal-title", "Canolfan trafnidiaeth gymunedol")
    bryn.press("#proposal-title", "Enter")
    expect(bryn.locator("#propose [data-slot=feedback]")).not_to_be_empty()
    expect(bryn.locator("#connection .connection__text")).to_contain_text("1")
    alys.wait_for_timeout(700)
    expect(proposal(alys, "Canolfan trafnidiaeth gymunedol")).to_have_count(0)
    expect(proposal(bryn, "Later buses on market days")).to_have_count(0)

    # Back online: Bryn catches up, and the queued proposal is recorded exactly once.
    bryn_context.set_offline(False)
    expect(bryn.locator("#connection")).to_have_attribute("data-state", "connected", timeout=15_000)
    expect(proposal(bryn, "Later buses on market days")).to_be_visible()
    expect(proposal(alys, "Canolfan trafnidiaeth gymunedol")).to_have_count(1)
    expect(console.locator("#count-proposals")).to_have_text("4")
    alys.wait_for_timeout(700)
    expect(proposal(alys, "Canolfan trafnidiaeth gymunedol")).to_have_count(1)
    expect(proposal(bryn, "Canolfan trafnidiaeth gymunedol").locator(".mine-tag")).to_be_visible()

    # Moderation in the open: a hidden proposal leaves a stub with the public reason.
    item = console.locator("#mod-proposals > li").filter(has=console.locator("h3", has_text="Later buses on market days"))
    item.locator("input[name=reason]").fill("Off topic")
    item.get_by_role("button", name="Hide").click()
    # A preset reason reaches each person in their own language.
    for page, reason in ((alys, "Off topic"), (bryn, "Amherthnasol i’r pwnc")):
        stub = page.locator("#proposals > li.proposal--hidden")
        expect(stub).to_contain_text(reason)
        expect(proposal(page, "Later buses on market days")).to_have_count(0)
    expect(item.get_by_role("button", name=re.compile("^Restore"))).to_be_visible()

    # Comments round: stance shown to everyone, own comment marked.
    row(console, "Ideas for the hall").get_by_role("button", name=re.compile("^Close")).click()
    expect(row(console, "Ideas for the hall")).to_contain_text("Closed")
    row(console, "Talk them through").get_by_role("button", name=re.compile("^Open")).click()
    target = proposal(alys, "Bws nos ar ddydd Sadwrn")
    target.locator("summary").click()
    target.get_by_label("Against").check()
    target.locator("textarea").fill("Who would drive it after midnight?")
    target.get_by_role("button", name="Add comment").click()
    expect(target.locator(".comment")).to_contain_text("Who would drive it after midnight?")
    expect(target.locator(".comment .mine-tag")).to_be_visible()
    seen = proposal(bryn, "Bws nos ar ddydd Sadwrn").locator(".comment")
    expect(seen).to_contain_text("Who would drive it after midnight?")
    expect(seen.locator(".stance--against")).to_be_visible()
    expect(seen).to_contain_text("Alys")

    # A flag reaches the facilitator's queue live.
    proposal(bryn, "A minibus to the surgery").locator(".flag-form button").click()
    expect(console.locator("#flags > li")).to_have_count(1)
    expect(console.locator("#flags > li")).to_contain_text("A minibus to the surgery")
    console.locator("#flags > li").get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(console.locator("#flags > li")).to_have_count(0)

    # Ranked vote: three proposals left on the ballot (the hidden one dropped off).
    row(console, "Talk them through").get_by_role("button", name=re.compile("^Close")).click()
    row(console, "Choose one").get_by_role("button", name=re.compile("^Open")).click()
    expect(alys.locator("#vote")).to_be_visible()
    expect(alys.locator("#unranked > li")).to_have_count(3)
    alys.locator("#unranked > li", has_text="Bws nos").get_by_role("button", name=re.compile("Add to my ranking")).click()
    alys.locator("#unranked > li", has_text="A minibus").get_by_role("button", name=re.compile("Add to my ranking")).click()
    expect(alys.locator("#readback")).to_have_text("Your ranking: 1. Bws nos ar ddydd Sadwrn, 2. A minibus to the surgery")
    alys.click("#cast-button")
    expect(alys.locator("#receipt")).to_contain_text("Receipt code")
    receipt = alys.locator("#receipt strong").inner_text()

    bryn.locator("#unranked > li", has_text="Bws nos").locator("select").select_option("1")
    expect(bryn.locator("#ranked > li")).to_have_count(1)
    bryn.click("#cast-button")
    expect(bryn.locator("#receipt strong")).to_have_text(re.compile(r"^\w{4}-\w{4}-\w{4}$"))
    expect(console.locator("#count-ballots")).to_have_text("2")

    # A paper slip, typed with the keyboard: Enter records it and the cursor goes back to the top.
    paper = console.locator("#paper")
    paper.get_by_label("Canolfan trafnidiaeth gymunedol").fill("1")
    paper.get_by_label("A minibus to the surgery").fill("2")
    paper.get_by_label("A minibus to the surgery").press("Enter")
    expect(console.locator("#paper-count")).to_have_text("1")
    expect(console.locator("#count-ballots")).to_have_text("3")
    assert console.evaluate("document.activeElement.matches('#paper-rows .paper-row:first-child input')")
    assert console.evaluate("[...document.querySelectorAll('#paper-rows input')].every(i => i.value === '')")

    # Close, check the count, publish: the room's screen shows the result, citizens get the link.
    screen = console.context.new_page()
    screen.emulate_media(reduced_motion="reduce")
    screen.goto(f"/en/s/{FLOW_CODE}/present/")
    expect(screen.locator("#connection")).to_have_attribute("data-state", "connected")
    row(console, "Choose one").get_by_role("button", name=re.compile("^Close")).click()
    expect(row(console, "Choose one")).to_contain_text("Counted. Chosen: Bws nos ar ddydd Sadwrn.")
    expect(alys.locator("#results")).to_be_hidden()
    row(console, "Choose one").get_by_role("button", name=re.compile("^Publish")).click()
    expect(screen.locator("#present-results")).to_contain_text("Chosen: Bws nos ar ddydd Sadwrn")
    link = alys.locator("#results-list a", has_text="Choose one")
    expect(link).to_be_visible()
    expect(bryn.locator("#results-list a", has_text="Choose one")).to_be_visible()
    assert_not_reloaded(alys, bryn)

    link.click()
    expect(alys.locator(".winners")).to_have_text("Bws nos ar ddydd Sadwrn")
    expect(alys.locator("svg.chart").first).to_be_visible()
    expect(alys.locator("a[href$='.blt']")).to_be_visible()
    alys.fill("#receipt", receipt.lower())
    alys.press("#receipt", "Enter")
    expect(alys.locator("[role=status].callout")).to_contain_text("Yes: a ballot with this receipt code was counted.")
