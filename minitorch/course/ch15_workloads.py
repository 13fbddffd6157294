"""Chapter 15's payoff: the small-model steps of ``benchmarks/small_models.py``, at small
sizes, each library timed in a fresh process (as ``benchmarks/run.py`` does: PyTorch's
145,000 Python objects would slow minitorch's garbage collector and its tracer, which lists
the live tensors).

    python -m minitorch.course.ch15_workloads minitorch   # eager and compiled
    python -m minitorch.course.ch15_workloads pytorch

prints ``{workload: {implementation: median seconds per step}}`` as JSON. Needs the
repository's ``benchmarks/`` folder (a source checkout).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .ch13_workloads import median_time

WARMUP = 4   # a compiled step is eager, traced, traced again, then replayed
TIMED = 5
BATCH = 8    # the suite's batch sizes are 16-64; the chapter stays fast


def workloads() -> list:
    """The suite's workloads except the scalar graph (20,000 scalar ops: seconds per step)."""
    benchmarks = Path(__file__).resolve().parents[2] / "benchmarks"
    sys.path.insert(0, str(benchmarks))
    import small_models
    chosen = [w for w in small_models.SMALL if w.name != "scalar_graph"]
    for workload in chosen:
        if hasattr(workload, "batch"):
            workload.batch = BATCH
    return chosen


def median_step(make) -> float:
    step = make()
    for _ in range(WARMUP - 1):   # (median_time makes the last warm-up call)
        step()
    return median_time(step, TIMED)


def main(library: str) -> dict:
    names = ("minitorch", "compiled") if library == "minitorch" else ("pytorch",)
    return {w.name: {name: median_step(make) for name, make in w.implementations().items()
                     if name in names} for w in workloads()}


if __name__ == "__main__":
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        assert os.environ.get(variable) == "1", f"run with {variable}=1 (one thread, as the suite)"
    print(json.dumps(main(sys.argv[1])))
