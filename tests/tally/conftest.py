"""Fixtures for the tally tests: the shared voting cases and a runner for the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_cli():
    """Run `python -m deliberation.tally ARGS` from the repository root; return the CompletedProcess."""

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run the command line with these arguments and optional standard input."""
        env = dict(os.environ, PYTHONPATH=str(REPO))
        return subprocess.run(
            [sys.executable, "-m", "deliberation.tally", *args],
            cwd=REPO,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.fixture
def write_blt(tmp_path):
    """Write BLT text to a temporary file and return its path as a string."""

    def write(text: str, name: str = "ballots.blt") -> str:
        """Write the text and return the file's path."""
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write
