"""Indexing: ``x[key]`` and ``x[key] = value``.

*Basic* keys (ints, slices, None, ...) give views, like PyTorch's. *Advanced* keys
(integer or bool tensors and lists) gather copies; their backward scatters the gradient
back with ``add.at``, so an index that appears twice receives both gradients.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import scatter_add
from ..tensor import Tensor
from ._helpers import sum_to_shape


# The public functions (exported as minitorch.<name>)
__all__ = []


def _index_array(k):
    """An integer or bool index array from a Tensor, list or ndarray; IndexError for floats."""
    if isinstance(k, Tensor):
        array = k._data
    else:
        array = np.asarray(k)
        if array.dtype == object:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             "byte Variables are valid indices")
        if array.size == 0:
            array = array.astype(np.int64)
    if array.dtype.kind == "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if array.dtype == np.uint8:
        array = array.astype(np.bool_)
    return array


def _slice_bound(v):
    return int(v) if isinstance(v, (Tensor, np.integer)) else v


def normalize_key(key):
    """(key for the array, whether it is basic). Basic keys get a trailing ``...`` so that
    NumPy returns a 0-d array view instead of a scalar copy for full integer indexing."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    basic = True
    for k in key:
        if k is None or k is Ellipsis:
            out.append(k)
        elif isinstance(k, slice):
            if k.step is not None and _slice_bound(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            out.append(slice(_slice_bound(k.start), _slice_bound(k.stop), _slice_bound(k.step)))
        elif isinstance(k, (bool, np.bool_)):
            out.append(np.asarray(k))
            basic = False
        elif isinstance(k, (int, np.integer)):
            out.append(int(k))
        elif isinstance(k, Tensor) and k.ndim == 0 and not k.dtype.is_floating_point and k.dtype.name != "bool":
            out.append(int(k._data))
        elif isinstance(k, (Tensor, list, np.ndarray, tuple)):
            out.append(_index_array(k))
            basic = False
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             f"Variables are valid indices (got {type(k).__name__})")
    if basic and Ellipsis not in out:
        out.append(Ellipsis)
    return tuple(out), basic


def _checked_get(array, key):
    try:
        return array[key]
    except IndexError as err:
        raise IndexError(str(err).replace("axis", "dimension")) from None


class BasicIndex(Function):
    """``a[ints, slices, None]`` as a view;  the gradient is written into zeros at the same place."""

    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, key):
        ctx.key = key
        return _checked_get(a._data, key)

    @staticmethod
    def backward(ctx, grad):
        return IndexGradient.apply(grad, ctx._input_shapes[0], ctx.key, True), None


class AdvancedIndex(Function):
    """``a[index_tensors]`` (a copy);  the gradient is scatter-added, so repeats accumulate."""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, key):
        ctx.key = key
        return _checked_get(a._data, key)

    @staticmethod
    def backward(ctx, grad):
        return IndexGradient.apply(grad, ctx._input_shapes[0], ctx.key, False), None


class IndexGradient(Function):
    """Zeros of ``shape`` with ``grad`` added at ``key``: the backward of indexing.

    Its own backward is indexing again, which is what makes indexing twice-differentiable.
    """

    node_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, key, basic):
        ctx.key, ctx.basic = key, basic
        g = grad._data
        result = np.zeros_like(g, shape=shape)
        if basic:
            result[key] = g
        else:
            scatter_add(result, key, g)
        return result

    @staticmethod
    def backward(ctx, grad_grad):
        cls = BasicIndex if ctx.basic else AdvancedIndex
        return cls.apply(grad_grad, ctx.key), None, None, None


def getitem(input, key):
    array_key, basic = normalize_key(key)
    if basic:
        return BasicIndex.apply(input, array_key)
    return AdvancedIndex.apply(input, array_key)


class IndexPut(Function):
    """``a`` with ``a[key] = value``, out of place;  d/da is grad with zeros at key,
    d/dvalue is grad[key] summed back to value's shape."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, a, value, key):
        ctx.key = key
        result = a._data.copy()
        result[key] = value._data if isinstance(value, Tensor) else value
        return result

    @staticmethod
    def backward(ctx, grad):
        shape_value = ctx._input_shapes[1]
        grad_a = grad_value = None
        if ctx.needs_input_grad[0]:
            grad_a = IndexPut.apply(grad, 0.0, ctx.key)
        if ctx.needs_input_grad[1]:
            grad_value = sum_to_shape(_index_with_array_key(grad, ctx.key), shape_value)
        return grad_a, grad_value, None


def _index_with_array_key(tensor, key):
    """Index with a key that ``normalize_key`` already converted."""
    basic = all(k is None or k is Ellipsis or isinstance(k, (slice, int)) for k in key)
    return (BasicIndex if basic else AdvancedIndex).apply(tensor, key)


def setitem(input, key, value) -> None:
    """``input[key] = value`` in place (a version bump; recorded when grads are involved)."""
    array_key, _ = normalize_key(key)
    if isinstance(value, Tensor) and value.device != input.device:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                           f"devices, {input.device} and {value.device}!")
    input._apply_inplace(IndexPut, value, array_key)
