"""Matrix products: ``matmul`` (``@``) for 1-D, 2-D and batched operands."""
from __future__ import annotations

import numpy as np

from .._dtype import result_type
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import check_same_device, sum_to_shape


# The public functions (exported as minitorch.<name>)
__all__ = [
    "matmul",
]


def _operands(a, b, name):
    if not isinstance(b, Tensor) or not isinstance(a, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(b if isinstance(a, Tensor) else a).__name__}")
    check_same_device(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to {name} need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.name} != {b.dtype.name}")
    x, y = a._data, b._data
    k_a = x.shape[-1]
    k_b = y.shape[-2] if y.ndim > 1 else y.shape[0]
    if k_a != k_b:
        if x.ndim == 1 and y.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src "
                               f"[{y.shape[0]}] to have the same number of elements, but got "
                               f"{x.shape[0]} and {y.shape[0]} elements respectively")
        rows_a = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        cols_b = y.shape[-1] if y.ndim > 1 else 1
        if x.ndim <= 2 and y.ndim <= 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows_a}x{k_a} and "
                               f"{k_b}x{cols_b})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{list(x.shape[:-2])}, {k_a}] but got: [{list(y.shape[:-2])}, {k_b}].")
    return x, y


class Matmul(Function):
    """``a @ b`` with NumPy's matmul rules;  d/da = grad @ b^T, d/db = a^T @ grad (batch
    dims that were broadcast are summed back)."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = _operands(a, b, "matmul")
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        return x @ y

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        shape_a, shape_b = ctx._input_shapes
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if len(shape_a) == 1 and len(shape_b) == 1:          # dot product -> scalar
            grad_a = grad * b if need_a else None
            grad_b = grad * a if need_b else None
        elif len(shape_a) == 1:                              # (k) @ (..., k, m) -> (..., m)
            if need_a:
                grad_a = sum_to_shape((grad.unsqueeze(-2) @ b.mT).squeeze(-2), shape_a)
            if need_b:
                grad_b = sum_to_shape(a.unsqueeze(-1) * grad.unsqueeze(-2), shape_b)
        elif len(shape_b) == 1:                              # (..., n, k) @ (k) -> (..., n)
            if need_a:
                grad_a = sum_to_shape(grad.unsqueeze(-1) * b, shape_a)
            if need_b:
                grad_b = sum_to_shape((a.mT @ grad.unsqueeze(-1)).squeeze(-1), shape_b)
        else:
            if need_a:
                grad_a = sum_to_shape(grad @ b.mT, shape_a)
            if need_b:
                grad_b = sum_to_shape(a.mT @ grad, shape_b)
        return grad_a, grad_b


class Dot(Matmul):
    node_name = "DotBackward0"


class Mv(Matmul):
    node_name = "MvBackward0"


class Bmm(Matmul):
    node_name = "BmmBackward0"


def matmul(input, other, *, out=None):
    """Matrix product with broadcasting batch dims (1-D operands are vectors).

    Example::

        >>> (minitorch.ones(2, 3) @ minitorch.ones(3)).tolist()
        [3.0, 3.0]
    """
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        _operands(input, other, "matmul")
    a_dim, b_dim = input.ndim, other.ndim
    if a_dim == 1 and b_dim == 1:
        result = Dot.apply(input, other)
    elif a_dim == 2 and b_dim == 1:
        result = Mv.apply(input, other)
    elif a_dim == 2 and b_dim == 2:
        result = Matmul.apply(input, other)
    else:
        result = Bmm.apply(input, other)
    if out is not None:
        out.copy_(result)
        return out
    return result


def _rmatmul(self, other):
    return matmul(other, self)


tensor_methods = {"matmul": matmul, "__matmul__": matmul, "__rmatmul__": _rmatmul}
