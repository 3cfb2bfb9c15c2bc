"""What a citizen meets on the day (issue 8): a ballot queued offline and refused, a session that ends,
a session not started yet, a reload in the middle of ranking, and the join form's spacing.

Sessions come from tests/browser/setup/citizen.py; the facilitator acts over a real socket.
"""

import re
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FACILITATOR, axe_violations, join
from tests.servers import Browserless

pytestmark = pytest.mark.browser


@contextmanager
def facilitator_socket(server, code):
    """The demo facilitator's socket on a session (what the console sends, without the console)."""
    person = Browserless(server["url"])
    person.login(*FACILITATOR)
    sock = person.socket(code)
    try:
        yield sock
    finally:
        sock.close()


def add_to_ranking(page, title):
    """Press a proposal's "Add to my ranking" button."""
    page.locator("#unranked > li", has_text=title).get_by_role("button", name=re.compile("Add to my ranking")).click()


def proposal(page, title):
    """A proposal on the citizen's page, by its title."""
    return page.locator("#proposals > li", has_text=title)


def test_citizen_can_see_that_a_ballot_queued_offline_was_not_counted(new_context, server):
    # Cadi casts while offline (no ballot yet); Dewi changes a ballot already counted while offline.
    cadi_context = new_context(width=390)
    cadi = cadi_context.new_page()
    join(cadi, "CQ3VTE", name="Cadi")
    dewi_context = new_context(width=390)
    dewi = dewi_context.new_page()
    join(dewi, "CQ3VTE", name="Dewi")
    add_to_ranking(dewi, "Plant an orchard")
    dewi.click("#cast-button")
    expect(dewi.locator("#receipt")).to_contain_text("Your ballot is recorded")
    receipt = dewi.locator("#receipt strong").inner_text()

    add_to_ranking(cadi, "Repair the footpath")
    add_to_ranking(dewi, "Open a repair café")
    for context, page in ((cadi_context, cadi), (dewi_context, dewi)):
        context.set_offline(True)
        expect(page.locator("#connection")).to_have_attribute("data-state", re.compile("offline|reconnecting"))
        page.click("#cast-button")
        expect(page.locator("#ballot-form [data-slot=feedback]")).to_have_text(
            "You are offline. This will be sent when the connection is back."
        )

    with facilitator_socket(server, "CQ3VTE") as fac:
        fac.ok("round.close", {"round": server["citizen_offline_round"]})
        for context, page in ((cadi_context, cadi), (dewi_context, dewi)):
            context.set_offline(False)
            expect(page.locator("#connection")).to_have_attribute("data-state", "connected", timeout=15_000)
            expect(page.locator("#vote")).to_be_hidden()

        # Where they look: at the top of the live area, in a region read out by screen readers.
        notices = cadi.locator("#notices")
        assert notices.get_attribute("aria-live") == "assertive"
        expect(notices).to_have_text(re.compile(r"^\s*Your ballot was not counted: the round closed before it arrived\."))
        expect(dewi.locator("#notices")).to_contain_text(
            f"Your change was not counted: the round closed before it arrived. Your earlier ballot counted "
            f"(receipt code {receipt})."
        )
        expect(cadi.locator("#connection .connection__text")).not_to_contain_text("Waiting to send")
        assert axe_violations(cadi) == []

        # The notice stays when the next round opens and the page changes under it, until dismissed.
        fac.ok("round.open", {"round": server["citizen_offline_next"]})
        expect(cadi.locator("#current-heading")).to_have_text("Next steps")
        expect(cadi.locator("#notices")).to_contain_text("Your ballot was not counted")
        box = cadi.locator("#notices > *").first.bounding_box()
        assert box["y"] < cadi.locator("#current-round").bounding_box()["y"]
        cadi.locator("#notices").get_by_role("button", name="Hide this message").click()
        expect(cadi.locator("#notices > *")).to_have_count(0)


def test_citizen_sees_the_session_end_live_and_after_a_reload(new_context, server):
    eirlys = new_context(width=390).new_page()
    join(eirlys, "CE4END", name="Eirlys")
    eirlys.evaluate("window.__sameDocument = true")
    # Ffion is offline with a report waiting to be sent when the session ends.
    ffion_context = new_context(width=390)
    ffion = ffion_context.new_page()
    join(ffion, "CE4END", name="Ffion", lang="cy")
    ffion_context.set_offline(True)
    expect(ffion.locator("#connection")).to_have_attribute("data-state", re.compile("offline|reconnecting"))
    proposal(ffion, "Plant an orchard").locator(".flag-form button").click()

    with facilitator_socket(server, "CE4END") as fac:
        fac.ok("session.end")

    def assert_ended(page):
        expect(page.locator("#current-heading")).to_have_text("This session has ended")
        link = page.locator("#current-round a", has_text="Choose")
        expect(link).to_have_attribute("href", f"/en/s/CE4END/results/{server['citizen_ended_round']}/")
        expect(page.locator(".flag-form button").first).to_be_hidden()
        expect(page.locator("#rename")).to_be_hidden()
        expect(page.get_by_text("Waiting for the next round")).to_have_count(0)

    assert_ended(eirlys)  # live, from the session.ended event
    assert axe_violations(eirlys) == []
    assert eirlys.evaluate("window.__sameDocument === true")
    expect(eirlys.locator("#announcer")).to_contain_text("This session has ended")
    eirlys.reload()
    assert_ended(eirlys)  # rendered by the server
    expect(eirlys.locator("#connection")).to_have_attribute("data-state", "connected")
    assert_ended(eirlys)

    # The report queued offline is refused, and Ffion is told so in Welsh instead of being thanked.
    ffion_context.set_offline(False)
    expect(ffion.locator("#connection")).to_have_attribute("data-state", "connected", timeout=15_000)
    expect(ffion.locator("#current-heading")).to_have_text("Mae’r sesiwn hon wedi dod i ben")
    expect(ffion.locator("#notices")).to_contain_text(
        "Ni roddwyd gwybod i’r hwylusydd. Mae’r sesiwn hon wedi dod i ben: nid yw’n derbyn rhagor"
    )
    expect(proposal(ffion, "Plant an orchard").locator(".flag-form")).not_to_contain_text("Diolch")


def test_citizen_sees_when_the_session_starts_and_what_will_happen(new_context):
    page = new_context(width=390, timezone_id="Europe/London").new_page()
    page.goto("/en/s/CW6AMR/")
    plan = page.locator("#plan")
    expect(plan).to_contain_text("Starts: Thursday 20 June 2030 at 18:30, UK time")
    expect(plan).to_contain_text("2 rounds of proposals")
    expect(plan).to_contain_text("1 round of comments")
    expect(plan).to_contain_text("1 ranked vote")
    expect(page.locator("#plan [data-slot=local-time]")).to_be_hidden()  # the browser is on UK time already
    assert "Secret draft" not in page.content()
    # The "Take part" button does not touch the box under it (its shadow included).
    button = page.get_by_role("button", name="Take part").bounding_box()
    box = page.locator(".callout").last.bounding_box()
    assert box["y"] - (button["y"] + button["height"]) >= 16
    assert axe_violations(page) == []

    page.fill("#id_name", "Gwen")
    page.press("#id_name", "Enter")
    page.wait_for_selector("#connection[data-state=connected]")
    expect(page.locator("#current-heading")).to_have_text("Waiting for the session to start")
    expect(plan).to_be_visible()
    expect(plan).to_contain_text("Residents of Llanrwst choose how to spend the village green fund.")
    expect(plan).to_contain_text("Starts: Thursday 20 June 2030 at 18:30, UK time")
    expect(plan).to_contain_text("2 rounds of proposals")
    assert "Secret draft" not in page.content()
    assert axe_violations(page) == []

    # In Welsh, in New York: the UK time in Welsh, and the same moment in the browser's own zone.
    welsh = new_context(width=390, timezone_id="America/New_York").new_page()
    welsh.goto("/cy/s/CW6AMR/")
    plan = welsh.locator("#plan")
    expect(plan).to_contain_text("Amser dechrau: Dydd Iau 20 Mehefin 2030 am 18:30, amser y DU")
    expect(plan).to_contain_text("2 rownd o gynigion")
    expect(plan).to_contain_text("1 pleidlais yn ôl trefn blaenoriaeth")
    expect(welsh.locator("#plan [data-slot=local-time]")).to_have_text(
        re.compile(r"Yn eich cylchfa amser chi: Dydd Iau 20 Mehefin 2030 am 13:30 \(.+\)")
    )
    welsh.fill("#id_name", "")
    welsh.press("#id_name", "Enter")
    welsh.wait_for_selector("#connection[data-state=connected]")
    expect(welsh.locator("#current-heading")).to_have_text("Yn aros i’r sesiwn ddechrau")
    expect(welsh.locator("#plan [data-slot=local-time]")).to_contain_text("am 13:30")


def test_citizen_keeps_an_uncast_ranking_through_a_reload(new_context, server):
    page = new_context(width=390).new_page()
    join(page, "CR7RNK", name="Heledd")
    readback = page.locator("#readback")
    add_to_ranking(page, "Open a repair café")
    add_to_ranking(page, "Repair the footpath")
    expect(readback).to_have_text("Your ranking: 1. Open a repair café, 2. Repair the footpath")

    page.reload()
    page.wait_for_selector("#connection[data-state=connected]")
    expect(readback).to_have_text("Your ranking: 1. Open a repair café, 2. Repair the footpath")
    expect(page.locator("#ranked > li")).to_have_count(2)
    expect(page.locator("#cast-button")).to_have_text("Cast my ballot")

    page.click("#cast-button")
    expect(page.locator("#receipt")).to_contain_text("Your ballot is recorded")
    # A change not cast yet survives a reload too; the cast ballot stays recorded meanwhile.
    page.locator("#ranked > li", has_text="Repair the footpath").get_by_role("button", name=re.compile("^Up")).click()
    page.reload()
    page.wait_for_selector("#connection[data-state=connected]")
    expect(readback).to_have_text("Your ranking: 1. Repair the footpath, 2. Open a repair café")
    expect(page.locator("#cast-button")).to_have_text("Change my ballot")

    # Nothing is left on the device once the round is no longer open.
    with facilitator_socket(server, "CR7RNK") as fac:
        fac.ok("round.close", {"round": server["citizen_reload_round"]})
    expect(page.locator("#vote")).to_be_hidden()
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.includes('CR7RNK'))") == []
