"""Elementwise math of one tensor: exponentials and logs, roots, trigonometry, activations.
Each has an in-place twin (``exp_``) that writes the result back into its input. (Sign and
rounding functions, whose derivatives are piecewise constant, are in ``rounding.py``.)

Each Function computes its forward on arrays (one or two array operations, keeping the
input's float dtype; integer and bool inputs of float functions compute in the default
float dtype, as in PyTorch) and its backward with Tensor operations, so that
``create_graph=True`` gives higher-order gradients. Where the
derivative is most cheaply written with the result (``exp``, ``sqrt``, ``tanh``...), the
result is saved instead of the input.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ..types.dtypes import get_default_dtype
from ..autograd.function import Function
from ..tensor import Tensor


# The public functions (exported as minitorch.<name>)
__all__ = [
    "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "reciprocal",
    "sin", "cos", "tan", "atan", "arctan", "sinh", "cosh", "tanh", "sigmoid", "relu", "erf",
]


def float_array(x):
    """Integer and bool inputs of float functions (exp, log...) compute in the default float dtype."""
    if x.dtype.kind in "biu":
        return x.astype(get_default_dtype().numpy)
    return x


def _reject(a, kinds: str, name: str) -> None:
    """PyTorch's NotImplementedError for a dtype kind an op has no kernel for."""
    if a._data.dtype.kind in kinds:
        raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                  f"'{a.dtype._torch_name}'")


# --- exponentials and logarithms -------------------------------------------------------------

class Exp(Function):
    """y = exp(a); dL/da = dL/dy * y; saves y."""

    node_name = "ExpBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.exp(float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result


class Expm1(Function):
    """y = exp(a) - 1, accurate near 0; dL/da = dL/dy * (y + 1); saves y."""

    node_name = "Expm1Backward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.expm1(float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (result + 1)


class Log(Function):
    """y = log(a); dL/da = dL/dy / a; saves a."""

    node_name = "LogBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Log2(Function):
    """y = log2(a); dL/da = dL/dy / (a ln 2); saves a."""

    node_name = "Log2Backward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log2(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(2.0))


class Log10(Function):
    """y = log10(a); dL/da = dL/dy / (a ln 10); saves a."""

    node_name = "Log10Backward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log10(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(10.0))


class Log1p(Function):
    """y = log(1 + a), accurate near 0; dL/da = dL/dy / (1 + a); saves a."""

    node_name = "Log1PBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a + 1)


# --- powers and roots -------------------------------------------------------------------------

class Sqrt(Function):
    """y = sqrt(a); dL/da = dL/dy / (2 y); saves y."""

    node_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.sqrt(float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad / (2 * result)


class Rsqrt(Function):
    """y = 1 / sqrt(a); dL/da = -dL/dy * a**(-3/2) / 2 = -dL/dy * y**3 / 2; saves y."""

    node_name = "RsqrtBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(1 / np.sqrt(float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (result * result * result) * -0.5


class Reciprocal(Function):
    """y = 1 / a; dL/da = -dL/dy / a**2 = -dL/dy * y**2; saves y."""

    node_name = "ReciprocalBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.reciprocal(float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return -grad * (result * result)


# --- trigonometric and hyperbolic -----------------------------------------------------------

class Sin(Function):
    """y = sin(a); dL/da = dL/dy * cos(a); saves a."""

    node_name = "SinBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * cos(a)


class Cos(Function):
    """y = cos(a); dL/da = -dL/dy * sin(a); saves a."""

    node_name = "CosBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * -sin(a)


class Tan(Function):
    """y = tan(a); dL/da = dL/dy * (1 + y**2); saves y."""

    node_name = "TanBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.tan(float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (result * result + 1)


class Atan(Function):
    """y = atan(a); dL/da = dL/dy / (1 + a**2); saves a."""

    node_name = "AtanBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * a + 1)


class Sinh(Function):
    """y = sinh(a); dL/da = dL/dy * cosh(a); saves a."""

    node_name = "SinhBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinh(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * cosh(a)


class Cosh(Function):
    """y = cosh(a); dL/da = dL/dy * sinh(a); saves a."""

    node_name = "CoshBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * sinh(a)


class Tanh(Function):
    """y = tanh(a); dL/da = dL/dy * (1 - y**2); saves y."""

    node_name = "TanhBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(np.tanh(float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (1 - result * result)


# --- activations ----------------------------------------------------------------------------

def sigmoid_array(x, out=None):
    """1 / (1 + exp(-x)) of an array, PyTorch's formula, computed in one buffer (``out``, or a
    new array) updated in place: four passes over it.

    For very negative x, ``exp(-x)`` overflows to inf and ``1 / (1 + inf)`` is the correct
    limit 0 (no NaN can arise; minitorch silences NumPy's overflow warnings globally).
    float16 is computed in float32 and rounded once, as PyTorch does (in half precision
    exp(-x) alone is off by up to 0.0005 near x = 8). Tensor.sigmoid and the LSTM and GRU
    cells all call this: one sigmoid, the same bits everywhere.
    """
    half = x.dtype == np.float16
    # (float16's float32 buffer is a copy made by astype: it stays on x's device)
    s = x.astype(np.float32) if half else (np.empty_like(x) if out is None else out)
    one = s.dtype.type(1)  # (1 of s's own dtype: NumPy's direct float32 loop, no conversion)
    np.negative(x, out=s)
    np.exp(s, out=s)
    np.add(s, one, out=s)
    np.divide(one, s, out=s)  # (np.reciprocal's bits; NumPy has SIMD for divide, not for it)
    if not half:
        return s
    if out is None:
        return s.astype(np.float16)
    out[...] = s
    return out


class Sigmoid(Function):
    """y = sigmoid(a) = 1 / (1 + exp(-a)); dL/da = dL/dy * y (1 - y); saves y.

    The array formula, with float16's handling, is ``sigmoid_array``'s."""

    node_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx, a):
        result = Tensor._from_array(sigmoid_array(float_array(a._data)))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (1 - result) * result  # (PyTorch's order: the same bits, float16 too)


class Relu(Function):
    """y = max(a, 0); dL/da = dL/dy where a > 0, else 0 (PyTorch's choice at 0); saves y."""

    node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, a):
        _reject(a, "b", "clamp_min")
        result = Tensor._from_array(np.maximum(a._data, 0, dtype=a._data.dtype))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        # the gradient passes where the input was not <= 0: positive, or NaN (as in PyTorch)
        from .comparison import where
        keep = Tensor._from_array(~(result._data <= 0))
        return where(keep, grad, 0.0)


class Erf(Function):
    """y = erf(a) = 2/sqrt(pi) * integral_0^a exp(-t**2) dt; dL/da = dL/dy * 2/sqrt(pi) *
    exp(-a**2); saves a."""

    node_name = "ErfBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        x = float_array(a._data)
        return _erf_array(x).astype(x.dtype, copy=False)  # (SciPy computes float16 in float64)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * exp(-(a * a))


@functools.lru_cache(maxsize=None)
def _scipy_erf():
    """SciPy's erf ufunc when SciPy is installed (one fast pass), else None."""
    try:
        from scipy.special import erf as scipy_erf
    except ImportError:
        return None
    return scipy_erf


def _erf_array(x):
    """erf of a float array: SciPy's ufunc on CPU when available, else W. J. Cody's rational
    approximations (Math. Comp. 1969), accurate to a float64 rounding error everywhere."""
    scipy_erf = _scipy_erf() if type(x) is np.ndarray else None
    if scipy_erf is not None:
        return scipy_erf(x)
    ax = np.abs(x)
    z = x * x
    # |x| <= 0.5:  erf(x) = x P(x^2) / Q(x^2)
    num, den = 1.85777706184603153e-1 * z, z
    for p, q in ((3.16112374387056560e00, 2.36012909523441209e01),
                 (1.13864154151050156e02, 2.44024637934444173e02),
                 (3.77485237685302021e02, 1.28261652607737228e03)):
        num, den = (num + p) * z, (den + q) * z
    small = x * (num + 3.20937758913846947e03) / (den + 2.84423683343917062e03)
    # 0.5 < |x| <= 4:  erfc(|x|) = exp(-x^2) P(|x|) / Q(|x|)
    num, den = 2.15311535474403846e-8 * ax, ax
    for p, q in ((5.64188496988670089e-1, 1.57449261107098347e01),
                 (8.88314979438837594e00, 1.17693950891312499e02),
                 (6.61191906371416295e01, 5.37181101862009858e02),
                 (2.98635138197400131e02, 1.62138957456669019e03),
                 (8.81952221241769090e02, 3.29079923573345963e03),
                 (1.71204761263407058e03, 4.36261909014324716e03),
                 (2.05107837782607147e03, 3.43936767414372164e03)):
        num, den = (num + p) * ax, (den + q) * ax
    erfc_mid = (num + 1.23033935479799725e03) / (den + 1.23033935480374942e03)
    # |x| > 4:  erfc(|x|) = exp(-x^2) / |x| (1/sqrt(pi) - R(1/x^2))
    with np.errstate(divide="ignore", invalid="ignore"):
        w = 1 / z
        num, den = 1.63153871373020978e-2 * w, w
        for p, q in ((3.05326634961232344e-1, 2.56852019228982242e00),
                     (3.60344899949804439e-1, 1.87295284992346725e00),
                     (1.25781726111229246e-1, 5.27905102951428412e-1),
                     (1.60837851487422766e-2, 6.05183413124413191e-2)):
            num, den = (num + p) * w, (den + q) * w
        tail = w * (num + 6.58749161529837803e-4) / (den + 2.33520497626869185e-3)
        erfc_large = (1 / math.sqrt(math.pi) - tail) / ax
    erfc = np.exp(-z) * np.where(ax <= 4, erfc_mid, erfc_large)
    large = np.where(np.isnan(x), x, np.copysign(1 - erfc, x))
    return np.where(ax <= 0.5, small, large).astype(x.dtype, copy=False)


# --- the public functions (also Tensor methods) ---------------------------------------------

def exp(input: Tensor) -> Tensor:
    return Exp.apply(input)


def expm1(input: Tensor) -> Tensor:
    return Expm1.apply(input)


def log(input: Tensor) -> Tensor:
    return Log.apply(input)


def log2(input: Tensor) -> Tensor:
    return Log2.apply(input)


def log10(input: Tensor) -> Tensor:
    return Log10.apply(input)


def log1p(input: Tensor) -> Tensor:
    return Log1p.apply(input)


def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(input)


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(input)


def square(input: Tensor) -> Tensor:
    """``input ** 2`` (recorded as a power, as PyTorch does; integers stay integers)."""
    from .pointwise import Pow
    return Pow.apply(input, 2)


def reciprocal(input: Tensor) -> Tensor:
    return Reciprocal.apply(input)


def sin(input: Tensor) -> Tensor:
    return Sin.apply(input)


def cos(input: Tensor) -> Tensor:
    return Cos.apply(input)


def tan(input: Tensor) -> Tensor:
    return Tan.apply(input)


def atan(input: Tensor) -> Tensor:
    return Atan.apply(input)


def sinh(input: Tensor) -> Tensor:
    return Sinh.apply(input)


def cosh(input: Tensor) -> Tensor:
    return Cosh.apply(input)


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(input)


def relu(input: Tensor) -> Tensor:
    return Relu.apply(input)


def erf(input: Tensor) -> Tensor:
    """The error function, elementwise."""
    return Erf.apply(input)


arctan = atan  # PyTorch's alias


# --- in-place variants: the same Functions, written back into the tensor -------------------

def exp_(self):
    return self._apply_inplace(Exp)


def expm1_(self):
    return self._apply_inplace(Expm1)


def log_(self):
    return self._apply_inplace(Log)


def log2_(self):
    return self._apply_inplace(Log2)


def log10_(self):
    return self._apply_inplace(Log10)


def log1p_(self):
    return self._apply_inplace(Log1p)


def sqrt_(self):
    return self._apply_inplace(Sqrt)


def rsqrt_(self):
    return self._apply_inplace(Rsqrt)


def square_(self):
    from .pointwise import Pow
    return self._apply_inplace(Pow, 2)


def reciprocal_(self):
    return self._apply_inplace(Reciprocal)


def sin_(self):
    return self._apply_inplace(Sin)


def cos_(self):
    return self._apply_inplace(Cos)


def tan_(self):
    return self._apply_inplace(Tan)


def atan_(self):
    return self._apply_inplace(Atan)


def sinh_(self):
    return self._apply_inplace(Sinh)


def cosh_(self):
    return self._apply_inplace(Cosh)


def tanh_(self):
    return self._apply_inplace(Tanh)


def sigmoid_(self):
    return self._apply_inplace(Sigmoid)


def relu_(self):
    return self._apply_inplace(Relu)


def erf_(self):
    return self._apply_inplace(Erf)
