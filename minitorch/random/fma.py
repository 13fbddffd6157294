"""Fused multiply-add, ``a * b + c`` rounded once, in NumPy.

PyTorch's CPU kernels are compiled with FMA instructions, and the compiler fuses a multiply
followed by an add into one (e.g. ``x * (to - from) + from`` in ``uniform_``). Rounding the
product first, as plain NumPy does, changes the last bit of about half the results, so
the random kernels that PyTorch fuses call these instead.
"""
from __future__ import annotations

import numpy as np

_LOW_29_BITS, _HALFWAY = np.uint64(2 ** 29 - 1), np.uint64(2 ** 28)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a + b`` as the rounded sum and the exact error of that rounding (Knuth)."""
    total = a + b
    virtual = total - a
    return total, (a - (total - virtual)) + (b - virtual)


def fma32(a, b, c) -> np.ndarray:
    """float32 ``a * b + c`` with one rounding. The product is exact in float64, so the
    float64 sum is within half a float64 ulp of the exact value, and rounding it to float32
    is right except when it lies exactly halfway between two float32 numbers (the 29 bits
    below float32's precision are 1000...0): there the bits the sum lost decide."""
    product = np.asarray(a, np.float32).astype(np.float64) * np.asarray(b, np.float32).astype(np.float64)
    c64 = np.asarray(c, np.float32).astype(np.float64)
    total = np.asarray(product + c64)
    result = total.astype(np.float32)
    halfway = (total.view(np.uint64) & _LOW_29_BITS) == _HALFWAY
    if halfway.any():
        product, c64 = np.broadcast_to(product, total.shape), np.broadcast_to(c64, total.shape)
        hi, lo = _two_sum(product[halfway], c64[halfway])
        nearest = result[halfway]
        other = np.nextafter(nearest, np.where(hi > nearest, np.float32(np.inf), np.float32(-np.inf)))
        # the exact value is hi + lo: when lo points away from `nearest`, `other` is closer
        towards_other = (lo != 0) & (np.sign(lo) == np.sign(hi - nearest.astype(np.float64)))
        result[halfway] = np.where(towards_other, other, nearest)
    return result


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp's split of a float64 into two halves of 26 bits each (their sum is exact)."""
    scaled = a * 134217729.0  # 2**27 + 1
    high = scaled - (scaled - a)
    return high, a - high


def fma64(a, b, c) -> np.ndarray:
    """float64 ``a * b + c`` with one rounding, up to a tie case with probability ~2**-50:
    the product exactly as a pair (Dekker), added to ``c`` with the error carried along."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    product = a * b
    (a_hi, a_lo), (b_hi, b_lo) = _split(a), _split(b)
    product_error = ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    total, sum_error = _two_sum(product, c)
    return total + (product_error + sum_error)
