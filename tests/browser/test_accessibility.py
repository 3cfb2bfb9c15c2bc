"""axe-core finds no WCAG 2.2 A/AA violation on any page type, in English and Welsh, at 320 and 1280 px."""

import re

import pytest

from tests.browser.conftest import FACILITATOR, axe_violations, join, log_in

pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)
PAGES = [
    "home",
    "board",
    "consultation",
    "search",
    "join",
    "name",
    "live",
    "ballot",
    "console",
    "present",
    "results",
    "log",
    "404",
    "signin",
    "sessions",
    "join_cards",
    "admission_wait",
    "watching",
]


def _cms_links(page, lang):
    """The first board and consultation linked from the home page (their slugs differ by language)."""
    page.goto(f"/{lang}/")
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    board = next(h for h in hrefs if re.fullmatch(rf"/{lang}/[^/]+/", h) and "/join/" not in h and "/search/" not in h)
    consultation = next(h for h in hrefs if re.fullmatch(rf"/{lang}/[^/]+/[^/]+/", h))
    return board, consultation


def _open(page, kind, lang, server):
    """Go to a page of the given kind (joining or signing in first when it needs that)."""
    results = server["results_round"]
    if kind in {"home", "board", "consultation"}:
        board, consultation = _cms_links(page, lang)
        page.goto({"home": f"/{lang}/", "board": board, "consultation": consultation}[kind])
    elif kind == "search":
        page.goto(f"/{lang}/search/?q={'bus' if lang == 'en' else 'bws'}")
    elif kind == "join":
        page.goto(f"/{lang}/join/")
    elif kind == "name":
        page.goto(f"/{lang}/s/K7MP4Q/")
    elif kind == "live":
        join(page, "K7MP4Q", name="Axe", lang=lang)
    elif kind == "ballot":
        join(page, "KB3VTE", name="", lang=lang)
        page.click("#unranked .rank-item:first-child [data-move=add]")
    elif kind == "console":
        log_in(page, f"/{lang}/s/K7MP4Q/facilitate/")
        page.wait_for_selector("#connection[data-state=connected]")
    elif kind == "present":
        page.goto(f"/{lang}/s/RUTH34/present/")
    elif kind == "results":
        page.goto(f"/{lang}/s/RUTH34/results/{results}/?receipt=NOPE-NOPE-NOPE")
    elif kind == "log":
        log_in(page, f"/{lang}/s/K7MP4Q/log/")
    elif kind == "signin":
        page.goto(f"/{lang}/accounts/login/")
    elif kind == "sessions":
        log_in(page, f"/{lang}/sessions/")
    elif kind == "join_cards":  # the card field prefilled from a QR link, and "I have no card"
        page.goto(f"/{lang}/s/EC4RDX/?card=abcd-efgh-jkmn")
    elif kind == "admission_wait":
        page.goto(f"/{lang}/s/EA3DMT/")
        page.fill("#id_name", "Axe")
        page.press("#id_name", "Enter")
        page.wait_for_selector("#admission")
    elif kind == "watching":  # joined a card session without a card: the explanation and the card form
        page.goto(f"/{lang}/s/EC4RDX/")
        page.click("#no-card")
        page.wait_for_selector("#connection[data-state=connected]")
    elif kind == "404":
        response = page.goto(f"/{lang}/no-such-page/")
        assert response.status == 404


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("kind", PAGES)
def test_visitor_meets_wcag_22_aa_on_every_page_type(new_context, server, kind, lang):
    assert FACILITATOR  # signed-in pages use the demo facilitator
    page = new_context(width=WIDTHS[0]).new_page()
    _open(page, kind, lang, server)
    expected_lang = "cy" if lang == "cy" else "en-GB"
    assert page.get_attribute("html", "lang") == expected_lang
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_violations(page)
        if violations:
            found[width] = violations
    assert not found, f"{kind} ({lang}) at " + "\n".join(f"{w}px:\n  " + "\n  ".join(v) for w, v in found.items())
