"""What each piece of minitorch/fast buys: minitorch's workloads timed with every
acceleration installed, and with the entries of one module of minitorch/fast at a time put
back to the reference pieces they replace (in one process, alternating, so that load from
neighbours hits every configuration alike). The "reference" column has every entry put
back; it still has glibc's malloc tuning, a process setting that cannot be undone (run
``MINITORCH_REFERENCE=1 python benchmarks/run.py`` for the reference path proper).

    python benchmarks/fast_pieces.py        # mlp, per_op, scalar_graph, cnn, transformer
    python benchmarks/fast_pieces.py mlp --rounds 9

Prints a table of times and of slowdowns (time without the piece / time with all).
"""
from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import workloads  # noqa: E402

DEFAULT_WORKLOADS = ["mlp", "per_op", "scalar_graph", "cnn", "transformer"]


def module_of(piece) -> str:
    """The minitorch/fast module a faster piece comes from ('recording', 'rows', ...)."""
    function = getattr(piece, "__func__", piece)  # classmethod / staticmethod
    return function.__module__.rsplit(".", 1)[-1]


def configurations(fast) -> dict:
    """name -> the (owner, attribute) entries put back to their reference pieces."""
    groups = {}
    for owner, attribute, faster, _why in fast.ACCELERATIONS:
        groups.setdefault(f"without {module_of(faster)}", []).append((owner, attribute))
    return {"all": [], **groups, "reference": list(fast.REFERENCES)}


def use(fast, put_back) -> None:
    """Install every faster piece, except those in ``put_back``."""
    for owner, attribute, faster, _why in fast.ACCELERATIONS:
        chosen = fast.REFERENCES[owner, attribute] if (owner, attribute) in put_back else faster
        setattr(owner, attribute, chosen)


def time_step(step, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=DEFAULT_WORKLOADS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    import minitorch
    if minitorch.REFERENCE_MODE:
        sys.exit("unset MINITORCH_REFERENCE: this compares minitorch/fast with the reference")
    from minitorch import fast
    configs = configurations(fast)
    by_name = {w.name: w for w in workloads.ALL}
    rows = []
    for name in args.names:
        step = by_name[name].implementations()["minitorch"]()
        repeats = min(args.repeats, by_name[name].repeats or args.repeats)
        best = {config: float("inf") for config in configs}
        for _ in range(args.rounds):
            for config, put_back in configs.items():
                use(fast, set(put_back))
                for _ in range(3):  # warm-up
                    step()
                best[config] = min(best[config], time_step(step, repeats))
        use(fast, set())
        rows.append((name, best))
        print(name, {c: f"{t * 1e3:.3f} ms" for c, t in best.items()}, flush=True)
    print("\n| workload | " + " | ".join(configs) + " |")
    print("|---" * (len(configs) + 1) + "|")
    for name, best in rows:
        cells = [f"{best['all'] * 1e3:.3f} ms"]
        cells += [f"{best[c] / best['all']:.2f}x" for c in list(configs)[1:]]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
