"""Shape operations: reshape, view, transpose, permute, expand, squeeze, unsqueeze.

Most return *views*: new tensors over the same memory (NumPy views), sharing the input's
version counter, exactly like PyTorch's. Their backward only rearranges the gradient.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import normalize_dim, sum_to_shape


# The public functions (exported as minitorch.<name>)
__all__ = [
    "view",
    "reshape",
    "permute",
    "transpose",
    "swapaxes",
    "swapdims",
    "t",
    "expand",
    "expand_as",
    "squeeze",
    "unsqueeze",
    "flatten",
    "contiguous",
]


def _shape_arg(shape) -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` (and Size) alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _infer_shape(shape: tuple, numel: int) -> tuple:
    """Resolve one -1 and check the element count, with PyTorch's messages."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _view_or_none(array, shape):
    """``array`` seen with ``shape`` without copying, or None when strides do not allow it."""
    view = array.view()
    try:
        view.shape = shape
    except AttributeError:
        return None
    return view


class View(Function):
    """A new shape over the same memory;  the gradient is reshaped back."""

    node_name = "ViewBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        result = _view_or_none(a._data, shape)
        if result is None:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return result

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx._input_shapes[0]), None


class ReshapeCopy(Function):
    """``reshape`` when no view is possible: a copy with the new shape."""

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, shape):
        return a._data.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx._input_shapes[0]), None


def view(input, *shape):
    """The same data with a new shape; raises when the strides do not allow a view.

    ``view(dtype)`` (reinterpreting bytes) is not supported.
    """
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    return View.apply(input, shape)


def reshape(input, *shape):
    """The same data with a new shape: a view when possible, else a copy."""
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    if shape == input._data.shape:
        return View.apply(input, shape)
    if _view_or_none(input._data, shape) is not None:
        return View.apply(input, shape)
    return ReshapeCopy.apply(input, shape)


class Permute(Function):
    """Reorder dimensions (a view);  the gradient is permuted back by the inverse order."""

    node_name = "PermuteBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a._data.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = tuple(int(i) for i in np.argsort(ctx.dims))
        return grad.permute(inverse), None


class Transpose(Function):
    """Swap two dimensions (a view);  the gradient is swapped back."""

    node_name = "TransposeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, dim0, dim1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return a._data.swapaxes(dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(ctx.dim0, ctx.dim1), None, None


def permute(input, *dims):
    """Reorder the dimensions: ``x.permute(2, 0, 1)``."""
    dims = _shape_arg(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {input.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(normalize_dim(d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    """Swap dimensions ``dim0`` and ``dim1``."""
    if input.ndim == 0:
        normalize_dim(dim0, 0), normalize_dim(dim1, 0)
        return View.apply(input, ())
    return Transpose.apply(input, normalize_dim(dim0, input.ndim), normalize_dim(dim1, input.ndim))


swapaxes = swapdims = transpose


def t(input):
    """Transpose a tensor of at most 2 dims."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return transpose(input, 0, 1) if input.ndim == 2 else View.apply(input, input._data.shape)


class Expand(Function):
    """Repeat size-1 dims (and add leading ones) without copying;  the gradient is summed back."""

    node_name = "ExpandBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        return np.broadcast_to(a._data, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to_shape(grad, ctx._input_shapes[0]), None


def expand(input, *sizes):
    """A broadcast view of ``input`` at ``sizes``; -1 keeps a dimension's size."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the "
                           "number of sizes provided ({}) must be greater or equal to the number of "
                           "dimensions in the tensor ({})".format(len(sizes), len(shape)))
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension 0")
            target.append(s)
            continue
        current = shape[i - lead]
        if s == -1:
            s = current
        if current != s and current != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({current}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(shape)}")
        target.append(s)
    target = tuple(target)
    return Expand.apply(input, target)


def expand_as(input, other):
    return expand(input, other.shape)


def squeeze(input, dim=None):
    """Remove size-1 dims (all of them, or those named in ``dim``)."""
    shape = input._data.shape
    if dim is None:
        dims = {i for i, s in enumerate(shape) if s == 1}
    else:
        dims = {normalize_dim(d, input.ndim) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        dims = {d for d in dims if input.ndim and shape[d] == 1}
    return View.apply(input, tuple(s for i, s in enumerate(shape) if i not in dims))


def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim`` (negative counts from the end of the result)."""
    dim = normalize_dim(dim, input.ndim + 1)
    shape = input._data.shape
    return View.apply(input, shape[:dim] + (1,) + shape[dim:])


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one."""
    if input.ndim == 0:
        return reshape(input, (1,))
    start, end = normalize_dim(start_dim, input.ndim), normalize_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._data.shape
    merged = 1
    for s in shape[start:end + 1]:
        merged *= s
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


class Contiguous(Function):
    """A C-contiguous copy (or the input itself when it already is one)."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, a):
        return np.ascontiguousarray(a._data)

    @staticmethod
    def backward(ctx, grad):
        return grad


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    return Contiguous.apply(input)


def _mT(input):
    if input.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input.ndim}-D tensor.")
    return transpose(input, -2, -1)


def _T(input):
    if input.ndim == 2:
        return transpose(input, 0, 1)
    return permute(input, tuple(range(input.ndim - 1, -1, -1)))


tensor_methods = {
    "view": view, "reshape": reshape, "permute": permute, "transpose": transpose, "t": t,
    "swapaxes": transpose, "swapdims": transpose, "expand": expand, "expand_as": expand_as,
    "squeeze": squeeze, "unsqueeze": unsqueeze, "flatten": flatten, "contiguous": contiguous,
    "mT": property(_mT), "T": property(_T),
}
