"""Immutable value types of the counting engine: errors, the result of a count and its stages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

Number = int | Decimal


class TallyError(ValueError):
    """Input a count cannot accept: unknown method, impossible seats, malformed ballots."""


class BltError(TallyError):
    """A malformed BLT file; the message starts with the line number when one applies."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


def scaled(units: int, decimals: int) -> Number:
    """Return an integer count of 10**-decimals units as an exact value (an int when decimals is 0)."""
    if decimals == 0:
        return units
    return Decimal(units).scaleb(-decimals)


def fmt(value: Number | None) -> int | str | None:
    """Return a value as JSON wants it: ints stay ints, Decimals become fixed-point strings."""
    if isinstance(value, Decimal):
        # "f" keeps every stored decimal place and never switches to exponent notation.
        return f"{value:f}"
    return value


def _num(value: object) -> Number | None:
    """Read back a value written by fmt()."""
    if value is None or isinstance(value, int):
        return value
    return Decimal(value)


@dataclass(frozen=True)
class Transfer:
    """Votes moved at one stage from one candidate to another (target None: non-transferable)."""

    source: str
    target: str | None
    papers: int
    votes: Number

    def to_dict(self) -> dict:
        """Return the transfer as plain JSON data."""
        return {"from": self.source, "to": self.target, "papers": self.papers, "votes": fmt(self.votes)}

    @classmethod
    def from_dict(cls, data: dict) -> Transfer:
        """Rebuild a transfer from to_dict() output."""
        return cls(data["from"], data["to"], data["papers"], _num(data["votes"]))


@dataclass(frozen=True)
class Tie:
    """A tie met during a count and how it was broken."""

    kind: str  # exclude | elect | surplus | winner | rank
    candidates: tuple[str, ...]
    chosen: str
    rule: str  # earlier-stages | lot | candidate-order
    detail: str
    stage: int | None = None

    def to_dict(self) -> dict:
        """Return the tie as plain JSON data."""
        return {
            "stage": self.stage,
            "kind": self.kind,
            "candidates": list(self.candidates),
            "chosen": self.chosen,
            "rule": self.rule,
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Tie:
        """Rebuild a tie from to_dict() output."""
        return cls(data["kind"], tuple(data["candidates"]), data["chosen"], data["rule"], data["detail"], data["stage"])


@dataclass(frozen=True)
class Stage:
    """One stage (round) of a sequential count.

    For IRV, `votes` are the tallies at the start of the round and `transfers` are the papers of the
    candidate excluded at its end; for STV, `votes` are the totals after the stage's transfer, as on
    official Scottish result sheets. `exhausted` and `lost` are cumulative.
    """

    number: int
    actions: tuple[str, ...]
    votes: tuple[tuple[str, Number], ...]
    elected: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    exhausted: Number = 0
    lost: Number = 0
    quota: Number | None = None
    keep_factors: tuple[tuple[str, Number], ...] = ()
    ties: tuple[Tie, ...] = ()

    def to_dict(self) -> dict:
        """Return the stage as plain JSON data."""
        data = {
            "stage": self.number,
            "actions": list(self.actions),
            "votes": {name: fmt(v) for name, v in self.votes},
            "elected": list(self.elected),
            "excluded": list(self.excluded),
            "transfers": [t.to_dict() for t in self.transfers],
            "exhausted": fmt(self.exhausted),
            "lost": fmt(self.lost),
            "ties": [t.to_dict() for t in self.ties],
        }
        if self.quota is not None:
            data["quota"] = fmt(self.quota)
        if self.keep_factors:
            data["keep_factors"] = {name: fmt(v) for name, v in self.keep_factors}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Stage:
        """Rebuild a stage from to_dict() output."""
        return cls(
            number=data["stage"],
            actions=tuple(data["actions"]),
            votes=tuple((k, _num(v)) for k, v in data["votes"].items()),
            elected=tuple(data["elected"]),
            excluded=tuple(data["excluded"]),
            transfers=tuple(Transfer.from_dict(t) for t in data["transfers"]),
            exhausted=_num(data["exhausted"]),
            lost=_num(data["lost"]),
            quota=_num(data.get("quota")),
            keep_factors=tuple((k, _num(v)) for k, v in data.get("keep_factors", {}).items()),
            ties=tuple(Tie.from_dict(t) for t in data["ties"]),
        )


def _matrix_to_dict(names: tuple[str, ...], active: tuple[str, ...], matrix) -> dict | None:
    if matrix is None:
        return None
    index = {name: i for i, name in enumerate(names)}
    return {a: {b: fmt(matrix[index[a]][index[b]]) for b in active if b != a} for a in active}


def _matrix_from_dict(names: tuple[str, ...], data: dict | None):
    if data is None:
        return None
    rows = []
    for a in names:
        row = data.get(a, {})
        rows.append(tuple(_num(row[b]) if b in row else 0 for b in names))
    return tuple(rows)


@dataclass(frozen=True)
class Result:
    """The published result of one count: winners in order of election and every stage.

    `pairwise[i][j]` (Condorcet methods) is the weight of ballots ranking candidate i above j;
    `strongest_paths` is Schulze's beat-path strength matrix; `ranking` lists tiers, best first;
    `scores` holds Borda totals. Everything is a tuple, int or Decimal, so a result can be
    hashed, compared and published as is.
    """

    method: str
    title: str
    candidates: tuple[str, ...]
    withdrawn: tuple[str, ...]
    seats: int
    ballots: int
    decimals: int
    quota: Number | None
    tiebreak: str
    seed: str
    winners: tuple[str, ...]
    stages: tuple[Stage, ...] = ()
    ties: tuple[Tie, ...] = ()
    pairwise: tuple[tuple[int, ...], ...] | None = None
    strongest_paths: tuple[tuple[int, ...], ...] | None = None
    ranking: tuple[tuple[str, ...], ...] | None = None
    scores: tuple[tuple[str, Number], ...] | None = None

    @property
    def active_candidates(self) -> tuple[str, ...]:
        """Candidates who stood (everyone not withdrawn), in file order."""
        gone = set(self.withdrawn)
        return tuple(c for c in self.candidates if c not in gone)

    def to_dict(self) -> dict:
        """Return the result as plain JSON data (Decimals as fixed-point strings)."""
        active = self.active_candidates
        data = {
            "method": self.method,
            "title": self.title,
            "candidates": list(self.candidates),
            "withdrawn": list(self.withdrawn),
            "seats": self.seats,
            "ballots": self.ballots,
            "decimals": self.decimals,
            "quota": fmt(self.quota),
            "tiebreak": self.tiebreak,
            "seed": self.seed,
            "winners": list(self.winners),
            "stages": [s.to_dict() for s in self.stages],
            "ties": [t.to_dict() for t in self.ties],
        }
        if self.pairwise is not None:
            data["pairwise"] = _matrix_to_dict(self.candidates, active, self.pairwise)
        if self.strongest_paths is not None:
            data["strongest_paths"] = _matrix_to_dict(self.candidates, active, self.strongest_paths)
        if self.ranking is not None:
            data["ranking"] = [list(tier) for tier in self.ranking]
        if self.scores is not None:
            data["scores"] = {name: fmt(v) for name, v in self.scores}
        return data

    def to_json(self, indent: int | None = 2) -> str:
        """Return the result as a JSON document; the same result always gives the same text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        """Rebuild a result from to_dict() output (the inverse of to_dict)."""
        names = tuple(data["candidates"])
        return cls(
            method=data["method"],
            title=data["title"],
            candidates=names,
            withdrawn=tuple(data["withdrawn"]),
            seats=data["seats"],
            ballots=data["ballots"],
            decimals=data["decimals"],
            quota=_num(data["quota"]),
            tiebreak=data["tiebreak"],
            seed=data["seed"],
            winners=tuple(data["winners"]),
            stages=tuple(Stage.from_dict(s) for s in data["stages"]),
            ties=tuple(Tie.from_dict(t) for t in data["ties"]),
            pairwise=_matrix_from_dict(names, data.get("pairwise")),
            strongest_paths=_matrix_from_dict(names, data.get("strongest_paths")),
            ranking=tuple(tuple(t) for t in data["ranking"]) if "ranking" in data else None,
            scores=tuple((k, _num(v)) for k, v in data["scores"].items()) if "scores" in data else None,
        )

    @classmethod
    def from_json(cls, text: str) -> Result:
        """Rebuild a result from to_json() output."""
        return cls.from_dict(json.loads(text))
