"""The room's screen and the clock: bars that render, readable numbers, an unbroken join code, and a timer
that closes its round by itself (the server's worker, not a browser), watched from the console and the presenter.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.servers import Browserless, manage, server_env

pytestmark = pytest.mark.browser

PRESENTER_LINK = "Open the presenter screen"


def presenter_url(new_context, code):
    """Sign in as the facilitator and take the keyed presenter link from the console, as a facilitator does."""
    console = new_context().new_page()
    log_in(console, f"/en/s/{code}/facilitate/")
    expect(console.locator("#connection")).to_have_attribute("data-state", "connected")
    return console, console.get_by_role("link", name=PRESENTER_LINK).get_attribute("href")


def rows(screen):
    """Each bar row on the presenter as {name, votes, track, bar, classes}."""
    return screen.eval_on_selector_all(
        "#race .race__row",
        """rows => rows.map((row) => {
             const box = (el) => { const r = el.getBoundingClientRect(); return {width: r.width, height: r.height}; };
             return {name: row.querySelector('[data-slot=name]').textContent,
                     votes: row.querySelector('[data-slot=votes]').textContent,
                     track: box(row.querySelector('.race__track')), bar: box(row.querySelector('.race__bar')),
                     classes: row.className};
           })""",
    )


def test_room_can_see_bars_in_proportion_to_the_votes(new_context, server):
    """Item 4: the bars have a size on the projector, and their widths follow the votes."""
    _console, url = presenter_url(new_context, "TK7PRE")
    screen = new_context(width=1280, reduced_motion="reduce").new_page()  # the whole count at once, no animation
    screen.goto(url)
    stages = server["timers_stages"]
    expect(screen.locator("#present-results")).to_be_visible()
    expect(screen.locator("#present-results [data-slot=stage]")).to_have_text(f"Stage {len(stages)} of {len(stages)}")
    top = max(v for stage in stages for v in stage.values())
    final = stages[-1]
    shown = rows(screen)
    assert {r["name"] for r in shown} == set(final)
    for row in shown:
        assert row["track"]["width"] > 100 and row["track"]["height"] > 10, row
        expected = row["track"]["width"] * final[row["name"]] / top
        assert abs(row["bar"]["width"] - expected) <= 2, (row, expected)
        if final[row["name"]] > 0:
            assert row["bar"]["width"] > 0 and row["bar"]["height"] > 10, row
    screen.screenshot(path="/tmp/cyd-presenter-bars.png")


def test_room_can_read_counts_as_whole_numbers_and_decimals_only_from_transfers(new_context, server):
    """Item 11: "3" and "7" instead of "3.00000"; a transfer's "3.42855" keeps its decimals; earlier winners stay elected."""
    _console, url = presenter_url(new_context, "TK7PRE")
    screen = new_context(width=1280).new_page()
    screen.goto(url)
    stage = screen.locator("#present-results [data-slot=stage]")
    expect(stage).to_have_text("Stage 1 of 4")
    first = {r["name"]: r["votes"] for r in rows(screen)}
    assert first == {"Repair the footpath": "7", "Plant an orchard": "2", "Open a repair café": "3", "Paint the bus shelter": "2"}
    expect(stage).to_have_text("Stage 2 of 4", timeout=8000)
    second = {r["name"]: r for r in rows(screen)}
    assert second["Plant an orchard"]["votes"] == "3.42855" and second["Repair the footpath"]["votes"] == "5"
    # Elected at stage 1, still shown as elected while the count goes on.
    assert "race__row--elected" in second["Repair the footpath"]["classes"]
    expect(stage).to_have_text("Stage 4 of 4", timeout=12000)
    assert not re.search(r"\d\.\d*0\b", screen.locator("#present-results").inner_text())


def test_room_is_told_plainly_when_a_published_vote_has_no_result(new_context, server):
    """A published vote with no ballots: the projector says "No result" and why, and names no winner."""
    _console, url = presenter_url(new_context, "TK7NRS")
    screen = new_context(width=1280).new_page()
    screen.goto(url)
    results = screen.locator("#present-results")
    expect(results).to_be_visible()
    expect(results.locator("[data-slot=winners]")).to_have_text("No result: no ballots were cast.")
    expect(results).not_to_contain_text("Chosen")


# Where the characters of the code sit, wherever they are in the element's markup: one line means one top.
CODE_LINES = """(el, code) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let text = "", nodes = [];
  while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
  const at = text.indexOf(code);
  const find = (i) => { const [node, start] = nodes.filter(([, s]) => s <= i).pop(); return [node, i - start]; };
  const range = document.createRange();
  range.setStart(...find(at));
  range.setEnd(...find(at + code.length - 1));
  range.setEnd(range.endContainer, range.endOffset + 1);
  const rects = [...range.getClientRects()].filter((r) => r.width > 0);
  const s = getComputedStyle(el);
  return {lines: new Set(rects.map((r) => Math.round(r.top))).size,
          height: Math.max(...rects.map((r) => r.bottom)) - Math.min(...rects.map((r) => r.top)),
          line: parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.2};
}"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_room_can_read_the_join_code_on_one_line(new_context, server, width):
    """Item 14: the join URL wraps at its slashes, never inside the code; the big code is one line."""
    _console, url = presenter_url(new_context, "TK7PRE")
    screen = new_context(width=width, height=1080).new_page()
    screen.goto(url)
    expect(screen.locator(".present__url")).to_contain_text(re.compile(r"/s/TK7PRE/$"))
    for selector in (".present__url", ".present__code"):
        measured = screen.locator(selector).evaluate(CODE_LINES, "TK7PRE")
        assert measured["lines"] == 1, (selector, measured)
        assert measured["height"] <= measured["line"] * 1.3, (selector, measured)
    screen.screenshot(path=f"/tmp/cyd-presenter-join-{width}.png")


def test_round_closes_by_itself_when_its_timer_runs_out(new_context, server):
    """Item 9: the facilitator opens a vote with a timer and "close automatically"; the console and the room see
    the countdown; when time is up the server closes and counts the round with no click, and both screens follow."""
    console, url = presenter_url(new_context, "TK7TMR")
    row = console.locator("#rounds tr", has_text="Choose by the clock")
    row.locator("input[name=minutes]").fill("1")
    row.get_by_label("Close automatically when time is up").check()
    row.get_by_role("button", name=re.compile("^Open")).click()
    expect(row.locator("[data-slot=state]")).to_have_text("Open")
    timer = row.locator(".timer")
    expect(timer).to_contain_text(re.compile(r"Time left: (1:00|0:5\d)"))
    expect(timer).to_contain_text("closes automatically")
    console.screenshot(path="/tmp/cyd-console-countdown.png", full_page=True)
    before = timer.inner_text()
    time.sleep(2.2)
    assert timer.inner_text() != before, "the console's countdown does not tick"

    screen = new_context(width=1280).new_page()
    screen.goto(url)
    expect(screen.locator("#present-round .timer")).to_contain_text(re.compile(r"Time left: 0:[0-5]\d"))

    # Two people vote over real sockets.
    ids = server["timers_clock_proposals"]
    for n, ranking in enumerate(([ids[1], ids[0]], [ids[1]])):
        voter = Browserless(server["url"])
        voter.join("TK7TMR", f"Voter {n}")
        socket = voter.socket("TK7TMR")
        round_id = next(r["id"] for r in socket.state["payload"]["rounds"] if r["state"] == "open")
        socket.ok("ballot.cast", {"round": round_id, "ranking": ranking})
        socket.close()

    # A minute is long for a test: the timer is moved to end 8 seconds from now, then both screens reload.
    env = server_env(server["timers_database_url"])
    manage(
        env,
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; "
        "from deliberation.models import Round; Round.objects.filter(session__code='TK7TMR', state='open')"
        ".update(closes_at=timezone.now() + timedelta(seconds=8))",
    )
    console.reload()
    screen.reload()
    expect(timer).to_contain_text(re.compile(r"Time left: 0:0\d"))
    expect(screen.locator("#present-round .timer")).to_contain_text(re.compile(r"Time left: 0:0\d"))

    # Nobody clicks: the round closes by itself within moments of time up, is counted, and both screens follow
    # (the daphne process serving these sockets keeps the clock too, so "Time is up" may never need showing).
    expect(row.locator("[data-slot=state]")).to_have_text("Closed", timeout=15_000)
    expect(row.locator("[data-slot=counted]")).to_contain_text("Plant an orchard")
    expect(screen.locator("#present-round [data-slot=title]")).to_have_text("Waiting for the next round")
    expect(screen.locator("#present-round [data-slot=closed]")).to_contain_text("Choose by the clock")
    expect(screen.locator("#present-round .timer")).to_be_hidden()
    screen.screenshot(path="/tmp/cyd-presenter-closed.png")

    # The facilitator publishes; the room sees the count with its bars.
    row.get_by_role("button", name=re.compile("^Publish results")).click()
    expect(screen.locator("#present-results")).to_be_visible()
    expect(screen.locator("#present-results [data-slot=winners]")).to_contain_text("Plant an orchard", timeout=15_000)
    bars = rows(screen)
    assert all(r["track"]["width"] > 0 and r["track"]["height"] > 0 for r in bars), bars
    assert any(r["bar"]["width"] > 0 for r in bars), bars
