"""The matrix products of the MLP and transformer workloads, NumPy against PyTorch, alone.

    python benchmarks/blas_shapes.py

minitorch multiplies matrices with NumPy (OpenBLAS here), so a workload made mostly of
matrix products cannot beat PyTorch by more than NumPy's kernels allow. This times each
product of a training step (forward and backward shapes, with the transposes the layers
use) in both libraries, one thread each, and prints the ratio per shape and per workload.
"""
from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import timeit  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

# (m, k, n, first operand transposed, second operand transposed): C[m, n] = A[m, k] @ B[k, n]
MLP = [  # batch 128, 784-256-256-10: forward x @ W.T, backward grad @ W and grad.T @ x
    (128, 784, 256, False, True), (128, 256, 256, False, True), (128, 256, 10, False, True),
    (256, 128, 784, True, False), (256, 128, 256, True, False), (10, 128, 256, True, False),
    (128, 10, 256, False, False), (128, 256, 256, False, False),
]
TRANSFORMER = [  # 1024 tokens, d_model 128, feed-forward 512 (the attention products are small)
    (1024, 128, 384, False, True), (1024, 128, 128, False, True), (1024, 128, 512, False, True),
    (1024, 512, 128, False, True), (384, 1024, 128, True, False), (512, 1024, 128, True, False),
    (128, 1024, 512, True, False), (1024, 512, 128, False, False), (1024, 128, 512, False, False),
]


def median_time(fn, number: int = 20, repeat: int = 7) -> float:
    return float(np.median(timeit.repeat(fn, number=number, repeat=repeat))) / number


def compare(shapes) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    total_numpy = total_torch = 0.0
    for m, k, n, transpose_a, transpose_b in shapes:
        a = rng.standard_normal((k, m) if transpose_a else (m, k)).astype(np.float32)
        b = rng.standard_normal((n, k) if transpose_b else (k, n)).astype(np.float32)
        na, nb = (a.T if transpose_a else a), (b.T if transpose_b else b)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        ta, tb = (ta.T if transpose_a else ta), (tb.T if transpose_b else tb)
        t_numpy, t_torch = median_time(lambda: na @ nb), median_time(lambda: ta @ tb)
        total_numpy += t_numpy
        total_torch += t_torch
        print(f"  {m:5d} x {k:4d} x {n:4d}  NumPy {t_numpy * 1e6:8.1f} us  "
              f"PyTorch {t_torch * 1e6:8.1f} us  ratio {t_numpy / t_torch:.2f}")
    return total_numpy, total_torch


def main() -> None:
    torch.set_num_threads(1)
    print(f"NumPy {np.__version__}, PyTorch {torch.__version__}, 1 thread each")
    for name, shapes in (("mlp", MLP), ("transformer", TRANSFORMER)):
        print(f"{name}:")
        total_numpy, total_torch = compare(shapes)
        print(f"  all products: NumPy / PyTorch = {total_numpy / total_torch:.2f}")


if __name__ == "__main__":
    main()
