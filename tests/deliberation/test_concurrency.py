"""Races: concurrent ballots from one participant, and ballots racing the close of the round."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from deliberation import services
from deliberation.errors import ServiceError
from deliberation.models import Ballot, Round

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(fn, **kwargs):
    """Run a service in its own thread's database connection; return ('ack', value) or ('error', code)."""
    try:
        return "ack", fn(**kwargs)
    except ServiceError as error:
        return "error", error.code
    finally:
        connection.close()


@pytest.fixture
def vote_round(open_vote):
    """An open IRV vote round with three proposals."""
    vote = open_vote()
    return vote.round, vote.ids


def test_participant_twenty_concurrent_casts_leave_exactly_one_ballot(live, join, vote_round):
    round_, ids = vote_round
    _p, actor = join("Alys")
    rankings = [[ids[i % 3], ids[(i + 1) % 3]] for i in range(20)]
    start = threading.Barrier(20)

    def cast(ranking):
        start.wait()
        return _in_thread(services.ballot_cast, actor=actor, session=live, round_id=round_.pk, ranking=ranking)

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(cast, rankings))
    acked = [value for status, value in outcomes if status == "ack"]
    assert acked, outcomes
    assert Ballot.objects.filter(round=round_).count() == 1
    # The stored ballot is one that was acknowledged, with the receipt every ack carried.
    stored = Ballot.objects.get(round=round_)
    assert stored.ranking in [b.ranking for b in acked]
    assert {b.receipt for b in acked} == {stored.receipt}


def test_ballots_racing_close_are_counted_or_refused_never_lost(live, fac_actor, join, vote_round):
    round_, ids = vote_round
    voters = [join(f"Voter {i}")[1] for i in range(12)]
    start = threading.Barrier(len(voters) + 1)

    def cast(actor):
        start.wait()
        return _in_thread(services.ballot_cast, actor=actor, session=live, round_id=round_.pk, ranking=[ids[0]])

    def close():
        start.wait()
        return _in_thread(services.round_close, actor=fac_actor, session=live, round_id=round_.pk)

    with ThreadPoolExecutor(max_workers=len(voters) + 1) as pool:
        futures = [pool.submit(cast, v) for v in voters]
        closing = pool.submit(close)
        outcomes = [f.result() for f in futures]
        assert closing.result()[0] == "ack"
    acked = [value for status, value in outcomes if status == "ack"]
    refused = [value for status, value in outcomes if status == "error"]
    assert set(refused) <= {"round_not_open"}
    round_.refresh_from_db()
    assert round_.state == Round.State.CLOSED
    # Every acknowledged ballot is in the count, and nothing else is.
    assert round_.result["ballots"] == len(acked) == Ballot.objects.filter(round=round_).count()
