"""Two daphne processes on PostgreSQL + Redis share one session; a killed worker's clients resync elsewhere."""

import os
import signal

import pytest

from tests.servers import Browserless, daphne, fresh_database, new_session, prepare, server_env

pytestmark = [
    pytest.mark.multiprocess,
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
        reason="needs DATABASE_URL=postgres://... and REDIS_URL (the second CI pass sets both)",
    ),
]
CODE = "TWO4WK"


def test_two_workers_share_a_session_and_a_killed_workers_client_resyncs():
    env = server_env(fresh_database("multi"))
    prepare(env)
    proposal_round, _comment, _vote = new_session(env, CODE)
    with daphne(env) as (one, _p1), daphne(env) as (two, worker_two):
        fac_browser = Browserless(one)
        fac_browser.login("facilitator", "cyd-facilitator-demo")
        fac = fac_browser.socket(CODE)
        alys_browser, bryn_browser = Browserless(one), Browserless(two)
        alys_browser.join(CODE, "Alys")
        bryn_browser.join(CODE, "Bryn")  # joined through worker two; same database session store
        alys = alys_browser.socket(CODE)
        bryn = bryn_browser.socket(CODE)

        # A proposal submitted through worker one reaches a client of worker two, through Redis.
        fac.ok("round.open", {"round": proposal_round})
        first = alys.ok("proposal.submit", {"round": proposal_round, "title": "Bus to the surgery"})
        event = bryn.wait_event("proposal.submitted", proposal__id=first["id"])
        assert event["payload"]["proposal"]["title"] == "Bus to the surgery"
        last_seen = bryn.seq

        # Worker two dies without a goodbye; meanwhile things happen on worker one.
        worker_two.send_signal(signal.SIGKILL)
        worker_two.wait(timeout=10)
        missed = [alys.ok("proposal.submit", {"round": proposal_round, "title": f"Idea {n}"})["id"] for n in range(3)]
        fac.ok("proposal.hide", {"id": missed[1], "reason": "Off topic"})

        # Bryn's browser reconnects to the surviving worker (same cookies) and asks for what it missed.
        bryn_browser.base = one
        bryn_again = bryn_browser.socket(CODE)
        reply = bryn_again.send("sync", after=last_seen)
        assert reply["type"] == "ack"
        events = reply["payload"]["events"]
        assert [e["seq"] for e in events] == list(range(last_seen + 1, bryn_again.state["seq"] + 1))
        submitted = [e["payload"]["proposal"]["id"] for e in events if e["type"] == "proposal.submitted"]
        assert submitted == missed
        assert any(e["type"] == "proposal.hidden" and e["payload"]["proposal"]["id"] == missed[1] for e in events)
        for socket in (fac, alys, bryn_again):
            socket.close()
