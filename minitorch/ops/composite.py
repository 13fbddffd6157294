"""PyTorch functions that are compositions of other ops: broadcasting helpers, stacking and
splitting variants, differences, rotations, NaN-ignoring sums, cross products, index helpers
and small constructions (elementwise math is in math_composite.py).

Each is written with the public Tensor ops, so its gradient (and the graph it records) comes
from those ops: no new derivative to check. The checks give PyTorch's errors.
"""
from __future__ import annotations

import functools
import numbers
import warnings

from .. import backend
from ..types import dtypes as _dtype
from ..types.size import Size
from ..tensor import Tensor

__all__ = [
    "broadcast_shapes", "broadcast_tensors", "atleast_1d", "atleast_2d", "atleast_3d", "ravel",
    "column_stack", "row_stack", "dstack", "tensor_split", "hsplit", "vsplit", "dsplit", "split_with_sizes",
    "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk", "diff", "rot90", "trace", "nansum", "nanmean",
    "cross", "take", "vander", "unravel_index", "is_nonzero", "is_same_size", "is_signed", "can_cast",
    "tril_indices", "triu_indices", "cartesian_prod", "block_diag", "diagflat", "detach", "msort",
]


# --- broadcasting ------------------------------------------------------------------------------

def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of ``shapes`` broadcast to (an int is a 1-d shape), without
    making any tensor.

    Example::

        >>> minitorch.broadcast_shapes((2, 1), (3,))
        minitorch.Size([2, 3])
    """
    for shape in shapes:
        if not (isinstance(shape, numbers.Integral) or isinstance(shape, (tuple, list, Size))
                and all(isinstance(size, numbers.Integral) for size in shape)):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list "
                               f"of ints, got {shape}")
    shapes = [(int(s),) if isinstance(s, numbers.Integral) else tuple(map(int, s)) for s in shapes]
    if any(size < 0 for shape in shapes for size in shape):
        raise ValueError("Attempting to broadcast a dimension with negative length!")
    result = [1] * max((len(s) for s in shapes), default=0)
    for index, shape in enumerate(shapes):
        for dim in range(-1, -len(shape) - 1, -1):
            if shape[dim] == result[dim] or shape[dim] == 1:
                continue
            if result[dim] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {shape[dim]} at {dim}! "
                                   f"Mismatching argument at index {index} had {shape}; but expected shape "
                                   f"should be broadcastable to {list(result)}")
            result[dim] = shape[dim]
    return Size(result)


def broadcast_tensors(*tensors) -> tuple:
    """Each tensor expanded (a view, no copy) to the shape they broadcast to together."""
    from .linalg import _check_broadcast  # PyTorch's message here: "The size of tensor a ..."
    shape = ()
    for t in tensors:
        _check_broadcast(shape, tuple(t.shape))
        shape = broadcast_shapes(shape, t.shape)
    return tuple(t.expand(shape) for t in tensors)


def _one_or_many(tensors, at_least):
    """``atleast_nd(x)`` gives a tensor; ``atleast_nd(x, y)`` or ``atleast_nd([x, y])`` a tuple."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(at_least(t) for t in tensors[0])
    if len(tensors) == 1:
        return at_least(tensors[0])
    return tuple(at_least(t) for t in tensors)


def atleast_1d(*tensors):
    """A 0-d tensor as shape (1,); others unchanged."""
    return _one_or_many(tensors, lambda t: t.reshape(1) if t.ndim == 0 else t)


def atleast_2d(*tensors):
    """0-d as (1, 1), 1-d (n,) as (1, n); others unchanged."""
    return _one_or_many(tensors, lambda t: t.reshape((1,) * (2 - t.ndim) + tuple(t.shape)) if t.ndim < 2 else t)


def atleast_3d(*tensors):
    """0-d as (1, 1, 1), 1-d (n,) as (1, n, 1), 2-d (m, n) as (m, n, 1), as NumPy does."""
    def at_least(t):
        if t.ndim == 0:
            return t.reshape(1, 1, 1)
        if t.ndim == 1:
            return t.reshape(1, t.shape[0], 1)
        return t.unsqueeze(-1) if t.ndim == 2 else t
    return _one_or_many(tensors, at_least)


def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-d tensor (a view when the layout allows, else a copy)."""
    return input.reshape(-1)


# --- stacking and splitting ------------------------------------------------------------------

def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """0-d and 1-d tensors become columns; then ``hstack``."""
    from .joining import hstack
    return hstack([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors])


def row_stack(tensors) -> Tensor:
    """The same as ``vstack``."""
    from .joining import vstack
    return vstack(tensors)


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """``atleast_3d`` of each, joined along the third dimension."""
    from .joining import cat
    return cat(atleast_3d(list(tensors)), 2)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """Views of ``input`` along ``dim``: ``n`` sections (the first ``size % n`` one longer),
    or split before each of the given indices."""
    size = input.shape[dim]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        lengths = [size // sections + (1 if i < size % sections else 0) for i in range(sections)]
        bounds = [sum(lengths[:i]) for i in range(sections + 1)]
    else:
        bounds = [0] + [min(max(i + size if i < 0 else i, 0), size) for i in indices_or_sections] + [size]
    return tuple(input.narrow(dim, start, max(end, start) - start) for start, end in zip(bounds, bounds[1:]))


def _split_by_direction(name, input, indices_or_sections, dim, min_dims):
    if input.ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got "
                           f"a tensor with {input.ndim} dimensions!")
    if isinstance(indices_or_sections, int) and (
            indices_or_sections == 0 or input.shape[dim] % indices_or_sections):
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                           f"dimension {input.shape[dim]} is not divisible by the split_size "
                           f"{indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input: Tensor, indices_or_sections: int | Sequence[int]) -> tuple:
    """``tensor_split`` along dim 1 (dim 0 for a 1-d tensor); sections must divide evenly."""
    return _split_by_direction("hsplit", input, indices_or_sections, 1 if input.ndim > 1 else 0, 1)


def vsplit(input: Tensor, indices_or_sections: int | Sequence[int]) -> tuple:
    """``tensor_split`` along dim 0 of an at least 2-d tensor; sections must divide evenly."""
    return _split_by_direction("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Tensor, indices_or_sections: int | Sequence[int]) -> tuple:
    """``tensor_split`` along dim 2 of an at least 3-d tensor; sections must divide evenly."""
    return _split_by_direction("dsplit", input, indices_or_sections, 2, 3)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (broadcasting); without ``dim``, the first
    dimension of size 3, with PyTorch's deprecation warning."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    input, other = broadcast_tensors(input, other)
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
                      "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
                      "dim will change to agree with that of linalg.cross in a future release.",
                      UserWarning, stacklevel=2)
        dim = next((d for d, size in enumerate(input.shape) if size == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    if input.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    a1, a2, a3 = input.unbind(dim)
    b1, b2, b3 = other.unbind(dim)
    from .joining import stack
    return stack([a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1], dim)


def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements at ``index`` of the flattened input (negative indices count from the end)."""
    count = input.numel()
    positions = backend.to_numpy(index._data).reshape(-1)
    outside = positions[(positions >= count) | (positions < -count)]
    if outside.size:
        raise IndexError(f"out of range: tried to access index {outside[0]} on a tensor of {count} elements.")
    return input.reshape(-1)[index]


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix: columns x^(N-1) ... x^1, x^0 (the other way with
    ``increasing``); built with ``cumprod``, as PyTorch does, so x = 0 has finite gradients."""
    from ..creation.factories import ones
    from .joining import cat
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    columns = [ones(x.shape[0], min(n, 1), dtype=x.dtype if x.dtype != _dtype.bool_ else _dtype.int64,
                    device=x.device)]
    if n > 1:
        columns.append(x.unsqueeze(1).expand(x.shape[0], n - 1).cumprod(1))
    result = cat(columns, 1)
    return result if increasing else result.flip(1)


def unravel_index(indices: Tensor, shape: Sequence[int]) -> tuple:
    """The coordinates in a tensor of ``shape`` of each flat index, one tensor per dimension."""
    from .pointwise import floor_divide, remainder
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    coordinates, rest = [], indices
    for size in reversed(shape):
        coordinates.append(remainder(rest, size))
        rest = floor_divide(rest, size)
    return tuple(reversed(coordinates))


def split_with_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> tuple:
    return input.split(list(split_sizes), dim)


def unsafe_split(input: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple:
    """``split`` (PyTorch's "unsafe" variant skips a check on in-place use of the results)."""
    return input.split(split_size_or_sections, dim)


unsafe_split_with_sizes = split_with_sizes


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    return input.chunk(chunks, dim)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """Differences of neighbours along ``dim``, ``n`` times (after joining ``prepend`` and
    ``append``)."""
    from .joining import cat
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[dim]
        if length == 0:
            break
        later, earlier = x.narrow(dim, 1, length - 1), x.narrow(dim, 0, length - 1)
        x = later.logical_xor(earlier) if x.dtype == _dtype.bool_ else later - earlier
    return x


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first axis towards
    the second)."""
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    first, second = (d % input.ndim for d in dims)
    if first == second:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    k %= 4
    if k == 1:
        return input.flip(second).transpose(first, second)
    if k == 2:
        return input.flip(first, second)
    if k == 3:
        return input.flip(first).transpose(first, second)
    return input.clone()


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return input.diagonal().sum()


def nansum(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
    """``sum`` with NaNs counted as 0."""
    from .comparison import where
    values = where(input.isnan(), 0, input) if input.dtype.is_floating_point else input
    return values.sum(dim, keepdim=keepdim, dtype=dtype) if dim is not None else values.sum(dtype=dtype)


def nanmean(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False, *, dtype: dtype | None = None) -> Tensor:
    """The mean of the non-NaN values."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but "
                           f"got {input.dtype._torch_name}")
    counted = (~input.isnan()).sum(dim, keepdim=keepdim) if dim is not None else (~input.isnan()).sum()
    return nansum(input, dim, keepdim, dtype=dtype) / counted


# --- questions about tensors and dtypes ------------------------------------------------------

def is_nonzero(input: Tensor) -> bool:
    """``bool`` of a one-element tensor."""
    return bool(input)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input: Tensor) -> bool:
    return input.dtype.is_signed


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether PyTorch's casting rules allow ``from_`` to ``to`` implicitly (no float to an
    integer, no number to bool)."""
    def rank(d):
        return 0 if d == _dtype.bool_ else 2 if d.is_floating_point else 1
    return rank(from_) <= rank(to)


# --- index helpers and constructions ---------------------------------------------------------

def _triangle_indices(row, col, offset, lower, dtype, device):
    from ..creation.factories import tensor
    pairs = [(i, j) for i in range(row) for j in range(col) if (j - i <= offset if lower else j - i >= offset)]
    return tensor([[i for i, _ in pairs], [j for _, j in pairs]], dtype=dtype or _dtype.int64,
                  device=device).reshape(2, len(pairs))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None) -> Tensor:
    """The (row, column) indices of the lower triangle (on or below diagonal ``offset``)."""
    return _triangle_indices(row, col, offset, True, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None) -> Tensor:
    """The (row, column) indices of the upper triangle (on or above diagonal ``offset``)."""
    return _triangle_indices(row, col, offset, False, dtype, device)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element of each 1-d tensor, as rows (a 1-d tensor for one)."""
    from .joining import meshgrid, stack
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def block_diag(*tensors) -> Tensor:
    """The tensors (as 2-d: 0-d is 1x1, 1-d a row) on the diagonal of a zero matrix."""
    from ..creation.factories import zeros
    from .joining import cat
    blocks = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    if not blocks:
        return zeros(1, 0)
    dtype = functools.reduce(_dtype.promote_types, [b.dtype for b in blocks])
    width, left, rows = sum(b.shape[1] for b in blocks), 0, []
    for block in blocks:  # each block's rows: zeros, the block, zeros
        height, right = block.shape[0], width - left - block.shape[1]
        rows.append(cat([zeros(height, left, dtype=dtype, device=block.device), block.to(dtype),
                         zeros(height, right, dtype=dtype, device=block.device)], 1))
        left += block.shape[1]
    return cat(rows, 0)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened input on diagonal ``offset`` of a square matrix."""
    return input.reshape(-1).diag(offset)


def detach(input: Tensor) -> Tensor:
    return input.detach()


def msort(input: Tensor) -> Tensor:
    """Sorted along the first dimension."""
    return input.sort(0).values
