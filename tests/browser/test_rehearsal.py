"""A whole event rehearsed as a Public Services Board would run it, in real Chromium.

A facilitator and three citizens (Alys in English, Bryn in Welsh, Ceri by keyboard only), a late
joiner, the room's screen: proposals with a merge undone, comments, a ranked vote on a timer that
closes by itself, a citizen whose ballot waited offline past the close, a reload mid-vote, paper
slips with one voided, and the published count with its bars on the projector.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import join, log_in
from tests.servers import manage, server_env

pytestmark = pytest.mark.browser

CODE = "RH3ARS"


def tab_to(page, selector, within="", limit=120):
    """Press Tab until the focused element matches `selector` (inside a list item with `within` in its text)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            """([s, w]) => { const el = document.activeElement;
                 return !!el && el.matches(s) && (!w || (el.closest('li') || el).textContent.includes(w)); }""",
            [selector, within],
        ):
            return
    raise AssertionError(f"Tab never reached {selector} {within}")


def row(console, title):
    return console.locator("#rounds tr", has_text=title)


def item(page, title):
    return page.locator("#proposals > li", has_text=title)


def moderated(console, title):
    return console.locator("#mod-proposals > li").filter(has=console.locator("h3", has_text=title))


def add_to_ranking(page, title):
    page.locator("#unranked > li", has_text=title).get_by_role("button", name=re.compile("Add to my ranking")).click()


def slip(console, title):
    """Type a paper slip with one first preference, and wait until the console has recorded it."""
    before = int(console.locator("#paper-count").inner_text())
    console.locator("#paper").get_by_label(title).fill("1")
    console.locator("#paper").get_by_label(title).press("Enter")
    expect(console.locator("#paper-count")).to_have_text(str(before + 1))


def test_facilitator_and_three_citizens_can_run_a_whole_event(new_context, server):
    console = new_context(width=1280).new_page()
    log_in(console, f"/en/s/{CODE}/facilitate/")
    expect(console.locator("#connection")).to_have_attribute("data-state", "connected")
    screen = new_context(width=1280, reduced_motion="reduce").new_page()
    screen.goto(console.get_by_role("link", name="Open the presenter screen").get_attribute("href"))
    expect(screen.locator("#connection")).to_have_attribute("data-state", "connected")

    # Three citizens join before the start: they see when it starts and what will happen, in their language.
    alys_context = new_context(width=390)
    alys = alys_context.new_page()
    join(alys, CODE, name="Alys")
    bryn = new_context(width=390).new_page()
    join(bryn, CODE, name="Bryn", lang="cy")
    ceri = new_context(width=1280).new_page()
    ceri.goto(f"/en/s/{CODE}/")
    tab_to(ceri, "#id_name")
    ceri.keyboard.type("Ceri")
    ceri.keyboard.press("Enter")
    ceri.wait_for_selector("#connection[data-state=connected]")
    expect(alys.locator("#plan")).to_contain_text("1 round of proposals")
    expect(alys.locator("#plan")).to_contain_text("Starts:")
    expect(bryn.locator("#plan")).to_contain_text("Amser dechrau:")
    expect(console.locator("#count-participants")).to_have_text("3")

    # Proposals: one each (Ceri by keyboard), and Bryn's duplicate.
    row(console, "Ideas").get_by_role("button", name=re.compile("^Open")).click()
    alys.fill("#proposal-title", "A minibus to the surgery")
    alys.press("#proposal-title", "Enter")
    tab_to(ceri, "#proposal-title")
    ceri.keyboard.type("Later buses on market days")
    ceri.keyboard.press("Enter")
    expect(ceri.locator("#propose [data-slot=feedback]")).to_have_text("Your proposal has been added.")
    for title in ("Bws mini i’r feddygfa", "Lifft gan gymdogion"):
        bryn.fill("#proposal-title", title)
        bryn.press("#proposal-title", "Enter")
        expect(item(bryn, title).locator(".mine-tag")).to_be_visible()
    expect(console.locator("#count-proposals")).to_have_text("4")

    # The facilitator merges Bryn's minibus into Alys's, then sees it was a different idea and undoes it.
    duplicate = moderated(console, "Bws mini i’r feddygfa")
    kept_id = moderated(console, "A minibus to the surgery").get_attribute("data-id")
    duplicate.locator("select[name=into]").select_option(kept_id)
    duplicate.get_by_role("button", name="Merge").click()
    expect(item(alys, "A minibus to the surgery")).to_contain_text("Bws mini i’r feddygfa")
    expect(item(alys, "Bws mini i’r feddygfa")).to_have_count(1)  # only inside the kept one
    duplicate.get_by_label("Reason for undoing the merge").fill("A different route: through the valley")
    duplicate.get_by_role("button", name=re.compile("^Undo merge")).click()
    expect(duplicate).not_to_contain_text("Merged into #")
    expect(alys.locator("#proposals > li .proposal__title", has_text="Bws mini i’r feddygfa")).to_have_count(1)
    expect(item(alys, "A minibus to the surgery")).not_to_contain_text("Bws mini")

    # Comments: Ceri comments by keyboard; Alys sees it live.
    row(console, "Ideas").get_by_role("button", name=re.compile("^Close")).click()
    row(console, "Talk them through").get_by_role("button", name=re.compile("^Open")).click()
    expect(ceri.locator("#current-heading")).to_have_text("Talk them through")
    tab_to(ceri, "#proposals > li:first-child summary")
    ceri.keyboard.press("Enter")
    tab_to(ceri, "#proposals > li:first-child textarea")
    ceri.keyboard.type("Would it run on Sundays?")
    tab_to(ceri, "#proposals > li:first-child .comment-form button[type=submit]")
    ceri.keyboard.press("Enter")
    expect(item(alys, "A minibus to the surgery").locator(".comment")).to_contain_text("Would it run on Sundays?")
    row(console, "Talk them through").get_by_role("button", name=re.compile("^Close")).click()

    # The vote opens on a one-minute timer that closes it by itself.
    vote = row(console, "Choose one")
    vote.locator("input[name=minutes]").fill("1")
    vote.get_by_label("Close automatically when time is up").check()
    vote.get_by_role("button", name=re.compile("^Open")).click()
    expect(vote.locator(".timer")).to_contain_text(re.compile(r"Time left: (1:00|0:5\d)"))
    expect(screen.locator("#present-round .timer")).to_contain_text("Time left")

    # Alys's signal goes: she ranks and casts, and the ballot waits on her phone.
    alys_context.set_offline(True)
    expect(alys.locator("#connection")).to_have_attribute("data-state", re.compile("offline|reconnecting"))
    add_to_ranking(alys, "Lifft gan gymdogion")
    alys.click("#cast-button")

    # Bryn votes in Welsh with the rank numbers.
    bryn.locator("#unranked > li", has_text="A minibus").locator("select").select_option("1")
    bryn.click("#cast-button")
    expect(bryn.locator("#receipt strong")).to_have_text(re.compile(r"^\w{4}-\w{4}-\w{4}$"))

    # Ceri ranks by keyboard, reloads before casting (the ranking stays on the device), then casts.
    tab_to(ceri, "#unranked [data-move=add]", within="A minibus")
    ceri.keyboard.press("Enter")
    expect(ceri.locator("#readback")).to_have_text("Your ranking: 1. A minibus to the surgery")
    ceri.reload()
    ceri.wait_for_selector("#connection[data-state=connected]")
    expect(ceri.locator("#readback")).to_have_text("Your ranking: 1. A minibus to the surgery")
    tab_to(ceri, "#cast-button")
    ceri.keyboard.press("Enter")
    expect(ceri.locator("#receipt")).to_contain_text("Receipt code")
    receipt = ceri.locator("#receipt strong").inner_text()

    # Dai arrives late, joins from the code and votes.
    dai = new_context(width=320).new_page()
    dai.goto("/en/join/")
    dai.fill("#id_code", CODE.lower())
    dai.press("#id_code", "Enter")
    dai.fill("#id_name", "")
    dai.press("#id_name", "Enter")
    dai.wait_for_selector("#connection[data-state=connected]")
    add_to_ranking(dai, "Later buses")
    dai.click("#cast-button")
    expect(dai.locator("#receipt")).to_contain_text("Receipt code")

    # Paper slips from the room: three typed, one of them twice by mistake and voided with a reason.
    for title in ("A minibus to the surgery", "Lifft gan gymdogion", "Lifft gan gymdogion"):
        slip(console, title)
    slips = console.locator("#paper-slips > li")
    expect(slips).to_have_count(3)
    slips.nth(2).get_by_label(re.compile("Reason for voiding")).fill("Slip 2 typed twice")
    slips.nth(2).get_by_role("button", name=re.compile("^Void")).click()
    expect(slips.nth(2)).to_contain_text("Voided: Slip 2 typed twice")
    expect(console.locator("#count-ballots")).to_have_text("5")  # Bryn, Ceri, Dai and two valid slips

    # A minute is long for a test: the timer is moved to end in a few seconds; nobody presses Close.
    manage(
        server_env(server["rehearsal_database_url"]),
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; from deliberation.models import Round; "
        f"Round.objects.filter(session__code='{CODE}', state='open')"
        ".update(closes_at=timezone.now() + timedelta(seconds=6))",
    )
    console.reload()
    vote = row(console, "Choose one")
    expect(vote.locator("[data-slot=state]")).to_have_text("Closed", timeout=20_000)
    expect(vote.locator("[data-slot=counted]")).to_contain_text("A minibus to the surgery")
    # Citizens' pages follow at once (each daphne process keeps the clock for its own sockets).
    expect(bryn.locator("#vote")).to_be_hidden(timeout=4_000)

    # Alys comes back after the close: her phone tells her plainly that her ballot did not count.
    alys_context.set_offline(False)
    expect(alys.locator("#notices")).to_contain_text("Your ballot was not counted", timeout=20_000)

    # Published: the room sees the count with bars that have a size; everyone gets the results link.
    vote.get_by_role("button", name=re.compile("^Publish")).click()
    results = screen.locator("#present-results")
    expect(results.locator("[data-slot=winners]")).to_contain_text("A minibus to the surgery", timeout=15_000)
    bars = screen.eval_on_selector_all(
        "#race .race__row .race__track",
        "ts => ts.map((t) => [t.getBoundingClientRect().width, t.getBoundingClientRect().height])",
    )
    assert bars and all(width > 100 and height > 10 for width, height in bars), bars
    screen.screenshot(path="/tmp/cyd-rehearsal-presenter.png")
    link = bryn.locator("#results-list a", has_text="Choose one")
    expect(link).to_be_visible()
    link.click()
    expect(bryn.locator(".winners")).to_have_text("A minibus to the surgery")
    bryn.screenshot(path="/tmp/cyd-rehearsal-results-cy.png", full_page=True)
    ceri.goto(f"/en/s/{CODE}/results/{bryn.url.rstrip('/').split('/')[-1]}/?receipt={receipt.replace('-', ' ').lower()}")
    expect(ceri.locator("[role=status].callout")).to_contain_text("Yes: a ballot with this receipt code was counted.")

    # The audit log tells the story in words, with the reasons.
    console.goto(f"/en/s/{CODE}/log/")
    log = console.locator("main")
    expect(log).to_contain_text("A different route: through the valley")
    expect(log).to_contain_text("Slip 2 typed twice")
    expect(log).not_to_contain_text("proposal.unmerged proposal.unmerged")
