"""Comparisons, logical operations and ``where``.

Comparisons and logical ops return bool tensors and carry no gradient, so they are plain
functions rather than Functions. ``where`` is differentiable in its two value operands.
"""
from __future__ import annotations

import numpy as np

from .._dtype import result_type
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import binary_arrays, sum_to_shape


# The public functions (exported as minitorch.<name>)
__all__ = [
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "not_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "where",
]


def _compare(ufunc, a, b):
    x, y = binary_arrays(a, b)
    return Tensor._from_array(ufunc(x, y))


def eq(input, other):
    """Elementwise ``input == other`` as a bool tensor."""
    return _compare(np.equal, input, other)


def ne(input, other):
    return _compare(np.not_equal, input, other)


def lt(input, other):
    return _compare(np.less, input, other)


def le(input, other):
    return _compare(np.less_equal, input, other)


def gt(input, other):
    return _compare(np.greater, input, other)


def ge(input, other):
    return _compare(np.greater_equal, input, other)


def _eq_operator(self, other):
    if not isinstance(other, (Tensor, int, float, bool, np.number, np.bool_)):
        return NotImplemented  # x == None is False, as in PyTorch
    return eq(self, other)


def _ne_operator(self, other):
    if not isinstance(other, (Tensor, int, float, bool, np.number, np.bool_)):
        return NotImplemented
    return ne(self, other)


def _logical(ufunc, a, b):
    x = a._data if isinstance(a, Tensor) else a
    y = b._data if isinstance(b, Tensor) else b
    return Tensor._from_array(ufunc(x, y))


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne  # PyTorch's aliases


def logical_and(input, other):
    return _logical(np.logical_and, input, other)


def logical_or(input, other):
    return _logical(np.logical_or, input, other)


def logical_xor(input, other):
    return _logical(np.logical_xor, input, other)


def logical_not(input):
    return Tensor._from_array(np.logical_not(input._data))


def _bitwise(ufunc, a, b):
    """``&``, ``|``, ``^`` on bool and integer tensors (PyTorch rejects floats)."""
    dtype = result_type(a, b)
    if dtype.is_floating_point:
        raise RuntimeError(f'"{ufunc.__name__}_cpu" not implemented for \'{dtype.name.capitalize()}\'')
    x, y = binary_arrays(a, b, dtype)
    return Tensor._from_array(ufunc(x, y))


def bitwise_and(input, other):
    return _bitwise(np.bitwise_and, input, other)


def bitwise_or(input, other):
    return _bitwise(np.bitwise_or, input, other)


def bitwise_xor(input, other):
    return _bitwise(np.bitwise_xor, input, other)


def bitwise_not(input):
    if input.dtype.is_floating_point:
        raise RuntimeError("bitwise_not is only supported for integer and boolean tensors")
    return Tensor._from_array(np.invert(input._data))


class Where(Function):
    """``where(condition, a, b)``;  d/da = condition, d/db = not condition."""

    node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, condition, a, b):
        cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
        if cond.dtype != np.bool_:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                               f"with dtype {condition.dtype if isinstance(condition, Tensor) else cond.dtype}")
        x, y = binary_arrays(a, b)
        ctx.condition = condition if isinstance(condition, Tensor) else Tensor._from_array(cond)
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx, grad):
        _, shape_a, shape_b = ctx._input_shapes
        cond = ctx.condition
        zero = grad * 0
        grad_a = sum_to_shape(where(cond, grad, zero), shape_a) if ctx.needs_input_grad[1] else None
        grad_b = sum_to_shape(where(cond, zero, grad), shape_b) if ctx.needs_input_grad[2] else None
        return None, grad_a, grad_b


def where(condition, input=None, other=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``; broadcasting.

    With only ``condition``, returns ``condition.nonzero(as_tuple=True)`` as PyTorch does.
    """
    if input is None and other is None:
        return tuple(Tensor._from_array(i) for i in np.nonzero(condition._data))
    return Where.apply(condition, input, other)


tensor_methods = {
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "greater": gt, "greater_equal": ge, "less": lt, "less_equal": le, "not_equal": ne,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "logical_not": logical_not, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "__eq__": _eq_operator, "__ne__": _ne_operator, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor,
    "__rand__": bitwise_and, "__ror__": bitwise_or, "__rxor__": bitwise_xor,
    "__invert__": bitwise_not,
}
