"""The seed a fuzz test starts from, so that runs explore new programs yet CI never flakes.

- pinned by the test's environment variable: that seed (to replay a printed failure);
- in a git checkout with no uncommitted changes (CI's fresh clone, a check before pushing):
  a seed derived from the commit. Each commit explores programs of its own, and CI, testing
  the same commit, runs exactly the programs that ran here;
- otherwise (work in progress, or no git): a fresh seed on every run.
"""
from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_commit() -> str | None:
    """The checked-out commit when the tracked files are unchanged, else None."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10)
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() if head.returncode == 0 and dirty.returncode == 0 else None


def fuzz_seed(variable: str, environ=os.environ, commit: str | None = None, bits: int = 32) -> int:
    pinned = environ.get(variable)
    if pinned:
        return int(pinned)
    if commit:
        return int(commit[:12], 16) % 2 ** bits
    return random.SystemRandom().randrange(2 ** bits)
