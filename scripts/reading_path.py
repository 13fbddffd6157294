"""Count the lines of the reading path in ARCHITECTURE.md, and check that each step's range
exists and contains the line the step says to look for.

    python scripts/reading_path.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# | 6 | `minitorch/autograd/function.py:273-345` | `def apply` | what to see |
STEP = re.compile(r"^\| *(\d+) *\| *`([^`:]+):(\d+)-(\d+)` *\| *`([^`]+)` *\|")
LIMIT = 2000


def reading_path(text: str) -> list:
    """The steps of the reading path: (step, path, first line, last line, text to look for)."""
    return [(int(m[1]), m[2], int(m[3]), int(m[4]), m[5])
            for m in map(STEP.match, text.splitlines()) if m]


def problems(steps: list) -> list:
    """What is wrong with the steps: missing files, ranges past the end, overlaps, and
    ranges that no longer contain the line they point at."""
    found = []
    seen = {}
    for step, path, first, last, look_for in steps:
        file = ROOT / path
        if not file.is_file():
            found.append(f"step {step}: no file {path}")
            continue
        lines = file.read_text(encoding="utf-8").splitlines()
        if not 1 <= first <= last <= len(lines):
            found.append(f"step {step}: {path} has {len(lines)} lines, not {first}-{last}")
        elif not any(look_for in line for line in lines[first - 1:last]):
            found.append(f"step {step}: {look_for!r} is not in {path}:{first}-{last}")
        elif look_for.startswith(("class ", "def ")) and _block_end(lines, first, look_for) > last:
            found.append(f"step {step}: {path}:{first}-{last} cuts {look_for!r} short")
        for other, (a, b) in seen.get(path, {}).items():
            if first <= b and a <= last:
                found.append(f"step {step} overlaps step {other} in {path}")
        seen.setdefault(path, {})[step] = (first, last)
    return found


def _block_end(lines: list, first: int, header: str) -> int:
    """The last line (1-based) of the class or def whose header is the first line from
    ``first`` on that contains ``header``: where the indentation returns to its level."""
    start = next(i for i in range(first - 1, len(lines)) if header in lines[i])
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start
    for i in range(start + 1, len(lines)):
        text = lines[i]
        if text.strip() and len(text) - len(text.lstrip()) <= indent \
                and not text.lstrip().startswith((")", "]", "}")):
            break
        if text.strip():
            end = i
    return end + 1


def total_lines(steps: list) -> int:
    return sum(last - first + 1 for _, _, first, last, _ in steps)


def main() -> int:
    steps = reading_path((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    for step, path, first, last, look_for in steps:
        print(f"{step:3d}  {last - first + 1:4d}  {path}:{first}-{last}  ({look_for})")
    total = total_lines(steps)
    print(f"total: {total} lines in {len(steps)} steps (limit {LIMIT})")
    for problem in problems(steps):
        print("problem:", problem)
    return 1 if problems(steps) or total > LIMIT else 0


if __name__ == "__main__":
    sys.exit(main())
