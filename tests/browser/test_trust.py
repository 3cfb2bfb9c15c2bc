"""The room's screen says how far a published result can be trusted (issue 9)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_presenter_timers import presenter_url

pytestmark = pytest.mark.browser


def test_room_can_read_how_far_a_published_result_can_be_trusted(new_context, server):
    _console, url = presenter_url(new_context, "TRUCRD")
    screen = new_context(width=1280, reduced_motion="reduce").new_page()
    screen.goto(url)
    expect(screen.locator("#present-results")).to_be_visible()
    expect(screen.locator("#present-results [data-slot=trust]")).to_have_text("Voting cards · Ballots counted: 2 (1 on paper)")
    results = new_context().new_page()
    results.goto(f"/en/s/TRUCRD/results/{server['trust_round']}/")
    expect(results.locator("#trust")).to_contain_text("Voting cards · Ballots counted: 2 (1 on paper)")
    expect(results.locator("#trust")).to_contain_text("Cards issued")
