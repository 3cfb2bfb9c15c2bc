"""Pairwise counts and the Condorcet methods: Condorcet winner and Schulze (beat-path, winning votes).

Convention for truncated ballots: a ranked candidate is preferred to every unranked one; two
unranked candidates are not compared.
"""

from __future__ import annotations

from .context import Context
from .model import Result


def pairwise_matrix(n: int, ballots) -> list[list[int]]:
    """Return d with d[x][y] = weight of ballots preferring x to y (n x n, zero diagonal).

    With A[x] the weight ranking x and C[x][y] the weight ranking both with x above y,
    d[x][y] = A[x] - C[y][x]. C's rows are packed into big integers, one bit field per candidate,
    so each ballot costs one addition per ranked candidate instead of one per pair.
    """
    total = sum(w for w, _ in ballots)
    width = max(total.bit_length() + 1, 8)
    unit = [1 << (width * c) for c in range(n)]
    rows = [0] * n
    ranked = 0
    for w, r in ballots:
        below = 0
        for c in reversed(r):
            if below:
                rows[c] += w * below
            below += unit[c]
        ranked += w * below
    mask = (1 << width) - 1
    a = [(ranked >> (width * x)) & mask for x in range(n)]
    c_matrix = [[(rows[x] >> (width * y)) & mask for y in range(n)] for x in range(n)]
    return [[a[x] - c_matrix[y][x] if x != y else 0 for y in range(n)] for x in range(n)]


def condorcet_winner(d: list[list[int]], active: list[int]) -> int | None:
    """The candidate who beats every other active candidate head to head, or None."""
    for x in active:
        if all(d[x][y] > d[y][x] for y in active if y != x):
            return x
    return None


def strongest_paths(d: list[list[int]], active: list[int], margins: bool = False) -> list[list[int]]:
    """Schulze beat-path strengths (Floyd-Warshall widest paths); a defeat's strength is its
    winning votes d[x][y], or its margin d[x][y] - d[y][x] when margins is true."""
    n = len(d)
    p = [[0] * n for _ in range(n)]
    for x in active:
        for y in active:
            if x != y and d[x][y] > d[y][x]:
                p[x][y] = d[x][y] - d[y][x] if margins else d[x][y]
    for i in active:
        pi = p[i]
        for j in active:
            if j == i:
                continue
            pj = p[j]
            pji = pj[i]
            if not pji:
                continue
            for k in active:
                if k != i and k != j:
                    via = pi[k] if pi[k] < pji else pji
                    if via > pj[k]:
                        pj[k] = via
    return p


def schulze_tiers(p: list[list[int]], active: list[int]) -> list[list[int]]:
    """Rank candidates in tiers: each tier is the Schulze winners among those not yet ranked."""
    left = list(active)
    tiers = []
    while left:
        tier = [x for x in left if all(p[x][y] >= p[y][x] for y in left if y != x)]
        tiers.append(tier)
        left = [x for x in left if x not in tier]
    return tiers


def _freeze(m: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(row) for row in m)


def count_condorcet(ctx: Context) -> Result:
    """Elect the Condorcet winner if there is one; otherwise elect no one."""
    d = pairwise_matrix(ctx.n, ctx.ballots)
    winner = condorcet_winner(d, ctx.active)
    return ctx.result([] if winner is None else [winner], pairwise=_freeze(d))


def count_schulze(ctx: Context) -> Result:
    """Schulze beat-path with winning votes ("schulze-margins": margins); a full ranking in tiers,
    ties inside a tier broken by the tie-break rule only as far as the seats need."""
    d = pairwise_matrix(ctx.n, ctx.ballots)
    p = strongest_paths(d, ctx.active, margins=ctx.method == "schulze-margins")
    tiers = schulze_tiers(p, ctx.active)
    order = ctx.tb.take(tiers, ctx.seats, kind="rank")
    names = ctx.names
    return ctx.result(
        order,
        pairwise=_freeze(d),
        strongest_paths=_freeze(p),
        ranking=tuple(tuple(names[c] for c in tier) for tier in tiers),
    )
