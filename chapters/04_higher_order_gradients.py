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
# 2. Hessian-vector products without ever building the Hessian, and the Hessian itself;
# 3. Newton's method, which steps with the curvature, not only the slope;
# 4. a gradient penalty, a loss that contains a gradient (as in WGAN-GP training).
#
# As in the earlier chapters, cells with `# YOUR CODE HERE` are yours (this page shows the
# solutions), a check cell follows each exercise, and the `#@save` cells become your
# `mytorch/ch04.py`.

# %%
import inspect
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code

import minitorch
import torch
from minitorch import course
from minitorch.course import ch04 as check

course.start("04")

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
Code(textwrap.dedent(inspect.getsource(minitorch.ops.unary.Tanh.backward)), language="python")

# %%
x = minitorch.tensor(0.5, requires_grad=True)
(g,) = minitorch.autograd.grad(x.tanh(), x, create_graph=True)
print(f"d tanh/dx at 0.5 = {g.item():.6f}, recorded as {g.grad_fn.name()}")
(g2,) = minitorch.autograd.grad(g, x)
print(f"d2 tanh/dx2 at 0.5 = {g2.item():.6f}  (exact: {-2 * np.tanh(0.5) * (1 - np.tanh(0.5) ** 2):.6f})")

# %% [markdown]
# ## 2. Hessian-vector products
#
# The Hessian $H = \nabla^2 f$ of a function of $n$ variables has $n^2$ entries, too many
# to build for a network. But $Hv$ for a given vector $v$ is the gradient of the *number*
# $\nabla f \cdot v$:
# $$Hv = \nabla_x \left( \nabla_x f(x) \cdot v \right),$$
# which costs about two backward passes: one recorded (`create_graph=True`) to get
# $\nabla f$ as a graph, one through $\nabla f \cdot v$.
#
# **Exercise 4.1.** Write `hvp(f, x, v)`: the product of the Hessian of the scalar function
# `f` at `x` with `v` (a tensor of `x`'s shape), using `minitorch.autograd.grad` twice.
# `x` is a tensor that requires grad.

# %%
#@save
import minitorch


def hvp(f, x, v):
    """The Hessian of f at x times v, by double backward: grad of (grad f(x) . v)."""
    ### BEGIN SOLUTION
    (gradient,) = minitorch.autograd.grad(f(x), x, create_graph=True)
    (product,) = minitorch.autograd.grad((gradient * v).sum(), x)
    return product
    ### END SOLUTION


# %%
check.hvp(hvp)

# %% [markdown]
# A function whose Hessian we know in closed form: $f(x) = \tfrac12 x^\top A x + \lVert x
# \rVert$ has $H = A + (I\,\lVert x\rVert^2 - x x^\top) / \lVert x \rVert^3$.

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


norm = np.linalg.norm(x0)
H = A + (np.eye(n) * norm**2 - np.outer(x0, x0)) / norm**3
th_x = torch.tensor(x0)
_, th_hv = torch.autograd.functional.hvp(lambda x: f(torch, x), th_x, torch.tensor(v0))
print("closed form", np.round(H @ v0, 4))
print("PyTorch    ", np.round(th_hv.numpy(), 4))
with course.needs("your hvp"):
    mt_x = minitorch.tensor(x0, requires_grad=True)
    ours = hvp(lambda x: f(minitorch, x), mt_x, minitorch.tensor(v0))
    print("your hvp   ", np.round(ours.numpy(), 4))

# %% [markdown]
# ## 3. The whole Hessian, one column at a time
#
# $H e_i$, with $e_i$ the $i$-th basis vector (all zeros but a 1 at $i$), is column $i$ of
# $H$. So $n$ Hessian-vector products give the whole Hessian: affordable for a few
# variables (this is what `torch.autograd.functional.hessian` does, in a loop or
# vectorized). For an `x` of any shape, number its elements $0 \ldots n-1$ in row-major
# order, and give the result the shape `x.shape + x.shape`, as PyTorch does.
#
# **Exercise 4.2.** Write `hessian(f, x)` from your `hvp`.

# %%
#@save
import minitorch


def hessian(f, x):
    """The Hessian of the scalar function f at x, shape x.shape + x.shape, from one Hessian-vector
    product per element of x."""
    ### BEGIN SOLUTION
    n = x.numel()
    columns = []
    for i in range(n):
        basis = minitorch.zeros(n, dtype=x.dtype)
        basis[i] = 1.0
        columns.append(hvp(f, x, basis.reshape(x.shape)).reshape(n))
    return minitorch.stack(columns, dim=1).reshape(*x.shape, *x.shape)
    ### END SOLUTION


# %%
check.hessian(hessian)

# %%
with course.needs("your hessian"):
    ours = hessian(lambda x: f(minitorch, x), minitorch.tensor(x0, requires_grad=True)).numpy()
    print(f"largest difference from the closed form: {np.abs(ours - H).max():.1e}")
    print(f"symmetric: {np.allclose(ours, ours.T)}")
    print("eigenvalues:", np.round(np.linalg.eigvalsh(ours), 3))

# %% [markdown]
# ## 4. Newton's method
#
# Gradient descent steps along $-\nabla f$, with a step size it has to guess. Newton's
# method fits a quadratic to $f$ at $x$, from the gradient and the Hessian, and jumps to that
# quadratic's minimum:
# $$x_{\text{new}} = x - H^{-1} \nabla f(x).$$
# On a quadratic it lands on the minimum in one step; near a minimum of a smooth function
# the number of correct digits roughly doubles each step. The price is the Hessian (and a
# linear solve), which is why networks with millions of weights train with gradients only.
#
# **Exercise 4.3.** Write `newton_step(f, x)` for a 1-D `x`: the gradient with
# `minitorch.autograd.grad`, the Hessian with your `hessian`. minitorch has no linear solver
# (PyTorch's `torch.linalg.solve`), so solve $H d = \nabla f$ with NumPy's
# `np.linalg.solve` and return the new point as a minitorch tensor of `x`'s dtype.

# %%
#@save
import minitorch
import numpy as np


def newton_step(f, x):
    """One step of Newton's method from x (1-D, requires grad): x - H^-1 grad f(x), a new tensor."""
    ### BEGIN SOLUTION
    (gradient,) = minitorch.autograd.grad(f(x), x)
    direction = np.linalg.solve(hessian(f, x).numpy(), gradient.numpy())
    return minitorch.tensor(x.detach().numpy() - direction, dtype=x.dtype)
    ### END SOLUTION


# %%
check.newton_step(newton_step)

# %% [markdown]
# A 2-D bowl, tilted, narrow, and steeper than a parabola far from its minimum at the
# origin: $f(x, y) = \tfrac12 x^2 + 0.8\,xy + 4y^2 + 0.05\,x^4$. Gradient descent (step size
# 0.22) against Newton's method, both from $(-2.2, 1.2)$:

# %%
def bowl(lib, p):
    x, y = p[0], p[1]
    return 0.5 * x**2 + 0.8 * x * y + 4 * y**2 + 0.05 * x**4


def gradient_descent_path(start, steps, lr):
    path = [np.array(start)]
    for _ in range(steps):
        p = minitorch.tensor(path[-1], requires_grad=True)
        (g,) = minitorch.autograd.grad(bowl(minitorch, p), p)
        path.append(path[-1] - lr * g.numpy())
    return np.array(path)


start = [-2.2, 1.2]
descent = gradient_descent_path(start, 12, lr=0.22)
with course.needs("your newton_step"):
    newton = [np.array(start)]
    for _ in range(5):
        p = minitorch.tensor(newton[-1], dtype=minitorch.float64, requires_grad=True)
        newton.append(newton_step(lambda q: bowl(minitorch, q), p).numpy())
    newton = np.array(newton)
    for step in range(5):
        print(f"step {step}: Newton at ({newton[step][0]:+.6f}, {newton[step][1]:+.6f}), "
              f"f = {bowl(np, newton[step]):.2e};"
              f"  gradient descent f = {bowl(np, descent[step]):.2e}")

# %% [markdown]
# The picture: contours of $f$, the two paths, and at the start the Hessian's eigenvectors
# (the axes of the local quadratic, each drawn with a length proportional to
# $1/\sqrt{\lambda}$: long where the curvature is small). The gradient points across the
# narrow valley, so gradient descent zigzags; Newton's step accounts for the curvature and
# heads for the minimum.

# %%
with course.needs("your hessian"):
    p = minitorch.tensor(start, dtype=minitorch.float64, requires_grad=True)
    eigenvalues, eigenvectors = np.linalg.eigh(hessian(lambda q: bowl(minitorch, q), p).numpy())
    grid_x, grid_y = np.meshgrid(np.linspace(-2.5, 2.5, 201), np.linspace(-1.5, 1.5, 121))
    fig, ax = plt.subplots(figsize=(8, 5))
    _ = ax.contour(grid_x, grid_y, bowl(np, (grid_x, grid_y)),
                   levels=np.geomspace(0.02, 12, 14), cmap="Greys", linewidths=0.8)
    _ = ax.plot(descent[:, 0], descent[:, 1], "o-", color="tab:orange", ms=3,
                label="gradient descent, step size 0.22")
    if isinstance(newton, np.ndarray):
        _ = ax.plot(newton[:, 0], newton[:, 1], "s-", color="tab:blue", ms=4, label="Newton")
    for eigenvalue, vector in zip(eigenvalues, eigenvectors.T):
        vector = vector if vector @ start < 0 else -vector   # point into the bowl
        tip = start + 1.5 * vector / np.sqrt(eigenvalue)
        _ = ax.annotate("", xy=tip, xytext=start,
                        arrowprops=dict(arrowstyle="->", color="tab:green", lw=1.5))
        _ = ax.text(tip[0] + 0.05, tip[1], f"λ = {eigenvalue:.1f}", color="tab:green", fontsize=9)
    _ = ax.plot([0], [0], "k*", ms=10)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    _ = ax.legend(loc="lower right", fontsize=9)
    plt.show()

# %% [markdown]
# ## 5. A gradient penalty
#
# Some losses contain a gradient. WGAN-GP, for instance, asks a critic $D$ to have gradient
# norm 1 with respect to its input, on average over a batch of points $x_i$:
# $$\text{penalty} = \lambda \cdot \frac1N \sum_i \left(\lVert \nabla_{x} D(x_i) \rVert - 1\right)^2.$$
# Training the critic needs the gradient of that penalty with respect to the critic's
# *weights*: a second-order derivative, so the inner gradient must be recorded.
#
# **Exercise 4.4.** Write `gradient_penalty(critic, points, weight)`. `critic` maps a batch
# $(N, d)$ to $N$ scores; `points` does not require grad, so make a copy of it that does.
# Since each score depends only on its own point, the gradient of the *sum* of the scores
# with respect to the batch holds every point's gradient, one per row. The result must be
# differentiable with respect to the critic's weights.

# %%
#@save
import minitorch


def gradient_penalty(critic, points, weight=10.0):
    """weight * mean over the batch of (|grad_x critic(x_i)| - 1)**2, differentiable with
    respect to the critic's weights."""
    ### BEGIN SOLUTION
    x = points.detach().requires_grad_(True)
    (gradients,) = minitorch.autograd.grad(critic(x).sum(), x, create_graph=True)
    norms = (gradients**2).sum(dim=1).sqrt()
    return weight * ((norms - 1) ** 2).mean()
    ### END SOLUTION


# %%
check.gradient_penalty(gradient_penalty)

# %% [markdown]
# What the penalty does: train a small critic on the penalty alone (gradient descent on its
# weights, through your second-order gradient) and watch the norms of its input gradients
# move to 1.

# %%
W1 = rng.standard_normal((2, 8)) * 0.5
W2 = rng.standard_normal((8, 1)) * 0.5
points = rng.standard_normal((16, 2))


def input_gradient_norms(critic, batch):
    x = batch.detach().requires_grad_(True)
    (gradients,) = minitorch.autograd.grad(critic(x).sum(), x)
    return (gradients**2).sum(dim=1).sqrt()


w1 = minitorch.tensor(W1, requires_grad=True)
w2 = minitorch.tensor(W2, requires_grad=True)
critic = lambda x: ((x @ w1).tanh() @ w2).squeeze(1)  # noqa: E731
optimizer = minitorch.optim.SGD([w1, w2], lr=0.02)
batch = minitorch.tensor(points)
with course.needs("your gradient_penalty"):
    for step in range(61):
        penalty = gradient_penalty(critic, batch)
        if step % 20 == 0:
            norms = input_gradient_norms(critic, batch)
            print(f"step {step:2d}  penalty {penalty.item():.4f}  gradient norms from "
                  f"{norms.min().item():.3f} to {norms.max().item():.3f}")
        optimizer.zero_grad()
        penalty.backward()
        optimizer.step()

# %% [markdown]
# ## Checks
#
# Your exercises, once more; then minitorch's higher-order gradients against exact values,
# PyTorch and `gradgradcheck` (independent of your code).

# %%
def library_hvp(lib, x_values, v_values):
    x = lib.tensor(x_values, requires_grad=True)
    (gradient,) = lib.autograd.grad(f(lib, x), x, create_graph=True)
    (product,) = lib.autograd.grad((gradient * lib.tensor(v_values)).sum(), x)
    return product.detach().numpy()


def library_penalty_gradients(lib):
    w1, w2 = lib.tensor(W1, requires_grad=True), lib.tensor(W2, requires_grad=True)
    x = lib.tensor(points, requires_grad=True)
    (grad_x,) = lib.autograd.grad(((x @ w1).tanh() @ w2).sum(), x, create_graph=True)
    penalty = 10 * (((grad_x**2).sum(1)).sqrt() - 1).pow(2).mean()
    penalty.backward()
    return [penalty.item(), w1.grad.numpy(), w2.grad.numpy()]


np.testing.assert_allclose(derivatives(minitorch, value), exact, rtol=1e-12)
np.testing.assert_allclose(library_hvp(minitorch, x0, v0), H @ v0, rtol=1e-9)
np.testing.assert_allclose(library_hvp(minitorch, x0, v0), th_hv.numpy(), rtol=1e-9)
for ours, theirs in zip(library_penalty_gradients(minitorch), library_penalty_gradients(torch)):
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
x = minitorch.tensor(points[:3, 0].copy(), requires_grad=True)
assert minitorch.autograd.gradgradcheck(lambda t: (t.tanh() * t.exp()).sum(), (x,))
course.summary(check.hvp(hvp), check.hessian(hessian), check.newton_step(newton_step),
               check.gradient_penalty(gradient_penalty))

# %% [markdown]
# ## Try next
#
# * Newton's method in 1-D: minimise $f(x) = x^4 - 2x^2 + x$ with $x \leftarrow x - f'(x)/f''(x)$
#   from $x = 2$ and from $x = 0.2$: where does it go, and why can Newton's method climb to a
#   maximum?
# * Solve $H d = \nabla f$ without building $H$: conjugate gradients needs only products
#   $Hv$, so your `hvp` suffices ("Hessian-free" optimization).
# * Check `gradgradcheck` on a function of your own.

# %% [markdown]
# **Next:** [05 · Modules: parameters, registration, state_dict, initialisation](05_modules.ipynb). The whole path is in [the syllabus](README.md).
