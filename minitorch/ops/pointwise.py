"""Pointwise operations of two or more operands: arithmetic, rounding divisions, maximum
and minimum, ``atan2``, ``lerp``, ``addcmul``/``addcdiv`` and ``clamp``.

(Elementwise math of one tensor, ``exp``, ``sin``, ``floor``..., is in ``unary.py``.)
Each Function computes its forward on arrays and its backward with Tensor operations (so
that backward can itself be recorded, for higher-order gradients). Broadcasting ops hand
their gradient to ``sum_to_shape`` to undo the broadcast.
"""
from __future__ import annotations

import numpy as np

from ..types.dtypes import bool_, get_default_dtype, result_type
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ..types.int_scalars import checked_int_scalar
from ._helpers import binary_arrays, sum_to_shape
from .scalar_arguments import checked_alpha, scalar_in
from .comparison import where
from .unary import log


# The public functions (exported as minitorch.<name>)
__all__ = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
    "negative", "positive", "pow", "floor_divide", "fmod", "remainder", "maximum", "minimum",
    "atan2", "arctan2", "lerp", "addcmul", "addcdiv", "clamp", "clip", "clamp_min", "clamp_max",
]


# --- arithmetic --------------------------------------------------------------------------

class Add(Function):
    """y = a + b; dL/da = dL/dy, dL/db = dL/dy (each summed back over its broadcast dims); saves
    nothing."""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        return x + y

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx._input_shapes
        return (sum_to_shape(grad, shape_a) if ctx.needs_input_grad[0] else None,
                sum_to_shape(grad, shape_b) if ctx.needs_input_grad[1] else None)


class Sub(Function):
    """y = a - b; dL/da = dL/dy, dL/db = -dL/dy; saves nothing."""

    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        _check_no_bool_subtraction(a, b, x, y)
        return x - y

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx._input_shapes
        return (sum_to_shape(grad, shape_a) if ctx.needs_input_grad[0] else None,
                sum_to_shape(-grad, shape_b) if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """y = a * b; dL/da = dL/dy * b, dL/db = dL/dy * a; saves a and b (each only when the other's
    gradient is needed; numbers as constants)."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        need_a, need_b = ctx.needs_input_grad
        a_is_tensor, b_is_tensor = isinstance(a, Tensor), isinstance(b, Tensor)
        # each operand is needed only for the *other* one's gradient; numbers are kept as is
        ctx.save_for_backward(a if need_b and a_is_tensor else None,
                              b if need_a and b_is_tensor else None)
        if not (a_is_tensor and b_is_tensor):  # (set only when needed: most products have none)
            ctx.scalars = (None if a_is_tensor else a, None if b_is_tensor else b)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        shape_a, shape_b = ctx._input_shapes
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:  # b was saved when it is a tensor, else it is a number
            grad_a = sum_to_shape(grad * (ctx.scalars[1] if b is None else b), shape_a)
        if ctx.needs_input_grad[1]:
            grad_b = sum_to_shape(grad * (ctx.scalars[0] if a is None else a), shape_b)
        return grad_a, grad_b


class Div(Function):
    """y = a / b (true division); dL/da = dL/dy / b, dL/db = -dL/dy * a / b**2; saves b, and a when
    b needs a gradient (numbers as constants)."""

    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        dtype = result_type(a, b)
        if not dtype.is_floating_point:
            dtype = get_default_dtype()
        x, y = binary_arrays(a, b, dtype)
        ctx.save_for_backward(_tensor_if(a, ctx.needs_input_grad[1]), _tensor_if(b, True))
        ctx.scalar_a, ctx.scalar_b = _scalar_or_none(a), _scalar_or_none(b)
        return x / y

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        shape_a, shape_b = ctx._input_shapes
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = sum_to_shape(grad / (ctx.scalar_b if b is None else b), shape_a)
        if ctx.needs_input_grad[1]:
            numerator = ctx.scalar_a if a is None else a
            grad_b = sum_to_shape(-grad * numerator / (b * b), shape_b)
        return grad_a, grad_b


class Neg(Function):
    """y = -a; dL/da = -dL/dy; saves nothing."""

    node_name = "NegBackward0"

    @staticmethod
    def forward(ctx, a):
        if a._data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return -a._data

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """y = a ** b; dL/da = dL/dy * b * a**(b-1), dL/db = dL/dy * a**b * log(a) (0 where a == 0 and
    b >= 0); saves a and b (numbers as constants)."""

    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, b):
        dtype = result_type(a, b)
        if dtype.numpy == np.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        if dtype.numpy.kind in "iu" and not isinstance(b, Tensor):
            if b < 0:  # (a negative exponent tensor is fine: see _integer_power)
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            b = checked_int_scalar(b, dtype.numpy)  # uint8 ** 257 raises; it does not wrap
        x, y = binary_arrays(a, b)
        ctx.save_for_backward(_tensor_if(a, True), _tensor_if(b, True))
        ctx.scalars = (_scalar_or_none(a), _scalar_or_none(b))
        if dtype.numpy.kind in "iu" and isinstance(b, Tensor):
            return _integer_power(x, y, b._xp, dtype.numpy)
        return _power(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        scalar_a, scalar_b = ctx.scalars
        shape_a, shape_b = ctx._input_shapes
        base = scalar_a if a is None else a
        exponent = scalar_b if b is None else b
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            if b is None and exponent == 0:
                grad_a = grad * 0
            else:
                grad_a = sum_to_shape(grad * (exponent * base ** (exponent - 1)), shape_a)
        if ctx.needs_input_grad[1]:
            if a is None:  # a Python number as the base
                grad_b = grad * (base ** exponent) * float(np.log(base))
            else:
                term = base ** exponent * log(base)
                grad_b = grad * where((base == 0) & (exponent >= 0), 0.0, term)
            grad_b = sum_to_shape(grad_b, shape_b)
        return grad_a, grad_b


def _power(x, y):
    """``x ** y`` as PyTorch computes it for a floating-point tensor and a number exponent:
    squares, cubes and the reciprocal square by multiplication, the (reciprocal) square root
    by sqrt, everything else by pow. (The C library's pow rounds x ** 3 differently from
    x * x * x in the last bit, and is about 10x slower.)"""
    if isinstance(y, (int, float)) and not isinstance(y, bool) and x.dtype.kind == "f":
        one = x.dtype.type(1)
        if y == 2:
            return x * x
        if y == 3:
            return x * x * x
        if y == -2:
            return one / (x * x)
        if y == 0.5:
            return np.sqrt(x)
        if y == -0.5:
            return one / np.sqrt(x)
        if y == -1:
            return one / x
    return x ** y


def _tensor_if(value, needed: bool):
    """``value`` to save for backward when it is a Tensor that is needed, else None."""
    return value if needed and isinstance(value, Tensor) else None


def _scalar_or_none(value):
    """``value`` when it is a plain number (kept on ctx), None when it is a Tensor (saved)."""
    return None if isinstance(value, Tensor) else value


# --- rounding divisions --------------------------------------------------------------------

_FLOAT = np.dtype(np.float64)  # (what a Python float operand counts as)


def _check_integer_divisor(x, y) -> None:
    """Integer division by zero has no answer: PyTorch raises (NumPy would give 0)."""
    if any(getattr(v, "size", 1) == 0 for v in (x, y)):
        return  # nothing is divided (PyTorch checks while it computes)
    integers = all(isinstance(v, (int, np.integer)) or getattr(v, "dtype", _FLOAT).kind in "iub"
                   for v in (x, y))
    if integers and bool((np.asarray(y) == 0).any() if isinstance(y, (int, np.integer))
                         else (y == 0).any()):
        raise RuntimeError("ZeroDivisionError (an integer division or remainder by zero)")


def _reject_two_bools(x, y, kernel: str) -> None:
    """Operands that are both bool have no kernel for these ops in PyTorch."""
    def is_bool(v) -> bool:  # (a Python bool, a bool tensor, or a bool array)
        return isinstance(v, bool) or getattr(v._data if isinstance(v, Tensor) else v, "dtype",
                                                  None) == np.bool_
    if is_bool(x) and is_bool(y):
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _rounded_quotient(x, y, rounding_mode, floating: bool):
    """``x / y`` rounded toward -inf ('floor', Python's ``//``) or toward zero ('trunc')."""
    if rounding_mode == "floor":
        return np.floor_divide(x, y)
    if floating:
        return np.trunc(np.true_divide(x, y))
    q = np.floor_divide(x, y)  # integers: floor, then step back toward zero where it went below
    return q + ((np.remainder(x, y) != 0) & (q < 0))


class DivRounding(Function):
    """y = div(a, b, rounding_mode=...), piecewise constant; dL/da = dL/db = 0; saves nothing."""

    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, b, rounding_mode):
        dtype = result_type(a, b)
        x, y = binary_arrays(a, b, dtype)
        _check_integer_divisor(x, y)
        return _rounded_quotient(x, y, rounding_mode, dtype.is_floating_point)

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b, _ = ctx._input_shapes
        zero = Tensor._from_array(np.zeros_like(grad._data))
        return (sum_to_shape(zero, shape_a) if ctx.needs_input_grad[0] else None,
                sum_to_shape(zero, shape_b) if ctx.needs_input_grad[1] else None, None)


class FloorDivide(Function):
    """y = a // b; dL/da: not implemented, as in PyTorch (div(a, b, rounding_mode='floor') is the
    differentiable form, with a zero gradient); saves nothing."""

    node_name = "FloorDivideBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        _reject_two_bools(x, y, "div_floor_cpu")
        _check_integer_divisor(x, y)
        return np.floor_divide(x, y)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("the derivative for 'floor_divide' is not implemented.")


class Fmod(Function):
    """y = fmod(a, b) = a - b * trunc(a / b) (sign of a); dL/da = dL/dy, dL/db = -dL/dy * trunc(a /
    b); saves a and b when b needs a gradient."""

    node_name = "FmodBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        _reject_two_bools(x, y, "fmod_cpu")
        _check_integer_divisor(x, y)
        needed = ctx.needs_input_grad[1]  # only d/db uses the operands
        ctx.save_for_backward(_tensor_if(a, needed), _tensor_if(b, needed))
        ctx.scalar_a = _scalar_or_none(a)
        return np.fmod(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        shape_a, shape_b = ctx._input_shapes
        grad_a = sum_to_shape(grad, shape_a) if ctx.needs_input_grad[0] else None
        grad_b = None
        if ctx.needs_input_grad[1]:
            a = ctx.scalar_a if a is None else a
            grad_b = sum_to_shape(-grad * div(a, b, rounding_mode="trunc"), shape_b)
        return grad_a, grad_b


class Remainder(Function):
    """y = remainder(a, b) = a - b * floor(a / b) (sign of b, Python's %); dL/da = dL/dy, dL/db =
    -dL/dy * floor(a / b); saves a and b when b needs a gradient."""

    node_name = "RemainderBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        _reject_two_bools(x, y, "remainder_cpu")
        _check_integer_divisor(x, y)
        needed = ctx.needs_input_grad[1]  # only d/db uses the operands
        ctx.save_for_backward(_tensor_if(a, needed), _tensor_if(b, needed))
        ctx.scalar_a = _scalar_or_none(a)
        return np.remainder(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        shape_a, shape_b = ctx._input_shapes
        grad_a = sum_to_shape(grad, shape_a) if ctx.needs_input_grad[0] else None
        grad_b = None
        if ctx.needs_input_grad[1]:
            a = ctx.scalar_a if a is None else a
            grad_b = sum_to_shape(-grad * div(a, b, rounding_mode="floor"), shape_b)
        return grad_a, grad_b


# --- maximum, minimum, atan2 ------------------------------------------------------------------

def _require_tensor(value, name: str, position: int, argument: str = "other") -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be Tensor, "
                        f"not {type(value).__name__}")


class Maximum(Function):
    """y = maximum(a, b); dL/da = dL/dy where a > b, half of it where a == b (PyTorch's subgradient
    at a tie), else 0, and dL/db the same way; saves a and b."""

    node_name = "MaximumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        ctx.save_for_backward(a, b)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _select_backward(ctx, grad, a < b, a > b, a == b)


class Minimum(Function):
    """y = minimum(a, b); dL/da = dL/dy where a < b, half of it at ties, else 0, and dL/db the same
    way; saves a and b."""

    node_name = "MinimumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        ctx.save_for_backward(a, b)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _select_backward(ctx, grad, a > b, a < b, a == b)


def _select_backward(ctx, grad, a_loses, b_loses, tie):
    shape_a, shape_b = ctx._input_shapes
    shared = where(tie, grad / 2, grad)
    grad_a = sum_to_shape(where(a_loses, 0.0, shared), shape_a) if ctx.needs_input_grad[0] else None
    grad_b = sum_to_shape(where(b_loses, 0.0, shared), shape_b) if ctx.needs_input_grad[1] else None
    return grad_a, grad_b


class Atan2(Function):
    """y = atan2(a, b), the angle of the point (b, a); dL/da = dL/dy * b / (a² + b²), dL/db =
    -dL/dy * a / (a² + b²); saves a and b."""

    node_name = "Atan2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        dtype = result_type(a, b)
        if not dtype.is_floating_point:
            dtype = get_default_dtype()
        x, y = binary_arrays(a, b, dtype)
        ctx.save_for_backward(a, b)
        return np.arctan2(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        shape_a, shape_b = ctx._input_shapes
        from .comparison import where
        denominator = a * a + b * b
        # at a = b = 0 PyTorch gives gradient 0 (not 0 * inf = NaN)
        scaled = where(denominator == 0, 0.0, grad / denominator)
        return (sum_to_shape(scaled * b, shape_a) if ctx.needs_input_grad[0] else None,
                # (-a as PyTorch writes it: a bool a is refused here, as by PyTorch's backward)
                sum_to_shape(scaled * -a, shape_b) if ctx.needs_input_grad[1] else None)


# --- lerp, addcmul, addcdiv ----------------------------------------------------------------

class Lerp(Function):
    """y = lerp(a, b, w) = a + w (b - a); dL/da = dL/dy * (1 - w), dL/db = dL/dy * w, dL/dw = dL/dy
    * (b - a); saves a, b and w, each only when a gradient needs it (w as a constant when it is a
    number)."""

    node_name = "LerpBackward1"

    @staticmethod
    def forward(ctx, a, b, weight):
        x, y, w = a._data, b._data, weight._data if isinstance(weight, Tensor) else weight
        if x.dtype != y.dtype:
            raise RuntimeError(f"expected dtype {a.dtype.name} for `end` but got dtype {b.dtype.name}")
        if isinstance(weight, Tensor) and w.dtype != x.dtype:
            if weight.ndim:
                raise RuntimeError(f"expected dtype {a.dtype.name} for `weight` but got dtype "
                                   f"{weight.dtype.name}")
            w = w.astype(x.dtype)  # a 0-d weight follows the operands' dtype
        need_ends, need_weight = ctx.needs_input_grad[2], True in ctx.needs_input_grad[:2]
        ctx.save_for_backward(_tensor_if(a, need_ends), _tensor_if(b, need_ends),
                              _tensor_if(weight, need_weight))
        ctx.scalar_weight = _scalar_or_none(weight)
        return x + w * (y - x)

    @staticmethod
    def backward(ctx, grad):
        a, b, weight = ctx.saved_tensors
        shape_a, shape_b, shape_w = ctx._input_shapes
        w = ctx.scalar_weight if weight is None else weight
        grad_a = grad_b = grad_w = None
        if ctx.needs_input_grad[0]:
            grad_a = sum_to_shape(grad * (1 - w), shape_a)
        if ctx.needs_input_grad[1]:
            grad_b = sum_to_shape(grad * w, shape_b)
        if ctx.needs_input_grad[2]:
            grad_w = sum_to_shape(grad * (b - a), shape_w)
        return grad_a, grad_b, grad_w


class LerpScalar(Lerp):
    """``lerp`` with a number as the weight: PyTorch names its node differently."""

    node_name = "LerpBackward0"


def _ternary_arrays(a, b, c):
    """The arrays of three tensors cast to their common (promoted) dtype."""
    target = result_type(a, b, c).numpy
    return tuple(t._data if t._data.dtype == target else t._data.astype(target) for t in (a, b, c))


class Addcmul(Function):
    """y = a + value * t1 * t2; dL/da = dL/dy, dL/dt1 = dL/dy * value * t2, dL/dt2 = dL/dy * value
    * t1; saves value, and t1, t2 when the other needs a gradient."""

    node_name = "AddcmulBackward0"

    @staticmethod
    def forward(ctx, a, t1, t2, value):
        x, y, z = _ternary_arrays(a, t1, t2)
        ctx.save_for_backward(_tensor_if(t1, ctx.needs_input_grad[2]),
                              _tensor_if(t2, ctx.needs_input_grad[1]))
        ctx.value = value
        product = y * z
        return x + (product if value == 1 else value * product)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        shape_a, shape_1, shape_2, _ = ctx._input_shapes
        scaled = grad if ctx.value == 1 else grad * ctx.value
        return (sum_to_shape(grad, shape_a) if ctx.needs_input_grad[0] else None,
                sum_to_shape(scaled * t2, shape_1) if ctx.needs_input_grad[1] else None,
                sum_to_shape(scaled * t1, shape_2) if ctx.needs_input_grad[2] else None, None)


class Addcdiv(Function):
    """y = a + value * t1 / t2; dL/da = dL/dy, dL/dt1 = dL/dy * value / t2, dL/dt2 = -dL/dy * value
    * t1 / t2²; saves value, t2, and t1 when t2 needs a gradient."""

    node_name = "AddcdivBackward0"

    @staticmethod
    def forward(ctx, a, t1, t2, value):
        if t1._data.dtype.kind in "biu" and t2._data.dtype.kind in "biu":
            raise RuntimeError("Integer division with addcdiv is no longer supported; use "
                               "input + value * tensor1 / tensor2 (true division) instead.")
        x, y, z = _ternary_arrays(a, t1, t2)
        ctx.save_for_backward(_tensor_if(t1, ctx.needs_input_grad[2]), t2)
        ctx.value = value
        quotient = y / z
        return x + (quotient if value == 1 else value * quotient)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        shape_a, shape_1, shape_2, _ = ctx._input_shapes
        scaled = (grad if ctx.value == 1 else grad * ctx.value) / t2
        return (sum_to_shape(grad, shape_a) if ctx.needs_input_grad[0] else None,
                sum_to_shape(scaled, shape_1) if ctx.needs_input_grad[1] else None,
                sum_to_shape(-scaled * t1 / t2, shape_2) if ctx.needs_input_grad[2] else None, None)


# --- clamp ------------------------------------------------------------------------------------

class Clamp(Function):
    """y = clamp(a, lo, hi) with number bounds (either may be None); dL/da = dL/dy where lo <= a <=
    hi (bounds included, PyTorch's subgradient), else 0; saves a and the bounds."""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, lo, hi):
        x = a._data
        target = result_type(a, *(v for v in (lo, hi) if v is not None)).numpy
        if x.dtype != target:
            x = x.astype(target)
        ctx.save_for_backward(a)
        ctx.bounds = (lo, hi)
        if hi is None:
            return np.maximum(x, lo)
        if lo is None:
            return np.minimum(x, hi)
        return np.minimum(np.maximum(x, lo), hi)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        if hi is None:
            inside = a >= lo
        elif lo is None:
            inside = a <= hi
        else:
            inside = (a >= lo) & (a <= hi)
        return where(inside, grad, 0.0), None, None


class ClampMin(Clamp):
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class ClampTensor(Function):
    """y = clamp(a, lo, hi) with tensor bounds (either may be None), broadcasting; dL/da = dL/dy
    where lo <= a <= hi; dL/dlo = dL/dy where a < lo (and lo < hi); dL/dhi = dL/dy where a > hi, or
    everywhere hi < lo (then y is hi), as PyTorch defines them; saves a, lo and hi."""

    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, a, lo, hi):
        bounds = [v for v in (lo, hi) if v is not None]
        target = result_type(a, *bounds).numpy
        x, low, high = (None if t is None else t._data if t._data.dtype == target
                        else t._data.astype(target) for t in (a, lo, hi))
        ctx.save_for_backward(a, lo, hi)
        if high is None:
            return np.maximum(x, low)
        if low is None:
            return np.minimum(x, high)
        return np.minimum(np.maximum(x, low), high)

    @staticmethod
    def backward(ctx, grad):
        a, lo, hi = ctx.saved_tensors
        shapes = ctx._input_shapes
        if hi is None:
            masks = (a >= lo, a < lo, None)
        elif lo is None:
            masks = (a <= hi, None, a > hi)
        else:
            masks = ((a >= lo) & (a <= hi), (a < lo) & (lo < hi), (a > hi) | (hi < lo))
        return tuple(sum_to_shape(where(m, grad, 0.0), s) if m is not None and needed else None
                     for m, s, needed in zip(masks, shapes, ctx.needs_input_grad))


# --- the public functions (also Tensor methods) ---------------------------------------------

def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion."""
    if not (type(alpha) is int and alpha == 1):
        other = times_alpha(input, other, alpha)
    return _with_out(Add.apply(input, other), out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    _check_no_bool_subtraction(input, other, input, other)
    if not (type(alpha) is int and alpha == 1):
        other = times_alpha(input, other, alpha)
    return _with_out(Sub.apply(input, other), out)


def times_alpha(input, other, alpha):
    """``alpha * other`` for ``input + alpha * other``, computed in the sum's dtype as PyTorch
    does: ``alpha`` is converted to it first (scalar_arguments.py), a number ``other`` stays a
    number (a "weak" scalar that cannot widen the dtype), a tensor is cast to it (a uint8
    ``other`` of an int64 sum must not wrap)."""
    result = result_type(input, other)
    alpha = checked_alpha(alpha, result)
    if not isinstance(other, Tensor):
        return (other and alpha) if result is bool_ else other * alpha
    if result is bool_:  # True + alpha * b is True or (alpha and b)
        return other if alpha else mul(other, False)
    return mul(other if other.dtype is result else other.to(result), alpha)


def mul(input, other, *, out=None):
    """``input * other``, elementwise with broadcasting."""
    return _with_out(Mul.apply(input, other), out)


def div(input, other, *, rounding_mode: str | None = None, out=None):
    """``input / other``; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient (zero gradient)."""
    if rounding_mode is None:
        return _with_out(Div.apply(input, other), out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    return _with_out(DivRounding.apply(input, other, rounding_mode), out)


def true_divide(input, other):
    return Div.apply(input, other)


def neg(input):
    """``-input`` (bool tensors are rejected: use ``~`` or ``logical_not``)."""
    return Neg.apply(input)


def _is_bool(value) -> bool:
    """A Python bool, a bool tensor or a bool array."""
    array = value._data if isinstance(value, Tensor) else value
    return isinstance(value, bool) or getattr(array, "dtype", None) == np.bool_


def _check_no_bool_subtraction(a, b, x, y) -> None:
    """PyTorch refuses ``-`` on bools: the learner usually meant ``~mask`` or ``a ^ b``."""
    if _is_bool(x) and _is_bool(y):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(a) or _is_bool(b):  # (a Python bool too: PyTorch makes it a bool tensor)
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def _integer_power(x, y, xp, dtype):
    """``x ** y`` for integers, with PyTorch's answer for a negative ``y`` where NumPy raises:
    1 ** -n = 1, (-1) ** -n = +-1 (by the parity of n), anything else ** -n = 0 (1/x rounded
    toward zero)."""
    negative = y < 0
    if not negative.any():
        return x ** y
    powers = xp.asarray(x, dtype=dtype) ** xp.where(negative, 0, y).astype(dtype)
    inverse = xp.where(x == 1, 1, xp.where(x == -1, xp.where(y % 2 == 0, 1, -1), 0))
    return xp.where(negative, inverse, powers).astype(dtype)


def positive(input):
    """``+input``: the tensor itself (bool tensors are rejected, as by PyTorch)."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def pow(input, exponent):
    """``input ** exponent``; either may be a Python number."""
    return Pow.apply(input, exponent)


def floor_divide(input, other):
    """``input // other``, rounding toward -inf (Python's ``//``); not differentiable."""
    return FloorDivide.apply(input, other)


def fmod(input, other):
    """C's ``fmod``: the remainder of ``input / other`` with the sign of ``input``."""
    return Fmod.apply(input, other)


def remainder(input, other):
    """Python's ``%``: the remainder of ``input / other`` with the sign of ``other``."""
    return Remainder.apply(input, other)


def maximum(input, other):
    """The elementwise maximum of two tensors (NaN wins); ties split the gradient half and half."""
    _require_tensor(other, "maximum", 2)
    return Maximum.apply(input, other)


def minimum(input, other):
    """The elementwise minimum of two tensors (NaN wins); ties split the gradient half and half."""
    _require_tensor(other, "minimum", 2)
    return Minimum.apply(input, other)


def atan2(input, other):
    """The angle of the point ``(other, input)``, in ``[-pi, pi]``."""
    _require_tensor(other, "atan2", 2)
    return Atan2.apply(input, other)


def lerp(input, end, weight):
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` a number or a tensor."""
    _require_tensor(end, "lerp", 2, "end")
    if isinstance(weight, Tensor):
        if input.dtype is end.dtype and not input.is_floating_point():
            # a 0-d float weight makes it a float lerp; an integer one of the same dtype is an
            # integer lerp, which has no rounding rule: PyTorch has no kernel
            dtype = result_type(input, end, weight) if weight.ndim == 0 else weight.dtype
            if dtype is input.dtype:
                raise NotImplementedError(f"\"lerp_kernel_tensor\" not implemented for "
                                          f"'{dtype._torch_name}'")
            if weight.ndim == 0:
                input, end = input.to(dtype), end.to(dtype)
        return Lerp.apply(input, end, weight)
    dtype = input.dtype
    if not dtype.is_floating_point and end.dtype is dtype:  # (an int lerp: no kernel either)
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for "
                                  f"'{dtype._torch_name}'")
    return LerpScalar.apply(input, end, weight)


def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2`` (used by optimizers, mostly in place)."""
    return Addcmul.apply(input, tensor1, tensor2, _addcmul_value(input, tensor1, tensor2, value))


def _addcmul_value(input, tensor1, tensor2, value):
    """``value`` in the result's dtype, as PyTorch converts it (an int result truncates 1.5);
    PyTorch has no bool kernel."""
    result = result_type(input, tensor1, tensor2)
    if result is bool_:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    return scalar_in(value, result)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2``."""
    return Addcdiv.apply(input, tensor1, tensor2, value)


def _clamp_function(min, max):
    """The Function for these bounds: numbers and tensors cannot be mixed, as in PyTorch."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tensors = [isinstance(v, Tensor) for v in (min, max) if v is not None]
    if all(tensors):
        return ClampTensor
    if any(tensors):
        raise TypeError("clamp() received an invalid combination of arguments: min and max must "
                        "both be tensors or both be numbers")
    return Clamp


def clamp(input: Tensor, min: Tensor | Number | None = None, max: Tensor | Number | None = None):  # noqa: A002
    """Limit every element to ``[min, max]`` (numbers or broadcastable tensors; either may be None).

    Where ``min > max`` every element becomes ``max``. The gradient passes where
    ``min <= input <= max``, bounds included.
    """
    min, max = _fitted_bounds(input, min, max)
    return _clamp_function(min, max).apply(input, min, max)


def _fitted_bounds(input, min, max):  # noqa: A002
    """Number bounds of an integer tensor, as PyTorch casts them (uint8: -1 is 255; -300 raises)."""
    if isinstance(input, Tensor) and input._data.dtype.kind in "iu":
        min, max = (checked_int_scalar(b, input._data.dtype) for b in (min, max))
    return min, max


def clamp_min(input: Tensor, min: Tensor | Number):  # noqa: A002
    """``clamp(input, min=min)``."""
    min, _ = _fitted_bounds(input, min, None)
    return (ClampTensor if isinstance(min, Tensor) else ClampMin).apply(input, min, None)


def clamp_max(input: Tensor, max: Tensor | Number):  # noqa: A002
    """``clamp(input, max=max)``."""
    _, max = _fitted_bounds(input, None, max)
    return (ClampTensor if isinstance(max, Tensor) else ClampMax).apply(input, None, max)


def _with_out(result, out):
    if out is None:
        return result
    out.copy_(result)
    return out


subtract, multiply, divide, negative, clip, arctan2 = sub, mul, div, neg, clamp, atan2  # aliases


def _rsub(self, other):
    return Sub.apply(other, self)


def _rtruediv(self, other):
    return Div.apply(other, self)


def _rpow(self, other):
    return Pow.apply(other, self)


def _rfloordiv(self, other):
    return FloorDivide.apply(other, self)


def _rmod(self, other):
    return Remainder.apply(other, self)


# --- in-place variants ------------------------------------------------------------------------

def neg_(self):
    return self._apply_inplace(Neg)


def floor_divide_(self, other):
    return self._apply_inplace(FloorDivide, other)


def fmod_(self, other):
    return self._apply_inplace(Fmod, other)


def remainder_(self, other):
    return self._apply_inplace(Remainder, other)


def lerp_(self, end, weight):
    _require_tensor(end, "lerp_", 1, "end")
    if not self.is_floating_point():  # no integer lerp: the out-of-place one says why, else
        result = lerp(self, end, weight)  # it computed a float (a 0-d float weight)
        raise RuntimeError(f"result type {result.dtype._torch_name} can't be cast to the desired "
                           f"output type {self.dtype._torch_name}")
    return self._apply_inplace(Lerp if isinstance(weight, Tensor) else LerpScalar, end, weight)


def addcmul_(self, tensor1, tensor2, *, value=1):
    return self._apply_inplace(Addcmul, tensor1, tensor2,
                               _addcmul_value(self, tensor1, tensor2, value))


def addcdiv_(self, tensor1, tensor2, *, value=1):
    return self._apply_inplace(Addcdiv, tensor1, tensor2, value)


def clamp_(self, min=None, max=None):  # noqa: A002
    min, max = _fitted_bounds(self, min, max)
    return self._apply_inplace(_clamp_function(min, max), min, max)


def clamp_min_(self, min):  # noqa: A002
    min, _ = _fitted_bounds(self, min, None)
    return self._apply_inplace(ClampTensor if isinstance(min, Tensor) else ClampMin, min, None)


def clamp_max_(self, max):  # noqa: A002
    _, max = _fitted_bounds(self, None, max)
    return self._apply_inplace(ClampTensor if isinstance(max, Tensor) else ClampMax, None, max)
