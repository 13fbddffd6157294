"""Reductions accumulate in a wider type than their input, per op, as PyTorch's CPU kernels do
(``acc_type``): running sums and products of float16 in float32 and of float32 in float64,
variance in float64, norms of float16 in float32. Each case learns the value from PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

from tests.outcome_oracle import same_outcome

# relative tolerance per dtype: the result is rounded once, to the output dtype
RTOL = {"float16": 1e-3, "float32": 1e-6, "float64": 1e-12}


def _long(lib, dtype, n, seed, scale=1.0, layout="contiguous"):
    """n random values (mostly positive, so that running sums grow), in ``dtype``."""
    data = (np.random.default_rng(seed).random(n) * scale + 0.05).astype(dtype)
    if layout == "permuted":
        return lib.tensor(data.reshape(2, -1).T.copy()).t().reshape(-1)
    return lib.tensor(data)


@pytest.mark.parametrize("dtype,n", [("float16", 5000), ("float32", 10**6), ("float64", 10**5)])
@pytest.mark.parametrize("layout", ["contiguous", "permuted"])
def test_long_cumsum(dtype, n, layout):
    same_outcome(lambda lib: _long(lib, dtype, n, 0, 0.2, layout).cumsum(0)[-50:], rtol=RTOL[dtype])


def test_cumsum_of_ones_in_float16_reaches_the_count():
    same_outcome(lambda lib: lib.ones(5000, dtype=lib.float16).cumsum(0)[-1])


def test_cumsum_constant_float32():
    same_outcome(lambda lib: lib.full((10**6,), 0.1).cumsum(0)[-1])


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_long_cumprod(dtype):
    same_outcome(lambda lib: (1 + _long(lib, dtype, 3000, 1, 0.002)).cumprod(0)[-5:],
                 rtol=RTOL[dtype])


@pytest.mark.parametrize("dim", [None, 0, 1])
@pytest.mark.parametrize("op", ["std", "var"])
@pytest.mark.parametrize("correction", [0, 1])
def test_float16_std_and_var_do_not_overflow_half_way(op, dim, correction):
    data = (np.random.default_rng(2).standard_normal((4, 3)) * 250).astype(np.float16)
    same_outcome(lambda lib: getattr(lib.tensor(data), op)(dim, correction=correction),
                 rtol=RTOL["float16"])


@pytest.mark.parametrize("op", ["std", "var"])
def test_float32_std_of_huge_values(op):
    data = np.array([1e30, -1e30, 0.0], dtype=np.float32) * np.random.default_rng(3).random(3)
    same_outcome(lambda lib: getattr(lib.tensor(data), op)(), rtol=RTOL["float32"])


@pytest.mark.parametrize("p", [2, 1, 3, float("inf")])
@pytest.mark.parametrize("dim", [None, 1])
def test_float16_norm(p, dim):
    data = (np.random.default_rng(4).standard_normal((3, 5)) * 300).astype(np.float16)
    same_outcome(lambda lib: lib.tensor(data).norm(p, dim), rtol=RTOL["float16"])


@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("dtype,n", [("float16", 5000), ("float32", 10**6)])
def test_long_sum_and_mean(op, dtype, n):
    same_outcome(lambda lib: getattr(_long(lib, dtype, n, 5, 0.001), op)(), rtol=RTOL[dtype])


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_cumsum_backward_keeps_the_dtype(dtype):
    def case(lib):
        x = _long(lib, dtype, 1000, 6).requires_grad_()
        x.cumsum(0).sum().backward()
        return x.grad
    same_outcome(case, rtol=RTOL[dtype])
