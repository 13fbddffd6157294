"""PyTorch's CPU random kernels: how raw 32/64-bit draws become samples, step for step.

Each function takes a ``Generator`` (its ``engine`` is the MT19937, see ``mt19937.py``),
a count and a dtype, and returns a flat NumPy array: the values in the order PyTorch's
kernel writes them. Reproducing the order of the draws and the exact arithmetic is what
makes ``manual_seed(s)`` give PyTorch's numbers bit for bit.
"""
from __future__ import annotations

import math

import numpy as np

from . import cephes32
from .fma import fma32, fma64

# mantissa digits of each floating dtype (std::numeric_limits<T>::digits); float16 samples
# are computed as float32 ones (PyTorch computes in float16's accumulate type) and rounded
_DIGITS = {np.dtype(np.float16): 24, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _unit(generator, count: int, dtype: np.dtype) -> np.ndarray:
    """Uniform [0, 1): the low ``digits`` bits of a draw times 2**-digits. float64 uses
    64-bit draws, the others 32-bit ones (float16 gets float32 values)."""
    digits = _DIGITS[dtype]
    if digits == 53:
        raw = generator.engine.random64(count)
        return (raw & np.uint64(2 ** 53 - 1)).astype(np.float64) * 2.0 ** -53
    raw = generator.engine.random(count)
    return (raw & np.uint64(2 ** digits - 1)).astype(np.float32) * np.float32(2.0 ** -digits)


def uniform(generator, count: int, dtype, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """``uniform_(low, high)``: u * (high - low) + low, fused (one rounding), in float32 for
    float32/float16 and in float64 for float64. ``low``/``high`` are first cast to ``dtype``.
    A value that rounds up to ``high`` becomes ``low``, so the range stays [low, high)."""
    dtype = np.dtype(dtype)
    u = _unit(generator, count, dtype)
    low, high = dtype.type(low), dtype.type(high)
    if dtype == np.float64:
        values = fma64(u, high - low, low)
    else:
        values = fma32(u, np.float32(high) - np.float32(low), np.float32(low)).astype(dtype)
    return np.where(values == high, low, values)


def random_full(generator, count: int, dtype) -> np.ndarray:
    """``random_()``: draws reduced modulo (the largest value the dtype holds exactly) + 1;
    int64 and float64 use 64-bit draws, bool keeps the lowest bit."""
    dtype = np.dtype(dtype)
    wide = dtype in (np.dtype(np.int64), np.dtype(np.float64))
    raw = generator.engine.random64(count) if wide else generator.engine.random(count)
    if dtype == np.bool_:
        return (raw & np.uint64(1)).astype(np.bool_)
    if dtype.kind == "f":  # every integer up to 2**digits is exact
        modulus = 2 ** (np.finfo(dtype).nmant + 1) + 1
    else:
        modulus = int(np.iinfo(dtype).max) + 1
    return (raw % np.uint64(modulus)).astype(dtype)


def random_from_to(generator, count: int, dtype, low: int, span: int) -> np.ndarray:
    """``random_(low, low + span)`` and ``randint``: (draw % span) + low. A 64-bit draw only
    when ``span >= 2**32`` (and the dtype is int64, float64 or float32)."""
    dtype = np.dtype(dtype)
    wide_ok = dtype in (np.dtype(np.int64), np.dtype(np.float64), np.dtype(np.float32))
    raw = (generator.engine.random64(count) if wide_ok and span >= 2 ** 32
           else generator.engine.random(count))
    values = (raw % np.uint64(span)).astype(np.int64) + np.int64(low)
    return values.astype(dtype)


def randperm(generator, n: int) -> np.ndarray:
    """``randperm(n)``: a Fisher-Yates shuffle of 0..n-1 where step i swaps i with
    i + (32-bit draw % (n - i)). (PyTorch switches to 64-bit draws beyond n ~ 2**32 / 20,
    sizes that do not fit in memory here.)"""
    if n >= (2 ** 32 - 1) // 20:
        raise NotImplementedError("randperm: n >= 214748364 uses PyTorch's 64-bit shuffle, "
                                  "which minitorch does not reproduce")
    order = list(range(n))
    if n < 2:
        return np.array(order, dtype=np.int64)
    steps = (generator.engine.random(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
    for i, step in enumerate(steps):
        j = i + step
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


# --- normal: two algorithms, chosen by size --------------------------------------------------

def _box_muller_16(u: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Blocks of 16 uniforms -> 16 normals: u1 = 1 - u[j], u2 = u[j + 8] for j < 8,
    radius = sqrt(-2 log u1), theta = 2 pi u2, out[j] = radius cos theta,
    out[j + 8] = radius sin theta. float32 uses the AVX2 Cephes routines."""
    blocks = u.reshape(-1, 16)
    if dtype == np.float32:
        u1, u2 = np.float32(1) - blocks[:, :8], blocks[:, 8:]
        radius = np.sqrt(np.float32(-2) * cephes32.log(u1))
        sine, cosine = cephes32.sincos(np.float32(2.0 * math.pi) * u2)
    else:
        u1, u2 = 1 - blocks[:, :8], blocks[:, 8:]
        radius = np.sqrt(-2 * np.log(u1))
        theta = 2.0 * math.pi * u2
        sine, cosine = np.sin(theta), np.cos(theta)
    return np.concatenate([radius * cosine, radius * sine], axis=1).reshape(-1)


def _normal_fill(generator, count: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    """PyTorch's ``normal_fill`` (contiguous tensors of >= 16 elements): ``count`` uniforms,
    Box-Muller on each full block of 16, and, when count is not a multiple of 16, 16 fresh
    uniforms for the last 16 positions (overwriting part of the last full block)."""
    # float16 is computed as float32 and rounded; PyTorch draws its uniforms for the whole
    # blocks only (the last, partial block gets its 16 fresh ones anyway)
    work = np.dtype(np.float32) if dtype == np.float16 else dtype
    full = count - count % 16
    drawn = full if dtype == np.float16 else count
    values = np.zeros(count, dtype=work)
    values[:drawn] = _unit(generator, drawn, dtype)
    values[:full] = _box_muller_16(values[:full], work)
    if count % 16:
        values[count - 16:] = _box_muller_16(_unit(generator, 16, dtype).astype(work), work)
    if work == np.float32:
        return fma32(values, np.float32(std), np.float32(mean))
    return fma64(values, std, mean)


def _normal_pairs(generator, count: int, mean: float, std: float) -> np.ndarray:
    """PyTorch's scalar ``normal_distribution<double>`` (small or non-contiguous tensors):
    each pair of 64-bit uniforms (u1, u2) gives r cos(2 pi u1), returned, and r sin(2 pi u1),
    r = sqrt(-2 log(1 - u2)), kept in the generator for the next call (as PyTorch does)."""
    values = []
    if count and generator.next_double_normal is not None:
        values.append(generator.next_double_normal)
        generator.next_double_normal = None
    pairs = (count - len(values) + 1) // 2
    u = _unit(generator, 2 * pairs, np.dtype(np.float64)).tolist()
    for u1, u2 in zip(u[0::2], u[1::2]):
        radius = math.sqrt(-2.0 * math.log1p(-u2))
        values.append(radius * math.cos(2.0 * math.pi * u1))
        values.append(radius * math.sin(2.0 * math.pi * u1))
    if len(values) > count:
        generator.next_double_normal = values.pop()
    return fma64(np.array(values, dtype=np.float64), std, mean)


def normal(generator, count: int, dtype, mean: float = 0.0, std: float = 1.0,
           contiguous: bool = True) -> np.ndarray:
    """``normal_(mean, std)``: the blockwise fill for contiguous tensors of >= 16 elements,
    the pairwise scalar path otherwise (computed in float64, then cast)."""
    dtype = np.dtype(dtype)
    if count >= 16 and contiguous:
        return _normal_fill(generator, count, dtype, mean, std).astype(dtype)
    return _normal_pairs(generator, count, mean, std).astype(dtype)


def exponential(generator, count: int, dtype, lambd: float = 1.0) -> np.ndarray:
    """``exponential_(lambd)``: -1 / lambd * log(1 - u), u a float64 uniform, then cast."""
    u = _unit(generator, count, np.dtype(np.float64))
    return (-1.0 / lambd * np.log1p(-u)).astype(dtype)
