"""The ballot-stuffing loop of issue 9, run against a real daphne process: fresh cookie jar, join, vote, again.

Against a voting-card session it gets no ballot in; against an open session the join limit per address
(deliberation/throttle.py JOINS_PER_ADDRESS, docs/eligibility.md) stops it, and the results page says the
vote was open and not verified, with the number of devices the participants came from.
"""

import html
import http.cookiejar
import re
import secrets
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from deliberation import throttle
from tests.servers import Browserless, daphne, fresh_database, manage, prepare, server_env

CARDS, OPEN = "ATKCRD", "ATKPNV"

SETUP = """
from django.contrib.auth import get_user_model
from deliberation import services
from deliberation.models import LiveSession, Participant, Round
from deliberation.rules import Actor
fac = get_user_model().objects.get(username="facilitator")
act = Actor(user=fac)
for code, mode in (("{cards}", "cards"), ("{open}", "open")):
    session = LiveSession.objects.create(title=f"Attack on {{mode}}", code=code)
    session.facilitators.add(fac)
    ideas = Round.objects.create(session=session, kind="proposal", title="Ideas", position=1)
    vote = Round.objects.create(session=session, kind="vote", title="Decide", position=2, method="irv")
    services.round_open(actor=act, session=session, round_id=ideas.pk)
    host = Actor(participant=services.participant_join(session=session, display_name="Host"))
    first = services.proposal_submit(actor=host, session=session, round_id=ideas.pk, title="Bus to the surgery")
    services.proposal_submit(actor=host, session=session, round_id=ideas.pk, title="Cycle path")
    services.round_close(actor=act, session=session, round_id=ideas.pk)
    services.session_set_eligibility(actor=act, session=session, mode=mode)
    if mode == "cards":
        services.cards_generate(actor=act, session=session, count=5)
    services.round_open(actor=act, session=session, round_id=vote.pk)
    print("ROUND", code, vote.pk, first.pk)
"""

COUNT = """
from deliberation.models import Ballot
print(Ballot.objects.filter(round__session__code="{code}").count())
"""

# Everyone who joined over HTTP has a device hash (the hosts were made in the server's shell, without one).
JOINED_OVER_HTTP = """
from deliberation.models import Participant
print(Participant.objects.exclude(device="").count())
"""

RECORDED = "Your ballot has been recorded"
NO_CARD = "You need a voting card to vote in this session."


@pytest.fixture(scope="module")
def server():
    """A daphne process with a voting-card session and an open session, each with a vote round open."""
    env = server_env(fresh_database("attack"))
    prepare(env, demo=False)
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('facilitator', password='cyd-facilitator-demo')",
    )
    out = manage(env, "shell", "-c", SETUP.format(cards=CARDS, open=OPEN))
    rows = [line.split()[1:] for line in out.splitlines() if line.startswith("ROUND ")]
    rounds = {code: (int(vote), int(first)) for code, vote, first in rows}
    with daphne(env, worker=False) as (base, _process):
        yield base, env, rounds


def attempt(base, code, vote, proposal, n, fields=None):
    """One go of the loop with a new cookie jar: open the join page, join with a name, cast a ballot by the form fallback.

    Returns (join status, the text of the page after the ballot, or None when the join was refused).
    """
    browser = Browserless(base)
    status, _url, text = browser.post(f"/en/s/{code}/", {"name": f"Stuffer {n}", **(fields or {})})
    if status != 200 or 'id="live"' not in text:  # refused, or the join form again: no participant to vote with
        return status, None
    _status, _url, page = browser.post(f"/en/s/{code}/act/", {"action": "ballot.cast", "round": vote, "ranking": proposal})
    return status, html.unescape(page)


def ballots_in(env, code):
    """Ballots in the session's vote, counted in the database itself."""
    return int(manage(env, "shell", "-c", COUNT.format(code=code)).split()[-1])


def test_stranger_cannot_stuff_a_voting_card_session_from_one_machine(server):
    base, env, rounds = server
    vote, proposal = rounds[CARDS]
    # A name and nothing else does not even join: the page asks for a card.
    status, page = attempt(base, CARDS, vote, proposal, 0)
    assert status == 200 and page is None
    # Pressing "I have no card" joins to watch; every ballot is then refused for want of a card.
    deadline, tries = time.monotonic() + 8, 0
    while time.monotonic() < deadline and tries < 25:
        status, page = attempt(base, CARDS, vote, proposal, tries + 1, {"watch": "1"})
        if status == 429:  # this address already spent its joins (the open-session test ran first): no way in at all
            break
        assert status == 200 and page is not None
        assert NO_CARD in page and RECORDED not in page
        tries += 1
    assert tries >= 3 or status == 429
    assert ballots_in(env, CARDS) == 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Stop at a redirect (a join or an action answered by the form fallback) instead of loading the next page."""

    def redirect_request(self, *args, **kwargs):
        """Never follow."""
        return None


def quick_attempt(base, code, vote, proposal, n):
    """The loop as a script runs it, without loading the pages it is redirected to: the join's status code."""
    browser = Browserless(base)
    browser.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(browser.jar), NoRedirect)
    # A script needs no page for a CSRF token: it makes up its own cookie and sends it back in the form.
    host = urllib.parse.urlsplit(base).hostname
    browser.jar.set_cookie(
        http.cookiejar.Cookie(
            0, "csrftoken", secrets.token_hex(16), None, False, host, False, False, "/", True, False, None, False, None, None, {}
        )
    )
    status, _url, _text = browser.post(f"/en/s/{code}/", {"name": f"Stuffer {n}"})
    if status == 302:  # joined: straight on to the ballot
        browser.post(f"/en/s/{code}/act/", {"action": "ballot.cast", "round": vote, "ranking": proposal})
    return status


def test_stranger_is_slowed_in_an_open_session_and_the_result_says_it_was_not_verified(server):
    base, env, rounds = server
    vote, proposal = rounds[OPEN]
    # A few goes read the whole page after each step: the ballot is recorded like anyone's.
    for n in range(3):
        status, page = attempt(base, OPEN, vote, proposal, n)
        assert status == 200 and RECORDED in page
    # Then the loop at full speed, from three threads, until the address's join budget runs out: about 20 s on
    # a quiet machine (the deadline only stops a broken throttle from looping for ever).
    statuses, stop, deadline = [], threading.Event(), time.monotonic() + 90

    def loop(worker):
        n = 0
        while not stop.is_set() and time.monotonic() < deadline:
            n += 1
            status = quick_attempt(base, OPEN, vote, proposal, f"{worker}-{n}")
            statuses.append(status)
            if status != 302:
                stop.set()

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(loop, range(3)))
    joined = 3 + statuses.count(302)
    assert ballots_in(env, OPEN) == joined  # every stuffer who joined got a ballot in ...
    # ... until this address had made its limit of new participants, counting the watchers of the cards test
    # (people joining a cards session without a card count too), and not one more.
    everyone = int(manage(env, "shell", "-c", JOINED_OVER_HTTP).split()[-1])
    assert everyone == throttle.JOINS_PER_ADDRESS
    assert set(statuses) == {302, 429}
    status, page = attempt(base, OPEN, vote, proposal, "late")
    assert status == 429 and page is None
    assert ballots_in(env, OPEN) == joined

    fac = Browserless(base)
    fac.login("facilitator", "cyd-facilitator-demo")
    for action in ("round.close", "round.publish"):
        status, _url, page = fac.post(
            f"/en/s/{OPEN}/act/", {"action": action, "round": vote, "next": f"/en/s/{OPEN}/facilitate/"}
        )
        assert status == 200, page[:300]
    _status, _url, page = Browserless(base).get(f"/en/s/{OPEN}/results/{vote}/")
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "Open vote · not verified" in page
    # Every stuffed participant came from this one machine; the host joined in the server's shell (no device).
    assert f"Participants who joined: {joined + 1}, from 1 device." in page
