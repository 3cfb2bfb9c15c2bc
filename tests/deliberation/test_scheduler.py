"""Timers that close rounds by themselves: the auto_close choice, the system actor, close_due_rounds and the worker."""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from deliberation import protocol, rules, selectors, services
from deliberation.errors import ServiceError
from deliberation.models import Event, Round
from tests.conftest import rounds_of
from tests.servers import ROOT, fresh_database, manage, new_session, prepare, server_env

SOON = timedelta(minutes=2)  # "now" for close_due_rounds: after a 1-minute timer has run out


def timed_vote(live, join, open_vote, *, minutes=1, auto_close=True):
    """Three proposals, then the vote round opened with a timer; one ballot cast."""
    vote = open_vote(minutes=minutes, auto_close=auto_close)
    _p, voter = join("Voter")
    services.ballot_cast(actor=voter, session=live, round_id=vote.round.pk, ranking=[vote.ids[1], vote.ids[0]])
    return Round.objects.get(pk=vote.round.pk)


# --- the system actor ------------------------------------------------------------------------


def test_system_can_run_rounds_and_nothing_else(live):
    system = rules.Actor(system=True)
    assert rules.can(system, rules.RUN_ROUNDS, live)
    for permission in set(rules.ALL_PERMISSIONS) - {rules.RUN_ROUNDS}:
        assert not rules.can(system, permission, live), permission
    assert not rules.can(rules.Actor(), rules.RUN_ROUNDS, live)


# --- opening with "close automatically" ------------------------------------------------------


@pytest.mark.django_db
def test_facilitator_can_open_a_timed_round_that_closes_automatically(live, fac_actor):
    r = rounds_of(live)
    ack = protocol.dispatch(fac_actor, live, "round.open", {"round": r["proposal"].pk, "minutes": 5, "auto_close": True}, "x")
    assert ack["state"] == "open"
    round_ = Round.objects.get(pk=r["proposal"].pk)
    assert round_.auto_close is True
    summary = Event.objects.get(session=live, type="round.opened").payload["round"]
    assert summary["auto_close"] is True and summary["closes_at"]
    assert selectors.round_summary(round_)["auto_close"] is True


@pytest.mark.django_db
def test_facilitator_cannot_open_an_auto_closing_round_without_a_timer(live, fac_actor):
    r = rounds_of(live)
    with pytest.raises(ServiceError) as refused:
        protocol.dispatch(fac_actor, live, "round.open", {"round": r["proposal"].pk, "auto_close": True}, "x")
    assert refused.value.code == "invalid" and "timer" in refused.value.message
    with pytest.raises(ServiceError) as wrong_type:
        protocol.dispatch(fac_actor, live, "round.open", {"round": r["proposal"].pk, "minutes": 5, "auto_close": "yes"}, "x")
    assert wrong_type.value.code == "invalid"
    assert Round.objects.get(pk=r["proposal"].pk).state == "draft"


@pytest.mark.django_db
def test_facilitator_can_choose_auto_close_in_the_form_without_javascript(client, live, facilitator):
    client.force_login(facilitator)
    r = rounds_of(live)
    fields = {"action": "round.open", "round": r["proposal"].pk, "minutes": "3", "auto_close": "1", "next": "/"}
    client.post(f"/en/s/{live.code}/act/", fields)
    round_ = Round.objects.get(pk=r["proposal"].pk)
    assert round_.state == "open" and round_.auto_close is True


# --- close_due_rounds --------------------------------------------------------------------------


@pytest.mark.django_db
def test_system_can_close_a_due_auto_closing_round_and_count_it(live, fac_actor, join, open_vote):
    from deliberation.scheduler import close_due_rounds

    vote = timed_vote(live, join, open_vote)
    assert close_due_rounds(now=timezone.now() + SOON) == [vote.pk]
    vote.refresh_from_db()
    assert vote.state == "closed" and vote.closed_at is not None
    assert vote.result["winners"] == ["Car share"]
    closed = Event.objects.get(session=live, type="round.closed", payload__round__id=vote.pk)
    assert closed.payload["by"] == "timer" and closed.actor_user is None and closed.actor_participant is None
    assert Event.objects.filter(session=live, type="round.counted", payload__round=vote.pk).count() == 1


@pytest.mark.django_db
def test_facilitator_closing_is_not_logged_as_the_timer(live, fac_actor, join, open_vote):
    vote = timed_vote(live, join, open_vote)
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    assert "by" not in Event.objects.get(session=live, type="round.closed", payload__round__id=vote.pk).payload


@pytest.mark.django_db
def test_system_cannot_close_a_due_round_without_auto_close(live, fac_actor, join, open_vote):
    from deliberation.scheduler import close_due_rounds

    vote = timed_vote(live, join, open_vote, auto_close=False)
    assert close_due_rounds(now=timezone.now() + SOON) == []
    vote.refresh_from_db()
    assert vote.state == "open"


@pytest.mark.django_db
def test_system_cannot_close_an_auto_closing_round_before_its_time(live, fac_actor, join, open_vote):
    from deliberation.scheduler import close_due_rounds

    vote = timed_vote(live, join, open_vote, minutes=10)
    assert close_due_rounds() == []
    assert close_due_rounds(now=timezone.now() + timedelta(minutes=9)) == []
    vote.refresh_from_db()
    assert vote.state == "open"
    assert not Event.objects.filter(session=live, type="round.closed", payload__round__id=vote.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_racing_workers_close_a_due_round_once(live, fac_actor, join, open_vote):
    from deliberation.scheduler import close_due_rounds

    vote = timed_vote(live, join, open_vote)
    later = timezone.now() + SOON
    start = threading.Barrier(2)

    def worker():
        start.wait()
        try:
            return close_due_rounds(now=later)
        finally:
            connection.close()

    results = []
    threads = [threading.Thread(target=lambda: results.append(worker())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [[], [vote.pk]]
    assert Event.objects.filter(session=live, type="round.closed", payload__round__id=vote.pk).count() == 1
    assert Event.objects.filter(session=live, type="round.counted", payload__round=vote.pk).count() == 1
    assert close_due_rounds(now=later) == []  # idempotent: nothing left to close


# --- the worker process ---------------------------------------------------------------------------

OPEN_TIMED = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from deliberation import services
from deliberation.models import LiveSession, Round
from deliberation.rules import Actor
fac = Actor(user=get_user_model().objects.get(username="facilitator"))
services.round_open(actor=fac, session=LiveSession.objects.get(code="TW4RKR"), round_id={pk}, minutes=1, auto_close=True)
# A minute is long for a test: the timer is shortened to two seconds from now.
Round.objects.filter(pk={pk}).update(closes_at=timezone.now() + timedelta(seconds=2))
"""
STATE = (
    "from deliberation.models import Round, Event; r = Round.objects.get(pk={pk}); "
    "print(r.state, Event.objects.filter(type='round.closed', payload__by='timer').count())"
)


def test_system_can_close_a_round_through_the_worker_process_started_before_the_database():
    """The real `cyd_worker` command: it survives a database without tables, then closes a due round by itself."""
    env = server_env(fresh_database("worker"))
    log = Path(tempfile.mkstemp(prefix="cyd-worker-", suffix=".log")[1])
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "cyd_worker"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        time.sleep(3)  # a few ticks against a database that is not migrated yet
        assert worker.poll() is None, log.read_text()
        prepare(env, demo=False)
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; get_user_model().objects.create_user('facilitator', password='x')",
        )
        _ideas, _discuss, _decide = new_session(env, "TW4RKR")
        manage(env, "shell", "-c", OPEN_TIMED.format(pk=_ideas))
        deadline = time.monotonic() + 30
        state = ""
        while time.monotonic() < deadline:
            state = manage(env, "shell", "-c", STATE.format(pk=_ideas)).strip().splitlines()[-1].split()
            if state[0] == "closed":
                break
            time.sleep(0.5)
        assert state == ["closed", "1"], log.read_text()
        assert worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0, log.read_text()
        text = log.read_text()
        assert "closed automatically" in text and "Traceback" in text  # the early errors were logged, then it went on
    finally:
        if worker.poll() is None:
            worker.kill()
        if os.environ.get("KEEP_LOGS") is None:
            log.unlink(missing_ok=True)


def test_system_worker_stops_cleanly_on_ctrl_c():
    env = server_env(fresh_database("worker-int"))  # not migrated: each pass fails, and it still stops cleanly
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "cyd_worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Ctrl-C once it is running (start-up takes seconds on a busy machine: a signal before then is Python's own).
    first = worker.stdout.readline()
    assert "Cyd worker" in first, first
    time.sleep(1)
    worker.send_signal(signal.SIGINT)
    out, _ = worker.communicate(timeout=10)
    out = first + out
    assert worker.returncode == 0, out
    assert "KeyboardInterrupt" not in out


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_participant_hears_a_timed_round_close_by_itself_on_an_open_socket(live, fac_actor, join, connect):
    """Each daphne process with open sockets keeps the clock too, so its sockets hear the close at once,
    even on the in-memory channel layer that a separate worker process cannot reach."""
    from datetime import timedelta

    from channels.db import database_sync_to_async
    from django.utils import timezone

    from deliberation.models import Round

    participant, _actor = await database_sync_to_async(join)("Alys")
    ideas = await database_sync_to_async(lambda: rounds_of(live)["proposal"])()
    await database_sync_to_async(services.round_open)(
        actor=fac_actor, session=live, round_id=ideas.pk, minutes=5, auto_close=True
    )
    connected, client, _first = await connect(live.code, participant=participant)
    assert connected
    await database_sync_to_async(
        lambda: Round.objects.filter(pk=ideas.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    )()
    closed = await client.event("round.closed", timeout=5)  # nobody calls close_due_rounds here
    assert closed["payload"]["round"]["id"] == ideas.pk and closed["payload"]["by"] == "timer"
    await client.close()
