"""A small-model step of this checkout timed against the same step at another commit: the
check that a change did not make eager minitorch slower.

    python benchmarks/against_commit.py 3536c9f char_mlp char_lstm
    python benchmarks/against_commit.py 3536c9f makemore_transformer --impl compiled

The other commit is checked out into a temporary git worktree. Each round runs one fresh
worker process per version, alternating, each timing ``--steps`` steps after a warm-up
(median); the workload code is this checkout's benchmarks/small_models.py for both. Prints
each version's median over the rounds and the range of the per-round ratios (this machine's
noise shows there). One thread each.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent

WORKER = r'''
import json, sys, time
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])
import small_models
import minitorch
assert minitorch.__file__.startswith(sys.argv[1]), minitorch.__file__
workload = next(w for w in vars(small_models).values()
                if isinstance(w, type) and getattr(w, "name", None) == sys.argv[3])()
step = workload.implementations()[sys.argv[4]]()
for _ in range(5):
    step()
times = []
for _ in range(int(sys.argv[5])):
    start = time.perf_counter()
    step()
    times.append(time.perf_counter() - start)
print(json.dumps(sorted(times)[len(times) // 2]))
'''


def step_time(code_root: Path, workload: str, impl: str, steps: int) -> float:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", WORKER, str(code_root), str(BENCHMARKS),
                           workload, impl, str(steps)],
                          env=env, capture_output=True, text=True, check=True,
                          cwd=tempfile.gettempdir())
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit")
    parser.add_argument("workloads", nargs="+", help="names from small_models.py")
    parser.add_argument("--impl", default="minitorch", choices=["minitorch", "compiled"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        other = Path(scratch) / "other"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(other),
                        args.commit], check=True)
        try:
            for workload in args.workloads:
                times = {"before": [], "now": []}
                for _ in range(args.rounds):
                    for version, code_root in (("before", other), ("now", ROOT)):
                        times[version].append(step_time(code_root, workload, args.impl, args.steps))
                ratios = [now / before for now, before in zip(times["now"], times["before"])]
                print(f"{workload} ({args.impl}): {args.commit} "
                      f"{1e3 * statistics.median(times['before']):.2f} ms, this checkout "
                      f"{1e3 * statistics.median(times['now']):.2f} ms, now/before per round "
                      f"{min(ratios):.2f}-{max(ratios):.2f}")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                           check=True)


if __name__ == "__main__":
    main()
