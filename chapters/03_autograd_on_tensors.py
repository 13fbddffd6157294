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
# # 03 · Autograd on tensors
#
# Chapter 01's engine worked on single numbers. Real autograd works on tensors, and that
# adds a few ideas this chapter builds one at a time:
#
# 1. **Function and ctx**: an operation is a forward and a backward side by side; `ctx`
#    carries what the backward needs.
# 2. **Reducing a gradient back to a broadcast input's shape**: the step learners most
#    often get wrong.
# 3. **Topological order** of the backward pass, shown step by step.
# 4. **retain_graph, no_grad, in-place operations and version counters.**
# 5. **gradcheck**: central differences as the referee.
# 6. **Your own tensor engine**: chapter 01's `Value`, with every number an array, trains a
#    network in a fraction of the time.
#
# Exercises 3.1-3.4 are yours; your pieces are saved into `mytorch/ch03.py`, next to
# chapter 01's.

# %%
import inspect

import numpy as np

import minitorch
import torch
import viz
from IPython.display import Code
from minitorch import course
from minitorch.autograd import Function
from minitorch.course import ch03 as check

course.start("03")

# %% [markdown]
# ## 1. Function and ctx
#
# A custom operation subclasses `Function`. `forward` computes the result and saves what
# `backward` will need; `backward` receives $\partial L/\partial \text{output}$ and returns
# $\partial L/\partial \text{input}$ for each input. Here $f(x) = x \cdot \sigma(x)$
# (SiLU), with $f'(x) = \sigma(x)\,(1 + x\,(1 - \sigma(x)))$.
#
# **Exercise 3.1.** Write SiLU's `backward`: the incoming gradient times the local derivative,
# from what `forward` saved.

# %%
#@save
from minitorch.autograd import Function


class SiLU(Function):
    """x * sigmoid(x); d/dx = s (1 + x (1 - s)) with s = sigmoid(x); saves x and s."""

    @staticmethod
    def forward(ctx, x):
        s = x.sigmoid()
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        ### BEGIN SOLUTION
        return grad_output * s * (1 + x * (1 - s))
        ### END SOLUTION


# %%
check.silu(SiLU)

# %%
x = minitorch.tensor([-2.0, 0.0, 1.5], requires_grad=True)
xt = torch.tensor([-2.0, 0.0, 1.5], requires_grad=True)
torch.nn.functional.silu(xt).sum().backward()
with course.needs("your SiLU.backward"):
    y = SiLU.apply(x)
    y.sum().backward()
    print("y      ", y)
    print("dy/dx  ", x.grad)
    print("PyTorch", xt.grad)

# %% [markdown]
# PyTorch's own operations are built the same way, and so are minitorch's: `exp` saves its
# output because $\frac{d}{dx} e^x = e^x$.

# %%
Code(inspect.getsource(minitorch.ops.unary.Exp), language="python")

# %% [markdown]
# ## 2. Gradients of broadcast inputs
#
# Adding a bias of shape `(3,)` to a batch of shape `(4, 3)` *broadcasts* the bias: it is
# used four times. By chapter 01's rule, a value used several times receives the *sum* of
# the gradients of its uses, so the gradient of the bias is the upstream gradient summed
# over the batch dimension. The general rule: sum over the dimensions broadcasting added
# in front, and over the dimensions it stretched from size 1 (keeping them).
#
# **Exercise 3.2.** Write `unbroadcast(grad, shape)` for NumPy arrays.

# %%
#@save
import numpy as np


def unbroadcast(grad, shape):
    """Reduce `grad` (a NumPy array) to `shape` by summing what broadcasting added."""
    ### BEGIN SOLUTION
    while grad.ndim > len(shape):                 # dimensions added in front
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):           # dimensions stretched from 1
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad
    ### END SOLUTION


# %%
check.unbroadcast(unbroadcast)

# %%
upstream = np.arange(12, dtype=np.float32).reshape(4, 3)
with course.needs("your unbroadcast"):
    print("bias (3,)    :", unbroadcast(upstream, (3,)))
    print("column (4, 1):", unbroadcast(upstream, (4, 1)).ravel())
    print("scalar ()    :", unbroadcast(upstream, ()))

# %% [markdown]
# Forgetting this gives a gradient of the wrong shape, which minitorch's engine refuses:

# %%
class BiasAddWithoutUnbroadcast(Function):
    @staticmethod
    def forward(ctx, x, bias):
        return x + bias

    @staticmethod
    def backward(ctx, grad):
        return grad, grad  # wrong for `bias`: shape (4, 3) instead of (3,)


x = minitorch.randn(4, 3, requires_grad=True)
bias = minitorch.zeros(3, requires_grad=True)
try:
    BiasAddWithoutUnbroadcast.apply(x, bias).sum().backward()
except RuntimeError as err:
    print("RuntimeError:", err)

# %% [markdown]
# minitorch has exactly one helper for this, used by every broadcasting operation, and
# written with tensor operations so that it can itself be differentiated:

# %%
source = inspect.getsource(minitorch.ops._helpers.sum_to_shape)
# trimmed to the rule above: the docstring's first line, and the rare case of leading 1-dims
# that broadcasting dropped (``x[0] = v``) left out
head, body = source.split("    Broadcasting prepended", 1)
body = body.split('"""\n', 1)[1]
rare_case = body[body.index("    if grad.ndim < len(shape):"):body.index("    lead = ")]
Code(head.rstrip() + '"""\n' + body.replace(rare_case, "    ...  # (leading 1-dims that broadcasting dropped)\n"),
     language="python")

# %%
for lib in (minitorch, torch):
    x = lib.tensor(upstream * 0 + 1, requires_grad=True)
    b = lib.tensor([[1.0], [2.0], [3.0], [4.0]], requires_grad=True)
    ((x * b) ** 2).sum().backward()
    print(f"{lib.__name__:9s} d/db = {b.grad.reshape(-1).tolist()}")

# %% [markdown]
# ## 3. The order of the backward pass
#
# The engine runs a node only after every node that consumes its output has sent its
# gradient (a reverse topological order); among ready nodes, the most recently created
# goes first, as in PyTorch. The filmstrip shows each step: the node being processed and
# the gradients known so far.

# %%
w = minitorch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
inp = minitorch.tensor([[1.0, 2.0]])
h = (inp @ w).tanh()
out = (h * h).sum() + h.sum()
viz.backward_steps(out, params={"w": w, "x": inp})

# %% [markdown]
# ## 4. retain_graph, no_grad, in-place operations
#
# After `backward`, the tensors saved for it are freed; a second backward needs
# `retain_graph=True`:

# %%
a = minitorch.tensor([1.0, 2.0], requires_grad=True)
loss = (a.exp() * a).sum()
loss.backward(retain_graph=True)
loss.backward()                      # fine: the graph was retained
print("accumulated twice:", a.grad)
try:
    loss.backward()
except RuntimeError as err:
    print("RuntimeError:", str(err)[:80], "...")

# %% [markdown]
# Under `no_grad` nothing is recorded: that is how parameters are updated.

# %%
with minitorch.no_grad():
    updated = a - 0.1 * a.grad
print(updated.requires_grad, updated.grad_fn)

# %% [markdown]
# Every tensor carries a *version counter*, bumped by each in-place operation and shared
# with its views. A saved tensor remembers the version it had; if it changed before
# backward, the gradient would be silently wrong, so the engine refuses:

# %%
a = minitorch.tensor([1.0, 2.0], requires_grad=True)
e = a.exp()            # ExpBackward saves its output e
loss = e.sum()
e2 = e * e             # MulBackward saves e too
e.add_(1)              # modifies e in place: version 0 -> 1
print("version of e:", e._version)
try:
    e2.sum().backward()
except RuntimeError as err:
    print("RuntimeError:", str(err)[:150], "...")

# %% [markdown]
# A view shares its base's memory, so writing a view in place changes the base too, and
# the base's history must say so. As in PyTorch, it then ends in a `CopySlices` node: its
# backward hands the written region's part of the gradient to the in-place op's own
# backward, and passes the rest of the gradient through unchanged.

# %%
a = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
x = a * 1
x[0].mul_(10)                          # writes x's first row, through the view x[0]
print(x.grad_fn.name(), "->", [n.name() for n, _ in x.grad_fn.next_functions if n is not None])
(x * x).sum().backward()
print("a.grad:", a.grad)               # 2 * 10 * 10 * a in the first row, 2 * a in the second

# %% [markdown]
# ## 5. gradcheck
#
# `gradcheck` compares backward's gradient with central differences, one input element
# at a time, in float64. It is how every minitorch operation is tested, next to the
# comparison with PyTorch.

# %%
x = minitorch.tensor(np.linspace(-2, 2, 5), requires_grad=True)
with course.needs("your SiLU.backward"):
    print("SiLU passes gradcheck:", minitorch.autograd.gradcheck(SiLU.apply, (x,)))

# %% [markdown]
# ## 6. Your own tensor engine
#
# Everything above fits in a page. Chapter 01's `Value` held one number; make every number
# a NumPy array and it becomes a tensor engine: the local derivatives are the same, except
# that `@` needs transposes ($\partial L/\partial A = G B^T$, $\partial L/\partial B = A^T G$
# for $C = AB$) and every broadcasting operation hands its gradient through `unbroadcast`.
# The order of the backward pass is chapter 01's `topological_order`, imported from your
# package.
#
# **Exercise 3.3.** Fill in the backward of `+`, `*`, `@` and `sum`.
#
# **Exercise 3.4.** Write `Tensor.backward`: seed the output's gradient with ones, then run
# each node's local backward, outputs first.

# %%
#@save
import numpy as np

from mytorch.ch01 import topological_order


class Tensor:
    """An array that remembers how it was computed: chapter 01's Value, for arrays."""

    def __init__(self, data, children=(), op=""):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = 0.0              # becomes an array of data's shape during backward
        self._backward = lambda: None
        self._children = children
        self.op = op

    @property
    def shape(self):
        return self.data.shape

    def __add__(self, other):
        other = other if isinstance(other, Tensor) else Tensor(other)
        out = Tensor(self.data + other.data, (self, other), "+")

        def backward():
            ### BEGIN SOLUTION
            self.grad += unbroadcast(out.grad, self.shape)
            other.grad += unbroadcast(out.grad, other.shape)
            ### END SOLUTION
        out._backward = backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Tensor) else Tensor(other)
        out = Tensor(self.data * other.data, (self, other), "*")

        def backward():
            ### BEGIN SOLUTION
            self.grad += unbroadcast(other.data * out.grad, self.shape)
            other.grad += unbroadcast(self.data * out.grad, other.shape)
            ### END SOLUTION
        out._backward = backward
        return out

    def __matmul__(self, other):     # 2-D @ 2-D
        out = Tensor(self.data @ other.data, (self, other), "@")

        def backward():
            ### BEGIN SOLUTION
            self.grad += out.grad @ other.data.T
            other.grad += self.data.T @ out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def sum(self):
        out = Tensor(self.data.sum(), (self,), "sum")

        def backward():              # every element contributed once
            ### BEGIN SOLUTION
            self.grad += np.ones_like(self.data) * out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def tanh(self):
        t = np.tanh(self.data)
        out = Tensor(t, (self,), "tanh")

        def backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        """Seed d(self)/d(self) = 1 (an array of ones), then run each node's local backward."""
        ### BEGIN SOLUTION
        self.grad = np.ones_like(self.data)
        for node in reversed(topological_order(self)):
            node._backward()
        ### END SOLUTION

    def __repr__(self):
        return f"Tensor(shape={self.shape}, op={self.op!r})"


# %%
check.tensor_ops(Tensor)

# %%
check.tensor_backward(Tensor)

# %% [markdown]
# Your engine now trains chapter 01's two-moons network with whole arrays: one `@` per layer
# instead of one `Value` per multiplication, so 200 points and 300 steps take well under a
# second (chapter 01's scalar engine needed a second for 60 points and 80 steps).

# %%
import matplotlib.pyplot as plt

moons = minitorch.datasets.make_moons(200, noise=0.1, generator=minitorch.Generator().manual_seed(0))
points = moons.tensors[0].numpy().astype(np.float64)
labels = (2.0 * moons.tensors[1].numpy() - 1).reshape(-1, 1)
rng = np.random.default_rng(0)
w1, b1 = Tensor(rng.uniform(-1, 1, (2, 16))), Tensor(np.zeros(16))
w2, b2 = Tensor(rng.uniform(-0.25, 0.25, (16, 1))), Tensor(np.zeros(1))
losses = []
with course.needs("your Tensor"):
    for step in range(300):
        prediction = ((Tensor(points) @ w1 + b1).tanh() @ w2 + b2).tanh()
        error = prediction - Tensor(labels)
        loss = (error * error).sum() * (1 / len(points))
        for p in (w1, b1, w2, b2):
            p.grad = 0.0
        loss.backward()
        for p in (w1, b1, w2, b2):
            p.data -= 0.2 * p.grad
        losses.append(float(loss.data))
    accuracy = np.mean((prediction.data > 0) == (labels > 0))
    print(f"loss {losses[0]:.3f} -> {losses[-1]:.3f}, training accuracy {accuracy:.1%}")

    grid = np.stack(np.meshgrid(np.linspace(-1.5, 2.5, 80), np.linspace(-1, 1.5, 60)), -1)
    surface = ((Tensor(grid.reshape(-1, 2)) @ w1 + b1).tanh() @ w2 + b2).tanh().data
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    _ = left.plot(losses)
    _ = left.set(xlabel="step", ylabel="mean squared error", title="training loss")
    _ = right.contourf(grid[..., 0], grid[..., 1], surface.reshape(60, 80), levels=20, cmap="RdBu",
                       alpha=0.6)
    _ = right.scatter(points[:, 0], points[:, 1], c=labels.ravel(), cmap="RdBu", edgecolors="k", s=15)
    _ = right.set(title="what your engine learned")
    plt.show()

# %% [markdown]
# ## Checks
#
# minitorch's in-place-on-view gradient and its `sum_to_shape` against PyTorch (independent
# of your code), then your exercises once more.

# %%
rng = np.random.default_rng(0)
a_th = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
x_th = a_th * 1
x_th[0].mul_(10)
(x_th * x_th).sum().backward()
np.testing.assert_allclose(a.grad.numpy(), a_th.grad.numpy())

upstream = rng.standard_normal((5, 4, 3))
for shape in [(3,), (4, 1), (1, 4, 3), (5, 1, 1), ()]:
    t = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    (t * torch.ones(5, 4, 3, dtype=torch.float64)).backward(torch.tensor(upstream))
    g = minitorch.ops._helpers.sum_to_shape(minitorch.tensor(upstream), shape)
    np.testing.assert_allclose(g.numpy(), t.grad.numpy())
course.summary(check.silu(SiLU), check.unbroadcast(unbroadcast), check.tensor_ops(Tensor),
               check.tensor_backward(Tensor))

# %% [markdown]
# ## Try next
#
# * Write `Function`s for `x.abs()` and for a two-input `hypot(x, y)`, and gradcheck them.
# * What does `ctx.needs_input_grad` contain when only one input requires grad? Use it to
#   skip work in backward.
# * Register a hook with `t.register_hook(print)` on an intermediate tensor and watch the
#   gradient pass through.

# %% [markdown]
# **Next:** [04 · Higher-order gradients](04_higher_order_gradients.ipynb). The whole path is in [the syllabus](README.md).
