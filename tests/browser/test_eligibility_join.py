"""Citizens join each eligibility mode in real Chromium: told the mode first, asked for what it needs, voting only if eligible."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

CARDS, SIGNIN, ADMISSION, OPEN, CHANGING = "EC4RDX", "EU7GNN", "EA3DMT", "EP6NVE", "EW4TCH"
RECEIPT = re.compile(r"\w{4}-\w{4}-\w{4}")


def _vote(page):
    """Rank the first proposal and cast the ballot; wait for the receipt."""
    page.click("#unranked .rank-item:first-child [data-move=add]")
    page.click("#cast-button")
    expect(page.locator("#receipt strong")).to_have_text(RECEIPT)


def _focused_error_summary(page):
    """The refused form's error summary has the keyboard focus (read out first)."""
    return page.evaluate("document.activeElement && document.activeElement.classList.contains('error-summary')")


@pytest.mark.parametrize("lang,card_index", [("en", 0), ("cy", 1)])
def test_citizen_can_vote_with_the_card_from_the_qr_link_once(new_context, server, lang, card_index):
    card = server["ej_cards"][card_index]
    link = f"/{lang}/s/{CARDS}/?card={card.replace('-', '').lower()}"  # as a QR code scanner opens it
    page = new_context(width=320).new_page()
    page.goto(link)
    assert page.get_attribute("html", "lang") == ("cy" if lang == "cy" else "en-GB")
    expect(page.locator("#who-votes")).to_have_attribute("data-mode", "cards")
    if lang == "en":
        expect(page.locator("#who-votes")).to_contain_text("You need your voting card to vote.")
    expect(page.locator("#id_card")).to_have_value(card)
    page.fill("#id_name", f"Card holder {lang}")
    page.press("#id_name", "Enter")
    page.wait_for_selector("#connection[data-state=connected]")
    expect(page.locator("#watching")).to_be_hidden()
    expect(page.locator("#vote")).to_be_visible()
    _vote(page)

    # The same card in another browser (someone it was passed on to) is refused, with the reason, focused.
    other = new_context(width=320).new_page()
    other.goto(link)
    other.press("#id_card", "Enter")
    expect(other.locator(".error-summary")).to_be_visible()
    if lang == "en":
        expect(other.locator(".error-summary")).to_contain_text("This voting card has already been used.")
    expect(other.locator("#id_card")).to_have_attribute("aria-invalid", "true")
    assert _focused_error_summary(other)
    expect(other.locator("#live")).to_have_count(0)


def test_citizen_without_a_card_watches_and_can_add_a_card_later(new_context, server):
    page = new_context(width=390).new_page()
    page.goto(f"/en/s/{CARDS}/")
    page.press("#id_name", "Enter")  # no card, no choice made: asked for one
    expect(page.locator(".error-summary")).to_contain_text("Enter the code on your voting card")
    assert _focused_error_summary(page)
    page.get_by_role("button", name="I have no card: watch and propose only").click()
    page.wait_for_selector("#connection[data-state=connected]")
    expect(page.locator("#vote")).to_be_hidden()
    expect(page.locator("#watching")).to_be_visible()
    expect(page.locator("#watching h2")).to_have_text("You are watching: you need a voting card to vote.")

    page.fill("#card-code", "ZZZZ-ZZZZ-ZZZZ")
    page.press("#card-code", "Enter")
    expect(page.locator("#card-form [data-slot=feedback]")).to_contain_text("No voting card of this session has that code")
    page.fill("#card-code", server["ej_cards"][2].lower())
    page.press("#card-code", "Enter")
    expect(page.locator("#vote")).to_be_visible()
    expect(page.locator("#watching")).to_be_hidden()
    _vote(page)


def test_citizen_without_javascript_can_add_a_card_later(browser, server):
    context = browser.new_context(base_url=server["url"], java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/cy/s/{CARDS}/")
        page.click("#no-card")
        expect(page.locator("#vote")).to_be_hidden()
        expect(page.locator("#watching")).to_be_visible()
        page.fill("#card-code", server["ej_cards"][3])
        page.locator("#card-form button[type=submit]").click()
        expect(page.locator("#vote")).to_be_visible()
        page.select_option("#ballot-nojs select >> nth=0", "1")
        page.locator("#ballot-form button[type=submit]").click()
        expect(page.locator("#receipt strong")).to_have_text(RECEIPT)
    finally:
        context.close()


def _sign_in(page, username, next_url):
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-pass-2026")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"**{next_url}")


def test_panel_member_on_the_list_can_vote_after_signing_in(new_context):
    page = new_context(width=390).new_page()
    page.goto(f"/en/s/{SIGNIN}/")
    expect(page.locator("#who-votes")).to_contain_text("Sign in to take part: only people on this session's list vote.")
    expect(page.locator("#id_name")).to_have_count(0)
    page.click("#sign-in-link")
    _sign_in(page, "ej-panel", f"/en/s/{SIGNIN}/")
    expect(page.locator("#sign-in-link")).to_have_count(0)
    page.get_by_role("button", name="Take part").click()
    page.wait_for_selector("#connection[data-state=connected]")
    expect(page.locator("#watching")).to_be_hidden()
    _vote(page)


def test_signed_in_user_not_on_the_list_cannot_vote(new_context):
    page = new_context(width=390).new_page()
    page.goto(f"/en/accounts/login/?next=/en/s/{SIGNIN}/")
    _sign_in(page, "ej-outsider", f"/en/s/{SIGNIN}/")
    expect(page.locator("#who-votes")).to_contain_text("not on this session's list")
    page.get_by_role("button", name="Take part").click()
    page.wait_for_selector("#connection[data-state=connected]")
    expect(page.locator("#vote")).to_be_hidden()
    expect(page.locator("#watching h2")).to_have_text("You are not on this session's list, so you cannot vote.")
    expect(page.locator("#card-form")).to_be_hidden()


# The facilitator's side, over a socket of the signed-in console: find the person waiting and admit (or refuse) them.
ADMIT = """async ([code, name, verb]) => new Promise((resolve, reject) => {
  const ws = new WebSocket(`ws://${location.host}/ws/sessions/${code}/?lang=en`);
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.type === "state") {
      const item = m.payload.facilitator.admission_queue.items.find((i) => i.name === name);
      if (!item) { reject("not waiting: " + name); return; }
      ws.send(JSON.stringify({ type: `participant.${verb}`, ref: "admit-1", payload: { id: item.id } }));
    } else if (m.ref === "admit-1") {
      ws.close();
      if (m.type === "ack") resolve(true); else reject(m.message);
    }
  };
})"""


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_citizen_waits_to_be_admitted_and_the_page_moves_on_by_itself(new_context, lang):
    name = f"Ceri {lang}"
    page = new_context(width=320).new_page()
    page.goto(f"/{lang}/s/{ADMISSION}/")
    expect(page.locator("#who-votes")).to_have_attribute("data-mode", "admission")
    if lang == "en":
        expect(page.locator("#who-votes")).to_contain_text("The facilitator admits each person.")
    page.fill("#id_name", name)
    page.press("#id_name", "Enter")
    expect(page.locator("#admission")).to_have_attribute("data-admission", "pending")
    if lang == "en":
        expect(page.locator("h1")).to_have_text("Waiting for the facilitator to let you in")
    expect(page.locator("#admission form button")).to_be_visible()  # "Check again", also without JS

    console = new_context().new_page()
    log_in(console, f"/en/s/{ADMISSION}/facilitate/")
    assert console.evaluate(ADMIT, [ADMISSION, name, "admit"])
    page.wait_for_selector("#connection[data-state=connected]", timeout=15_000)  # polled every 3 s, then reloaded
    expect(page.locator("#vote")).to_be_visible()
    _vote(page)


def test_refused_citizen_is_told_plainly_without_reloading(new_context):
    page = new_context(width=390).new_page()
    page.goto(f"/en/s/{ADMISSION}/")
    page.fill("#id_name", "Refused visitor")
    page.press("#id_name", "Enter")
    expect(page.locator("#admission")).to_have_attribute("data-admission", "pending")
    console = new_context().new_page()
    log_in(console, f"/en/s/{ADMISSION}/facilitate/")
    assert console.evaluate(ADMIT, [ADMISSION, "Refused visitor", "refuse"])
    expect(page.locator("#admission")).to_have_attribute("data-admission", "refused", timeout=15_000)
    expect(page.locator("h1")).to_have_text("Not admitted")
    expect(page.locator("#live")).to_have_count(0)


SET_RULES = """async ([code, payload]) => new Promise((resolve, reject) => {
  const ws = new WebSocket(`ws://${location.host}/ws/sessions/${code}/?lang=en`);
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.type === "state") ws.send(JSON.stringify({ type: "session.set_eligibility", ref: "rules-1", payload }));
    else if (m.ref === "rules-1") {
      ws.close();
      if (m.type === "ack") resolve(true); else reject(m.message);
    }
  };
})"""


def test_watcher_sees_the_facilitator_change_who_may_contribute_at_once(new_context):
    page = new_context(width=390).new_page()
    page.goto(f"/en/s/{CHANGING}/")
    page.click("#no-card")
    page.wait_for_selector("#connection[data-state=connected]")
    expect(page.locator("#propose")).to_be_visible()
    expect(page.locator("#watching p[data-slot=contribute]")).to_have_text("You can still propose and comment.")
    console = new_context().new_page()
    log_in(console, f"/en/s/{CHANGING}/facilitate/")
    assert console.evaluate(SET_RULES, [CHANGING, {"mode": "cards", "uncarded_may_contribute": False}])
    expect(page.locator("#propose")).to_be_hidden()
    expect(page.locator("#watching p[data-slot=contribute]")).to_have_text("You can follow the proposals and the results.")
    assert console.evaluate(SET_RULES, [CHANGING, {"mode": "open"}])  # now anyone who joined may vote and propose
    expect(page.locator("#watching")).to_be_hidden()
    expect(page.locator("#propose")).to_be_visible()


def test_visitor_reads_that_an_open_vote_is_not_verified_before_joining(new_context):
    page = new_context(width=320).new_page()
    page.goto(f"/en/s/{OPEN}/")
    expect(page.locator("#who-votes")).to_contain_text(
        "Open vote: anyone with the code can take part; results say they are not verified."
    )
    page.get_by_role("button", name="Take part").click()
    page.wait_for_selector("#connection[data-state=connected]")
    _vote(page)
    page.goto(f"/cy/s/{OPEN}/")  # already joined: straight to the live page, in Welsh
    assert page.get_attribute("html", "lang") == "cy"
    expect(page.locator("#watching")).to_be_hidden()


def test_visitor_reads_the_open_and_sign_in_rules_in_welsh_before_joining(new_context):
    """The rules of the vote are said in the visitor's language before they join, for every mode."""
    page = new_context(width=320).new_page()
    page.goto(f"/cy/s/{SIGNIN}/")
    expect(page.locator("#who-votes")).to_contain_text(
        "Mewngofnodwch i gymryd rhan: dim ond pobl ar restr y sesiwn hon sy’n pleidleisio."
    )
    assert "/cy/" in page.locator("#sign-in-link").get_attribute("href")
    page.goto(f"/cy/s/{OPEN}/")
    expect(page.locator("#who-votes")).to_contain_text("Pleidlais agored: gall unrhyw un sydd â’r cod gymryd rhan")
