"""The Python API: results are immutable and JSON round-trips, counts are deterministic, no Django."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from hashlib import sha256
from pathlib import Path

import pytest

from deliberation.tally import Election, Result, TallyError, count

REPO = Path(__file__).resolve().parents[2]
NAMES = ["A", "B", "C", "D"]
BALLOTS = [(5, (0, 1, 2)), (4, (1, 0)), (3, (2, 1)), (2, (3, 2, 0)), (1, ())]


def test_tally_import_loads_only_the_standard_library():
    """Importing deliberation.tally (and counting) pulls in no Django, Channels, Wagtail or any third party."""
    code = (
        "import sys\n"
        "import deliberation.tally as t\n"
        "t.count('stv', ['A', 'B'], [(1, (0,))]).to_json()\n"
        "import deliberation.tally.__main__\n"
        "tops = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(tops - set(sys.stdlib_module_names) - {'deliberation', '__main__'}))\n"
    )
    # -S skips site-packages entirely, so a third-party import would fail outright.
    done = subprocess.run([sys.executable, "-S", "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.replace("'", '"')) == []
    check = (
        "import sys, deliberation.tally; print([m for m in sys.modules if m.split('.')[0] in ('django', 'channels', 'wagtail')])"
    )
    done = subprocess.run([sys.executable, "-c", check], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("method", ["irv", "stv-scottish", "stv-meek", "schulze", "borda", "condorcet"])
def test_result_json_round_trip_is_lossless(method):
    """Result.from_json(result.to_json()) equals the result, for every method."""
    seats = 1 if method in ("irv", "condorcet") else 2
    result = count(method, NAMES, BALLOTS, seats=seats)
    again = Result.from_json(result.to_json())
    assert again == result
    assert again.to_json() == result.to_json()


def test_result_is_immutable_and_hashable():
    """Results are frozen: published records cannot be edited in place."""
    result = count("stv-scottish", NAMES, BALLOTS, seats=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.winners = ("D",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.stages[0].votes = ()
    assert hash(result) == hash(Result.from_json(result.to_json()))


def test_result_json_values_have_fixed_decimals():
    """Scottish STV values are strings with 5 decimals; Meek with 18; IRV counts stay integers."""
    stv = json.loads(count("stv-scottish", NAMES, BALLOTS, seats=2).to_json())
    assert stv["quota"] == "6.00000" and stv["decimals"] == 5
    assert all(len(v.split(".")[1]) == 5 for v in stv["stages"][-1]["votes"].values())
    meek = json.loads(count("stv-meek", NAMES, BALLOTS, seats=2).to_json())
    assert len(meek["stages"][0]["quota"].split(".")[1]) == 18
    irv = json.loads(count("irv", NAMES, BALLOTS).to_json())
    assert irv["stages"][0]["votes"] == {"A": 5, "B": 4, "C": 3, "D": 2}


def test_count_same_input_gives_identical_json():
    """The same ballots, in any order, always publish the same result text."""
    first = count("stv-meek", NAMES, BALLOTS, seats=2).to_json()
    assert count("stv-meek", NAMES, list(reversed(BALLOTS)), seats=2).to_json() == first


def test_count_default_seed_is_sha256_of_canonical_blt():
    """With no seed given, the lot seed is sha256 of the canonical BLT, and it is recorded."""
    election = Election.build(NAMES, BALLOTS, seats=2)
    expected = sha256(election.canonical_blt().encode()).hexdigest()
    assert count("stv", NAMES, BALLOTS, seats=2).seed == expected
    assert count("stv", NAMES, BALLOTS, seats=2, seed=7).seed == "7"


def test_lot_follows_documented_keys_and_depends_on_seed():
    """A tie equal at every stage goes by lot: the smallest sha256("<seed>:<number>") wins."""
    winners = set()
    for seed in range(20):
        result = count("irv", ["A", "B"], [(1, (0,)), (1, (1,))], seed=seed)
        keys = {name: sha256(f"{seed}:{i + 1}".encode()).hexdigest() for i, name in enumerate("AB")}
        assert result.winners == (min(keys, key=keys.get),)
        assert result.ties[0].rule == "lot" and str(seed) in result.ties[0].detail
        winners.add(result.winners[0])
    assert winners == {"A", "B"}


def test_count_rejects_bad_input_with_tally_error():
    """Unknown methods, indices, weights, duplicate preferences and seats raise TallyError."""
    for args, kwargs in [
        (("nope", NAMES, BALLOTS), {}),
        (("irv", NAMES, [(1, (4,))]), {}),
        (("irv", NAMES, [(0, (1,))]), {}),
        (("irv", NAMES, [(1, (1, 1))]), {}),
        (("irv", NAMES, BALLOTS), {"seats": 2}),
        (("stv", NAMES, BALLOTS), {"seats": 5}),
        (("stv", NAMES, BALLOTS), {"tiebreak": "coin"}),
        (("stv", ["A", "A"], [(1, (0,))]), {}),
    ]:
        with pytest.raises(TallyError):
            count(*args, **kwargs)


def test_count_skips_withdrawn_candidates():
    """A withdrawn candidate's preferences are skipped, as if struck from every ballot."""
    with_d = count("stv", NAMES, BALLOTS, seats=2, withdrawn=[3], seed="s")
    struck = [(w, tuple(c for c in r if c != 3)) for w, r in BALLOTS]
    assert with_d.withdrawn == ("D",)
    assert with_d.winners == count("stv", NAMES[:3], struck, seats=2, seed="s").winners
    assert "D" not in dict(with_d.stages[0].votes)


def test_count_restores_garbage_collector_state():
    """Counting pauses the cyclic collector only for its own duration, whatever its state was."""
    import gc

    assert gc.isenabled()
    count("stv", NAMES, BALLOTS, seats=2)
    Election.from_blt(Election.build(NAMES, BALLOTS).to_blt())
    assert gc.isenabled()
    gc.disable()
    try:
        count("irv", NAMES, BALLOTS)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_election_count_uses_file_seats():
    """Election.count defaults to the election's seats for multi-seat methods."""
    election = Election.build(NAMES, BALLOTS, seats=2)
    assert len(election.count("stv").winners) == 2
    assert len(election.count("irv").winners) == 1
