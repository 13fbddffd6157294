"""Data types and PyTorch's type-promotion rules.

A ``dtype`` is a small named object wrapping the NumPy dtype that stores the data.
Promotion follows PyTorch, not NumPy:

* categories rank ``bool < integer < floating``;
* between tensors of the same *priority* (both with dimensions, or both 0-d) the usual
  lattice applies (``int32 + int64 -> int64``, ``float16 + float32 -> float32``);
* a 0-d tensor or a Python scalar only changes the result when its category is higher
  than every dimensioned operand's; then the result is the default dtype of that category
  (``float32`` for Python floats, ``int64`` for Python ints), so ``x_float32 * 2.5``
  stays float32 and ``x_int64 * 2.5`` becomes float32 (NumPy would give float64).
"""
from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type (``minitorch.float32`` ...), comparable by identity.

    ``_torch_name`` is PyTorch's C++ name for it ('Float', 'Long'): its error messages say
    it, and its legacy tensor types are named after it (``FloatTensor``)."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "_category",
                 "_torch_name")

    def __init__(self, name: str, numpy_dtype, category: int, torch_name: str):
        self.name = name
        self._torch_name = torch_name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = category == FLOAT
        self.is_signed = self.numpy.kind in "if"
        self.itemsize = self.numpy.itemsize
        self._category = category

    @property
    def is_complex(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"minitorch.{self.name}"

    def __reduce__(self):  # pickle as the module-level singleton
        return (_dtype_by_name, (self.name,))


BOOL, INT, FLOAT = 0, 1, 2

# The one table of dtype names: minitorch's (= PyTorch's Python name), NumPy's storage,
# category, and PyTorch's C++ name.
bool_ = dtype("bool", np.bool_, BOOL, "Bool")
uint8 = dtype("uint8", np.uint8, INT, "Byte")
int8 = dtype("int8", np.int8, INT, "Char")
int16 = dtype("int16", np.int16, INT, "Short")
int32 = dtype("int32", np.int32, INT, "Int")
int64 = dtype("int64", np.int64, INT, "Long")
float16 = dtype("float16", np.float16, FLOAT, "Half")
float32 = dtype("float32", np.float32, FLOAT, "Float")
float64 = dtype("float64", np.float64, FLOAT, "Double")

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {d.numpy: d for d in ALL_DTYPES}
_BY_NAME = {d.name: d for d in ALL_DTYPES}
# PyTorch's aliases
_BY_NAME.update(half=float16, float=float32, double=float64, short=int16, int=int32,
                long=int64)


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


_default_float = float32


def get_default_dtype() -> dtype:
    """The dtype given to tensors made from Python floats (``float32`` unless changed)."""
    return _default_float


def set_default_dtype(d: dtype) -> None:
    """Set the dtype given to Python floats and to float factories (``zeros``, ``rand``...).

    Only floating dtypes are allowed (``float32``, ``float64``, ``float16``), as in PyTorch.
    """
    global _default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d!r}")
    _default_float = d


def from_numpy_dtype(np_dtype) -> dtype:
    """The minitorch dtype that stores as ``np_dtype``; TypeError for unsupported kinds."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        pass
    try:
        np_dtype = np.dtype(np_dtype)
    except (TypeError, ValueError):  # not a dtype at all (a tensor, a string...)
        raise TypeError(f"expected a dtype, got {type(np_dtype).__name__}") from None
    if np_dtype in _BY_NUMPY:
        return _BY_NUMPY[np_dtype]
    raise TypeError(
        f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
        "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")


def to_dtype(d) -> dtype:
    """Accept a minitorch dtype, a NumPy dtype or type, or a Python type (``float``, ``int``,
    ``bool``). As in PyTorch, ``float`` means float64 whatever the default dtype is."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d]
    if d is None or isinstance(d, (int, float, str)):
        raise TypeError(f"expected a minitorch.dtype, got {d!r}")
    return from_numpy_dtype(d)


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to without losing their category."""
    if a is b:
        return a
    if a._category != b._category:
        return a if a._category > b._category else b
    if a._category == BOOL:
        return a
    if a is uint8 or b is uint8:  # uint8 with a signed int: the next signed int that holds both
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if a.itemsize >= b.itemsize else b


def _scalar_category(value) -> int:
    if isinstance(value, (bool, np.bool_)):
        return BOOL
    if isinstance(value, (int, np.integer)):
        return INT
    if isinstance(value, (float, np.floating)):
        return FLOAT
    raise TypeError(f"unsupported scalar operand of type {type(value).__name__}")


def _default_for(category: int) -> dtype:
    return (bool_, int64, _default_float)[category]


def result_type(*operands) -> dtype:
    """PyTorch's ``result_type`` over tensors and Python scalars (see the module docstring)."""
    dim_result = zero_dim_result = None
    scalar_category = -1
    for op in operands:
        d = getattr(op, "dtype", None)
        if isinstance(d, dtype):
            if op.ndim:
                dim_result = d if dim_result is None else promote_types(dim_result, d)
            else:
                zero_dim_result = d if zero_dim_result is None else promote_types(zero_dim_result, d)
        else:
            scalar_category = max(scalar_category, _scalar_category(op))
    result = dim_result
    if zero_dim_result is not None:
        if result is None or zero_dim_result._category > result._category:
            result = zero_dim_result
    if scalar_category >= 0:
        if result is None or scalar_category > result._category:
            result = _default_for(scalar_category)
    return result
