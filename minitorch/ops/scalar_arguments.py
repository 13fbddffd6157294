"""The numbers that scale an operand: ``add``/``sub``'s ``alpha`` and ``addcmul``'s ``value``.

PyTorch converts such a number to the dtype of the result before it computes (a C++
``Scalar`` cast), so the number never takes part in type promotion:

* a bool result takes any nonzero number as True: ``add(bool, bool, alpha=2)`` stays bool
  (``a + 2 * b`` is ``a or b``), where multiplying first would have made it int64;
* an integer result truncates a float (``addcmul(int, int, int, value=1.5)`` scales by 1)
  and refuses a number that does not fit (``add(uint8, uint8, alpha=300)``);
* ``add`` and ``sub`` check ``alpha`` first: a bool alpha only for a bool result, a float
  alpha only for a floating result.
"""
from __future__ import annotations

import numpy as np

from ..types.dtypes import bool_, dtype
from ..types.int_scalars import checked_int_scalar


def checked_alpha(alpha, result: dtype):
    """``alpha`` of ``add``/``sub``, checked against the result's dtype and converted to it."""
    if isinstance(alpha, bool) and result is not bool_:
        raise RuntimeError(f"Boolean alpha only supported for Boolean results (got alpha={alpha} "
                           f"for a result of dtype {result.name}).")
    if isinstance(alpha, float) and not result.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           f"point number (got alpha={alpha} for a result of dtype {result.name}).")
    # (a float16 result takes an alpha beyond its range too: docs/deviations.md)
    return scalar_in(alpha, result)


def scalar_in(value, result: dtype):
    """A Python number as PyTorch's Scalar becomes one of dtype ``result`` (anything else,
    such as a tensor, is returned as it came)."""
    if not isinstance(value, (int, float)) or result.is_floating_point:
        return value
    if result is bool_:
        return bool(value)
    if isinstance(value, float):  # (a float must lie in the range itself: -1.0 is no uint8)
        info = np.iinfo(result.numpy)
        if not info.min <= value <= info.max:
            raise RuntimeError(f"value cannot be converted to type {result.name} without "
                               f"overflow (got {value}; {result.name} holds {info.min} to "
                               f"{info.max})")
        value = int(value)  # toward zero, as a C cast
    return checked_int_scalar(int(value), result.numpy)
