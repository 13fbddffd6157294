"""Ranges: ``arange``, ``linspace``, ``logspace`` and ``eye``.

The values follow PyTorch's CPU recipes: ``arange`` forms each value as ``start + i * step``
(never by repeated addition, so errors do not accumulate), and ``linspace`` counts up from
``start`` for the first half and down from ``end`` for the second, so both ends are exact.
Integer results and float32/float64 ``linspace`` equal PyTorch's bit for bit; a float
``arange`` or ``logspace`` value can differ in its last bit, where PyTorch's vectorised
kernel rounds an intermediate differently (tests compare those to within a few ulps).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..types import dtypes as _dtype
from .factories import _factory, _finish, _resolve_dtype, _write_out
from ..tensor import Tensor


def _number(value, name: str):
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"{name} must be a number or a 0-d tensor, got a tensor with "
                               f"{value.numel()} elements")
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    if not isinstance(value, numbers.Real):
        raise TypeError(f"argument '{name}' must be Number, not {type(value).__name__}")
    return value


def arange(start: Number = 0, end: Number | None = None, step: Number = 1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end``, ``step`` apart.

    ``arange(5)`` is ``[0, 1, 2, 3, 4]`` (int64); any float bound or step makes the result
    the default float dtype. The length is ``ceil((end - start) / step)``.
    """
    if end is None:
        start, end = 0, start
    start, end, step = (_number(start, "start"), _number(end, "end"), _number(step, "step"))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not all(math.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        dtype = _dtype.result_type(start, end, step)
    dtype = _resolve_dtype(dtype)
    if not dtype.is_floating_point:
        # an integer result takes integer bounds and step, truncated (PyTorch's int64 rule)
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    length = max(0, math.ceil((end - start) / step))
    # start + i * step in float64 (or exact int64), then cast: PyTorch computes each value
    # from start and step too (never by repeated addition), so errors do not accumulate
    if dtype.is_floating_point or any(isinstance(v, float) for v in (start, end, step)):
        values = start + np.arange(length, dtype=np.float64) * step
    else:
        values = start + np.arange(length, dtype=np.int64) * step
    result = _finish(values.astype(dtype.numpy), device if out is None else out.device,
                     requires_grad)
    return result if out is None else _write_out(result._data, out)


def _steps_arg(steps) -> int:
    if isinstance(steps, Tensor):
        steps = steps.item()
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return int(steps)


def _evenly_spaced(start, end, steps: int, dtype: _dtype.dtype) -> np.ndarray:
    """PyTorch's linspace recipe, value for value: the first half counts up from ``start``,
    the second half down from ``end``, so both ends are exact. The ends are converted to
    the output dtype first and the step is rounded to it (to float64 for integer outputs).
    Each float32/float64 value is formed in extended precision and rounded once, as the
    fused multiply-add in PyTorch's CPU kernel does; float16 arithmetic rounds each step.
    Returns the values in the output dtype (float64 for integer outputs, before the cast)."""
    if dtype.is_floating_point:
        kind = dtype.numpy.type
        start, end = kind(start), kind(end)
        if steps == 1:
            return np.array([start])
        step = kind((np.float32(end) - np.float32(start)) / np.float32(steps - 1)) \
            if dtype is _dtype.float16 else (end - start) / kind(steps - 1)
        wide = np.float16 if dtype is _dtype.float16 else np.longdouble
    else:
        kind = np.float64
        start, end = kind(int(start)), kind(int(end))  # truncated, as a cast does
        if steps == 1:
            return np.array([start])
        step = (end - start) / kind(steps - 1)
        wide = np.longdouble
    index = np.arange(steps).astype(wide)
    half = steps // 2
    up = wide(start) + wide(step) * index[:half]
    down = wide(end) - wide(step) * (wide(steps - 1) - index[half:])
    return np.concatenate([up, down]).astype(kind)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end``, both included.

    Example::

        >>> minitorch.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start, end = _number(start, "start"), _number(end, "end")
    steps = _steps_arg(steps)
    dtype = _resolve_dtype(dtype)
    if dtype is _dtype.bool_:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    with np.errstate(invalid="ignore"):
        values = _evenly_spaced(start, end, steps, dtype).astype(dtype.numpy)
    result = _finish(values, device, requires_grad)
    return result if out is None else _write_out(result._data, out)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``: ``steps`` values spaced evenly on a log scale."""
    start, end, base = _number(start, "start"), _number(end, "end"), _number(base, "base")
    steps = _steps_arg(steps)
    dtype = _resolve_dtype(dtype)
    if dtype is _dtype.bool_:
        raise NotImplementedError("\"logspace_cpu\" not implemented for 'Bool'")
    with np.errstate(invalid="ignore", over="ignore"):
        # exponents and power in float64, then one rounding (PyTorch agrees to within an ulp)
        exponents = _evenly_spaced(start, end, steps,
                                   _dtype.float64 if dtype.is_floating_point else dtype)
        values = np.power(np.float64(base), exponents).astype(dtype.numpy)
    result = _finish(values, device, requires_grad)
    return result if out is None else _write_out(result._data, out)


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad: bool = False) -> Tensor:
    """A 2-d tensor with ones on the diagonal and zeros elsewhere (``n`` rows, ``m`` columns)."""
    for name, value in (("n", n), ("m", m)):
        if value is not None and (not isinstance(value, (int, np.integer)) or isinstance(value, bool)):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(value).__name__}")
        if value is not None and value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    m = n if m is None else m
    return _factory(lambda xp, s, d: xp.eye(s[0], s[1], dtype=d), (int(n), int(m)), dtype,
                    device, requires_grad, out)
