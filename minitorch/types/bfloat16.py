"""``minitorch.bfloat16``: a name scripts read at the top (nanoGPT builds a table of dtypes
from it), for a type NumPy does not have. It is a ``minitorch.dtype``, so it can be stored,
compared and printed; any attempt to make or convert data to it raises NotImplementedError.
"""
from __future__ import annotations

from . import dtypes as _dtype


class _UnsupportedDtype(_dtype.dtype):
    """A dtype with no NumPy storage: reading ``.numpy`` (what every op does to allocate or
    convert) raises, naming the dtype."""

    __slots__ = ()

    def __init__(self, name: str, itemsize: int) -> None:  # noqa: super().__init__ needs .numpy
        self.name = name
        self._torch_name = "BFloat16"
        self.is_floating_point = True
        self.is_signed = True
        self.itemsize = itemsize
        self._category = _dtype.FLOAT

    @property
    def numpy(self):
        raise NotImplementedError(f"minitorch has no {self.name} tensors (NumPy has no "
                                  f"{self.name} type); use minitorch.float32 or float16")


bfloat16 = _UnsupportedDtype("bfloat16", 2)
