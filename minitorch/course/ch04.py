"""Checks for chapter 04: higher-order gradients.

Each check runs the learner's function on minitorch tensors and compares with PyTorch's
``torch.autograd.functional`` (``hvp``, ``hessian``) or the same formula in PyTorch, on
functions written once for both libraries (``fn(lib, x)``), in float64 and float32.
"""
from __future__ import annotations

import numpy as np

from .checking import pytorch as _torch, run


def _minitorch():
    import minitorch
    return minitorch


_rng = np.random.default_rng(4)
_A = _rng.standard_normal((5, 5))
_A = _A @ _A.T + np.eye(5)          # symmetric positive definite
_B = _rng.standard_normal(5)

# Scalar functions of x, each written for either library: (description, fn(lib, x), shape of x)
_FUNCTIONS = [
    ("0.5 x.Ax + |x| (A symmetric 5x5)",
     lambda lib, x: 0.5 * (x @ lib.tensor(_A, dtype=x.dtype) @ x) + (x**2).sum().sqrt(), (5,)),
    ("sum(tanh(x) * exp(x))", lambda lib, x: (x.tanh() * x.exp()).sum(), (4,)),
    ("logsumexp of a 2x3 matrix x", lambda lib, x: x.reshape(-1).logsumexp(0), (2, 3)),
    ("sum(x**2) * sum(x) (every pair of elements coupled)",
     lambda lib, x: (x**2).sum() * x.sum(), (3,)),
]


def _inputs(shape, seed, dtype_name="float64"):
    """The same random values as a minitorch tensor (requiring grad) and a PyTorch tensor."""
    torch, minitorch = _torch(), _minitorch()
    values = np.random.default_rng(seed).standard_normal(shape)
    return (minitorch.tensor(values, dtype=getattr(minitorch, dtype_name), requires_grad=True),
            torch.tensor(values, dtype=getattr(torch, dtype_name)))


def hvp(fn):
    """``fn(f, x, v)`` is the Hessian of f at x times v, as torch.autograd.functional.hvp."""
    torch, minitorch = _torch(), _minitorch()

    def cases(expect):
        for seed, (text, f, shape) in enumerate(_FUNCTIONS):
            for dtype_name, rtol in [("float64", 1e-9), ("float32", 1e-4)]:
                x, x_torch = _inputs(shape, seed, dtype_name)
                v, v_torch = _inputs(shape, seed + 10, dtype_name)
                result = fn(lambda t: f(minitorch, t), x, v.detach())
                _, expected = torch.autograd.functional.hvp(lambda t: f(torch, t), x_torch, v_torch)
                expect.close(f"f(x) = {text}, {dtype_name}, a random x and v", result, expected,
                             rtol=rtol, atol=rtol, check_dtype=True)
    return run("hvp", cases,
               hint="first grad with create_graph=True, so that the gradient is a recorded "
                    "tensor; then the grad of the number (gradient * v).sum() with respect to x")


def hessian(fn):
    """``fn(f, x)`` is the Hessian of f at x, shape x.shape + x.shape, as
    torch.autograd.functional.hessian."""
    torch, minitorch = _torch(), _minitorch()

    def cases(expect):
        for seed, (text, f, shape) in enumerate(_FUNCTIONS):
            x, x_torch = _inputs(shape, seed)
            expected = torch.autograd.functional.hessian(lambda t: f(torch, t), x_torch)
            expect.close(f"f(x) = {text}, x of shape {shape}", fn(lambda t: f(minitorch, t), x),
                         expected, rtol=1e-9, atol=1e-9,
                         hint="H e_i is column i of H: one hvp per element of x with the basis "
                              "vector e_i (reshaped like x); the result's shape is "
                              "x.shape + x.shape")
    return run("hessian", cases)


# Functions with a positive definite Hessian, for Newton's method: (description, fn(lib, x), x)
_CONVEX = [
    ("0.5 x.Ax - b.x (one step lands on the minimum, A^-1 b)",
     lambda lib, x: 0.5 * (x @ lib.tensor(_A, dtype=x.dtype) @ x)
     - (x * lib.tensor(_B, dtype=x.dtype)).sum(),
     np.zeros(5)),
    ("0.5 x^2 + 0.8 xy + 4 y^2 + 0.05 x^4",
     lambda lib, p: 0.5 * p[0]**2 + 0.8 * p[0] * p[1] + 4 * p[1]**2 + 0.05 * p[0]**4,
     np.array([-2.2, 1.2])),
    ("logsumexp(x) + 0.5 |x|^2", lambda lib, x: x.logsumexp(0) + 0.5 * (x**2).sum(),
     np.array([0.5, -1.0, 2.0])),
]


def _torch_newton_step(f, x):
    torch = _torch()
    x = x.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(f(x), x)
    hessian = torch.autograd.functional.hessian(f, x.detach())
    return (x - torch.linalg.solve(hessian, gradient)).detach()


def newton_step(fn):
    """``fn(f, x)`` is x - H^-1 grad f(x), against the same step computed with PyTorch."""
    torch, minitorch = _torch(), _minitorch()

    def cases(expect):
        for text, f, start in _CONVEX:
            for dtype_name, rtol in [("float64", 1e-9), ("float32", 1e-4)]:
                x = minitorch.tensor(start, dtype=getattr(minitorch, dtype_name),
                                     requires_grad=True)
                expected = _torch_newton_step(lambda t: f(torch, t),
                                              torch.tensor(start, dtype=getattr(torch, dtype_name)))
                label = f"f(x) = {text}, {dtype_name}, from x = {start.tolist()}"
                expect.close(label, fn(lambda t: f(minitorch, t), x), expected, rtol=rtol,
                             atol=rtol, check_dtype=True)
                expect.close(f"{label}: x itself is left unchanged", x, start,
                             hint="return a new tensor; do not write into x")
    return run("newton_step", cases,
               hint="x_new = x - d where H d = grad f(x): solve with the Hessian, do not multiply "
                    "by it, and use all of H, not only its diagonal")


def _critics(lib, dtype):
    """Critics with weights that require grad: (description, critic, weights, points, weight)."""
    rng = np.random.default_rng(7)
    w1, w2, w = (lib.tensor(rng.standard_normal(s) * 0.5, dtype=dtype, requires_grad=True)
                 for s in [(2, 8), (8, 1), (3, 3)])
    batch_2d = lib.tensor(rng.standard_normal((16, 2)), dtype=dtype)
    batch_3d = lib.tensor(rng.standard_normal((6, 3)), dtype=dtype)
    return [("a tanh MLP 2 -> 8 -> 1 on 16 points, weight 10",
             lambda x: ((x @ w1).tanh() @ w2).squeeze(1), [w1, w2], batch_2d, 10.0),
            ("the quadratic critic sum((x W)**2) on 6 points, weight 1",
             lambda x: ((x @ w) ** 2).sum(1), [w], batch_3d, 1.0)]


def _torch_penalty(critic, points, weight):
    torch = _torch()
    x = points.detach().requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return weight * ((gradients.norm(dim=1) - 1) ** 2).mean()


def gradient_penalty(fn):
    """``fn(critic, points, weight)``: its value and its gradients with respect to the critic's
    weights, against the same penalty in PyTorch."""
    torch, minitorch = _torch(), _minitorch()

    def cases(expect):
        for dtype_name, rtol in [("float64", 1e-9), ("float32", 1e-4)]:
            ours = _critics(minitorch, getattr(minitorch, dtype_name))
            theirs = _critics(torch, getattr(torch, dtype_name))
            for (text, critic, weights, points, weight), (_, t_critic, t_weights, t_points, _) \
                    in zip(ours, theirs):
                label = f"{text}, {dtype_name}"
                penalty = fn(critic, points, weight)
                expected = _torch_penalty(t_critic, t_points, weight)
                expect.close(f"{label}: the penalty", penalty, expected, rtol=rtol, atol=rtol)
                expect.true(f"{label}: the penalty depends on the critic's weights",
                            penalty.requires_grad,
                            hint="the inner grad needs create_graph=True, or the penalty is a "
                                 "constant to the weights")
                gradients = minitorch.autograd.grad(penalty, weights)
                expect.close(f"{label}: its gradients with respect to the weights", list(gradients),
                             list(torch.autograd.grad(expected, t_weights)), rtol=rtol, atol=rtol)
    return run("gradient_penalty", cases,
               hint="the norm of each point's gradient (a row), minus 1, squared, averaged over "
                    "the batch, times weight")
