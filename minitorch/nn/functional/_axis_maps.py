"""Linear maps that act on each of the last axes separately: one node each, named as
PyTorch names the op that uses it.

Resizing, adaptive average pooling and reflect / replicate padding all treat each spatial
axis on its own. Along one axis, an output position either copies one input position
(nearest resizing, padding: ``AxisSelection``) or mixes several with weights (linear
resizing, average pooling: ``AxisMixing``, a product with an (out, in) matrix).
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...backend import namespace
from ...tensor import Tensor


class AxisSelection(Function):
    """y = x[..., p_1, ..., p_k]: along each of the last k axes, output position i copies input
    position p[i]; dL/dx = zeros with each dL/dy added back at the position it was copied from
    (index_add along each axis; positions copied several times receive the sum); saves the
    positions (one index array per axis, constants)."""

    @staticmethod
    def forward(ctx, x, *, positions):
        ctx.positions = positions
        a = x._data
        first = a.ndim - len(positions)
        for axis, index in enumerate(positions, start=first):
            a = a.take(namespace(a).asarray(index), axis=axis)
        return a

    @staticmethod
    def backward(ctx, grad):
        from ... import index_add, tensor, zeros
        in_shape = list(ctx._input_shapes[0])
        first = len(in_shape) - len(ctx.positions)
        for axis in reversed(range(first, len(in_shape))):
            shape = list(grad.shape)
            shape[axis] = in_shape[axis]
            index = tensor(ctx.positions[axis - first], device=grad.device)
            grad = index_add(zeros(shape, dtype=grad.dtype, device=grad.device), axis, index, grad)
        return grad


class AxisMixing(Function):
    """y = R x C^T on the last two axes (y = x C^T on the last one when rows is None), for constant
    (out, in) matrices R and C; dL/dx = R^T dL/dy C, the transpose of the linear map; saves R and
    C."""

    @staticmethod
    def forward(ctx, x, *, rows, cols):
        ctx.rows, ctx.cols = rows, cols
        out = x._data @ cols._data.T
        return out if rows is None else rows._data @ out

    @staticmethod
    def backward(ctx, grad):
        grad = grad @ ctx.cols
        return grad if ctx.rows is None else ctx.rows.mT @ grad


def matrix_like(matrix: np.ndarray, like: Tensor) -> Tensor:
    """A constant (out, in) weight matrix in ``like``'s dtype, on its device."""
    return Tensor._from_array(namespace(like._data).asarray(matrix.astype(like._data.dtype)))


# PyTorch's name for each use (one class per name: a node's name belongs to its Function)

class ReflectionPad1d(AxisSelection):
    node_name = "ReflectionPad1DBackward0"


class ReflectionPad2d(AxisSelection):
    node_name = "ReflectionPad2DBackward0"


class ReflectionPad3d(AxisSelection):
    node_name = "ReflectionPad3DBackward0"


class ReplicationPad1d(AxisSelection):
    node_name = "ReplicationPad1DBackward0"


class ReplicationPad2d(AxisSelection):
    node_name = "ReplicationPad2DBackward0"


class ReplicationPad3d(AxisSelection):
    node_name = "ReplicationPad3DBackward0"


class UpsampleNearest1d(AxisSelection):
    node_name = "UpsampleNearest1DBackward0"


class UpsampleNearest2d(AxisSelection):
    node_name = "UpsampleNearest2DBackward0"


class UpsampleNearestExact1d(AxisSelection):
    node_name = "UpsampleNearestExact1DBackward0"


class UpsampleNearestExact2d(AxisSelection):
    node_name = "UpsampleNearestExact2DBackward0"


class UpsampleLinear1d(AxisMixing):
    node_name = "UpsampleLinear1DBackward0"


class UpsampleBilinear2d(AxisMixing):
    node_name = "UpsampleBilinear2DBackward0"


class AdaptiveAvgPool2d(AxisMixing):
    node_name = "AdaptiveAvgPool2DBackward0"
