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

# %%
import inspect

import numpy as np

import minitorch
import torch
import viz
from minitorch.autograd import Function

# %% [markdown]
# ## 1. Function and ctx
#
# A custom operation subclasses `Function`. `forward` computes the result and saves what
# `backward` will need; `backward` receives $\partial L/\partial \text{output}$ and returns
# $\partial L/\partial \text{input}$ for each input. Here $f(x) = x \cdot \sigma(x)$
# (SiLU), with $f'(x) = \sigma(x)\,(1 + x\,(1 - \sigma(x)))$.

# %%
class SiLU(Function):
    @staticmethod
    def forward(ctx, x):
        s = x.sigmoid()
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        return grad_output * s * (1 + x * (1 - s))


x = minitorch.tensor([-2.0, 0.0, 1.5], requires_grad=True)
y = SiLU.apply(x)
y.sum().backward()
print("y      ", y)
print("dy/dx  ", x.grad)

xt = torch.tensor([-2.0, 0.0, 1.5], requires_grad=True)
torch.nn.functional.silu(xt).sum().backward()
print("PyTorch", xt.grad)

# %% [markdown]
# PyTorch's own operations are built the same way, and so are minitorch's: `exp` saves its
# output because $\frac{d}{dx} e^x = e^x$.

# %%
print(inspect.getsource(minitorch.ops.unary.Exp))

# %% [markdown]
# ## 2. Gradients of broadcast inputs
#
# Adding a bias of shape `(3,)` to a batch of shape `(4, 3)` *broadcasts* the bias: it is
# used four times. By chapter 01's rule, a value used several times receives the *sum* of
# the gradients of its uses, so the gradient of the bias is the upstream gradient summed
# over the batch dimension. The general rule: sum over the dimensions broadcasting added
# in front, and over the dimensions it stretched from size 1 (keeping them).

# %%
def unbroadcast(grad, shape):
    """Reduce `grad` (a NumPy array) to `shape` by summing what broadcasting added."""
    while grad.ndim > len(shape):                 # dimensions added in front
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):           # dimensions stretched from 1
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


upstream = np.arange(12, dtype=np.float32).reshape(4, 3)
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
print(inspect.getsource(minitorch.ops._helpers.sum_to_shape))

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
print("SiLU passes gradcheck:", minitorch.autograd.gradcheck(SiLU.apply, (x,)))

# %% [markdown]
# ## Checks

# %%
rng = np.random.default_rng(0)
data = rng.standard_normal(6)
x_mt = minitorch.tensor(data, requires_grad=True)
x_th = torch.tensor(data, requires_grad=True)
SiLU.apply(x_mt).sum().backward()
torch.nn.functional.silu(x_th).sum().backward()
np.testing.assert_allclose(x_mt.grad.numpy(), x_th.grad.numpy(), rtol=1e-12)

a_th = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
x_th = a_th * 1
x_th[0].mul_(10)
(x_th * x_th).sum().backward()
np.testing.assert_allclose(a.grad.numpy(), a_th.grad.numpy())

upstream = rng.standard_normal((5, 4, 3))
for shape in [(3,), (4, 1), (1, 4, 3), (5, 1, 1), ()]:
    t = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    (t * torch.ones(5, 4, 3, dtype=torch.float64)).backward(torch.tensor(upstream))
    np.testing.assert_allclose(unbroadcast(upstream, shape), t.grad.numpy())
    g = minitorch.ops._helpers.sum_to_shape(minitorch.tensor(upstream), shape)
    np.testing.assert_allclose(g.numpy(), t.grad.numpy())
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Write `Function`s for `x.abs()` and for a two-input `hypot(x, y)`, and gradcheck them.
# * What does `ctx.needs_input_grad` contain when only one input requires grad? Use it to
#   skip work in backward.
# * Register a hook with `t.register_hook(print)` on an intermediate tensor and watch the
#   gradient pass through.
