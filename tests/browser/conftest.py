"""Browser tests: a real daphne server on its own database, driven by Debian's Chromium via Playwright.

The server runs in a subprocess with `config.settings.test` on a throwaway SQLite file (or, when
DATABASE_URL is PostgreSQL, a fresh `<name>_browser` database), loaded with the demo data and
the sessions below. Tests talk to it only over HTTP and WebSockets: no pytest-django database.
"""

import json
from pathlib import Path

import pytest

from tests.servers import daphne, fresh_database, manage, prepare, server_env

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
FACILITATOR = ("facilitator", "cyd-facilitator-demo")
FLOW_CODE = "TQ7KVX"  # an empty session the flow test builds from the console
VOTE_CODE = "KB3VTE"  # a session with a ranked vote open, for the keyboard test

# Sessions the tests need beyond the demo, made with the same services the site uses.
SETUP = f"""
import json
from deliberation import services
from deliberation.models import LiveSession, Round
from deliberation.rules import Actor
from django.contrib.auth import get_user_model

fac = get_user_model().objects.get(username="facilitator")
flow = LiveSession.objects.create(code="{FLOW_CODE}", title="Browser test: village hall")
flow.facilitators.add(fac)
vote = LiveSession.objects.create(code="{VOTE_CODE}", title="Browser test: keyboard vote")
vote.facilitators.add(fac)
act = Actor(user=fac)
ideas = Round.objects.create(session=vote, kind="proposal", title="Ideas", position=1)
ballot = Round.objects.create(session=vote, kind="vote", title="Choose", position=2, method="irv")
services.round_open(actor=act, session=vote, round_id=ideas.pk)
for title in ["Repair the footpath", "Plant an orchard", "Open a repair café"]:
    who = Actor(participant=services.participant_join(session=vote, display_name=""))
    services.proposal_submit(actor=who, session=vote, round_id=ideas.pk, title=title)
services.round_close(actor=act, session=vote, round_id=ideas.pk)
services.round_open(actor=act, session=vote, round_id=ballot.pk)
past = LiveSession.objects.get(code="RUTH34")
facts = {{"results_round": past.rounds.get(kind="vote").pk}}
"""
# Each test module that needs sessions of its own adds a fragment in setup/ (run in the same shell,
# after SETUP, with `services`, `LiveSession`, `Round`, `Actor`, `fac`, `act` and `facts` in scope).
SETUP_DIR = Path(__file__).with_name("setup")


def setup_script():
    """SETUP, then every fragment in setup/ in name order, then the facts line the fixture reads."""
    fragments = [path.read_text(encoding="utf-8") for path in sorted(SETUP_DIR.glob("*.py"))]
    return "\n".join([SETUP, *fragments, 'print("FACTS=" + json.dumps(facts))'])


@pytest.fixture(scope="session")
def server():
    """Start daphne on a free port with migrated demo data; yield its base URL and facts."""
    env = server_env(fresh_database("browser"))
    prepare(env)
    out = manage(env, "shell", "-c", setup_script())
    facts = json.loads(next(line for line in out.splitlines() if line.startswith("FACTS="))[6:])
    with daphne(env) as (url, _process):
        yield {"url": url, **facts}


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Debian's, never a downloaded build)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, server):
    """Make browser contexts (each its own cookie jar: a separate person); closed after the test."""
    made = []

    def make(width=1280, height=900, **options):
        context = browser.new_context(base_url=server["url"], viewport={"width": width, "height": height}, **options)
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def join(page, code, name="", lang="en"):
    """Join a session as a walk-in participant and wait for the live page to connect."""
    page.goto(f"/{lang}/s/{code}/")
    page.fill("#id_name", name)
    page.press("#id_name", "Enter")
    page.wait_for_selector("#connection[data-state=connected]")


def log_in(page, next_url):
    """Sign in as the demo facilitator through the public sign-in page."""
    page.goto(f"/en/accounts/login/?next={next_url}")
    page.fill("#id_username", FACILITATOR[0])
    page.fill("#id_password", FACILITATOR[1])
    page.press("#id_password", "Enter")
    page.wait_for_url(f"**{next_url}")


def axe_violations(page):
    """Run the vendored axe-core with the WCAG 2.2 A/AA rule tags; return the violations, summarised."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated through DevTools, so the page's CSP does not apply
    return page.evaluate(
        """async () => {
          const result = await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}});
          return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\\n    ` +
            v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")} :: ${n.failureSummary.replace(/\\s+/g, " ")}`).join("\\n    "));
        }"""
    )
