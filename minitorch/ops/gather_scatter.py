"""Indexing along one dimension: gather/scatter, index_select/index_add/index_fill, masks.

Every op here builds one NumPy key and lets NumPy (or CuPy) do the work: no Python loop
over elements. Adding into repeated positions goes through ``backend.scatter_add``
(``add.at``), because ``a[i] += v`` keeps only one of the repeated writes.

The gradients pair up: the backward of ``gather`` is a ``scatter_add`` and the backward of
``scatter_add`` (w.r.t. the source) is a ``gather``; ``index_select`` and ``index_add``
likewise. Each is written with the other's Tensor op, so all are twice-differentiable.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ..types.int_scalars import checked_int_scalar
from ._helpers import normalize_dim, sum_to_shape
from .indexing import AdvancedIndex, IndexGradient, IndexKey, IndexPut
from .indexing import zeros as _zeros


# The public functions (exported as minitorch.<name>)
__all__ = [
    "gather",
    "scatter",
    "scatter_add",
    "index_select",
    "index_add",
    "index_fill",
    "masked_fill",
    "masked_select",
    "take_along_dim",
    "nonzero",
    "argwhere",
]


def _index_data(index, name: str, dtype_message: str):
    """The integer array inside an index tensor, PyTorch's error for anything else."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(dtype_message)
    return index._data


def _check_bounds(index, size: int, dim: int, error: type = RuntimeError,
                  message: str | None = None) -> None:
    """PyTorch's error for an index outside ``[0, size)``: its type and message differ from op
    to op (RuntimeError for gather/scatter, IndexError for index_select and index_fill).
    Checked on the CPU only: on a GPU it would cost a device synchronisation per call (CuPy
    wraps such indices silently)."""
    if type(index) is np.ndarray and index.size:
        low, high = index.min(), index.max()
        if low < 0 or high >= size:
            bad = low if low < 0 else high
            detail = f"index {bad} is out of bounds for dimension {dim} with size {size}"
            # PyTorch's own words first (code may match them), then what exactly was wrong
            raise error(f"{message} ({detail})" if message else detail)


def _key_along(index, dim: int) -> tuple:
    """The NumPy key that picks ``a[i][j][index[i][j][k]]`` (for dim=2): ``index`` at ``dim``
    and, in every other dim, the positions 0..n-1 shaped to broadcast against it."""
    xp = backend.namespace(index)
    key = []
    for d, n in enumerate(index.shape):
        if d == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = n
            key.append(xp.arange(n).reshape(shape))
    return tuple(key)


def _check_gather_shapes(name, input, dim, index, src=None) -> None:
    if index.ndim != max(input.ndim, 1) and not (index.ndim <= 1 and input.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    for d in range(index.ndim):
        too_big_self = d != dim and index.shape[d] > (input.shape[d] if input.ndim else 1)
        too_big_src = src is not None and index.shape[d] > (src.shape[d] if src.ndim else 1)
        if too_big_self or too_big_src:
            if name == "gather":
                raise RuntimeError(f"Size does not match at dimension {d} expected index "
                                   f"{list(index.shape)} to be no larger than self "
                                   f"{list(input.shape)} apart from dimension {dim}")
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self "
                               f"{list(input.shape)} apart from dimension {dim} and to be no "
                               f"larger size than src {list(src.shape)}")


# --- gather / scatter ---------------------------------------------------------------------

class Gather(Function):
    """y[i][j] = a[i][index[i][j]] (dim=1); dL/da = zeros with dL/dy scatter-added at index; saves
    index and dim."""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.dim = dim
        ctx.save_for_backward(index)
        return a._data[_key_along(index._data, dim)]

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        zeros = Tensor._from_array(_zeros(grad._data, ctx._input_shapes[0]))
        return None if not ctx.needs_input_grad[0] else scatter_add(zeros, ctx.dim, index, grad), \
            None, None


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """Values of ``input`` picked along ``dim`` by ``index`` (same number of dims).

    Example::

        >>> x = minitorch.tensor([[1., 2.], [3., 4.]])
        >>> minitorch.gather(x, 1, minitorch.tensor([[1], [0]]))
        tensor([[2.],
                [3.]])
    """
    data = _index_data(index, "gather", "gather(): Expected dtype int32/int64 for index")
    if input.ndim == 0 or index.ndim == 0:
        normalize_dim(dim, input.ndim)
        return gather(input.reshape(-1), 0, index.reshape(-1)).reshape(index.shape)
    dim = normalize_dim(dim, input.ndim)
    _check_gather_shapes("gather", input, dim, index)
    _check_bounds(data, input.shape[dim], dim)
    return Gather.apply(input, dim, index)


class Scatter(Function):
    """y = a with a[i][index[i][j]] = src[i][j] (dim=1), out of place; dL/da = dL/dy with zeros
    where values were written; dL/dsrc = dL/dy gathered at index; saves index and dim."""

    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim = dim
        ctx.save_for_backward(index)
        result = a._data.copy()
        key = _key_along(index._data, dim)
        if isinstance(src, Tensor):
            result[key] = src._data[tuple(slice(0, n) for n in index.shape)]
        else:
            result[key] = src
        return result

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        grad_a = grad_src = None
        if ctx.needs_input_grad[0]:
            grad_a = scatter(grad, ctx.dim, index, 0.0)
        if ctx.needs_input_grad[3]:
            grad_src = _pad_to(gather(grad, ctx.dim, index), ctx._input_shapes[3])
        return grad_a, None, None, grad_src


class ScatterAdd(Function):
    """y = a with a[i][index[i][j]] += src[i][j] (dim=1), repeats adding up; dL/da = dL/dy; dL/dsrc
    = dL/dy gathered at index; saves index and dim."""

    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim = dim
        ctx.save_for_backward(index)
        result = a._data.copy()
        backend.scatter_add(result, _key_along(index._data, dim),
                            src._data[tuple(slice(0, n) for n in index.shape)])
        return result

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        grad_src = None
        if ctx.needs_input_grad[3]:
            grad_src = _pad_to(gather(grad, ctx.dim, index), ctx._input_shapes[3])
        return grad, None, None, grad_src


def _pad_to(grad: Tensor, shape) -> Tensor:
    """``grad`` written into the leading corner of zeros of ``shape``: only the part of
    ``src`` that ``index`` covers was used, the rest gets no gradient."""
    if tuple(grad.shape) == tuple(shape):
        return grad
    return IndexGradient.apply(grad, tuple(shape), tuple(slice(0, n) for n in grad.shape))


def _check_scatter_args(name, input, dim, index, src):
    data = _index_data(index, name, f"{name}(): Expected dtype int64 for index")
    dim = normalize_dim(dim, input.ndim)
    if isinstance(src, Tensor):
        if src.dtype is not input.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        _check_gather_shapes(name, input, dim, index, src)
    else:
        _check_gather_shapes(name, input, dim, index)
    _check_bounds(data, input.shape[dim] if input.ndim else 1, dim)
    return dim


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce: str | None = None) -> Tensor:
    """A copy of ``input`` with ``src`` (a tensor, or a number ``value``) written at ``index``
    along ``dim``. With repeated indices, which write wins is unspecified (as in PyTorch)."""
    if src is None:
        src = value
    if reduce is not None:
        if reduce == "add":
            return scatter_add(input, dim, index, src if isinstance(src, Tensor)
                               else Tensor._from_array(input._xp.full(index.shape, src,
                                                                      dtype=input._data.dtype)))
        raise NotImplementedError(f"scatter(reduce={reduce!r}) is not supported by minitorch; "
                                  "only reduce='add' is")
    if input.ndim == 0:
        return scatter(input.reshape(1), 0, index.reshape(-1), src if not isinstance(src, Tensor)
                       else src.reshape(-1)).reshape(())
    dim = _check_scatter_args("scatter", input, dim, index, src)
    return Scatter.apply(input, dim, index, src)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim``; repeats add up."""
    if input.ndim == 0:
        return scatter_add(input.reshape(1), 0, index.reshape(-1), src.reshape(-1)).reshape(())
    dim = _check_scatter_args("scatter_add", input, dim, index, src)
    return ScatterAdd.apply(input, dim, index, src)


def _scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    if reduce is not None:
        if reduce != "add":
            raise NotImplementedError(f"scatter_(reduce={reduce!r}) is not supported by minitorch")
        return _scatter_add_(self, dim, index, src)
    src = value if src is None else src
    dim = _check_scatter_args("scatter", self, dim, index, src)
    return self._apply_inplace(Scatter, dim, index, src)


def _scatter_add_(self, dim, index, src):
    dim = _check_scatter_args("scatter_add", self, dim, index, src)
    return self._apply_inplace(ScatterAdd, dim, index, src)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """``gather`` with broadcasting of the dims other than ``dim``; with ``dim=None`` both are
    flattened first."""
    _index_data(indices, "take_along_dim",
                "torch.take_along_dim(): dtype of indices should be Long but got "
                f"{indices.dtype.name.capitalize()}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, and "
                           f"{indices.ndim} dimensions for indices")
    dim = normalize_dim(dim, input.ndim)
    shape_in, shape_ix = list(input.shape), list(indices.shape)
    shape_in[dim] = shape_ix[dim] = 1
    common = list(np.broadcast_shapes(tuple(shape_in), tuple(shape_ix))) if input.ndim else []
    target_in, target_ix = list(common), list(common)
    if input.ndim:
        target_in[dim], target_ix[dim] = input.shape[dim], indices.shape[dim]
    return gather(input.expand(target_in), dim, indices.expand(target_ix))


# --- index_select / index_add / index_fill --------------------------------------------------

def _vector_index(index, name: str):
    data = _index_data(index, name, f"{name}(): Expected dtype int32 or int64 for index")
    if data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    return data.reshape(-1)


def _dim_key(dim: int, index) -> tuple:
    return (slice(None),) * dim + (index,)


class IndexSelect(Function):
    """y = the slices a.select(dim, i) for i in index, stacked along dim; dL/da = zeros with dL/dy
    index-added back along dim (repeated indices accumulate); saves index and dim."""

    node_name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.dim = dim
        ctx.save_for_backward(index)
        return a._data[_dim_key(dim, index._data.reshape(-1))]

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        zeros = Tensor._from_array(_zeros(grad._data, ctx._input_shapes[0]))
        return index_add(zeros, ctx.dim, index.reshape(-1), grad), None, None


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of ``input`` at positions ``index`` (a vector) along ``dim``."""
    data = _vector_index(index, "index_select")
    if input.ndim == 0:
        normalize_dim(dim, 0)
        return index_select(input.reshape(1), 0, index).reshape(()) if index.ndim == 0 else \
            index_select(input.reshape(1), 0, index)
    dim = normalize_dim(dim, input.ndim)
    if input.shape[dim] == 0 and index.numel() and input.ndim > 1:  # (1-D: the bounds error)
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    _check_bounds(data, input.shape[dim], dim, IndexError, "index out of range in self")
    return IndexSelect.apply(input, dim, index)


class IndexAdd(Function):
    """y = a with alpha * source added at index along dim (repeats add up); dL/da = dL/dy;
    dL/dsource = alpha * dL/dy.index_select(dim, index); saves index, dim and alpha."""

    node_name = "IndexAddBackward0"

    @staticmethod
    def forward(ctx, a, dim, index, source, alpha):
        ctx.dim, ctx.alpha = dim, alpha
        ctx.save_for_backward(index)
        result = a._data.copy()
        values = source._data if alpha == 1 else source._data * alpha
        if values.ndim < result.ndim:  # a 0-d source of a 1-element index into a 1-D input
            values = values.reshape(values.shape + (1,) * (result.ndim - values.ndim))
        backend.scatter_add(result, _dim_key(dim, index._data.reshape(-1)), values)
        return result

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        grad_source = None
        if ctx.needs_input_grad[3]:
            grad_source = index_select(grad, ctx.dim, index.reshape(-1))
            if ctx.alpha != 1:
                grad_source = grad_source * ctx.alpha
            grad_source = grad_source.reshape(ctx._input_shapes[3])
        return grad, None, None, grad_source, None


def _check_index_add(input, dim, index, source):
    data = _vector_index(index, "index_add_")
    dim = normalize_dim(dim, input.ndim)
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_add_(): self ({input.type()[10:-6]}) and source "
                           f"({source.type()[10:-6]}) must have the same scalar type")
    expected = source.shape[dim] if source.ndim else 1
    if data.size != expected:
        raise RuntimeError(f"index_add_(): Number of indices ({data.size}) should be equal to "
                           f"source.size(dim): ({expected}), for dim: {dim}")
    if input.ndim <= 1:
        _check_bounds(data, input.shape[dim] if input.ndim else 1, dim, IndexError,
                      "index out of range in self")
    else:
        _check_bounds(data, input.shape[dim], dim)
    return dim


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """A copy of ``input`` with ``alpha * source`` added at positions ``index`` along ``dim``."""
    dim = _check_index_add(input, dim, index, source)
    return IndexAdd.apply(input, dim, index, source, alpha)


def _index_add_(self, dim, index, source, *, alpha=1):
    dim = _check_index_add(self, dim, index, source)
    return self._apply_inplace(IndexAdd, dim, index, source, alpha)


def _index_fill_key(input, dim, index, value):
    data = _vector_index(index, "index_fill_")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    dim = normalize_dim(dim, input.ndim)
    _check_bounds(data, input.shape[dim] if input.ndim else 1, dim, IndexError)
    key = _dim_key(dim, data) if input.ndim else (data,)
    return IndexKey(None, key)


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` written at positions ``index`` along ``dim``."""
    return IndexPut.apply(input, value, _index_fill_key(input, dim, index, value))


def _index_fill_(self, dim, index, value):
    return self._apply_inplace(IndexPut, value, _index_fill_key(self, dim, index, value))


# --- masks ----------------------------------------------------------------------------------

def _mask_data(mask, name: str):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype != np.bool_:
        if name == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.name.replace('float32', 'float')}")
    return mask._data


class MaskedFill(Function):
    """y = where(mask, value, a), in a's dtype; dL/da = dL/dy where not mask, else 0; dL/dvalue =
    the sum of dL/dy over the masked places (value is 0-d); saves mask and value's dtype."""

    node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, a, mask, value):
        x = a._data
        # the fill value takes the input's dtype (an int tensor stays int, as in PyTorch)
        fill = (value._data.astype(x.dtype) if isinstance(value, Tensor)
                else x.dtype.type(checked_int_scalar(value, x.dtype)))
        ctx.save_for_backward(mask)
        ctx.value_dtype = value.dtype if isinstance(value, Tensor) else None
        return np.where(mask._data, fill, x)

    @staticmethod
    def backward(ctx, grad):
        from .comparison import where
        (mask,) = ctx.saved_tensors
        shape_a = ctx._input_shapes[0]
        grad_a = grad_value = None
        if ctx.needs_input_grad[0]:
            grad_a = sum_to_shape(grad.masked_fill(mask, 0.0), shape_a)
        if ctx.needs_input_grad[2]:
            grad_value = where(mask, grad, 0.0).sum()
            if grad_value.dtype is not ctx.value_dtype:
                grad_value = grad_value.to(ctx.value_dtype)
        return grad_a, None, grad_value


def _check_masked_fill(input, mask, value):
    _mask_data(mask, "masked_fill_")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
    elif not isinstance(value, (int, float, bool, np.generic)):
        raise TypeError(f"masked_fill(): argument 'value' must be Number or Tensor, not "
                        f"{type(value).__name__}")


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` where ``mask`` (bool, broadcastable) is True."""
    _check_masked_fill(input, mask, value)
    return MaskedFill.apply(input, mask, value)


def _masked_fill_(self, mask, value):
    _check_masked_fill(self, mask, value)
    shape = np.broadcast_shapes(self._data.shape, mask._data.shape)
    if shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}")
    return self._apply_inplace(MaskedFill, mask, value)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """A 1-D tensor of the elements of ``input`` where ``mask`` is True (both broadcast)."""
    data = _mask_data(mask, "masked_select")
    shape = np.broadcast_shapes(input._data.shape, data.shape)
    source = input if input._data.shape == shape else input.expand(shape)
    if data.shape != shape:
        data = np.broadcast_to(data, shape)
    return MaskedSelect.apply(source, (data,)) if data.ndim else \
        MaskedSelect.apply(source.reshape(1), (data.reshape(1),))


class MaskedSelect(AdvancedIndex):
    """``a[mask]``;  the gradient is written back where the mask is True."""

    node_name = "MaskedSelectBackward0"


# --- nonzero ------------------------------------------------------------------------------

def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Positions of the nonzero elements: an (n, ndim) int64 tensor, or with ``as_tuple`` one
    1-D tensor per dim."""
    x = input._data
    xp = backend.namespace(x)
    if as_tuple:
        return tuple(Tensor._from_array(i.astype(np.int64, copy=False))
                     for i in xp.nonzero(x.reshape(-1) if x.ndim == 0 else x))
    if x.ndim == 0:
        return Tensor._from_array(xp.zeros((int(bool(x)), 0), dtype=np.int64))
    return Tensor._from_array(xp.argwhere(x).astype(np.int64, copy=False))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)
