"""IRV, Meek STV, Schulze, Borda and Condorcet on small ballots with known answers."""

from __future__ import annotations

from decimal import Decimal

from deliberation.tally import count

# Wikipedia "Schulze method" example: 45 voters, ranking E > A > C > B > D.
WIKI = ["A", "B", "C", "D", "E"]
WIKI_BALLOTS = [
    (5, (0, 2, 1, 4, 3)),
    (5, (0, 3, 4, 2, 1)),
    (8, (1, 4, 3, 0, 2)),
    (3, (2, 0, 1, 4, 3)),
    (7, (2, 0, 4, 1, 3)),
    (2, (2, 1, 0, 3, 4)),
    (7, (3, 2, 4, 1, 0)),
    (8, (4, 1, 0, 3, 2)),
]
TENNESSEE = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
TENNESSEE_BALLOTS = [(42, (0, 1, 2, 3)), (26, (1, 2, 3, 0)), (15, (2, 3, 1, 0)), (17, (3, 2, 1, 0))]


def test_irv_majority_counts_continuing_ballots_only():
    """Exhausted ballots leave the majority test: 4 of 7 continuing wins though 12 ballots were cast."""
    ballots = [(4, (0,)), (3, (1, 0)), (2, (2,)), (3, ())]
    result = count("irv", ["A", "B", "C"], ballots)
    assert [s.excluded for s in result.stages] == [("C",), ()]
    assert result.stages[1].exhausted == 5 and result.winners == ("A",)
    assert result.stages[-1].actions == ("elect A (majority: 4 of 7)",)


def test_irv_records_transfers_and_exhausted_ballots():
    """An exclusion lists where its ballots went and how many exhausted."""
    ballots = [(4, (0,)), (3, (1,)), (1, (2, 1)), (1, (2,))]
    stage = count("irv", ["A", "B", "C"], ballots).stages[0]
    assert [(t.source, t.target, t.votes) for t in stage.transfers] == [("C", "B", 1), ("C", None, 1)]


def test_irv_stops_at_first_majority():
    """A first-round majority ends the count at once."""
    result = count("irv", ["A", "B", "C"], [(6, (0,)), (3, (1,)), (2, (2,))])
    assert len(result.stages) == 1 and result.winners == ("A",)


def test_irv_tennessee_elects_knoxville():
    """The Tennessee example: IRV excludes Chattanooga, then Nashville, and elects Knoxville."""
    result = count("irv", TENNESSEE, TENNESSEE_BALLOTS)
    assert [s.excluded for s in result.stages[:2]] == [("Chattanooga",), ("Nashville",)]
    assert result.winners == ("Knoxville",)


def test_irv_exclusion_tie_uses_earlier_round_before_lot():
    """Candidates tied for last are separated by the latest earlier round where they differed."""
    ballots = [(5, (0,)), (3, (1,)), (2, (2,)), (1, (3, 2))]
    result = count("irv", ["A", "B", "C", "D"], ballots)
    # Round 2: B 3, C 3 after D's ballot moved; in round 1 C had 2 to B's 3, so C goes.
    assert result.stages[1].excluded == ("C",)
    assert [(t.rule, t.chosen) for t in result.stages[1].ties] == [("earlier-stages", "C")]
    by_order = count("irv", ["A", "B", "C", "D"], ballots, tiebreak="candidate-order")
    assert by_order.stages[1].excluded == ("C",)  # C is also listed after B


def test_meek_single_seat_transfers_everything_like_irv():
    """With one seat Meek elects the IRV winner (keep factors never matter before the election)."""
    assert count("stv-meek", TENNESSEE, TENNESSEE_BALLOTS).winners == ("Knoxville",)


def test_meek_surplus_passes_through_keep_factor():
    """An elected candidate keeps quota/votes of each ballot and passes the rest on, to convergence."""
    ballots = [(60, (0, 1)), (25, (1,)), (15, (2,))]  # 100 ballots, 2 seats
    result = count("stv-meek", ["A", "B", "C"], ballots, seats=2)
    assert result.winners == ("A", "B")
    second = result.stages[1]
    votes = dict(second.votes)
    kf = dict(second.keep_factors)
    # Quota is about 33.33; A keeps about 33.33 of 60 and passes about 26.67 to B.
    assert abs(votes["A"] - Decimal(100) / 3) < Decimal("1e-8")
    assert abs(kf["A"] - Decimal(100) / 3 / 60) < Decimal("1e-8")
    assert sum(votes.values()) + second.exhausted == 100


def test_meek_and_scottish_stv_agree_without_surplus_effects():
    """When surpluses never decide anything, both STV variants elect the same set."""
    ballots = [(10, (0,)), (9, (1,)), (3, (2, 0)), (2, (3, 1))]
    meek = count("stv-meek", ["A", "B", "C", "D"], ballots, seats=2)
    scot = count("stv-scottish", ["A", "B", "C", "D"], ballots, seats=2)
    assert set(meek.winners) == set(scot.winners) == {"A", "B"}


def test_schulze_wikipedia_example_gives_full_ranking():
    """The 45-voter Wikipedia example ranks E > A > C > B > D with path strengths as published."""
    result = count("schulze", WIKI, WIKI_BALLOTS, seats=5)
    assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    assert result.winners == ("E", "A", "C", "B", "D")
    assert result.pairwise[0][1] == 20 and result.pairwise[1][0] == 25  # d[A,B], d[B,A]
    assert result.strongest_paths[4] == (25, 28, 28, 31, 0)  # p[E, *]: row E of Wikipedia's table
    assert result.strongest_paths[0] == (0, 28, 28, 30, 24)  # p[A, *]


def test_schulze_margins_variant_uses_margins():
    """schulze-margins measures defeats by margin; with complete ballots it agrees with winning votes."""
    wv = count("schulze", WIKI, WIKI_BALLOTS)
    margins = count("schulze-margins", WIKI, WIKI_BALLOTS)
    assert wv.winners == margins.winners == ("E",)
    assert margins.strongest_paths[4][0] == 5  # the E -> A path's weakest margin


def test_schulze_single_winner_from_condorcet_cycle_tie_goes_to_lot():
    """A perfect three-way cycle leaves all three tied: the winner is drawn by lot and recorded."""
    ballots = [(1, (0, 1, 2)), (1, (1, 2, 0)), (1, (2, 0, 1))]
    result = count("schulze", ["A", "B", "C"], ballots, seed="s")
    assert result.ranking == (("A", "B", "C"),)
    assert [t.rule for t in result.ties] == ["lot"]


def test_borda_scores_tennessee():
    """n - k points: Nashville 194, Chattanooga 173, Memphis 126, Knoxville 107."""
    result = count("borda", TENNESSEE, TENNESSEE_BALLOTS)
    assert dict(result.scores) == {"Memphis": 126, "Nashville": 194, "Chattanooga": 173, "Knoxville": 107}
    assert result.winners == ("Nashville",)


def test_borda_truncated_ballot_scores_unranked_zero():
    """A ranked candidate keeps its position's points; unranked candidates score nothing."""
    result = count("borda", ["A", "B", "C", "D"], [(1, (2,)), (1, (0, 1))])
    assert dict(result.scores) == {"A": 3, "B": 2, "C": 3, "D": 0}


def test_condorcet_winner_and_none():
    """Nashville beats every other city head to head; a cycle has no Condorcet winner."""
    assert count("condorcet", TENNESSEE, TENNESSEE_BALLOTS).winners == ("Nashville",)
    cycle = [(1, (0, 1, 2)), (1, (1, 2, 0)), (1, (2, 0, 1))]
    assert count("condorcet", ["A", "B", "C"], cycle).winners == ()


def test_condorcet_pairwise_treats_unranked_as_below_ranked():
    """A truncated ballot prefers its ranked candidates to unranked ones, and leaves unranked pairs alone."""
    result = count("condorcet", ["A", "B", "C"], [(2, (0,)), (1, (1, 0))])
    d = result.pairwise
    assert (d[0][1], d[1][0], d[0][2], d[1][2], d[2][0], d[2][1]) == (2, 1, 3, 1, 0, 0)
