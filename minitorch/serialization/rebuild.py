"""What the names in a checkpoint's pickle build when minitorch reads it.

PyTorch pickles a tensor as a call ``_rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, hooks)``: a view into a flat storage. These are minitorch's versions of such
functions. Each checks its arguments before building anything, because a hostile file chooses
them: a view must lie inside its storage, and no argument may make Python allocate more than
the file holds (``bytearray(2**40)`` is refused).
"""
from __future__ import annotations

import collections
import numbers

from .. import backend
from ..types import dtypes as _dtype
from ..types.devices import device
from ..types.size import Size
from ..tensor import Tensor
from .errors import UnpicklingError

_MAX_DIMS = 64  # NumPy's limit


class StorageType:
    """What ``torch.FloatStorage`` and its siblings stand for: the element type of a storage."""

    def __init__(self, dtype: _dtype.dtype):
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"StorageType(dtype={self.dtype})"


class LoadedStorage:
    """A storage read from a checkpoint: one flat array that tensors are views of.
    ``saved_dtype`` is the file's; ``map_location`` may have given the array another."""

    def __init__(self, array, saved_dtype: _dtype.dtype):
        self.array, self.saved_dtype = array, saved_dtype
        self.dtype = _dtype.from_numpy_dtype(array.dtype)

    def __repr__(self) -> str:
        return f"LoadedStorage(dtype={self.dtype}, numel={self.array.shape[0]})"


def _int_tuple(value, what: str) -> tuple[int, ...]:
    if not isinstance(value, tuple) or len(value) > _MAX_DIMS or not all(
            type(v) is int and v >= 0 for v in value):
        raise UnpicklingError(f"a tensor's {what} must be a tuple of at most {_MAX_DIMS} "
                              f"non-negative ints, got {_short(value)}")
    return value


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _view(storage, storage_offset, size, stride) -> Tensor:
    if not isinstance(storage, LoadedStorage):
        raise UnpicklingError(f"a tensor must be rebuilt from a storage, got {type(storage).__name__}")
    size, stride = _int_tuple(size, "size"), _int_tuple(stride, "stride")
    if len(size) != len(stride):
        raise UnpicklingError(f"a tensor's size {size} and stride {stride} differ in length")
    if type(storage_offset) is not int or storage_offset < 0:
        raise UnpicklingError(f"a tensor's storage offset must be a non-negative int, "
                              f"got {_short(storage_offset)}")
    numel = storage.array.shape[0]
    # the last element the view touches must lie inside the storage (an empty view touches none)
    last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
    if (0 not in size and last >= numel) or storage_offset > numel:
        raise UnpicklingError(f"a tensor of size {list(size)}, stride {list(stride)} and offset "
                              f"{storage_offset} does not fit in its storage of {numel} elements")
    xp = backend.namespace(storage.array)
    itemsize = storage.array.itemsize
    array = xp.lib.stride_tricks.as_strided(storage.array[storage_offset:], shape=size,
                                            strides=tuple(s * itemsize for s in stride))
    return Tensor._from_array(array)


def _set_requires_grad(tensor: Tensor, requires_grad) -> Tensor:
    if type(requires_grad) is not bool:
        raise UnpicklingError(f"requires_grad must be a bool, got {_short(requires_grad)}")
    if requires_grad:
        if not tensor.dtype.is_floating_point:
            raise UnpicklingError(f"a tensor of dtype {tensor.dtype} cannot require gradients")
        tensor.requires_grad = True
    return tensor


def rebuild_tensor(storage, storage_offset, size, stride) -> Tensor:
    return _view(storage, storage_offset, size, stride)


def rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                      backward_hooks=None, metadata=None) -> Tensor:
    # hooks are never saved by PyTorch (always an empty OrderedDict); metadata flags conj/neg
    if metadata:
        raise NotImplementedError(f"minitorch.load: tensor metadata {_short(metadata)} "
                                  "(conjugate/negative bits) is not supported")
    return _set_requires_grad(_view(storage, storage_offset, size, stride), requires_grad)


def rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                      dtype, metadata=None) -> Tensor:
    if not isinstance(dtype, _dtype.dtype) or dtype is not getattr(storage, "saved_dtype", None):
        raise UnpicklingError(f"a tensor of dtype {_short(dtype)} cannot view a storage of "
                              f"{getattr(storage, 'dtype', None)}")
    return rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
                             backward_hooks, metadata)


def rebuild_parameter(data, requires_grad, backward_hooks):
    from ..nn.parameter import Parameter
    if not isinstance(data, Tensor):
        raise UnpicklingError(f"a Parameter's data must be a tensor, got {type(data).__name__}")
    if type(requires_grad) is not bool:
        raise UnpicklingError(f"requires_grad must be a bool, got {_short(requires_grad)}")
    if requires_grad and not data.dtype.is_floating_point:
        raise UnpicklingError(f"a Parameter of dtype {data.dtype} cannot require gradients")
    return Parameter(data, requires_grad)


def rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = rebuild_parameter(data, requires_grad, backward_hooks)
    return _set_attributes(param, state)


def rebuild_from_type_v2(func, new_type, args, state):
    """A tensor saved with Python attributes (``t.note = 'x'``): rebuild it, then set them."""
    from ..nn.parameter import Parameter
    if func not in (rebuild_tensor, rebuild_tensor_v2, rebuild_tensor_v3, rebuild_parameter,
                    rebuild_parameter_with_state) or not isinstance(args, tuple):
        raise UnpicklingError(f"_rebuild_from_type_v2 may only rebuild tensors, got {_short(func)}")
    if new_type not in (Tensor, Parameter):
        raise NotImplementedError(f"minitorch.load: tensor subclass {_short(new_type)} is not "
                                  "supported")
    tensor = func(*args)
    return _set_attributes(tensor, state)


def _set_attributes(tensor: Tensor, state) -> Tensor:
    if isinstance(state, tuple) and len(state) == 2:  # (dict state, slots state)
        state = {**(state[0] or {}), **(state[1] or {})}
    if not state:
        return tensor
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and not k.startswith("_") for k in state):
        raise UnpicklingError(f"a tensor's saved attributes must be a dict of public names, "
                              f"got {_short(state)}")
    for name, value in state.items():
        setattr(tensor, name, value)
    return tensor


# --- Python builtins that PyTorch's allowlist includes, with their arguments checked ----------

def make_device(type_or_spec, index=None) -> device:
    try:
        return device(type_or_spec, index)
    except (TypeError, ValueError, RuntimeError) as err:
        raise UnpicklingError(f"invalid device in checkpoint: {err}") from None


def make_size(dims=()) -> Size:
    if not isinstance(dims, (tuple, list)) or not all(type(d) is int for d in dims):
        raise UnpicklingError(f"Size is only allowed from a tuple of ints, got {_short(dims)}")
    return Size(dims)


def encode_bytes(text, encoding="latin1") -> bytes:
    """Protocol-2 pickles store ``bytes`` as ``_codecs.encode(str, 'latin1')``."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise UnpicklingError(f"_codecs.encode is only allowed as encode(str, 'latin1'), got "
                              f"encode({_short(text)}, {_short(encoding)})")
    return text.encode("latin1")


def make_bytearray(data=b"") -> bytearray:
    if not isinstance(data, (bytes, bytearray)):  # bytearray(n) would allocate n bytes
        raise UnpicklingError(f"bytearray is only allowed from bytes, got {type(data).__name__}")
    return bytearray(data)


def make_set(items=()) -> set:
    if not isinstance(items, (list, tuple)):
        raise UnpicklingError(f"set is only allowed from a list or tuple, got {type(items).__name__}")
    try:
        return set(items)
    except TypeError as err:
        raise UnpicklingError(f"set of unhashable items: {err}") from None


def make_complex(real=0.0, imag=0.0) -> complex:
    if not all(isinstance(v, numbers.Real) for v in (real, imag)):
        raise UnpicklingError(f"complex is only allowed from two numbers, got "
                              f"{_short(real)}, {_short(imag)}")
    return complex(real, imag)


# BUILD (setting an object's state) is allowed on these types only, as in PyTorch
def build_ordered_dict(target: collections.OrderedDict, state) -> None:
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        raise UnpicklingError(f"an OrderedDict's state must be a dict of names, got {_short(state)}")
    target.__dict__.update(state)  # e.g. a state_dict's ``_metadata``

