"""The command line: reports, JSON, and exit status 2 with one line on stderr for bad input."""

from __future__ import annotations

import json

import pytest

SMALL = '3 1\n4 1 2 0\n3 2 0\n2 3 2 0\n0\n"Ann"\n"Bob"\n"Cy"\n"Small"\n'
THREE_SEATS = '4 3\n5 1 2 0\n4 2 0\n3 3 0\n2 4 1 0\n0\n"A"\n"B"\n"C"\n"D"\n"Seats"\n'


def test_cli_json_prints_winner_names_in_order(run_cli, write_blt):
    """--json prints the result object; winners is the list of names in order of election."""
    done = run_cli(write_blt(SMALL), "--method", "irv", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["winners"] == ["Bob"]
    assert result["method"] == "irv" and result["title"] == "Small"
    assert [s["stage"] for s in result["stages"]] == [1, 2]


def test_cli_report_shows_every_stage(run_cli, write_blt):
    """Without --json the command prints a readable stage-by-stage report."""
    done = run_cli(write_blt(SMALL), "--method", "irv")
    assert done.returncode == 0, done.stderr
    assert "Stage 1: exclude Cy (2)" in done.stdout
    assert "Stage 2: elect Bob (majority: 5 of 9)" in done.stdout
    assert done.stdout.rstrip().endswith("Elected: Bob")


@pytest.mark.parametrize("method", ["irv", "stv", "stv-scottish", "stv-meek", "schulze", "schulze-margins", "borda", "condorcet"])
def test_cli_every_method_runs_with_report_and_json(run_cli, write_blt, method):
    """Each method counts the same file in both output modes."""
    path = write_blt(THREE_SEATS)
    assert run_cli(path, "--method", method).returncode == 0
    done = run_cli(path, "--method", method, "--json")
    assert done.returncode == 0, done.stderr
    seats = json.loads(done.stdout)["seats"]
    assert seats == (1 if method in ("irv", "condorcet") else 3)  # seats default to the file's


def test_cli_seats_option_overrides_the_file(run_cli, write_blt):
    """--seats replaces the header's seat count."""
    done = run_cli(write_blt(THREE_SEATS), "--method", "stv", "--seats", "2", "--json")
    assert len(json.loads(done.stdout)["winners"]) == 2


def test_cli_reads_standard_input(run_cli):
    """FILE '-' reads the ballots from standard input."""
    done = run_cli("-", "--method", "borda", "--json", stdin=SMALL)
    assert done.returncode == 0 and json.loads(done.stdout)["winners"] == ["Bob"]


def test_cli_seed_is_recorded(run_cli, write_blt):
    """--seed is used for the lot and published in the result."""
    done = run_cli(write_blt(SMALL), "--method", "irv", "--seed", "2024-05-02", "--json")
    assert json.loads(done.stdout)["seed"] == "2024-05-02"


@pytest.mark.parametrize(
    ("args", "blt", "words"),
    [
        (["--method", "irv"], None, "cannot read"),
        (["--method", "irv"], '3 1\n4 1 9 0\n0\n"A"\n"B"\n"C"\n', "line 2: unknown candidate number 9"),
        (["--method", "irv"], '3 1\n4 1 2\n0\n"A"\n"B"\n"C"\n', "line 2: ballot line must end with 0"),
        (["--method", "nonsense"], SMALL, "invalid choice"),
        ([], SMALL, "--method"),
        (["--method", "irv", "--seats", "two"], SMALL, "invalid int value"),
        (["--method", "irv", "--seats", "2"], SMALL, "irv elects one candidate"),
        (["--method", "stv", "--seats", "0"], SMALL, "seats must be a positive whole number"),
        (["--method", "stv", "--seats", "4"], SMALL, "4 seats but only 3 candidates"),
        (["--method", "irv", "--tiebreak", "coin"], SMALL, "invalid choice"),
        (["--method", "irv", "--bogus"], SMALL, "unrecognized arguments"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(run_cli, write_blt, tmp_path, args, blt, words):
    """Bad files, missing files and bad arguments exit with status 2 and a single stderr line."""
    path = write_blt(blt) if blt is not None else str(tmp_path / "missing.blt")
    done = run_cli(path, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert words in lines[0]
    assert "Traceback" not in done.stderr


def test_cli_same_input_prints_identical_output(run_cli, write_blt):
    """Counting the same file twice prints byte-identical JSON (ties included)."""
    tied = '4 2\n2 1 0\n2 2 0\n2 3 0\n2 4 0\n0\n"A"\n"B"\n"C"\n"D"\n'
    path = write_blt(tied)
    first = run_cli(path, "--method", "stv", "--json").stdout
    assert json.loads(first)["ties"]  # this file can only be decided by lot
    assert run_cli(path, "--method", "stv", "--json").stdout == first
