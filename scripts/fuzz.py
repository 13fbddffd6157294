"""Differential fuzzing of minitorch against PyTorch: random programs, run in lockstep.

    python scripts/fuzz.py --programs 10000 [--seed 0]

Runs hypothesis over `tests/fuzz_programs.py`'s program generator. Each time a program
makes the two libraries disagree, hypothesis shrinks it to a minimal failing program, which
is printed; the run then goes on with a fresh seed until the requested number of programs
was tried. A mismatch already seen (same failing line pattern) is counted but not shrunk again.
Prints: programs tried, mismatching programs, the distinct mismatches with their minimal
programs, and how many lines minitorch refused with NotImplementedError (a deviation it
documents rather than a wrong answer).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzz_programs  # noqa: E402
from fuzz_programs import Mismatch, Unsupported  # noqa: E402


def signature(message: str) -> str:
    """What kind of mismatch this is, independent of variable names and numbers."""
    first = message.splitlines()[0]
    first = re.sub(r"\bv\d+\b", "v", first)
    first = re.sub(r"-?\d+(\.\d+)?", "N", first)
    return first[:160]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=2000, help="programs per hypothesis run")
    args = parser.parse_args()

    # tried: programs that ran to their end, or to a disagreement, or to a line minitorch
    # refuses (hypothesis's own discarded draws are not counted)
    counts = {"tried": 0, "mismatching": 0, "unsupported": 0, "lines": 0}
    raised: dict[str, int] = {}
    seen: dict[str, str] = {}
    unsupported: dict[str, int] = {}
    shrinking = {"on": False, "key": None}

    def body(data):
        try:
            program = fuzz_programs.draw_program(data)
            if not shrinking["on"]:
                counts["tried"] += 1
                counts["lines"] += len(program.lines)
                if program.raised:
                    raised[program.raised] = raised.get(program.raised, 0) + 1
        except Unsupported as err:
            key = signature(str(err))
            if not shrinking["on"]:
                counts["tried"] += 1
                counts["unsupported"] += 1
                unsupported[key] = unsupported.get(key, 0) + 1
        except Mismatch as err:
            key = signature(str(err))
            if shrinking["on"]:
                # keep shrinking the mismatch being shrunk; a different one is left for later
                if key == shrinking["key"]:
                    raise
                return
            counts["tried"] += 1
            counts["mismatching"] += 1
            if key in seen:
                return
            shrinking["on"], shrinking["key"] = True, key  # hypothesis now shrinks this one
            raise

    start = time.time()
    seed = args.seed
    while counts["tried"] < args.programs:
        remaining = args.programs - counts["tried"]
        run = settings(max_examples=min(args.batch, remaining), deadline=None, database=None,
                       derandomize=False, suppress_health_check=list(HealthCheck),
                       phases=[Phase.generate, Phase.shrink])(given(st.data())(body))
        before = counts["tried"]
        try:
            run._hypothesis_internal_use_seed = seed
            run()
        except Mismatch as err:
            message = str(err)
            seen[signature(message)] = message
            print(f"\n=== mismatch #{len(seen)} (minimal program after shrinking)\n{message}\n",
                  flush=True)
        shrinking["on"], shrinking["key"] = False, None
        seed += 1
        print(f"[{time.time() - start:7.1f}s] tried {counts['tried']} programs, "
              f"{counts['mismatching']} mismatching, {len(seen)} distinct", flush=True)
        if counts["tried"] == before:  # nothing new generated (should not happen)
            break

    print("\n===== summary")
    print(f"programs tried: {counts['tried']} ({counts['lines']} lines in those that agreed "
          f"to the end)")
    print("programs ending in an error both libraries raised alike: "
          + (", ".join(f"{n} {name}" for name, n in sorted(raised.items(), key=lambda kv: -kv[1]))
             or "none"))
    print(f"mismatching programs: {counts['mismatching']} ({len(seen)} distinct)")
    for i, (key, message) in enumerate(seen.items(), 1):
        print(f"  {i}. {key}")
    print(f"programs stopped by NotImplementedError in minitorch: {counts['unsupported']}")
    for key, n in sorted(unsupported.items(), key=lambda kv: -kv[1]):
        print(f"  {n:5d}  {key}")
    print(f"time: {time.time() - start:.1f}s")
    return 1 if seen else 0


if __name__ == "__main__":
    sys.exit(main())
