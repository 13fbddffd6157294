"""Order statistics: ``median``, ``kthvalue``, ``quantile`` and ``aminmax``, written with
``sort``, ``amin`` and ``amax`` (the gradient flows to the elements picked, through those ops)."""
from __future__ import annotations

import math
from collections import namedtuple

from ..tensor import Tensor

__all__ = ["median", "kthvalue", "quantile", "aminmax"]

# PyTorch returns these as ``torch.return_types.median`` etc.: tuples with named fields
median_result = namedtuple("median", ["values", "indices"])
kthvalue_result = namedtuple("kthvalue", ["values", "indices"])
aminmax_result = namedtuple("aminmax", ["min", "max"])


def _kth_smallest(input: Tensor, k: int, dim: int, keepdim: bool):
    """The k-th smallest (k from 1) along ``dim`` and where it was."""
    if input.ndim == 0:  # one element: the same question about a 1-d tensor of it
        return _kth_smallest(input.reshape(1), k, 0, False)
    dim = dim % input.ndim
    size = input.shape[dim]
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    ordered = input.sort(dim, stable=True)
    values, indices = ordered.values.narrow(dim, k - 1, 1), ordered.indices.narrow(dim, k - 1, 1)
    return (values, indices) if keepdim else (values.squeeze(dim), indices.squeeze(dim))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """The k-th smallest element along ``dim`` (k counts from 1), and its index."""
    return kthvalue_result(*_kth_smallest(input, k, dim, keepdim))


def median(input: Tensor, dim: int = None, keepdim: bool = False):
    """The lower median (the smaller of the two middle values for an even count): of all
    elements as a 0-d tensor without ``dim``; along ``dim`` as (values, indices).

    NaNs are not treated specially (PyTorch returns NaN where a NaN is present).
    """
    if dim is None:
        flat = input.reshape(-1)
        return _kth_smallest(flat, (flat.shape[0] + 1) // 2, 0, False)[0]
    size = input.shape[dim] if input.ndim else 1
    return median_result(*_kth_smallest(input, (size + 1) // 2, dim, keepdim))


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """``(amin, amax)`` of all elements, or along ``dim``."""
    if dim is None:
        return aminmax_result(input.amin(), input.amax())
    return aminmax_result(input.amin(dim, keepdim=keepdim), input.amax(dim, keepdim=keepdim))


INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """The ``q``-quantiles (q in [0, 1], a number or a 1-d tensor whose values make a new first
    dimension) of all elements, or along ``dim``; NaN where a NaN is among the values.

    Between the two sorted values around rank ``q * (n - 1)``, ``interpolation`` picks the
    straight line between them ('linear'), the lower, the higher, their midpoint, or the nearest
    (halves to even, as Python's ``round``).
    """
    from ..creation.factories import as_tensor
    from .comparison import where
    from .joining import stack
    if not input.dtype.is_floating_point:
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if interpolation not in INTERPOLATIONS:
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        levels = q.tolist() if q.ndim else [q.item()]
    else:
        levels = [float(q)]
    for level in levels:
        if not 0 <= level <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {level}")
    whole = dim is None or input.ndim == 0  # over all elements: reduce a flat copy
    values, dim = (input.reshape(-1), 0) if whole else (input, dim % input.ndim)
    ordered = values.sort(dim).values  # NaNs sort last
    last = ordered.shape[dim] - 1
    picked = []
    for level in levels:
        rank = level * last
        if interpolation == "nearest":
            rank = float(round(rank))
        low, high = math.floor(rank), math.ceil(rank)
        below, above = ordered.narrow(dim, low, 1), ordered.narrow(dim, high, 1)
        weight = {"linear": rank - low, "lower": 0.0, "higher": 1.0, "midpoint": 0.5, "nearest": 0.0}[interpolation]
        picked.append(below.lerp(above, weight) if weight else below)
    levels_dim = isinstance(q, Tensor) and q.ndim == 1  # a first dimension, one entry per level
    result = stack(picked, 0) if levels_dim else picked[0]
    has_nan = ordered.narrow(dim, last, 1).isnan()  # the largest is NaN if any is
    result = where(has_nan, as_tensor(float("nan"), dtype=input.dtype, device=input.device), result)
    lead = 1 if levels_dim else 0
    if not keepdim:
        return result.squeeze(lead + dim)
    kept = (1,) * input.ndim if whole else tuple(result.shape[lead:])
    return result.reshape(tuple(result.shape[:lead]) + kept)
