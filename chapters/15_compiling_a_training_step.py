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
# # 15 · Compiling a training step
#
# Chapter 13 measured the price of a framework written in Python: every operation pays for
# its bookkeeping (a result `Tensor`, a recorded node, dtype checks) on top of its
# arithmetic. For a big matrix product the bookkeeping is noise; for the small models
# learners train it is most of the step. PyTorch 2's answer is `torch.compile`: look at the
# step once, write down the array operations it really performs, and from then on run only
# those. This chapter builds that idea, and then reads minitorch's own compiler,
# `minitorch.compile` (in `minitorch/compiler/`, five short files).
#
# You write two pieces: an array that writes down every NumPy operation done on it (a
# *tracer*), and the pass that drops the operations whose results nobody uses (*dead-code
# elimination*). Timings depend on the machine and its load: cells that print them are not
# compared by the notebook tests, and only robust claims about them are asserted.

# %%
import inspect
import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code

import minitorch
from minitorch import course
from minitorch.course import ch15 as check
from minitorch.course.ch13 import recorded_operations
from minitorch.course.ch13_workloads import median_time

course.start("15")

# %% [markdown]
# ## 1. Where a small step's time goes
#
# A small MLP (16 inputs, 32 tanh units, 4 classes) on a batch of 32, with cross-entropy
# and SGD: one training step is a forward, a backward and an update. Here it is, as you
# would write it in PyTorch:

# %%
def make_mlp(lib, seed=0):
    """The same MLP in minitorch or PyTorch: the same seed gives the same weights."""
    lib.manual_seed(seed)
    return lib.nn.Sequential(lib.nn.Linear(16, 32), lib.nn.Tanh(), lib.nn.Linear(32, 4))


rng = np.random.default_rng(0)
x_np = rng.standard_normal((32, 16)).astype(np.float32)
y_np = rng.integers(0, 4, 32)

def make_step(lib, model, optimizer):
    """One training step of ``model`` with ``optimizer`` (both from library ``lib``)."""
    def step(x, y):
        optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.detach()
    return step


model = make_mlp(minitorch)
optimizer = minitorch.optim.SGD(model.parameters(), lr=0.1)
train_step = make_step(minitorch, model, optimizer)
x, y = minitorch.tensor(x_np), minitorch.tensor(y_np)
forward_nodes = recorded_operations(minitorch.nn.functional.cross_entropy(model(x), y))
print(f"the forward records {len(forward_nodes)} nodes: {forward_nodes}")

# %% [markdown]
# The same step with nothing but NumPy: the forward, the backward written out by hand
# (chapter 13's softmax-minus-onehot, then the chain rule through each layer), and the
# update. This is the arithmetic that any framework has to do.

# %%
def numpy_step(params, x, y, lr=0.1):
    """One SGD step of the MLP on NumPy arrays, in place; returns the loss."""
    w1, b1, w2, b2 = params
    n, rows = len(y), np.arange(len(y))
    h = np.tanh(x @ w1.T + b1)                    # forward
    z = h @ w2.T + b2
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[rows, y]).mean()
    dz = p                                        # backward: (softmax - onehot) / n
    dz[rows, y] -= 1
    dz /= n
    dh = (dz @ w2) * (1 - h * h)
    grads = (dh.T @ x, dh.sum(axis=0), dz.T @ h, dz.sum(axis=0))
    for param, grad in zip(params, grads):        # the update
        param -= lr * grad
    return loss


params_np = [p.detach().numpy().copy() for p in model.parameters()]
loss_np = numpy_step(params_np, x_np, y_np)
loss_eager = train_step(x, y)
print(f"loss: NumPy by hand {loss_np:.6f}, minitorch {loss_eager.item():.6f}")
print("largest difference in the updated weights:",
      f"{max(abs(a - p.detach().numpy()).max() for a, p in zip(params_np, model.parameters())):.1e}")

# %% [markdown]
# Both compute the same numbers. Now time them:

# %% tags=["nbval-ignore-output"]
eager_time = median_time(lambda: train_step(x, y), 300)
numpy_time = median_time(lambda: numpy_step(params_np, x_np, y_np), 300)
print(f"minitorch, eager: {eager_time * 1e6:6.0f} us per step")
print(f"NumPy by hand:    {numpy_time * 1e6:6.0f} us per step")
print(f"bookkeeping: about {(eager_time - numpy_time) / eager_time:.0%} of the eager step")

# %% [markdown]
# Most of the eager step is not arithmetic. Each recorded operation makes a `Tensor` and a
# node, checks dtypes and devices, saves what backward needs; backward walks the graph node
# by node; the optimizer loops over parameters in Python. None of that changes from one
# step to the next: the same model on the same shapes does the same NumPy calls every
# time. So record those calls once, and replay only them.
#
# ## 2. Tracing with NumPy's own protocols
#
# How do you find out which NumPy calls a step makes, without changing a line of the
# framework? NumPy tells you. An array class can define `__array_ufunc__`: then every
# *ufunc* applied to it (`a + b` is `np.add(a, b)`, `np.exp(a)`, `a @ b` is `np.matmul`,
# and `a.sum()` is the reduction `np.add.reduce(a)`) calls that method instead, with the
# ufunc, the method (`"__call__"` for a plain call, `"reduce"` for a reduction) and the
# inputs. (A second protocol, `__array_function__`, does the same for functions such as
# `np.concatenate` or `np.where`.)
#
# **Exercise 15.1.** Write `TracedArray.__array_ufunc__`: compute the operation on plain
# arrays, write one line `(operation, input names, output name)` on the array's tape, and
# return the result as a new `TracedArray`. The operation is the ufunc's `__name__`, or
# `"add.reduce"` for a method other than `"__call__"`. An input's name is its `.name`, or
# `repr(x)` for an input that is not a `TracedArray` (the `2.0` of `a * 2.0`). `Tape`
# (given) hands out fresh names `v1`, `v2`, ... and makes named arrays.

# %%
#@save
import numpy as np


class Tape:
    """The lines written while NumPy computes: (operation, input names, output name)."""

    def __init__(self):
        self.lines = []
        self.count = 0

    def new_name(self):
        """A fresh name for an array the traced code makes: v1, v2, ..."""
        self.count += 1
        return f"v{self.count}"

    def array(self, values, name):
        """``values`` as a TracedArray called ``name`` that writes on this tape."""
        array = np.asarray(values).view(TracedArray)
        array.name, array.tape = name, self
        return array


class TracedArray(np.ndarray):
    """A NumPy array with a name: every ufunc applied to it is written on its tape."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # compute on plain arrays (np.asarray of a TracedArray is a plain view of it), write
        # the line, return the result as a TracedArray with a new name
        ### BEGIN SOLUTION
        plain = [np.asarray(x) if isinstance(x, TracedArray) else x for x in inputs]
        result = getattr(ufunc, method)(*plain, **kwargs)
        names = tuple(x.name if isinstance(x, TracedArray) else repr(x) for x in inputs)
        operation = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        output = self.tape.new_name()
        self.tape.lines.append((operation, names, output))
        return self.tape.array(result, output)
        ### END SOLUTION


# %%
check.traced_array(Tape)

# %% [markdown]
# Trace the forward of section 1's MLP, written in NumPy with the weights already
# transposed (a transpose is a view, made without a ufunc: your array does not see it;
# minitorch's tracer also wraps the array methods that make views):

# %%
with course.needs("your TracedArray"):
    tape = Tape()
    w1, b1, w2, b2 = (tape.array(p.T, name) for p, name in zip(params_np, ("w1", "b1", "w2", "b2")))
    logits = np.tanh(tape.array(x_np, "x") @ w1 + b1) @ w2 + b2
    for operation, inputs, output in tape.lines:
        print(f"{output} = np.{operation}({', '.join(inputs)})")
    print("the traced logits equal NumPy's:",
          np.array_equal(logits, np.tanh(x_np @ params_np[0].T + params_np[1]) @ params_np[2].T
                         + params_np[3]))

# %% [markdown]
# Five lines: the whole forward, with nothing of the code that produced it. That list is a
# *program*. Replay it on new arrays and you have the forward, without the framework.
#
# ## 3. minitorch's tracer
#
# `minitorch.compile(step)` does this for a whole training step. While it traces, every
# tensor's array is swapped for a `Traced` view (`minitorch/compiler/traced.py`: your
# `TracedArray`, plus `__array_function__`, the methods that make views, indexing, and the
# functions that make new arrays such as `np.zeros`), the step runs eagerly, and every NumPy
# call becomes a line. The forward, the backward (the engine runs the nodes' backward
# formulas, which are NumPy calls too) and the optimizer's update all end up in one flat
# list.
#
# A compiled function counts what it did with each call:

# %%
model = make_mlp(minitorch)
optimizer = minitorch.optim.SGD(model.parameters(), lr=0.1)
compiled_step = minitorch.compile(make_step(minitorch, model, optimizer))
for call in range(1, 6):
    loss = compiled_step(x, y)
    print(f"call {call}: loss {loss.item():.6f}  {compiled_step.counts}")

# %% [markdown]
# Call 1 runs eagerly (it creates what later steps find: the `.grad` tensors, an
# optimizer's state). Calls 2 and 3 run eagerly *while tracing*; the two programs are
# compared, and being equal, the program is confirmed. From call 4 on, the step is
# replayed: no `Tensor`, no graph, no engine. The program is Python source you can read
# (`print(compiled_step.program)`); here are its first lines, two lines from its
# backward, and its end:

# %% tags=["nbval-ignore-output"]
program_lines = str(compiled_step.program).splitlines()


def show_excerpt(lines, *ranges):
    """Print the given (start, stop) ranges of ``lines``, with '...' for what is skipped."""
    shown = 0
    for start, stop in ranges:
        if start > shown:
            print("    ...")
        print("\n".join(lines[start:stop]))
        shown = stop
    if shown < len(lines):
        print("    ...")


tanh_backward = next(i for i, line in enumerate(program_lines) if "np.subtract(1, " in line)
show_excerpt(program_lines, (0, 12), (tanh_backward - 1, tanh_backward + 2), (len(program_lines) - 13, len(program_lines)))
print(f"\n{len(compiled_step.program)} NumPy calls in {len(program_lines)} lines")

# %% [markdown]
# Read it from the top:
#
# * `r1 = t0._data` loads the array of a tensor that existed before the call (`t0` is the
#   first Linear's weight; `args[0]` is the first argument, `x`), followed by its **guard**:
#   the replay checks that the array still has the shape and dtype it was traced with, and
#   hands the call back to eager mode if not (`fail(0)`).
# * `if not (t1._parameters['weight'] is t0)` checks that the tensor is still where the step
#   found it (the module's weight; for the optimizer's state, `t9.state[t0]['exp_avg']`): a
#   weight replaced or a state reloaded between calls sends the call to eager mode instead of
#   updating tensors nobody uses. Loads and these checks come first in a program, so they
#   fail before it has changed anything.
# * the forward: `swapaxes` is `weight.T`, then `matmul`, the bias added in place into the
#   product (`out=`), `np.tanh`, and so on through the cross-entropy.
# * the backward: the same formulas you wrote in chapter 03, as NumPy calls (tanh's
#   derivative `1 - y*y` is the `np.subtract(1, ...)` line above).
# * the SGD update: `p.add_(grad, alpha=-lr)` became `np.multiply(grad, -0.1)` and an add
#   into the parameter's own array, in place, so every tensor that shares it sees the update.
# * the `._grad = Tensor._from_array(...)` lines: after the call each parameter's `.grad`
#   is a new tensor holding the new gradient, as after the eager step.
#
# The program is what really ran, not what the code says. Run this chapter with
# `MINITORCH_REFERENCE=1` (chapter 13's reference path, without `minitorch/fast`) and the
# program is a little different: the same arithmetic, spelled with other NumPy calls in a few
# places, so the names are numbered differently. (That is why the notebook tests do not
# compare this cell's output; the checks at the end assert what must hold in both modes.)
#
# **Why trace twice?** The tracer sees arrays. A number the Python code computes on its
# own enters the program as a constant: frozen. Here a warm-up factor for the loss is
# computed from a Python counter of calls. Two traces of the same step reveal it, because
# the constant differs between them:

# %% tags=["nbval-ignore-output"]
calls = {"n": 0}


def counting_step(x, y):
    calls["n"] += 1                   # Python state: the tracer cannot see it
    optimizer.zero_grad()
    warm_up = min(1.0, calls["n"] / 10)
    loss = minitorch.nn.functional.cross_entropy(model(x), y) * warm_up
    loss.backward()
    optimizer.step()
    return loss.detach()


compiled_counter = minitorch.compile(counting_step)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(8):
        compiled_counter(x, y)
print("warned:", *(str(w.message) for w in caught))
print(compiled_counter.counts)

# %% [markdown]
# Each trace gives another program (the factor 0.6 became 0.7), so after a few tries the
# function stays eager, with a warning that names the line: slower, never wrong. (A value
# that is the same for two calls and changes later cannot be caught this way: that is
# the contract of section 5.)
#
# ## 4. Dead-code elimination
#
# A trace writes down everything the eager step computed, including what nothing needs:
# intermediate arrays of a shape check, a forward value that no backward formula reads, a
# copy made "just in case". A compiler drops them, with the oldest of its passes. Walk the
# program **backward**, knowing which names are needed: at the end, the outputs. A line
# whose result is needed is kept, and then everything it reads is needed too; a line
# whose result is not needed is dropped, and what it reads is not needed on its account.
# Walking backward is what makes a chain of dead lines disappear at once: by the time you
# reach a line, you know everything that reads it.
#
# Lines that write into an array in place (`np.subtract(w, step, out=w)`, an SGD update)
# need one more thought: they make nothing new, they change an array. Such a line matters
# when the array it writes is needed after it: read by a later line you keep, or one of the
# program's outputs (a parameter outlives the program, so an updated parameter is an
# output).
#
# **Exercise 15.2.** Write `live_lines(lines, outputs)`. Each line is a tuple `(target, op,
# inputs, writes)`: `target = np.op(*inputs)`, or, for an in-place line, `target` is
# `None` and `writes` names the array it writes (`np.op(*inputs, out=writes)`); `outputs`
# is the set of names the program must leave right. Return the lines that matter, in the
# program's order.

# %%
#@save
def live_lines(lines, outputs):
    """The lines of a program whose results (or whose writes) something needs, in order.
    lines: (target, op, inputs, writes) tuples; outputs: the names the program must leave
    right (its results, and the arrays that outlive it)."""
    ### BEGIN SOLUTION
    needed = set(outputs)
    kept = []
    for line in reversed(lines):
        target, op, inputs, writes = line
        if target in needed or writes in needed:
            kept.append(line)
            needed.update(inputs)
    kept.reverse()
    return kept
    ### END SOLUTION


# %%
check.live_lines(live_lines)

# %% [markdown]
# Put your two pieces together: trace a NumPy function that computes more than it returns,
# and keep what its result needs.

# %%
def wasteful(a, b):
    product = a * b
    _ = np.exp(product).sum()            # a value computed "to have a look", then unused
    return np.tanh(product) * 2.0


with course.needs("your TracedArray and live_lines"):
    tape = Tape()
    result = wasteful(tape.array(x_np[0], "a"), tape.array(x_np[1], "b"))
    program = [(output, operation, inputs, None) for operation, inputs, output in tape.lines]
    kept = live_lines(program, {result.name})
    for line in program:
        print(f"{'kept   ' if line in kept else 'dropped'}  {check.show_line(line)}")

# %% [markdown]
# minitorch's version is `_live` in `minitorch/compiler/program.py`, run on every program
# before its source is written. It keeps every guard, and it is more careful than yours in
# one way: it keeps *every* line that writes. A NumPy view shares memory with its base, so writing into `r9` may
# change `r7`; deciding which writes are dead would need to know which arrays alias, and
# the lines that write are few.

# %%
Code(textwrap.dedent(inspect.getsource(minitorch.compiler.program._live)), language="python")

# %% [markdown]
# ## 5. Symbolic numbers and guards
#
# Some steps read numbers back from their arrays into Python, and then the program cannot
# simply freeze them. Adam divides by `1 - beta1 ** step`, with `step` read from its state
# with `.item()`: freezing the value of the traced call would use that step's bias
# correction forever. So a number read from a traced array is a *symbolic* number
# (`minitorch/compiler/symbolic.py`): a real Python float that also remembers where it came
# from. Arithmetic on it becomes lines of the program, recomputed at every replay
# (`s7 = 0.9 ** s6`); a comparison on it, a branch the Python code took, becomes a guard.
# The lines of an Adam step that are about Python numbers:

# %% tags=["nbval-ignore-output"]
model = make_mlp(minitorch)
adam = minitorch.optim.Adam(model.parameters(), lr=0.01)
compiled_adam = minitorch.compile(make_step(minitorch, model, adam))
for _ in range(5):
    compiled_adam(x, y)
number_lines = [line.strip() for line in str(compiled_adam.program).splitlines()
                if line.strip().startswith(("s", "if s", "if not (s"))]
print("\n".join(number_lines[:13]))
print(f"... ({len(number_lines)} such lines; the rest repeat for the other three parameters)")

# %% [markdown]
# The first lines come from `cross_entropy`: it checks that every target is a class index
# before it indexes with them, reading the smallest and the largest target (`.item()`) and
# raising `IndexError` if one is out of range. The branch it took ("not below 0, not 4 or
# more") became two guards. Then Adam: a line like `s83 = r82.item()` reads one parameter's step
# count, and the bias corrections are computed from it, in Python, at every replay.
#
# A replay that meets a failing guard before it has changed anything gives the call back
# to eager mode. So an out-of-range target makes the compiled step do exactly what the
# eager step does, PyTorch's error included (the checks at the end compare it with
# PyTorch's):

# %%
bad_targets = np.array([0, 2, 1, 7] + [0] * 28)
try:
    compiled_adam(x, minitorch.tensor(bad_targets))
except IndexError as err:
    compiled_error = err
    print(f"IndexError: {err}")
print(compiled_adam.counts)

# %% [markdown]
# **The contract.** `minitorch.compile` replays what the step did to arrays; the Python
# code of the step does not run at a replay (as in `jax.jit` or a CUDA graph; PyTorch's
# `torch.compile` reads the step's bytecode and can do more). Three consequences:
#
# * Python side effects (printing, appending to a list, Python's `random`) happen only on
#   the calls that ran the code: the first three.
# * A Python value that should change the program must be an argument: arguments that are
#   not tensors are part of the guards, and each new value is traced anew (the dynamic net
#   of section 7 passes its number of terms this way).
# * The outputs are new tensors without `grad_fn`: compile a whole step, not a forward.

# %%
history = []


def noisy_step(x, y, scale):
    history.append("ran the Python code")
    adam.zero_grad()
    loss = minitorch.nn.functional.cross_entropy(model(x), y) * scale
    loss.backward()
    adam.step()
    return loss.detach()


compiled_noisy = minitorch.compile(noisy_step)
for scale in (1.0,) * 6 + (0.5,) * 4:
    out = compiled_noisy(x, y, scale)
print(f"10 calls, the Python code ran {len(history)} times; {compiled_noisy.counts}")
print(f"an output's grad_fn: {out.grad_fn}, requires_grad: {out.requires_grad}")

# %% [markdown]
# Six calls with `scale=1.0` (one eager, two traced, three replayed), then four with
# `0.5`: no program was traced with that value (before it replays, a compiled function
# compares the arguments that are not tensors with those of its programs), so the new value
# is traced twice and then replayed twice. The Python code ran 1 + 2 + 2 times.
#
# ## 6. Replay equals eager, bit for bit, and matches PyTorch
#
# A compiler that changes the numbers is a bug. minitorch's replay calls the same NumPy
# functions on the same arrays in the same order as the eager step, so it must give the
# same bits. Train three copies of the MLP from the same seed for 30 Adam steps on
# changing batches: minitorch eagerly, minitorch compiled, and PyTorch.
#
# (PyTorch is imported only now: importing it creates about 145,000 Python objects, and
# each trace lists the live objects to find the tensors, so the traces above were quicker
# without it.)

# %%
import torch


def train(lib, compiled, steps=30):
    net = make_mlp(lib)
    step = make_step(lib, net, lib.optim.Adam(net.parameters(), lr=0.01))
    run_step = minitorch.compile(step) if compiled else step
    batches = np.random.default_rng(1)
    losses = []
    for _ in range(steps):
        xb = batches.standard_normal((32, 16)).astype(np.float32)
        yb = batches.integers(0, 4, 32)
        losses.append(run_step(lib.tensor(xb), lib.tensor(yb)).item())
    weights = [p.detach().numpy() for p in net.parameters()]
    return np.array(losses), weights, run_step


eager_losses, eager_weights, _ = train(minitorch, compiled=False)
compiled_losses, compiled_weights, compiled_run = train(minitorch, compiled=True)
torch_losses, torch_weights, _ = train(torch, compiled=False)
print(compiled_run.counts)
print("compiled == eager, bit for bit: losses", np.array_equal(compiled_losses, eager_losses),
      "| weights", all(np.array_equal(a, b) for a, b in zip(compiled_weights, eager_weights)))
print(f"largest difference from PyTorch: losses {np.abs(compiled_losses - torch_losses).max():.1e}, "
      f"weights {max(np.abs(a - b).max() for a, b in zip(compiled_weights, torch_weights)):.1e}")

# %%
fig, ax = plt.subplots(figsize=(6, 2.8))
_ = ax.plot(eager_losses, lw=4, alpha=0.35, label="minitorch, eager")
_ = ax.plot(compiled_losses, lw=1.5, label="minitorch, compiled (replayed from step 4)")
_ = ax.plot(torch_losses, "k:", lw=1.5, label="PyTorch")
_ = ax.set_xlabel("step")
_ = ax.set_ylabel("loss")
_ = ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# The three curves lie on each other. `tests/test_compile.py` holds the compiler to this
# on an MLP, a CNN with batch norm and a transformer with an LSTM, with four optimizers,
# comparing losses, parameters, gradients and optimizer state.
#
# ## 7. The payoff
#
# The benchmark suite of small models (`benchmarks/small_models.py`: makemore's
# transformer and MLP, minGPT's adder, a character LSTM, PyTorch's dynamic-net tutorial)
# at batch 8 and a few steps, so that this cell stays quick (the suite's sixth workload, a
# graph of 20,000 scalar operations, takes seconds a step and is left out): minitorch
# eager, minitorch compiled, and PyTorch eager, one thread each, each library in its own
# process (PyTorch's Python objects would slow minitorch's garbage collector).
# `python benchmarks/run.py --suite small` runs the full sizes; its table is
# `benchmarks/results/small_latest.md`.

# %%
def time_workloads(library: str) -> dict:
    """minitorch/course/ch15_workloads.py in a fresh process: median seconds per step."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join([str(Path(minitorch.__file__).parents[1]),
                                         env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "minitorch.course.ch15_workloads", library],
                          env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


suite_times = time_workloads("minitorch")
for name, pytorch_time in time_workloads("pytorch").items():
    suite_times[name].update(pytorch_time)
print(f"timed: {', '.join(suite_times)}")

# %% tags=["nbval-ignore-output"]
print(f"{'workload':24s} {'eager':>9s} {'compiled':>9s} {'PyTorch':>9s}   compiled/PyTorch")
for name, t in suite_times.items():
    print(f"{name:24s} {t['minitorch'] * 1e3:7.2f}ms {t['compiled'] * 1e3:7.2f}ms "
          f"{t['pytorch'] * 1e3:7.2f}ms   {t['compiled'] / t['pytorch']:.2f}")
fig, ax = plt.subplots(figsize=(7, 3))
names = list(suite_times)
positions = np.arange(len(names))
for offset, (key, label) in zip((-0.27, 0.0, 0.27), (("minitorch", "minitorch, eager"),
                                                     ("compiled", "minitorch, compiled"),
                                                     ("pytorch", "PyTorch, eager"))):
    _ = ax.barh(positions + offset, [suite_times[n][key] / suite_times[n]["pytorch"] for n in names],
                height=0.27, label=label)
_ = ax.axvline(1.0, color="k", lw=0.8)
_ = ax.set_yticks(positions, names)
_ = ax.set_xlabel("time per step, relative to PyTorch")
_ = ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# Where does a replay's time go now? `program.profile(args, kwargs)` runs the program with a
# clock around each line (the runs are real steps: they update the weights). On a wider MLP
# (784-256-10, batch 64, the shape of chapter 07's digits), the slowest lines:

# %%
wide = minitorch.nn.Sequential(minitorch.nn.Linear(784, 256), minitorch.nn.Tanh(),
                               minitorch.nn.Linear(256, 10))
x_wide, y_wide = minitorch.randn(64, 784), minitorch.randint(0, 10, (64,))
compiled_wide = minitorch.compile(make_step(minitorch, wide, minitorch.optim.SGD(wide.parameters(), lr=0.01)))
for _ in range(4):
    compiled_wide(x_wide, y_wide)
profile = compiled_wide.program.profile((x_wide, y_wide), {}, repeat=20)
matmul_share = sum(t for t, line in profile if "np.matmul" in line) / sum(t for t, _ in profile)

# %% tags=["nbval-ignore-output"]
for microseconds, line in profile[:6]:
    print(f"{microseconds:7.1f} us  {line}")
print(f"the {sum('np.matmul' in line for _, line in profile)} matrix products: "
      f"{matmul_share:.0%} of the replay's time")

# %% [markdown]
# The matrix products dominate: the replay is close to what the arithmetic costs. Where
# the compiled step stayed slower than PyTorch, as on the character LSTM, the program was a
# long chain of small calls: 32 time steps, each a matrix product and about fifteen
# elementwise calls on arrays of a few thousand numbers, one step waiting for the one
# before, while PyTorch runs the whole layer as one oneDNN kernel that reads each gate once.
# No arrangement of NumPy calls could close that gap: NumPy's `exp` and `tanh` of one
# step's gates alone (25 us here) plus its matrix product (36 us) cost more than PyTorch's
# whole step (44 us). So the accelerations layer has one kernel per time step too:
# `minitorch/fast/native/lstm_steps.c` computes a step's gates, cell and output in one pass
# in C (the same arithmetic, with glibc's vector `exp` and `tanh`), compiled on first use
# by the machine's C compiler, as PyTorch's Inductor compiles the C++ it writes. The
# replay calls it as one line, `lstm_steps_forward_step(...)`, beside each step's
# `np.matmul`; with no C compiler the NumPy loop runs. (The character MLP missed too, by
# its 16 embedding backwards, until they became one `np.add.at` each on a flat view of the
# table, the fast loop NumPy has for a flat index: the rows summed in the order their ids
# come, as PyTorch sums them.) What a real compiler (PyTorch's Inductor, XLA) would add
# next:
#
# * **fusing elementwise chains**: `tanh`, `1 - y*y`, the multiply by the upstream
#   gradient each walk the whole array and allocate a result; one generated loop (C,
#   Triton) would read each element once: the LSTM's kernel is such a loop, written by
#   hand, where a compiler would write one for any chain.
# * **preallocated buffers**: the replay allocates most intermediate arrays again at every
#   step; the shapes are known, so the buffers could be made once and written with `out=`
#   (the LSTM's own op already does this for its states).
#
# ## Checks

# %%
assert abs(loss_np - loss_eager.item()) < 1e-5                # NumPy by hand = minitorch
assert compiled_step.counts["replayed"] == 2 and compiled_step.counts["traced"] == 2
assert "fail(0)" in program_lines[2] and any("._grad = Tensor._from_array" in line for line in program_lines)
assert compiled_counter.counts["replayed"] == 0 and "0.6)' became" in compiled_counter.eager_reason
assert len(caught) == 1 and "runs eagerly" in str(caught[0].message)
assert any(" = 0.9 ** s" in line for line in number_lines)     # Adam's bias correction, replayed
assert any(line.startswith("if s") for line in number_lines)   # cross_entropy's guards
assert compiled_adam.counts["guard_failures"] == 1
torch_error = None
try:
    torch.nn.functional.cross_entropy(torch.zeros(32, 4), torch.tensor(bad_targets))
except IndexError as err:
    torch_error = str(err)
assert torch_error == str(compiled_error)                       # PyTorch's error, word for word
assert len(history) == 5 and out.grad_fn is None
assert np.array_equal(compiled_losses, eager_losses)            # bit for bit
assert all(np.array_equal(a, b) for a, b in zip(compiled_weights, eager_weights))
np.testing.assert_allclose(compiled_losses, torch_losses, rtol=1e-4, atol=1e-6)
for a, b in zip(compiled_weights, torch_weights):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
assert compiled_run.counts["replayed"] == 27 and compiled_wide.counts["replayed"] >= 1
assert set(suite_times) >= {"char_mlp", "char_lstm"} and all(len(t) == 3 for t in suite_times.values())
course.summary(check.traced_array(Tape), check.live_lines(live_lines))

# %% [markdown]
# ## Try next
#
# * Compile chapter 11's transformer step and print its program: find the softmax's
#   backward and the attention mask (a constant).
# * Add `__array_function__` to your `TracedArray` and trace a function that uses
#   `np.concatenate`.
# * Extend `live_lines` with guards: a line `(None, "guard", inputs, None)` must always stay.
#
# This is the last chapter: you have built the framework, and now watched it compiled.
# The whole path is in [the syllabus](README.md).
