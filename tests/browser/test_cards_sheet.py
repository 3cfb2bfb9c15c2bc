"""The printed voting cards: legible on screen (320 px too) and on A4, and every QR code is a working join link."""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser

SHOTS = "/tmp/cards-shots"


def _sheet(new_context, server, width=1280, lang="en"):
    """The facilitator's cards sheet, signed in."""
    page = new_context(width=width).new_page()
    log_in(page, f"/{lang}/s/{server['cards_code']}/cards/")
    return page


def test_facilitator_can_print_the_cards_on_a4(new_context, server):
    page = _sheet(new_context, server)
    expect(page.locator(".card")).to_have_count(10)
    expect(page.locator("#print-cards")).to_be_visible()
    page.screenshot(path=f"{SHOTS}-screen.png", full_page=True) if _keep() else None
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".cards-intro")).to_be_hidden()
    # Two A4 pages: eight cards, then two. Each card is 95 × 69 mm (at 96 px an inch: about 359 × 261 px).
    boxes = [page.locator(".card").nth(i).bounding_box() for i in range(10)]
    for box in boxes:
        assert abs(box["width"] - 359) < 3 and abs(box["height"] - 261) < 3, box
    assert boxes[1]["x"] > boxes[0]["x"] and boxes[2]["y"] > boxes[0]["y"]
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 2
    if _keep():
        Path(f"{SHOTS}.pdf").write_bytes(pdf)
        page.screenshot(path=f"{SHOTS}-print.png", full_page=True)
    # Every word on a card is at least 7 pt (print) and the card code at least 16 pt.
    sizes = page.evaluate("""() => [...document.querySelectorAll('.card *')].filter((e) => e.childElementCount === 0
        && e.textContent.trim()).map((e) => parseFloat(getComputedStyle(e).fontSize))""")
    assert min(sizes) >= 7 * 96 / 72 - 0.1
    code_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.card__code')).fontSize)")
    assert code_size >= 16 * 96 / 72 - 0.1


def test_facilitator_can_read_the_cards_sheet_at_320_px(new_context, server):
    page = _sheet(new_context, server, width=320, lang="cy")
    expect(page.locator(".card").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    expect(page.locator(".card__code").first).to_have_text(server["cards_codes"][0])
    if _keep():
        page.screenshot(path=f"{SHOTS}-320.png", full_page=False)
    page.set_viewport_size({"width": 390, "height": 900})  # the width the site-wide axe test uses for phones
    assert axe_violations(page) == []


def test_citizen_can_join_with_the_card_by_scanning_its_qr_code(new_context, server):
    import zxingcpp
    from PIL import Image

    page = _sheet(new_context, server)
    card = page.locator(".card").nth(2)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(card.locator(".card__qr").screenshot())))
    assert len(decoded) == 1, decoded
    link = decoded[0].text
    code = server["cards_codes"][2]
    assert link == f"{server['url']}/s/{server['cards_code']}/?card={code}"
    # The phone follows the link: the card is filled in; taking part uses the card up.
    phone = new_context(width=360).new_page()
    phone.goto(urlsplit(link)._replace(scheme="", netloc="").geturl())
    expect(phone.locator("#id_card")).to_have_value(code)
    phone.get_by_role("button", name="Take part").click()
    expect(phone.locator("#connection")).to_have_attribute("data-state", "connected")
    again = new_context(width=360).new_page()  # someone else with a copy of the same card
    again.goto(urlsplit(link)._replace(scheme="", netloc="").geturl())
    again.get_by_role("button", name="Take part").click()
    expect(again.locator(".error-summary")).to_contain_text("This voting card has already been used.")


def _keep():
    """Whether to save screenshots for a person to look at (CARDS_SHOTS=1)."""
    import os

    return os.environ.get("CARDS_SHOTS") == "1"
