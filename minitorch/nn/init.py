"""Weight initialisation (``nn.init``): fill a tensor in place from a distribution.

Every function overwrites ``tensor``'s values without recording anything (as under
``no_grad``), bumps its version, and returns it. Each one makes PyTorch's draws in
PyTorch's order (the random fills ``tensor.uniform_`` / ``normal_`` / ``randperm``), so after
the same seed a layer initialised here has PyTorch's weights, bit for bit. Values are drawn
on the CPU from ``generator`` (default: minitorch's default generator) and moved to the
tensor's device.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import backend
from ..autograd import grad_mode
from ..random import distributions, kernels
from ..random.generator import _generator
from ..tensor import Tensor

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
    "kaiming_normal_", "orthogonal_", "sparse_",
]


def _write(tensor: Tensor, values) -> Tensor:
    """Store ``values`` (a CPU array or a number) into ``tensor`` in place."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"expected a Tensor, got {type(tensor).__name__}")
    if isinstance(values, np.ndarray):
        values = values.astype(tensor._data.dtype, copy=False)
        if not isinstance(tensor._data, np.ndarray):
            values = backend.to_device(values, tensor.device)
    tensor._data[...] = values
    tensor._bump_version()
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: the factor that keeps activations' variance.

    linear/conv/sigmoid: 1;  tanh: 5/3;  relu: sqrt(2);  selu: 3/4;
    leaky_relu: sqrt(2 / (1 + negative_slope^2)) (slope ``param``, default 0.01).
    """
    unit = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
            "conv_transpose3d", "sigmoid")
    if nonlinearity in unit:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = in-features x kernel size, fan_out = out-features x kernel size, for a
    weight laid out (out, in, *kernel)."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with values drawn from U(a, b)."""
    _check_tensor(tensor)
    with grad_mode.no_grad():
        return distributions.uniform_(tensor, a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with values drawn from N(mean, std^2)."""
    _check_tensor(tensor)
    with grad_mode.no_grad():
        return distributions.normal_(tensor, mean, std, generator=generator)


def _check_tensor(tensor) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"expected a Tensor, got {type(tensor).__name__}")


def _norm_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill with N(mean, std^2) restricted to [a, b] (``a``, ``b`` are absolute bounds).

    PyTorch's two samplers, with its draws: when [a, b] holds more than 30% of the mass,
    draw N(mean, std^2) and redraw (a whole tensor's worth each round) where outside; else
    propose U(a, b) and accept with probability exp(-(x - mean)^2 / 2 std^2) / peak.
    """
    _check_tensor(tensor)
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    generator = _generator(generator)
    dtype, count, shape = tensor._data.dtype, tensor.numel(), tuple(tensor.shape)
    if _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std) > 0.3:
        low, high = dtype.type(a), dtype.type(b)
        values = kernels.normal(generator, count, dtype, mean, std)
        while True:
            outside = (values < low) | (values > high)
            if not outside.any():
                break
            values = np.where(outside, kernels.normal(generator, count, dtype, mean, std), values)
    else:
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def log_acceptance(x):  # log of the target density over its peak, in the dtype
            return ((x - dtype.type(mean)) / dtype.type(std)) ** 2 * dtype.type(-0.5) - dtype.type(log_peak)

        values = kernels.uniform(generator, count, dtype, a, b)
        pending = np.log(kernels.uniform(generator, count, dtype)) > log_acceptance(values)
        while pending.any():
            candidates = kernels.uniform(generator, count, dtype, a, b)
            values = np.where(pending, candidates, values)
            retry = np.log(kernels.uniform(generator, count, dtype)) > log_acceptance(candidates)
            pending = np.where(pending, retry, pending)
    return _write(tensor, values.reshape(shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value ``val``."""
    return _write(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    return _write(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    return _write(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a conv weight (3-, 4- or 5-D) so that the convolution is the identity map on as
    many channels as possible (per group)."""
    if tensor.dim() not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    shape = tuple(tensor.shape)
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = shape[0] // groups
    values = np.zeros(shape)
    center = tuple(s // 2 for s in shape[2:])
    for g in range(groups):
        for d in range(min(out_per_group, shape[1])):
            values[(g * out_per_group + d, d) + center] = 1
    return _write(tensor, values)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # PyTorch's order of operations: the last bit of the bound
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity) -> float | None:
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op")
        return None
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He uniform: U(-bound, bound), bound = gain * sqrt(3 / fan).

    ``a`` is the negative slope of the leaky_relu that follows (PyTorch's Linear and Conv
    layers use a = sqrt(5), which makes bound = 1 / sqrt(fan_in)).
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He normal: N(0, std^2), std = gain / sqrt(fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix (the tensor viewed as rows x rest), times gain.

    QR of a Gaussian matrix, with Q's columns sign-fixed by R's diagonal so that the result
    is uniformly distributed over orthogonal matrices.
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    dtype = tensor._data.dtype
    flat = kernels.normal(_generator(generator), rows * cols, dtype).reshape(rows, cols)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r)).astype(dtype)
    if rows < cols:
        q = q.T
    return _write(tensor, (q * dtype.type(gain)).reshape(tuple(tensor.shape)))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """A 2-D tensor with N(0, std^2) values and, in each column, a ``sparsity`` fraction of
    the rows set to zero."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    values = kernels.normal(_generator(generator), rows * cols, tensor._data.dtype, 0.0, std)
    values = values.reshape(rows, cols)
    num_zeros = int(math.ceil(sparsity * rows))
    for c in range(cols):
        # PyTorch draws these permutations from the default generator, not ``generator``
        values[kernels.randperm(_generator(None), rows)[:num_zeros], c] = 0
    return _write(tensor, values)
