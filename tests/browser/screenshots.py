"""Screenshots of every page type at 390 and 1280 px in English and Welsh, for a person to look at.

Run against a server with the demo data and the browser-test sessions (see conftest.SETUP):
    .venv/bin/python -m tests.browser.screenshots http://127.0.0.1:8020 /tmp/shots
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VOTE_CODE, join, log_in

FIRST_ADD = "#unranked .rank-item:first-child [data-move=add]"


def pages(lang, results_round):
    """(name, how to get there) for each page type."""
    return [
        ("home", lambda p: p.goto(f"/{lang}/")),
        ("board", lambda p: p.goto(f"/{lang}/") or p.click(f"main a[href^='/{lang}/'] >> nth=0")),
        ("search", lambda p: p.goto(f"/{lang}/search/?q={'bus' if lang == 'en' else 'bws'}")),
        ("join", lambda p: p.goto(f"/{lang}/join/")),
        ("join-error", lambda p: p.goto(f"/{lang}/join/") or p.fill("#id_code", "ZZZZZZ") or p.press("#id_code", "Enter")),
        ("name", lambda p: p.goto(f"/{lang}/s/K7MP4Q/")),
        ("live", lambda p: join(p, "K7MP4Q", name="Sam", lang=lang)),
        ("ballot", lambda p: join(p, VOTE_CODE, name="", lang=lang) or p.click(FIRST_ADD)),
        ("console", lambda p: log_in(p, f"/{lang}/s/K7MP4Q/facilitate/")),
        ("console-vote", lambda p: log_in(p, f"/{lang}/s/{VOTE_CODE}/facilitate/")),
        ("present", lambda p: p.goto(f"/{lang}/s/K7MP4Q/present/")),
        ("present-results", lambda p: p.emulate_media(reduced_motion="reduce") or p.goto(f"/{lang}/s/RUTH34/present/")),
        ("results", lambda p: p.goto(f"/{lang}/s/RUTH34/results/{results_round}/")),
        ("log", lambda p: log_in(p, f"/{lang}/s/K7MP4Q/log/")),
        ("404", lambda p: p.goto(f"/{lang}/no-such-page/")),
    ]


def main(base, out, results_round="5"):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in ("en", "cy"):
            for name, go in pages(lang, results_round):
                for width in (390, 1280):
                    context = browser.new_context(base_url=base, viewport={"width": width, "height": 900})
                    page = context.new_page()
                    go(page)
                    page.wait_for_timeout(600)
                    page.screenshot(path=str(out / f"{name}-{lang}-{width}.png"), full_page=True)
                    context.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
