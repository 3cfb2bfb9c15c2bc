"""Browser tests: a real daphne server on its own database, driven by Debian's Chromium via Playwright.

The server runs in a subprocess with `config.settings.test` on a throwaway SQLite file (or, when
DATABASE_URL is PostgreSQL, a fresh `<name>_browser` database), loaded with the demo data and
the sessions below. Tests talk to it only over HTTP and WebSockets: no pytest-django database.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]  # fmt: skip
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
print("FACTS=" + json.dumps({{"results_round": past.rounds.get(kind="vote").pk}}))
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp_dir):
    """A fresh database for the server: a temp SQLite file, or `<name>_browser` on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_dir / 'browser.sqlite3'}"
    import psycopg

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/')}_browser"
    admin = urlunparse(parsed._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def _wait_healthy(url, proc, log, timeout=40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"daphne did not become healthy: {log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Start daphne on a free port with migrated demo data; yield its base URL and facts."""
    tmp_dir = tmp_path_factory.mktemp("browser-server")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": _database_url(tmp_dir),
    }
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True, "timeout": 300}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], **run)
    subprocess.run([*manage, "load_demo"], **run)
    done = subprocess.run([*manage, "shell", "-c", SETUP], **run)
    facts = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("FACTS="))[6:])
    port = _free_port()
    log = tmp_dir / "daphne.log"
    daphne = Path(sys.executable).with_name("daphne")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield {"url": url, "log": log, **facts}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
    """Sign in as the demo facilitator through the Wagtail login page."""
    page.goto(f"/admin/login/?next={next_url}")
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
