"""Meek STV (Hill, Wichmann and Woodall, Algorithm 123; New Zealand rules).

Arithmetic is fixed point with 18 decimal places on integers (exact, reproducible, no floats);
like the NZ rules and Droop's fixed/guarded modes, each candidate's share of a ballot and each new
keep factor are rounded up, and the quota is rounded down and raised by one unit. Iteration stops
when the total surplus is at most 1e-9 (omega) or stops falling.

A ballot's path depends only on its prefix up to and including its first hopeful candidate (a
hopeful candidate keeps everything), so ballots are grouped by that prefix and each iteration
touches groups, not ballots; groups change only when their last candidate is elected or excluded.
"""

from __future__ import annotations

from .context import Context
from .model import Result, Stage, scaled

DECIMALS = 18
SCALE = 10**DECIMALS
OMEGA = 10**9  # 1e-9 in units of 1e-18

HOPEFUL, ELECTED, EXCLUDED, WITHDRAWN = range(4)


def _show(units: int) -> str:
    return f"{scaled(units, DECIMALS):f}"


def count_stv_meek(ctx: Context) -> Result:
    """Count by Meek's method; see the module docstring and docs/tally.md for the rules."""
    names = ctx.names
    n = ctx.n
    seats = ctx.seats
    tb = ctx.tb
    state = [WITHDRAWN] * n
    kf = [0] * n
    for c in ctx.active:
        state[c] = HOPEFUL
        kf[c] = SCALE
    weights = [w for w, _ in ctx.ballots]
    rankings = [r for _, r in ctx.ballots]
    pos = [0] * len(rankings)
    total_units = ctx.total * SCALE

    # (elected..., first hopeful) -> [weight, indices of ballots whose pos is the key's last candidate]
    groups: dict[tuple[int, ...], list] = {}
    for i, r in enumerate(rankings):
        key = r[:1]
        g = groups.get(key)
        if g is None:
            groups[key] = [weights[i], [i] if r else []]
        else:
            g[0] += weights[i]
            if r:
                g[1].append(i)

    def regroup(x: int) -> None:
        """After x is elected or excluded, extend every group that ended at x."""
        for key in [k for k in groups if k and k[-1] == x]:
            weight, members = groups.pop(key)
            base = key if state[x] == ELECTED else key[:-1]
            # Ballots that ran out of preferences at an elected x stay as weight without members.
            rest = weight - sum(weights[i] for i in members)
            if rest:
                groups.setdefault(base, [0, []])[0] += rest
            for i in members:
                r = rankings[i]
                p = pos[i] + 1
                end = len(r)
                ext = []
                while p < end:
                    s = state[r[p]]
                    if s == HOPEFUL:
                        ext.append(r[p])
                        break
                    if s == ELECTED:
                        ext.append(r[p])
                    p += 1
                newkey = base + tuple(ext)
                g = groups.get(newkey)
                if g is None:
                    g = groups[newkey] = [0, []]
                g[0] += weights[i]
                if p < end:
                    pos[i] = p
                    g[1].append(i)
                # A ballot with no hopeful left stays in its group only as weight: nothing can extend it.

    def distribute() -> tuple[list[int], int]:
        """Share every ballot group out by the keep factors; return votes and excess."""
        votes = [0] * n
        excess = 0
        for key, (w, _) in groups.items():
            rem = SCALE
            for c in key:
                k = kf[c]
                if k == SCALE:
                    votes[c] += w * rem
                    rem = 0
                    break
                keep = -((-rem * k) // SCALE)
                votes[c] += w * keep
                rem -= keep
            excess += w * rem
        return votes, excess

    elected: list[int] = []
    stages: list[Stage] = []
    history: list[list[int]] = []
    quota = 0

    def record(actions, votes, excess, elected_now=(), excluded_now=()):
        """Freeze the current state as a Stage (and as tie-break history)."""
        shown = [c for c in range(n) if state[c] != WITHDRAWN]
        number = len(stages) + 1
        stages.append(
            Stage(
                number=number,
                actions=tuple(actions),
                votes=tuple((names[c], scaled(votes[c], DECIMALS)) for c in shown),
                elected=tuple(names[c] for c in elected_now),
                excluded=tuple(names[c] for c in excluded_now),
                exhausted=scaled(excess, DECIMALS),
                quota=scaled(quota, DECIMALS),
                keep_factors=tuple((names[c], scaled(kf[c], DECIMALS)) for c in shown),
                ties=tuple(t for t in tb.ties if t.stage == number),
            )
        )
        history.append(votes)

    votes, excess = distribute()
    while True:
        hopefuls = [c for c in range(n) if state[c] == HOPEFUL]
        left = seats - len(elected)
        if left <= 0 or len(hopefuls) <= left:
            break
        number = len(stages) + 1
        last_surplus = None
        iterations = 0
        while True:
            iterations += 1
            votes, excess = distribute()
            quota = (total_units - excess) // (seats + 1) + 1
            newly = [c for c in hopefuls if votes[c] >= quota]
            surplus = sum(votes[c] - quota for c in elected)
            if newly:
                status = "a candidate reached the quota"
                break
            if surplus <= OMEGA:
                status = f"surplus {_show(surplus)} <= omega"
                break
            if last_surplus is not None and surplus >= last_surplus:
                status = f"surplus {_show(surplus)} stopped falling"
                break
            last_surplus = surplus
            for c in elected:
                if votes[c]:
                    k = -((-kf[c] * quota) // SCALE)
                    kf[c] = min(SCALE, -((-k * SCALE) // votes[c]))
        note = f"{iterations} iteration{'s' if iterations > 1 else ''} ({status}); quota {_show(quota)}"
        if newly:
            order = tb.order(newly, votes, history, kind="elect", stage=number, show=_show)
            for c in order:
                state[c] = ELECTED
                elected.append(c)
            for c in order:
                regroup(c)
            actions = [note] + [f"elect {names[c]} ({_show(votes[c])})" for c in order]
            record(actions, votes, excess, elected_now=order)
            continue
        low = min(votes[c] for c in hopefuls)
        lows = [c for c in hopefuls if votes[c] == low]
        loser = lows[0]
        if len(lows) > 1:
            loser = tb.pick(lows, history, lowest=True, kind="exclude", stage=number, show=_show, value=low)
        state[loser] = EXCLUDED
        kf[loser] = 0
        regroup(loser)
        before = votes
        votes, excess = distribute()
        record([note, f"exclude {names[loser]} ({_show(before[loser])})"], votes, excess, excluded_now=[loser])

    hopefuls = [c for c in range(n) if state[c] == HOPEFUL]
    left = seats - len(elected)
    if left > 0 and hopefuls:
        number = len(stages) + 1
        order = tb.order(hopefuls, votes, history, kind="elect", stage=number, show=_show)
        for c in order:
            state[c] = ELECTED
            elected.append(c)
        record([f"elect remaining {names[c]} ({_show(votes[c])})" for c in order], votes, excess, elected_now=order)
    return ctx.result(elected, decimals=DECIMALS, quota=scaled(quota, DECIMALS), stages=stages)
