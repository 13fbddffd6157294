"""``Tensor.to`` and ``clone``: copies that keep the graph connected."""
from __future__ import annotations

from . import backend
from ._device import device as _device_cls
from ._dtype import dtype as _dtype_cls, to_dtype
from .autograd.function import Function
from .tensor import Tensor


class ToCopy(Function):
    """A copy on another device and/or with another dtype;  the gradient goes back the same way."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, device, dtype):
        ctx.source_device, ctx.source_dtype = a.device, a.dtype
        array = a._data
        if dtype is not None and array.dtype != dtype.numpy:
            array = array.astype(dtype.numpy)
        if device is not None:
            array = backend.to_device(array, device)
        return array

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.source_device, ctx.source_dtype), None, None


def _parse_to_args(args, kwargs):
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, (_dtype_cls, type)) or (isinstance(arg, str) and arg in ("float32", "float64")):
            dtype = arg
        elif isinstance(arg, (str, _device_cls, int)):
            device = arg
        elif arg is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got {type(arg).__name__}")
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    return (None if device is None else _device_cls(device),
            None if dtype is None else to_dtype(dtype), copy)


def to(input, *args, **kwargs):
    """Move and/or cast; returns ``input`` itself when nothing changes (unless ``copy=True``)."""
    device, dtype, copy = _parse_to_args(args, kwargs)
    if device is not None and device.type == "cuda" and device.index is None:
        device = _device_cls("cuda", backend.cupy_module().cuda.runtime.getDevice())
    same_device = device is None or device == input.device
    same_dtype = dtype is None or dtype is input.dtype
    if same_device and same_dtype and not copy:
        return input
    if same_device and same_dtype:
        return clone(input)
    return ToCopy.apply(input, None if same_device else device, dtype)


class Clone(Function):
    """A copy of the data;  the gradient passes through unchanged."""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, a):
        return a._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(input, *, memory_format=None):
    return Clone.apply(input)
