"""BLT ballot files (OpenSTV, Droop, ERS): parse into plain fields (Election.from_blt builds on them) and write one.

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
from dataclasses import dataclass

from .model import BltError, TallyError

_QUOTED = re.compile(r'"([^"\n]*)"')


def _line_of(lines: list[bytes], start: int, stop: int, text: bytes) -> int:
    """1-based number of the first line in lines[start:stop] equal to text (error path only)."""
    for j in range(start, stop):
        if lines[j] == text:
            return j + 1
    return start + 1


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _int(token: str, what: str, line: int) -> int:
    try:
        return int(token)
    except ValueError:
        raise BltError(f"{what} must be a whole number, got {token!r}", line) from None


def _parse_ballot_slow(tokens: list[str], n: int, line: int) -> tuple[int, tuple[int, ...]]:
    """Validate one ballot line token by token, to say exactly what is wrong with it."""
    if tokens[0].startswith('"'):
        raise BltError("expected a ballot line, found a name: is the end-of-ballots line '0' missing?", line)
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


class _EarlyEnd(Exception):
    """The end-of-ballots line, written with stray spaces, came before the first exact "0" line."""

    def __init__(self, index: int):
        self.index = index


def _ballots(counts: Counter, lines: list[bytes], start: int, end: int, n: int):
    """Aggregate the ballot lines[start:end] into ranking -> total weight, plus each new
    ranking's canonical text (b"3 1 2"), in the same order, for the canonical BLT.

    Identical lines are counted first (in C), so each distinct line is split and checked once;
    candidate numbers map straight to 0-based indices through a dict, which also rejects unknown
    or non-canonical numbers. Anything unusual falls back to the token-by-token check, which
    gives a precise message or accepts it.
    """
    tokmap = {str(k + 1).encode(): k for k in range(n)}
    getitem = tokmap.__getitem__
    label = [str(k + 1).encode() for k in range(n)].__getitem__
    rankings: list[tuple[int, ...]] = []
    weights: list[int] = []
    texts: list[bytes] = []
    add_ranking, add_weight, add_text = rankings.append, weights.append, texts.append
    for line, copies in counts.items():
        tokens = line.split()
        try:
            if tokens.pop() != b"0":
                raise KeyError
            weight = 1 if tokens[0] == b"1" else int(tokens[0])
            del tokens[0]
            ranking = tuple(map(getitem, tokens))
            if weight <= 0 or len(set(ranking)) != len(ranking):
                raise KeyError
        except (KeyError, ValueError, IndexError):
            tokens = line.split()
            if not tokens or tokens[0].startswith(b"#"):
                continue
            number = _line_of(lines, start, end, line)
            if tokens == [b"0"]:
                raise _EarlyEnd(number - 1) from None
            weight, ranking = _parse_ballot_slow([_text(t) for t in tokens], n, number)
            tokens = list(map(label, ranking))
        add_ranking(ranking)
        add_weight(weight * copies)
        add_text(b" ".join(tokens))
    aggregated = dict(zip(rankings, weights, strict=True))
    if len(aggregated) == len(rankings):
        return aggregated, texts
    # Some ranking was written on differing lines (other weights or spacing): add them up.
    aggregated = {}
    kept = []
    for ranking, weight, text in zip(rankings, weights, texts, strict=True):
        if ranking in aggregated:
            aggregated[ranking] += weight
        else:
            aggregated[ranking] = weight
            kept.append(text)
    return aggregated, kept


@dataclass(frozen=True)
class BltFields:
    """What a BLT file holds, checked: Election.from_blt() builds the election from these fields."""

    candidates: tuple[str, ...]
    ballots: tuple[tuple[int, tuple[int, ...]], ...]  # (weight, 0-based ranking), every distinct ranking once
    seats: int
    title: str
    withdrawn: frozenset[int]
    texts: list[bytes]  # each ranking's text as written, in the order of `ballots` (for the canonical BLT)


def parse_blt(data: str | bytes) -> BltFields:
    """Parse BLT text (str, or UTF-8 bytes) into its fields; raise BltError naming the line if malformed."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # Bytes split faster than str and bytes.splitlines() breaks only at \n and \r, as BLT means.
    lines = data.splitlines()
    total = len(lines)

    def next_content(j: int) -> int:
        """Index of the first line from j that is neither blank nor a # comment."""
        while j < total:
            s = lines[j].strip()
            if s and not s.startswith(b"#"):
                return j
            j += 1
        return j

    i = next_content(0)
    if i >= total:
        raise BltError("empty file: expected a header line 'candidates seats'", 1)
    header = _text(lines[i]).split()
    if len(header) != 2:
        raise BltError(f"header must be 'candidates seats', got {_text(lines[i]).strip()!r}", i + 1)
    n = _int(header[0], "number of candidates", i + 1)
    seats = _int(header[1], "number of seats", i + 1)
    if n < 1:
        raise BltError(f"number of candidates must be at least 1, got {n}", i + 1)
    if n > len(data) // 2:
        # Each candidate needs a quoted name of at least two bytes, so this cannot be right.
        raise BltError(f"{n} candidates cannot all be named in a file of {len(data)} bytes", i + 1)
    if seats < 1:
        raise BltError(f"number of seats must be at least 1, got {seats}", i + 1)
    if seats > n:
        raise BltError(f"{seats} seats but only {n} candidates", i + 1)

    i = next_content(i + 1)
    withdrawn: set[int] = set()
    if i < total and lines[i].split()[0].startswith(b"-"):
        for tok in _text(lines[i]).split():
            c = _int(tok, "withdrawn candidate", i + 1)
            if c >= 0:
                raise BltError(f"withdrawn candidates are negative numbers, got {tok!r}", i + 1)
            if -c > n:
                raise BltError(f"unknown withdrawn candidate {-c} (candidates are 1..{n})", i + 1)
            withdrawn.add(-c - 1)
        i += 1

    start = i
    try:
        end = lines.index(b"0", start)
    except ValueError:
        end = total
    try:
        aggregated, texts = _ballots(Counter(lines[start:end]), lines, start, end, n)
    except _EarlyEnd as early:
        # A terminator written with stray spaces ("0 ") is not found by index(); count again up to it.
        end = early.index
        aggregated, texts = _ballots(Counter(lines[start:end]), lines, start, end, n)
    if end == total:
        raise BltError("missing end-of-ballots line '0'", total)

    names: list[str] = []
    title = ""
    title_seen = False
    for j in range(end + 1, total):
        try:
            raw = lines[j].decode("utf-8")
        except UnicodeDecodeError:
            raise BltError("names must be UTF-8 text", j + 1) from None
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
    return BltFields(tuple(names), ballots, seats, title, frozenset(withdrawn), texts)


def ranking_texts(n: int, ballots) -> list[bytes]:
    """Each ballot's ranking as BLT text without weight or terminator, e.g. b"3 1 2" (b"" if empty)."""
    label = [str(c + 1).encode() for c in range(n)].__getitem__
    return [b" ".join(map(label, ranking)) for _, ranking in ballots]


def canonical_blt_bytes(candidates, ballots, texts, seats: int, title: str, withdrawn) -> bytes:
    """BLT bytes with one line per distinct ranking, sorted by ranking text: any order of the same
    ballots gives the same bytes. `texts` are ranking_texts() of `ballots`, in the same order."""
    head = write_blt(candidates, (), seats, title, withdrawn).encode()
    top, _, names = head.partition(b"\n0\n")
    # Texts are unique (one per distinct ranking), so sorting the texts alone orders the lines.
    weight_of = dict(zip(texts, (w for w, _ in ballots), strict=True))
    body = [b"%d %s 0" % (weight_of[t], t) if t else b"%d 0" % weight_of[t] for t in sorted(texts)]
    return b"\n".join([top, *body, b"0", names])


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
    label = [str(c + 1) for c in range(len(candidates))].__getitem__
    out.extend(f"{weight} {' '.join(map(label, ranking))} 0" if ranking else f"{weight} 0" for weight, ranking in ballots)
    out.append("0")
    out.extend(_quote(name, "candidate name") for name in candidates)
    out.append(_quote(title, "title"))
    return "\n".join(out) + "\n"
