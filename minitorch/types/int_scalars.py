"""Python ints meeting small integer dtypes: where PyTorch wraps them around, where it raises.

``uint8_tensor + 300`` computes with 300 wrapped into uint8 (44), as a C cast would: in
arithmetic and comparisons PyTorch converts the scalar to the tensor's dtype without a check.
Filling a tensor with a value (``full``, ``fill_``, ``x[i] = v``, ``where``, ``masked_fill``)
checks it first and raises when it does not fit. NumPy 2 raises in both cases, so the ops
pass their Python scalars through one of these two functions.
"""
from __future__ import annotations

import numpy as np


def wrap_int_scalar(value, target):
    """A Python int outside an integer dtype's range, wrapped around into it: in arithmetic
    PyTorch casts the scalar as C does, so ``uint8 + 300`` is ``uint8 + 44`` and ``int8 + 200``
    is ``int8 + (-56)`` (NumPy would raise instead). Ints beyond 64 bits raise OverflowError."""
    if type(value) is not int:
        return value
    if not -2**63 <= value < 2**64:  # PyTorch reads a scalar as a 64-bit number, at most
        raise OverflowError(f"int too big to convert ({value} needs more than 64 bits)")
    if target.kind not in "iu":
        return value
    info = np.iinfo(target)
    if info.min <= value <= info.max:
        return value
    value %= 1 << info.bits
    return value - (1 << info.bits) if value > info.max else value


def checked_int_scalar(value, dtype):
    """A Python number to fill an integer tensor with (``full``, ``fill_``, ``x[i] = v``,
    ``where``): PyTorch raises when it does not fit, except that an unsigned dtype takes
    negatives down to -max, wrapped (``full((2,), -1, dtype=uint8)`` is 255)."""
    target = np.dtype(dtype)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or target.kind not in "iu":
        return value
    if not -2**63 <= int(value) < 2**64:
        raise OverflowError(f"int too big to convert ({int(value)} needs more than 64 bits)")
    info = np.iinfo(target)
    lowest = -int(info.max) if target.kind == "u" else int(info.min)
    if not lowest <= int(value) <= info.max:
        raise RuntimeError(f"value cannot be converted to type {target.name} without overflow "
                           f"(got {int(value)}; {target.name} holds {info.min} to {info.max})")
    return wrap_int_scalar(int(value), target)

