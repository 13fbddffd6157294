"""Fused multiply-add, ``a * b + c`` rounded once, in NumPy.

PyTorch's CPU kernels are compiled with FMA instructions, and the compiler fuses a multiply
followed by an add into one (e.g. ``x * (to - from) + from`` in ``uniform_``). Rounding the
product first, as plain NumPy does, changes the last bit of about half the results, so
the random kernels that PyTorch fuses call these instead.
"""
from __future__ import annotations

import numpy as np


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a + b`` as the rounded sum and the exact error of that rounding (Knuth)."""
    total = a + b
    virtual = total - a
    return total, (a - (total - virtual)) + (b - virtual)


def _round_float32_once(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Round the exact value ``hi + lo`` (a float64 pair, ``lo`` the tiny rest) to float32 once.
    Rounding ``hi`` alone is right unless ``hi`` lies exactly halfway between two float32
    numbers and ``lo`` pushes the exact value towards the other one."""
    nearest = hi.astype(np.float32)
    other = np.nextafter(nearest, np.where(hi > nearest, np.float32(np.inf), np.float32(-np.inf)))
    halfway = (nearest.astype(np.float64) + other.astype(np.float64)) / 2 == hi
    towards_other = np.sign(lo) == np.sign(hi - nearest.astype(np.float64))
    return np.where(halfway & (lo != 0) & towards_other, other, nearest)


def fma32(a, b, c) -> np.ndarray:
    """float32 ``a * b + c`` with one rounding (exact: a float32 product is exact in float64)."""
    product = np.asarray(a, np.float32).astype(np.float64) * np.asarray(b, np.float32).astype(np.float64)
    total, error = _two_sum(product, np.asarray(c, np.float32).astype(np.float64))
    return _round_float32_once(total, error)


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
