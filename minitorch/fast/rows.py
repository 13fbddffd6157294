"""Replaces ``ops._helpers.row_sums`` and ``row_maxes``: reductions along a short last axis.

NumPy reduces the last axis of an array one row at a time, at about 0.1 us a row. For
short rows (softmax over a sequence or over classes, layer norm over features) that
overhead is most of the time, and both reductions have a faster route.

Sums: NumPy sums the last axis of a contiguous array one row at a time, which for rows of tens or
hundreds of numbers (softmax over a sequence, layer norm over features) is 3-5x slower than
one matrix-vector product with a vector of ones. The product is used for float32/float64
rows of up to 1024 numbers (its float32 rounding error stays within a few units in the last
place there, like NumPy's pairwise sums, but is not bit-identical to them); everything else
is the reference ``x.sum``.

Maxima: for rows of up to 64 numbers the maximum is taken down the columns of a transposed
copy instead: n elementwise passes over all rows at once (3-15x faster, measured for 128
and 4096 rows of 3 to 64; the maximum of 128 rows of 10, a cross-entropy over 10 classes,
cost 3x the rest of the log-softmax). A maximum has no rounding: the results are identical.
"""
from __future__ import annotations

from .. import backend


def blas_row_sums(x, axis, keepdims: bool = False):
    """``x.sum(axis, keepdims=keepdims)``, through BLAS for short contiguous last axes."""
    ndim = x.ndim
    if (ndim >= 2 and (axis == ndim - 1 or axis == -1 or axis == (ndim - 1,))
            and 0 < x.shape[-1] <= 1024 and x.dtype.kind == "f" and x.dtype.itemsize >= 4
            and x.flags.c_contiguous):
        n = x.shape[-1]
        sums = x.reshape(-1, n) @ backend.namespace(x).ones(n, x.dtype)
        return sums.reshape(x.shape[:-1] + ((1,) if keepdims else ()))
    return x.sum(axis=axis, keepdims=keepdims)


def transposed_row_maxes(x, axis):
    """``x.max(axis, keepdims=True)``, down a transposed copy for short last axes."""
    n = x.shape[-1] if x.ndim else 0
    if axis is None or x.ndim < 2 or axis != x.ndim - 1 or n > 64:
        return x.max(axis=axis, keepdims=True)
    columns = x.reshape(-1, n).T.copy()  # (n, rows), C-contiguous
    return columns.max(axis=0).reshape(x.shape[:-1] + (1,))
