"""Sign and rounding: ``abs``, ``sign``, ``floor``, ``ceil``, ``round``, ``trunc``, ``frac``.

These are piecewise functions: ``sign`` and the roundings are constant between jumps, so
their derivative is 0 (PyTorch's choice at the jumps too); ``abs`` is ±1 and ``frac`` is 1.
Integer tensors keep their dtype (rounding one is a copy). Each has an in-place twin.
"""
from __future__ import annotations

import builtins

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from .unary import _reject


# The public functions (exported as minitorch.<name>)
__all__ = ["abs", "absolute", "sign", "floor", "ceil", "round", "trunc", "fix", "frac"]


# --- sign-like ---------------------------------------------------------------------------

class Abs(Function):
    """y = |a|; dL/da = dL/dy * sign(a) (0 at 0); saves a."""

    node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, a):
        _reject(a, "b", "abs")
        ctx.save_for_backward(a)
        return np.abs(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * sign(a)


class Sign(Function):
    """y = sign(a) in {-1, 0, 1} (0 for NaN, as PyTorch); dL/da = 0 (a step function); saves
    nothing."""

    node_name = "SignBackward0"

    @staticmethod
    def forward(ctx, a):
        x = a._data
        if x.dtype == np.bool_:
            return x.copy()
        result = np.sign(x, out=np.empty_like(x))  # `out` keeps a 0-d result an array
        if x.dtype.kind == "f":
            np.copyto(result, 0, where=np.isnan(result))
        return result

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad)


def _zeros(grad):
    """The gradient of a piecewise-constant function (a fresh zero tensor, so NaN in ``grad``
    does not leak through as ``nan * 0`` would)."""
    return Tensor._from_array(np.zeros_like(grad._data))


# --- rounding -------------------------------------------------------------------------------

class Floor(Function):
    """y = floor(a); dL/da = 0 (piecewise constant); saves nothing."""

    node_name = "FloorBackward0"

    @staticmethod
    def forward(ctx, a):
        x = a._data
        return x.copy() if x.dtype.kind in "biu" else np.floor(x)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad)


class Ceil(Function):
    """y = ceil(a); dL/da = 0; saves nothing."""

    node_name = "CeilBackward0"

    @staticmethod
    def forward(ctx, a):
        x = a._data
        return x.copy() if x.dtype.kind in "biu" else np.ceil(x)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad)


class Trunc(Function):
    """y = trunc(a) (round toward zero); dL/da = 0; saves nothing."""

    node_name = "TruncBackward0"

    @staticmethod
    def forward(ctx, a):
        x = a._data
        return x.copy() if x.dtype.kind in "biu" else np.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad)


class Round(Function):
    """y = round(a), halves to even; dL/da = 0; saves nothing."""

    node_name = "RoundBackward0"

    @staticmethod
    def forward(ctx, a, decimals):
        x = a._data
        if x.dtype.kind in "biu":
            return x.copy()
        if decimals == 0:
            return np.rint(x)
        # PyTorch scales by 10**|decimals| in the direction that keeps the scale factor exact
        scale = 10.0 ** builtins.abs(decimals)
        return np.rint(x * scale) / scale if decimals > 0 else np.rint(x / scale) * scale

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad), None


class RoundDecimals(Round):
    """``round(a, decimals=d)``: PyTorch names its node differently."""

    node_name = "RoundBackward1"


class Frac(Function):
    """y = a - trunc(a); dL/da = dL/dy; saves nothing."""

    node_name = "FracBackward0"

    @staticmethod
    def forward(ctx, a):
        _reject(a, "biu", "frac")
        x = a._data
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


# --- the public functions (also Tensor methods) ---------------------------------------------

def abs(input: Tensor) -> Tensor:  # noqa: A001
    """``|input|`` elementwise (integers stay integers)."""
    return Abs.apply(input)


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element, in the input's dtype."""
    return Sign.apply(input)


def _reject_bool(input, kernel: str) -> None:
    """Rounding a bool tensor has no kernel in PyTorch (it would hand back the same mask)."""
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def floor(input: Tensor) -> Tensor:
    _reject_bool(input, "floor_vml_cpu")
    return Floor.apply(input)


def ceil(input: Tensor) -> Tensor:
    _reject_bool(input, "ceil_vml_cpu")
    return Ceil.apply(input)


def trunc(input: Tensor) -> Tensor:
    _reject_bool(input, "trunc_vml_cpu")
    return Trunc.apply(input)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Round to the nearest integer (halves to even), or to ``decimals`` decimal places."""
    _reject_bool(input, "round_vml_cpu")
    if decimals == 0:
        return Round.apply(input, 0)
    return RoundDecimals.apply(input, int(decimals))


def frac(input: Tensor) -> Tensor:
    """The fractional part ``input - trunc(input)`` (float tensors only)."""
    return Frac.apply(input)


absolute, fix = abs, trunc  # PyTorch's aliases


# --- in-place variants -------------------------------------------------------------------------

def abs_(self):
    return self._apply_inplace(Abs)


def sign_(self):
    return self._apply_inplace(Sign)


def floor_(self):
    return self._apply_inplace(Floor)


def ceil_(self):
    return self._apply_inplace(Ceil)


def trunc_(self):
    return self._apply_inplace(Trunc)


def round_(self, *, decimals: int = 0):
    if decimals == 0:
        return self._apply_inplace(Round, 0)
    return self._apply_inplace(RoundDecimals, int(decimals))


def frac_(self):
    return self._apply_inplace(Frac)
