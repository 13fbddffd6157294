"""Operations that rearrange or replicate elements into a new tensor (copies, not views):
flip, roll, repeat, tile, repeat_interleave, tril, triu, diag, unfold.

Each backward undoes the rearrangement on the gradient: flip and roll run backwards,
replicas are summed, masked-out triangles get zero gradient.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import normalize_dim
from .shape import DiagonalScatter, _shape_arg
from .shape import diagonal as _diagonal


# The public functions (exported as minitorch.<name>)
__all__ = [
    "flip",
    "fliplr",
    "flipud",
    "roll",
    "repeat_interleave",
    "tile",
    "tril",
    "triu",
    "diag",
]


class Unfold(Function):
    """y = a.unfold(dim, size, step): the windows a[k*step : k*step + size] along dim, each in
    a new last dim (dim holds the window number); dL/da = the windows' gradients added back
    where each window came from (windows overlap when step < size); saves dim, size, step.

    (PyTorch returns a strided view; this is a copy, see docs/deviations.md.)"""

    node_name = "UnfoldBackward0"

    @staticmethod
    def forward(ctx, a, dim, size, step):
        ctx.dim, ctx.size, ctx.step = dim, size, step
        x = a._data if a._data.ndim else a._data.reshape(1)
        windows = np.lib.stride_tricks.sliding_window_view(x, size, axis=dim)
        return windows[(slice(None),) * dim + (slice(None, None, step),)].copy()

    @staticmethod
    def backward(ctx, grad):
        (shape,) = ctx._input_shapes[:1]
        dim, size, step = ctx.dim, ctx.size, ctx.step
        count = grad.shape[dim]
        # position in the input of each (window k, offset i): k * step + i
        positions = (np.arange(count)[:, None] * step + np.arange(size)[None, :]).reshape(-1)
        pieces = grad.movedim(-1, dim + 1).flatten(dim, dim + 1)  # (..., count * size, ...)
        zeros = Tensor._from_array(np.zeros(shape if shape else (1,), grad._data.dtype))
        total = zeros.index_add(dim, Tensor._from_array(positions), pieces)
        return total.reshape(shape), None, None, None


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """``input.unfold(dimension, size, step)``: every window of ``size`` elements along
    ``dimension``, ``step`` apart, in a new last dim."""
    dim = normalize_dim(dimension, input.ndim)
    length = input.shape[dim] if input.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is "
                           f"{size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    out = Unfold.apply(input, dim, int(size), int(step))
    return out.reshape(size) if input.ndim == 0 else out


class Flip(Function):
    """y = flip(a, dims), the order reversed along dims; dL/da = flip(dL/dy, dims); saves dims."""

    node_name = "FlipBackward0"

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        # np.flip is a view with negative strides; PyTorch's flip makes a new tensor
        return np.flip(a._data, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, ctx.dims), None


def flip(input: Tensor, *args: int | Sequence[int], dims=None) -> Tensor:
    """A copy of ``input`` with the order of elements reversed along ``dims``."""
    dims = _shape_arg(args if dims is None else (dims,))
    normalized = tuple(normalize_dim(d, input.ndim) for d in dims) if input.ndim else ()
    if len(set(normalized)) != len(normalized):
        raise RuntimeError(f"dims has duplicates, original dims: {list(dims)}")
    if input.ndim == 0:
        for d in dims:
            normalize_dim(d, 0)
    return Flip.apply(input, normalized)


def fliplr(input: Tensor) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Function):
    """y = roll(a, shifts, dims), elements shifted cyclically (or of the flattened tensor); dL/da =
    dL/dy rolled back by -shifts; saves shifts and dims."""

    node_name = "RollBackward0"

    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        # (copied into a new C-contiguous array, PyTorch's layout: np.roll lays its result
        # out like the input, permuted or not)
        return np.roll(a._data, shifts, dims).copy(order="C")

    @staticmethod
    def backward(ctx, grad):
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return Roll.apply(grad, back, ctx.dims), None, None


def roll(input: Tensor, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Tensor:
    """Shift elements by ``shifts`` along ``dims``, wrapping around; ``dims=None`` rolls the
    flattened tensor and restores the shape."""
    if dims is None:
        if not isinstance(shifts, (int, np.integer)) and len(shifts) != 1:
            raise RuntimeError(f"`shifts` required to be of size 1 when `dims` is not given, "
                               f"but got {len(shifts)}")
        shift = int(shifts) if isinstance(shifts, (int, np.integer)) else int(shifts[0])
        return Roll.apply(input, shift, None)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    dims = tuple(normalize_dim(d, input.ndim) for d in dims)
    return Roll.apply(input, tuple(int(s) for s in shifts), dims)


class Repeat(Function):
    """y = a tiled repeats[i] times along each dim; dL/da = the sum of the copies of dL/dy; saves
    repeats."""

    node_name = "RepeatBackward0"

    @staticmethod
    def forward(ctx, a, repeats):
        ctx.repeats = repeats
        x = a._data
        x = x.reshape((1,) * (len(repeats) - x.ndim) + x.shape)
        return np.tile(x, repeats)

    @staticmethod
    def backward(ctx, grad):
        # view the gradient as (r0, s0, r1, s1, ...) and sum the r's: one term per copy
        shape = ctx._input_shapes[0]
        padded = (1,) * (len(ctx.repeats) - len(shape)) + tuple(shape)
        split = []
        for r, s in zip(ctx.repeats, padded):
            split += [r, s]
        summed = grad.reshape(split).sum(tuple(range(0, len(split), 2)))
        return summed.reshape(shape), None


def _repeat(input: Tensor, *sizes: int | Sequence[int], repeats=None) -> Tensor:
    """``x.repeat(2, 3)``: tile the tensor; ``sizes`` may add leading dims."""
    repeats = _shape_arg(sizes if repeats is None else (repeats,))
    if len(repeats) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    if any(r < 0 for r in repeats):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(repeats)}: "
                           f"{list(repeats)}")
    return Repeat.apply(input, repeats)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """Like ``repeat``, but fewer ``dims`` than the tensor has are padded with leading 1s."""
    dims = (dims,) if isinstance(dims, int) else tuple(int(d) for d in dims)
    dims = (1,) * (input.ndim - len(dims)) + dims
    return _repeat(input, dims)


def repeat_interleave(input: Tensor, repeats: Tensor | int = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element) along ``dim``
    (the flattened tensor when None). ``repeat_interleave(counts)`` alone repeats the
    positions ``0..n-1``."""
    from .gather_scatter import index_select
    if repeats is None:  # repeat_interleave(repeats): the index form
        counts = input._data
        if counts.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return Tensor._from_array(_repeated_positions(input._xp, counts.shape[0], counts))
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = normalize_dim(dim, input.ndim)
    length = input.shape[dim] if input.ndim else 1
    xp = input._xp
    if isinstance(repeats, Tensor):
        counts = repeats._data
        if counts.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if counts.size not in (1, length):
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {counts.size} and input.size({dim}) = {length}")
        if type(counts) is np.ndarray and counts.size and counts.min() < 0:
            raise RuntimeError("repeats can not be negative")
        counts = counts.reshape(-1) if counts.size == length else int(counts.reshape(())[()])
    else:
        counts = int(repeats)
        if counts < 0:
            raise RuntimeError("repeats can not be negative")
    positions = Tensor._from_array(_repeated_positions(xp, length, counts))
    if input.ndim == 0:
        input = input.reshape(1)
    return index_select(input, dim, positions)


def _repeated_positions(xp, length: int, counts):
    """``[0]*counts[0] + [1]*counts[1] + ...`` on the device of ``xp``. The counts are read
    on the host (CuPy's repeat takes only Python counts; the result's size depends on them)."""
    if not isinstance(counts, int):
        counts = backend.to_numpy(counts)
    return xp.asarray(np.repeat(np.arange(length), counts))


# --- triangles and diagonals ----------------------------------------------------------------

class Tril(Function):
    """y = tril(a, k), the lower triangle (on and below diagonal k) of the last two dims; dL/da =
    tril(dL/dy, k); saves k."""

    node_name = "TrilBackward0"

    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return np.tril(a._data, k)

    @staticmethod
    def backward(ctx, grad):
        return Tril.apply(grad, ctx.k), None


class Triu(Function):
    """y = triu(a, k), the upper triangle (on and above diagonal k); dL/da = triu(dL/dy, k); saves
    k."""

    node_name = "TriuBackward0"

    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return np.triu(a._data, k)

    @staticmethod
    def backward(ctx, grad):
        return Triu.apply(grad, ctx.k), None


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """Zero the elements above diagonal ``diagonal`` of the last two dims."""
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, int(diagonal))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """Zero the elements below diagonal ``diagonal`` of the last two dims."""
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, int(diagonal))


def _tril_(self, diagonal: int = 0):
    if self.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return self._apply_inplace(Tril, int(diagonal))


def _triu_(self, diagonal: int = 0):
    if self.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return self._apply_inplace(Triu, int(diagonal))


class DiagEmbed(DiagonalScatter):
    node_name = "DiagEmbedBackward0"


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """1-D input: a square matrix with it on diagonal ``diagonal``. 2-D input: that diagonal
    as a new 1-D tensor."""
    k = int(diagonal)
    if input.ndim == 1:
        n = input.shape[0] + abs(k)
        return DiagEmbed.apply(input, (n, n), k, 0, 1)
    if input.ndim == 2:
        return _diagonal(input, k).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
