"""Borda count: with n candidates a voter's k-th choice scores n - k points."""

from __future__ import annotations

from .context import Context
from .model import Result


def borda_scores(n_active: int, n: int, ballots) -> list[int]:
    """Return each candidate's Borda total; unranked candidates on a truncated ballot score 0.

    A ranked candidate keeps the points of its position (n_active - k for the k-th choice), so a
    truncated ballot scores exactly as pref_voting's "domination Borda": one point for each
    candidate ranked below, counting unranked candidates as below every ranked one.
    """
    # by_position[k][c]: weight of ballots ranking c k-th (0-based); points are applied once at the end.
    by_position = [[0] * n for _ in range(n_active)]
    for w, r in ballots:
        for k, c in enumerate(r):
            by_position[k][c] += w
    return [sum((n_active - 1 - k) * by_position[k][c] for k in range(n_active)) for c in range(n)]


def count_borda(ctx: Context) -> Result:
    """Elect the `seats` highest Borda totals; ties for a seat are broken by the tie-break rule."""
    scores = borda_scores(len(ctx.active), ctx.n, ctx.ballots)
    names = ctx.names
    tiers: list[list[int]] = []
    for c in sorted(ctx.active, key=lambda c: -scores[c]):
        if tiers and scores[tiers[-1][0]] == scores[c]:
            tiers[-1].append(c)
        else:
            tiers.append([c])
    order = ctx.tb.take(tiers, ctx.seats, kind="elect", values=scores)
    return ctx.result(
        order,
        scores=tuple((names[c], scores[c]) for c in ctx.active),
        ranking=tuple(tuple(names[c] for c in tier) for tier in tiers),
    )
