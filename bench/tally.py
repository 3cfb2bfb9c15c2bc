"""Counting benchmark: deliberation.tally against pyrankvote and pref_voting on the same profiles.

    python bench/tally.py                 # --quick: 1k/10k/100k ballots x 10/20/30 candidates
    python bench/tally.py --full          # adds 1,000,000 ballots
    python bench/tally.py --ballots 100000 --candidates 20 --pref-voting-max 100000

Profiles are seeded mixtures of Mallows models (three reference orders, dispersion phi) or
Plackett-Luce, with truncation: 30% of voters rank everyone, the rest rank 1 + Geometric(0.25)
candidates. Each profile is written once as a BLT file with one line per ballot (as a cast-vote
record export would be). For every profile the benchmark prints medians of:

- ours, in process: BLT parse, the default seed (canonical BLT + sha256), then each method's
  count with an explicit seed (and the Schulze pairwise matrix and beat-path step separately);
- ours, whole command: `python -m deliberation.tally FILE --method irv|stv-scottish --json`
  in a fresh process (start-up, parsing, counting, JSON);
- pyrankvote, whole job in a fresh process: read the BLT, build its Candidate/Ballot objects,
  count IRV / STV (3 seats; pyrankvote's own float STV rules); its read+build and count times,
  CPU seconds, and whether it elected the same candidates are shown too;
- pref_voting, in one fresh process per profile: build a ProfileWithTies from the aggregated
  rankings, then IRV, Schulze (beat path, winning votes), Borda (domination scores), Condorcet,
  stv_scottish and stv_meek, each with its own time limit (default 60 s).

A competitor that exceeds the limit is reported as such and skipped for every larger profile
(more ballots or more candidates) of the same method. pyrankvote and pref_voting are optional.
Our modules are byte-compiled first, as the installed competitors are.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from deliberation.tally import Election  # noqa: E402

OUR_METHODS = ("irv", "stv-scottish", "stv-meek", "schulze", "borda", "condorcet")
CLI_METHODS = ("irv", "stv-scottish")
STV_SEATS = 3


# --------------------------------------------------------------------------- profiles


def mallows_mixture(n_ballots: int, m: int, seed: int, phi: float = 0.8, parts=(0.5, 0.3, 0.2)):
    """Rankings (numpy int array, n_ballots x m) from a mixture of Mallows models, repeated insertion."""
    import numpy as np

    rng = np.random.default_rng(seed)
    component = rng.choice(len(parts), size=n_ballots, p=parts)
    refs = np.array([rng.permutation(m) for _ in parts])
    # Insert the reference's i-th item at position j of i+1 with probability proportional to phi**(i-j).
    cur = np.zeros((n_ballots, 1), dtype=np.int16)
    for i in range(1, m):
        weights = phi ** (i - np.arange(i + 1))
        j = rng.choice(i + 1, size=n_ballots, p=weights / weights.sum())[:, None]
        idx = np.arange(i + 1)[None, :]
        src = np.clip(np.where(idx < j, idx, idx - 1), 0, i - 1)
        cur = np.where(idx == j, i, np.take_along_axis(cur, src, axis=1)).astype(np.int16)
    # cur holds reference positions; map through each ballot's reference order.
    return refs[component[:, None], cur]


def plackett_luce(n_ballots: int, m: int, seed: int):
    """Rankings from a Plackett-Luce model with Dirichlet(1) candidate weights (Gumbel-max trick)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(m))
    keys = np.log(weights)[None, :] + rng.gumbel(size=(n_ballots, m))
    return np.argsort(-keys, axis=1)


def truncation_lengths(n_ballots: int, m: int, seed: int):
    """30% rank everyone; the rest rank 1 + Geometric(0.25) candidates (mean about 4), capped at m."""
    import numpy as np

    rng = np.random.default_rng(seed + 1)
    lengths = np.minimum(m, rng.geometric(0.25, size=n_ballots))
    lengths[rng.random(n_ballots) < 0.3] = m
    return lengths


def write_profile(path: Path, n_ballots: int, m: int, seed: int, model: str) -> None:
    """Write a seeded profile as a BLT file with one line per ballot."""
    rankings = (mallows_mixture if model == "mallows" else plackett_luce)(n_ballots, m, seed)
    lengths = truncation_lengths(n_ballots, m, seed)
    labels = [str(c + 1) for c in range(m)]
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{m} {STV_SEATS}\n")
        lines = []
        for row, length in zip(rankings.tolist(), lengths.tolist(), strict=True):
            lines.append("1 " + " ".join(labels[c] for c in row[:length]) + " 0\n")
            if len(lines) >= 100_000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)
        out.write("0\n")
        out.writelines(f'"Candidate {c + 1}"\n' for c in range(m))
        out.write(f'"{model} profile, {n_ballots} ballots, {m} candidates, seed {seed}"\n')


# --------------------------------------------------------------------------- timing helpers


def median_time(fn, repeat: int) -> float:
    """Median wall time of fn() over repeat runs, garbage collector on.

    What is already loaded (the profile text, the parsed election) is frozen out of the
    collector first, as a long-running web worker's start-up objects would be; otherwise every
    full collection would rescan them and the figure would depend on what the bench holds.
    """
    gc.collect()
    gc.freeze()
    times = []
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    finally:
        gc.unfreeze()
    return statistics.median(times)


def run_timed(args: list[str], timeout: float) -> tuple[float | None, float | None, str]:
    """Wall and CPU time of a subprocess (None if it timed out or failed) and its stdout.

    CPU time (user + system of the child) is less disturbed than wall time when other work
    shares the machine, so both are reported.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO))
        )
    except subprocess.TimeoutExpired:
        return None, None, "timeout"
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        return None, None, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    return elapsed, cpu, done.stdout


PYRANKVOTE_JOB = r"""
import json, sys, time
import pyrankvote
from pyrankvote import Ballot, Candidate
start = time.perf_counter()
path, method, seats = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, encoding="utf-8") as f:
    lines = f.read().splitlines()
n = int(lines[0].split()[0])
end = lines.index("0", 1)
names = [s.strip().strip('"') for s in lines[end + 1:end + 1 + n]]
cands = [Candidate(x) for x in names]
ballots = []
for line in lines[1:end]:
    parts = line.split()
    b = Ballot(ranked_candidates=[cands[int(t) - 1] for t in parts[1:-1]])
    ballots.extend([b] * int(parts[0]))
built = time.perf_counter()
if method == "irv":
    result = pyrankvote.instant_runoff_voting(cands, ballots)
else:
    result = pyrankvote.single_transferable_vote(cands, ballots, number_of_seats=seats)
done = time.perf_counter()
print(json.dumps({"build": built - start, "count": done - built,
                  "winners": [c.name for c in result.get_winners()]}))
"""

PREF_VOTING_JOB = r"""
import json, signal, sys, time
path, limit, methods = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
began = time.perf_counter()
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.iterative_methods import instant_runoff
from pref_voting.margin_based_methods import beat_path
from pref_voting.scoring_methods import borda_for_profile_with_ties, domination_borda_scores
from pref_voting.proportional_methods import stv_scottish, stv_meek
start = time.perf_counter()
with open(path, encoding="utf-8") as f:
    lines = f.read().splitlines()
n, seats = (int(x) for x in lines[0].split())
end = lines.index("0", 1)
counts = {}
for line in lines[1:end]:
    parts = line.split()
    key = tuple(int(t) - 1 for t in parts[1:-1])
    counts[key] = counts.get(key, 0) + int(parts[0])
out = {"import": start - began}
class Slow(Exception):
    pass
def alarm(*_):
    raise Slow()
signal.signal(signal.SIGALRM, alarm)
signal.alarm(limit)
try:
    items = [(r, w) for r, w in counts.items() if r]
    prof = ProfileWithTies([{c: i + 1 for i, c in enumerate(r)} for r, _ in items], [w for _, w in items],
                           candidates=list(range(n)))
    prof.use_extended_strict_preference()
    signal.alarm(0)
    out["build"] = time.perf_counter() - start
except Slow:
    print(json.dumps({"import": start - began, "build": None}))
    sys.exit(0)
jobs = {
    "irv": lambda: instant_runoff(prof),
    "schulze": lambda: beat_path(prof, strength_function=prof.support),
    "borda": lambda: borda_for_profile_with_ties(prof, borda_scores=domination_borda_scores),
    "condorcet": lambda: prof.condorcet_winner(),
    "stv-scottish": lambda: stv_scottish(prof, num_seats=seats),
    "stv-meek": lambda: stv_meek(prof, num_seats=seats),
}
for name in methods:
    signal.alarm(limit)
    t = time.perf_counter()
    try:
        jobs[name]()
        out[name] = time.perf_counter() - t
    except Slow:
        out[name] = None
    finally:
        signal.alarm(0)
print(json.dumps(out))
"""


# --------------------------------------------------------------------------- the run


def fmt_s(value) -> str:
    """Seconds for the table."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def too_slow(slow: set, tool: str, method: str, m: int, n: int) -> bool:
    """True if this tool already ran out of time on a profile no larger (in ballots and candidates)."""
    return any(t == tool and x == method and m0 <= m and n0 <= n for t, x, m0, n0 in slow)


def bench_profile(path: Path, n_ballots: int, m: int, opts, slow: set) -> list[dict]:
    """Time every method on one profile; return table rows."""
    rows = []
    text = path.read_text(encoding="utf-8")
    parse = median_time(lambda: Election.from_blt(text), opts.repeat)
    election = Election.from_blt(text)
    distinct = len(election.ballots)
    rows.append({"what": "ours: parse BLT (in process)", "ours": parse})
    seed = median_time(lambda: hashlib.sha256(election._canonical_bytes()).hexdigest(), opts.repeat)
    rows.append({"what": "ours: default seed (canonical BLT)", "ours": seed})
    winners = {}
    for method in opts.methods:
        seats = 1 if method in ("irv", "condorcet") else STV_SEATS
        # An explicit seed keeps the seed's cost (shown above) out of the count's figure.
        t = median_time(lambda method=method, seats=seats: election.count(method, seats=seats, seed="bench"), opts.repeat)
        winners[method] = set(election.count(method, seats=seats).winners)
        rows.append({"what": f"ours: count {method}", "method": method, "ours": t})
    if "schulze" in opts.methods:
        from deliberation.tally.pairwise import pairwise_matrix, schulze_tiers, strongest_paths

        ballots = list(election.ballots)
        active = list(range(m))
        matrix = median_time(lambda: pairwise_matrix(m, ballots), opts.repeat)
        d = pairwise_matrix(m, ballots)
        paths = median_time(lambda: schulze_tiers(strongest_paths(d, active), active), max(opts.repeat, 5))
        rows.append({"what": "ours: schulze pairwise matrix", "ours": matrix})
        rows.append({"what": "ours: schulze beat paths + ranking", "ours": paths})

    for method in CLI_METHODS:
        if method not in opts.methods:
            continue
        cli = [sys.executable, "-m", "deliberation.tally", str(path), "--method", method, "--json"]
        runs = [run_timed(cli, 600) for _ in range(opts.repeat)]
        ok = all(r[0] is not None for r in runs)
        ours = statistics.median(r[0] for r in runs) if ok else None
        row = {
            "what": f"whole command, {method}",
            "method": method,
            "ours": ours,
            "ours_cpu": statistics.median(r[1] for r in runs) if ok else None,
        }
        key = ("pyrankvote", method, m, n_ballots)
        if opts.no_pyrankvote:
            row["pyrankvote"] = "not run"
        elif too_slow(slow, *key):
            row["pyrankvote"] = "skipped"
        else:
            pr_method = "irv" if method == "irv" else "stv"
            job = [sys.executable, "-c", PYRANKVOTE_JOB, str(path), pr_method, str(STV_SEATS)]
            runs = []
            for _ in range(opts.competitor_repeat):
                wall, cpu, out = run_timed(job, opts.limit)
                if wall is None:
                    break
                detail = json.loads(out)
                runs.append((wall, detail["build"], detail["count"], cpu))
                row["same_winners"] = set(detail["winners"]) == winners.get(method)
            if len(runs) < opts.competitor_repeat:
                slow.add(key)
                row["pyrankvote"] = f"> {opts.limit:.0f} s"
            else:
                row["pyrankvote"] = statistics.median(r[0] for r in runs)
                row["pyrankvote_build"] = statistics.median(r[1] for r in runs)
                row["pyrankvote_count"] = statistics.median(r[2] for r in runs)
                row["pyrankvote_cpu"] = statistics.median(r[3] for r in runs)
                if ours:
                    row["ratio"] = row["pyrankvote"] / ours
                    row["cpu_ratio"] = row["pyrankvote_cpu"] / row["ours_cpu"]
        rows.append(row)

    if not opts.no_pref_voting and n_ballots <= opts.pref_voting_max:
        todo = [x for x in opts.methods if not too_slow(slow, "pref_voting", x, m, n_ballots)]
        if todo and not too_slow(slow, "pref_voting", "build", m, n_ballots):
            job = [sys.executable, "-c", PREF_VOTING_JOB, str(path), str(int(opts.limit)), ",".join(todo)]
            wall, _cpu, out = run_timed(job, opts.limit * (len(todo) + 2) + 60)
            result = json.loads(out) if wall is not None else {"build": None}
            if "import" in result:
                rows.append({"what": "pref_voting: import", "pref_voting": result["import"]})
            if result.get("build") is None:
                slow.add(("pref_voting", "build", m, n_ballots))
                rows.append({"what": "pref_voting: build profile", "pref_voting": f"> {opts.limit:.0f} s"})
            else:
                rows.append({"what": "pref_voting: build profile", "pref_voting": result["build"]})
                for row in rows:
                    method = row.get("method")
                    if row["what"].startswith("ours: count") and method not in todo:
                        row["pref_voting"] = "skipped"
                for method in todo:
                    value = result.get(method)
                    if value is None:
                        slow.add(("pref_voting", method, m, n_ballots))
                        value = f"> {opts.limit:.0f} s"
                    for row in rows:
                        if row.get("method") == method and row["what"].startswith("ours: count"):
                            row["pref_voting"] = value
    for row in rows:
        row.update(ballots=n_ballots, candidates=m, distinct=distinct)
    return rows


def print_rows(rows: list[dict]) -> None:
    """Print one profile's table."""
    head = rows[0]
    print(
        f"\n== {head['ballots']:,} ballots x {head['candidates']} candidates "
        f"({head['distinct']:,} distinct rankings); median seconds"
    )
    print(f"{'':38} {'ours':>9} {'pyrankvote':>11} {'pref_voting':>12} {'pyrankvote/ours':>16}")
    for row in rows:
        ratio = f"{row['ratio']:.1f}x" if "ratio" in row else ""
        print(
            f"{row['what']:38} {fmt_s(row.get('ours')):>9} {fmt_s(row.get('pyrankvote')):>11} "
            f"{fmt_s(row.get('pref_voting')):>12} {ratio:>16}"
        )
        if "pyrankvote_build" in row:
            print(
                f"{'  pyrankvote: read+build / count':38} {'':>9} "
                f"{fmt_s(row['pyrankvote_build']):>11} / {fmt_s(row['pyrankvote_count'])}"
            )
            print(
                f"{'  CPU seconds (user+sys)':38} {fmt_s(row['ours_cpu']):>9} "
                f"{fmt_s(row['pyrankvote_cpu']):>11} {'':>12} {row['cpu_ratio']:>15.1f}x"
            )
            print(f"{'  same winners as ours':38} {'':>9} {'yes' if row['same_winners'] else 'no':>11}")


def main(argv=None) -> int:
    """Parse flags, build or reuse the profiles, and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    grid = parser.add_mutually_exclusive_group()
    grid.add_argument("--quick", action="store_true", help="1k/10k/100k ballots (default)")
    grid.add_argument("--full", action="store_true", help="1k/10k/100k/1M ballots")
    parser.add_argument("--ballots", type=int, nargs="+", help="override the ballot counts")
    parser.add_argument("--candidates", type=int, nargs="+", default=[10, 20, 30])
    parser.add_argument("--methods", nargs="+", default=list(OUR_METHODS), choices=OUR_METHODS)
    parser.add_argument("--model", choices=("mallows", "plackett-luce"), default="mallows")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement of ours (median)")
    parser.add_argument("--competitor-repeat", type=int, default=1, help="runs per competitor job")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before a competitor is skipped")
    parser.add_argument(
        "--pref-voting-max",
        type=int,
        default=None,
        help="largest ballot count given to pref_voting (default 10k quick, all full)",
    )
    parser.add_argument("--no-pyrankvote", action="store_true")
    parser.add_argument("--no-pref-voting", action="store_true")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "cyd-tally-bench",
        help="where generated BLT files are kept between runs",
    )
    parser.add_argument("--json", type=Path, help="also write every row to this JSON file")
    opts = parser.parse_args(argv)
    sizes = opts.ballots or ([1_000, 10_000, 100_000, 1_000_000] if opts.full else [1_000, 10_000, 100_000])
    if opts.pref_voting_max is None:
        opts.pref_voting_max = max(sizes) if opts.full else 10_000
    opts.cache.mkdir(parents=True, exist_ok=True)
    # Installed packages (pyrankvote, pref_voting) come with byte-code; give ours the same footing
    # even where PYTHONDONTWRITEBYTECODE is set.
    compileall.compile_dir(REPO / "deliberation" / "tally", quiet=1)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; model {opts.model}; seed {opts.seed}")
    slow: set = set()
    everything = []
    for m in opts.candidates:
        for n in sorted(sizes):
            path = opts.cache / f"{opts.model}-{n}-{m}-{opts.seed}.blt"
            if not path.exists():
                start = time.perf_counter()
                write_profile(path, n, m, opts.seed, opts.model)
                print(f"(generated {path.name} in {time.perf_counter() - start:.1f} s)")
            rows = bench_profile(path, n, m, opts, slow)
            print_rows(rows)
            everything.extend(rows)
            sys.stdout.flush()
    if opts.json:
        opts.json.write_text(json.dumps(everything, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
