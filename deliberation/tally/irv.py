"""Instant-runoff voting (single winner), counted in whole numbers."""

from __future__ import annotations

from .context import Context
from .model import Result, Stage, Transfer


def count_irv(ctx: Context) -> Result:
    """Exclude the lowest candidate until one holds a majority of the continuing ballots.

    A round's tallies are taken first; a candidate with more than half of the continuing
    (non-exhausted) votes, or the last one standing, wins. Two candidates tied in the final round
    are separated by the tie-break rule; otherwise the lowest candidate is excluded (ties broken
    by the rule) and each of their ballots moves to its next continuing preference or exhausts.
    """
    names = ctx.names
    n = ctx.n
    tb = ctx.tb
    continuing = [False] * n
    for c in ctx.active:
        continuing[c] = True
    weights = [w for w, _ in ctx.ballots]
    rankings = [r for _, r in ctx.ballots]
    pos = [0] * len(rankings)
    piles: list[list[int]] = [[] for _ in range(n)]
    tally = [0] * n
    exhausted = 0
    # Only the first preference is read now; later ones are read when their ballot moves.
    for i, r in enumerate(rankings):
        if r:
            piles[r[0]].append(i)
            tally[r[0]] += weights[i]
        else:
            exhausted += weights[i]

    stages: list[Stage] = []
    history: list[list[int]] = []
    winner = None
    rnd = 0
    while winner is None:
        rnd += 1
        cont = [c for c in range(n) if continuing[c]]
        votes = tuple((names[c], tally[c]) for c in cont)
        active = sum(tally[c] for c in cont)
        top = max(tally[c] for c in cont)
        leaders = [c for c in cont if tally[c] == top]
        ties_before = len(tb.ties)
        if len(cont) == 1 or 2 * top > active:
            winner = leaders[0]
            share = "last candidate standing" if len(cont) == 1 else f"majority: {top} of {active}"
            stages.append(Stage(rnd, (f"elect {names[winner]} ({share})",), votes, (names[winner],), exhausted=exhausted))
            break
        if len(cont) == 2:
            winner = tb.pick(leaders, history, lowest=False, kind="winner", stage=rnd, value=top)
            stages.append(
                Stage(
                    rnd,
                    (f"elect {names[winner]} (final-round tie at {top})",),
                    votes,
                    (names[winner],),
                    exhausted=exhausted,
                    ties=tuple(tb.ties[ties_before:]),
                )
            )
            break
        low = min(tally[c] for c in cont)
        lows = [c for c in cont if tally[c] == low]
        loser = lows[0] if len(lows) == 1 else tb.pick(lows, history, lowest=True, kind="exclude", stage=rnd, value=low)
        history.append(tally[:])
        continuing[loser] = False
        moved: dict[int, int] = {}
        gone = 0
        for i in piles[loser]:
            r = rankings[i]
            p = pos[i] + 1
            end = len(r)
            while p < end and not continuing[r[p]]:
                p += 1
            w = weights[i]
            if p < end:
                c = r[p]
                pos[i] = p
                piles[c].append(i)
                tally[c] += w
                moved[c] = moved.get(c, 0) + w
            else:
                gone += w
        piles[loser] = []
        tally[loser] = 0
        transfers = [Transfer(names[loser], names[c], moved[c], moved[c]) for c in sorted(moved)]
        if gone:
            transfers.append(Transfer(names[loser], None, gone, gone))
        stages.append(
            Stage(
                rnd,
                (f"exclude {names[loser]} ({low})",),
                votes,
                (),
                (names[loser],),
                tuple(transfers),
                exhausted,
                ties=tuple(tb.ties[ties_before:]),
            )
        )
        exhausted += gone
    return ctx.result([winner], stages=stages)
