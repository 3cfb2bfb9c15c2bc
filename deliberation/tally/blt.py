"""BLT ballot files (OpenSTV, Droop, ERS): parse into an Election and write one back.

Layout::

    4 2                 candidates, seats
    -3                  optional: withdrawn candidates as negative numbers
    12 1 2 0            weight, candidate numbers in preference order, 0
    4 0                 an empty ballot: valid, exhausted at once
    0                   end of ballots
    "Name One"          one quoted name per candidate, in number order
    ...
    "Title"             optional quoted title

Identical ballot lines are counted once and their weights added, so parsing is linear in
distinct ballots. Anything malformed raises BltError naming the line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .model import BltError, TallyError

_QUOTED = re.compile(r'"([^"\n]*)"')


def _line_of(lines: list[str], start: int, stop: int, text: str) -> int:
    """1-based number of the first line in lines[start:stop] equal to text (error path only)."""
    for j in range(start, stop):
        if lines[j] == text:
            return j + 1
    return start + 1


def _int(token: str, what: str, line: int) -> int:
    try:
        return int(token)
    except ValueError:
        raise BltError(f"{what} must be a whole number, got {token!r}", line) from None


def _parse_ballot_slow(tokens: list[str], n: int, line: int) -> tuple[int, tuple[int, ...]]:
    """Validate one ballot line token by token, to say exactly what is wrong with it."""
    weight = _int(tokens[0], "ballot weight", line)
    if weight <= 0:
        raise BltError(f"ballot weight must be a positive whole number, got {tokens[0]!r}", line)
    if len(tokens) < 2 or tokens[-1] != "0":
        raise BltError("ballot line must end with 0 (missing terminator)", line)
    ranking = []
    seen = set()
    for tok in tokens[1:-1]:
        if "=" in tok:
            raise BltError(f"equal rankings ({tok!r}) are not supported", line)
        c = _int(tok, "candidate number", line)
        if c == 0:
            raise BltError("0 in the middle of a ballot: 0 only ends a ballot", line)
        if not 1 <= c <= n:
            raise BltError(f"unknown candidate number {c} (candidates are 1..{n})", line)
        if c in seen:
            raise BltError(f"duplicate preference: candidate {c} appears twice", line)
        seen.add(c)
        ranking.append(c - 1)
    return weight, tuple(ranking)


def parse_blt(text: str):
    """Parse BLT text into an Election; raise BltError (with the line number) if it is malformed."""
    from .election import Election

    lines = text.splitlines()
    total = len(lines)
    i = 0

    def next_content(j: int) -> int:
        while j < total:
            s = lines[j].strip()
            if s and not s.startswith("#"):
                return j
            j += 1
        return j

    i = next_content(0)
    if i >= total:
        raise BltError("empty file: expected a header line 'candidates seats'", 1)
    header = lines[i].split()
    if len(header) != 2:
        raise BltError(f"header must be 'candidates seats', got {lines[i].strip()!r}", i + 1)
    n = _int(header[0], "number of candidates", i + 1)
    seats = _int(header[1], "number of seats", i + 1)
    if n < 1:
        raise BltError(f"number of candidates must be at least 1, got {n}", i + 1)
    if seats < 1:
        raise BltError(f"number of seats must be at least 1, got {seats}", i + 1)
    if seats > n:
        raise BltError(f"{seats} seats but only {n} candidates", i + 1)

    i = next_content(i + 1)
    withdrawn: set[int] = set()
    if i < total and lines[i].split()[0].startswith("-"):
        for tok in lines[i].split():
            c = _int(tok, "withdrawn candidate", i + 1)
            if c >= 0:
                raise BltError(f"withdrawn candidates are negative numbers, got {tok!r}", i + 1)
            if -c > n:
                raise BltError(f"unknown withdrawn candidate {-c} (candidates are 1..{n})", i + 1)
            withdrawn.add(-c - 1)
        i += 1

    start = i
    try:
        end = lines.index("0", start)
    except ValueError:
        end = total
    # A terminator written with stray spaces is not found by index(); look for it the slow way.
    for j in range(start, end):
        if lines[j].strip() == "0":
            end = j
            break
    if end == total:
        raise BltError("missing end-of-ballots line '0'", total)

    tokmap = {str(k + 1): k for k in range(n)}
    aggregated: dict[tuple[int, ...], int] = {}
    get = aggregated.get
    for line, copies in Counter(lines[start:end]).items():
        tokens = line.split()
        if not tokens or tokens[0].startswith("#"):
            continue
        try:
            if tokens[-1] != "0" or len(tokens) < 2:
                raise KeyError
            ranking = tuple(map(tokmap.__getitem__, tokens[1:-1]))
            weight = int(tokens[0])
            if weight <= 0 or len(set(ranking)) != len(ranking):
                raise KeyError
        except (KeyError, ValueError):
            number = _line_of(lines, start, end, line)
            if tokens[0].startswith('"'):
                raise BltError(
                    "expected a ballot line, found a name: is the end-of-ballots line '0' missing?", number
                ) from None
            weight, ranking = _parse_ballot_slow(tokens, n, number)
        aggregated[ranking] = get(ranking, 0) + weight * copies

    names: list[str] = []
    title = ""
    title_seen = False
    for j in range(end + 1, total):
        raw = lines[j]
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        found = _QUOTED.findall(raw)
        if _QUOTED.sub("", raw).strip() or not found:
            raise BltError(f"expected a quoted name, got {raw.strip()!r}", j + 1)
        for name in found:
            if len(names) < n:
                names.append(name)
            elif not title_seen:
                title = name
                title_seen = True
            else:
                raise BltError(f"unexpected text after the title: {name!r}", j + 1)
    if len(names) < n:
        raise BltError(f"expected {n} candidate names after the ballots, found {len(names)}", total)
    if len(set(names)) != n:
        dup = next(x for x in names if names.count(x) > 1)
        raise BltError(f"duplicate candidate name {dup!r}", total)

    ballots = tuple(zip(aggregated.values(), aggregated, strict=True))
    return Election._trusted(tuple(names), ballots, seats, title, frozenset(withdrawn))


def _quote(text: str, what: str) -> str:
    if '"' in text or "\n" in text or "\r" in text:
        raise TallyError(f"{what} {text!r} cannot be written to BLT (contains a quote or newline)")
    return f'"{text}"'


def write_blt(
    candidates: tuple[str, ...],
    ballots: Iterable[tuple[int, tuple[int, ...]]],
    seats: int,
    title: str,
    withdrawn: Iterable[int],
) -> str:
    """Write BLT text; ballots are (weight, ranking with 0-based candidate indices) pairs."""
    out = [f"{len(candidates)} {seats}"]
    gone = sorted(withdrawn)
    if gone:
        out.append(" ".join(f"-{c + 1}" for c in gone))
    for weight, ranking in ballots:
        if ranking:
            out.append(f"{weight} {' '.join(str(c + 1) for c in ranking)} 0")
        else:
            out.append(f"{weight} 0")
    out.append("0")
    out.extend(_quote(name, "candidate name") for name in candidates)
    out.append(_quote(title, "title"))
    return "\n".join(out) + "\n"
