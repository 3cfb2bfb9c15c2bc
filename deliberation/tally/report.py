"""A readable, stage-by-stage text report of a Result (what the command line prints without --json)."""

from __future__ import annotations

from .model import Result, fmt


def _v(value) -> str:
    return str(fmt(value))


def _matrix(result: Result, matrix, title: str) -> list[str]:
    names = result.candidates
    active = [i for i, name in enumerate(names) if name in set(result.active_candidates)]
    width = max(len(names[i]) for i in active)
    cells = [[_v(matrix[i][j]) if i != j else "-" for j in active] for i in active]
    col = max(max(len(c) for row in cells for c in row), len(str(len(active))))
    lines = [title]
    header = " " * (width + 6) + " ".join(f"{k + 1:>{col}}" for k in range(len(active)))
    lines.append(header)
    for k, i in enumerate(active):
        lines.append(f"  {k + 1:>2} {names[i]:<{width}} " + " ".join(f"{c:>{col}}" for c in cells[k]))
    return lines


def render(result: Result) -> str:
    """Return the report text."""
    out = [
        f"{result.title or 'Untitled election'}",
        f"Method: {result.method}   Seats: {result.seats}   Valid ballots: {result.ballots}"
        + (f"   Quota: {_v(result.quota)}" if result.quota is not None else ""),
        f"Tie-break: {result.tiebreak}   Seed: {result.seed}",
    ]
    if result.withdrawn:
        out.append("Withdrawn: " + ", ".join(result.withdrawn))
    for stage in result.stages:
        out.append("")
        out.append(f"Stage {stage.number}: " + "; ".join(stage.actions))
        width = max([len(name) for name, _ in stage.votes] + [len("non-transferable (cumulative)")])
        for name, votes in stage.votes:
            mark = ""
            if name in stage.elected:
                mark = "  elected"
            elif name in stage.excluded:
                mark = "  excluded"
            out.append(f"  {name:<{width}}  {_v(votes):>16}{mark}")
        out.append(f"  {'non-transferable (cumulative)':<{width}}  {_v(stage.exhausted):>16}")
        if stage.lost:
            out.append(f"  {'lost to truncation (cumul.)':<{width}}  {_v(stage.lost):>16}")
        for t in stage.transfers:
            target = t.target if t.target is not None else "non-transferable"
            out.append(f"    {t.source} -> {target}: {t.papers} papers, {_v(t.votes)} votes")
        for tie in stage.ties:
            out.append(f"    tie ({tie.kind}) {', '.join(tie.candidates)} -> {tie.chosen}: {tie.detail}")
    if result.scores is not None:
        out.append("")
        out.append("Borda scores:")
        for name, score in sorted(result.scores, key=lambda x: -x[1]):
            out.append(f"  {name}: {_v(score)}")
    if result.pairwise is not None:
        out.append("")
        out.extend(_matrix(result, result.pairwise, "Pairwise (row preferred to column):"))
    if result.strongest_paths is not None:
        out.append("")
        out.extend(_matrix(result, result.strongest_paths, "Strongest paths (winning votes):"))
    if result.ranking is not None:
        out.append("")
        out.append("Ranking: " + " > ".join(" = ".join(tier) for tier in result.ranking))
    staged = {id(t) for s in result.stages for t in s.ties}
    loose = [t for t in result.ties if id(t) not in staged]
    for tie in loose:
        out.append(f"Tie ({tie.kind}) {', '.join(tie.candidates)} -> {tie.chosen}: {tie.detail}")
    out.append("")
    if result.winners:
        out.append("Elected: " + ", ".join(result.winners))
    else:
        out.append("Elected: none (no candidate meets the method's test)")
    return "\n".join(out) + "\n"
