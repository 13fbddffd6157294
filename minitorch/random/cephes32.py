"""The float32 log, sine and cosine that PyTorch's CPU ``normal_`` uses on AVX2 machines.

PyTorch turns uniform draws into normal ones with ``log256_ps`` and ``sincos256_ps`` from
``avx_mathfun.h``: Cephes polynomials evaluated in float32 arithmetic. They are accurate to
about one ulp, and which way that ulp falls decides the last bit of ``randn``. So we evaluate
the very same polynomials, operation by operation, in float32 NumPy arithmetic. The compiler
that builds PyTorch fuses some multiply-then-add pairs into one FMA (a single rounding);
``_fma`` marks exactly those (found by comparing every variant with PyTorch's output).
"""
from __future__ import annotations

import numpy as np

from .fma import fma32 as _fma

f32 = np.float32


_SQRTHF = f32(0.707106781186547524)
_LOG_P = [f32(c) for c in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                           1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                           3.3333331174E-1)]
_LOG_Q1, _LOG_Q2 = f32(-2.12194440e-4), f32(0.693359375)


def log(x: np.ndarray) -> np.ndarray:
    """``log256_ps`` for positive normal float32 ``x``: x = m * 2**e with m in [sqrt(.5), sqrt(2)),
    log x = e * log 2 + log m, log m from a degree-9 polynomial in (m - 1)."""
    x = np.asarray(x, f32)
    bits = x.view(np.uint32)
    e = ((bits >> np.uint32(23)).astype(np.int32) - 127).astype(f32) + f32(1)
    m = (bits & np.uint32(0x807FFFFF) | np.uint32(0x3F000000)).view(f32)  # mantissa in [0.5, 1)
    small = m < _SQRTHF
    e = e - np.where(small, f32(1), f32(0))
    m = (m - f32(1)) + np.where(small, m, f32(0))  # x + x - 1 when small, else x - 1
    z = m * m
    y = _LOG_P[0]
    for p in _LOG_P[1:]:
        y = _fma(y, m, p)
    y = _fma(y * m, z, e * _LOG_Q1)
    y = y - z * f32(0.5)
    return _fma(e, _LOG_Q2, m + y)


_FOPI = f32(1.27323954473516)  # 4 / pi
_DP = [f32(-0.78515625), f32(-2.4187564849853515625e-4), f32(-3.77489497744594108e-8)]
_SIN_P = [f32(-1.9515295891E-4), f32(8.3321608736E-3), f32(-1.6666654611E-1)]
_COS_P = [f32(2.443315711809948E-005), f32(-1.388731625493765E-003), f32(4.166664568298827E-002)]


def sincos(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` for float32 ``x >= 0``: reduce by the multiple j of pi/4 (j even),
    in three parts of pi/4 for extra precision, then one polynomial for sine and one for
    cosine on [-pi/4, pi/4]; j says which polynomial gives which and the signs."""
    x = np.asarray(x, f32)
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(f32)
    for dp in _DP:
        x = _fma(y, dp, x)
    z = x * x
    cos_poly = _COS_P[0]
    for p in _COS_P[1:]:
        cos_poly = _fma(cos_poly, z, p)
    cos_poly = _fma(cos_poly * z, z, -(z * f32(0.5))) + f32(1)
    sin_poly = _SIN_P[0]
    for p in _SIN_P[1:]:
        sin_poly = _fma(sin_poly, z, p)
    sin_poly = _fma(sin_poly * z, x, x)
    swap = (j & 2) != 0
    sine = np.where(swap, cos_poly, sin_poly)
    cosine = np.where(swap, sin_poly, cos_poly)
    sine = np.where((j & 4) != 0, -sine, sine)
    cosine = np.where(((j - 2) & 4) == 0, -cosine, cosine)
    return sine, cosine
