"""Joining and splitting: cat, stack, split, chunk, unbind, meshgrid.

``cat`` copies its inputs into one new array; its backward cuts the gradient back into
pieces (views). ``split``, ``chunk`` and ``unbind`` are the reverse and return views, whose
gradients the engine adds up where the pieces came from.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..types.dtypes import result_type
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import check_same_device, normalize_dim
from .indexing import basic_index


# The public functions (exported as minitorch.<name>)
__all__ = [
    "tensor_split",
    "cat",
    "concat",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "split",
    "chunk",
    "unbind",
    "meshgrid",
]


class Cat(Function):
    """y = cat(tensors, dim); dL/d(input i) = input i's slice of dL/dy, cast back to its own dtype
    when the inputs were promoted; saves dim and the inputs' dtypes."""

    node_name = "CatBackward0"

    @staticmethod
    def forward(ctx, dim, dtype, *tensors):
        ctx.dim = dim
        ctx.dtypes = tuple(t.dtype for t in tensors)
        xp_arrays = [t._data if t._data.dtype == dtype.numpy else t._data.astype(dtype.numpy)
                     for t in tensors]
        kept = [a for a in xp_arrays if not (a.ndim == 1 and a.shape[0] == 0)]
        if not kept:  # only legacy empty 1-D inputs
            return xp_arrays[0][:0]
        return _contiguous(np.concatenate(kept, axis=dim))

    @staticmethod
    def backward(ctx, grad):
        grads, start = [None, None], 0
        for shape, dtype, needed in zip(ctx._input_shapes[2:], ctx.dtypes,
                                        ctx.needs_input_grad[2:]):
            if len(shape) == 1 and shape[0] == 0 and grad.ndim != 1:
                # a legacy empty input took no part; its gradient is empty too
                grads.append(Tensor._from_array(grad._xp.zeros((0,), dtype=grad._data.dtype))
                             if needed else None)
                continue
            size = shape[ctx.dim]
            if needed:
                piece = basic_index(grad, (slice(None),) * ctx.dim + (slice(start, start + size),))
                grads.append(piece if piece.dtype is dtype else piece.to(dtype))
            else:
                grads.append(None)
            start += size
        return tuple(grads)


def _common_dtype(tensors: list):
    first = tensors[0]._data.dtype
    if all(t._data.dtype == first for t in tensors):
        return tensors[0].dtype
    return result_type(*tensors)


def _tensor_list(tensors, name: str) -> list:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    if tensors and any(not isinstance(t._data, np.ndarray) for t in tensors):
        for t in tensors[1:]:
            check_same_device(tensors[0], t)
    return tensors


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Concatenate tensors along an existing dim ``dim``; dtypes are promoted.

    Legacy rule kept from PyTorch: 1-D tensors with no elements are skipped.

    Example::

        >>> minitorch.cat([minitorch.zeros(2, 3), minitorch.ones(1, 3)]).shape
        minitorch.Size([3, 3])
    """
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    real = [(i, t) for i, t in enumerate(tensors) if not (t.ndim == 1 and t.shape[0] == 0)]
    dtype = _common_dtype(tensors)
    if real:
        first = real[0][1]
        dim = normalize_dim(dim, first.ndim)
        for i, t in real[1:]:
            if t.ndim != first.ndim:
                raise RuntimeError(f"Tensors must have same number of dimensions: got "
                                   f"{first.ndim} and {t.ndim}")
            for d in range(first.ndim):
                if d != dim and t.shape[d] != first.shape[d]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. "
                                       f"Expected size {first.shape[d]} but got size {t.shape[d]} "
                                       f"for tensor number {i} in the list.")
    else:  # every input is a skipped empty 1-D tensor: PyTorch checks no dim at all
        dim = 0
    result = Cat.apply(dim, dtype, *tensors)
    if out is not None:
        out.copy_(result)
        return out
    return result


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join equally-shaped tensors along a new dim ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0].shape
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t.shape)} at entry {i}")
    dim = normalize_dim(dim, len(shape) + 1)
    dtype = _common_dtype(tensors)
    result = Stack.apply(dim, dtype, *tensors)
    if out is not None:
        out.copy_(result)
        return out
    return result


def _contiguous(array):
    """NumPy lays out a join of non-contiguous inputs (an expand()ed one, say) in their memory
    order; PyTorch's result is contiguous, which decides whether .view() works on it."""
    if array.flags.c_contiguous:
        return array
    from .. import backend
    return backend.namespace(array).ascontiguousarray(array)


class Stack(Function):
    """y = stack(tensors, dim), joined along a new dim; dL/d(input i) = dL/dy[..., i, ...], cast
    back to its own dtype when the inputs were promoted; saves dim and the inputs' dtypes."""

    node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, dtype, *tensors):
        ctx.dim = dim
        ctx.dtypes = tuple(t.dtype for t in tensors)
        arrays = [t._data if t._data.dtype == dtype.numpy else t._data.astype(dtype.numpy)
                  for t in tensors]
        return _contiguous(np.stack(arrays, axis=dim))

    @staticmethod
    def backward(ctx, grad):
        grads = [None, None]
        for i, (dtype, needed) in enumerate(zip(ctx.dtypes, ctx.needs_input_grad[2:])):
            if needed:
                piece = basic_index(grad, (slice(None),) * ctx.dim + (i,))
                grads.append(piece if piece.dtype is dtype else piece.to(dtype))
            else:
                grads.append(None)
        return tuple(grads)


def hstack(tensors) -> Tensor:
    """Concatenate along dim 1 (dim 0 for 1-D tensors)."""
    tensors = [t.reshape(1) if t.ndim == 0 else t for t in _tensor_list(tensors, "hstack")]
    return cat(tensors, 0 if tensors and tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """Concatenate along dim 0, 0-D and 1-D tensors taken as rows."""
    tensors = [t.reshape(1, -1) if t.ndim < 2 else t for t in _tensor_list(tensors, "vstack")]
    return cat(tensors, 0)


def _along(input: Tensor, dim: int, start: int, stop: int) -> Tensor:
    return basic_index(input, (slice(None),) * dim + (slice(start, stop),))


class SplitWithSizes(Function):
    """(y_1, ..., y_k) = a cut along dim into views at bounds; dL/da = the pieces' gradients
    concatenated back (zeros for a piece that received none); saves dim.

    One node for all pieces: with a node per piece, each piece's backward would fill a
    zero tensor the size of the whole input (quadratic in the number of pieces).
    """

    node_name = "SplitWithSizesBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, dim, bounds):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(a._data[lead + (slice(start, stop),)] for start, stop in bounds)

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, ctx.dim), None, None


class Unbind(Function):
    """(y_1, ..., y_n) = the slices of a along dim (views, that dim removed); dL/da = the slices'
    gradients stacked back; saves dim."""

    node_name = "UnbindBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(a._data[lead + (i, Ellipsis)] for i in range(a._data.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, ctx.dim), None


def split(tensor: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple:
    """Cut into views along ``dim``: pieces of ``split_size`` (the last may be smaller), or of
    the sizes listed."""
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = normalize_dim(dim, tensor.ndim)
    length = tensor.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and length != 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {length}")
        if size == 0:
            return (_along(tensor, dim, 0, 0),)
        starts = range(0, max(length, 1), size)
        return _split_at(tensor, dim, [min(s + size, length) - s for s in starts])
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != length or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {length} "
                           f"(input tensor's size at dimension {dim}), but got split_sizes={sizes}")
    return _split_at(tensor, dim, sizes)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """Cut into views along ``dim``: ``n`` sections (the first ``size % n`` one longer), or at
    the listed indices (each piece runs from one index to the next, clamped; empty when an
    index is smaller than the one before)."""
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = normalize_dim(dim, input.ndim)
    length = input.shape[dim]
    if isinstance(indices_or_sections, Tensor) and indices_or_sections.ndim == 0:
        indices_or_sections = indices_or_sections.item()
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(length, sections)
        indices = np.cumsum([small + 1] * extra + [small] * (sections - extra))[:-1]
    else:
        indices = [int(i) for i in indices_or_sections]
    starts = [0, *indices]
    stops = [*indices, length]
    lead = (slice(None),) * dim
    return tuple(input[lead + (slice(min(max(a, 0), length), max(min(b, length), 0)),)]
                 for a, b in zip(starts, stops))


def _split_at(tensor: Tensor, dim: int, sizes: list) -> tuple:
    bounds, start = [], 0
    for s in sizes:
        bounds.append((start, start + s))
        start += s
    return SplitWithSizes.apply(tensor, dim, tuple(bounds))


def _split_method(self, split_size: int | Sequence[int], dim: int = 0):
    return split(self, split_size, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` views of (almost) equal size; fewer when the size does not allow."""
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = normalize_dim(dim, input.ndim)
    size = -(-input.shape[dim] // chunks)
    if size == 0:  # a zero-size dim gives `chunks` empty pieces, as in PyTorch
        return tuple(_along(input, dim, 0, 0) for _ in range(chunks))
    return split(input, size, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim``, as a tuple of views (that dim removed)."""
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = normalize_dim(dim, input.ndim)
    if input.shape[dim] == 0:
        return ()
    return Unbind.apply(input, dim)


def meshgrid(*tensors: Tensor | Sequence[Tensor], indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors (views, expanded): ``indexing='ij'`` (matrix order)
    or ``'xy'`` (the first two dims swapped, as in NumPy's default)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    tensors = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors[0], tensors[1] = tensors[1], tensors[0]
    shape = tuple(t.shape[0] for t in tensors)
    grids = []
    for i, t in enumerate(tensors):
        view_shape = [1] * len(tensors)
        view_shape[i] = shape[i]
        grids.append(t.reshape(view_shape).expand(shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
