"""Run the benchmark suite: minitorch against PyTorch CPU and hand-written NumPy, same run.

    python benchmarks/run.py                  # every workload
    python benchmarks/run.py mlp per_op       # some workloads
    python benchmarks/run.py --repeats 30 --rounds 5

Everything runs single-threaded (set before NumPy/PyTorch load): on small shared machines
threaded BLAS stalls erratically, and the comparison is per core anyway. Implementations
alternate within each round, so a burst of load from a neighbour hits all of them; each
round times ``repeats`` calls after a warm-up, and the reported figure is the median over
all timed calls. Writes ``benchmarks/results/latest.md`` (a table), ``latest.json`` and,
when matplotlib is present, ``latest.png``.
"""
from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import workloads  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def time_calls(step, repeats: int) -> list:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


def run_workload(workload, rounds: int, repeats: int, warmup: int) -> dict:
    steps = {name: make() for name, make in workload.implementations().items()}
    for step in steps.values():
        for _ in range(warmup):
            step()
    samples = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            samples[name] += time_calls(step, repeats)
    return {name: statistics.median(t) for name, t in samples.items()}


def format_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def machine_description() -> str:
    import numpy
    import torch
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"NumPy {numpy.__version__}, PyTorch {torch.__version__}, 1 thread each")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="workloads to run (default: all)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--device", default="cpu", help="'cuda' compares against PyTorch CUDA")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = str(RESULTS / ("latest" if args.device == "cpu" else f"latest_{args.device}"))

    chosen = [w for w in workloads.ALL if not args.names or w.name in args.names]
    for workload in chosen:
        workload.device = args.device
    if args.device != "cpu":
        chosen = [w for w in chosen if w.name in ("mlp", "cnn", "transformer", "matmul")]
    rows = []
    for workload in chosen:
        print(f"running {workload.name} ...", flush=True)
        medians = run_workload(workload, args.rounds, workload.repeats or args.repeats, args.warmup)
        row = {"workload": workload.name, "description": workload.description,
               "medians": medians, "goal": workload.goal}
        mt = medians.get("minitorch")
        for other in ("pytorch", "numpy", "micrograd"):
            if mt is not None and other in medians:
                row[f"ratio_{other}"] = mt / medians[other]
        rows.append(row)
        print("   " + ", ".join(f"{k} {format_time(v)}" for k, v in medians.items()), flush=True)
    for extra in workloads.EXTRAS:
        if args.device == "cpu" and (not args.names or extra.name in args.names):
            print(f"running {extra.name} ...", flush=True)
            rows.append(extra.run())
            print("   " + rows[-1]["text"], flush=True)

    machine = machine_description()
    lines = [f"Machine: {machine}", "",
             "| workload | minitorch | PyTorch | NumPy | minitorch / PyTorch | minitorch / NumPy | goal |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        if "text" in row:
            lines.append(f"| {row['workload']} | {row['text']} | | | | | {row['goal']} |")
            continue
        m = row["medians"]
        cell = lambda k: format_time(m[k]) if k in m else ""  # noqa: E731
        ratio = lambda k: f"{row[k]:.2f}" if k in row else ""  # noqa: E731
        pytorch_col = cell("pytorch") + (f" (micrograd {cell('micrograd')})" if "micrograd" in m else "")
        lines.append(f"| {row['workload']} | {cell('minitorch')} | {pytorch_col} | {cell('numpy')} | "
                     f"{ratio('ratio_pytorch')} | {ratio('ratio_numpy')}"
                     f"{' (micrograd ' + ratio('ratio_micrograd') + ')' if 'ratio_micrograd' in row else ''}"
                     f" | {row['goal']} |")
    table = "\n".join(lines)
    print()
    print(table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(table + "\n")
    out.with_suffix(".json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=1))
    _plot(rows, out.with_suffix(".png"))
    return 0


def _plot(rows, path: Path) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    ratios = [(r["workload"], r["ratio_pytorch"]) for r in rows if "ratio_pytorch" in r]
    if not ratios:
        return
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(ratios)))
    names, values = zip(*ratios)
    ax.barh(names, values, color=["tab:green" if v <= 1 else "tab:orange" for v in values])
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xlabel("time ratio minitorch / PyTorch CPU (lower is better)")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
