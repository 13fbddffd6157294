"""Reductions: ``sum`` and ``mean`` over all elements or chosen dims."""
from __future__ import annotations

import numpy as np

from .._dtype import int64, to_dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import normalize_dims


# The public functions (exported as minitorch.<name>)
__all__ = [
    "sum",
    "mean",
]


def _expand_back(grad, input_shape, dims, keepdim):
    """Broadcast a reduced gradient back over the reduced dims: the gradient of a sum is 1
    for every element that went into it."""
    if not keepdim and dims:
        kept = list(input_shape)
        for d in dims:
            kept[d] = 1
        grad = grad.reshape(tuple(kept))
    return grad.expand(input_shape)


class Sum(Function):
    """``sum(a, dims)``;  d/da = 1 for every element summed."""

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = int64  # PyTorch sums integers and bools in int64
        ctx.dims, ctx.keepdim = dims, keepdim
        result = x.sum(axis=dims, keepdims=keepdim, dtype=None if dtype is None else dtype.numpy)
        return result

    @staticmethod
    def backward(ctx, grad):
        (shape, _, _, _) = ctx._input_shapes
        return _expand_back(grad, shape, ctx.dims, ctx.keepdim), None, None, None


class Mean(Function):
    """``mean(a, dims)``;  d/da = 1/n for each of the n elements averaged."""

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        x = a._data
        if dtype is None and not a.dtype.is_floating_point:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {a.dtype.name.capitalize()}")
        count = 1
        for d in dims:
            count *= x.shape[d]
        ctx.dims, ctx.keepdim, ctx.count = dims, keepdim, count
        out_dtype = x.dtype if dtype is None else dtype.numpy
        # NumPy's float16 mean accumulates in float16 unless told otherwise; PyTorch uses float32
        acc = np.float32 if out_dtype == np.float16 else out_dtype
        return x.mean(axis=dims, keepdims=keepdim, dtype=acc).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (shape, _, _, _) = ctx._input_shapes
        return _expand_back(grad / ctx.count, shape, ctx.dims, ctx.keepdim), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints).

    Example::

        >>> minitorch.tensor([[1., 2.], [3., 4.]]).sum(0)
        tensor([4., 6.])
    """
    dims = normalize_dims(dim, input.ndim) if dim is not None and dim != () else tuple(range(input.ndim))
    return Sum.apply(input, dims, keepdim, None if dtype is None else to_dtype(dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or over ``dim`` (an int or a tuple of ints)."""
    dims = normalize_dims(dim, input.ndim) if dim is not None and dim != () else tuple(range(input.ndim))
    return Mean.apply(input, dims, keepdim, None if dtype is None else to_dtype(dtype))


tensor_methods = {"sum": sum, "mean": mean}
