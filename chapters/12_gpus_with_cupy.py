# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 12 · GPUs with CuPy
#
# minitorch runs on an NVIDIA GPU through CuPy, a NumPy-compatible array library whose
# arrays live in GPU memory. Because CuPy speaks NumPy's language (including NumPy's
# `__array_ufunc__` protocol, so `np.exp(gpu_array)` runs on the GPU), minitorch needs
# *one* code path: each tensor's data is a NumPy or a CuPy array, and operations ask the
# array which module to use.
#
# This chapter first shows devices and moving tensors and modules, as PyTorch does them.
# Then it opens the GPU itself: how thousands of threads share out a matrix product, and
# why the fast way to do it (*tiling* through shared memory) is fast. Most machines that
# read this course have no GPU, so we run kernels on a small **GPU simulator** written in
# Python, which counts every access to memory. You write three kernels for it: a naive
# matrix product, a tiled one, and a parallel sum. On a machine with a GPU the chapter also
# runs the real CUDA version of the tiled kernel.
#
# **On a machine without a GPU** everything runs on the CPU and the GPU-only cells say so.

# %% tags=["nbval-ignore-output"]
# (this cell and the other machine-dependent cells print whether there is a GPU; the checks
# at the end hold on both kinds of machine)
import inspect
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code

import minitorch
import torch
from minitorch import backend, course, nn
from minitorch.course import ch12 as check
from minitorch.course import gpusim

course.start("12")
HAS_GPU = minitorch.cuda.is_available()
print("GPU available:", HAS_GPU)
device = "cuda" if HAS_GPU else "cpu"
print("using device:", device)

# %% [markdown]
# ## 1. One code path: the backend
#
# The backend answers two questions: which array module owns this array, and which module
# stores data on that device. CuPy is imported only when a CUDA device is first used.

# %%
Code(inspect.getsource(backend.namespace) + "\n" + inspect.getsource(backend.namespace_for),
     language="python")

# %% [markdown]
# ## 2. Devices, tensors and modules
#
# `device=` on factories, `.to(device)`, `.cuda()` and `.cpu()` work as in PyTorch. A module
# moves all its parameters and buffers; operations between tensors on different devices
# raise PyTorch's error.

# %% tags=["nbval-ignore-output"]
minitorch.manual_seed(0)
x = minitorch.randn(4, 3, device=device)
model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2)).to(device)
print(x.device, next(model.parameters()).device)
y = model(x)
y.sum().backward()
print("gradient lives on", model[0].weight.grad.device)

if HAS_GPU:
    try:
        x.cpu() + x
    except RuntimeError as err:
        print("RuntimeError:", err)
else:
    try:
        minitorch.zeros(2, device="cuda")
    except RuntimeError as err:
        print("no GPU here, so asking for one gives a clear error:\n ", err)
        assert "CUDA" in str(err)

# %% [markdown]
# Random numbers are drawn on the CPU and moved, so the same seed gives the same numbers
# on every device (chapter 05's initialisations included):

# %%
minitorch.manual_seed(0)
a = minitorch.randn(3)
minitorch.manual_seed(0)
b = minitorch.randn(3, device=device)
print(a, b.cpu(), "equal:", bool((a == b.cpu()).all()))

# %% [markdown]
# ## 3. What speeds up, and why
#
# A GPU runs thousands of threads; it wins when there is a lot of arithmetic per launched
# kernel (large matrix products, convolutions). Each operation also costs a kernel launch
# (a few microseconds) and Python's own overhead, so tiny operations are not faster on a
# GPU, and copying data between host and device (`.item()`, `print`, `.cpu()`) waits for
# the GPU to finish. The timings below vary from machine to machine.

# %% tags=["nbval-ignore-output"]
import time


def best_time(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if HAS_GPU:
            minitorch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return min(times)


sizes = (64, 512, 2048) if HAS_GPU else (64, 256)
for n in sizes:
    a_cpu, b_cpu = minitorch.randn(n, n), minitorch.randn(n, n)
    cpu_time = best_time(lambda: a_cpu @ b_cpu)
    line = f"{n:5d}x{n:<5d} matmul: CPU {cpu_time * 1e3:8.3f} ms"
    if HAS_GPU:
        a_gpu, b_gpu = a_cpu.cuda(), b_cpu.cuda()
        gpu_time = best_time(lambda: a_gpu @ b_gpu)
        line += f"   GPU {gpu_time * 1e3:8.3f} ms   speed-up {cpu_time / gpu_time:6.1f}x"
    print(line)

# %% [markdown]
# ## 4. How a GPU runs a kernel
#
# A *kernel* is one function that every GPU thread runs, each on its own piece of the data.
# Threads come in **blocks** (up to 1024 threads, laid out in 1, 2 or 3 dimensions), and
# blocks in a **grid**. Each thread knows where it is, `blockIdx` and `threadIdx`, and how
# big things are, `blockDim` and `gridDim`; from these it works out which element is its
# own. Two kinds of memory matter here:
#
# * **global memory**, the GPU's gigabytes: every thread can read and write it, but each
#   access takes hundreds of clock cycles;
# * **shared memory**, a few dozen kilobytes per block on the chip itself: about a hundred
#   times lower latency, shared by the threads of one block, which can wait for each other at a
#   barrier, `__syncthreads()`, so that one thread may read what another has written.
#
# A GPU does arithmetic far faster than global memory can feed it (an H100 can do about 40
# float multiply-adds for each float it loads: 67 TFLOPS against 3.35 TB/s), so a kernel's
# speed is mostly decided by how many times it goes to global memory.
#
# `minitorch.course.gpusim` runs such kernels in Python, one thread after the other, and
# counts each element read and written. A kernel is a Python function
# `kernel(thread, *args)`; `thread.blockIdx.x` and the others are CUDA's variables;
# `thread.shared(name, shape)` is a `__shared__` array; and **`yield` is
# `__syncthreads()`**: the simulator runs every thread of a block up to its next `yield`
# before any goes further. Here is all of `launch`:

# %%
Code(inspect.getsource(gpusim.launch) + "\n\n" + inspect.getsource(gpusim._run_to_completion),
     language="python")

# %% [markdown]
# A first kernel: add 1 to each element of a vector of 10, with blocks of 4 threads. The
# grid needs $\lceil 10/4 \rceil = 3$ blocks, 12 threads, so the last two threads have no
# element and must do nothing: every kernel guards its accesses this way.

# %%
def add_one(thread, x):
    i = thread.blockIdx.x * thread.blockDim.x + thread.threadIdx.x
    if i < x.shape[0]:
        x[i] = x[i] + 1


vector = np.arange(10, dtype=np.float32)
counts = gpusim.launch(add_one, grid=3, block=4, args=(vector,))
print(vector)
print(counts)

# %% [markdown]
# ## 5. A matrix product, one thread per element
#
# For $C = AB$ with $A$ (M, K) and $B$ (K, N), the natural kernel gives each thread one
# element of $C$: the thread at row `row`, column `col` of the grid computes
# $C_{row,col} = \sum_k A_{row,k} B_{k,col}$. Blocks are squares of threads; x runs along
# the columns of $C$ and y along its rows:
#
# `row = blockIdx.y * blockDim.y + threadIdx.y`, `col = blockIdx.x * blockDim.x + threadIdx.x`.
#
# **Exercise 12.1.** Write `naive_matmul`. Keep the running sum in a local variable (a
# *register*, the fastest memory there is) and write $C$ once; skip threads outside $C$.

# %%
#@save
def naive_matmul(thread, A, B, C):
    """C = A @ B, one thread per element of C (A is (M, K), B is (K, N), C is (M, N))."""
    M, K = A.shape
    N = B.shape[1]
    row = thread.blockIdx.y * thread.blockDim.y + thread.threadIdx.y
    col = thread.blockIdx.x * thread.blockDim.x + thread.threadIdx.x
    ### BEGIN SOLUTION
    if row < M and col < N:
        acc = 0.0
        for k in range(K):
            acc += A[row, k] * B[k, col]
        C[row, col] = acc
    ### END SOLUTION


# %%
check.naive_matmul(naive_matmul)

# %% [markdown]
# How many times did it go to global memory? Each of the $MN$ threads reads a row of $A$
# and a column of $B$: $2MNK$ loads for $2MNK$ floating-point operations, one load per
# operation. Yet the whole of $A$ and $B$ is only $MK + KN$ numbers: for square matrices,
# each element is loaded $n$ times, once by every thread that needs it.

# %%
def simulated_matmul(kernel, a, b, tile):
    """Launch `kernel` on tile x tile blocks covering C; returns C and the memory counts."""
    c = np.zeros((a.shape[0], b.shape[1]), dtype=a.dtype)
    grid = (-(-b.shape[1] // tile), -(-a.shape[0] // tile))       # ceil(N / tile), ceil(M / tile)
    counts = gpusim.launch(kernel, grid, (tile, tile), (a, b, c), dtype=a.dtype)
    return c, counts


rng = np.random.default_rng(0)
A = rng.standard_normal((16, 16)).astype(np.float32)
B = rng.standard_normal((16, 16)).astype(np.float32)
with course.needs("your naive_matmul"):
    C, counts = simulated_matmul(naive_matmul, A, B, tile=4)
    print("agrees with A @ B:", np.allclose(C, A @ B, rtol=1e-5, atol=1e-5))
    print(f"global loads {counts.global_loads:,} = 2 * 16**3; elements of A and B: {2 * 16 * 16}")

# %% [markdown]
# ## 6. Tiling: load once, use many times
#
# The threads of one block compute a TILE × TILE square of $C$. Together they need TILE rows
# of $A$ and TILE columns of $B$, and every thread of a row needs the same elements of $A$.
# So the block walks along $K$ one tile at a time, and for each step:
#
# 1. every thread loads **one** element of $A$'s tile and one of $B$'s into shared memory
#    (0 where the tile sticks out of the matrix);
# 2. `__syncthreads()`: wait until the whole tiles are there;
# 3. every thread adds its TILE products, reading only shared memory;
# 4. `__syncthreads()`: wait until everyone is done with the tiles before the next step
#    overwrites them.
#
# Each element loaded from global memory is now used TILE times, so global loads fall by a
# factor of TILE: $MK \lceil N/T \rceil + KN \lceil M/T \rceil$ instead of $2MNK$. Forget
# barrier 2 and a fast thread overwrites a tile a slow one is still reading; forget barrier 1
# and a thread reads a tile before it is loaded. (The simulator's shared memory starts as
# NaN, as a real GPU's starts as leftovers, so that shows.)
#
# **Exercise 12.2.** Write `tiled_matmul`. Blocks are TILE × TILE threads, TILE =
# `blockDim.x`. Every thread must reach every barrier, even one outside $C$: guard the
# loads and the final store, not the loop.

# %%
#@save
def tiled_matmul(thread, A, B, C):
    """C = A @ B on TILE x TILE blocks, through TILE x TILE tiles of A and B in shared memory."""
    M, K = A.shape
    N = B.shape[1]
    TILE = thread.blockDim.x
    tx, ty = thread.threadIdx.x, thread.threadIdx.y
    row = thread.blockIdx.y * TILE + ty
    col = thread.blockIdx.x * TILE + tx
    tile_a = thread.shared("tile_a", (TILE, TILE))
    tile_b = thread.shared("tile_b", (TILE, TILE))
    acc = 0.0
    for start in range(0, K, TILE):
        ### BEGIN SOLUTION
        tile_a[ty, tx] = A[row, start + tx] if row < M and start + tx < K else 0.0
        tile_b[ty, tx] = B[start + ty, col] if start + ty < K and col < N else 0.0
        yield  # __syncthreads(): the tiles are loaded
        for k in range(TILE):
            acc += tile_a[ty, k] * tile_b[k, tx]
        yield  # __syncthreads(): every thread is done with the tiles
        ### END SOLUTION
    if row < M and col < N:
        C[row, col] = acc


# %%
check.tiled_matmul(tiled_matmul)

# %% [markdown]
# Global loads against the size of the (square) matrices, counted by the simulator for
# your two kernels, with tiles of 4 and of 8:

# %%
with course.needs("your tiled_matmul"):
    matrix_sizes = [8, 16, 24, 32, 40]
    loads = {"naive": [], "tiled, TILE = 4": [], "tiled, TILE = 8": []}
    for n in matrix_sizes:
        left, right = rng.standard_normal((n, n)), rng.standard_normal((n, n))
        loads["naive"].append(simulated_matmul(naive_matmul, left, right, tile=8)[1].global_loads)
        for tile in (4, 8):
            loads[f"tiled, TILE = {tile}"].append(
                simulated_matmul(tiled_matmul, left, right, tile)[1].global_loads)
    for name, counted in loads.items():
        print(f"{name:16s}", " ".join(f"{count:7,d}" for count in counted))

    fig, ax = plt.subplots(figsize=(6, 3.8))
    for name, counted in loads.items():
        _ = ax.plot(matrix_sizes, counted, "o-", label=name)
    ax.set(xscale="log", yscale="log", xlabel="n (A and B are n x n)",
           ylabel="global-memory loads", title="Loads of an n x n matrix product (simulated)")
    ax.set_xticks(matrix_sizes, [str(n) for n in matrix_sizes])
    ax.set_xticks([], minor=True)
    _ = ax.legend()
    plt.show()

# %% [markdown]
# All three lines grow as $n^3$ (slope 3 on these log scales); tiling moves the line down
# by the factor TILE. Real kernels use TILE = 16 or 32 (a block of 32 × 32 = 1024 threads
# is the most CUDA allows, and two float tiles of 32 × 32 take 8 KB of shared memory), and
# cuBLAS goes further: each thread computes several elements of $C$ from registers, so that
# each load from shared memory is used several times too.
#
# The same kernel in CUDA C, compiled at run time by `cupy.RawKernel`: the Python version
# above is a line-by-line copy, with `yield` for `__syncthreads()`.

# %%
TILED_MATMUL = r"""
extern "C" __global__
void tiled_matmul(const float* A, const float* B, float* C, int M, int N, int K) {
    const int TILE = 16;
    __shared__ float tile_a[16][16];
    __shared__ float tile_b[16][16];
    int tx = threadIdx.x, ty = threadIdx.y;
    int row = blockIdx.y * TILE + ty;
    int col = blockIdx.x * TILE + tx;
    float acc = 0.0f;
    for (int start = 0; start < K; start += TILE) {
        tile_a[ty][tx] = (row < M && start + tx < K) ? A[row * K + start + tx] : 0.0f;
        tile_b[ty][tx] = (start + ty < K && col < N) ? B[(start + ty) * N + col] : 0.0f;
        __syncthreads();
        for (int k = 0; k < TILE; ++k)
            acc += tile_a[ty][k] * tile_b[k][tx];
        __syncthreads();
    }
    if (row < M && col < N) C[row * N + col] = acc;
}
"""


def tiled_matmul_gpu(a, b):
    """C = A @ B for float32 CuPy matrices, with the kernel above."""
    import cupy
    kernel = cupy.RawKernel(TILED_MATMUL, "tiled_matmul")
    m, k = a.shape
    n = b.shape[1]
    c = cupy.empty((m, n), dtype=cupy.float32)
    grid = ((n + 15) // 16, (m + 15) // 16)
    kernel(grid, (16, 16), (cupy.ascontiguousarray(a), cupy.ascontiguousarray(b), c,
                            np.int32(m), np.int32(n), np.int32(k)))
    return c


# %% tags=["nbval-ignore-output"]
A = rng.standard_normal((100, 70)).astype(np.float32)
B = rng.standard_normal((70, 50)).astype(np.float32)
if HAS_GPU:
    import cupy
    result = cupy.asnumpy(tiled_matmul_gpu(cupy.asarray(A), cupy.asarray(B)))
    print("ran the CUDA kernel on the GPU; agrees with A @ B (to 1e-4):",
          np.allclose(result, A @ B, rtol=1e-4, atol=1e-4))
else:
    print("no GPU here: the CUDA kernel is not run (its Python twin ran on the simulator above)")

# %% [markdown]
# ## 7. A parallel sum
#
# Summing $n$ numbers looks sequential, but addition can be regrouped: a block of $B$
# threads (a power of 2) loads $B$ numbers into shared memory, then in each round the
# first half of the threads adds the second half's numbers to their own: $B/2$ partial
# sums, then $B/4$, … down to one, in $\log_2 B$ rounds instead of $B - 1$ steps. Between
# rounds, a barrier: a thread must not read its partner's number before the partner has
# finished the previous round. Thread 0 writes the block's sum; a second launch (or the
# CPU) adds up the blocks' sums.
#
# **Exercise 12.3.** Write `block_sum`: block `b` writes the sum of `x[b*B : (b+1)*B]` to
# `partial[b]` (count elements past the end of `x` as 0). Read each element of `x` once and
# write `partial` once per block.

# %%
#@save
def block_sum(thread, x, partial):
    """partial[blockIdx.x] = the sum of this block's blockDim.x elements of x, by a tree
    reduction in shared memory (blockDim.x is a power of 2)."""
    tid = thread.threadIdx.x
    i = thread.blockIdx.x * thread.blockDim.x + tid
    cache = thread.shared("cache", (thread.blockDim.x,))
    ### BEGIN SOLUTION
    cache[tid] = x[i] if i < x.shape[0] else 0.0
    yield  # __syncthreads(): every number is in shared memory
    stride = thread.blockDim.x // 2
    while stride > 0:
        if tid < stride:
            cache[tid] += cache[tid + stride]
        yield  # __syncthreads(): this round's sums are written
        stride //= 2
    if tid == 0:
        partial[thread.blockIdx.x] = cache[0]
    ### END SOLUTION


# %%
check.block_sum(block_sum)

# %% [markdown]
# The sum of 1,000 numbers in two launches: 32 blocks of 32 threads leave 32 partial sums,
# and one block of 32 threads adds those up.

# %%
numbers = rng.standard_normal(1000).astype(np.float32)
with course.needs("your block_sum"):
    partial = np.zeros(32, dtype=np.float32)
    first = gpusim.launch(block_sum, grid=32, block=32, args=(numbers, partial))
    total = np.zeros(1, dtype=np.float32)
    second = gpusim.launch(block_sum, grid=1, block=32, args=(partial, total))
    print(f"sum {total[0]:.4f} (NumPy: {numbers.sum(dtype=np.float64):.4f})")
    print(f"first launch:  {first.global_loads:,} loads, {first.global_stores} stores, "
          f"{first.barriers // 32} barriers per block")
    print(f"second launch: {second.global_loads} loads, {second.global_stores} store")

# %% [markdown]
# ## 8. On a real GPU
#
# The simulator counts memory accesses, not time. How the counts turn into speed (naive
# against tiled against cuBLAS, as the matrices grow) has to be measured on a GPU. When a
# run on a GPU has been recorded in `benchmarks/results/gpu_latest.md` (a table whose first
# column is the matrix size and whose other columns are times), this cell plots it. **No
# such run has been recorded yet**, so on this page the cell says so, and there is no
# figure: we do not make numbers up.

# %% tags=["nbval-ignore-output"]
RECORDED = Path("../benchmarks/results/gpu_latest.md")


def table_rows(text):
    """The rows of the first Markdown table in `text`, each a list of cell strings."""
    lines = [line.strip().strip("|") for line in text.splitlines() if line.strip().startswith("|")]
    return [[cell.strip() for cell in line.split("|")] for line in lines
            if not set(line) <= set("-:| ")]


def leading_number(cell):
    match = re.match(r"[\d.,]+", cell)
    return float(match.group().replace(",", "")) if match else None


if not RECORDED.exists():
    print(f"no recorded GPU run: {RECORDED.name} does not exist yet")
else:
    header, *rows = table_rows(RECORDED.read_text())
    sizes = [leading_number(row[0]) for row in rows]
    if None in sizes:
        print(RECORDED.read_text())      # not a table by size: show it as it is
    else:
        fig, ax = plt.subplots(figsize=(6, 3.8))
        for column, name in enumerate(header[1:], start=1):
            _ = ax.plot(sizes, [leading_number(row[column]) for row in rows], "o-", label=name)
        ax.set(xscale="log", yscale="log", xlabel=header[0], ylabel="time",
               title=f"Recorded on a GPU ({RECORDED.name})")
        _ = ax.legend()
        plt.show()

# %% [markdown]
# ## Checks
#
# Your kernels once more; then minitorch on this chapter's device against PyTorch, and the
# seeded random streams (independent of your code).

# %%
minitorch.manual_seed(0)
u, v = minitorch.randn(30, 20, device=device), minitorch.randn(20, 10, device=device)
np.testing.assert_allclose((u @ v).cpu().numpy(), (torch.tensor(u.cpu().numpy()) @
                                                   torch.tensor(v.cpu().numpy())).numpy(),
                           rtol=1e-5, atol=1e-5)
assert bool((a == b.cpu()).all())
assert model[0].weight.grad.device == minitorch.device(device if device == "cpu" else "cuda:0")
course.summary(check.naive_matmul(naive_matmul),
               check.tiled_matmul(tiled_matmul),
               check.block_sum(block_sum))

# %% [markdown]
# ## Try next
#
# * In `naive_matmul`, swap the roles of x and y (`row` from `threadIdx.x`). The answer and
#   the counts stay the same; on a real GPU it is slower. Why? (Threads of a
#   *warp*, 32 consecutive `threadIdx.x`, load together: consecutive threads should read
#   consecutive addresses.)
# * Count shared-memory accesses too (`counts.shared_loads`): how do they compare with the
#   naive kernel's global loads, and what would "register tiling" change?
# * On a GPU, time `tiled_matmul_gpu` against `cupy.matmul` (cuBLAS) for n = 1024, 4096.

# %% [markdown]
# **Next:** [13 · Under the hood: where the time and the memory go](13_under_the_hood.ipynb). The whole path is in [the syllabus](README.md).
