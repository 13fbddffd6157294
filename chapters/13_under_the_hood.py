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
# # 13 · Under the hood: where the time and the memory go
#
# A framework written in Python pays for every operation twice: once for the arithmetic
# (done by NumPy's compiled loops or BLAS) and once for the bookkeeping (creating the
# result tensor, recording a node, checking dtypes). This chapter measures both, shows how
# a *fused* operation removes bookkeeping, looks at the memory the tape keeps alive, and
# ends with minitorch against PyTorch on the benchmark workloads.
#
# Timings depend on the machine and its load; cells that print them are not compared by
# the notebook tests, and only robust claims are asserted.

# %%
import cProfile
import inspect
import io
import pstats
import time
from pathlib import Path

import numpy as np

import minitorch
import torch
from minitorch import nn

# %% [markdown]
# ## 1. Per-operation overhead
#
# Multiply two 1000-element vectors that require grad, then backpropagate: the arithmetic
# takes a few microseconds in NumPy; the rest is Python.

# %%
# NBVAL_IGNORE_OUTPUT
a = minitorch.randn(1000, requires_grad=True)
b = minitorch.randn(1000, requires_grad=True)
g = minitorch.ones(1000)


def one_op():
    (a * b).backward(g)
    a.grad = b.grad = None


def median_time(fn, repeats=2000):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


a_np, b_np, g_np = a.detach().numpy(), b.detach().numpy(), g.numpy()
framework = median_time(one_op)
arithmetic = median_time(lambda: (a_np * b_np, g_np * b_np, g_np * a_np))
print(f"minitorch forward+backward: {framework * 1e6:6.1f} us")
print(f"the same arithmetic in NumPy: {arithmetic * 1e6:6.1f} us")

# %% [markdown]
# A profile shows where the bookkeeping goes: `Function.apply` (recording), the engine's
# walk, and the backward's own tensor operations.

# %%
# NBVAL_IGNORE_OUTPUT
profiler = cProfile.Profile()
profiler.enable()
for _ in range(500):
    one_op()
profiler.disable()
report = io.StringIO()
pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(8)
print("\n".join(report.getvalue().splitlines()[6:20]))

# %% [markdown]
# Every operation, forward or inside a backward, goes through `Function.apply`. This is
# the bookkeeping the profile measures: check which inputs need gradients, link the new
# node to the inputs' history, run `forward` with recording off, wrap the result, handle
# in-place changes and views, record. It is written for speed (no generator expressions,
# few attribute lookups) because it runs for every single operation:

# %%
print(inspect.getsource(minitorch.autograd.function.Function.apply))

# %% [markdown]
# ## 2. Fusing operations
#
# Cross-entropy written from primitives records ten nodes (max, three subtractions, exp,
# sum, log, indexing, mean and the final negation), each allocating a result and saving
# inputs for backward. minitorch's `cross_entropy` is one fused node whose backward is
# $\frac1n(\mathrm{softmax} - \mathrm{onehot})$. Count the nodes and the saved bytes:

# %%
def count_graph(output):
    """Number of recorded nodes and bytes of arrays they keep for backward."""
    nodes, saved, stack, seen = 0, 0, [output.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or not hasattr(node, "saved_tensors"):
            continue
        seen.add(id(node))
        nodes += 1
        saved += sum(t.numel() * t.element_size() for t in node.saved_tensors if t is not None)
        stack.extend(n for n, _ in node.next_functions)
    return nodes, saved


def cross_entropy_primitives(logits, target):
    m = logits.max(1, keepdim=True).values
    log_probs = logits - m - (logits - m).exp().sum(1, keepdim=True).log()
    return -log_probs[minitorch.arange(len(target)), target].mean()


logits = minitorch.randn(128, 10, requires_grad=True)
target = minitorch.randint(0, 10, (128,))
unfused = count_graph(cross_entropy_primitives(logits, target))
fused = count_graph(nn.functional.cross_entropy(logits, target))
print(f"from primitives: {unfused[0]} nodes, {unfused[1]} bytes saved")
print(f"fused:           {fused[0]} nodes, {fused[1]} bytes saved")

# %%
# NBVAL_IGNORE_OUTPUT
def step(loss_fn):
    logits.grad = None
    loss_fn(logits, target).backward()


t_unfused = median_time(lambda: step(cross_entropy_primitives), 300)
t_fused = median_time(lambda: step(nn.functional.cross_entropy), 300)
print(f"forward+backward: from primitives {t_unfused * 1e6:.0f} us, fused {t_fused * 1e6:.0f} us")

# %% [markdown]
# ### Backward formulas on arrays
#
# A backward formula written with Tensor ops is what makes `create_graph=True` work: the
# formula is itself recorded. But nearly every backward pass records nothing, and then each
# Tensor op is the array op plus bookkeeping that is thrown away. So the hottest formulas
# (linear, ReLU, the class losses) are written once with what arrays and Tensors spell
# alike (`@`, `.T`, `.sum`, `.reshape`), and `operands` hands them arrays unless the
# backward is being recorded:

# %%
from minitorch.autograd.formulas import operands

print(inspect.getsource(nn.functional._linear.Linear.backward))
g = minitorch.ones(2, 3)
with minitorch.no_grad():          # how the engine runs a plain backward
    print("plain backward:", type(operands(g)[0]).__name__)
with minitorch.enable_grad():      # how it runs one under create_graph=True
    print("create_graph:  ", type(operands(g)[0]).__name__)

# %% [markdown]
# ## 3. The memory of the tape
#
# Everything a node saves for backward stays alive until backward runs (or the graph is
# dropped). For an MLP that is each layer's input and activation; under `no_grad`
# nothing is recorded and nothing is kept.

# %%
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
x = minitorch.randn(128, 784)
recorded = count_graph(model(x).sum())
with minitorch.no_grad():
    inference = model(x).sum()
print(f"training forward: {recorded[0]} nodes keeping {recorded[1] / 2**20:.2f} MiB for backward")
print(f"no_grad forward: grad_fn = {inference.grad_fn}")

# %% [markdown]
# ## 4. The garbage collector
#
# A recorded graph is also Python objects: each op leaves a result `Tensor`, its `Node`,
# a tuple of edges to its inputs and a tuple of whatever it saved. CPython frees them by
# reference counting when the graph is dropped, but its *cyclic* garbage collector also
# walks container objects from time to time: the young ones after every 700 new
# containers, all of them when enough have survived, and a full walk takes longer the more
# objects are alive. A graph of 20,000 scalar ops built in Python spent a third of its
# forward time in those walks; PyTorch keeps its graph in C++, where the collector never
# looks. So minitorch keeps each node small. A node keeps no reference to its output, not
# even a weak one, and the small tuples of plain values every node has (which inputs need
# a gradient, their shapes and dtypes) are shared between nodes instead of made anew:
# they repeat, and every new tuple counts towards the next collection. Count the objects
# the collector tracks per recorded product, and time the collections during a graph of
# 20,000 scalar operations.

# %%
# NBVAL_IGNORE_OUTPUT
import gc

gc.collect()
before = len(gc.get_objects())
w, h = minitorch.tensor(0.5, requires_grad=True), minitorch.tensor(1.0)
for _ in range(1000):
    h = h * w
objects_per_op = (len(gc.get_objects()) - before) / 1000
print(f"objects the collector tracks per recorded product: {objects_per_op:.1f}")

collecting = {"time": 0.0, "count": 0}


def on_collect(phase, info):
    if phase == "start":
        collecting["start"] = time.perf_counter()
    else:
        collecting["time"] += time.perf_counter() - collecting["start"]
        collecting["count"] += 1


gc.callbacks.append(on_collect)
start = time.perf_counter()
total = minitorch.tensor(0.0)
for i in range(10_000):
    total = total + w * float(i % 7)
total.backward()
elapsed = time.perf_counter() - start
gc.callbacks.remove(on_collect)
print(f"20,000 scalar ops forward+backward: {elapsed * 1e3:.0f} ms, of which "
      f"{collecting['count']} collections took {collecting['time'] * 1e3:.0f} ms")

# %% [markdown]
# ## 5. Against PyTorch
#
# `python benchmarks/run.py` times every workload in minitorch, PyTorch CPU and
# hand-written NumPy, one thread each, alternating between them. Each implementation runs
# in its own process that imports only its library: importing PyTorch creates about
# 145,000 Python objects, and in a shared process minitorch's collector would walk those
# too. The latest table committed with the repository (the machine it ran on is its first
# line):

# %%
# NBVAL_IGNORE_OUTPUT
table = Path("..") / "benchmarks" / "results" / "latest.md"
print(table.read_text() if table.exists() else "run `python benchmarks/run.py` to produce the table")

# %% [markdown]
# ## Checks

# %%
assert fused[0] < unfused[0] and fused[1] < unfused[1]
assert framework > arithmetic                    # the bookkeeping costs more than the arithmetic
assert t_fused < t_unfused                       # one node beats eight
assert inference.grad_fn is None
assert objects_per_op <= 8  # a recorded product stays a handful of Python objects
assert recorded[1] > 128 * 784 * 4  # at least the input of the first layer is kept
np.testing.assert_allclose(cross_entropy_primitives(logits, target).item(),
                           nn.functional.cross_entropy(logits, target).item(), rtol=1e-5)
# and both give PyTorch's value and gradient
torch_logits = torch.tensor(logits.detach().numpy(), requires_grad=True)
torch_loss = torch.nn.functional.cross_entropy(torch_logits, torch.tensor(target.numpy()))
torch_loss.backward()
logits.grad = None
nn.functional.cross_entropy(logits, target).backward()
np.testing.assert_allclose(torch_loss.item(), nn.functional.cross_entropy(logits, target).item(), rtol=1e-5)
np.testing.assert_allclose(logits.grad.numpy(), torch_logits.grad.numpy(), rtol=1e-4, atol=1e-7)
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Profile one training step of chapter 08's CNN: which operations dominate?
# * Write a fused `Function` for `gelu` (forward and backward in one node) and count nodes.
# * Use `tracemalloc` to measure the peak memory of a training step with and without `no_grad`.
