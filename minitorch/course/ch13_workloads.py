"""Chapter 13's workloads, timed in a fresh process with and without minitorch/fast:

    python -m minitorch.course.ch13_workloads                         # as minitorch runs by default
    MINITORCH_REFERENCE=1 python -m minitorch.course.ch13_workloads   # the reference path only

prints one JSON line: each workload's median time in seconds, and whether minitorch/fast was
loaded. The chapter also profiles ``mlp_training_step`` in its own process.
"""
from __future__ import annotations

import json
import sys
import time

import numpy as np

import minitorch
from minitorch import nn


def median_time(fn, repeats: int) -> float:
    """The median of ``repeats`` timings of ``fn()``, after one untimed call (warm-up)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def one_op():
    """``(a * b).sum().backward()`` on two 1000-element vectors: per-op bookkeeping."""
    minitorch.manual_seed(0)
    a, b = minitorch.randn(1000, requires_grad=True), minitorch.randn(1000, requires_grad=True)

    def step():
        (a * b).sum().backward()
        a.grad = b.grad = None
    return step


def scalar_graph():
    """2,000 recorded scalar ops and their backward: all bookkeeping, almost no arithmetic."""
    w = minitorch.tensor(0.5, requires_grad=True)

    def step():
        total = minitorch.tensor(0.0)
        for i in range(1000):
            total = total + w * float(i % 7)
        total.backward()
        w.grad = None
    return step


def mlp():
    """The benchmarks' mlp: a 784-256-256-10 MLP, its Adam, and a batch of 128 (seeded)."""
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    optimizer = minitorch.optim.Adam(model.parameters(), lr=1e-3)
    return model, optimizer, minitorch.randn(128, 784), minitorch.randint(0, 10, (128,))


def mlp_training_step():
    """One Adam step of ``mlp()`` on its batch."""
    model, optimizer, images, labels = mlp()

    def step():
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(images), labels).backward()
        optimizer.step()
    return step


WORKLOADS = {"a * b, sum, backward": (one_op, 1000), "2,000 scalar ops": (scalar_graph, 20),
             "MLP + Adam step": (mlp_training_step, 40)}


def main() -> None:
    times = {name: median_time(make(), repeats) for name, (make, repeats) in WORKLOADS.items()}
    print(json.dumps({"fast loaded": "minitorch.fast" in sys.modules, **times}))


if __name__ == "__main__":
    main()
