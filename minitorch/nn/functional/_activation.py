"""Activation functions (``F.relu``, ``F.gelu``, ``F.softmax``...).

The frequent ones are Functions with their own backward (one node per activation, named as
PyTorch names it, and one array pass forward). Their backwards are written with Tensor ops,
so they can be differentiated again. The rarer ones are short compositions of those.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ...autograd.function import Function
from ...ops.softmax import log_softmax as _log_softmax, softmax as _softmax
from ...ops.unary import relu as _relu, sigmoid_array
from ...tensor import Tensor
from ...types.dtypes import bool_

__all__ = [
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu",
    "celu", "gelu", "silu", "mish", "softplus", "tanh", "sigmoid", "hardtanh", "hardtanh_",
    "hardswish", "hardsigmoid", "softmax", "log_softmax", "softmin", "logsigmoid", "softsign",
    "tanhshrink", "threshold", "threshold_",
]

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# PyTorch has these activations for floating point only: an integer or bool input is the
# NotImplementedError of the CPU kernel (named "<name>_cpu" unless listed here) for its dtype
_KERNEL_NAMES = {"elu": "elu_cpu", "selu": "elu_cpu", "celu": "elu_cpu", "gelu": "GeluKernelImpl",
                 "logsigmoid": "log_sigmoid_cpu", "softshrink": "softshrink_check"}


def _check_float(input, name: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input._data.dtype.kind != "f":
        kernel = _KERNEL_NAMES.get(name, f"{name}_cpu")
        raise NotImplementedError(f'"{kernel}" not implemented for \'{input.dtype._torch_name}\'')


# Numbers (slopes, bounds) are passed to a Function by keyword, so that its node has edges for
# its tensors only, as in PyTorch. An in-place call (``Tensor._apply_inplace``) can only pass
# them positionally, so backwards that serve in-place ops end with Nones for them.

# --- rectifiers -----------------------------------------------------------------------------

def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(0, x)``."""
    return input.relu_() if inplace else _relu(input)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


class LeakyRelu(Function):
    """y = x if x > 0 else slope * x; dL/dx = dL/dy where x > 0, else slope * dL/dy; saves x and
    slope."""

    node_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, slope):
        ctx.slope = slope
        ctx.save_for_backward(x)
        a = x._data
        return np.where(a > 0, a, a * a.dtype.type(slope))

    @staticmethod
    def backward(ctx, grad):
        from ... import where
        (x,) = ctx.saved_tensors
        return where(x > 0, grad, grad * ctx.slope), None  # (None: the slope, if positional)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    _check_float(input, "leaky_relu")
    if inplace:
        return input._apply_inplace(LeakyRelu, negative_slope)
    return LeakyRelu.apply(input, slope=negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


class Elu(Function):
    """y = scale * (x if x > 0 else alpha * (exp(input_scale * x) - 1)) (ELU, SELU and CELU are
    this with different constants); dL/dx = dL/dy * scale where x > 0, else dL/dy * scale * alpha *
    input_scale * exp(input_scale * x); saves x and the constants."""

    node_name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        ctx.constants = (alpha, scale, input_scale)
        ctx.save_for_backward(x)
        a = x._data
        t = a.dtype.type
        negative = t(scale * alpha) * np.expm1(np.minimum(a, 0) * t(input_scale))
        return np.where(a > 0, a * t(scale), negative)

    @staticmethod
    def backward(ctx, grad):
        from ... import where
        alpha, scale, input_scale = ctx.constants
        (x,) = ctx.saved_tensors
        negative = grad * ((x * input_scale).exp() * (scale * alpha * input_scale))
        return where(x <= 0, negative, grad * scale), None, None, None  # NaN: the x > 0 branch


class Celu(Elu):
    """y = x if x > 0 else alpha * (exp(x / alpha) - 1) (ELU with input_scale 1 / alpha);
    dL/dx = dL/dy where x > 0, else dL/dy * (alpha / a) * exp(x / a) with a = alpha rounded to
    float32; saves x and alpha.

    The rounding is PyTorch's: its backward formula takes ``1.0 / alpha.toFloat()``, so its
    float64 gradients are float32-accurate, and so are these, to give PyTorch's numbers."""

    node_name = "CeluBackward0"

    @staticmethod
    def backward(ctx, grad):
        alpha, scale, _ = ctx.constants
        ctx.constants = (alpha, scale, 1.0 / float(np.float32(alpha)))
        return Elu.backward(ctx, grad)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    _check_float(input, "elu")
    if inplace:
        return input._apply_inplace(Elu, alpha, 1.0, 1.0)
    return Elu.apply(input, alpha=alpha, scale=1.0, input_scale=1.0)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    _check_float(input, "selu")
    if inplace:
        return input._apply_inplace(Elu, _SELU_ALPHA, _SELU_SCALE, 1.0)
    return Elu.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    _check_float(input, "celu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return input._apply_inplace(Celu, alpha, 1.0, 1.0 / alpha)
    return Celu.apply(input, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


# --- smooth activations --------------------------------------------------------------------

class Gelu(Function):
    """y = x * Phi(x) (Phi: the standard normal CDF, via erf), or with approximate='tanh' 0.5 x (1
    + tanh(sqrt(2/pi) (x + 0.044715 x^3))); dL/dx = dL/dy * (Phi(x) + x phi(x)) (phi: the normal
    density), or for tanh, with t the tanh and u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2), dL/dy * (0.5
    (1 + t) + 0.5 x (1 - t^2) u'); saves x and approximate."""

    node_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x, *, approximate):
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        a = x._data
        t = a.dtype.type
        if approximate == "tanh":
            inner = t(_SQRT_2_OVER_PI) * (a + t(0.044715) * a * a * a)
            return t(0.5) * a * (1 + np.tanh(inner))
        from ... import erf
        cdf = (1 + erf(Tensor._from_array(a * t(1 / _SQRT_2)))._data) * t(0.5)
        return a * cdf

    @staticmethod
    def backward(ctx, grad):
        from ... import erf
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = (_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)).tanh()
            slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (_SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x))
        else:
            cdf = 0.5 * (1 + erf(x * (1 / _SQRT_2)))
            pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
            slope = cdf + x * pdf
        return grad * slope


def gelu(input: Tensor, *, approximate: str = "none") -> Tensor:
    """Gaussian Error Linear Unit; ``approximate`` is 'none' (exact, via erf) or 'tanh'."""
    _check_float(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate=approximate)


class Silu(Function):
    """y = x * sigmoid(x); dL/dx = dL/dy * s (1 + x (1 - s)), s = sigmoid(x); saves x."""

    node_name = "SiluBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._data * sigmoid_array(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return grad * (s * (1 + x * (1 - s)))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    _check_float(input, "silu")
    return input._apply_inplace(Silu) if inplace else Silu.apply(input)


def _softplus_array(a, beta, threshold):
    t = a.dtype.type
    z = a * t(beta)
    # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): stable for every z
    soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / t(beta)
    return np.where(z > threshold, a, soft)


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta, and x where beta x > threshold; dL/dx = dL/dy *
    sigmoid(beta x) (dL/dy above the threshold); saves x, beta and threshold."""

    node_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, *, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(x)
        return _softplus_array(x._data, beta, threshold)

    @staticmethod
    def backward(ctx, grad):
        from ... import where
        (x,) = ctx.saved_tensors
        z = x * ctx.beta
        return where(z > ctx.threshold, grad, grad * z.sigmoid())


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    _check_float(input, "softplus")
    return Softplus.apply(input, beta=beta, threshold=threshold)


class Mish(Function):
    """y = x tanh(softplus(x)); dL/dx = dL/dy * (t + x (1 - t^2) sigmoid(x)), t =
    tanh(softplus(x)); saves x."""

    node_name = "MishBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._data * np.tanh(_softplus_array(x._data, 1.0, 20.0))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = softplus(x).tanh()
        return grad * (t + x * (1 - t * t) * x.sigmoid())


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    _check_float(input, "mish")
    return input._apply_inplace(Mish) if inplace else Mish.apply(input)


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


class LogSigmoid(Function):
    """y = log(sigmoid(x)) = -softplus(-x), computed stably; dL/dx = dL/dy sigmoid(-x) = dL/dy (1 -
    sigmoid(x)); saves x."""

    node_name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return -_softplus_array(-x._data, 1.0, np.inf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (-x).sigmoid()


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``, computed stably."""
    _check_float(input, "logsigmoid")
    return LogSigmoid.apply(input)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return input / (1 + input.abs())


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``."""
    return input - input.tanh()


# --- piecewise linear ------------------------------------------------------------------------

class Hardtanh(Function):
    """y = clamp(x, min_val, max_val); dL/dx = dL/dy strictly inside (min_val, max_val), else 0;
    saves x and the bounds."""

    node_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        ctx.bounds = (min_val, max_val)
        ctx.save_for_backward(x)
        return np.clip(x._data, min_val, max_val)

    @staticmethod
    def backward(ctx, grad):
        from ... import where
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        # 0 only where x is at or beyond a bound (a NaN passes its gradient, as in PyTorch);
        # a literal 0, not grad * 0, so an infinite gradient does not become NaN
        return where((x <= low) | (x >= high), 0.0, grad), None, None


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input.dtype is bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if inplace:
        return input._apply_inplace(Hardtanh, min_val, max_val)
    return Hardtanh.apply(input, min_val=min_val, max_val=max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


class Hardswish(Function):
    """y = x * relu6(x + 3) / 6; dL/dx = 0 below -3, dL/dy * (x/3 + 1/2) on [-3, 3], dL/dy above;
    saves x."""

    node_name = "HardswishBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        return a * np.clip(a + 3, 0, 6) / a.dtype.type(6)

    @staticmethod
    def backward(ctx, grad):
        from ... import where
        (x,) = ctx.saved_tensors
        middle = where(x <= 3, grad * (x / 3 + 0.5), grad)
        return where(x < -3, 0.0, middle)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    _check_float(input, "hardswish")
    return input._apply_inplace(Hardswish) if inplace else Hardswish.apply(input)


class Hardsigmoid(Function):
    """y = relu6(x + 3) / 6; dL/dx = dL/dy / 6 strictly inside (-3, 3), else 0; saves x.

    PyTorch's kernel multiplies by the float32 constant ``1.0f / 6.0f`` in every dtype; the same
    constant here gives PyTorch's float64 gradients."""

    node_name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        return np.clip(a + 3, 0, 6) / a.dtype.type(6)

    @staticmethod
    def backward(ctx, grad):
        from ... import where
        (x,) = ctx.saved_tensors
        return where((x > -3) & (x < 3), grad * _ONE_SIXTH_IN_FLOAT32, 0.0)


_ONE_SIXTH_IN_FLOAT32 = float(np.float32(1.0 / 6.0))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    _check_float(input, "hardsigmoid")
    return input._apply_inplace(Hardsigmoid) if inplace else Hardsigmoid.apply(input)


class Threshold(Function):
    """y = x if x > threshold else value; dL/dx = dL/dy where x > threshold, else 0; saves x and
    threshold."""

    node_name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.threshold = threshold
        ctx.save_for_backward(x)
        a = x._data
        return np.where(a <= threshold, a.dtype.type(value), a)  # a NaN stays NaN, as in PyTorch

    @staticmethod
    def backward(ctx, grad):
        from ... import where
        (x,) = ctx.saved_tensors
        return where(x <= ctx.threshold, 0.0, grad), None, None


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    if inplace:
        return input._apply_inplace(Threshold, threshold, value)
    return Threshold.apply(input, threshold=threshold, value=value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return input._apply_inplace(Threshold, threshold, value)


# --- softmax family (the Functions are minitorch.softmax / log_softmax) -------------------------

def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """PyTorch's legacy implicit dim (0 for 0-, 1- and 3-D inputs, else 1), with its warning."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _cast_input(input: Tensor, dtype) -> Tensor:
    return input if dtype is None else input.to(dtype)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: dtype | None = None) -> Tensor:
    """Rescale ``dim`` to probabilities that sum to 1 (``minitorch.softmax``, which subtracts
    the max first so that large inputs do not overflow).

    Example::

        >>> F.softmax(minitorch.tensor([1.0, 1.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: dtype | None = None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed stably as ``x - logsumexp(x)``."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return _log_softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: dtype | None = None) -> Tensor:
    """``softmax(-x)`` along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    return softmax(-_cast_input(input, dtype), dim)
