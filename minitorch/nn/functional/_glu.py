"""``F.glu``, the gated linear unit, one node as in PyTorch (GluBackward0)."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...ops._helpers import normalize_dim
from ...tensor import Tensor
from ...ops.unary import sigmoid_array

__all__ = ["glu"]


class Glu(Function):
    """y = a * sigmoid(b) where a, b are the halves of x along dim; dL/dx = dL/da and dL/db joined
    along dim, with s = sigmoid(b), dL/da = dL/dy s and dL/db = dL/dy a s (1 - s); saves x and dim.
    """

    node_name = "GluBackward0"

    @staticmethod
    def forward(ctx, x, *, dim):
        ctx.dim = dim
        ctx.save_for_backward(x)
        a, b = np.split(x._data, 2, axis=dim)
        return a * sigmoid_array(b)

    @staticmethod
    def backward(ctx, grad):
        from ... import cat
        (x,) = ctx.saved_tensors
        a, b = x.chunk(2, ctx.dim)
        s = b.sigmoid()
        return cat([grad * s, grad * a * s * (1 - s)], ctx.dim)


def _check_halving(input: Tensor, dim: int) -> int:
    """PyTorch's checks: the dim exists and has an even size. Returns it, non-negative."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = normalize_dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    return d


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``dim`` in halves a, b; ``a * sigmoid(b)``."""
    return Glu.apply(input, dim=_check_halving(input, dim))
