"""Degraded dependencies and server limits, on real processes: a dead database, a dead Redis, oversized frames."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from deliberation.protocol import MAX_FRAME_BYTES
from tests.servers import (
    DAPHNE_LIMITS,
    ROOT,
    Browserless,
    daphne,
    free_port,
    fresh_database,
    new_session,
    prepare,
    server_env,
)

CODE = "DGR4D3"

PROBE = """
import json, sys, time
import django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client(raise_request_exception=False).get(sys.argv[1])
print(json.dumps({"status": response.status_code, "seconds": time.monotonic() - started,
                  "body": response.content.decode()}))
"""


def _probe(path, database_url):
    """GET a path in a fresh process whose database is `database_url` (and an in-memory layer)."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=database_url)
    done = subprocess.run([sys.executable, "-c", PROBE, path], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _dead_postgres():
    """A PostgreSQL URL whose port nobody listens on."""
    return f"postgres://cyd@127.0.0.1:{free_port()}/cyd"


def test_monitor_can_see_a_dead_database_within_two_seconds():
    result = _probe("/healthz", _dead_postgres())
    assert result["status"] == 503
    assert json.loads(result["body"])["database"] == "fail"
    assert result["seconds"] < 2.5, result


def test_visitor_request_fails_fast_and_clearly_when_the_database_is_down():
    result = _probe("/en/s/K7MP4Q/", _dead_postgres())
    assert result["status"] == 503  # "try again later", not a crash
    assert "Try again later" in result["body"]
    assert result["seconds"] < 7, result  # the pool's timeout (5 s), not 10 s or a hang


def test_server_limits_are_the_protocols_in_make_run_and_the_test_servers():
    # A client frame may be at most the protocol's limit; a whole message (what the server sends too) up to 8 MiB.
    limits = ["--websocket-max-message-size", str(8 * 1024 * 1024), "--websocket-max-frame-size", str(MAX_FRAME_BYTES)]
    assert DAPHNE_LIMITS == limits
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^DAPHNE_LIMITS := " + re.escape(" ".join(limits)) + "$", makefile, re.M)
    assert re.search(r"bin/daphne \$\(DAPHNE_LIMITS\) ", makefile)


@pytest.fixture(scope="module")
def redis_down():
    """A daphne whose REDIS_URL points at a port with no Redis yet; yields (base URL, start Redis there)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = free_port()
    env = server_env(fresh_database("degraded"), REDIS_URL=f"redis://127.0.0.1:{port}/0")
    prepare(env)
    rounds = new_session(env, CODE)
    started = []

    def start_redis():
        started.append(
            subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() != b"PONG":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    try:
        with daphne(env, ready=(200, 503)) as (base, _process):
            yield base, rounds, start_redis
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=10)


def test_participant_can_take_part_while_redis_is_down_and_gets_events_once_it_is_back(redis_down):
    base, (proposal_round, _comment, _vote), start_redis = redis_down
    started = time.monotonic()
    try:
        urllib.request.urlopen(f"{base}/healthz", timeout=5)
        raise AssertionError("healthz must say the layer is down")
    except urllib.error.HTTPError as error:
        assert error.code == 503 and json.loads(error.read())["channel_layer"] == "fail"
    assert time.monotonic() - started < 2.5

    fac_browser = Browserless(base)
    fac_browser.login("facilitator", "cyd-facilitator-demo")
    fac = fac_browser.socket(CODE)  # was refused (1011) while Redis was down
    alys_browser = Browserless(base)
    alys_browser.join(CODE, "Alys")
    alys = alys_browser.socket(CODE)
    fac.ok("round.open", {"round": proposal_round})
    # No live event can arrive without the layer: the client learns it is behind from ping and catches up.
    behind = alys.ok("ping")["seq"]
    assert behind > alys.state["seq"]
    events = alys.ok("sync", after=alys.state["seq"])["events"]
    assert [e["type"] for e in events][-1] == "round.opened"
    assert alys.ok("proposal.submit", {"round": proposal_round, "title": "Buses when Redis is down"})["id"]

    start_redis()
    for person in (alys, fac):
        person.ok("ping")  # any message re-joins the groups
    fac.ok("round.close", {"round": proposal_round})
    closed = alys.wait_event("round.closed", timeout=15)  # live again: the socket kept listening
    assert closed["payload"]["round"]["id"] == proposal_round
    alys.close()
    fac.close()


def test_server_refuses_a_frame_over_the_protocol_limit(redis_down):
    from websockets.exceptions import ConnectionClosed

    base, _rounds, _start = redis_down
    browser = Browserless(base)
    browser.join(CODE, "Bryn")
    bryn = browser.socket(CODE)
    assert bryn.ok("ping", {"pad": "x" * (MAX_FRAME_BYTES - 200)})["seq"] >= 0  # within the limit: answered
    bryn.ws.send(json.dumps({"type": "ping", "ref": "big", "pad": "x" * (4 * MAX_FRAME_BYTES)}))
    with pytest.raises(ConnectionClosed) as closed:
        bryn.ws.recv(timeout=10)
    assert closed.value.rcvd is None  # dropped by daphne (autobahn's "message too big"), never answered
    again = browser.socket(CODE)
    assert again.ok("ping")["seq"] >= 0
    again.close()
