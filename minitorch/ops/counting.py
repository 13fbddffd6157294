"""Searching sorted values and counting: ``searchsorted``, ``bucketize``, ``isin``, ``bincount``,
``histc``. Their results are indices, booleans or counts, so none has a gradient (as in
PyTorch); each is a NumPy call behind PyTorch's checks."""
from __future__ import annotations

import numpy as np

from .. import backend
from ..types import dtypes as _dtype
from ..tensor import Tensor

__all__ = ["searchsorted", "bucketize", "isin", "bincount", "histc"]


def _array(value, like: Tensor | None = None):
    if isinstance(value, Tensor):
        return backend.to_numpy(value._data)
    return np.asarray(value, dtype=None if like is None else like._data.dtype)


def _indices(array, out_int32: bool) -> Tensor:
    return Tensor._from_array(np.asarray(array, dtype=np.int32 if out_int32 else np.int64))


def searchsorted(sorted_sequence: Tensor, input: Tensor | Number, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Tensor | None = None) -> Tensor:
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` (along its last
    dimension) to keep it sorted: before equal values, or after them with ``right=True``.

    A 1-d sequence serves every value; otherwise its leading dimensions match ``input``'s.
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side "
                               "of left while right was True")
        right = side == "right"
    sequence, values = _array(sorted_sequence), _array(input)
    if sorter is not None:
        sequence = np.take_along_axis(sequence, _array(sorter), -1)
    how = "right" if right else "left"
    if sequence.ndim == 1:
        return _indices(np.searchsorted(sequence, values, side=how), out_int32)
    if sequence.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first "
                           f"N-1 dimensions of boundaries tensor and input value tensor must match, but "
                           f"we got boundaries tensor {list(sequence.shape)} and input value tensor "
                           f"{list(values.shape)}")
    rows = [np.searchsorted(s, v, side=how) for s, v in zip(sequence.reshape(-1, sequence.shape[-1]),
                                                            values.reshape(-1, values.shape[-1]))]
    return _indices(np.array(rows).reshape(values.shape), out_int32)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each value: ``i`` with ``boundaries[i-1] < x <= boundaries[i]``
    (``<= x <`` with ``right=True``); ``boundaries`` is 1-d and sorted."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements: Tensor | Number, test_elements: Tensor | Number, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """True where an element of ``elements`` is among ``test_elements`` (either may be a number)."""
    return Tensor._from_array(np.asarray(np.isin(_array(elements), _array(test_elements), invert=invert)))


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, 2... occurs in a 1-d tensor of non-negative integers (or the
    sum of their ``weights``); at least ``minlength`` counts."""
    if input.dtype.is_floating_point:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{input.dtype._torch_name}'")
    values = _array(input)
    if values.ndim != 1 or (values.size and values.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return Tensor._from_array(np.bincount(values, minlength=minlength).astype(np.int64))
    w = _array(weights)
    if w.ndim != 1 or w.shape[0] != values.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = weights.dtype if weights.dtype.is_floating_point else _dtype.float64
    return Tensor._from_array(np.bincount(values, weights=w, minlength=minlength).astype(dtype.numpy))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """A histogram of ``bins`` equal bins between ``min`` and ``max`` (the data's own range when
    both are 0); values outside are not counted; the last bin includes ``max``."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{input.dtype._torch_name}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    values = _array(input).reshape(-1)
    low, high = float(min), float(max)
    if low == high and values.size:
        low, high = float(values.min()), float(values.max())
    if low == high:  # one value (or none): PyTorch widens the range by 1 on each side
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError("torch.histc: max must be larger than min")
    counts, _ = np.histogram(values[~np.isnan(values)], bins=bins, range=(low, high))
    return Tensor._from_array(counts.astype(input.dtype.numpy))
