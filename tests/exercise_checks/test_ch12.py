"""Chapter 12's checks tell right from wrong (solution passes, stub unfinished, typical mistakes
fail: an off-by-one loop, a sum kept in global memory, a missing barrier, a tile read from
global memory, a barrier inside an `if`, every thread storing), and the simulator itself
counts, refuses out-of-bounds accesses and catches divergent barriers."""
import numpy as np
import pytest

from minitorch.course import ch12 as check
from minitorch.course import gpusim

from .learner import failed, mistaken, module

solution, stub = module("12", "solution"), module("12", "stub")


def test_simulator_counts_every_access():
    def add_one(thread, x):
        i = thread.blockIdx.x * thread.blockDim.x + thread.threadIdx.x
        if i < x.shape[0]:
            x[i] = x[i] + 1

    x = np.arange(10, dtype=np.float32)
    counts = gpusim.launch(add_one, grid=3, block=4, args=(x,))
    assert x.tolist() == list(range(1, 11))
    assert (counts.global_loads, counts.global_stores, counts.barriers) == (10, 10, 0)


def test_simulator_refuses_what_a_gpu_gets_wrong():
    def unguarded(thread, x):
        x[thread.threadIdx.x] = 0.0

    with pytest.raises(IndexError, match="outside an array of shape"):
        gpusim.launch(unguarded, grid=1, block=4, args=(np.zeros(3),))

    def divergent(thread, x):
        if thread.threadIdx.x < 2:
            yield

    with pytest.raises(gpusim.BarrierError, match="2 threads finished while 2 wait"):
        gpusim.launch(divergent, grid=1, block=4, args=(np.zeros(4),))

    def reads_before_anyone_writes(thread, out):
        out[thread.threadIdx.x] = thread.shared("s", (2,))[1 - thread.threadIdx.x]

    out = np.zeros(2)
    gpusim.launch(reads_before_anyone_writes, grid=1, block=2, args=(out,))
    assert np.isnan(out).all()


def test_naive_matmul():
    assert check.naive_matmul(solution.naive_matmul)
    assert check.naive_matmul(stub.naive_matmul).status == "unfinished"
    off_by_one = mistaken("12", "for k in range(K - 1):", "for k in range(K):")
    sums_in_global = mistaken("12", "C[row, col] += A[row, k] * B[k, col]",
                              "acc += A[row, k] * B[k, col]\n        C[row, col] = acc")
    assert failed(check.naive_matmul(off_by_one.naive_matmul), "A (8, 8) @ B (8, 8)", "over all K")
    assert failed(check.naive_matmul(sums_in_global.naive_matmul), "global loads",
                  "local variable")


def test_tiled_matmul():
    assert check.tiled_matmul(solution.tiled_matmul)
    assert check.tiled_matmul(stub.tiled_matmul).status == "unfinished"
    loaded = "yield  # __syncthreads(): the tiles are loaded"
    used = "yield  # __syncthreads(): every thread is done with the tiles"
    no_first_barrier = mistaken("12", "pass", loaded)
    no_second_barrier = mistaken("12", "pass", used)
    reads_global = mistaken("12", "acc += A[row, start + k] * B[start + k, col]",
                            "acc += tile_a[ty, k] * tile_b[k, tx]")
    for wrong in (no_first_barrier, no_second_barrier):
        assert failed(check.tiled_matmul(wrong.tiled_matmul), "C", "two barriers")
    assert failed(check.tiled_matmul(reads_global.tiled_matmul), "global loads", "shared tiles")

    shared_b = 'tile_b = thread.shared("tile_b", (TILE, TILE))\n'
    leaves_early = mistaken("12", shared_b + "    if row >= M or col >= N:\n        return\n",
                            shared_b)           # threads outside C skip the barriers
    verdict = check.tiled_matmul(leaves_early.tiled_matmul)
    assert verdict.status == "error" and "__syncthreads" in verdict.message


def test_block_sum():
    assert check.block_sum(solution.block_sum)
    assert check.block_sum(stub.block_sum).status == "unfinished"
    no_barrier = mistaken("12", "pass", "yield  # __syncthreads(): this round's sums are written")
    stops_early = mistaken("12", "while stride > 1:", "while stride > 0:")
    everyone_stores = mistaken("12", "if True:", "if tid == 0:")
    assert failed(check.block_sum(no_barrier.block_sum), "blocks' sums", "after every round")
    assert failed(check.block_sum(stops_early.block_sum), "blocks' sums", "down to 1")
    assert failed(check.block_sum(everyone_stores.block_sum), "global stores", "thread 0")
