"""Each rule of the Scottish STV count (SSI 2007/42 rules 45-52) on small hand-made ballots."""

from __future__ import annotations

from decimal import Decimal

from deliberation.tally import count


def _votes(stage) -> dict:
    return dict(stage.votes)


def test_scottish_quota_is_whole_number_droop():
    """Rule 46: quota = floor(valid papers / (seats + 1)) + 1, empty papers included as valid."""
    ballots = [(5, (0,)), (3, (1,)), (2, (2,)), (1, ())]  # 11 valid papers, one of them empty
    result = count("stv-scottish", ["A", "B", "C"], ballots, seats=2)
    assert result.quota == Decimal("4.00000")  # floor(11 / 3) + 1
    assert result.ballots == 11
    assert result.stages[0].exhausted == Decimal("1.00000")


def test_scottish_quota_reached_exactly_elects():
    """Rule 47: votes equal to the quota elect."""
    result = count("stv-scottish", ["A", "B", "C"], [(4, (0,)), (3, (1,)), (2, (2,))], seats=2)
    assert result.quota == Decimal("4.00000")
    assert result.stages[0].elected == ("A",)


def test_scottish_transfer_value_truncated_to_five_decimals():
    """Rule 48(3): surplus x value / total, to 5 dp with the remainder ignored (3/7 -> 0.42857)."""
    ballots = [(7, (0, 1)), (2, (2,)), (1, (3,))]  # 10 papers, 2 seats: quota 4
    result = count("stv-scottish", ["A", "B", "C", "D"], ballots, seats=2)
    surplus = result.stages[1]
    assert surplus.actions == ("transfer surplus of A (3.00000)",)
    assert _votes(surplus)["B"] == Decimal("2.99999")  # 7 x 0.42857, not 3
    assert surplus.lost == Decimal("0.00001")
    assert surplus.transfers[0].papers == 7 and surplus.transfers[0].votes == Decimal("2.99999")
    assert _votes(surplus)["A"] == Decimal("4.00000")  # the elected candidate keeps exactly the quota


def test_scottish_second_surplus_is_weighted_by_paper_value():
    """Rule 48(4): a transferred paper's new value is surplus x its own value / total (inclusive, weighted)."""
    names = ["X", "A", "B", "C", "D", "E"]
    ballots = [
        (4, (0, 1, 4)),
        (6, (0, 2, 5)),
        (10, (0, 3)),  # X: 20 papers, surplus 10, value 0.5 each
        (9, (1, 4)),
        (8, (2, 5)),
        (4, (3,)),
        (3, (4,)),
        (2, (5,)),
    ]
    result = count("stv-scottish", names, ballots, seats=4)  # 46 papers: quota 10
    assert result.quota == Decimal("10.00000")
    third = result.stages[2]
    assert third.actions[0] == "transfer surplus of A (1.00000)"
    # A holds 9 papers worth 1 and 4 worth 0.5 (total 11): 1 x 1/11 -> 0.09090, 1 x 0.5/11 -> 0.04545.
    assert _votes(third)["D"] == Decimal("3") + 9 * Decimal("0.09090") + 4 * Decimal("0.04545")


def test_scottish_largest_surplus_transferred_first():
    """Rule 49(1): with two surpluses, the larger one is transferred first whatever the list order."""
    names = ["A", "B", "C", "D", "E"]
    ballots = [(7, (0, 2)), (9, (1, 3)), (2, (2,)), (1, (3,)), (1, (4,))]  # 20 papers, 3 seats: quota 6
    result = count("stv-scottish", names, ballots, seats=3)
    assert result.stages[0].elected == ("B", "A")
    assert result.stages[1].actions == ("transfer surplus of B (3.00000)",)
    assert result.stages[2].actions[0] == "transfer surplus of A (1.00000)"


def test_scottish_equal_surpluses_ordered_by_earlier_stage():
    """Rule 49(2): equal surpluses go in the order of votes at the latest earlier stage where they differed."""
    names = ["X", "A", "B", "C", "D", "E"]
    ballots = [
        (4, (0, 1, 4)),
        (6, (0, 2, 5)),
        (10, (0, 3)),
        (9, (1, 4)),
        (8, (2, 5)),
        (4, (3,)),
        (3, (4,)),
        (2, (5,)),
    ]
    result = count("stv-scottish", names, ballots, seats=4)
    second = result.stages[1]
    assert _votes(second)["A"] == _votes(second)["B"] == Decimal("11.00000")
    # Elected at the same stage with equal votes: A first, because A led B at stage 1 (9 to 8).
    assert second.elected == ("A", "B")
    assert [(t.kind, t.rule, t.chosen) for t in second.ties] == [("elect", "earlier-stages", "A")]
    third = result.stages[2]
    assert third.actions[0] == "transfer surplus of A (1.00000)"
    assert [(t.kind, t.rule, t.chosen) for t in third.ties] == [("surplus", "earlier-stages", "A")]
    assert result.stages[3].actions[0] == "transfer surplus of B (1.00000)"


def test_scottish_exclusion_tie_resolved_by_earlier_stage():
    """Rule 51(2)(a): of candidates tied lowest, exclude the one lowest at the latest stage where they differed."""
    names = ["A", "D", "C", "E"]
    # Stage 1: A 6, C 3, D 2, E 1. E's paper goes to D: C and D tie at 3; D had fewer at stage 1.
    ballots = [(6, (0,)), (3, (2,)), (2, (1,)), (1, (3, 1))]
    result = count("stv-scottish", names, ballots, seats=2)  # 12 papers: quota 5
    stage = result.stages[3]
    assert stage.excluded == ("D",)
    assert [(t.kind, t.rule, t.chosen) for t in stage.ties] == [("exclude", "earlier-stages", "D")]
    # RCTab's candidate order ignores history: C is listed after D, so C goes instead.
    by_order = count("stv-scottish", names, ballots, seats=2, tiebreak="candidate-order")
    assert by_order.stages[3].excluded == ("C",)


def test_scottish_exclusion_moves_papers_at_their_current_value():
    """Rule 50(4): an excluded candidate's transferred papers keep the value they arrived with."""
    ballots = [(7, (0, 1, 2)), (3, (2,)), (1, (3,))]  # 11 papers: quota 4; B gets 7 papers at 0.42857
    result = count("stv-scottish", ["A", "B", "C", "D"], ballots, seats=2)
    excluded_b = next(s for s in result.stages if s.excluded == ("B",))
    assert [(t.target, t.papers, t.votes) for t in excluded_b.transfers] == [("C", 7, Decimal("2.99999"))]
    assert _votes(excluded_b)["C"] == Decimal("5.99999")


def test_scottish_last_vacancies_filled_without_quota():
    """Rule 52: when continuing candidates equal the vacancies left they are elected, with no more transfers."""
    ballots = [(10, (0,)), (2, (1,)), (1, (2,)), (3, (3,))]  # 16 papers, 3 seats: quota 5
    result = count("stv-scottish", ["A", "B", "C", "D"], ballots, seats=3)
    assert [s.actions for s in result.stages[1:]] == [
        ("transfer surplus of A (5.00000)",),
        ("exclude C (1.00000)", "elect remaining D (3.00000)", "elect remaining B (2.00000)"),
    ]
    last = result.stages[-1]
    assert last.elected == ("D", "B")
    assert [(t.target, t.votes) for t in last.transfers] == [(None, Decimal("1.00000"))]
    assert all(_votes(last)[name] < result.quota for name in last.elected)
    assert result.winners == ("A", "D", "B")


def test_scottish_count_stops_when_seats_filled():
    """Rule 48(1): no surplus is transferred once every seat is filled."""
    ballots = [(6, (0, 2)), (5, (1, 2)), (1, (2,))]  # 12 papers, 2 seats: quota 5
    result = count("stv-scottish", ["A", "B", "C"], ballots, seats=2)
    assert [s.number for s in result.stages] == [1]
    assert result.winners == ("A", "B")


def test_scottish_votes_exhausted_and_lost_add_up_at_every_stage():
    """Totals, non-transferable and truncation losses always add up to the valid papers."""
    names = ["X", "A", "B", "C", "D", "E"]
    ballots = [
        (4, (0, 1, 4)),
        (6, (0, 2, 5)),
        (10, (0, 3)),
        (9, (1, 4)),
        (8, (2, 5)),
        (4, (3,)),
        (3, (4,)),
        (2, (5,)),
        (3, ()),
    ]
    result = count("stv-scottish", names, ballots, seats=3)
    for stage in result.stages:
        assert sum(v for _, v in stage.votes) + stage.exhausted + stage.lost == result.ballots


def test_stv_alias_counts_scottish_rules():
    """The method name "stv" is Scottish STV."""
    ballots = [(7, (0, 1)), (2, (2,)), (1, (3,))]
    assert count("stv", ["A", "B", "C", "D"], ballots, seats=2).method == "stv-scottish"
