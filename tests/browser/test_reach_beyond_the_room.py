"""Issue 13, "Done means", end to end with real components: daphne with its `cyd_worker` clock, a `db_worker`
process on the "cyd" queue and a real SMTP server (aiosmtpd), driven by Debian's Chromium.

A session's proposal round runs for a week (compressed by setting its times). Citizen A follows the session in
Welsh from its page and confirms from the e-mail; citizen B takes part (a proposal) and follows in English. With
no browser open, the server reminds A (not B) before the round closes, then closes it on time by itself. The
facilitator publishes a vote's results and the board publishes progress on a commitment: A hears of both, in
Welsh, in one digest; B hears of the results, in English, and never got a reminder.
"""

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, join
from tests.notify.conftest import Inbox, html_part, text_part
from tests.servers import ROOT, daphne, free_port, fresh_database, manage, prepare, server_env

pytestmark = pytest.mark.browser

CODE = "WYTH34"
ANN, BRYN = "ann@example.com", "bryn@example.com"
IDEAS_CY, VOTE_CY, VOTE_EN = "Syniadau am amserlen y bws", "Dewiswch yr amserlen", "Choose the timetable"
UPDATE_CY = "Mae’r bws cyntaf ar y Sul yn rhedeg o fis Mai."
CLOSE_IN = 14  # seconds between "the last day of the week" and the round's close
GATHER = 2  # CYD_NOTIFY_GATHER_SECONDS in every process: long enough for one publish's notices to meet

SETUP = f"""
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale
from deliberation import services
from deliberation.models import LiveSession, Round
from deliberation.rules import Actor
from home.models import ConsultationPage

fac = get_user_model().objects.get(username="facilitator")
cy = Locale.objects.get(language_code="cy")
english, welsh = next(
    (page, translation.specific)
    for page in ConsultationPage.objects.live().filter(locale__language_code="en").order_by("pk")
    if (translation := page.get_translation_or_none(cy)) is not None and translation.live
    and translation.specific.commitments.exists()
)
live = LiveSession.objects.create(
    code="{CODE}", title="A week of ideas for the valley", title_cy="Wythnos o syniadau i’r cwm", consultation=english
)
live.facilitators.add(fac)
ideas = Round.objects.create(
    session=live, kind="proposal", title="Ideas for the bus timetable", title_cy="{IDEAS_CY}", position=1
)
vote = Round.objects.create(
    session=live, kind="vote", title="{VOTE_EN}", title_cy="{VOTE_CY}", position=2, method="irv"
)
services.round_open(actor=Actor(user=fac), session=live, round_id=ideas.pk)
seed = Actor(participant=services.participant_join(session=live, display_name="Seren"))
services.proposal_submit(actor=seed, session=live, round_id=ideas.pk, title="Buses every hour on Sundays")
# A week-long round on its first days: it closes by itself, and is not yet within a day of closing.
now = timezone.now()
Round.objects.filter(pk=ideas.pk).update(opened_at=now - timedelta(days=1), closes_at=now + timedelta(days=6), auto_close=True)
commitment = welsh.commitments.order_by("sort_order", "pk").first()
print("FACTS=" + json.dumps({{"ideas": ideas.pk, "vote": vote.pk, "welsh": welsh.pk, "commitment": commitment.title}}))
"""

# The days pass: the round is now on its last day, a week after it opened, and closes in CLOSE_IN seconds.
LAST_DAY = """
import json
from datetime import timedelta
from django.utils import timezone
from deliberation.models import Round
closes = timezone.now() + timedelta(seconds={close_in})
Round.objects.filter(pk={ideas}).update(opened_at=closes - timedelta(days=7), closes_at=closes)
print("FACTS=" + json.dumps({{"closes_at": closes.isoformat()}}))
"""

# Only reads the database: waits (bounded) until the server has closed the round, then says when and by whom.
WAIT_FOR_CLOSE = """
import json, time
from deliberation.models import Event, Round
deadline = time.monotonic() + {timeout}
while Round.objects.get(pk={ideas}).state == "open" and time.monotonic() < deadline:
    time.sleep(0.2)
ideas = Round.objects.get(pk={ideas})
closed = Event.objects.filter(session=ideas.session, type="round.closed").order_by("seq").last()
print("FACTS=" + json.dumps({{
    "state": ideas.state,
    "late": (ideas.closed_at - ideas.closes_at).total_seconds() if ideas.closed_at else None,
    "by": closed.payload.get("by") if closed else None,
    "actor": [closed.actor_user_id, closed.actor_participant_id] if closed else None,
}}))
"""

# The next day: the facilitator runs the vote and publishes its results; the board publishes progress in Welsh.
RESULTS_AND_PROGRESS = """
import json
from datetime import date, timedelta
from django.contrib.auth import get_user_model
from deliberation import services
from deliberation.models import LiveSession
from deliberation.rules import Actor
from home.models import CommitmentUpdate, ConsultationPage
from notify.models import Follower

# A day has passed since the reminder (the digest rule allows one e-mail a day).
ann = Follower.objects.get(email="{ann}")
Follower.objects.filter(pk=ann.pk).update(last_mail_at=ann.last_mail_at - timedelta(days=1))
fac = Actor(user=get_user_model().objects.get(username="facilitator"))
live = LiveSession.objects.get(code="{code}")
services.round_open(actor=fac, session=live, round_id={vote})
ballot = list(live.rounds.get(pk={vote}).ballot_proposals.values_list("pk", flat=True))
for name in ["Seren", "Tomos", "Wyn"]:
    voter = Actor(participant=services.participant_join(session=live, display_name=name))
    services.ballot_cast(actor=voter, session=live, round_id={vote}, ranking=ballot)
services.round_close(actor=fac, session=live, round_id={vote})
services.round_publish(actor=fac, session=live, round_id={vote})
welsh = ConsultationPage.objects.get(pk={welsh})
commitment = welsh.commitments.order_by("sort_order", "pk").first()
CommitmentUpdate.objects.create(commitment=commitment, date=date.today(), text="{update}")
welsh.save_revision().publish()
print("FACTS=" + json.dumps({{"published": live.rounds.get(pk={vote}).state}}))
"""


def facts(out):
    """The FACTS= line a shell script printed."""
    return json.loads(next(line for line in out.splitlines() if line.startswith("FACTS="))[6:])


@pytest.fixture(scope="module")
def server():
    """An SMTP server, then daphne with its cyd_worker and a db_worker, all sending to it, on a fresh database."""
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    env = server_env(
        fresh_database("reach"),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        CYD_NOTIFY_GATHER_SECONDS=str(GATHER),
        WAGTAILADMIN_BASE_URL=f"http://127.0.0.1:{port}",  # the links in the e-mails lead to this server
    )
    prepare(env)
    setup = facts(manage(env, "shell", "-c", SETUP))
    log = tempfile.NamedTemporaryFile(prefix="db-worker-", suffix=".log", delete=False)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--backend", "cyd", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with daphne(env, port=port, worker=True) as (url, _process):
            yield {"url": url, "env": env, "inbox": inbox, "worker": worker, "worker_log": log.name, **setup}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
        smtp.stop()


def link(message, pattern):
    """The first absolute link in the plain-text part matching `pattern`."""
    return re.search(rf"https?://\S*{pattern}\S*", text_part(message)).group(0)


def assert_well_formed(message, language):
    """Both parts, in the follower's language, with the one-click unsubscribe headers (RFC 8058)."""
    assert message["Content-Language"] == language
    assert re.fullmatch(
        rf"<http://127\.0\.0\.1:\d+/{language}/notify/notifications/\S+/unsubscribe/>", message["List-Unsubscribe"].strip()
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(preferencelist=("plain",)) is not None
    assert re.search(rf'<html lang="{language}(-GB)?">', html_part(message))


def follow_from_session_page(page, email, language):
    """Follow the session with the form on its live page, choosing the language to be written in."""
    form = page.locator(".follow-form")
    expect(form).to_be_visible()
    page.fill("#follow-email", email)
    page.check(f"#follow-language-{language}")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_week_long_round_reaches_followers_by_email_in_their_language(new_context, server):
    inbox = server["inbox"]

    # Citizen A joins in Welsh and follows the session from its page; the form offers Welsh first on /cy/.
    ann = new_context().new_page()
    join(ann, CODE, "Ann", lang="cy")
    expect(ann.locator("#follow-heading")).to_have_text("Rhowch wybod i mi beth sy’n digwydd")
    expect(ann.locator("#follow-language-cy")).to_be_checked()
    assert not axe_violations(ann)
    follow_from_session_page(ann, ANN, "cy")
    expect(ann.locator("h1")).to_have_text("Edrychwch ar eich e-bost")
    assert not axe_violations(ann)

    [confirmation] = inbox.wait(ANN)
    assert confirmation["Subject"] == "Cadarnhewch eich cyfeiriad e-bost ar gyfer Cyd"
    assert_well_formed(confirmation, "cy")
    text, html = text_part(confirmation), html_part(confirmation)
    for part in (text, html):
        assert "Gofynnodd rhywun, chi gobeithio, i Cyd ysgrifennu at y cyfeiriad hwn am:" in part
        assert "Wythnos o syniadau i’r cwm" in part
    ann.goto(link(confirmation, "/cy/notify/follow/confirm/"))
    expect(ann.locator("h1")).to_have_text("Cyfeiriad wedi’i gadarnhau")
    assert not axe_violations(ann)

    # Citizen B takes part (a proposal) and follows in English from the same page.
    bryn = new_context().new_page()
    join(bryn, CODE, "Bryn")
    bryn.fill("#proposal-title", "A late bus on Saturday nights")
    bryn.press("#proposal-title", "Enter")
    expect(bryn.locator("#propose [data-slot=feedback]")).to_have_text("Your proposal has been added.")
    follow_from_session_page(bryn, BRYN, "en")
    [welcome] = inbox.wait(BRYN)
    assert welcome["Subject"] == "Confirm your e-mail address for Cyd"
    assert_well_formed(welcome, "en")
    bryn.goto(link(welcome, "/en/notify/follow/confirm/"))
    expect(bryn.locator("h1")).to_have_text("Address confirmed")

    # Nobody has the site open from here on.
    for page in (ann, bryn):
        page.context.close()

    # The last day of the week: the server reminds A, who has not taken part, and not B, who has.
    env = server["env"]
    closes_at = facts(manage(env, "shell", "-c", LAST_DAY.format(close_in=CLOSE_IN, ideas=server["ideas"])))["closes_at"]
    _confirmation, reminder = inbox.wait(ANN, count=2, timeout=CLOSE_IN - 2)
    assert_well_formed(reminder, "cy")
    assert reminder["Subject"] == f"Cyd: Yn cau cyn bo hir: {IDEAS_CY}"
    text, html = text_part(reminder), html_part(reminder)
    for part in (text, html):
        assert f"Yn cau cyn bo hir: {IDEAS_CY}" in part and "ac nid ydych wedi cymryd rhan eto" in part
        assert "Rydych yn cael hwn am eich bod yn dilyn" in part
    assert f"/cy/s/{CODE}/" in text

    # The server closes the round on time by itself (its clock, `cyd_worker`: no socket is open to do it).
    closed = facts(manage(env, "shell", "-c", WAIT_FOR_CLOSE.format(timeout=CLOSE_IN + 15, ideas=server["ideas"])))
    assert closed["state"] == "closed", closed
    assert closed["by"] == "timer" and closed["actor"] == [None, None], closed
    assert 0 <= closed["late"] < 8, f"closed {closed['late']} s after {closes_at}"  # the worker's 5 s grace, a tick
    assert [m["Subject"] for m in inbox.to(BRYN)] == ["Confirm your e-mail address for Cyd"], "B took part: no reminder"

    # Results, and the board's progress on a commitment: A hears of both in Welsh, in one digest.
    out = manage(
        env,
        "shell",
        "-c",
        RESULTS_AND_PROGRESS.format(ann=ANN, code=CODE, vote=server["vote"], welsh=server["welsh"], update=UPDATE_CY),
    )
    assert facts(out)["published"] == "published"
    _confirmation, _reminder, digest = inbox.wait(ANN, count=3, timeout=GATHER + 10)
    assert_well_formed(digest, "cy")
    # (A long non-ASCII subject is folded onto the next line: the parsed value keeps the fold's leading space.)
    assert digest["Subject"].strip() == "Cyd: 2 diweddariad ar yr hyn rydych yn ei ddilyn"
    text, html = text_part(digest), html_part(digest)
    for part in (text, html):
        assert f"Canlyniadau wedi’u cyhoeddi: {VOTE_CY}" in part
        assert "Cynnydd ar “" in part and UPDATE_CY in part
        assert VOTE_EN not in part and "Rownd wedi agor" not in part  # the vote's opening is old news by now
        # Why: what A follows is the session (whose consultation's progress it is), not the consultation.
        assert "am eich bod yn dilyn y sesiwn fyw “Wythnos o syniadau i’r cwm” ar Cyd." in part
        assert "yr ymgynghoriad" not in part
    assert f"Cynnydd ar “{server['commitment']}”" in text and f"/cy/s/{CODE}/results/{server['vote']}/" in text

    # B hears of the results in English, and never got a reminder.
    _welcome, results = inbox.wait(BRYN, count=2, timeout=GATHER + 10)
    assert_well_formed(results, "en")
    assert results["Subject"].strip() == f"Cyd: Results published: {VOTE_EN}"
    time.sleep(GATHER + 0.5)  # anything else due would have gone by now
    assert len(inbox.to(ANN)) == 3 and len(inbox.to(BRYN)) == 2
    assert not [m for m in inbox.to(BRYN) if "Closing soon" in m["Subject"]]
    assert server["worker"].poll() is None, Path(server["worker_log"]).read_text()
