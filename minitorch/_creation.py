"""Making tensors: from data (``tensor``, ``as_tensor``, ``from_numpy``) and by shape
(``zeros``, ``ones``, ``full``, ``empty``, ``*_like``, ``arange``)."""
from __future__ import annotations

import numpy as np

from . import _dtype, backend
from ._device import CPU, device as _device_cls
from .tensor import Tensor

_default_device = CPU


def set_default_device(device) -> None:
    """Device used by factories when ``device=`` is not given (``None`` resets to 'cpu')."""
    global _default_device
    _default_device = CPU if device is None else _device_cls(device)


def get_default_device() -> _device_cls:
    return _default_device


def _resolve_device(device):
    return _default_device if device is None else _device_cls(device)


def _array_from_data(data, dtype=None) -> np.ndarray:
    """A fresh NumPy array from nested lists, scalars, arrays or tensors, with PyTorch's
    dtype inference: Python floats -> default float dtype, ints -> int64, bools -> bool."""
    if isinstance(data, Tensor):
        array = backend.to_numpy(data._data).copy()
    elif isinstance(data, (list, tuple)) and _contains_tensor(data):
        array = np.array(_tensors_to_lists(data))
    else:
        array = np.array(data)
    if array.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}: ragged nested sequences "
                        "or non-numeric elements")
    if dtype is not None:
        return array.astype(_dtype.to_dtype(dtype).numpy, copy=False)
    if not isinstance(data, (np.ndarray, np.generic, Tensor)):
        # Python data: NumPy infers float64 / int64 (int32 on Windows); PyTorch's defaults differ.
        if array.dtype.kind == "f":
            array = array.astype(_dtype.get_default_dtype().numpy)
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64)
    _dtype.from_numpy_dtype(array.dtype)  # TypeError for unsupported kinds (complex, strings)
    return array


def _contains_tensor(seq) -> bool:
    return any(isinstance(x, Tensor) or isinstance(x, (list, tuple)) and _contains_tensor(x)
               for x in seq)


def _tensors_to_lists(seq):
    return [x.tolist() if isinstance(x, Tensor) else
            _tensors_to_lists(x) if isinstance(x, (list, tuple)) else x for x in seq]


def _finish(array, device, requires_grad) -> Tensor:
    device = _resolve_device(device)
    if device.type != "cpu":
        array = backend.to_device(array, device)
    t = Tensor._from_array(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, a scalar, an array or a tensor).

    Example::

        >>> minitorch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        tensor([[1., 2.],
                [3., 4.]], requires_grad=True)
    """
    return _finish(_array_from_data(data, dtype), device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or tensor when dtype and device allow."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_dtype(dtype).numpy == data.dtype):
        _dtype.from_numpy_dtype(data.dtype)
        device = _resolve_device(device)
        return Tensor._from_array(data if device.type == "cpu" else backend.to_device(data, device))
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array``: writes to either show in the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy_dtype(array.dtype)
    return Tensor._from_array(array)


def _wrap_no_grad(array) -> Tensor:
    return Tensor._from_array(array)


def _size_arg(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for s in size:
        if not isinstance(s, (int, np.integer)) and not (isinstance(s, Tensor) and s.numel() == 1):
            raise TypeError(f"expected a sequence of integers for size, but got {type(s).__name__}")
    size = tuple(int(s) for s in size)
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    return size


def _factory(fill, size, dtype, device, requires_grad):
    dtype = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    device = _resolve_device(device)
    xp = backend.namespace_for(device)
    if device.type == "cuda":
        with xp.cuda.Device(device.index or 0):
            array = fill(xp, size, dtype.numpy)
    else:
        array = fill(xp, size, dtype.numpy)
    t = Tensor._from_array(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    return _factory(lambda xp, s, d: xp.zeros(s, d), _size_arg(size), dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    return _factory(lambda xp, s, d: xp.ones(s, d), _size_arg(size), dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, memory_format=None) -> Tensor:
    return _factory(lambda xp, s, d: xp.empty(s, d), _size_arg(size), dtype, device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value's type."""
    if dtype is None:
        dtype = _dtype.result_type(fill_value)
    return _factory(lambda xp, s, d: xp.full(s, fill_value, d), _size_arg((size,)),
                    dtype, device, requires_grad)


def _like(fill, input, dtype, device, requires_grad):
    return _factory(fill, input._data.shape, input.dtype if dtype is None else dtype,
                    input.device if device is None else device, requires_grad)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    return _like(lambda xp, s, d: xp.zeros(s, d), input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    return _like(lambda xp, s, d: xp.ones(s, d), input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    return _like(lambda xp, s, d: xp.empty(s, d), input, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return _like(lambda xp, s, d: xp.full(s, fill_value, d), input, dtype, device, requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` every ``step``; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        dtype = _dtype.result_type(start, end, step)
    dtype = _dtype.to_dtype(dtype)
    # computed in float64 / int64 and cast, so float32 results match PyTorch's
    values = np.arange(start, end, step, dtype=np.float64 if dtype.is_floating_point else np.int64)
    return _finish(values.astype(dtype.numpy), device, requires_grad)
