"""Pointwise operations: arithmetic, and the first elementwise math functions.

Each Function computes its forward on arrays and its backward with Tensor operations (so
that backward can itself be recorded, for higher-order gradients). Broadcasting ops hand
their gradient to ``sum_to_shape`` to undo the broadcast.
"""
from __future__ import annotations

import numpy as np

from .._dtype import get_default_dtype, result_type
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import binary_arrays, sum_to_shape


# The public functions (exported as minitorch.<name>)
__all__ = [
    "add",
    "sub",
    "subtract",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "neg",
    "negative",
    "pow",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "relu",
]


def _float_array(x):
    """Integer and bool inputs of float functions (exp, log...) compute in the default float dtype."""
    if x.dtype.kind in "biu":
        return x.astype(get_default_dtype().numpy)
    return x


# --- arithmetic --------------------------------------------------------------------------

class Add(Function):
    """``a + b``;  d/da = 1, d/db = 1 (each summed back over its broadcast dims)."""

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
    """``a - b``;  d/da = 1, d/db = -1."""

    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        return x - y

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx._input_shapes
        return (sum_to_shape(grad, shape_a) if ctx.needs_input_grad[0] else None,
                sum_to_shape(-grad, shape_b) if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """``a * b``;  d/da = b, d/db = a."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        # each operand is needed only for the *other* one's gradient
        ctx.save_for_backward(_tensor_if(a, ctx.needs_input_grad[1]),
                              _tensor_if(b, ctx.needs_input_grad[0]))
        ctx.scalars = (_scalar_or_none(a), _scalar_or_none(b))
        return x * y

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        scalar_a, scalar_b = ctx.scalars
        shape_a, shape_b = ctx._input_shapes
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = sum_to_shape(grad * (scalar_b if b is None else b), shape_a)
        if ctx.needs_input_grad[1]:
            grad_b = sum_to_shape(grad * (scalar_a if a is None else a), shape_b)
        return grad_a, grad_b


class Div(Function):
    """``a / b`` (true division);  d/da = 1/b, d/db = -a/b**2."""

    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        dtype = result_type(a, b)
        if not dtype.is_floating_point:
            dtype = get_default_dtype()
        x, y = binary_arrays(a, b, dtype)
        ctx.save_for_backward(_tensor_if(a, ctx.needs_input_grad[1]), _tensor_if(b, True))
        ctx.scalar_b = _scalar_or_none(b)
        return x / y

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        shape_a, shape_b = ctx._input_shapes
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = sum_to_shape(grad / (ctx.scalar_b if b is None else b), shape_a)
        if ctx.needs_input_grad[1]:
            grad_b = sum_to_shape(-grad * a / (b * b), shape_b)
        return grad_a, grad_b


class Neg(Function):
    """``-a``;  d/da = -1."""

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
    """``a ** b``;  d/da = b * a**(b-1),  d/db = a**b * log(a) (0 where a == 0 and b >= 0)."""

    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        if (type(y) is int and y < 0 or not isinstance(y, (int, float)) and y.dtype.kind in "iu"
                and (y < 0).any()) and x.dtype.kind in "iu":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        ctx.save_for_backward(_tensor_if(a, True), _tensor_if(b, True))
        ctx.scalars = (_scalar_or_none(a), _scalar_or_none(b))
        return x ** y

    @staticmethod
    def backward(ctx, grad):
        from .comparison import where
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
                grad_a = sum_to_shape(grad * exponent * base ** (exponent - 1), shape_a)
        if ctx.needs_input_grad[1]:
            if a is None:  # a Python number as the base
                grad_b = grad * (base ** exponent) * float(np.log(base))
            else:
                term = base ** exponent * log(base)
                grad_b = grad * where((base == 0) & (exponent >= 0), 0.0, term)
            grad_b = sum_to_shape(grad_b, shape_b)
        return grad_a, grad_b


def _tensor_if(value, needed: bool):
    """``value`` to save for backward when it is a Tensor that is needed, else None."""
    return value if needed and isinstance(value, Tensor) else None


def _scalar_or_none(value):
    """``value`` when it is a plain number (kept on ctx), None when it is a Tensor (saved)."""
    return None if isinstance(value, Tensor) else value


# --- elementwise math ----------------------------------------------------------------------

class Exp(Function):
    """``exp(a)``;  d/da = exp(a), reusing the saved output."""

    node_name = "ExpBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.exp(_float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result


class Log(Function):
    """``log(a)``;  d/da = 1/a."""

    node_name = "LogBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(_float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Function):
    """``sqrt(a)``;  d/da = 1 / (2 sqrt(a))."""

    node_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.sqrt(_float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad / (2 * result)


class Tanh(Function):
    """``tanh(a)``;  d/da = 1 - tanh(a)**2."""

    node_name = "TanhBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.tanh(_float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (1 - result * result)


class Sigmoid(Function):
    """``sigmoid(a) = 1 / (1 + exp(-a))``;  d/da = s (1 - s).

    Computed as ``exp(-logaddexp(0, -a))`` so that large |a| neither overflows nor gives NaN.
    """

    node_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx, a):
        x = _float_array(a._data)
        result = Tensor._from_array(np.exp(-np.logaddexp(0, -x)).astype(x.dtype, copy=False))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (result * (1 - result))


class Relu(Function):
    """``max(a, 0)``;  d/da = 1 where a > 0, else 0 (PyTorch's choice at 0)."""

    node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.maximum(a._data, 0, dtype=a._data.dtype))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (result > 0)


# --- the public functions (also Tensor methods) ---------------------------------------------

def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion."""
    if alpha != 1:
        other = mul(other, alpha)
    return _with_out(Add.apply(input, other), out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    if alpha != 1:
        other = mul(other, alpha)
    return _with_out(Sub.apply(input, other), out)


def mul(input, other, *, out=None):
    """``input * other``, elementwise with broadcasting."""
    return _with_out(Mul.apply(input, other), out)


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient (no gradient)."""
    if rounding_mode is None:
        return _with_out(Div.apply(input, other), out)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    from .._creation import _wrap_no_grad
    dtype = result_type(input, other)
    x, y = binary_arrays(input, other, dtype)
    if dtype.is_floating_point:
        q = x / y
        result = np.floor(q) if rounding_mode == "floor" else np.trunc(q)
    elif rounding_mode == "floor":
        result = x // y
    else:
        result = np.trunc(np.true_divide(x, y)).astype(dtype.numpy)
    return _with_out(_wrap_no_grad(result), out)


def true_divide(input, other):
    return Div.apply(input, other)


def neg(input):
    return Neg.apply(input)


def pow(input, exponent):
    """``input ** exponent``; either may be a Python number."""
    return Pow.apply(input, exponent)


def exp(input):
    return Exp.apply(input)


def log(input):
    return Log.apply(input)


def sqrt(input):
    return Sqrt.apply(input)


def tanh(input):
    return Tanh.apply(input)


def sigmoid(input):
    return Sigmoid.apply(input)


def relu(input):
    return Relu.apply(input)


def _with_out(result, out):
    if out is None:
        return result
    out.copy_(result)
    return out


subtract, multiply, divide, negative = sub, mul, div, neg  # PyTorch's aliases


def _rsub(self, other):
    return Sub.apply(other, self)


def _rdiv(self, other):
    return Div.apply(other, self)


def _rpow(self, other):
    return Pow.apply(other, self)


tensor_methods = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": true_divide, "neg": neg, "negative": neg, "pow": pow,
    "exp": exp, "log": log, "sqrt": sqrt, "tanh": tanh, "sigmoid": sigmoid, "relu": relu,
    "__add__": add, "__radd__": add, "__sub__": sub, "__rsub__": _rsub,
    "__mul__": mul, "__rmul__": mul, "__truediv__": div, "__rtruediv__": _rdiv,
    "__pow__": pow, "__rpow__": _rpow, "__neg__": neg,
}
