"""The scatter-adds of the small-model suite, minitorch's fast path against the reference
``np.add.at``, alone (and against another version of fast/scatter.py, with ``--compare``).

    python benchmarks/scatter_add.py
    git show 3536c9f:minitorch/fast/scatter.py > /tmp/old_scatter.py
    python benchmarks/scatter_add.py --compare /tmp/old_scatter.py

The cases are the embedding backwards the suite's steps make (char_mlp's 16 context
positions, where the blank token fills more of each later one; char_lstm's and makemore's
tables), a GPT-2-sized table, and rows of one number. Each result is checked to be the
reference's bit for bit; times are the median of 7 repeats, one thread.
"""
from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import sys  # noqa: E402
import timeit  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minitorch.fast import scatter  # noqa: E402


def reference(target, index, values) -> None:
    np.add.at(target, index, values)


def cases():
    """(name, table, ids, rows): rows as the backward hands them over (char_mlp's are a
    (32, 16, 64) slice of its (32, 16, 1024) gradient)."""
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 27, (32, 16))
    for position in range(16):
        gradient = rng.standard_normal((32, 16, 1024)).astype(np.float32)
        yield (f"char_mlp position {position:2d}", np.zeros((28, 64), np.float32), ids.reshape(-1),
               gradient[:, :, 64:128].reshape(-1, 64))
        ids = np.roll(ids, 1, 1)
        ids[:, 0] = 27  # makemore's blank token
    rows = rng.standard_normal((512, 64)).astype(np.float32)
    yield "char_lstm (512 into 65)", np.zeros((65, 64), np.float32), rng.integers(0, 65, 512), rows
    yield "makemore (512 into 27)", np.zeros((27, 64), np.float32), rng.integers(0, 27, 512), rows
    yield ("GPT-2 table (1024 into 50,257)", np.zeros((50257, 768), np.float32),
           rng.integers(0, 50257, 1024), rng.standard_normal((1024, 768)).astype(np.float32))
    yield ("100,000 rows of 1 into 10", np.zeros((10, 1), np.float32), rng.integers(0, 10, 100_000),
           rng.standard_normal((100_000, 1)).astype(np.float32))


def load(path: str):
    """``backend.scatter_add``'s fast version from another copy of fast/scatter.py."""
    spec = importlib.util.spec_from_file_location("compared_scatter", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    make = getattr(module, "scatter_add_flat", None) or module.scatter_add_rows
    return make(reference)


def microseconds(function, table, ids, rows) -> float:
    target = table.copy()
    number = 3 if table.size > 10**6 else 50
    times = timeit.repeat(lambda: function(target, (ids,), rows), number=number, repeat=7)
    return 1e6 * float(np.median(times)) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another fast/scatter.py to time beside this one")
    args = parser.parse_args()
    versions = {"reference np.add.at": reference, "fast": scatter.scatter_add_flat(reference)}
    if args.compare:
        versions["compared"] = load(args.compare)
    print(f"{'case':32s}" + "".join(f"{name:>22s}" for name in versions))
    totals = dict.fromkeys(versions, 0.0)
    for name, table, ids, rows in cases():
        expected = table.copy()
        reference(expected, (ids,), rows)
        line = f"{name:32s}"
        for version, function in versions.items():
            result = table.copy()
            function(result, (ids,), rows)
            assert np.array_equal(result.view(np.uint32), expected.view(np.uint32)), (name, version)
            spent = microseconds(function, table, ids, rows)
            totals[version] += spent if name.startswith(("char", "makemore")) else 0.0
            line += f"{spent:19.0f} us"
        print(line)
    label = "the suite's 18 together"
    print(f"{label:32s}" + "".join(f"{t:19.0f} us" for t in totals.values()))


if __name__ == "__main__":
    main()
