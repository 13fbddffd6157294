"""Run the benchmark suite: minitorch against PyTorch CPU and hand-written NumPy, same run.

    python benchmarks/run.py                  # every workload
    python benchmarks/run.py mlp per_op       # some workloads
    python benchmarks/run.py --repeats 30 --rounds 5
    python benchmarks/run.py --runs 5         # the whole suite 5 times: median and range
    python benchmarks/run.py --suite small    # the small-model steps (small_models.py)

Everything runs single-threaded (set before NumPy/PyTorch load): on small shared machines
threaded BLAS stalls erratically, and the comparison is per core anyway. Implementations
alternate within each round, so a burst of load from a neighbour hits all of them; each
round times ``repeats`` calls after a warm-up, and the reported figure is the median over
all timed calls. Writes ``benchmarks/results/latest.md`` (a table), ``latest.json`` and,
when matplotlib is present, ``latest.png``.

On a shared machine one run's ratio can be off by 10-40% (a neighbour's burst of load in a
few rounds), so ``--runs N`` repeats the whole suite N times, each run after the previous one
has gone through every workload, and reports each ratio as the median over the runs with
the lowest and highest in brackets.

Each implementation runs in its own worker process, which imports only its own library;
the parent alternates between the workers. In one shared process, the libraries that make
many Python objects (minitorch, micrograd) would pay for PyTorch's: importing torch adds
about 145,000 objects that every full garbage collection walks (on the scalar graph that
made minitorch's forward about 1.5x slower). ``--same-process`` measures the old way.
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
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import small_models  # noqa: E402
import workloads  # noqa: E402

SUITES = {"main": workloads.ALL, "small": small_models.SMALL}

RESULTS = Path(__file__).resolve().parent / "results"


def time_calls(step, repeats: int) -> list:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


class _InProcess:
    """An implementation's step, run in this process (``--same-process``)."""

    def __init__(self, workload, name):
        self.step = workload.implementations()[name]()

    def time(self, repeats: int) -> list:
        return time_calls(self.step, repeats)

    def close(self) -> None:
        pass


class _Worker:
    """An implementation's step, run in a child process that imports only its library."""

    def __init__(self, workload, name):
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", workload.name, name, "--device", workload.device],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def time(self, repeats: int) -> list:
        self.process.stdin.write(f"{repeats}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker failed (exit code {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def _serve(workload_name: str, name: str, device: str) -> int:
    """The worker's side: make the step, then time ``repeats`` calls per request line."""
    workload = next(w for suite in SUITES.values() for w in suite if w.name == workload_name)
    workload.device = device
    step = workload.implementations()[name]()
    for line in sys.stdin:
        print(json.dumps(time_calls(step, int(line))), flush=True)
    return 0


def run_workload(workload, rounds: int, repeats: int, warmup: int, same_process=False) -> dict:
    runner = _InProcess if same_process else _Worker
    runs = {name: runner(workload, name) for name in workload.implementations()}
    try:
        for run in runs.values():
            run.time(warmup)
        samples = {name: [] for name in runs}
        for _ in range(rounds):
            for name, run in runs.items():
                samples[name] += run.time(repeats)
    finally:
        for run in runs.values():
            run.close()
    return {name: statistics.median(t) for name, t in samples.items()}


def summarize(workload, run_medians: list) -> dict:
    """One table row from the medians of each run: the median time of each implementation
    and, for each ratio, the median over runs with its range."""
    names = run_medians[0].keys()
    row = {"workload": workload.name, "description": workload.description, "goal": workload.goal,
           "medians": {name: statistics.median(r[name] for r in run_medians) for name in names},
           "runs": run_medians}
    for other in ("pytorch", "numpy", "micrograd"):
        if "minitorch" in names and other in names:
            ratios = [r["minitorch"] / r[other] for r in run_medians]
            row[f"ratio_{other}"] = statistics.median(ratios)
            row[f"range_{other}"] = (min(ratios), max(ratios))
    if "compiled" in names and "pytorch" in names:  # minitorch.compile's replay of the step
        ratios = [r["compiled"] / r["pytorch"] for r in run_medians]
        row["ratio_compiled"], row["range_compiled"] = statistics.median(ratios), (min(ratios), max(ratios))
    return row


def format_ratio(row: dict, key: str) -> str:
    if key not in row:
        return ""
    low, high = row[key.replace("ratio_", "range_")]
    return f"{row[key]:.2f}" + (f" ({low:.2f}-{high:.2f})" if len(row["runs"]) > 1 else "")


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
    parser.add_argument("names", nargs="*", help="workloads to run (default: all of the suite)")
    parser.add_argument("--suite", choices=sorted(SUITES), default="main",
                        help="main: the per-op, MLP, CNN, transformer... suite; small: small_models.py")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--device", default="cpu", help="'cuda' compares against PyTorch CUDA")
    parser.add_argument("--runs", type=int, default=1,
                        help="repeat the suite; ratios are the median (and range) over runs")
    parser.add_argument("--out", default=None)
    parser.add_argument("--same-process", action="store_true",
                        help="run every implementation in this process (see above)")
    parser.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "IMPLEMENTATION"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _serve(*args.worker, args.device)
    if args.out is None:
        args.out = str(RESULTS / ((f"{args.suite}_" if args.suite != "main" else "")
                                  + ("latest" if args.device == "cpu" else f"latest_{args.device}")))

    chosen = [w for w in SUITES[args.suite] if not args.names or w.name in args.names]
    for workload in chosen:
        workload.device = args.device
    if args.device != "cpu":
        chosen = [w for w in chosen if w.name in ("mlp", "cnn", "transformer", "matmul")]
    runs = {workload.name: [] for workload in chosen}
    for run in range(args.runs):
        for workload in chosen:
            print(f"running {workload.name} ..." + (f" (run {run + 1} of {args.runs})"
                                                   if args.runs > 1 else ""), flush=True)
            medians = run_workload(workload, args.rounds, workload.repeats or args.repeats,
                                   args.warmup, args.same_process)
            runs[workload.name].append(medians)
            print("   " + ", ".join(f"{k} {format_time(v)}" for k, v in medians.items()), flush=True)
    rows = [summarize(workload, runs[workload.name]) for workload in chosen]
    for extra in workloads.EXTRAS:
        if args.device == "cpu" and args.suite == "main" and (not args.names or extra.name in args.names):
            print(f"running {extra.name} ...", flush=True)
            rows.append(extra.run())
            print("   " + rows[-1]["text"], flush=True)

    machine = machine_description()
    lines = [f"Machine: {machine}", ""]
    if args.runs > 1:
        lines += [f"Ratios: median over {args.runs} runs of the whole suite (lowest-highest); "
                  "times: median over the runs.", ""]
    compiled = any("ratio_compiled" in row for row in rows)
    extra = (" minitorch.compile | compiled / PyTorch |", "---|---|") if compiled else ("", "")
    lines += ["| workload | minitorch | PyTorch | NumPy | minitorch / PyTorch | minitorch / NumPy |"
              f"{extra[0]} goal |", f"|---|---|---|---|---|---|{extra[1]}---|"]
    for row in rows:
        if "text" in row:
            lines.append(f"| {row['workload']} | {row['text']} | | | | |{' | |' if compiled else ''} "
                         f"{row['goal']} |")
            continue
        m = row["medians"]
        cell = lambda k: format_time(m[k]) if k in m else ""  # noqa: E731
        ratio = lambda k: format_ratio(row, k)  # noqa: E731
        pytorch_col = cell("pytorch") + (f" (micrograd {cell('micrograd')})" if "micrograd" in m else "")
        lines.append(f"| {row['workload']} | {cell('minitorch')} | {pytorch_col} | {cell('numpy')} | "
                     f"{ratio('ratio_pytorch')} | {ratio('ratio_numpy')}"
                     f"{' (micrograd ' + ratio('ratio_micrograd') + ')' if 'ratio_micrograd' in row else ''}"
                     + (f" | {cell('compiled')} | {ratio('ratio_compiled')}" if compiled else "")
                     + f" | {row['goal']} |")
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
    ratios = [(r["workload"], r["ratio_pytorch"], r["range_pytorch"]) for r in rows
              if "ratio_pytorch" in r]
    if not ratios:
        return
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(ratios)))
    names, values, ranges = zip(*ratios)
    spread = [[v - low for v, (low, _) in zip(values, ranges)],
              [high - v for v, (_, high) in zip(values, ranges)]]  # zero for a single run
    ax.barh(names, values, xerr=spread, capsize=3,
            color=["tab:green" if v <= 1 else "tab:orange" for v in values])
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xlabel("time ratio minitorch / PyTorch CPU (lower is better)")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
