"""Checks for chapter 12: kernels on the GPU simulator (``gpusim``).

Each check launches the learner's kernel on shapes that fill the blocks exactly and shapes that
do not, compares the result with NumPy and PyTorch, and compares the memory traffic the
simulator counted with what the algorithm must cost (global loads and stores).
"""
from __future__ import annotations

import numpy as np

from . import gpusim
from .checking import pytorch as _torch, run


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _tolerance(dtype) -> dict:
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


# (M, K, N, tile, dtype): the first fills its blocks exactly, the others stick out
_MATMUL_CASES = [(8, 8, 8, 4, np.float32), (5, 7, 3, 4, np.float32), (9, 4, 10, 4, np.float64),
                 (1, 13, 6, 4, np.float32), (6, 3, 5, 8, np.float64)]


def _matmul_cases(kernel, expected_loads, load_hint):
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(0)
        for m, k, n, tile, dtype in _MATMUL_CASES:
            a = rng.standard_normal((m, k)).astype(dtype)
            b = rng.standard_normal((k, n)).astype(dtype)
            c = np.zeros((m, n), dtype=dtype)
            grid = (_ceil_div(n, tile), _ceil_div(m, tile))
            counts = gpusim.launch(kernel, grid, (tile, tile), (a, b, c), dtype=dtype)
            label = (f"A ({m}, {k}) @ B ({k}, {n}) {np.dtype(dtype).name} on blocks of {tile}x{tile} "
                     f"threads, a grid of {grid[0]}x{grid[1]} blocks")
            expect.close(f"{label}: C", c, torch.from_numpy(a) @ torch.from_numpy(b),
                         **_tolerance(dtype))
            expect.equal(f"{label}: the number of global loads", counts.global_loads,
                         expected_loads(m, k, n, tile), hint=load_hint)
            expect.equal(f"{label}: the number of global stores", counts.global_stores, m * n,
                         hint="each thread inside C writes its element once, and threads outside "
                              "C write nothing")
    return cases


def naive_matmul(kernel):
    """One thread per element of C: 2MNK global loads, MN stores."""
    return run("naive_matmul", _matmul_cases(
        kernel, lambda m, k, n, tile: 2 * m * n * k,
        "each thread reads its row of A and its column of B once: K loads of each; keep the "
        "sum in a local variable (reading C back costs loads)"),
        hint="skip threads outside C (row < M and col < N); C[row, col] = sum over k of "
             "A[row, k] * B[k, col], with k running over all K")


def tiled_matmul(kernel):
    """Tiles through shared memory: ceil(N/T) MK + ceil(M/T) KN global loads, MN stores."""
    return run("tiled_matmul", _matmul_cases(
        kernel, lambda m, k, n, tile: _ceil_div(n, tile) * m * k + _ceil_div(m, tile) * k * n,
        "each thread loads one element of A's tile and one of B's per step (none outside the "
        "matrices: store 0.0 instead), and the inner loop reads only the shared tiles"),
        hint="two barriers per step: `yield` after loading the tiles (so they are complete "
             "before anyone reads them) and after using them (so nobody overwrites a tile "
             "another thread still reads)")


# (n, block): n a multiple of the block, smaller than one block, and in between
_SUM_CASES = [(64, 16), (37, 8), (5, 8), (100, 32), (1, 4)]


def block_sum(kernel):
    """Each block writes the sum of its blockDim.x elements of x: n loads, one store per block."""
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(0)
        for n, block in _SUM_CASES:
            x = rng.standard_normal(n).astype(np.float32)
            blocks = _ceil_div(n, block)
            partial = np.zeros(blocks, dtype=np.float32)
            counts = gpusim.launch(kernel, blocks, block, (x, partial))
            label = f"x of {n} numbers, {blocks} block{'s' * (blocks > 1)} of {block} threads"
            padded = torch.zeros(blocks * block, dtype=torch.float32)
            padded[:n] = torch.from_numpy(x)
            expect.close(f"{label}: the blocks' sums", partial, padded.reshape(blocks, block).sum(1),
                         rtol=1e-5, atol=1e-5)
            expect.equal(f"{label}: the number of global loads", counts.global_loads, n,
                         hint="each thread loads its element of x once (none past the end)")
            expect.equal(f"{label}: the number of global stores", counts.global_stores, blocks,
                         hint="only thread 0 of each block writes its sum")
    return run("block_sum", cases,
               hint="load into shared memory, `yield`; then halve the stride each round, down to "
                    "1 included, with threads tid < stride adding cache[tid + stride], and a "
                    "`yield` after every round (outside the `if`)")
