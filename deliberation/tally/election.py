"""The Election value type (candidates, aggregated ballots, seats, title, withdrawn candidates), and count(),
which builds one from names and (weight, ranking) ballots and counts it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from hashlib import sha256

from ._gc import paused_gc
from .blt import canonical_blt_bytes, parse_blt, ranking_texts, write_blt
from .count import count_election
from .model import Result, TallyError


@dataclass(frozen=True)
class Election:
    """An election ready to count.

    `ballots` is a tuple of (weight, ranking) pairs with every distinct ranking once; a ranking is
    a tuple of 0-based indices into `candidates`, most preferred first, and may be empty (a valid
    ballot that is exhausted at once). `withdrawn` holds 0-based indices of withdrawn candidates;
    their preferences are skipped when counting. Build one with Election.build() or
    Election.from_blt(), which validate; the plain constructor trusts its arguments.
    """

    candidates: tuple[str, ...]
    ballots: tuple[tuple[int, tuple[int, ...]], ...]
    seats: int = 1
    title: str = ""
    withdrawn: frozenset[int] = frozenset()
    # The BLT parser keeps each ranking's text so the canonical BLT (and default seed) is cheap.
    _texts: list[bytes] | None = field(default=None, compare=False, repr=False, hash=False)
    # The default seed, once computed (the election is immutable, so it cannot go stale).
    _cache: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    @classmethod
    def build(
        cls,
        candidates: Iterable[str],
        ballots: Iterable[tuple[int, Iterable[int]]],
        seats: int = 1,
        title: str = "",
        withdrawn: Iterable[int] = (),
    ) -> Election:
        """Validate and aggregate (weight, ranking) ballots with 0-based candidate indices."""
        names = tuple(candidates)
        n = len(names)
        if n < 1:
            raise TallyError("an election needs at least one candidate")
        if any(not isinstance(x, str) for x in names):
            raise TallyError("candidate names must be strings")
        if len(set(names)) != n:
            raise TallyError("candidate names must be distinct")
        if not isinstance(seats, int) or seats < 1:
            raise TallyError(f"seats must be a positive whole number, got {seats!r}")
        gone = frozenset(withdrawn)
        if any(not isinstance(c, int) or not 0 <= c < n for c in gone):
            raise TallyError(f"withdrawn candidates must be indices 0..{n - 1}")
        valid = range(n)
        aggregated: dict[tuple[int, ...], int] = {}
        for number, item in enumerate(ballots, 1):
            try:
                weight, ranking = item
            except (TypeError, ValueError):
                raise TallyError(f"ballot {number}: expected (weight, ranking), got {item!r}") from None
            ranking = tuple(ranking)
            if not isinstance(weight, int) or isinstance(weight, bool) or weight <= 0:
                raise TallyError(f"ballot {number}: weight must be a positive whole number, got {weight!r}")
            for c in ranking:
                if not isinstance(c, int) or isinstance(c, bool) or c not in valid:
                    raise TallyError(f"ballot {number}: unknown candidate index {c!r} (0..{n - 1})")
            if len(set(ranking)) != len(ranking):
                raise TallyError(f"ballot {number}: a candidate is ranked twice in {ranking!r}")
            aggregated[ranking] = aggregated.get(ranking, 0) + weight
        return cls(names, tuple(zip(aggregated.values(), aggregated, strict=True)), seats, str(title), gone)

    @classmethod
    def from_blt(cls, text: str | bytes) -> Election:
        """Parse BLT text (str or UTF-8 bytes); raise BltError naming the line if it is malformed."""
        with paused_gc():
            fields = parse_blt(text)
        return cls(fields.candidates, fields.ballots, fields.seats, fields.title, fields.withdrawn, fields.texts)

    def to_blt(self) -> str:
        """Write the election as BLT text (ballots in stored order)."""
        return write_blt(self.candidates, self.ballots, self.seats, self.title, self.withdrawn)

    def _canonical_bytes(self) -> bytes:
        texts = self._texts if self._texts is not None else ranking_texts(len(self.candidates), self.ballots)
        return canonical_blt_bytes(self.candidates, self.ballots, texts, self.seats, self.title, self.withdrawn)

    def canonical_blt(self) -> str:
        """BLT text with one line per distinct ranking, lines sorted by the ranking's text (byte
        order, e.g. "1 10 2" before "1 2"): the same ballots in any order give the same text."""
        return self._canonical_bytes().decode("utf-8")

    def default_seed(self) -> str:
        """The lot seed used when none is given: sha256 (hex) of the canonical BLT text (UTF-8)."""
        seed = self._cache.get("seed")
        if seed is None:
            seed = self._cache["seed"] = sha256(self._canonical_bytes()).hexdigest()
        return seed

    @property
    def total_weight(self) -> int:
        """Number of valid ballots (sum of weights, empty ballots included)."""
        return sum(w for w, _ in self.ballots)

    def count(self, method: str, seats: int | None = None, seed: str | int | None = None, tiebreak: str = "lot") -> Result:
        """Count this election with a method; see count() below for the arguments."""
        return count_election(self, method, seats=seats, seed=seed, tiebreak=tiebreak)


def count(
    method: str,
    candidates: Iterable[str],
    ballots: Iterable[tuple[int, Iterable[int]]],
    seats: int = 1,
    seed: str | int | None = None,
    tiebreak: str = "lot",
    withdrawn: Iterable[int] = (),
    title: str = "",
) -> Result:
    """Count (weight, ranking) ballots whose rankings are 0-based indices into candidates."""
    with paused_gc():
        election = Election.build(candidates, ballots, seats=seats, title=title, withdrawn=withdrawn)
    return count_election(election, method, seats=seats, seed=seed, tiebreak=tiebreak)
