"""The cost of one small operation: recording it, and running its backward node.

    python benchmarks/small_ops.py

A chain of 1,000 products ``x = x * w`` (0-d tensors, then float32[8]) is recorded and then
differentiated, in minitorch and in PyTorch. Per op: the forward time divided by 1,000, and
the backward time (``backward()`` minus the forward) divided by 1,000. The garbage collector
is off while timing, so this is the Python (or C++) work per op itself; the scalar-graph and
dynamic-net workloads of ``run.py`` are made of such ops. Each library runs in its own
process (importing PyTorch would add its objects to minitorch's process).
"""
from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

CHAIN = 1000


def measure(library: str) -> None:
    import gc
    import timeit

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    lib = __import__(library)
    for shape in ((), (8,)):
        w = lib.full(shape, 1.0001).requires_grad_()

        def forward():
            x = lib.ones(shape)
            for _ in range(CHAIN):
                x = x * w
            return x

        def forward_backward():
            forward().sum().backward()

        gc.disable()
        forward_time = min(timeit.repeat(forward, number=5, repeat=9)) / 5
        total_time = min(timeit.repeat(forward_backward, number=5, repeat=9)) / 5
        gc.enable()
        print(f"{library:9s} {str(list(shape)):4s}  record {forward_time / CHAIN * 1e6:5.2f} us/op"
              f"   backward {(total_time - forward_time) / CHAIN * 1e6:5.2f} us/node", flush=True)


def main() -> None:
    if len(sys.argv) > 1:
        measure(sys.argv[1])
        return
    for library in ("minitorch", "torch"):
        subprocess.run([sys.executable, __file__, library], check=True)


if __name__ == "__main__":
    main()
