"""Cyd's counting engine: preferential counts anyone can re-run (standard library only, no Django).

Public API::

    from deliberation.tally import count, Election, Result, BltError, TallyError

    result = count("irv", ["Ann", "Bob", "Cy"], [(3, (0, 1)), (2, (1,)), (2, (2, 1))])
    result.winners            # ('Bob',): names, in order of election
    result.stages             # every stage: votes, elected, excluded, transfers, exhausted, ties
    result.to_json()          # the published record; Result.from_json() reads it back

    election = Election.from_blt(text)          # raises BltError("line N: ...") if malformed
    election.count("stv", seats=3, seed="2024") # seats default to the file's seats
    election.to_blt()

count(method, candidates, ballots, seats=1, seed=None, tiebreak="lot", withdrawn=(), title="")
    ballots: iterable of (weight, ranking); a ranking is a tuple of 0-based candidate indices,
    most preferred first, possibly empty. Raises TallyError (a ValueError) for bad input.

Methods: "irv", "stv-scottish" (alias "stv"), "stv-meek", "schulze" (winning votes),
"schulze-margins" (the same with margins, as pref_voting's default), "borda", "condorcet".
Tie-breaks: "lot" (earlier stages, then a lot seeded by `seed`, by default sha256 of the
canonical BLT) or "candidate-order" (RCTab). The rules are in docs/tally.md.

Command line: python -m deliberation.tally FILE.blt --method M [--seats N] [--seed S]
[--tiebreak lot|candidate-order] [--json]
"""

from .count import METHODS, count_election
from .election import Election, count
from .model import BltError, Result, Stage, TallyError, Tie, Transfer

__all__ = [
    "METHODS",
    "BltError",
    "Election",
    "Result",
    "Stage",
    "TallyError",
    "Tie",
    "Transfer",
    "count",
    "count_election",
]
