"""``softmax``, ``log_softmax`` and ``logsumexp``: exponentiate, then normalise along a dim.

All three subtract the maximum before exponentiating (``exp(x - m)`` never overflows, and
the result is unchanged because the factor ``exp(-m)`` cancels), and each has one fused
backward instead of the several nodes that composing exp, sum and div would record.
"""
from __future__ import annotations

import numpy as np

from ..types.dtypes import to_dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import normalize_dim, row_maxes, row_sums
from .reduce import _keep_dims, _reduced_dims
from .unary import float_array


# The public functions (exported as minitorch.<name>)
__all__ = ["softmax", "log_softmax", "logsumexp"]


def _shifted(x, axis):
    """``x - max(x)`` along ``axis``. A max of -inf (a row that is all -inf) is replaced by 0,
    so that the row gives -inf rather than NaN; a row holding +inf or NaN gives NaN throughout,
    as in PyTorch."""
    if x.size == 0:
        return x.copy()
    top = row_maxes(x, axis)
    # no `if` on the values: on a GPU that would wait for them (a copy to the host per call)
    top = np.where(top == -np.inf, 0, top)
    if x.ndim == 0:  # (`out` keeps a 0-d result an array)
        return np.subtract(x, top, out=np.empty_like(x))
    return x - top


def log_softmax_array(x, axis):
    """``x - logsumexp(x)`` along ``axis`` on an array (a fresh array; also used by the fused
    cross-entropy)."""
    shifted = _shifted(x, axis)
    shifted -= np.log(row_sums(np.exp(shifted), axis, keepdims=True))
    return shifted


def _float_input(input, name: str):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{input.dtype.name.capitalize()}'")


class Softmax(Function):
    """y_i = exp(x_i) / sum_j exp(x_j) along dim; dL/dx = y * (dL/dy - sum(dL/dy * y)); saves y and
    dim."""

    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, a, dim):
        x = a._data
        axis = dim if x.ndim else None
        e = _shifted(x, axis)  # a fresh array: exponentiate and normalise it in place
        np.exp(e, out=e)
        e /= row_sums(e, axis, keepdims=True)
        result = Tensor._from_array(e)
        ctx.dim = dim
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        product = grad * y
        return product - y * product.sum(ctx.dim, keepdim=True), None


class LogSoftmax(Function):
    """y = log(softmax(x)) = x - logsumexp(x) along dim; dL/dx = dL/dy - exp(y) * sum(dL/dy); saves
    y and dim."""

    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, a, dim):
        x = a._data
        result = Tensor._from_array(log_softmax_array(x, dim if x.ndim else None))
        ctx.dim = dim
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad - result.exp() * grad.sum(ctx.dim, keepdim=True), None


def softmax(input: Tensor, dim: int, dtype: dtype | None = None):
    """``exp(input) / exp(input).sum(dim, keepdim=True)``, computed stably.

    Args:
        dim: the dimension whose entries sum to 1.
        dtype: cast the input to this dtype first.
    """
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    _float_input(input, "softmax")
    return Softmax.apply(input, normalize_dim(dim, input.ndim))


def log_softmax(input: Tensor, dim: int, dtype: dtype | None = None):
    """``log(softmax(input, dim))``, computed stably (no log of a rounded-to-zero softmax)."""
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    _float_input(input, "log_softmax")
    return LogSoftmax.apply(input, normalize_dim(dim, input.ndim))


class Logsumexp(Function):
    """y = log(sum(exp(a))) over dims; dL/da = dL/dy * exp(a - y) (the softmax); saves a and y,
    dims and keepdim."""

    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        x = float_array(a._data)
        ctx.dims, ctx.keepdim = dims, keepdim
        if x.size == 0:
            total = np.log(np.sum(np.exp(x), axis=dims, keepdims=keepdim))
        else:
            top = row_maxes(x, dims[0] if len(dims) == 1 else dims)
            top = np.where(np.isfinite(top), top, 0)
            total = np.log(np.sum(np.exp(x - top), axis=dims, keepdims=True)) + top
            if not keepdim:
                total = total.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))
        result = Tensor._from_array(total)
        ctx.save_for_backward(a, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        shape, dims, keepdim = ctx._input_shapes[0], ctx.dims, ctx.keepdim
        kept = _keep_dims(result, shape, dims, keepdim)
        return _keep_dims(grad, shape, dims, keepdim) * (a - kept).exp(), None, None


def logsumexp(input: Tensor, dim: int | Sequence[int], keepdim: bool = False):
    """``log(exp(input).sum(dim))``, without overflow for large inputs."""
    return Logsumexp.apply(input, _reduced_dims(dim, input.ndim), keepdim)
