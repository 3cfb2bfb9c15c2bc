"""Command line: python -m deliberation.tally FILE.blt --method M [--seats N] [--seed S]
[--tiebreak lot|candidate-order] [--json]. Exit status 2, with one line on stderr, for bad input."""

from __future__ import annotations

import argparse
import os
import sys

from .count import METHODS
from .election import Election
from .model import TallyError
from .report import render
from .ties import TIEBREAKS


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        """Report a bad argument in one line on stderr (not argparse's usage block), status 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _Parser(prog="python -m deliberation.tally", description="Count a BLT ballot file.")
    parser.add_argument("file", help="BLT file ('-' reads standard input)")
    parser.add_argument("--method", required=True, choices=METHODS)
    parser.add_argument("--seats", type=int, default=None, help="default: the file's seats (1 for irv and condorcet)")
    parser.add_argument("--seed", default=None, help="lot seed (default: sha256 of the canonical BLT)")
    parser.add_argument("--tiebreak", choices=TIEBREAKS, default="lot")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    prog = parser.prog
    try:
        if args.file == "-":
            text = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as handle:
                text = handle.read()
    except OSError as exc:
        print(f"{prog}: error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        election = Election.from_blt(text)
        result = election.count(args.method, seats=args.seats, seed=args.seed, tiebreak=args.tiebreak)
    except TallyError as exc:
        print(f"{prog}: error: {args.file}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(result.to_json() + "\n")
    else:
        sys.stdout.write(render(result))
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip tearing down every ballot object one by one at exit; the output is already written.
    os._exit(status)
