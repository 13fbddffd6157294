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
# # 01 · Derivatives and the chain rule
#
# Every deep-learning framework rests on one idea: if a program computes a number from
# other numbers using simple steps, we can find how the result changes when any input
# changes, by going through the steps *backwards* and multiplying local slopes.
# This is the chain rule, run by a computer; it is called reverse-mode automatic
# differentiation, or *backpropagation*.
#
# In this chapter we
#
# 1. measure a derivative numerically, with central differences;
# 2. build a complete scalar autodiff engine from scratch (about 60 lines);
# 3. run the same computation in minitorch and in PyTorch, and check that all three agree;
# 4. look at the graph minitorch recorded, with its values and gradients.

# %% [markdown]
# ### How the exercises work
#
# Cells with `# YOUR CODE HERE` are yours to fill in (this page shows the solutions; your copy
# in `exercises/` has stubs). After each one, a check cell runs your code on several inputs and
# compares with the exact answer and with PyTorch: **✔** when it is right, **✘** with the input,
# expected vs got and a hint when it is not, **…** while the stub is still there.
#
# Cells marked `#@save` are saved, as you run them, into your own small package `mytorch`
# (here `mytorch/ch01.py`). Later chapters import from it: the engine you write now is the one
# that trains a network at the end of this chapter, and the one chapter 03 grows into tensors.

# %%
import inspect
import math

import minitorch
import torch
import viz
from minitorch import course
from minitorch.course import ch01 as check

course.start("01")

# %% [markdown]
# ## 1. A derivative is a slope
#
# For $f(x) = x^3 - 2x$, calculus says $f'(x) = 3x^2 - 2$. Without calculus, we can
# measure the slope: nudge $x$ a little both ways and divide the change in $f$ by the
# change in $x$. The *central* difference $\frac{f(x+h) - f(x-h)}{2h}$ is accurate to
# order $h^2$, much better than the one-sided $\frac{f(x+h) - f(x)}{h}$.

#
# **Exercise 1.1.** Write `central_difference(f, x, h)`.

# %%
#@save
def central_difference(f, x, h=1e-5):
    """The slope of f at x, measured: (f(x + h) - f(x - h)) / 2h."""
    ### BEGIN SOLUTION
    return (f(x + h) - f(x - h)) / (2 * h)
    ### END SOLUTION


# %%
check.central_difference(central_difference)

# %% [markdown]
# How good is the estimate? The one-sided difference's error shrinks like $h$, the central
# one's like $h^2$ (until $h$ is so small that rounding takes over):

# %%
def f(x):
    return x**3 - 2 * x


x0 = 1.5
with course.needs("central_difference"):
    for h in (1e-1, 1e-3, 1e-5):
        one_sided = (f(x0 + h) - f(x0)) / h
        central = central_difference(f, x0, h)
        print(f"h={h:.0e}  one-sided {one_sided:.6f}  central {central:.6f}  "
              f"exact {3 * x0**2 - 2:.6f}")

# %% [markdown]
# Finite differences need two evaluations of $f$ *per input*. A network has millions of
# inputs (its weights), so this is far too slow for training, but it remains the best way
# to *check* gradients. minitorch's `autograd.gradcheck` does exactly this.
#
# ## 2. The chain rule
#
# If $y = g(u)$ and $u = h(x)$, then $\frac{dy}{dx} = \frac{dy}{du}\cdot\frac{du}{dx}$.
# Each step only needs its *local* derivative. A program is a long chain (really a graph)
# of such steps, so if every step knows its local derivative we can multiply our way back
# from the output to every input, in one sweep. Where a value is used twice, the two
# paths' contributions **add up**.
#
# ## 3. A scalar autodiff engine from scratch
#
# `Value` wraps one number. Each operation returns a new `Value` that remembers its inputs
# and a small function that pushes the output's gradient to the inputs (the local
# derivative times the incoming gradient, added with `+=`).
#
# `backward()` must run those small functions in the right order: a node's gradient is
# complete only once every node that uses it has pushed its share, so we visit the graph in
# **topological order** (each node after its children) and run it reversed.
#
# **Exercise 1.2.** Write `topological_order(root)`: every node reachable from `root` through
# `_children`, each exactly once, each after its children. Use an explicit stack rather than
# recursion: a chain of a few thousand operations would overflow Python's recursion limit.

# %%
#@save
def topological_order(root):
    """Every node reachable from root, each listed after all of its children (root last)."""
    ### BEGIN SOLUTION
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:            # second visit: everything below is listed
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))   # come back to it after its children
        stack.extend((child, False) for child in node._children)
    return order
    ### END SOLUTION


# %% [markdown]
# **Exercise 1.3.** Fill in the local derivatives of `*`, `**` and `tanh` in `Value` (`+` is
# done for you as an example). Each backward *adds* its contribution to `.grad`.

# %%
#@save
import math


class Value:
    """A number that remembers how it was computed, so gradients can flow back."""

    def __init__(self, data, children=(), op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._children = children
        self.op = op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def backward():              # d(a+b)/da = 1, d(a+b)/db = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def backward():              # d(ab)/da = b, d(ab)/db = a
            ### BEGIN SOLUTION
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def __pow__(self, k):
        out = Value(self.data**k, (self,), f"**{k}")

        def backward():              # d(a^k)/da = k a^(k-1)
            ### BEGIN SOLUTION
            self.grad += k * self.data ** (k - 1) * out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def backward():              # d tanh(a)/da = 1 - tanh(a)^2
            ### BEGIN SOLUTION
            self.grad += (1 - t * t) * out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def backward():              # d relu(a)/da = 1 where a > 0, else 0
            self.grad += (self.data > 0) * out.grad
        out._backward = backward
        return out

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        """Seed d(self)/d(self) = 1, then run each node's local backward, outputs first."""
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"


# %%
check.topological_order(topological_order, Value)

# %%
check.value(Value)

# %% [markdown]
# A single neuron: $y = \tanh(w_1 x_1 + w_2 x_2 + b)$, followed by a squared error.
# Note that `x1` is used twice (once in the neuron and once in the loss), so its gradient
# is a sum of two paths.

# %%
x1, x2 = Value(2.0), Value(-1.0)
w1, w2, b = Value(-0.5), Value(1.5), Value(0.3)
with course.needs("your Value"):
    y = (w1 * x1 + w2 * x2 + b).tanh()
    loss = (y - x1 * 0.1) ** 2
    loss.backward()
    for name, v in [("x1", x1), ("x2", x2), ("w1", w1), ("w2", w2), ("b", b), ("loss", loss)]:
        print(f"{name:4s} {v}")

# %% [markdown]
# Check one gradient against a central difference on the same expression:

# %%
def neuron_loss(w1_value):
    x1, x2 = 2.0, -1.0
    y = math.tanh(w1_value * x1 + 1.5 * x2 + 0.3)
    return (y - x1 * 0.1) ** 2


with course.needs("your central_difference"):
    numeric = central_difference(neuron_loss, -0.5, h=1e-6)
    print(f"dloss/dw1: engine {w1.grad:.6f}, central difference {numeric:.6f}")

# %% [markdown]
# ### Your engine learns
#
# Those few lines are enough to train a neural network. A multi-layer perceptron is neurons
# in layers, each neuron $\tanh(w \cdot x + b)$; the loss is the mean squared distance to the
# labels $\pm 1$; a training step lowers every weight a little along minus its gradient.
# Here the network, 2 inputs → 8 tanh neurons → 1, learns to tell apart the two interleaved
# half-moons (60 points), in about a second.

# %%
class Neuron:
    def __init__(self, n_inputs, rng):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(n_inputs)]
        self.b = Value(0.0)

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    def parameters(self):
        return self.w + [self.b]


class MLP:
    def __init__(self, sizes, rng):
        self.layers = [[Neuron(n_in, rng) for _ in range(n_out)]
                       for n_in, n_out in zip(sizes, sizes[1:])]

    def __call__(self, x):
        for layer in self.layers:
            x = [neuron(x) for neuron in layer]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for neuron in layer for p in neuron.parameters()]


import random

moons = minitorch.datasets.make_moons(60, noise=0.1, generator=minitorch.Generator().manual_seed(0))
points, labels = moons.tensors[0].tolist(), [2 * y - 1 for y in moons.tensors[1].tolist()]
model = MLP([2, 8, 1], random.Random(0))
with course.needs("your Value"):
    for step in range(80):
        predictions = [model(x) for x in points]
        loss = sum(((p - y) ** 2 for p, y in zip(predictions, labels)), Value(0.0)) * (1 / len(points))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
        if step % 20 == 0 or step == 79:
            accuracy = sum((p.data > 0) == (y > 0) for p, y in zip(predictions, labels)) / len(points)
            print(f"step {step:2d}  loss {loss.data:.4f}  accuracy {accuracy:.0%}")

# %% [markdown]
# ## 4. The same computation in minitorch and in PyTorch
#
# minitorch works on tensors, but a 0-d tensor is just a number. `requires_grad=True`
# asks it to record operations; `backward()` runs the chain rule through that record.
# The code is identical for both libraries: only the module differs.

# %%
def neuron(lib, backward=True):
    x1, x2 = lib.tensor(2.0, requires_grad=True), lib.tensor(-1.0, requires_grad=True)
    w1, w2 = lib.tensor(-0.5, requires_grad=True), lib.tensor(1.5, requires_grad=True)
    b = lib.tensor(0.3, requires_grad=True)
    y = (w1 * x1 + w2 * x2 + b).tanh()
    loss = (y - x1 * 0.1) ** 2
    if backward:
        loss.backward()
    return loss, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


mt_loss, mt_inputs = neuron(minitorch)
th_loss, th_inputs = neuron(torch)
for name in mt_inputs:
    print(f"{name:3s} minitorch {mt_inputs[name].grad.item():+.6f}   "
          f"PyTorch {th_inputs[name].grad.item():+.6f}")

# %% [markdown]
# ### The recorded graph
#
# Each rounded box is an operation minitorch recorded (with PyTorch's names:
# `MulBackward0`...), each square box a tensor with its value and gradient.
# To keep memory low, backward does not store the gradients of intermediate tensors, only
# of the leaves; `viz.trace_backward` runs the backward pass while recording every
# gradient it computes, so the picture can show all of them, like `Value`'s `grad` in
# our engine. `x1` fans out to two consumers, so its gradient is the sum of the two
# contributions.

# %%
loss_to_draw, inputs_to_draw = neuron(minitorch, backward=False)
viz.draw(loss_to_draw, params=inputs_to_draw, trace=viz.trace_backward(loss_to_draw))

# %% [markdown]
# The same graph as text, one line per recorded operation (this is what `viz.listing`
# gives, and it is easy to diff):

# %%
print(viz.listing(mt_loss, params=mt_inputs))

# %% [markdown]
# ## 5. How minitorch does it
#
# minitorch's multiplication is the same idea as `Value.__mul__`, written as a `Function`
# with a `forward` and a `backward` side by side. The backward uses tensor operations
# itself (so that gradients can be differentiated again, chapter 04), and
# `sum_to_shape` undoes broadcasting (chapter 03).

# %%
print(inspect.getsource(minitorch.ops.pointwise.Mul))

# %% [markdown]
# ## Checks
#
# Your exercises, once more; then minitorch's own gradients against a central-difference
# check (independent of your code).

# %%
x = minitorch.tensor([0.3, -1.2, 2.0], dtype=minitorch.float64, requires_grad=True)
assert minitorch.autograd.gradcheck(lambda t: ((t * 1.5 - 0.5).tanh() ** 2).sum(), (x,))
assert abs(mt_loss.item() - th_loss.item()) < 1e-6
course.summary(check.central_difference(central_difference),
               check.topological_order(topological_order, Value),
               check.value(Value))

# %% [markdown]
# ## Try next
#
# * Add `exp` and `log` to `Value`, with their local derivatives, and train the MLP with a
#   cross-entropy loss instead of the squared error.
# * Replace `+=` by `=` in `Value.__add__`'s backward and run `x + x`: which gradient is
#   wrong, and why? (Every framework must *accumulate* where a value fans out.)
# * Use `minitorch.autograd.gradcheck` on a function of your own.

# %% [markdown]
# **Next:** [02 · Tensors: storage, shape, strides, views](02_tensors.ipynb). The whole path is in [the syllabus](README.md).
