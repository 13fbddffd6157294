"""A GPU you can read: CUDA's execution model, simulated in Python for chapter 12.

A CUDA *kernel* is one function that every thread runs. Threads come in *blocks* (up to 1024
threads), blocks in a *grid*; each thread knows where it is (``blockIdx``, ``threadIdx``) and
how big things are (``blockDim``, ``gridDim``). Threads of one block share a small, fast
*shared memory* and can wait for each other at a barrier, ``__syncthreads()``; all threads
read and write the large, slow *global memory*. Here:

* a kernel is a Python function ``kernel(thread, *args)``; ``thread.blockIdx.x`` and friends
  are CUDA's built-in variables, ``thread.shared(name, shape)`` is a ``__shared__`` array;
* ``yield`` in a kernel is ``__syncthreads()``: the simulator runs each thread of a block up
  to its next ``yield``, one thread after the other, and goes on only when every thread of the
  block has got there. A missing barrier therefore shows up as a wrong answer, as it does on a
  GPU (there, only sometimes);
* NumPy arrays passed to ``launch`` become global memory. Every element a thread reads or
  writes is counted (``Counts``), an index outside an array is an error (a GPU would read
  garbage), and shared memory starts as NaN (a GPU's is uninitialised), so reading a value
  no thread has written yet shows.

    def add_one(thread, x, n):
        i = thread.blockIdx.x * thread.blockDim.x + thread.threadIdx.x
        if i < n:
            x[i] = x[i] + 1

    counts = launch(add_one, grid=3, block=4, args=(array, 10))   # 12 threads, 10 in range

Threads run one at a time, so the simulator is slow: keep arrays to a few thousand elements.
"""
from __future__ import annotations

import itertools
import types
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class Dim3(NamedTuple):
    """CUDA's ``dim3``: a size or a position in up to three dimensions."""
    x: int
    y: int = 1
    z: int = 1


def dim3(size) -> Dim3:
    return Dim3(*size) if isinstance(size, tuple) else Dim3(size)


def positions(size: Dim3):
    """Every position in ``size``, x fastest (CUDA's order of threads in a block)."""
    for z, y, x in itertools.product(range(size.z), range(size.y), range(size.x)):
        yield Dim3(x, y, z)


@dataclass
class Counts:
    """Memory traffic of one launch, in elements (each read or write of one number counts 1)."""
    global_loads: int = 0
    global_stores: int = 0
    shared_loads: int = 0
    shared_stores: int = 0
    barriers: int = 0          # __syncthreads() passed, counted once per block


class Memory:
    """An array whose elements are read and written one at a time, each access counted."""

    def __init__(self, array: np.ndarray, counts: Counts, kind: str):
        self.array, self.counts, self.kind = array, counts, kind
        self.shape = array.shape

    def _check(self, index) -> tuple:
        index = index if isinstance(index, tuple) else (index,)
        if len(index) != len(self.shape) or not all(
                isinstance(i, (int, np.integer)) and 0 <= i < n for i, n in zip(index, self.shape)):
            raise IndexError(f"{self.kind} memory access {index} outside an array of shape "
                             f"{self.shape} (a thread reads and writes one element at a time)")
        return index

    def __getitem__(self, index):
        index = self._check(index)
        if self.kind == "global":
            self.counts.global_loads += 1
        else:
            self.counts.shared_loads += 1
        return self.array[index]

    def __setitem__(self, index, value) -> None:
        index = self._check(index)
        if self.kind == "global":
            self.counts.global_stores += 1
        else:
            self.counts.shared_stores += 1
        self.array[index] = value


class Thread:
    """What a kernel knows about the thread running it: CUDA's built-in variables, and the
    block's shared memory."""

    def __init__(self, block_idx: Dim3, thread_idx: Dim3, block_dim: Dim3, grid_dim: Dim3,
                 shared: dict, counts: Counts, dtype):
        self.blockIdx, self.threadIdx = block_idx, thread_idx
        self.blockDim, self.gridDim = block_dim, grid_dim
        self._shared, self._counts, self._dtype = shared, counts, dtype

    def shared(self, name: str, shape) -> Memory:
        """The block's ``__shared__`` array ``name``: made (full of NaN) by the first thread
        that asks, the same array for every thread of the block."""
        if name not in self._shared:
            self._shared[name] = Memory(np.full(shape, np.nan, dtype=self._dtype), self._counts,
                                        "shared")
        return self._shared[name]


class BarrierError(RuntimeError):
    """Some threads of a block finished while others wait at ``__syncthreads()``: on a GPU
    the block hangs or computes garbage."""


def launch(kernel, grid, block, args=(), dtype=np.float32) -> Counts:
    """Run ``kernel(thread, *args)`` once per thread of ``grid`` blocks of ``block`` threads
    (numbers or (x, y) tuples). NumPy arrays among ``args`` are global memory: the kernel's
    writes land in them. Shared memory has ``dtype``. Returns the memory traffic."""
    grid, block = dim3(grid), dim3(block)
    counts = Counts()
    args = [Memory(a, counts, "global") if isinstance(a, np.ndarray) else a for a in args]
    for block_idx in positions(grid):
        shared = {}
        threads = [kernel(Thread(block_idx, thread_idx, block, grid, shared, counts, dtype), *args)
                   for thread_idx in positions(block)]
        # a kernel without `yield` has already run; one with barriers is a generator to step
        _run_to_completion([t for t in threads if isinstance(t, types.GeneratorType)],
                           block_idx, counts)
    return counts


def _run_to_completion(threads: list, block_idx: Dim3, counts: Counts) -> None:
    """Step every thread of a block to its next barrier, until all of them have finished."""
    while threads:
        waiting = []
        for thread in threads:
            try:
                next(thread)
                waiting.append(thread)
            except StopIteration:
                pass
        if waiting and len(waiting) < len(threads):
            raise BarrierError(
                f"in block {tuple(block_idx[:2])}, {len(threads) - len(waiting)} threads finished "
                f"while {len(waiting)} wait at __syncthreads(): every thread of a block must "
                "reach every barrier (keep `yield` outside `if`s that only some threads take)")
        counts.barriers += bool(waiting)
        threads = waiting
