"""``Tensor.to`` and ``clone`` (copies that keep the graph connected), and DLPack exchange."""
from __future__ import annotations

import numpy as np

from .. import backend
from ..types.devices import device as _device_cls
from ..types.dtypes import dtype as _dtype_cls, from_numpy_dtype, to_dtype
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor


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
        return array.copy() if array is a._data else array  # to(..., copy=True)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.source_device, ctx.source_dtype), None, None


def _is_dtype_like(arg) -> bool:
    return isinstance(arg, _dtype_cls) or any(arg is t for t in (float, int, bool))


def _parse_to_args(args, kwargs):
    """(device, dtype, copy) from the three forms of ``to``: ``to(device=None, dtype=None,
    non_blocking=False, copy=False)``, ``to(dtype, non_blocking=False, copy=False)`` and
    ``to(tensor, non_blocking=False, copy=False)``. Strings always name devices."""
    kwargs = dict(kwargs)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    args = list(args)
    if args and isinstance(args[0], Tensor):
        other = args.pop(0)
        device, dtype = other.device, other.dtype
    elif args and _is_dtype_like(args[0]):
        dtype = args.pop(0)
    elif args and (args[0] is None or isinstance(args[0], (str, _device_cls, int))) \
            and not isinstance(args[0], bool):
        device = args.pop(0)
        if args and (args[0] is None or _is_dtype_like(args[0])):
            dtype = args.pop(0)
    flags = {"non_blocking": False, "copy": False}
    for name, value in zip(("non_blocking", "copy"), args):
        if not isinstance(value, bool):
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"{type(value).__name__} where {name} (a bool) was expected")
        flags[name] = value
    if len(args) > 2:
        raise TypeError(f"to() takes at most 4 positional arguments ({len(args)} extra given)")
    flags["copy"] = kwargs.pop("copy", flags["copy"])
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected "
                        f"keyword arguments {sorted(kwargs)}")
    return (None if device is None else _device_cls(device),
            None if dtype is None else to_dtype(dtype), flags["copy"])


def to(input, *args, **kwargs):
    """Move and/or cast; returns ``input`` itself when nothing changes (unless ``copy=True``).

    The result stays in the graph (its gradient is cast / moved back), except that a cast
    to an integer or bool dtype gives a tensor that does not require grad, as in PyTorch.
    Moving to 'cuda' on a machine without a usable GPU raises RuntimeError saying why.
    """
    device, dtype, copy = _parse_to_args(args, kwargs)
    if device is not None and device.type == "cuda" and device.index is None:
        device = _device_cls("cuda", backend.cupy_module().cuda.runtime.getDevice())
    same_device = device is None or device == input.device
    same_dtype = dtype is None or dtype is input.dtype
    if same_device and same_dtype and not copy:
        return input
    if dtype is not None and not dtype.is_floating_point:
        with grad_mode.no_grad():
            return ToCopy.apply(input, None if same_device else device, dtype)
    return ToCopy.apply(input, None if same_device else device, dtype)


def from_dlpack(ext_tensor) -> Tensor:
    """A tensor over the memory of ``ext_tensor``, any object with ``__dlpack__`` and
    ``__dlpack_device__`` (a NumPy or CuPy array, a PyTorch tensor, another minitorch
    tensor). Nothing is copied: writes through either side show in the other.

    Example::

        >>> t = torch.arange(4.)                    # a PyTorch tensor
        >>> m = minitorch.from_dlpack(t); m[0] = 7.
        >>> t[0].item()
        7.0
    """
    if isinstance(ext_tensor, Tensor):
        return Tensor._from_array(ext_tensor._data)
    if not hasattr(ext_tensor, "__dlpack__") or not hasattr(ext_tensor, "__dlpack_device__"):
        raise TypeError(f"from_dlpack() expects an object with __dlpack__ and "
                        f"__dlpack_device__ (an array or tensor), got {type(ext_tensor).__name__}")
    device_type, device_id = ext_tensor.__dlpack_device__()
    if int(device_type) == _DLPACK_CPU:
        array = np.from_dlpack(ext_tensor)
    elif int(device_type) == _DLPACK_CUDA:
        cupy = backend.cupy_module()
        with cupy.cuda.Device(int(device_id)):
            array = cupy.from_dlpack(ext_tensor)
    else:
        raise RuntimeError(f"from_dlpack(): unsupported DLPack device type {int(device_type)} "
                           "(minitorch stores data on the CPU or on CUDA GPUs)")
    from_numpy_dtype(array.dtype)  # TypeError for dtypes minitorch does not have
    return Tensor._from_array(array)


_DLPACK_CPU, _DLPACK_CUDA = 1, 2  # DLPack's device type codes (kDLCPU, kDLCUDA)


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
