"""PyTorch's legacy tensor types: ``LongTensor([1, 2])``, ``FloatTensor(2, 3)``, and
``isinstance(x, LongTensor)``, still common in older scripts and tutorials.

Each is a constructor for CPU tensors of one dtype, and an ``isinstance`` test for them; not a
subclass of Tensor (nor in PyTorch, where they are ``torch.tensortype`` objects).
"""
from __future__ import annotations

import numbers

from ..creation import factories as _creation
from . import dtypes as _dtype
from .bfloat16 import bfloat16
from .size import Size
from ..tensor import Tensor


class _LegacyTensorType(type):
    """The type of ``FloatTensor`` & co.: calling one builds a tensor of its dtype."""

    dtype: _dtype.dtype
    is_cuda = False

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.device.type == "cpu"

    def __call__(cls, *args) -> Tensor:
        if not args:
            return _creation.empty(0, dtype=cls.dtype)
        if all(isinstance(a, numbers.Integral) for a in args) or (
                len(args) == 1 and isinstance(args[0], Size)):
            return _creation.empty(*args, dtype=cls.dtype)  # sizes: uninitialised, as PyTorch
        if len(args) > 1:
            raise TypeError(f"new(): expected sizes (ints) or one sequence of data, got "
                            f"{tuple(type(a).__name__ for a in args)}")
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype is not cls.dtype:
                raise TypeError(f"expected a tensor of dtype {cls.dtype} (got {data.dtype})")
            return data
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        return _creation.tensor(data, dtype=cls.dtype)


def _legacy_type(dtype: _dtype.dtype) -> _LegacyTensorType:
    """``FloatTensor`` for float32: named after PyTorch's C++ name of the dtype."""
    return _LegacyTensorType(f"{dtype._torch_name}Tensor", (),
                             {"dtype": dtype, "__module__": "minitorch"})


FloatTensor = _legacy_type(_dtype.float32)
DoubleTensor = _legacy_type(_dtype.float64)
HalfTensor = _legacy_type(_dtype.float16)
LongTensor = _legacy_type(_dtype.int64)
IntTensor = _legacy_type(_dtype.int32)
ShortTensor = _legacy_type(_dtype.int16)
CharTensor = _legacy_type(_dtype.int8)
ByteTensor = _legacy_type(_dtype.uint8)
BoolTensor = _legacy_type(_dtype.bool_)
BFloat16Tensor = _legacy_type(bfloat16)  # exists; building one raises
