"""Order statistics: ``median``, ``kthvalue`` and ``aminmax``, written with ``sort``, ``amin``
and ``amax`` (the gradient flows to the element picked, through those ops)."""
from __future__ import annotations

from collections import namedtuple

from ..tensor import Tensor

__all__ = ["median", "kthvalue", "aminmax"]

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


def median(input: Tensor, dim=None, keepdim: bool = False):
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
