"""Property tests: our counts agree with pref_voting on random profiles, and the STV invariants hold.

pref_voting conventions and how each comparison accounts for them:
- IRV: pref_voting removes every candidate tied for last at once unless given a tie_breaker
  list (whose first entry goes first); we remove one at a time. With our candidate-order rule the
  answer must equal pref_voting's with tie_breaker = candidates in reverse file order. With our lot
  rule the answer must equal pref_voting's without a tie-breaker when our count met no tie, and
  otherwise pref_voting's with a tie_breaker that replays our eliminations in order.
- Borda: for truncated ballots we use "n - k points, unranked score 0", which is pref_voting's
  domination_borda_scores; its default for truncated ballots (symmetric Borda) differs.
- Condorcet and Schulze: ranked candidates beat unranked ones (pref_voting's extended strict
  preference). Schulze uses winning votes (strength_function=support); pref_voting's default beat
  path uses margins, which we compare against "schulze-margins".
- STV (pref_voting 1.18's stv_scottish and stv_meek, floating point, marked "not yet thoroughly
  vetted" upstream): winner sets are compared when our count met no tie (lots differ). pref_voting's
  Meek counts empty ballots in its quota, so they are left out of its profile (they cannot change a
  Meek count otherwise); it also elects a candidate exactly at the quota where we (like Droop and
  the NZ rules) need the quota plus one unit, so profiles that touch the quota exactly are skipped.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deliberation.tally import Election, Result, count

pv_profiles = pytest.importorskip("pref_voting.profiles_with_ties", reason="pref_voting is not installed")
pv_linear = pytest.importorskip("pref_voting.profiles")
pv_iterative = pytest.importorskip("pref_voting.iterative_methods")
pv_margin = pytest.importorskip("pref_voting.margin_based_methods")
pv_scoring = pytest.importorskip("pref_voting.scoring_methods")
pv_stv = pytest.importorskip("pref_voting.proportional_methods")

# TALLY_PROPERTY_EXAMPLES raises the example count for a longer soak run; 300 keeps the suite fast.
EXAMPLES = settings(
    max_examples=int(os.environ.get("TALLY_PROPERTY_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
NAMES = [chr(ord("A") + i) for i in range(8)]


@st.composite
def profiles(draw, max_cands=6, complete=False, allow_empty=True):
    """(n, ballots): few ballots with small weights, so ties are common; rankings may be truncated."""
    n = draw(st.integers(2, max_cands))
    ballots = []
    for _ in range(draw(st.integers(1, 14))):
        order = draw(st.permutations(range(n)))
        length = n if complete else draw(st.integers(0 if allow_empty else 1, n))
        ballots.append((draw(st.integers(1, 4)), tuple(order[:length])))
    return n, ballots


def _pv(n: int, ballots, keep_empty: bool = False):
    kept = [(w, r) for w, r in ballots if r or keep_empty]
    prof = pv_profiles.ProfileWithTies(
        [{c: i + 1 for i, c in enumerate(r)} for _, r in kept], [w for w, _ in kept], candidates=list(range(n))
    )
    prof.use_extended_strict_preference()
    return prof


def _ids(result: Result, names) -> list[int]:
    return [names.index(w) for w in result.winners]


@EXAMPLES
@given(profiles())
def test_irv_candidate_order_equals_pref_voting_tie_breaker(profile):
    """With RCTab candidate order our IRV winner is pref_voting's with the reversed candidate list."""
    n, ballots = profile
    assume(any(r for _, r in ballots))
    ours = count("irv", NAMES[:n], ballots, tiebreak="candidate-order")
    theirs = pv_iterative.instant_runoff(_pv(n, ballots), tie_breaker=list(reversed(range(n))))
    assert _ids(ours, NAMES) == theirs


@EXAMPLES
@given(profiles(), st.integers(0, 10**6))
def test_irv_lot_equals_pref_voting(profile, seed):
    """Without ties our IRV winner is pref_voting's; with ties it is pref_voting's replaying our eliminations."""
    n, ballots = profile
    assume(any(r for _, r in ballots))
    ours = count("irv", NAMES[:n], ballots, seed=seed)
    winner = NAMES.index(ours.winners[0])
    prof = _pv(n, ballots)
    if not ours.ties:
        assert pv_iterative.instant_runoff(prof) == [winner]
        return
    gone = [NAMES.index(s.excluded[0]) for s in ours.stages if s.excluded]
    rest = [c for c in range(n) if c not in gone and c != winner]
    assert pv_iterative.instant_runoff(prof, tie_breaker=gone + rest + [winner]) == [winner]


@EXAMPLES
@given(profiles())
def test_borda_scores_equal_pref_voting_domination_borda(profile):
    """Our truncated-ballot Borda totals are pref_voting's domination Borda scores, winners included."""
    n, ballots = profile
    assume(any(r for _, r in ballots))
    ours = count("borda", NAMES[:n], ballots)
    prof = _pv(n, ballots)
    theirs = pv_scoring.domination_borda_scores(prof)
    assert dict(ours.scores) == {NAMES[c]: s for c, s in theirs.items()}
    top = set(pv_scoring.borda_for_profile_with_ties(prof, borda_scores=pv_scoring.domination_borda_scores))
    assert set(_ids(ours, NAMES)) <= top
    assert {NAMES.index(x) for x in ours.ranking[0]} == top


@EXAMPLES
@given(profiles(complete=True))
def test_borda_complete_ballots_equal_pref_voting_borda(profile):
    """On complete rankings our Borda winners are pref_voting's plain Borda winners."""
    n, ballots = profile
    ours = count("borda", NAMES[:n], ballots)
    prof = pv_linear.Profile([list(r) for _, r in ballots], rcounts=[w for w, _ in ballots])
    assert {NAMES.index(x) for x in ours.ranking[0]} == set(pv_scoring.borda(prof))


@EXAMPLES
@given(profiles())
def test_condorcet_and_pairwise_equal_pref_voting(profile):
    """Our pairwise counts are pref_voting's supports and our Condorcet winner is its Condorcet winner."""
    n, ballots = profile
    assume(any(r for _, r in ballots))
    ours = count("condorcet", NAMES[:n], ballots)
    prof = _pv(n, ballots)
    assert [[ours.pairwise[a][b] for b in range(n)] for a in range(n)] == [
        [prof.support(a, b) if a != b else 0 for b in range(n)] for a in range(n)
    ]
    cw = prof.condorcet_winner()
    assert _ids(ours, NAMES) == ([] if cw is None else [cw])


@EXAMPLES
@given(profiles())
def test_schulze_winners_equal_pref_voting_beat_path(profile):
    """Our first Schulze tier is pref_voting's beat-path winner set (winning votes, and margins)."""
    n, ballots = profile
    assume(any(r for _, r in ballots))
    prof = _pv(n, ballots)
    wv = count("schulze", NAMES[:n], ballots)
    assert {NAMES.index(x) for x in wv.ranking[0]} == set(pv_margin.beat_path(prof, strength_function=prof.support))
    assert NAMES.index(wv.winners[0]) in {NAMES.index(x) for x in wv.ranking[0]}
    margins = count("schulze-margins", NAMES[:n], ballots)
    assert {NAMES.index(x) for x in margins.ranking[0]} == set(pv_margin.beat_path(prof))


@EXAMPLES
@given(profiles(max_cands=7), st.integers(2, 4))
def test_scottish_stv_equals_pref_voting_when_no_tie(profile, seats):
    """Our Scottish STV elects pref_voting's stv_scottish winners whenever our count met no tie."""
    n, ballots = profile
    assume(seats < n and any(r for _, r in ballots))
    ours = count("stv-scottish", NAMES[:n], ballots, seats=seats)
    assume(not ours.ties)
    theirs = pv_stv.stv_scottish(_pv(n, ballots, keep_empty=True), num_seats=seats)
    assert sorted(_ids(ours, NAMES)) == theirs


@EXAMPLES
@given(profiles(max_cands=7), st.integers(2, 4))
def test_meek_stv_equals_pref_voting_when_no_tie(profile, seats):
    """Our Meek STV elects pref_voting's stv_meek winners when no tie and no exact-quota total arose."""
    n, ballots = profile
    assume(seats < n and any(r for _, r in ballots))
    ours = count("stv-meek", NAMES[:n], ballots, seats=seats)
    assume(not ours.ties)
    near = Decimal("1e-9")
    assume(all(abs(v - s.quota) > near for s in ours.stages for _, v in s.votes))
    # ... nor at an exclusion: a candidate excluded a hair under the quota was converging to exactly the quota
    # (pref_voting's floats then call it a tie, within 1e-12, and break it their own way).
    excluded_at = [
        (Decimal(m), s.quota) for s in ours.stages for a in s.actions for m in re.findall(r"^exclude .+ \(([\d.]+)\)$", a)
    ]
    assume(all(abs(v - quota) > near for v, quota in excluded_at))
    theirs = pv_stv.stv_meek(_pv(n, ballots), num_seats=seats)
    assert sorted(_ids(ours, NAMES)) == theirs


@EXAMPLES
@given(profiles(complete=True), st.integers(0, 10**6), st.sampled_from(["lot", "candidate-order"]))
def test_scottish_stv_one_seat_equals_irv_on_complete_ballots(profile, seed, tiebreak):
    """With one seat and no exhausted papers, Scottish STV and IRV elect the same candidate, ties included."""
    n, ballots = profile
    names = NAMES[:n]
    irv = count("irv", names, ballots, seed=seed, tiebreak=tiebreak)
    assert count("stv-scottish", names, ballots, seed=seed, tiebreak=tiebreak).winners == irv.winners


@EXAMPLES
@given(profiles())
def test_meek_one_seat_equals_irv_when_no_tie(profile):
    """With one seat Meek is IRV: same winner whenever neither count met a tie."""
    n, ballots = profile
    meek = count("stv-meek", NAMES[:n], ballots)
    irv = count("irv", NAMES[:n], ballots)
    assume(not meek.ties and not irv.ties)
    assert meek.winners == irv.winners


@EXAMPLES
@given(profiles(max_cands=7), st.integers(1, 4))
def test_stv_stages_account_for_every_vote(profile, seats):
    """Every STV stage's totals, non-transferable and lost votes add up to the valid ballots."""
    n, ballots = profile
    assume(seats <= n)
    for method in ("stv-scottish", "stv-meek"):
        result = count(method, NAMES[:n], ballots, seats=seats)
        assert len(result.winners) == seats
        assert len(set(result.winners)) == seats
        for stage in result.stages:
            assert sum(v for _, v in stage.votes) + stage.exhausted + stage.lost == result.ballots
            assert all(v >= 0 for _, v in stage.votes)


@settings(max_examples=100, deadline=None)
@given(profiles(max_cands=7), st.integers(1, 3), st.sets(st.integers(0, 6), max_size=2))
def test_blt_and_json_round_trips(profile, seats, withdrawn):
    """BLT text and result JSON both read back to equal values."""
    n, ballots = profile
    gone = [c for c in withdrawn if c < n]
    assume(seats <= n - len(gone))
    election = Election.build(NAMES[:n], ballots, seats=seats, title="Round trip", withdrawn=gone)
    assert Election.from_blt(election.to_blt()) == election
    result = election.count("stv")
    assert Result.from_json(result.to_json()) == result
