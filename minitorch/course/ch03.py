"""Checks for chapter 03: autograd on tensors.

Gradients are compared with PyTorch's (float64) on broadcast, square and rectangular inputs.
"""
from __future__ import annotations

import numpy as np

from .checking import pytorch as _torch, run


def silu(SiLU):
    """The learner's ``SiLU`` Function: its gradient against PyTorch's silu, and gradcheck."""
    import minitorch
    torch = _torch()

    def cases(expect):
        for data in (np.linspace(-3, 3, 7), np.random.default_rng(0).standard_normal((3, 4))):
            x = minitorch.tensor(data, requires_grad=True)
            reference = torch.tensor(data, requires_grad=True)
            grad = np.random.default_rng(1).standard_normal(data.shape)
            SiLU.apply(x).backward(minitorch.tensor(grad))
            torch.nn.functional.silu(reference).backward(torch.tensor(grad))
            expect.close(f"the gradient at x = {np.round(data, 2).tolist()} with a random "
                         "upstream gradient", x.grad, reference.grad, rtol=1e-10, atol=1e-12)
    return run("SiLU.backward", cases,
               hint="multiply grad_output by the whole local derivative s * (1 + x * (1 - s)): "
                    "x * s is a product, so both factors contribute")


_SHAPES = [  # (gradient shape, input shape)
    ((4, 3), (3,)), ((4, 3), (4, 1)), ((4, 3), (1, 3)), ((5, 4, 3), (4, 1)),
    ((5, 4, 3), (5, 1, 3)), ((4, 3), ()), ((2, 3), (2, 3))]


def unbroadcast(fn):
    """``fn(grad, shape)`` sums a NumPy gradient down to ``shape`` as PyTorch's autograd does."""
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(0)
        for grad_shape, shape in _SHAPES:
            grad = rng.standard_normal(grad_shape)
            t = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
            (t + torch.zeros(grad_shape, dtype=torch.float64)).backward(torch.tensor(grad))
            expect.close(f"a gradient of shape {grad_shape} for an input of shape {shape}",
                         fn(grad, shape), t.grad, rtol=1e-12)
    return run("unbroadcast", cases,
               hint="sum over the leading dimensions broadcasting added, then over each "
                    "dimension of size 1 in `shape` with keepdims=True")


# Expressions over the learner's Tensor and over PyTorch tensors, written once for both:
# (description, input shapes, expression, hint)
_EXPRESSIONS = [
    ("(x + b).sum(), b of shape (3,) added to every row of x (4, 3)", [(4, 3), (3,)],
     lambda x, b: (x + b).sum(), "b was used 4 times: unbroadcast its gradient to b's shape"),
    ("(x * y).sum(), x (4, 1) times y (1, 3)", [(4, 1), (1, 3)],
     lambda x, y: (x * y).sum(), "d(x*y)/dx = y: multiply, then unbroadcast to x's shape"),
    ("(a @ b).sum(), square a and b (3, 3)", [(3, 3), (3, 3)],
     lambda a, b: (a @ b).sum(), "for C = A @ B: dA = G @ B.T and dB = A.T @ G"),
    ("(a @ b).sum(), a (2, 4) @ b (4, 3)", [(2, 4), (4, 3)],
     lambda a, b: (a @ b).sum(), "for C = A @ B: dA = G @ B.T and dB = A.T @ G"),
    ("(x * x).sum(), x used twice", [(2, 3)],
     lambda x: (x * x).sum(), "add to .grad with +=: a tensor used twice gets both parts"),
    ("a layer: ((x @ w + b).tanh() * 2).sum()", [(5, 3), (3, 4), (4,)],
     lambda x, w, b: ((x @ w + b).tanh() * 2).sum(), "check the simpler expressions first"),
]


def _compare(expect, Tensor, run_backward):
    torch = _torch()
    rng = np.random.default_rng(0)
    for text, shapes, expression, hint in _EXPRESSIONS:
        arrays = [rng.standard_normal(shape) for shape in shapes]
        ours = [Tensor(a) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out, reference = expression(*ours), expression(*theirs)
        expect.close(f"{text}: the value", out.data, reference.detach(), rtol=1e-10)
        run_backward(out)
        reference.backward()
        for i, (mine, t) in enumerate(zip(ours, theirs)):
            expect.close(f"{text}: the gradient of input {i}, shape {shapes[i]}", mine.grad,
                         t.grad, rtol=1e-10, atol=1e-12, hint=hint)


def _reference_backward(out):
    """Run the learner's local backward functions in a correct order (not their backward())."""
    order, seen, stack = [], set(), [(out, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._children)
    out.grad = np.ones_like(out.data)
    for node in reversed(order):
        node._backward()


def tensor_ops(Tensor):
    """The local backward of +, *, @ and sum, run in a correct order by the check itself."""
    return run("Tensor ops", lambda expect: _compare(expect, Tensor, _reference_backward))


def tensor_backward(Tensor):
    """``Tensor.backward()`` on the same expressions, against PyTorch."""
    return run("Tensor.backward", lambda expect: _compare(expect, Tensor, lambda t: t.backward()),
               hint="set self.grad to ones of the output's shape, then call each node's "
                    "_backward in reversed topological order")
