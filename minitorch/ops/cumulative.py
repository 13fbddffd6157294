"""Running reductions PyTorch has beside ``cumsum``/``cumprod``: ``cummax``, ``cummin`` and
``logcumsumexp``. The running extremes are found on arrays (indices have no gradient) and their
values gathered with ``gather``, whose backward sends each gradient to the element picked."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import backend
from ..tensor import Tensor

__all__ = ["cummax", "cummin", "logcumsumexp"]

cummax_result = namedtuple("cummax", ["values", "indices"])
cummin_result = namedtuple("cummin", ["values", "indices"])


def _running_extreme(input: Tensor, dim: int, keeps_up) -> Tensor:
    """Indices of the running extreme along ``dim``: position i takes over when
    ``keeps_up(x_i, best)`` (ties go to the later element, as in PyTorch) or x_i is NaN (from
    then on NaN is the answer)."""
    if input.ndim == 0:
        return Tensor._from_array(np.zeros((), dtype=np.int64)).to(input.device)
    values = np.moveaxis(backend.to_numpy(input._data), dim, 0)
    indices = np.zeros(values.shape, dtype=np.int64)
    best = values[0].copy()
    for i in range(1, values.shape[0]):
        takes_over = keeps_up(values[i], best) | np.isnan(values[i])
        best = np.where(takes_over, values[i], best)
        indices[i] = np.where(takes_over, i, indices[i - 1])
    return Tensor._from_array(np.ascontiguousarray(np.moveaxis(indices, 0, dim))).to(input.device)


def cummax(input: Tensor, dim: int) -> tuple:
    """The largest element so far along ``dim``, and where it is."""
    indices = _running_extreme(input, dim, np.greater_equal)
    return cummax_result(input.gather(dim, indices) if input.ndim else input.clone(), indices)


def cummin(input: Tensor, dim: int) -> tuple:
    """The smallest element so far along ``dim``, and where it is."""
    indices = _running_extreme(input, dim, np.less_equal)
    return cummin_result(input.gather(dim, indices) if input.ndim else input.clone(), indices)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(x)))`` without overflow or underflow: each step is a ``logaddexp`` of
    the running result and the next element."""
    from .math_composite import logaddexp
    from .joining import stack
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{input.dtype._torch_name}'")
    if input.ndim == 0:
        return input.clone()
    steps = list(input.unbind(dim))
    for i in range(1, len(steps)):
        steps[i] = logaddexp(steps[i - 1], steps[i])
    return stack(steps, dim) if steps else input.clone()
