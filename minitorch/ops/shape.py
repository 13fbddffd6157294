"""Shape operations that return *views*: reshape, view, permute, transpose, expand,
squeeze, unsqueeze, flatten, unflatten, movedim, narrow, diagonal.

A view is a new tensor over the same memory (a NumPy view), sharing the input's version
counter, exactly like PyTorch's: writing through one is seen by the other. The backward of
a view only rearranges the gradient, so it never needs saved tensors.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend
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
    "adjoint",
    "movedim",
    "moveaxis",
    "expand",
    "expand_as",
    "broadcast_to",
    "squeeze",
    "unsqueeze",
    "flatten",
    "unflatten",
    "contiguous",
    "narrow",
    "select",
    "diagonal",
]


def _shape_arg(shape) -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` (and Size) alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    for s in shape:
        if not isinstance(s, (int, np.integer)) and not (isinstance(s, Tensor) and s.numel() == 1):
            raise TypeError(f"expected a sequence of integers for the shape, but got "
                            f"{type(s).__name__}")
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
        if known == 0 and numel:  # a 0 among the sizes cannot hold the elements
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if known == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} "
                               "because the unspecified dimension size -1 can be any value and "
                               "is ambiguous")
        if numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _view_strides(array, shape: tuple):
    """The strides (in bytes) that show ``array``'s memory with ``shape``, or None when no
    such view exists (PyTorch's rule for ``view``).

    The old dims fall into *chunks*: runs of dims that are contiguous with each other in
    memory (size-1 dims never break a run). A view is possible when every new dim lies
    inside one chunk; within a chunk the new strides are row-major multiples of the
    chunk's innermost stride.
    """
    itemsize = array.itemsize
    old_shape, old_strides = array.shape, [s // itemsize for s in array.strides]
    if array.size == 0 and tuple(shape) == old_shape:
        return array.strides
    if array.size == 0 or not old_shape:  # no memory to respect: row-major strides
        strides, step = [], itemsize
        for n in reversed(shape):
            strides.append(step)
            step *= max(n, 1)
        return tuple(reversed(strides))
    new_strides = [0] * len(shape)
    view_d = len(shape) - 1
    chunk_numel, chunk_base = 1, old_strides[-1]
    for d in range(len(old_shape) - 1, -1, -1):
        chunk_numel *= old_shape[d]
        chunk_ends = d == 0 or (old_shape[d - 1] != 1 and
                                old_strides[d - 1] != chunk_numel * chunk_base)
        if not chunk_ends:
            continue
        view_numel = 1  # take new dims from the end until they cover this chunk exactly
        while view_d >= 0 and (view_numel < chunk_numel or shape[view_d] == 1):
            new_strides[view_d] = view_numel * chunk_base
            view_numel *= shape[view_d]
            view_d -= 1
        if view_numel != chunk_numel:
            return None
        if d > 0:
            chunk_numel, chunk_base = 1, old_strides[d - 1]
    if view_d != -1:
        return None
    return tuple(s * itemsize for s in new_strides)


def _view_or_none(array, shape):
    """``array`` seen with ``shape`` without copying, or None when strides do not allow it."""
    if (array.flags.c_contiguous and array.size and array.strides[-1:] in ((), (array.itemsize,))
            and (tuple(shape) != array.shape or 1 not in array.shape)):
        # row-major memory: reshape is always a view (NumPy and CuPy) with row-major strides,
        # which are the rule's. Not so, and left to the rule, where the last dim's stride is
        # another (a size-1 dim may have any) or where reshape keeps a size-1 dim's stride as
        # it was (the same shape)
        return array.reshape(shape)
    strides = _view_strides(array, shape)
    if strides is None:
        return None
    # NumPy's reshape makes this same view wherever its own no-copy rule allows, which is
    # PyTorch's rule: usually here. as_strided, which builds a view from a raw pointer (ten
    # times slower), only where reshape made a copy instead
    xp = backend.namespace(array)
    view = array.reshape(shape)
    if view.strides == strides and xp.may_share_memory(view, array):
        return view
    return xp.lib.stride_tricks.as_strided(array, shape, strides)


class View(Function):
    """y = a with a new shape over the same memory; dL/da = dL/dy reshaped to a's shape; saves
    nothing."""

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


class Unsqueeze(View):
    node_name = "UnsqueezeBackward0"


class Squeeze(View):
    node_name = "SqueezeBackward1"


class Alias(View):
    """The same tensor seen again (``t()`` of a vector, ``transpose`` of a 0-d tensor)."""

    node_name = "AliasBackward0"


class ReshapeCopy(Function):
    """y = reshape(a, shape) when no view is possible: a copy; dL/da = dL/dy reshaped to a's shape;
    saves nothing."""

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, shape):
        return a._data.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx._input_shapes[0]), None


def view(input: Tensor, *shape: int | Sequence[int] | dtype, size=None) -> Tensor:
    """The same data with a new shape; raises when the strides do not allow a view.

    ``view(dtype)`` (reinterpreting the bytes) is not supported.

    Example::

        >>> minitorch.arange(6).view(2, -1).shape
        minitorch.Size([2, 3])
    """
    shape = shape if size is None else (size,)
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int, np.integer, Tensor)):
        raise NotImplementedError("view(dtype) (reinterpreting the bytes as another dtype) is not "
                                  "supported by minitorch")
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    return View.apply(input, shape)


def reshape(input: Tensor, *shape: int | Sequence[int], **kwargs) -> Tensor:
    """The same data with a new shape: a view when the strides allow it, else a copy."""
    if "shape" in kwargs:  # reshape(x, shape=(2, 3)), as PyTorch allows
        shape = (kwargs.pop("shape"),)
    if kwargs:
        raise TypeError(f"reshape() got an unexpected keyword argument '{next(iter(kwargs))}'")
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    if input._data.flags.c_contiguous or _view_strides(input._data, shape) is not None:
        return View.apply(input, shape)
    return ReshapeCopy.apply(input, shape)


def _view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, other.shape)


def _reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, other.shape)


# --- reordering dimensions -----------------------------------------------------------------

class Permute(Function):
    """y = a.permute(dims), a view; dL/da = dL/dy permuted by the inverse order; saves dims."""

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
    """y = a.transpose(dim0, dim1), a view; dL/da = dL/dy.transpose(dim0, dim1); saves dim0 and
    dim1."""

    node_name = "TransposeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, dim0, dim1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return a._data.swapaxes(dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(ctx.dim0, ctx.dim1), None, None


class T(Transpose):
    node_name = "TBackward0"


def permute(input: Tensor, *dims: int | Sequence[int], **kwargs) -> Tensor:
    """Reorder the dimensions: ``x.permute(2, 0, 1)`` (or ``dims=(2, 0, 1)``)."""
    if "dims" in kwargs:
        dims = (kwargs.pop("dims"),)
    if kwargs:
        raise TypeError(f"permute() got an unexpected keyword argument '{next(iter(kwargs))}'")
    dims = _shape_arg(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {input.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(normalize_dim(d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap dimensions ``dim0`` and ``dim1`` (a view)."""
    if input.ndim == 0:
        normalize_dim(dim0, 0), normalize_dim(dim1, 0)
        return Alias.apply(input, ())
    return Transpose.apply(input, normalize_dim(dim0, input.ndim), normalize_dim(dim1, input.ndim))


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims (0-d and 1-D tensors are returned as they are)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return T.apply(input, 0, 1) if input.ndim == 2 else Alias.apply(input, input._data.shape)


def _mT(input: Tensor) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input.ndim}-D tensor.")
    return transpose(input, -2, -1)


def adjoint(input: Tensor) -> Tensor:
    """The transpose of the last two dims (real tensors have no conjugate)."""
    if input.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of "
                           f"matrices. Got {input.ndim}-D tensor.")
    return transpose(input, -2, -1)


def _T(input: Tensor) -> Tensor:
    if input.ndim == 2:
        return transpose(input, 0, 1)
    warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape "
                  "is deprecated; use `x.mT` for batches of matrices or `x.permute(...)`.",
                  UserWarning, stacklevel=2)
    return permute(input, tuple(range(input.ndim - 1, -1, -1)))


def _dims_arg(dims) -> tuple:
    """One dim or a sequence of dims, as a tuple."""
    return (int(dims),) if isinstance(dims, (int, np.integer)) else tuple(dims)


def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination``; the others keep their order."""
    source = _dims_arg(source)
    destination = _dims_arg(destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(source)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(destination)} dims)")
    ndim = input.ndim
    source = [normalize_dim(d, ndim) for d in source]
    destination = [normalize_dim(d, ndim) for d in destination]
    if len(set(source)) != len(source):
        raise RuntimeError(f"movedim: repeated dim in `source` ({source})")
    if len(set(destination)) != len(destination):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({destination})")
    order = [None] * max(ndim, 1)
    for s, d in zip(source, destination):
        order[d] = s
    rest = iter(d for d in range(ndim) if d not in source)
    order = [next(rest) if o is None else o for o in order][:ndim]
    return Permute.apply(input, tuple(order))


moveaxis = movedim


# --- broadcasting -------------------------------------------------------------------------

class Expand(Function):
    """y = a with size-1 dims repeated (and leading ones added), without copying; dL/da = dL/dy
    summed back to a's shape; saves nothing."""

    node_name = "ExpandBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        x = a._data
        out = np.broadcast_to(x, shape)
        if type(out) is np.ndarray and x.flags.writeable:
            # writable, as PyTorch's expand is: writes of one value go through to the shared
            # elements; computed in-place ops refuse it (Tensor._apply_inplace checks overlap)
            out = np.lib.stride_tricks.as_strided(x, out.shape, out.strides, writeable=True)
        return out

    @staticmethod
    def backward(ctx, grad):
        return sum_to_shape(grad, ctx._input_shapes[0]), None


def expand(input: Tensor, *sizes: int | Sequence[int], size=None) -> Tensor:
    """A broadcast view of ``input`` at ``sizes``; -1 keeps a dimension's size.

    The expanded dims have stride 0: their elements share memory, so in-place ops that
    compute into the result are refused (as in PyTorch); filling it with one value writes through.
    """
    sizes = _shape_arg(sizes if size is None else (size,))
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({input.type()}{{{list(shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to "
                           f"the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
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
    return Expand.apply(input, tuple(target))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other.shape)


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    """``input`` broadcast to ``size`` (the same as ``input.expand(size)``)."""
    return expand(input, size)


# --- adding and removing dims ---------------------------------------------------------------

def squeeze(input: Tensor, dim: int | Sequence[int] = None) -> Tensor:
    """Remove size-1 dims: all of them, or those among ``dim`` (an int or a tuple)."""
    shape = input._data.shape
    if dim is None:
        dims = {i for i, s in enumerate(shape) if s == 1}
    else:
        dims = {normalize_dim(d, input.ndim) for d in _dims_arg(dim)}
        dims = {d for d in dims if input.ndim and shape[d] == 1}
    return Squeeze.apply(input, tuple(s for i, s in enumerate(shape) if i not in dims))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim`` (negative counts from the end of the result)."""
    dim = normalize_dim(dim, input.ndim + 1)
    shape = input._data.shape
    return Unsqueeze.apply(input, shape[:dim] + (1,) + shape[dim:])


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (a view when the strides allow it)."""
    if input.ndim == 0:
        return reshape(input, (1,))
    start, end = normalize_dim(start_dim, input.ndim), normalize_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input._data.shape
    merged = 1
    for s in shape[start:end + 1]:
        merged *= s
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one entry may be -1)."""
    dim = normalize_dim(dim, input.ndim)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    shape = input._data.shape
    try:
        sizes = _infer_shape(sizes, shape[dim])
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({shape[dim]}) in the input tensor") from None
    return reshape(input, shape[:dim] + sizes + shape[dim + 1:])


class Contiguous(Function):
    """y = a C-contiguous copy of a; dL/da = dL/dy; saves nothing."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, a):
        return backend.namespace(a._data).ascontiguousarray(a._data)

    @staticmethod
    def backward(ctx, grad):
        return grad


def contiguous(input: Tensor, *, memory_format=None) -> Tensor:
    """``input`` itself when its memory is row-major, else a row-major copy."""
    if input.is_contiguous():
        return input
    return Contiguous.apply(input)


# --- sub-views: narrow, select, diagonal ----------------------------------------------------

def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The view ``input[..., start:start + length, ...]`` along ``dim``."""
    from .indexing import basic_index
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = normalize_dim(dim, input.ndim)
    size = input._data.shape[dim]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return basic_index(input, (slice(None),) * dim + (slice(start, start + length),))


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The view ``input[..., index, ...]`` along ``dim`` (that dim removed)."""
    from .indexing import basic_index
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = normalize_dim(dim, input.ndim)
    size = input._data.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {dim}")
    return basic_index(input, (slice(None),) * dim + (int(index) % size,))


def _diagonal_view(array, offset: int, dim1: int, dim2: int):
    """The diagonal of ``array`` as a writable view: dims ``dim1`` and ``dim2`` are replaced
    by one last dim whose stride is the sum of theirs (NumPy's own diagonal is read-only)."""
    shape, strides = list(array.shape), list(array.strides)
    if offset >= 0:
        length = max(0, min(shape[dim1], shape[dim2] - offset))
        start = (slice(None),) * dim2 + (slice(min(offset, shape[dim2]), None),)
    else:
        length = max(0, min(shape[dim1] + offset, shape[dim2]))
        start = (slice(None),) * dim1 + (slice(min(-offset, shape[dim1]), None),)
    moved = array[start]
    keep = [d for d in range(array.ndim) if d not in (dim1, dim2)]
    new_shape = tuple(shape[d] for d in keep) + (length,)
    new_strides = tuple(strides[d] for d in keep) + (strides[dim1] + strides[dim2],)
    return backend.namespace(array).lib.stride_tricks.as_strided(moved, new_shape, new_strides)


class Diagonal(Function):
    """y = a[..., i, ..., i + offset, ...], the diagonal as a view (a last dim); dL/da = zeros with
    dL/dy written on the same diagonal; saves offset and the two dims."""

    node_name = "DiagonalBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        return _diagonal_view(a._data, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return DiagonalScatter.apply(grad, ctx._input_shapes[0], *ctx.args), None, None, None


class DiagonalScatter(Function):
    """y = zeros of shape with grad on a diagonal (the backward of diagonal, and diag of a vector);
    dL/dgrad = the same diagonal of dL/dy; saves offset and the two dims."""

    node_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, values, shape, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        result = backend.namespace(values._data).zeros(shape, dtype=values._data.dtype)
        _diagonal_view(result, offset, dim1, dim2)[...] = values._data
        return result

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, *ctx.args), None, None, None, None


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the 2-D slices over ``dim1``/``dim2``, as a view in a new last dim."""
    if input.ndim < 2:
        raise RuntimeError(f"diagonal dimensions requires ndim larger than 1, but got {input.ndim}")
    d1, d2 = normalize_dim(dim1, input.ndim), normalize_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)
