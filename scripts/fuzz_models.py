"""Differential fuzzing of training against PyTorch: random models, losses and optimizers.

    python scripts/fuzz_models.py --programs 5000 [--seed 0]

Runs the programs ``seed .. seed + programs - 1`` of `tests/fuzz_models.py`: each builds a small
model in PyTorch, copies its weights into minitorch's and trains both for a few steps,
comparing the loss, the gradients and the parameters and buffers after every step. A program is
its seed: ``python scripts/fuzz_models.py --seed S --programs 1`` replays program S and prints it.
Prints the mismatching programs (the first of each kind in full) and a summary; exits 1 if any.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

from fuzz_models import Mismatch, Unsupported, check_program, describe, draw_program  # noqa: E402


def kind_of(error: Exception) -> str:
    """What kind of disagreement this is, independent of the program's numbers and names."""
    first = str(error).splitlines()[0]
    first = re.sub(r"layers\.\d+\.", "layers.N.", first)
    first = re.sub(r"^step \d+: ", "", first)
    return f"{type(error).__name__}: {first[:150]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0, help="the first program")
    args = parser.parse_args()

    start = time.time()
    kinds: collections.Counter = collections.Counter()
    families: collections.Counter = collections.Counter()
    optimizers: collections.Counter = collections.Counter()
    for seed in range(args.seed, args.seed + args.programs):
        program = draw_program(seed)
        families[program["family"]] += 1
        optimizers[program["optimizer"][0]] += 1
        if args.programs == 1:
            print(describe(program))
        try:
            check_program(program)
        except (Mismatch, Unsupported) as error:
            kind = kind_of(error)
            if kind not in kinds:
                print(f"\n=== {kind}\n{error}\n", flush=True)
            kinds[kind] += 1
        done = seed - args.seed + 1
        if done % 500 == 0:
            print(f"[{time.time() - start:6.1f}s] {done} programs, {sum(kinds.values())} mismatching",
                  flush=True)

    print("\n===== summary")
    print(f"programs: {args.programs} (seeds {args.seed}..{args.seed + args.programs - 1}); "
          f"models: {dict(families)}")
    print(f"optimizers: {dict(sorted(optimizers.items()))}")
    print(f"mismatching programs: {sum(kinds.values())} ({len(kinds)} kinds)")
    for kind, n in kinds.most_common():
        print(f"  {n:5d}  {kind}")
    print(f"time: {time.time() - start:.1f}s")
    return 1 if kinds else 0


if __name__ == "__main__":
    sys.exit(main())
