"""Sorting and selection: ``sort``, ``argsort``, ``topk``, ``unique``.

Sorted values are differentiable: each value's gradient goes back to the place it came from
(``scatter_back``). Indices are int64 and carry no gradient.

Ties: we always sort stably, so equal elements keep their original order (ascending and
descending alike), and ``topk`` returns the earliest of equal elements first. PyTorch
promises this only with ``stable=True``; without it its order of ties is unspecified.
NaN counts as larger than every number, as in PyTorch (last ascending, first descending).
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import normalize_dim


# The public functions (exported as minitorch.<name>)
__all__ = ["sort", "argsort", "topk", "unique"]

# PyTorch returns these as ``torch.return_types.sort`` / ``topk``: tuples with named fields
sort_result = namedtuple("sort", ["values", "indices"])
topk_result = namedtuple("topk", ["values", "indices"])


def _sorted_order(x, dim: int, descending: bool):
    """Indices that sort ``x`` along ``dim`` stably (NumPy puts NaN last, as PyTorch does)."""
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    # Sorting the reversed slice ascending and reading the answer backwards gives descending
    # order in which equal elements still keep their original order (and NaN comes first).
    order = np.argsort(np.flip(x, dim), axis=dim, kind="stable")
    return (x.shape[dim] - 1) - np.flip(order, dim)


class Sort(Function):
    """y, indices = sort(a) along dim; dL/da = zeros with each dL/dy put back where its value came
    from; saves the indices and dim."""

    node_name = "SortBackward0"

    @staticmethod
    def forward(ctx, a, dim, descending, k):
        x = a._data
        ctx.dim = dim
        if x.ndim == 0:
            values, index = x.copy(), np.zeros((), dtype=np.int64)
        else:
            index = _sorted_order(x, dim, descending)
            if k is not None:
                index = index[(slice(None),) * dim + (slice(0, k),)]
            values = np.take_along_axis(x, index, axis=dim)
        ctx.index = index
        index = Tensor._from_array(index.astype(np.int64, copy=False))
        ctx.mark_non_differentiable(index)
        return values, index

    @staticmethod
    def backward(ctx, grad, _):
        shape = ctx._input_shapes[0]
        if len(shape) == 0:
            return grad, None, None, None
        return scatter_back(grad, ctx.index, ctx.dim, shape), None, None, None


def scatter_back(grad, index, dim: int, shape):
    """Zeros of ``shape`` with ``grad`` written at ``index`` along ``dim``: where the values
    were picked from (the indices are distinct, so writing equals adding). Built on
    ``scatter``, whose own backward gathers again, so this stays twice-differentiable."""
    from .gather_scatter import scatter
    zeros = Tensor._from_array(np.zeros_like(grad._data, shape=shape))
    return scatter(zeros, dim, Tensor._from_array(index), grad)


class Topk(Sort):
    node_name = "TopkBackward0"


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    """Sort along ``dim``; returns ``(values, indices)`` with ``values == input.gather(dim, indices)``.

    Example::

        >>> values, indices = minitorch.tensor([3., 1., 2.]).sort()
    """
    return sort_result(*Sort.apply(input, normalize_dim(dim, input.ndim), descending, None))


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (int64)."""
    x = input._data
    if x.ndim == 0:
        return Tensor._from_array(np.zeros((), dtype=np.int64))
    index = _sorted_order(x, normalize_dim(dim, x.ndim), descending)
    return Tensor._from_array(index.astype(np.int64, copy=False))


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices.

    The result is always sorted (``sorted=False`` allows any order, and sorted is one).
    """
    dim = normalize_dim(dim, input.ndim)
    size = input._data.shape[dim] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"selected index k out of range (k={k}, size of dim {dim} is {size})")
    return topk_result(*Topk.apply(input, dim, largest, k))


def unique(input, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim=None):
    """The distinct elements, in ascending order (also when ``sorted=False``).

    Returns a tensor, or a tuple with ``inverse`` (for each input element, the position of its
    value in the output, shaped like the input) and/or ``counts`` when asked for.
    """
    if dim is not None:
        raise NotImplementedError("minitorch's unique supports only dim=None (unique elements of "
                                  "the flattened tensor)")
    x = input._data
    values, inverse, counts = _unique_arrays(x)
    results = [Unique.apply(input, values)]
    if return_inverse:
        results.append(Tensor._from_array(inverse.reshape(x.shape).astype(np.int64, copy=False)))
    if return_counts:
        results.append(Tensor._from_array(counts.astype(np.int64, copy=False)))
    return results[0] if len(results) == 1 else tuple(results)


class Unique(Function):
    """y = unique(a), the distinct values; dL/da: not implemented, as in PyTorch (the result
    still requires grad, and backward says so); saves nothing."""

    node_name = "Unique2Backward0"

    @staticmethod
    def forward(ctx, a, values):
        return values

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")


def _unique_arrays(x):
    """(values, inverse, counts) of the flattened array."""
    return np.unique(x.reshape(-1), return_inverse=True, return_counts=True,
                     equal_nan=False)  # each NaN is its own value, as in PyTorch
