"""``F.hardshrink`` and ``F.softshrink``: zero on [-lambd, lambd], one node each (as in
PyTorch: HardshrinkBackward0, SoftshrinkBackward0)."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...tensor import Tensor
from ._activation import _check_float

__all__ = ["hardshrink", "softshrink"]


def _outside(x: Tensor, lambd: float):
    """Where |x| > lambd (a NaN is not inside, so it passes its gradient, as in PyTorch)."""
    return ~((x >= -lambd) & (x <= lambd))


def _gradient_outside(ctx, grad):
    """dL/dx = dL/dy where |x| > lambd, else 0 (a literal 0: an infinite gradient does not
    become NaN)."""
    from ... import where
    (x,) = ctx.saved_tensors
    return where(_outside(x, ctx.lambd), grad, 0.0)


class Hardshrink(Function):
    """y = x if |x| > lambd else 0; dL/dx = dL/dy where |x| > lambd, else 0; saves x and lambd."""

    node_name = "HardshrinkBackward0"

    @staticmethod
    def forward(ctx, x, *, lambd):
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        a = x._data
        return np.where((a >= -lambd) & (a <= lambd), a.dtype.type(0), a)

    backward = staticmethod(_gradient_outside)


class Softshrink(Function):
    """y = x - lambd above lambd, x + lambd below -lambd, else 0; dL/dx = dL/dy where |x| > lambd,
    else 0; saves x and lambd."""

    node_name = "SoftshrinkBackward0"

    @staticmethod
    def forward(ctx, x, *, lambd):
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        a = x._data
        shrunk = a - np.sign(a) * a.dtype.type(lambd)
        return np.where((a >= -lambd) & (a <= lambd), a.dtype.type(0), shrunk)

    backward = staticmethod(_gradient_outside)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    _check_float(input, "hardshrink")
    return Hardshrink.apply(input, lambd=lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above lambd, ``x + lambd`` below -lambd, else 0."""
    _check_float(input, "softshrink")
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return Softshrink.apply(input, lambd=lambd)
