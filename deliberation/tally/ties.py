"""Deterministic tie-breaking: earlier stages first, then a seeded lot, or RCTab candidate order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from hashlib import sha256

from .model import Tie

TIEBREAKS = ("lot", "candidate-order")


def lot_keys(seed: str, n: int) -> list[str]:
    """Return each candidate's lot key: sha256 of "<seed>:<candidate number>" (1-based, as in BLT)."""
    return [sha256(f"{seed}:{i + 1}".encode()).hexdigest() for i in range(n)]


class TieBreaker:
    """Breaks ties the same way every time for the same ballots, seed and rule.

    Rule "lot" (default): look back through earlier stages, most recent first, and keep only the
    tied candidates who were lowest (for an exclusion) or highest (otherwise) at the first stage
    where they differed; if some are still tied after the first stage, draw lots. The lot is one
    fixed order drawn before the count: the candidate with the smallest lot key is favoured
    (elected, transferred or kept first) and the one with the largest key is excluded first.

    Rule "candidate-order" (RCTab useCandidateOrder): earlier stages are not consulted; the
    candidate listed later in the ballot file is excluded, the one listed earlier is favoured.
    """

    def __init__(self, names: Sequence[str], seed: str, rule: str = "lot"):
        if rule not in TIEBREAKS:
            raise ValueError(f"unknown tie-break rule {rule!r}: use one of {', '.join(TIEBREAKS)}")
        self.names = names
        self.seed = seed
        self.rule = rule
        self._keys: list[str] | None = None
        self.ties: list[Tie] = []

    @property
    def keys(self) -> list[str]:
        """Lot keys, computed only when a lot is actually drawn."""
        if self._keys is None:
            self._keys = lot_keys(self.seed, len(self.names))
        return self._keys

    def pick(
        self,
        tied: Sequence[int],
        history: Sequence[Sequence],
        *,
        lowest: bool,
        kind: str,
        stage: int | None,
        show: Callable[[object], str] = str,
        value: object = None,
    ) -> int:
        """Choose one of the tied candidates (the one to exclude if lowest, else the one favoured).

        `history` holds the vote totals of every earlier stage, oldest first, indexed by candidate.
        The decision is appended to self.ties.
        """
        names = self.names
        group = sorted(tied)
        tied_names = tuple(names[c] for c in group)
        at = f" at {show(value)}" if value is not None else ""
        if self.rule == "candidate-order":
            chosen = group[-1] if lowest else group[0]
            which = "later" if lowest else "earlier"
            detail = f"tied{at}; the candidate listed {which} in the ballot file is chosen"
            self.ties.append(Tie(kind, tied_names, names[chosen], "candidate-order", detail, stage))
            return chosen
        notes = []
        for back in range(len(history) - 1, -1, -1):
            past = history[back]
            values = [past[c] for c in group]
            if min(values) == max(values):
                continue
            target = min(values) if lowest else max(values)
            shown = ", ".join(f"{names[c]} {show(past[c])}" for c in group)
            group = [c for c in group if past[c] == target]
            notes.append(f"stage {back + 1}: {shown}")
            if len(group) == 1:
                detail = f"tied{at}; decided by the most recent earlier stage where they differed ({'; '.join(notes)})"
                self.ties.append(Tie(kind, tied_names, names[group[0]], "earlier-stages", detail, stage))
                return group[0]
        keys = self.keys
        chosen = max(group, key=keys.__getitem__) if lowest else min(group, key=keys.__getitem__)
        earlier = f" after earlier stages ({'; '.join(notes)})" if notes else ""
        lots = ", ".join(f"{names[c]} {keys[c][:12]}" for c in group)
        pick = "largest" if lowest else "smallest"
        detail = f"tied{at}{earlier}; decided by lot (seed {self.seed!r}, {pick} key chosen: {lots})"
        self.ties.append(Tie(kind, tied_names, names[chosen], "lot", detail, stage))
        return chosen

    def order(
        self,
        cands: Sequence[int],
        current: Sequence,
        history: Sequence[Sequence],
        *,
        kind: str,
        stage: int | None,
        show: Callable[[object], str] = str,
    ) -> list[int]:
        """Return candidates ordered by current votes, highest first, breaking ties with pick()."""
        remaining = list(cands)
        out: list[int] = []
        while remaining:
            top = max(current[c] for c in remaining)
            best = [c for c in remaining if current[c] == top]
            if len(best) == 1:
                chosen = best[0]
            else:
                chosen = self.pick(best, history, lowest=False, kind=kind, stage=stage, show=show, value=top)
            out.append(chosen)
            remaining.remove(chosen)
        return out

    def take(self, tiers: Sequence[Sequence[int]], seats: int, *, kind: str, values=None) -> list[int]:
        """Take `seats` candidates from tiers (best first), breaking ties only inside the tier cut."""
        out: list[int] = []
        for tier in tiers:
            rest = list(tier)
            while rest and len(out) < seats:
                if len(rest) == 1:
                    chosen = rest[0]
                else:
                    value = values[rest[0]] if values is not None else None
                    chosen = self.pick(rest, [], lowest=False, kind=kind, stage=None, value=value)
                out.append(chosen)
                rest.remove(chosen)
        return out
