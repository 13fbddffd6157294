"""``softmax``, ``log_softmax`` and ``logsumexp``: exponentiate, then normalise along a dim.

All three subtract the maximum before exponentiating (``exp(x - m)`` never overflows, and
the result is unchanged because the factor ``exp(-m)`` cancels), and each has one fused
backward instead of the several nodes that composing exp, sum and div would record.
"""
from __future__ import annotations

import numpy as np

from .._dtype import to_dtype
from ..autograd.function import Function
from ..tensor import Tensor
from . import _helpers  # (row_sums is looked up when called: minitorch/fast replaces it)
from ._helpers import normalize_dim
from .reduce import _keep_dims, _reduced_dims
from .unary import float_array


# The public functions (exported as minitorch.<name>)
__all__ = ["softmax", "log_softmax", "logsumexp"]


def _max_kept(x, axis):
    """``max(x, axis, keepdims=True)``, fast also for short rows.

    NumPy reduces a short last axis one row at a time, at about 0.1 us a row: the maximum of
    128 rows of 10 (a cross-entropy over 10 classes) cost 12 ns a number, 3x more than the
    rest of the log-softmax. For rows of up to 64 numbers the maximum is taken down the
    columns of a transposed copy instead: n elementwise passes over all rows at once (3-15x
    faster, measured for 128 and 4096 rows of 3 to 64).
    """
    n = x.shape[-1] if x.ndim else 0
    if axis is None or x.ndim < 2 or axis != x.ndim - 1 or n > 64:
        return x.max(axis=axis, keepdims=True)
    columns = x.reshape(-1, n).T.copy()  # (n, rows), C-contiguous
    return columns.max(axis=0).reshape(x.shape[:-1] + (1,))


def _shifted(x, axis):
    """``x - max(x)`` along ``axis``. A max of -inf (a row that is all -inf) is replaced by 0,
    so that the row gives -inf rather than NaN; a row holding +inf or NaN gives NaN throughout,
    as in PyTorch."""
    if x.size == 0:
        return x.copy()
    top = _max_kept(x, axis)
    if not np.isfinite(top).all():
        top = np.where(top == -np.inf, 0, top)
    if x.ndim == 0:  # (`out` keeps a 0-d result an array)
        return np.subtract(x, top, out=np.empty_like(x))
    return x - top


def log_softmax_array(x, axis):
    """``x - logsumexp(x)`` along ``axis`` on an array (a fresh array; also used by the fused
    cross-entropy)."""
    shifted = _shifted(x, axis)
    shifted -= np.log(_helpers.row_sums(np.exp(shifted), axis, keepdims=True))
    return shifted


def _float_input(input, name: str):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{input.dtype.name.capitalize()}'")


class Softmax(Function):
    """``y_i = exp(x_i) / sum_j exp(x_j)`` along ``dim``;  d/dx = y * (grad - sum(grad * y))."""

    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, a, dim):
        x = a._data
        axis = dim if x.ndim else None
        e = _shifted(x, axis)  # a fresh array: exponentiate and normalise it in place
        np.exp(e, out=e)
        e /= _helpers.row_sums(e, axis, keepdims=True)
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
    """``log(softmax(x)) = x - logsumexp(x)`` along ``dim``;  d/dx = grad - softmax * sum(grad)."""

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


def softmax(input, dim, dtype=None):
    """``exp(input) / exp(input).sum(dim, keepdim=True)``, computed stably.

    Args:
        dim: the dimension whose entries sum to 1.
        dtype: cast the input to this dtype first.
    """
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    _float_input(input, "softmax")
    return Softmax.apply(input, normalize_dim(dim, input.ndim))


def log_softmax(input, dim, dtype=None):
    """``log(softmax(input, dim))``, computed stably (no log of a rounded-to-zero softmax)."""
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    _float_input(input, "log_softmax")
    return LogSoftmax.apply(input, normalize_dim(dim, input.ndim))


class Logsumexp(Function):
    """``log(sum(exp(a)))`` over ``dims``;  d/da = exp(a - result) (the softmax)."""

    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        x = float_array(a._data)
        ctx.dims, ctx.keepdim = dims, keepdim
        if x.size == 0:
            total = np.log(np.sum(np.exp(x), axis=dims, keepdims=keepdim))
        else:
            top = _max_kept(x, dims[0]) if len(dims) == 1 else np.max(x, axis=dims, keepdims=True)
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


def logsumexp(input, dim, keepdim=False):
    """``log(exp(input).sum(dim))``, without overflow for large inputs."""
    return Logsumexp.apply(input, _reduced_dims(dim, input.ndim), keepdim)


tensor_methods = {"softmax": softmax, "log_softmax": log_softmax, "logsumexp": logsumexp}
