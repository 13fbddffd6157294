"""Python ints outside a small integer dtype's range. In arithmetic and comparisons PyTorch
wraps them around (``uint8 + 300`` adds 44); when a value is written into a tensor (``full``,
``fill_``, ``x[i] = v``, ``where``, ``masked_fill``, ``tensor([...])``) it raises unless the
value fits (an unsigned dtype also takes negatives down to -max). Each case learns the
outcome from PyTorch in the test, on random, broadcast and permuted operands."""
from __future__ import annotations

import numpy as np
import pytest

from tests.outcome_oracle import same_outcome

DTYPES = ["uint8", "int8", "int16", "int32", "int64"]
SCALARS = [300, -1, 200, -129, 2**40, -(2**40), 2**63, 255, -255, -256, 2**64]

ARITHMETIC = {
    "add": lambda x, s: x + s,
    "radd": lambda x, s: s + x,
    "sub": lambda x, s: x - s,
    "rsub": lambda x, s: s - x,
    "mul": lambda x, s: x * s,
    "floordiv": lambda x, s: x // s if s % 256 else x + 0,
    "remainder": lambda x, s: x % s if s % 256 else x + 0,
    "truediv": lambda x, s: x / s,
    "eq": lambda x, s: x == s,
    "lt": lambda x, s: x < s,
    "ge": lambda x, s: s >= x,
    "and": lambda x, s: x & s,
    "add_": lambda x, s: x.clone().add_(s),
}


def _operand(lib, dtype, layout, seed):
    """A random int tensor of ``dtype``: contiguous, permuted (a transposed view) or broadcast."""
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    data = rng.integers(max(info.min, -100), min(info.max, 100), size=(3, 4), endpoint=True)
    x = lib.tensor(data.astype(dtype))
    if layout == "permuted":
        return x.t()
    if layout == "broadcast":
        return x[:1].expand(3, 4)
    return x


@pytest.mark.parametrize("layout", ["contiguous", "permuted", "broadcast"])
@pytest.mark.parametrize("op", sorted(ARITHMETIC))
@pytest.mark.parametrize("dtype", DTYPES)
def test_arithmetic_wraps_the_scalar(dtype, op, layout):
    for i, scalar in enumerate(SCALARS):
        same_outcome(lambda lib: ARITHMETIC[op](_operand(lib, dtype, layout, i), scalar))


FILLS = {
    "full": lambda lib, x, s: lib.full((2, 3), s, dtype=x.dtype),
    "fill_": lambda lib, x, s: x.clone().fill_(s),
    "setitem": lambda lib, x, s: _assigned(x.clone(), s),
    "where_other": lambda lib, x, s: lib.where(x > 0, x, s),
    "where_input": lambda lib, x, s: lib.where(x > 0, s, x),
    "masked_fill": lambda lib, x, s: x.masked_fill(x > 0, s),
    "tensor": lambda lib, x, s: lib.tensor([s, 1], dtype=x.dtype),
    "clamp": lambda lib, x, s: x.clamp(s, 1),
    "clamp_max": lambda lib, x, s: x.clamp(max=s),
    "clamp_min_": lambda lib, x, s: x.clone().clamp_min_(s),
}


def _assigned(x, value):
    x[0] = value
    return x


@pytest.mark.parametrize("fill", sorted(FILLS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_writing_a_value_checks_that_it_fits(dtype, fill):
    for i, scalar in enumerate(SCALARS):
        same_outcome(lambda lib: FILLS[fill](lib, _operand(lib, dtype, "permuted", i), scalar))


@pytest.mark.parametrize("dtype", DTYPES)
def test_pow_by_a_scalar_that_does_not_fit(dtype):
    for i, scalar in enumerate([2, 257, -1, 0]):
        same_outcome(lambda lib: _operand(lib, dtype, "contiguous", i).abs() ** scalar)
