"""Counting an election: count_election(election, method, ...) checks the method, seats and tie-break rule,
sets up the context and runs the method's count (Election.count and count() in election.py call it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._gc import paused_gc
from .context import Context
from .model import Result, TallyError
from .ties import TIEBREAKS, TieBreaker

if TYPE_CHECKING:  # for the annotations only: election.py imports this module
    from .election import Election

METHODS = ("irv", "stv-scottish", "stv", "stv-meek", "schulze", "schulze-margins", "borda", "condorcet")
ALIASES = {"stv": "stv-scottish"}
SINGLE_WINNER = ("irv", "condorcet")


def _counter(method: str):
    # Imported on demand so the command line loads only the method it runs.
    if method == "irv":
        from .irv import count_irv

        return count_irv
    if method == "stv-scottish":
        from .stv_scottish import count_stv_scottish

        return count_stv_scottish
    if method == "stv-meek":
        from .stv_meek import count_stv_meek

        return count_stv_meek
    if method in ("schulze", "schulze-margins"):
        from .pairwise import count_schulze

        return count_schulze
    if method == "condorcet":
        from .pairwise import count_condorcet

        return count_condorcet
    from .borda import count_borda

    return count_borda


def canonical_method(method: str) -> str:
    """Return the canonical method name (resolving the alias stv), or raise TallyError."""
    if method not in METHODS:
        raise TallyError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    return ALIASES.get(method, method)


def count_election(
    election: Election,
    method: str,
    seats: int | None = None,
    seed: str | int | None = None,
    tiebreak: str = "lot",
) -> Result:
    """Count an Election. Seats default to the election's seats (1 for irv and condorcet)."""
    with paused_gc():
        return _count_election(election, method, seats, seed, tiebreak)


def _count_election(election: Election, method: str, seats, seed, tiebreak) -> Result:
    method = canonical_method(method)
    if tiebreak not in TIEBREAKS:
        raise TallyError(f"unknown tie-break rule {tiebreak!r}: use one of {', '.join(TIEBREAKS)}")
    if method in SINGLE_WINNER:
        if seats not in (None, 1):
            raise TallyError(f"{method} elects one candidate; got seats={seats}")
        seats = 1
    elif seats is None:
        seats = election.seats
    if not isinstance(seats, int) or isinstance(seats, bool) or seats < 1:
        raise TallyError(f"seats must be a positive whole number, got {seats!r}")
    gone = election.withdrawn
    active = [c for c in range(len(election.candidates)) if c not in gone]
    if seats > len(active):
        raise TallyError(f"{seats} seats but only {len(active)} candidates standing")
    ballots = list(election.ballots)
    if gone:
        merged: dict[tuple[int, ...], int] = {}
        for w, r in ballots:
            key = tuple(c for c in r if c not in gone)
            merged[key] = merged.get(key, 0) + w
        ballots = [(w, r) for r, w in merged.items()]
    seed_text = election.default_seed() if seed is None else str(seed)
    ctx = Context(
        method=method,
        names=election.candidates,
        active=active,
        withdrawn=gone,
        ballots=ballots,
        total=sum(w for w, _ in ballots),
        seats=seats,
        title=election.title,
        seed=seed_text,
        tb=TieBreaker(election.candidates, seed_text, tiebreak),
    )
    return _counter(method)(ctx)
