"""Benchmark: draw a ~2,000-node graph (walk + DOT text + SVG layout by graphviz-pure).

A micrograd-style scalar MLP (every weight its own 0-d tensor, every multiply and add its own
op) is the kind of picture that grows large fast. Target: under 2 s for DOT + SVG.

    .venv/bin/python benchmarks/bench_viz.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import minitorch  # noqa: E402
import viz  # noqa: E402


def scalar_mlp(sizes=(3, 16, 14, 8, 1), seed=0):
    """Scalar neurons: out = tanh(sum_i w_i * x_i + b). Returns (loss, params dict)."""
    rng = np.random.default_rng(seed)
    params = {}
    xs = [minitorch.tensor(float(v)) for v in rng.uniform(-1, 1, sizes[0])]
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        outs = []
        for j in range(n_out):
            acc = minitorch.tensor(float(rng.uniform(-1, 1)), requires_grad=True)
            params[f"l{layer}.b{j}"] = acc
            for i in range(n_in):
                w = minitorch.tensor(float(rng.uniform(-1, 1)), requires_grad=True)
                params[f"l{layer}.w{j}_{i}"] = w
                acc = acc + w * xs[i]
            outs.append(acc.tanh())
        xs = outs
    return (xs[0] - 1.0) * (xs[0] - 1.0), params


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the renderer runs as a child)."""
    try:
        import resource
    except ImportError:  # Windows
        return time.process_time()
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    loss, params = scalar_mlp()
    trace = viz.trace_backward(loss)
    c0, t0 = cpu_seconds(), time.perf_counter()
    g = viz.draw(loss, params=params, trace=trace, max_nodes=None)
    t1 = time.perf_counter()
    svg = g.svg()
    t2, c2 = time.perf_counter(), cpu_seconds()
    print(f"graph: {g.num_nodes} nodes, {g.num_edges} edges; DOT {len(g.source) / 1e3:.0f} kB, "
          f"SVG {len(svg) / 1e6:.2f} MB")
    print(f"walk + DOT: {t1 - t0:.3f} s   SVG render (graphviz-pure): {t2 - t1:.3f} s   "
          f"total: {t2 - t0:.3f} s   (target < 2 s)")
    print(f"CPU time (ours + renderer): {c2 - c0:.3f} s   (wall time on a busy machine is more)")
    t3 = time.perf_counter()
    guarded = viz.draw(loss, params=params, trace=trace)   # default max_nodes=200
    guarded.svg()
    print(f"with the default size guard: {guarded.num_nodes} nodes, "
          f"{time.perf_counter() - t3:.3f} s")


if __name__ == "__main__":
    main()
