"""Comparisons, logical operations, float classification (``isnan``...), closeness tests
and ``where``.

Comparisons and logical ops return bool tensors and carry no gradient, so they are plain
functions rather than Functions. ``where`` is differentiable in its two value operands,
``nan_to_num`` in its input.
"""
from __future__ import annotations

import numpy as np

from ..types.dtypes import result_type
from ..types.int_scalars import checked_int_scalar
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import binary_arrays, check_same_device, sum_to_shape


# The public functions (exported as minitorch.<name>)
__all__ = [
    "bitwise_left_shift",
    "bitwise_right_shift",
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
    "isnan",
    "isinf",
    "isposinf",
    "isneginf",
    "isfinite",
    "nan_to_num",
    "isclose",
    "allclose",
    "equal",
]


def _apply_broadcasting(ufunc, x, y, a, b):
    """``ufunc(x, y)`` with PyTorch's RuntimeError for shapes that do not broadcast (these
    ops are not Functions, so Function.apply's translation of NumPy's error is not on the way)."""
    try:
        return ufunc(x, y)
    except ValueError as err:
        if str(err).startswith("operands could not be broadcast"):
            from ..autograd.function import broadcast_error
            raise broadcast_error((a, b)) from None
        raise


def _compare(ufunc, a, b):
    x, y = binary_arrays(a, b)
    return Tensor._from_array(_apply_broadcasting(ufunc, x, y, a, b))


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
    for name, value in (("input", a), ("other", b)):
        if not isinstance(value, Tensor):  # (NumPy would make an object array of it)
            raise TypeError(f"{ufunc.__name__}(): argument '{name}' must be Tensor, not "
                            f"{type(value).__name__}")
    x = a._data if isinstance(a, Tensor) else a
    y = b._data if isinstance(b, Tensor) else b
    return Tensor._from_array(_apply_broadcasting(ufunc, x, y, a, b))


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
    if dtype.is_floating_point:  # PyTorch: no kernel for this dtype -> NotImplementedError
        raise NotImplementedError(f'"{ufunc.__name__}_cpu" not implemented for '
                                  f"'{dtype._torch_name}'")
    x, y = binary_arrays(a, b, dtype)
    return Tensor._from_array(_apply_broadcasting(ufunc, x, y, a, b))


def bitwise_and(input, other):
    return _bitwise(np.bitwise_and, input, other)


def bitwise_or(input, other):
    return _bitwise(np.bitwise_or, input, other)


def bitwise_xor(input, other):
    return _bitwise(np.bitwise_xor, input, other)


def _shifted(a, b, left: bool):
    """``a << b`` / ``a >> b`` on integer tensors with C's rules made total, as PyTorch does: a
    shift by a negative amount or by the bit width or more gives 0 (or, right-shifting a
    signed value, its sign: 0 or -1)."""
    dtype = result_type(a, b)
    if dtype.is_floating_point or dtype.numpy == np.bool_:
        name = "lshift" if left else "rshift"
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{dtype._torch_name}\'')
    x, y = binary_arrays(a, b, dtype)
    xp = (a if isinstance(a, Tensor) else b)._xp
    bits = dtype.itemsize * 8
    out_of_range = (xp.asarray(y) < 0) | (xp.asarray(y) >= bits)
    amount = xp.where(out_of_range, 0, y).astype(dtype.numpy)
    if left:
        shifted = xp.left_shift(x, amount)
        return Tensor._from_array(xp.where(out_of_range, 0, shifted).astype(dtype.numpy))
    shifted = xp.right_shift(x, amount)
    sign = xp.right_shift(x, bits - 1) if dtype.is_signed else 0
    return Tensor._from_array(xp.where(out_of_range, sign, shifted).astype(dtype.numpy))


def bitwise_left_shift(input, other):
    return _shifted(input, other, left=True)


def bitwise_right_shift(input, other):
    return _shifted(input, other, left=False)


def _rlshift(self, other):
    return _shifted(other, self, left=True)


def _rrshift(self, other):
    return _shifted(other, self, left=False)


def _invert(self):
    """``~x``: Python's operator says TypeError for a float tensor (bitwise_not says more)."""
    if self.dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors (got {self.dtype})")
    return bitwise_not(self)


def bitwise_not(input):
    if input.dtype.is_floating_point:
        raise NotImplementedError(f'"bitwise_not_cpu" not implemented for '
                                  f"'{input.dtype._torch_name}'")
    return Tensor._from_array(np.invert(input._data))


class Where(Function):
    """y = where(condition, a, b); dL/da = dL/dy where condition, else 0; dL/db = dL/dy where not
    condition, else 0; saves condition."""

    node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, condition, a, b):
        cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
        if cond.dtype != np.bool_:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                               f"with dtype {condition.dtype if isinstance(condition, Tensor) else cond.dtype}")
        dtype = result_type(a, b)  # a number must fit it (where(mask, uint8, 300) raises)
        x, y = binary_arrays(checked_int_scalar(a, dtype.numpy), checked_int_scalar(b, dtype.numpy),
                             dtype)
        ctx.condition = condition if isinstance(condition, Tensor) else Tensor._from_array(cond)
        # NumPy gives float64 for two Python floats (where(c, 1.0, 2.0)); PyTorch gives the
        # promoted dtype, the default float dtype there
        return np.where(cond, x, y).astype(dtype.numpy, copy=False)

    @staticmethod
    def backward(ctx, grad):
        _, shape_a, shape_b = ctx._input_shapes
        cond = ctx.condition
        # a literal 0, not grad * 0: an inf or NaN gradient in the branch not taken must not
        # leak through as NaN (inf * 0), exactly as in PyTorch
        grad_a = sum_to_shape(where(cond, grad, 0.0), shape_a) if ctx.needs_input_grad[1] else None
        grad_b = sum_to_shape(where(cond, 0.0, grad), shape_b) if ctx.needs_input_grad[2] else None
        return None, grad_a, grad_b


def where(condition: Tensor, input: Tensor | Number = None, other: Tensor | Number = None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``; broadcasting.

    With only ``condition``, returns ``condition.nonzero(as_tuple=True)`` as PyTorch does (a
    0-d condition counts as one element).
    """
    if input is None and other is None:
        return tuple(Tensor._from_array(i) for i in np.nonzero(np.atleast_1d(condition._data)))
    if input is None or other is None:
        raise TypeError("where() takes the condition alone, or with both input and other")
    return Where.apply(condition, input, other)


# --- float classification ------------------------------------------------------------------

def isnan(input) -> Tensor:
    """True where an element is NaN."""
    return Tensor._from_array(np.isnan(input._data))


def isinf(input) -> Tensor:
    """True where an element is +inf or -inf."""
    return Tensor._from_array(np.isinf(input._data))


def isposinf(input) -> Tensor:
    return Tensor._from_array(np.isposinf(input._data))


def isneginf(input) -> Tensor:
    return Tensor._from_array(np.isneginf(input._data))


def isfinite(input) -> Tensor:
    """True where an element is neither infinite nor NaN."""
    return Tensor._from_array(np.isfinite(input._data))


class NanToNum(Function):
    """y = nan_to_num(a): NaN, +inf and -inf replaced by numbers; dL/da = dL/dy where a is finite,
    0 where replaced; saves a."""

    node_name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        x = a._data
        if x.dtype.kind != "f":
            return x.copy()
        ctx.save_for_backward(a)
        # NumPy's defaults for posinf/neginf are the dtype's largest finite values, as PyTorch's
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return where(isfinite(a), grad, 0.0), None, None, None


def nan_to_num(input: Tensor, nan: float | None = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """Replace NaN by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (defaults: 0 and the
    dtype's largest and smallest finite values; ``nan=None`` is 0, as in PyTorch)."""
    return NanToNum.apply(input, 0.0 if nan is None else nan, posinf, neginf)


def nan_to_num_(self, nan: float | None = 0.0, posinf: float | None = None, neginf: float | None = None):
    return self._apply_inplace(NanToNum, 0.0 if nan is None else nan, posinf, neginf)


# --- closeness ------------------------------------------------------------------------------

def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise (equal infinities are close)."""
    if isinstance(other, Tensor) and input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype.name} did not match {other.dtype.name}")
    x, y = binary_arrays(input, other)
    if x.dtype.kind == "b":
        return Tensor._from_array(np.equal(x, y))
    return Tensor._from_array(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True when every element of ``input`` is close to ``other`` (see ``isclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """True when both tensors have the same shape and the same values."""
    if input._data.shape != other._data.shape:
        return False
    check_same_device(input, other)
    return bool((input._data == other._data).all())


def _where_method(self, condition, other):
    """``x.where(condition, y)`` is ``where(condition, x, y)``."""
    return where(condition, self, other)
