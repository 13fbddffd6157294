"""``finfo`` and ``iinfo``: the numeric limits of a dtype (``finfo(float32).eps``...), as
PyTorch reports them, read from NumPy's ``finfo``/``iinfo`` of the storage type."""
from __future__ import annotations

import numpy as np

from . import dtypes as _dtype


_DEFAULT = object()  # finfo() means the default dtype; finfo(None) is an error, as in PyTorch


def _as_dtype(value, function: str) -> _dtype.dtype:
    if value is _DEFAULT:
        return _dtype.get_default_dtype()
    if value in (float, int, bool) or isinstance(value, _dtype.dtype):
        return _dtype.to_dtype(value)
    raise TypeError(f"{function}(): argument 'type' (position 1) must be minitorch.dtype, not "
                    f"{type(value).__name__}")


class finfo:  # noqa: N801 (PyTorch's name)
    """Limits of a floating dtype (default: the default dtype): ``bits``, ``eps``, ``max``,
    ``min``, ``tiny`` (= ``smallest_normal``), ``resolution``, and ``dtype`` as a name."""

    def __init__(self, type=_DEFAULT) -> None:  # noqa: A002 (PyTorch's argument name)
        dtype = _as_dtype(type, "finfo")
        if not dtype.is_floating_point:
            raise TypeError("minitorch.finfo() requires a floating point input type. Use "
                            "minitorch.iinfo to handle 'minitorch.finfo'")
        info = np.finfo(dtype.numpy)
        self.bits, self.dtype = info.bits, dtype.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision  # exactly 1e-06, not float32's nearest

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 (PyTorch's name)
    """Limits of an integer dtype: ``bits``, ``max``, ``min``, and ``dtype`` as a name."""

    def __init__(self, type) -> None:  # noqa: A002 (PyTorch's argument name)
        dtype = _as_dtype(type, "iinfo")
        if dtype is _dtype.bool_:
            raise TypeError("minitorch.bool is not supported by minitorch.iinfo")
        if dtype.is_floating_point:
            raise TypeError("minitorch.iinfo() requires an integer input type. Use "
                            "minitorch.finfo to handle 'minitorch.iinfo'")
        info = np.iinfo(dtype.numpy)
        self.bits, self.dtype = info.bits, dtype.name
        self.max, self.min = int(info.max), int(info.min)

    def __repr__(self) -> str:
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
