"""Elementwise math PyTorch has beyond the primitives, written with them: angle conversions,
``exp2``, ``logaddexp``, ``xlogy``, ``logit``, ``hypot``, NaN-ignoring ``fmax``/``fmin``,
``float_power``, ``copysign``, ``signbit`` and ``rsub``. Their gradients come from the ops they
are written with."""
from __future__ import annotations

import math

from .. import backend
from ..types import dtypes as _dtype
from ..tensor import Tensor

__all__ = ["deg2rad", "rad2deg", "exp2", "logaddexp", "logaddexp2", "xlogy", "logit", "hypot", "fmax", "fmin",
           "float_power", "signbit", "copysign", "rsub"]


def _as_float(input: Tensor) -> Tensor:
    """Integer and bool tensors compute in the default float dtype, as PyTorch's unary float ops."""
    return input if input.dtype.is_floating_point else input.to(_dtype.get_default_dtype())


def deg2rad(input: Tensor) -> Tensor:
    return _as_float(input) * (math.pi / 180)


def rad2deg(input: Tensor) -> Tensor:
    return _as_float(input) * (180 / math.pi)


def exp2(input: Tensor) -> Tensor:
    """``2 ** x``."""
    from .pointwise import pow
    return pow(2.0, _as_float(input))


def _check_float_operands(name, *operands):
    for operand in operands:
        if isinstance(operand, Tensor) and not operand.dtype.is_floating_point:
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{operand.dtype._torch_name}\'')


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """``log(exp(a) + exp(b))`` without overflow: ``max(a, b) + log1p(exp(-|a - b|))``."""
    _check_float_operands("logaddexp", input, other)
    from .pointwise import maximum
    return maximum(input, other) + (-(input - other).abs()).exp().log1p()


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """``log2(2^a + 2^b)``: ``logaddexp`` in base 2."""
    _check_float_operands("logaddexp2", input, other)
    from .pointwise import maximum
    return maximum(input, other) + (-(input - other).abs() * math.log(2)).exp().log1p() / math.log(2)


def xlogy(input, other) -> Tensor:
    """``x * log(y)``, 0 where ``x == 0`` (even where y is 0 or inf); NaN where y is NaN."""
    from ..creation.factories import as_tensor
    from .comparison import where
    dtype = _dtype.result_type(input, other)
    dtype = dtype if dtype.is_floating_point else _dtype.get_default_dtype()
    device = (input if isinstance(input, Tensor) else other).device
    x, y = (as_tensor(v, dtype=dtype, device=device) for v in (input, other))
    return where((x == 0) & ~y.isnan(), 0.0, x * y.log())


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, the inverse of ``sigmoid``; with ``eps``, p is first clamped to
    [eps, 1 - eps] (so the gradient is 0 outside)."""
    p = _as_float(input)
    if eps is not None:
        p = p.clamp(eps, 1 - eps)
    return (p / (1 - p)).log()


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """``sqrt(a^2 + b^2)``, the hypotenuse."""
    _check_float_operands("hypot", input, other)
    return (input * input + other * other).sqrt()


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """The larger of each pair, ignoring a NaN (NaN only where both are); the gradient goes
    to ``input`` on ties, as in PyTorch."""
    from .comparison import where
    return where((input >= other) | other.isnan(), input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """The smaller of each pair, ignoring a NaN (NaN only where both are)."""
    from .comparison import where
    return where((input <= other) | other.isnan(), input, other)


def float_power(input, exponent) -> Tensor:
    """``input ** exponent`` computed in float64."""
    from .pointwise import pow
    input, exponent = (v.to(_dtype.float64) if isinstance(v, Tensor) else v for v in (input, exponent))
    if not isinstance(input, Tensor):
        input = exponent.new_tensor(input)  # a number to the power of a tensor
    return pow(input, exponent)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set (negative numbers and -0.0)."""
    return Tensor._from_array(backend.namespace(input._data).signbit(input._data))


def copysign(input, other) -> Tensor:
    """``|input|`` with the sign of ``other`` (-0.0 counts as negative); float results."""
    from ..creation.factories import as_tensor
    from .comparison import where
    magnitude = _as_float(input if isinstance(input, Tensor) else as_tensor(input)).abs()
    negative = signbit(other) if isinstance(other, Tensor) else math.copysign(1.0, other) < 0
    if isinstance(negative, bool):
        return -magnitude if negative else magnitude
    return where(negative, -magnitude, magnitude)


def rsub(input: Tensor, other, alpha=1) -> Tensor:
    """``other - alpha * input``."""
    from .pointwise import sub
    return sub(other, input, alpha=alpha)
