"""Indexing: ``x[key]`` and ``x[key] = value``.

PyTorch reads a key in two steps, and so do we:

1. the *basic* part (ints, slices, None, ``...``) gives a view of the input;
2. the *advanced* part (integer or bool tensors, lists) then gathers a copy from that view,
   with NumPy's rules for where the indexed dims go.

Integers are applied in step 1, which is why ``x[:, 0, :, [1, 2]]`` keeps the order of the
remaining dims in PyTorch (NumPy alone would move the indexed dim to the front).
The backward of a gather scatters the gradient back with ``add.at``, so an index that
appears twice receives both gradients.
"""
from __future__ import annotations

import operator

import numpy as np

from .. import backend
from ..autograd import function
from ..autograd.function import Function
from ..backend import scatter_add
from ..tensor import Tensor, check_no_internal_overlap, check_no_partial_overlap
from ..types.int_scalars import checked_int_scalar
from ._helpers import sum_to_shape


# The public functions (exported as minitorch.<name>)
__all__: list = []

_VALID = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
          "valid indices")


class IndexKey:
    """A parsed key: ``basic`` (a NumPy key giving a view, or None) then ``advanced`` (a NumPy
    key with index arrays, applied to that view, or None)."""

    __slots__ = ("basic", "advanced")

    def __init__(self, basic, advanced):
        self.basic, self.advanced = basic, advanced

    def view_of(self, array):
        """The array (a view) that the advanced part indexes."""
        return array if self.basic is None else array[self.basic]


def _index_array(k, xp):
    """An integer or bool index array from a Tensor, list or ndarray, on the device of the
    indexed array (module ``xp``); IndexError for floats."""
    if isinstance(k, Tensor):
        array = k._data
    else:
        if isinstance(k, (list, tuple)) and any(isinstance(v, Tensor) for v in k):
            k = [v.item() if isinstance(v, Tensor) else v for v in k]
        array = np.asarray(k)
        if array.dtype == object:
            raise IndexError(_VALID)
        if array.size == 0:
            array = array.astype(np.int64)
    if array.dtype.kind not in "biu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if array.dtype == np.uint8:
        array = array.astype(np.bool_)
    if backend.namespace(array) is not xp:  # a list, or a CPU index tensor for a CUDA tensor
        array = backend.to_numpy(array) if xp is np else xp.asarray(array)
    return array


def _slice_bound(v):
    if v is None or isinstance(v, Tensor) and v.ndim == 0 and not v.dtype.is_floating_point:
        return None if v is None else int(v)
    try:  # x[1.0:3] is an error in Python and in PyTorch; int() would round it silently
        return operator.index(v)
    except TypeError:
        raise TypeError(f"slice indices must be integers or None or have an __index__ method "
                        f"(got {type(v).__name__})") from None


def parse_key(key, shape, xp=np) -> IndexKey:
    """Split a Python indexing key into its basic and advanced parts (see the module notes),
    checking it against ``shape`` with PyTorch's messages. Index arrays are put on the
    device of array module ``xp``."""
    if not isinstance(key, tuple):
        key = (key,)
    items = []
    for k in key:
        if k is None or k is Ellipsis:
            items.append(k)
        elif isinstance(k, slice):
            step = _slice_bound(k.step)
            if step is not None and step <= 0:
                raise ValueError("step must be greater than zero")
            items.append(slice(_slice_bound(k.start), _slice_bound(k.stop), step))
        elif isinstance(k, (bool, np.bool_)):
            items.append(xp.asarray(bool(k)))
        elif isinstance(k, (int, np.integer)):
            items.append(int(k))
        elif isinstance(k, (Tensor, list, np.ndarray, tuple)):
            items.append(_index_array(k, xp))
        elif isinstance(k, (str, bytes)):  # PyTorch tries to make a tensor of it
            raise TypeError(f"new(): invalid data type '{type(k).__name__}' (an index must be "
                            f"an int, a slice, None, ... or an integer/bool tensor)")
        else:
            raise IndexError(f"{_VALID} (got {type(k).__name__})")
    # a second `...` is ignored, as in PyTorch: only the first one stands for the missing dims
    first = next((i for i, k in enumerate(items) if k is Ellipsis), None)
    items = [k for i, k in enumerate(items) if k is not Ellipsis or i == first]

    # how many input dims each item consumes; `...` takes what the others leave
    def consumed(k):
        if k is None or k is Ellipsis:
            return 0
        if isinstance(k, (int, slice)):
            return 1
        return k.ndim if k.dtype == np.bool_ else 1
    used = sum(consumed(k) for k in items)
    if used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")

    basic, advanced, dim = [], [], 0
    for k in items:
        if k is Ellipsis:
            fill = len(shape) - used
            basic.append(Ellipsis)
            advanced.extend([slice(None)] * fill)
            dim += fill
        elif k is None:
            basic.append(None)
            advanced.append(slice(None))
        elif isinstance(k, int):
            basic.append(k)
            dim += 1
        elif isinstance(k, slice):
            basic.append(k)
            advanced.append(slice(None))
            dim += 1
        else:
            n = consumed(k)
            if k.dtype == np.bool_:
                for i, (m, s) in enumerate(zip(k.shape, shape[dim:dim + n])):
                    if m != s:
                        raise IndexError(f"The shape of the mask {list(k.shape)} at index {i} does "
                                         f"not match the shape of the indexed tensor "
                                         f"{list(shape)} at index {dim + i}")
            basic.extend([slice(None)] * n)
            advanced.append(k)
            dim += n
    has_arrays = any(not isinstance(k, slice) for k in advanced)
    if has_arrays and all(k is Ellipsis or k == slice(None) for k in basic):
        return IndexKey(None, tuple(advanced))
    if Ellipsis not in basic:
        basic.append(Ellipsis)  # so that NumPy returns a 0-d view, not a scalar copy
    return IndexKey(tuple(basic), tuple(advanced) if has_arrays else None)


def zeros(like, shape):
    """Zeros of ``shape`` with the dtype and on the device of array ``like``."""
    return backend.namespace(like).zeros(shape, dtype=like.dtype)


def _checked_get(array, key):
    try:
        return array[key]
    except IndexError as err:
        clipped = _clip_for_empty(array, key)
        if clipped is None:
            raise IndexError(str(err).replace("axis", "dimension")) from None
        return array[clipped]


def _clip_for_empty(array, key):
    """PyTorch reads nothing from an empty tensor, so it does not bounds-check index arrays
    into its non-empty dims (``zeros(2, 0)[tensor([5])]`` has shape [1, 0]). The key with
    such indices clipped into range, or None when that rule does not apply."""
    if array.size or not isinstance(key, tuple):
        return None
    clipped, dim = [], 0
    for k in key:
        if isinstance(k, slice):
            clipped.append(k)
            dim += 1
        elif getattr(k, "dtype", None) is not None and k.dtype != np.bool_:
            size = array.shape[dim]
            if size == 0:
                return None
            clipped.append(k.clip(-size, size - 1))
            dim += 1
        elif getattr(k, "dtype", None) == np.bool_:
            clipped.append(k)
            dim += k.ndim
        else:
            return None
    return tuple(clipped)


# --- reading: x[key] ---------------------------------------------------------------------

class BasicIndex(Function):
    """y = a[ints, slices, None, ...], a view; dL/da = zeros with dL/dy written at the same place;
    saves the key."""

    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a, key):
        ctx.key = key
        return _checked_get(a._data, key)

    @staticmethod
    def backward(ctx, grad):
        return IndexGradient.apply(grad, ctx._input_shapes[0], ctx.key), None


class Select(BasicIndex):
    node_name = "SelectBackward0"


class NewAxis(BasicIndex):
    node_name = "UnsqueezeBackward0"


class AdvancedIndex(Function):
    """y = a[index_arrays], a copy; dL/da = zeros with dL/dy added at the key, so repeats
    accumulate; saves the key."""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, key):
        ctx.key = _clip_for_empty(a._data, key) or key
        result = _checked_get(a._data, key)
        if result.base is not None and backend.namespace(result).shares_memory(result, a._data):
            result = result.copy()  # 0-d index arrays act like ints in NumPy; PyTorch copies
        elif not result.flags.c_contiguous and a._data.flags.c_contiguous:
            # NumPy may lay out `a[:, index]` with the indexed dim first in memory; PyTorch's
            # result follows the input's layout: contiguous for a contiguous input (and so are
            # the results of ops on it, which keep the layout)
            result = backend.namespace(result).ascontiguousarray(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        return IndexGradient.apply(grad, ctx._input_shapes[0], ctx.key), None


class IndexGradient(Function):
    """y = zeros of shape with grad added at key (the backward of indexing); dL/dgrad = dL/dy[key],
    indexing again, so indexing is twice differentiable; saves the key."""

    node_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, key):
        ctx.key = key
        g = grad._data
        result = zeros(g, shape)
        if _has_integer_arrays(key):
            scatter_add(result, key, g)  # result[key] += g would drop repeated indices
        else:
            result[key] = g
        return result

    @staticmethod
    def backward(ctx, grad_grad):
        return index_with_key(grad_grad, ctx.key), None, None


def _has_integer_arrays(key) -> bool:
    return any(not isinstance(k, (slice, int)) and k is not None and k is not Ellipsis
               and k.dtype != np.bool_ for k in key)


def index_with_key(tensor: Tensor, key: tuple) -> Tensor:
    """``tensor[key]`` for a NumPy key that is already parsed (differentiable)."""
    if any(hasattr(k, "dtype") for k in key):
        return AdvancedIndex.apply(tensor, key)
    return basic_index(tensor, key)


def basic_index(input: Tensor, key: tuple) -> Tensor:
    """The view ``input[key]`` for a key of ints, slices, None and ``...``.

    The node is named as PyTorch names the step: select (ints), unsqueeze (None), slice.
    """
    has_int = has_other = has_ellipsis = False
    for k in key:
        if type(k) is int:
            has_int = True
        elif k is Ellipsis:
            has_ellipsis = True
        elif k is not None:
            has_other = True
    if has_other:
        cls = BasicIndex
    elif has_int:
        cls = BasicIndex if None in key else Select
    else:
        cls = NewAxis if None in key else BasicIndex
    # with a trailing `...`, NumPy returns a 0-d view rather than a scalar copy
    return cls.apply(input, key if has_ellipsis else tuple(key) + (Ellipsis,))


def _plain_slice(k) -> bool:
    return type(k) is slice and (k.step is None or type(k.step) is int and k.step > 0) and \
        (k.start is None or type(k.start) is int) and (k.stop is None or type(k.stop) is int)


def _is_plain_basic(key) -> bool:
    """Ints, slices of ints, None and ``...`` (the common ``x[0]``, ``x[:, 1:3]``): no parsing
    needed, NumPy's basic indexing is PyTorch's."""
    if type(key) is int or _plain_slice(key):
        return True
    return type(key) is tuple and all(type(k) is int or k is None or k is Ellipsis or
                                      _plain_slice(k) for k in key) and key.count(Ellipsis) < 2


def getitem(input: Tensor, key) -> Tensor:
    """``input[key]``: a view for basic keys, else a gather from a view (see the module notes)."""
    if _is_plain_basic(key):
        key = key if type(key) is tuple else (key,)
        indexed = len(key) - key.count(None) - key.count(Ellipsis)
        if indexed > input._data.ndim:
            raise IndexError(f"too many indices for tensor of dimension {input._data.ndim}")
        return basic_index(input, key)
    parsed = parse_key(key, input._data.shape, input._xp)
    out = input if parsed.basic is None else basic_index(input, parsed.basic)
    if parsed.advanced is not None:
        out = AdvancedIndex.apply(out, parsed.advanced)
    return out


# --- writing: x[key] = value ---------------------------------------------------------------

def _check_fits(value_shape, region_shape) -> None:
    try:
        np.broadcast_shapes(value_shape, region_shape)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value_shape)} cannot be "
                           f"broadcast to indexing result of shape {list(region_shape)}") from None


def _assign(array, key, value) -> None:
    """``array[key] = value`` for a parsed IndexKey or a plain NumPy key, PyTorch's errors."""
    try:
        if isinstance(key, IndexKey):
            target = key.view_of(array)
            key = key.advanced if key.advanced is not None else (Ellipsis,)
        else:
            target = array
        target[key] = value
    except ValueError:
        value_shape = list(np.shape(value))
        raise RuntimeError(f"shape mismatch: value tensor of shape {value_shape} cannot be "
                           f"broadcast to indexing result of shape "
                           f"{list(target[key].shape)}") from None
    except IndexError as err:
        raise IndexError(str(err).replace("axis", "dimension")) from None


def _read(tensor: Tensor, key) -> Tensor:
    """``tensor[key]`` for a parsed IndexKey or a plain NumPy key (differentiable)."""
    if not isinstance(key, IndexKey):
        return index_with_key(tensor, key)
    out = tensor if key.basic is None else BasicIndex.apply(tensor, key.basic)
    return out if key.advanced is None else AdvancedIndex.apply(out, key.advanced)


class IndexPut(Function):
    """y = a with a[key] = value, out of place; dL/da = dL/dy with zeros at key; dL/dvalue =
    dL/dy[key] summed back to value's shape; saves the key and value's dtype."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, a, value, key):
        ctx.key = key
        ctx.value_dtype = value.dtype if isinstance(value, Tensor) else None
        result = a._data.copy()
        _assign(result, key, value._data if isinstance(value, Tensor) else value)
        return result

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad_value = None
        if ctx.needs_input_grad[0]:
            grad_a = IndexPut.apply(grad, 0.0, ctx.key)
        if ctx.needs_input_grad[1]:
            grad_value = sum_to_shape(_read(grad, ctx.key), ctx._input_shapes[1])
            if grad_value.dtype is not ctx.value_dtype:  # the value was cast on assignment
                grad_value = grad_value.to(ctx.value_dtype)
        return grad_a, grad_value, None

    @staticmethod
    def write_back(target, result, value, key) -> None:
        """Store an in-place write's result: only the region at ``key`` changed, so only it is
        written (elements that share memory, as an expanded view's do, keep the new values)."""
        if isinstance(key, IndexKey):
            region = key.view_of(result)
            values = region if key.advanced is None else region[key.advanced]
        else:  # a plain NumPy key (copy_ passes ``...``)
            values = result[key]
        _assign(target, key, values)


def setitem(input: Tensor, key, value) -> None:
    """``input[key] = value`` in place (a version bump; recorded when grads are involved)."""
    parsed = parse_key(key, input._data.shape, input._xp)
    try:  # the written region; taking it checks a basic key's bounds (first, as PyTorch does)
        region = parsed.view_of(input._data)
    except IndexError as err:
        raise IndexError(str(err).replace("axis", "dimension")) from None
    if parsed.advanced is None:  # a copy_ into a view (index_put is allowed, as in PyTorch)
        check_no_internal_overlap(region)
    if isinstance(value, Tensor):
        if value.device != input.device:  # PyTorch copies the value across, as copy_ does
            value = value.to(input.device)
        if parsed.advanced is not None and value.dtype is not input.dtype and not (
                value.ndim == 0 and all(isinstance(k, slice) or k.dtype == np.bool_
                                        for k in parsed.advanced)):
            # PyTorch casts for basic keys (a copy_ into a view) and for a number written
            # through a mask (a masked_fill), but not for index_put
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{input.dtype._torch_name} for the destination and "
                               f"{value.dtype._torch_name} for the source.")
        check_no_partial_overlap(region, value._data)
    elif isinstance(value, (int, float, bool, np.generic)):
        if type(value) is int and not -2**63 <= value < 2**63:  # (x[i] = v reads an int64)
            raise ValueError(f"Overflow when unpacking long long ({value} is beyond int64)")
        value = checked_int_scalar(value, input._data.dtype)
    elif isinstance(value, np.ndarray):
        value = Tensor._from_array(input._xp.asarray(value, dtype=input._data.dtype))
    else:
        raise TypeError(f"can't assign a {type(value).__name__} to a {input.type()} (assign a "
                        f"number or a tensor)")
    # (while minitorch.onnx traces a model, the write goes through the op too: it must see it)
    if input._inplace_is_recorded((value,)) or function.tracer is not None:
        if parsed.advanced is None and not backend.same_elements(region, input._data):
            # a basic key selects a view: the write is a copy_ (fill_) into it, as in PyTorch,
            # and the base gets a CopySlices history (autograd/views.py)
            if isinstance(value, Tensor):
                _check_fits(value._data.shape, region.shape)
            target = basic_index(input, parsed.basic)
            target.copy_(value) if isinstance(value, Tensor) else target.fill_(value)
            return
        input._apply_inplace(IndexPut, value, parsed)
        return
    # Nothing to record: write straight into the memory (no copy of the whole tensor).
    input._check_inplace()
    _assign(input._data, parsed, value._data if isinstance(value, Tensor) else value)
    input._bump_version()
