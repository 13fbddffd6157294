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
# array which module to use. This chapter shows devices, moving tensors and modules, what
# speeds up and why, and writes a CUDA kernel: a tiled matrix multiply.
#
# **On a machine without a GPU** this chapter runs to the end on the CPU and says so;
# the GPU-only cells are guarded.

# %%
# NBVAL_IGNORE_OUTPUT
# (what this cell and the other machine-dependent cells print depends on whether there is a
# GPU; the checks at the end hold on both kinds of machine)
import inspect
import time

import numpy as np

import minitorch
from minitorch import backend, nn

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
print(inspect.getsource(backend.namespace))
print(inspect.getsource(backend.namespace_for))

# %% [markdown]
# ## 2. Devices, tensors and modules
#
# `device=` on factories, `.to(device)`, `.cuda()` and `.cpu()` work as in PyTorch. A module
# moves all its parameters and buffers; operations between tensors on different devices
# raise PyTorch's error.

# %%
# NBVAL_IGNORE_OUTPUT
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

# %%
# NBVAL_IGNORE_OUTPUT
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
# ## 4. A CUDA kernel: tiled matrix multiply
#
# A naive GPU matmul has each thread read a whole row of A and a whole column of B from
# slow global memory. The classic optimisation loads *tiles* of A and B into the fast
# on-chip shared memory once per block, then every thread of the block reuses them. With
# `cupy.RawKernel` the CUDA C source is compiled at run time.

# %%
TILED_MATMUL = r"""
extern "C" __global__
void tiled_matmul(const float* A, const float* B, float* C, int M, int N, int K) {
    const int TILE = 16;
    __shared__ float tile_a[16][16];
    __shared__ float tile_b[16][16];
    int row = blockIdx.y * TILE + threadIdx.y;
    int col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.0f;
    for (int t = 0; t < (K + TILE - 1) / TILE; ++t) {
        int a_col = t * TILE + threadIdx.x, b_row = t * TILE + threadIdx.y;
        tile_a[threadIdx.y][threadIdx.x] = (row < M && a_col < K) ? A[row * K + a_col] : 0.0f;
        tile_b[threadIdx.y][threadIdx.x] = (b_row < K && col < N) ? B[b_row * N + col] : 0.0f;
        __syncthreads();
        for (int k = 0; k < TILE; ++k)
            acc += tile_a[threadIdx.y][k] * tile_b[k][threadIdx.x];
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


def tiled_matmul_reference(a, b, tile=16):
    """The same algorithm on the CPU in NumPy: accumulate tile products along K."""
    m, k = a.shape
    c = np.zeros((m, b.shape[1]), dtype=np.float32)
    for t in range(0, k, tile):
        c += a[:, t:t + tile] @ b[t:t + tile, :]
    return c


# NBVAL_IGNORE_OUTPUT
rng = np.random.default_rng(0)
A = rng.standard_normal((100, 70)).astype(np.float32)
B = rng.standard_normal((70, 50)).astype(np.float32)
if HAS_GPU:
    import cupy
    result = cupy.asnumpy(tiled_matmul_gpu(cupy.asarray(A), cupy.asarray(B)))
    print("ran the CUDA kernel on the GPU")
else:
    result = tiled_matmul_reference(A, B)
    print("no GPU: ran the same tiled algorithm on the CPU instead")
print("agrees with A @ B (to 1e-4):", np.allclose(result, A @ B, rtol=1e-4, atol=1e-4))

# %% [markdown]
# ## Checks

# %%
np.testing.assert_allclose(result, A @ B, rtol=1e-4, atol=1e-4)
assert bool((a == b.cpu()).all())
assert model[0].weight.grad.device == minitorch.device(device if device == "cpu" else "cuda:0")
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * On a GPU, time `tiled_matmul_gpu` against `cupy.matmul` (cuBLAS) for n = 1024, 4096.
# * Change `TILE` to 32: what limits the block size?
# * Train chapter 08's CNN with `.to("cuda")` and compare the epoch time.
