"""The console's "Who may vote": the mode and its lock, cards, the sign-in list, admission, paper slips with cards,
double entry and the reconciliation of a closed vote. Sessions come from tests/browser/setup/eligibility_console.py.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, log_in
from tests.servers import Browserless

pytestmark = pytest.mark.browser


def console_for(new_context, code, **options):
    """A signed-in facilitator's console on a session, connected."""
    page = new_context(width=1280, **options).new_page()
    log_in(page, f"/en/s/{code}/facilitate/")
    if options.get("java_script_enabled", True):
        expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    return page


def row(console, title):
    return console.locator("#rounds tr", has_text=title)


def test_facilitator_can_set_the_mode_and_cannot_change_it_once_a_vote_opens(new_context, server):
    console = console_for(new_context, "GM4DEA")
    section = console.locator("#eligibility")
    expect(section.get_by_role("radio", name=re.compile("^Open"))).to_be_checked()
    expect(console.locator("#elig-locked")).to_be_hidden()
    section.get_by_role("radio", name=re.compile("^Voting cards")).check()
    section.get_by_role("button", name="Save who may vote").click()
    expect(section.locator("#elig-form [data-slot=feedback]")).to_have_text("Who may vote is saved.")
    expect(console.locator("#elig-cards")).to_be_visible()
    expect(console.locator("#paper-card-box")).to_be_attached()

    row(console, "Choose").get_by_role("button", name=re.compile("^Open")).click()
    expect(row(console, "Choose").locator("[data-slot=state]")).to_have_text("Open")
    expect(console.locator("#elig-locked")).to_be_visible()
    expect(console.locator("#elig-locked")).to_contain_text("cannot change while a vote round is open")
    expect(section.get_by_role("radio", name=re.compile("^Admission"))).to_be_disabled()
    console.reload()
    expect(console.locator("#elig-locked")).to_be_visible()
    expect(console.get_by_role("radio", name=re.compile("^Voting cards"))).to_be_checked()
    expect(console.get_by_role("radio", name=re.compile("^Voting cards"))).to_be_disabled()


def test_facilitator_can_make_cards_and_see_the_counts(new_context, server):
    console = console_for(new_context, "GC4RDS")
    counts = console.locator("#cards-counts")
    expect(counts).to_have_text("Voting cards: 3 issued, 1 used online, 0 used on paper, 2 unused")
    console.fill("#cards-count", "5")
    console.get_by_role("button", name="Make more cards").click()
    expect(counts).to_have_text("Voting cards: 8 issued, 1 used online, 0 used on paper, 7 unused")
    expect(console.locator("#cards-print")).to_have_attribute("href", re.compile(r"/s/GC4RDS/cards/$"))


def test_facilitator_cannot_enter_a_paper_slip_with_a_card_that_voted_online(new_context, server):
    console = console_for(new_context, "GC4RDS")
    paper = console.locator("#paper form")
    paper.locator("#paper-rows input").first.fill("1")
    console.fill("#paper-card", server["gc_used_card"].lower().replace("-", " "))
    paper.get_by_role("button", name="Record this slip").click()
    expect(paper.locator("[data-slot=feedback]")).to_have_text("This voting card has already been used.")
    console.fill("#paper-card", server["gc_free_card"])
    paper.get_by_role("button", name="Record this slip").click()
    expect(paper.locator("[data-slot=feedback]")).to_have_text(re.compile(r"^Slip \d+ recorded\."))
    slip = console.locator("#paper-slips li").last
    expect(slip).to_contain_text(re.compile(r"Slip \d+ in “Choose” \(card 2\)"))


def test_facilitator_can_add_and_remove_people_on_the_sign_in_list(new_context, server):
    console = console_for(new_context, "GS7GNA")
    voters = console.locator("#voters")
    expect(voters.locator("li")).to_have_count(1)
    expect(voters).to_contain_text("panel-anwen")
    console.fill("#voter-username", "panel-bryn")
    console.get_by_role("button", name="Add to the list").click()
    expect(voters.locator("li")).to_have_count(2)
    expect(voters).to_contain_text("panel-bryn")
    voters.get_by_role("button", name=re.compile(r"^Remove\W+panel-anwen$")).click()
    expect(voters.locator("li")).to_have_count(1)
    expect(voters).not_to_contain_text("panel-anwen")
    console.fill("#voter-username", "nobody-by-that-name")
    console.get_by_role("button", name="Add to the list").click()
    expect(console.locator("#elig-signin form[data-action='voter.add'] [data-slot=feedback]")).to_have_text(
        "No one has that username."
    )
    console.reload()
    expect(console.locator("#voters li")).to_have_count(1)
    expect(console.locator("#voters")).to_contain_text("panel-bryn")


def test_facilitator_can_admit_one_and_refuse_one_from_the_queue(new_context, server):
    console = console_for(new_context, "GA3DMT")
    queue = console.locator("#admission-queue")
    expect(console.locator("#no-queue")).to_be_visible()
    Browserless(server["url"]).join("GA3DMT", "Elin")
    Browserless(server["url"]).join("GA3DMT", "")
    expect(queue.locator("li")).to_have_count(2)  # live, without reloading
    expect(queue).to_contain_text("Elin")
    expect(queue).to_contain_text("Anonymous participant")
    queue.get_by_role("button", name=re.compile(r"^Admit\W+Elin$")).click()
    expect(queue.locator("li")).to_have_count(1)
    queue.get_by_role("button", name=re.compile(r"^Refuse\W+Anonymous participant$")).click()
    expect(queue.locator("li")).to_have_count(0)
    expect(console.locator("#no-queue")).to_be_visible()
    console.reload()
    expect(console.locator("#admission-queue li")).to_have_count(0)


def test_facilitator_cannot_publish_until_double_entry_differences_are_resolved(new_context, server):
    console = console_for(new_context, "GD7BLE")
    panel = console.locator(".reconciliation", has_text="“Choose”")
    differences = panel.locator("[data-slot=differences]")
    expect(differences.locator("li")).to_have_count(1)
    expect(differences).to_contain_text(
        "Slip 1: first typing 1. Repair the footpath, 2. Plant an orchard; "
        "checking copy 1. Plant an orchard, 2. Repair the footpath"
    )
    publish = row(console, "Choose").get_by_role("button", name=re.compile("^Publish"))
    expect(publish).to_be_disabled()
    # The first typing was wrong: void it, and the difference is resolved.
    first = console.locator("#paper-slips li", has_text="Slip 1 in").filter(has_not_text="checking copy")
    first.get_by_label(re.compile("^Reason for voiding")).fill("Misread the slip")
    first.get_by_role("button", name=re.compile("^Void")).click()
    expect(differences.locator("li")).to_have_count(0)
    expect(panel.locator("[data-slot=differences-box]")).to_be_hidden()
    expect(publish).to_be_enabled()
    publish.click()
    expect(row(console, "Choose").locator("[data-slot=state]")).to_have_text("Results published")


def test_facilitator_sees_the_reconciliation_after_closing_a_cards_vote(new_context, server):
    console = console_for(new_context, "GR3CNC")
    row(console, "Choose").get_by_role("button", name=re.compile("^Close")).click()
    panel = console.locator("#reconciliation-" + row(console, "Choose").get_attribute("data-id"))
    expect(panel).to_be_visible()
    figures = {
        "cards_issued": "4",
        "cards_used_online": "1",
        "cards_used_on_paper": "1",
        "cards_unused": "2",
        "online_ballots": "1",
        "paper_slips": "2",
        "voided_count": "1",
        "ballots_counted": "2",
    }
    for name, value in figures.items():
        expect(panel.locator(f"[data-slot={name}]")).to_have_text(value)
    expect(panel.locator("[data-slot=voided]")).to_contain_text("voided: Typed twice")
    expect(console.locator("#cards-counts")).to_have_text("Voting cards: 4 issued, 1 used online, 1 used on paper, 2 unused")
    console.reload()
    for name, value in figures.items():
        expect(console.locator(f"#reconciliation [data-slot={name}]")).to_have_text(value)


def test_facilitator_can_choose_cards_and_make_them_without_javascript(new_context, server):
    console = console_for(new_context, "GK4NJS", java_script_enabled=False)
    console.get_by_role("radio", name=re.compile("^Voting cards")).check()
    console.get_by_role("button", name="Save who may vote").click()
    expect(console.locator("main")).to_contain_text("Who may vote is saved.")
    expect(console.get_by_role("radio", name=re.compile("^Voting cards"))).to_be_checked()
    console.fill("#cards-count", "3")
    console.get_by_role("button", name="Make more cards").click()
    expect(console.locator("#cards-counts")).to_have_text("Voting cards: 3 issued, 0 used online, 0 used on paper, 3 unused")
    expect(console.locator("#paper-card-box")).to_be_attached()


@pytest.mark.parametrize("code", ["GC4RDS", "GS7GNA"])
def test_facilitator_console_with_who_may_vote_passes_axe_at_320_px(new_context, server, code):
    console = console_for(new_context, code)
    console.set_viewport_size({"width": 320, "height": 800})
    expect(console.locator("#eligibility")).to_be_visible()
    assert axe_violations(console) == []
    assert console.evaluate("document.documentElement.scrollWidth") <= 320


def test_facilitator_sees_a_long_queue_fifty_at_a_time(new_context, server):
    console = console_for(new_context, "GQ7MNY")
    queue = console.locator("#admission-queue > li")
    expect(queue).to_have_count(50)
    expect(console.locator("#queue-total")).to_have_text("(55)")
    expect(queue.first).to_contain_text("Person 1")
    console.get_by_role("link", name="Show more").click()
    expect(queue).to_have_count(55)
    expect(console.locator("#connection")).to_have_attribute("data-state", "connected")
    expect(queue).to_have_count(55)  # the live page keeps the second page it was given
    expect(console.get_by_role("link", name="Show more")).to_be_hidden()
    queue.filter(has_text="Person 53").get_by_role("button", name=re.compile("^Admit")).click()
    expect(queue).to_have_count(54)
    expect(console.locator("#queue-total")).to_have_text("(54)")
