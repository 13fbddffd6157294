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
# # 04 · Higher-order gradients
#
# minitorch's backward formulas are written with minitorch's own tensor operations. So if
# we ask the engine to *record* while it runs backward (`create_graph=True`), the gradient
# it returns is itself the output of a recorded graph, and we can differentiate it again.
# This chapter uses that for
#
# 1. second and third derivatives of a scalar function;
# 2. Hessian-vector products without ever building the Hessian;
# 3. a gradient penalty, a loss that contains a gradient (as in WGAN-GP training).

# %%
import inspect

import numpy as np

import minitorch
import torch

# %% [markdown]
# ## 1. Derivatives of derivatives
#
# Take $f(x) = x^4 - 2x^2$:
# $f'(x) = 4x^3 - 4x$, $f''(x) = 12x^2 - 4$, $f'''(x) = 24x$.

# %%
def derivatives(lib, value):
    x = lib.tensor(value, dtype=lib.float64, requires_grad=True)
    f = x**4 - 2 * x**2
    (d1,) = lib.autograd.grad(f, x, create_graph=True)
    (d2,) = lib.autograd.grad(d1, x, create_graph=True)
    (d3,) = lib.autograd.grad(d2, x)
    return [d.item() for d in (d1, d2, d3)]


value = 1.5
exact = [4 * value**3 - 4 * value, 12 * value**2 - 4, 24 * value]
print("exact    ", [f"{v:.4f}" for v in exact])
print("minitorch", [f"{v:.4f}" for v in derivatives(minitorch, value)])
print("PyTorch  ", [f"{v:.4f}" for v in derivatives(torch, value)])

# %% [markdown]
# With `create_graph=True`, the first gradient has a `grad_fn`: it is an ordinary
# recorded tensor.

# %%
x = minitorch.tensor(1.5, requires_grad=True)
(g,) = minitorch.autograd.grad(x**4, x, create_graph=True)
print(g)

# %% [markdown]
# Why this works: every backward in minitorch is written with minitorch's own tensor
# operations. `tanh`'s backward, for instance, is `grad * (1 - result * result)`: a
# multiplication and a subtraction. The engine runs each backward with recording switched
# *off*, unless `create_graph=True`, in which case those operations are recorded like any
# forward code, and the gradient gets a graph of its own:

# %%
print(inspect.getsource(minitorch.ops.unary.Tanh))
x = minitorch.tensor(0.5, requires_grad=True)
(g,) = minitorch.autograd.grad(x.tanh(), x, create_graph=True)
print(f"d tanh/dx at 0.5 = {g.item():.6f}, recorded as {g.grad_fn.name()}")
(g2,) = minitorch.autograd.grad(g, x)
print(f"d2 tanh/dx2 at 0.5 = {g2.item():.6f}  (exact: {-2 * np.tanh(0.5) * (1 - np.tanh(0.5) ** 2):.6f})")

# %% [markdown]
# ## 2. Hessian-vector products
#
# The Hessian $H = \nabla^2 f$ of a function of $n$ variables has $n^2$ entries, too many
# to build for a network. But $Hv$ for a given vector $v$ is the gradient of
# $\nabla f \cdot v$, which costs about two backward passes:
# $Hv = \nabla_x \left( \nabla_x f(x) \cdot v \right)$.

# %%
rng = np.random.default_rng(0)
n = 5
A = rng.standard_normal((n, n))
A = A @ A.T  # symmetric
x0 = rng.standard_normal(n)
v0 = rng.standard_normal(n)


def f(lib, x):
    A_t = lib.tensor(A)
    return 0.5 * (x @ A_t @ x) + (x**2).sum().sqrt()


def hvp(lib):
    x = lib.tensor(x0, requires_grad=True)
    (grad,) = lib.autograd.grad(f(lib, x), x, create_graph=True)
    (hv,) = lib.autograd.grad((grad * lib.tensor(v0)).sum(), x)
    return hv.detach().numpy()


# The Hessian in closed form: A + (I |x|^2 - x x^T) / |x|^3
norm = np.linalg.norm(x0)
H = A + (np.eye(n) * norm**2 - np.outer(x0, x0)) / norm**3
print("closed form", np.round(H @ v0, 4))
print("minitorch  ", np.round(hvp(minitorch), 4))
print("PyTorch    ", np.round(hvp(torch), 4))

# %% [markdown]
# ## 3. A gradient penalty
#
# Some losses contain a gradient. WGAN-GP, for instance, asks a critic $D$ to have
# gradient norm 1 with respect to its input: $\lambda\,(\lVert \nabla_x D(x) \rVert - 1)^2$.
# Training the critic then needs the gradient of that penalty with respect to the
# critic's *weights*: a second-order derivative. A small critic, in both libraries from the
# same weights:

# %%
W1 = rng.standard_normal((2, 8)) * 0.5
W2 = rng.standard_normal((8, 1)) * 0.5
points = rng.standard_normal((16, 2))


def penalty_gradients(lib):
    w1 = lib.tensor(W1, requires_grad=True)
    w2 = lib.tensor(W2, requires_grad=True)
    x = lib.tensor(points, requires_grad=True)
    critic = ((x @ w1).tanh() @ w2).sum()
    (grad_x,) = lib.autograd.grad(critic, x, create_graph=True)
    penalty = 10 * (((grad_x**2).sum(1)).sqrt() - 1).pow(2).mean()
    penalty.backward()
    return penalty.item(), w1.grad.numpy(), w2.grad.numpy()


mt_penalty, mt_g1, mt_g2 = penalty_gradients(minitorch)
th_penalty, th_g1, th_g2 = penalty_gradients(torch)
print(f"penalty: minitorch {mt_penalty:.6f}, PyTorch {th_penalty:.6f}")
print("d penalty / d w2 (first 4):", np.round(mt_g2[:4, 0], 5), np.round(th_g2[:4, 0], 5))

# %% [markdown]
# ## Checks

# %%
np.testing.assert_allclose(derivatives(minitorch, value), exact, rtol=1e-12)
np.testing.assert_allclose(hvp(minitorch), H @ v0, rtol=1e-9)
np.testing.assert_allclose(hvp(minitorch), hvp(torch), rtol=1e-9)
np.testing.assert_allclose([mt_penalty], [th_penalty], rtol=1e-10)
np.testing.assert_allclose(mt_g1, th_g1, rtol=1e-9, atol=1e-12)
np.testing.assert_allclose(mt_g2, th_g2, rtol=1e-9, atol=1e-12)
x = minitorch.tensor(points[:3, 0].copy(), requires_grad=True)
assert minitorch.autograd.gradgradcheck(lambda t: (t.tanh() * t.exp()).sum(), (x,))
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Build the full Hessian of `f` row by row with `n` Hessian-vector products.
# * Newton's method: minimise $f(x) = x^4 - 2x^2 + x$ with $x \leftarrow x - f'(x)/f''(x)$.
# * Check `gradgradcheck` on a function of your own.
