"""Rounds on a schedule in the browser: a facilitator schedules a round by keyboard on a 320 px screen, a citizen
sees "Opens …" in UK time, and the round opens on their page by itself (the server's clock), without a reload."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, join, log_in
from tests.servers import manage, server_env

pytestmark = pytest.mark.browser

CODE = "SCH3BR"
TITLE = "Ideas by post and online"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip


def tab_to(page, target, most=12):
    """Press Tab until `target` has the focus (it must be reachable by keyboard)."""
    for _ in range(most):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_facilitator_schedules_by_keyboard_and_the_round_opens_live_for_a_citizen(new_context, server):
    citizen = new_context(width=320, height=800).new_page()
    join(citizen, CODE, "Alys")
    expect(citizen.locator("#coming-up")).to_be_hidden()

    console = new_context(width=320, height=800).new_page()
    log_in(console, f"/en/s/{CODE}/facilitate/")
    expect(console.locator("#connection")).to_have_attribute("data-state", "connected")
    row = console.locator("#rounds tr", has_text=TITLE)
    summary = row.locator("summary", has_text="Schedule")
    summary.focus()
    console.keyboard.press("Enter")  # opens the <details>
    opens_input = row.get_by_label("Opens at")
    expect(opens_input).to_be_visible()
    opens = (timezone.now() + timedelta(days=1)).astimezone(ZoneInfo("Europe/London"))
    opens = opens.replace(hour=10, minute=0, second=0, microsecond=0)
    closes = opens + timedelta(days=14)
    console.keyboard.press("Tab")
    expect(opens_input).to_be_focused()
    opens_input.fill(opens.strftime("%Y-%m-%dT%H:%M"))
    closes_input = row.get_by_label("Closes at")
    tab_to(console, closes_input)  # Tab steps through the date's parts first, then on to the next field
    closes_input.fill(closes.strftime("%Y-%m-%dT%H:%M"))
    tab_to(console, row.get_by_role("button", name=re.compile("^Save the schedule")))
    console.keyboard.press("Enter")
    expect(row.locator("[data-slot=feedback]")).to_have_text("The round's schedule is saved.")
    when = f"{opens.day} {MONTHS[opens.month - 1]} at 10:00"
    expect(row.locator("[data-slot=schedule-text]")).to_contain_text(f"Opens {when}")
    assert console.evaluate("document.documentElement.scrollWidth") <= 320 + 1, "the console scrolls sideways at 320 px"
    assert axe_violations(console) == []

    # The citizen's page hears of the schedule at once, in UK time and in words.
    item = citizen.locator("#coming-up-list li", has_text=TITLE)
    expect(item).to_contain_text(f"Opens {when}")
    expect(item).to_contain_text(f"Closes {closes.day} {MONTHS[closes.month - 1]} at 10:00")
    assert axe_violations(citizen) == []
    citizen.screenshot(path="/tmp/cyd-schedule-citizen.png", full_page=True)

    # A day is long for a test: the opening time is moved to a few seconds from now. Nobody presses Open.
    manage(
        server_env(server["schedule_database_url"]),
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; from deliberation.models import Round; "
        f"Round.objects.filter(session__code='{CODE}', title='{TITLE}').update(opens_at=timezone.now() + timedelta(seconds=3))",
    )
    current = citizen.locator("#current-round")
    expect(current.locator("[data-slot=title]")).to_have_text(TITLE, timeout=20_000)
    expect(citizen.locator("#propose")).to_be_visible()
    expect(citizen.locator("#coming-up")).to_be_hidden()
    # Open for two weeks: the days left and the date, not a second-by-second countdown.
    expect(current.locator("[data-slot=timer]")).to_contain_text(re.compile(r"Closes in 1[34] days \("))
    expect(row.locator("[data-slot=state]")).to_have_text("Open")
    # The open round's schedule form offers only its closing time.
    expect(row.get_by_label("Opens at")).to_be_hidden()
    assert axe_violations(citizen) == []
