"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), rules 45-52.

Values are whole numbers of 0.00001 votes, so a transfer value truncated "to five decimal places,
any remainder being ignored" is an integer floor division and every total is exact. Identical
ballots travel together as one group (ranking, weight, current value), so each transfer touches
groups rather than individual papers.
"""

from __future__ import annotations

from .context import Context
from .model import Result, Stage, Transfer, scaled

DECIMALS = 5
UNIT = 10**DECIMALS

CONTINUING, ELECTED, EXCLUDED, WITHDRAWN = range(4)


def _show(units: int) -> str:
    return f"{scaled(units, DECIMALS):f}"


def count_stv_scottish(ctx: Context) -> Result:
    """Count by Scottish STV; see the module docstring and docs/tally.md for the rules."""
    names = ctx.names
    n = ctx.n
    seats = ctx.seats
    tb = ctx.tb
    state = [WITHDRAWN] * n
    for c in ctx.active:
        state[c] = CONTINUING
    weights = [w for w, _ in ctx.ballots]
    rankings = [r for _, r in ctx.ballots]
    value = [UNIT] * len(rankings)
    pos = [0] * len(rankings)
    piles: list[list[int]] = [[] for _ in range(n)]
    tally = [0] * n
    exhausted = 0
    for i, r in enumerate(rankings):
        if r:
            piles[r[0]].append(i)
            tally[r[0]] += weights[i] * UNIT
        else:
            exhausted += weights[i] * UNIT
    # Rule 46: valid papers / (seats + 1), decimals ignored, plus one.
    quota = (ctx.total // (seats + 1) + 1) * UNIT
    lost = 0

    elected: list[int] = []
    transferred: set[int] = set()
    history: list[list[int]] = []
    stages: list[dict] = []

    def new_stage(actions, transfers=(), excluded=()):
        """Open a stage record."""
        stages.append({"actions": list(actions), "transfers": list(transfers), "excluded": list(excluded), "elected": []})

    def close_stage():
        """Record the totals at the end of the current stage (also the tie-break history)."""
        st = stages[-1]
        st["votes"] = tally[:]
        st["exhausted"] = exhausted
        st["lost"] = lost
        history.append(tally[:])

    def elect_quota_reachers():
        """Elect every continuing candidate at or above the quota, highest first."""
        # Rule 47: votes equal to or above the quota elect, highest first.
        reached = [c for c in range(n) if state[c] == CONTINUING and tally[c] >= quota]
        number = len(stages)
        for c in tb.order(reached, tally, history[:-1], kind="elect", stage=number, show=_show):
            state[c] = ELECTED
            elected.append(c)
            stages[-1]["elected"].append(c)
            stages[-1]["actions"].append(f"elect {names[c]} ({_show(tally[c])})")

    def move(source: int, new_value) -> tuple[list[Transfer], int, int]:
        """Move every paper of source to its next continuing preference at new_value(old value).

        Returns the transfers, the total value released and the non-transferable part of it.
        """
        moved: dict[int, list[int]] = {}
        gone_papers = 0
        gone_votes = 0
        for i in piles[source]:
            r = rankings[i]
            p = pos[i] + 1
            end = len(r)
            while p < end and state[r[p]] != CONTINUING:
                p += 1
            w = weights[i]
            v = new_value(value[i])
            if p < end:
                c = r[p]
                pos[i] = p
                value[i] = v
                piles[c].append(i)
                tally[c] += w * v
                m = moved.get(c)
                if m is None:
                    moved[c] = [w, w * v]
                else:
                    m[0] += w
                    m[1] += w * v
            else:
                gone_papers += w
                gone_votes += w * v
        piles[source] = []
        transfers = [Transfer(names[source], names[c], moved[c][0], scaled(moved[c][1], DECIMALS)) for c in sorted(moved)]
        total_moved = sum(m[1] for m in moved.values())
        if gone_papers:
            transfers.append(Transfer(names[source], None, gone_papers, scaled(gone_votes, DECIMALS)))
        return transfers, total_moved + gone_votes, gone_votes

    def transfer_surplus(pending: list[int]) -> None:
        """Rules 48-49: transfer the largest surplus (equal ones by the most recent earlier difference)."""
        nonlocal exhausted, lost
        top = max(tally[c] for c in pending)
        biggest = [c for c in pending if tally[c] == top]
        new_stage([])
        source = biggest[0]
        if len(biggest) > 1:
            source = tb.pick(biggest, history, lowest=False, kind="surplus", stage=len(stages), show=_show, value=top - quota)
        total = tally[source]
        surplus = total - quota
        stages[-1]["actions"].append(f"transfer surplus of {names[source]} ({_show(surplus)})")
        cache: dict[int, int] = {}

        def transfer_value(v, surplus=surplus, total=total, cache=cache):
            """New value of a paper now worth v (computed once per distinct value)."""
            # Rule 48(3): surplus x paper value / total votes, to 5 dp, remainder ignored.
            tv = cache.get(v)
            if tv is None:
                tv = cache[v] = surplus * v // total
            return tv

        transfers, released, gone = move(source, transfer_value)
        transferred.add(source)
        tally[source] = quota
        exhausted += gone
        lost += surplus - released
        stages[-1]["transfers"] = transfers

    def exclude_lowest(continuing: list[int]) -> None:
        """Rules 50-51: exclude the continuing candidate with the fewest votes; papers move at the value they had."""
        nonlocal exhausted
        low = min(tally[c] for c in continuing)
        lows = [c for c in continuing if tally[c] == low]
        new_stage([])
        loser = lows[0]
        if len(lows) > 1:
            loser = tb.pick(lows, history, lowest=True, kind="exclude", stage=len(stages), show=_show, value=low)
        stages[-1]["actions"].append(f"exclude {names[loser]} ({_show(low)})")
        stages[-1]["excluded"].append(loser)
        state[loser] = EXCLUDED
        transfers, _released, gone = move(loser, lambda v: v)
        tally[loser] = 0
        exhausted += gone
        stages[-1]["transfers"] = transfers

    # Rule 45: first stage.
    new_stage(["count first preferences"])
    close_stage()
    elect_quota_reachers()

    while len(elected) < seats:
        continuing = [c for c in range(n) if state[c] == CONTINUING]
        if len(continuing) <= seats - len(elected):
            # Rule 52: as many continuing candidates as vacancies: all elected, no more transfers.
            for c in tb.order(continuing, tally, history[:-1], kind="elect", stage=len(stages), show=_show):
                state[c] = ELECTED
                elected.append(c)
                stages[-1]["elected"].append(c)
                stages[-1]["actions"].append(f"elect remaining {names[c]} ({_show(tally[c])})")
            break
        pending = [c for c in elected if c not in transferred and tally[c] > quota]
        if pending:
            transfer_surplus(pending)
        else:
            exclude_lowest(continuing)
        close_stage()
        elect_quota_reachers()

    shown = [c for c in range(n) if state[c] != WITHDRAWN]
    frozen = []
    for number, st in enumerate(stages, 1):
        votes = st["votes"]
        frozen.append(
            Stage(
                number=number,
                actions=tuple(st["actions"]),
                votes=tuple((names[c], scaled(votes[c], DECIMALS)) for c in shown),
                elected=tuple(names[c] for c in st["elected"]),
                excluded=tuple(names[c] for c in st["excluded"]),
                transfers=tuple(st["transfers"]),
                exhausted=scaled(st["exhausted"], DECIMALS),
                lost=scaled(st["lost"], DECIMALS),
                ties=tuple(t for t in tb.ties if t.stage == number),
            )
        )
    return ctx.result(elected, decimals=DECIMALS, quota=scaled(quota, DECIMALS), stages=frozen)
