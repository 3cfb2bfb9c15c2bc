"""What every counting method receives: prepared ballots, names, seats and the tie-breaker."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Result
from .ties import TieBreaker


@dataclass
class Context:
    """Ballots with withdrawn candidates already removed, plus everything a Result records."""

    method: str
    names: tuple[str, ...]
    active: list[int]
    withdrawn: frozenset[int]
    ballots: list[tuple[int, tuple[int, ...]]]
    total: int
    seats: int
    title: str
    seed: str
    tb: TieBreaker

    @property
    def n(self) -> int:
        """Number of candidates in the file, withdrawn ones included."""
        return len(self.names)

    def result(self, winners, decimals=0, quota=None, stages=(), **extra) -> Result:
        """Assemble the immutable Result of this count."""
        return Result(
            method=self.method,
            title=self.title,
            candidates=self.names,
            withdrawn=tuple(self.names[c] for c in sorted(self.withdrawn)),
            seats=self.seats,
            ballots=self.total,
            decimals=decimals,
            quota=quota,
            tiebreak=self.tb.rule,
            seed=self.seed,
            winners=tuple(self.names[c] for c in winners),
            stages=tuple(stages),
            ties=tuple(self.tb.ties),
            **extra,
        )
