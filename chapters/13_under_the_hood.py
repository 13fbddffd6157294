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
# result tensor, recording a node, checking dtypes). This chapter measures both, has you
# write *fused* operations that cut the bookkeeping and the memory, and a counter for the
# memory the tape keeps alive. Then it opens minitorch's accelerations layer
# (`minitorch/fast/`), the one place where speed tricks live, and times the same workloads
# with and without it.
#
# Timings depend on the machine and its load: cells that print them are not compared by
# the notebook tests, and only robust claims about them are asserted.

# %%
import cProfile
import gc
import inspect
import json
import os
import pstats
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code, Markdown

import minitorch
import torch
from minitorch import course, nn
from minitorch.course import ch13 as check
from minitorch.course import ch13_workloads as workloads
from minitorch.course.ch13 import recorded_operations

course.start("13")

# %% [markdown]
# ## 1. Per-operation overhead
#
# Multiply two 1000-element vectors that require grad, then backpropagate: the arithmetic
# takes a few microseconds in NumPy; the rest is Python.

# %% tags=["nbval-ignore-output"]
minitorch.manual_seed(0)
a = minitorch.randn(1000, requires_grad=True)
b = minitorch.randn(1000, requires_grad=True)
g = minitorch.ones(1000)


def one_op():
    (a * b).backward(g)
    a.grad = b.grad = None


median_time = workloads.median_time    # the median of many timings, after a warm-up call
a_np, b_np, g_np = a.detach().numpy(), b.detach().numpy(), g.numpy()
framework = median_time(one_op, 2000)
arithmetic = median_time(lambda: (a_np * b_np, g_np * b_np, g_np * a_np), 2000)
print(f"minitorch forward+backward: {framework * 1e6:6.1f} us")
print(f"the same arithmetic in NumPy: {arithmetic * 1e6:6.1f} us")

# %% [markdown]
# On the reference path every operation, forward or inside a backward, goes through
# `Function.apply`. Here it is, as `minitorch/autograd/function.py` writes it: find which
# inputs need gradients, link the new node to the inputs' history, run `forward` with
# recording off, wrap the result, note in-place changes and views, and save what backward
# needs. (By default a faster version replaces it, and `+ - * / @` skip it when nothing is
# recorded: section 5.)

# %%
def reference_piece(owner, attribute):
    """The plain reference version of a piece, even where minitorch/fast replaced it."""
    fast = sys.modules.get("minitorch.fast")
    piece = fast.REFERENCES.get((owner, attribute)) if fast else None
    return piece if piece is not None else vars(owner)[attribute]


apply_source = inspect.getsource(reference_piece(minitorch.autograd.Function, "apply").__func__)
Code(textwrap.dedent(apply_source), language="python")

# %% [markdown]
# Where does the time of a whole training step go? Profile ten steps of a 784-256-256-10
# MLP with Adam and add up the time spent *inside* each function (cProfile's `tottime`) by
# the part of the library it belongs to:

# %%
def part_of_library(filename: str) -> str:
    """Which part of the code a profiled function belongs to, from its file."""
    path = Path(filename).as_posix()
    if "/minitorch/" not in path:
        return "NumPy, BLAS and Python builtins"
    inside = path.split("/minitorch/")[-1]
    folder = inside.split("/")[0] if "/" in inside else inside.removesuffix(".py")
    return {"autograd": "autograd: recording and the engine", "fast": "fast: the accelerations",
            "ops": "ops: forwards and backwards", "nn": "nn: modules and functional",
            "optim": "optim: Adam", "tensor": "Tensor methods",
            "course": "the workload itself"}.get(folder, "other minitorch modules")


training_step = workloads.mlp_training_step()    # minitorch/course/ch13_workloads.py
training_step()                     # Adam's state is made on the first step: not profiled
profiler = cProfile.Profile()
profiler.enable()
for _ in range(10):
    training_step()
profiler.disable()
time_by_part: dict = {}
for (filename, _line, _name), (_calls, _, inside, _total, _callers) in pstats.Stats(profiler).stats.items():
    part = part_of_library(filename)
    time_by_part[part] = time_by_part.get(part, 0.0) + inside
parts = sorted(time_by_part, key=time_by_part.get)

# %% tags=["nbval-ignore-output"]
total = sum(time_by_part.values())
fig, ax = plt.subplots(figsize=(7, 2.8))
_ = ax.barh(parts, [100 * time_by_part[p] / total for p in parts], color="tab:blue")
_ = ax.set_xlabel("% of a training step's time (inside the function, cProfile)")
_ = ax.set_title("Where an MLP + Adam step's time goes")
plt.tight_layout()
plt.show()

# %% [markdown]
# Read the bars with cProfile's rule in mind: an array operator written in Python (`a @ b`,
# `a * b` on NumPy arrays) is not a function call, so its time is charged to the Python
# function that wrote it. Each bar is therefore a part's Python *plus* the array arithmetic
# it runs. The nn bar holds Linear's forward matrix product; the accelerations' bar is
# large because, by default, the `@` and `*` of backward formulas and of Adam's update (run
# with nothing recorded) go through `fast/operators.py`, which calls NumPy's operation
# directly, so their matrix products are charged there. Only
# NumPy functions called by name (`np.exp`, `.sum()`) land in the NumPy bar. cProfile
# also adds a cost to every Python call, so it exaggerates the Python-heavy parts; the
# plain timings in sections 5 and 6 do not.
#
# ## 2. Fusing operations
#
# Cross-entropy written from primitives records ten nodes (max, subtractions, exp, sum,
# log, indexing, mean, negation), each allocating a result and saving inputs for backward.
# minitorch's `cross_entropy` records what PyTorch records: two nodes, `LogSoftmaxBackward0`
# and `NllLossBackward0`, so that the graph you draw is PyTorch's graph
# (`recorded_operations(output)` lists the operations recorded behind `output`):

# %%
def cross_entropy_primitives(logits, target):
    m = logits.max(1, keepdim=True).values
    log_probs = logits - m - (logits - m).exp().sum(1, keepdim=True).log()
    return -log_probs[minitorch.arange(len(target)), target].mean()


minitorch.manual_seed(0)
logits = minitorch.randn(128, 10, requires_grad=True)
target = minitorch.randint(0, 10, (128,))
torch_logits = torch.tensor(logits.detach().numpy(), requires_grad=True)
print("from primitives:", len(recorded_operations(cross_entropy_primitives(logits, target))), "nodes")
print("minitorch:      ", recorded_operations(nn.functional.cross_entropy(logits, target)))
print("PyTorch:        ", recorded_operations(torch.nn.functional.cross_entropy(
    torch_logits, torch.tensor(target.numpy()))))

# %% [markdown]
# A framework can also *fuse* the whole loss into one node. Its backward is famously simple:
# for $L = -\frac1N\sum_i \log \mathrm{softmax}(z_i)_{y_i}$,
# $\frac{\partial L}{\partial z} = \frac1N(\mathrm{softmax}(z) - \mathrm{onehot}(y))$.
# One node means one result, one `Function.apply`, one backward call, and only the
# probabilities kept for backward.
#
# **Exercise 13.1.** Write `SoftmaxCrossEntropy`, a `Function` whose forward computes the
# mean cross-entropy from the logits in NumPy, and whose backward returns
# `grad * (softmax - onehot) / N` for the logits (and `None` for the integer targets).
# Subtract each row's maximum before `exp`: logits of a few hundred overflow `exp` in
# float32 (it tops out near $e^{88}$), and the shift changes nothing else.

# %%
#@save
import numpy as np

import minitorch
from minitorch.autograd import Function


class SoftmaxCrossEntropy(Function):
    """cross_entropy(logits, target) as ONE recorded node: the mean over the batch of
    -log(softmax(logits)[i, target[i]]); backward: grad * (softmax - onehot) / N."""

    @staticmethod
    def forward(ctx, logits, target):
        z = logits.detach().numpy()            # (N, C) floats
        rows, labels = np.arange(z.shape[0]), target.numpy()
        # set `loss` (the mean cross-entropy, a number) and `probs` (softmax(z), shape (N, C))
        ### BEGIN SOLUTION
        shifted = z - z.max(axis=1, keepdims=True)          # exp cannot overflow
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        loss = -(shifted[rows, labels] - np.log(sums[:, 0])).mean()
        probs = exps / sums
        ### END SOLUTION
        ctx.save_for_backward(minitorch.from_numpy(probs))  # softmax(logits), for backward
        ctx.labels = labels
        return np.asarray(loss, dtype=z.dtype)

    @staticmethod
    def backward(ctx, grad):
        (probs,) = ctx.saved_tensors
        # return the gradient of the logits (a Tensor of z's shape and dtype) and None
        ### BEGIN SOLUTION
        d_logits = probs.detach().numpy().copy()
        rows = np.arange(d_logits.shape[0])
        d_logits[rows, ctx.labels] -= 1                     # softmax - onehot
        d_logits /= d_logits.shape[0]
        return grad * minitorch.from_numpy(d_logits), None
        ### END SOLUTION


# %%
check.softmax_cross_entropy(SoftmaxCrossEntropy)

# %% [markdown]
# Your loss against the two recorded versions: nodes, and the time of a forward and
# backward (the ten-node version pays for ten `Function.apply`s and ten backward calls).

# %% tags=["nbval-ignore-output"]
def loss_step(loss_fn):
    logits.grad = None
    loss_fn(logits, target).backward()


losses = {"from primitives": cross_entropy_primitives,
          "minitorch (2 nodes)": nn.functional.cross_entropy}
with course.needs("your SoftmaxCrossEntropy"):
    losses["yours (fused)"] = SoftmaxCrossEntropy.apply
    for name, loss_fn in losses.items():
        nodes = len(recorded_operations(loss_fn(logits, target)))
        print(f"{name:20s} {nodes:2d} node{'s' if nodes > 1 else ' '}, forward+backward "
              f"{median_time(lambda: loss_step(loss_fn), 300) * 1e6:5.0f} us")

# %% [markdown]
# The same idea applies to a layer. `relu(x @ W.T + b)` records three nodes in minitorch
# and PyTorch (`TBackward0`, `AddmmBackward0`, `ReluBackward0`) and keeps the layer's
# pre-activation alive; fused, it is one node that keeps its input, weight and output.
# Backward: with $y = \mathrm{relu}(xW^\top + b)$ and upstream gradient $G$, first zero
# $G$ where $y = 0$ (the ReLU), giving $G'$; then $\frac{\partial L}{\partial x} = G'W$,
# $\frac{\partial L}{\partial W} = G'^\top x$, $\frac{\partial L}{\partial b} = \sum_{\text{rows}} G'$.
#
# **Exercise 13.2.** Write `LinearReLU`, one `Function` for `relu(x @ weight.T + bias)`
# with PyTorch's layout (weight is `(out_features, in_features)`), forward and backward with
# Tensor operations.

# %%
#@save
from minitorch.autograd import Function


class LinearReLU(Function):
    """relu(x @ weight.T + bias) as ONE recorded node. x: (N, in), weight: (out, in),
    bias: (out,). Backward returns the gradients of x, weight and bias."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        # set `out`, with Tensor operations (nothing is recorded inside forward)
        ### BEGIN SOLUTION
        out = (x @ weight.T + bias).relu()
        ### END SOLUTION
        ctx.save_for_backward(x, weight, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight, out = ctx.saved_tensors
        # return the gradients of x, weight and bias, each of its input's shape
        ### BEGIN SOLUTION
        grad = grad * (out > 0)                  # the ReLU: no gradient where it cut
        return grad @ weight, grad.T @ x, grad.sum(0)
        ### END SOLUTION


# %%
check.linear_relu(LinearReLU)

# %% [markdown]
# A layer built on it trains like `nn.Linear` followed by `nn.ReLU`, from the same weights:

# %%
class FusedLinearReLU(nn.Linear):
    def forward(self, x):
        return LinearReLU.apply(x, self.weight, self.bias)


minitorch.manual_seed(0)
images = minitorch.randn(128, 784)
layer = nn.Linear(784, 256)
fused_layer = FusedLinearReLU(784, 256)
fused_layer.load_state_dict(layer.state_dict())
with course.needs("your LinearReLU"):
    for name, forward in (("Linear + ReLU", lambda x: layer(x).relu()), ("fused", fused_layer)):
        out = forward(images)
        out.sum().backward()
        print(f"{name:14s} nodes {recorded_operations(out)}, sum of outputs {out.sum().item():.4f}")
    print(f"largest difference in the weight's gradient: "
          f"{(layer.weight.grad - fused_layer.weight.grad).abs().max().item():.2e}")

# %% [markdown]
# ## 3. The memory of the tape
#
# Everything a node saves for backward stays alive until backward runs (or the graph is
# dropped): that, not the parameters, is most of a training step's memory. Each node lists
# what it saved in `saved_tensors`, and each tensor knows its size: `numel()` elements of
# `element_size()` bytes.
#
# **Exercise 13.3.** Write `saved_bytes(output)`: the bytes held by `saved_tensors` of every
# node recorded behind `output` (walk `grad_fn` and `next_functions`; count each node once,
# even when two paths reach it; nodes without `saved_tensors`, like `AccumulateGrad`, keep
# nothing; an output with no `grad_fn` keeps nothing).

# %%
#@save
def saved_bytes(output):
    """Bytes of the tensors saved for backward by the nodes recorded behind output."""
    ### BEGIN SOLUTION
    total, seen, stack = 0, set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        for saved in getattr(node, "saved_tensors", ()):
            if saved is not None:
                total += saved.numel() * saved.element_size()
        stack.extend(next_node for next_node, _ in node.next_functions)
    return total
    ### END SOLUTION


# %%
check.saved_bytes(saved_bytes)

# %% [markdown]
# What each version of the loss keeps, and what a training forward of the MLP keeps
# (each layer's input, and ReLU's output); under `no_grad` nothing is recorded and nothing
# is kept:

# %% [markdown]
# (`saved_bytes` counts a tensor saved by two nodes twice: minitorch's `LogSoftmaxBackward0`
# and `NllLossBackward0` both keep the log-probabilities, as PyTorch's do, though they are
# one array. PyTorch's graph pays that price for being two readable steps; the fused loss
# keeps one array of probabilities.)

# %%
model, _, images, _ = workloads.mlp()
with course.needs("your saved_bytes"):
    for name, loss_fn in losses.items():
        print(f"loss {name:20s} keeps {saved_bytes(loss_fn(logits, target)):6d} bytes")
    kept = saved_bytes(model(images).sum())
    print(f"MLP training forward keeps {kept / 2**20:.2f} MiB for backward")
with minitorch.no_grad():
    inference = model(images).sum()
print(f"no_grad forward: grad_fn = {inference.grad_fn}")

# %% [markdown]
# ## 4. The garbage collector
#
# A recorded graph is also Python objects: each op leaves a result `Tensor`, its `Node`,
# and tuples of edges and saved values. CPython frees them by reference counting when the
# graph is dropped, but its *cyclic* garbage collector also walks container objects from
# time to time: the young ones after every 700 new containers, all of them when enough have
# survived, and a full walk takes longer the more objects are alive. PyTorch keeps its graph
# in C++, where the collector never looks; minitorch keeps each node small (a node keeps no
# reference to its output) and, in its accelerations layer, shares the small tuples of plain
# values that repeat from node to node. Count the objects the collector tracks per recorded
# product, and time the collections during a graph of 20,000 scalar operations.

# %% tags=["nbval-ignore-output"]
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
scalar_total = minitorch.tensor(0.0)
for i in range(10_000):
    scalar_total = scalar_total + w * float(i % 7)
scalar_total.backward()
elapsed = time.perf_counter() - start
gc.callbacks.remove(on_collect)
print(f"20,000 scalar ops forward+backward: {elapsed * 1e3:.0f} ms, of which "
      f"{collecting['count']} collections took {collecting['time'] * 1e3:.0f} ms")

# %% [markdown]
# ## 5. The accelerations layer
#
# Everything above ran minitorch as it runs by default. The code you read in the earlier
# chapters (`autograd/`, `ops/`, `nn/`) is the *reference path*: each piece written once,
# plainly. Every speed trick lives in one package, `minitorch/fast/`, which `import
# minitorch` installs from one table, `ACCELERATIONS`: each entry swaps a faster version of
# the same behaviour in for one reference piece. Setting `MINITORCH_REFERENCE=1` before
# the import leaves it out: no code from `minitorch/fast` runs at all, and the test suite
# passes in both modes. The table, with the reason each entry is there (measured on the
# benchmark machine):

# %%
def accelerations_table():
    """minitorch.fast's table of accelerations (``every_acceleration()``: nn's entries too,
    which go in when nn loads) as Markdown; entries marked "(the same...)" join the row
    above them."""
    from minitorch import fast

    def name_of(owner, attribute):
        owner_name = owner.__name__.removeprefix("minitorch.")
        return f"`{owner_name}.{attribute}`"

    rows = []
    for owner, attribute, faster, why in fast.every_acceleration():
        function = getattr(faster, "__func__", faster)
        where = f"`fast/{function.__module__.split('.')[-1]}.py`"
        if why.startswith("(the same") and rows:
            rows[-1][0] += ", " + name_of(owner, attribute)
        else:
            rows.append([name_of(owner, attribute), where, why])
    lines = ["| replaces | with code in | why (measured) |", "|---|---|---|"]
    lines += [f"| {replaces} | {where} | {why} |" for replaces, where, why in rows]
    return "\n".join(lines)


Markdown(accelerations_table())

# %% [markdown]
# Three kinds of trick are in the table: doing less Python per operation (`apply`,
# the engine loop, the operators that skip `Function.apply` when nothing is recorded),
# computing backward formulas on bare arrays when the backward is not itself recorded, and
# faster NumPy spellings of the same reduction (row sums as a BLAS product). Besides the
# table, `install()` sets two process settings (keeping freed memory for the next step, and
# measuring reference counts to avoid a copy).
#
# Three workloads (one small op, a graph of 2,000 scalar ops, the MLP + Adam step profiled
# above; they are in `minitorch/course/ch13_workloads.py`), each in a fresh Python process
# (one thread), once as minitorch runs by default and once with `MINITORCH_REFERENCE=1`:

# %%
def run_workloads(reference: bool) -> dict:
    """The workloads in a fresh process, with the accelerations or without them."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MINITORCH_REFERENCE="1" if reference else "0")
    env["PYTHONPATH"] = os.pathsep.join([str(Path(minitorch.__file__).parents[1]),
                                         env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "minitorch.course.ch13_workloads"], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


accelerated, reference = run_workloads(reference=False), run_workloads(reference=True)
print("minitorch/fast loaded: by default", accelerated["fast loaded"],
      "| with MINITORCH_REFERENCE=1", reference["fast loaded"])

# %% tags=["nbval-ignore-output"]
workloads = [name for name in accelerated if name != "fast loaded"]
for name in workloads:
    print(f"{name:22s} default {accelerated[name] * 1e3:8.3f} ms   reference "
          f"{reference[name] * 1e3:8.3f} ms   ({reference[name] / accelerated[name]:.2f}x)")
fig, ax = plt.subplots(figsize=(7, 2.6))
positions = np.arange(len(workloads))
_ = ax.barh(positions + 0.2, [reference[n] / accelerated[n] for n in workloads], height=0.4,
            color="tab:orange", label="reference path (MINITORCH_REFERENCE=1)")
_ = ax.barh(positions - 0.2, [1.0] * len(workloads), height=0.4, color="tab:blue",
            label="default (with minitorch/fast)")
_ = ax.set_yticks(positions, workloads)
_ = ax.set_xlabel("time, relative to the default")
_ = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# The accelerations matter most where Python bookkeeping dominates: the graph of scalar
# ops, where each op is all bookkeeping and little arithmetic. On the MLP step the matrix
# products take a larger share, and a single small op gains only microseconds, which the
# noise of a shared machine can hide in a given run.
# Either way the numbers are the same: tests/test_fast.py holds each fast piece to the
# reference piece it replaces.
#
# ## 6. Against PyTorch
#
# `python benchmarks/run.py` times every workload in minitorch, PyTorch CPU and
# hand-written NumPy, one thread each, alternating between them. Each implementation runs
# in its own process that imports only its library: importing PyTorch creates about
# 145,000 Python objects, and in a shared process minitorch's collector would walk those
# too. The latest table committed with the repository (the machine it ran on is its first
# line):

# %% tags=["nbval-ignore-output"]
table = Path("..") / "benchmarks" / "results" / "latest.md"
print(table.read_text() if table.exists() else "run `python benchmarks/run.py` to produce the table")

# %% [markdown]
# ## Checks

# %%
assert framework > arithmetic                    # the bookkeeping costs more than the arithmetic
assert inference.grad_fn is None
assert objects_per_op <= 8                       # a recorded product stays a handful of objects
assert accelerated["fast loaded"] and not reference["fast loaded"]
assert sum(time_by_part.values()) > 0
# minitorch's cross_entropy: PyTorch's two nodes, PyTorch's value and gradient
torch_loss = torch.nn.functional.cross_entropy(torch_logits, torch.tensor(target.numpy()))
torch_loss.backward()
logits.grad = None
loss = nn.functional.cross_entropy(logits, target)
loss.backward()
assert recorded_operations(loss) == recorded_operations(torch_loss) == ["NllLossBackward0", "LogSoftmaxBackward0"]
np.testing.assert_allclose(loss.item(), torch_loss.item(), rtol=1e-5)
np.testing.assert_allclose(logits.grad.numpy(), torch_logits.grad.numpy(), rtol=1e-4, atol=1e-7)
np.testing.assert_allclose(cross_entropy_primitives(logits, target).item(), loss.item(), rtol=1e-5)
course.summary(check.softmax_cross_entropy(SoftmaxCrossEntropy), check.linear_relu(LinearReLU),
               check.saved_bytes(saved_bytes))

# %% [markdown]
# ## Try next
#
# * Profile one training step of chapter 08's CNN: which part of the library dominates?
# * Write a fused `Function` for `gelu(x @ W.T + b)` and count nodes and saved bytes.
# * Use `tracemalloc` to measure the peak memory of a training step with and without `no_grad`.
#
# Next, chapter 14, the capstone: the pieces you wrote across the course, in your own
# package `mytorch`, train real models end to end.
