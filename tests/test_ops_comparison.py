"""Comparisons, logical ops, float classification, closeness tests, nan_to_num and where,
against PyTorch."""
import numpy as np
import pytest
import torch

import minitorch
from oracle import check, check_gradcheck

SPECIAL = np.array([[0.0, -1.5, np.nan, np.inf], [-np.inf, 2.0, 1e-30, -0.0]], dtype=np.float32)


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "greater", "less_equal"])
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(2, 3, 4), (4,)], [(3, 1), (1, 4)], [(0, 4), (4,)]])
def test_comparisons_are_bool(name, shapes):
    out = check(lambda lib, a, b: getattr(lib, name)(a, b.round()), shapes, grad=False)
    assert out[0].dtype == minitorch.bool
    check(lambda lib, a, b: getattr(a, name)(0.5), shapes, grad=False, permuted=True)


def test_comparison_operators_with_mixed_dtypes():
    ints = np.array([1, 2, 3])
    floats = np.array([1.0, 2.5, 3.0], dtype=np.float32)
    check(lambda lib, a, b: (a == b, a != b, a < b, a <= b, a > b, a >= b, a == 2, 2.5 < b),
          [ints, floats], grad=False)
    assert (minitorch.tensor([1.0]) == None) is False  # noqa: E711


def test_logical_ops():
    a = np.array([[True, False, True], [False, False, True]])
    b = np.array([1.0, 0.0, -2.0], dtype=np.float32)
    check(lambda lib, x, y: (lib.logical_and(x, y), lib.logical_or(x, y), lib.logical_xor(x, y),
                             lib.logical_not(y), x.logical_not(), ~x, x & x, x | x, x ^ x),
          [a, b], grad=False)


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf"])
def test_float_classification(name):
    check(lambda lib, x: getattr(lib, name)(x), [SPECIAL], grad=False)
    check(lambda lib, x: getattr(x, name)(), [SPECIAL.astype(np.float64)], grad=False)
    check(lambda lib, x: getattr(lib, name)(x), [np.array([1, 2])], grad=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kwargs", [{}, dict(nan=1.0, posinf=5.0, neginf=-5.0), dict(neginf=0.0)])
def test_nan_to_num(kwargs, dtype):
    values = SPECIAL.astype(dtype)
    check(lambda lib, x: lib.nan_to_num(x * 1.0, **kwargs), [values])
    check(lambda lib, x: (x * 1.0).nan_to_num_(**kwargs) * 2, [values])
    check(lambda lib, x: x.nan_to_num(**kwargs), [np.array([1, -2, 3])], grad=False)


def test_nan_to_num_gradcheck():
    check_gradcheck(lambda lib, x: lib.nan_to_num(x * 2), [(3, 4)])


def test_isclose_allclose_equal():
    a = np.array([1.0, 2.0, np.nan, np.inf, -np.inf, 1e-9], dtype=np.float64)
    b = np.array([1.0 + 1e-6, 2.1, np.nan, np.inf, np.inf, 0.0], dtype=np.float64)
    for kwargs in ({}, dict(equal_nan=True), dict(rtol=0.1, atol=0.0), dict(rtol=0.0, atol=1e-12)):
        check(lambda lib, x, y: lib.isclose(x, y, **kwargs), [a, b], grad=False)
        ours = minitorch.allclose(minitorch.tensor(a), minitorch.tensor(b), **kwargs)
        assert ours == torch.allclose(torch.tensor(a), torch.tensor(b), **kwargs)
        assert ours is False or ours is True
    check(lambda lib, x, y: x.isclose(y), [np.array([1, 2, 3]), np.array([1, 3, 3])], grad=False)
    assert minitorch.allclose(minitorch.tensor([1.0, 2.0]), minitorch.tensor([1.0, 2.0 + 1e-7]))
    assert minitorch.equal(minitorch.tensor([1, 2]), minitorch.tensor([1, 2]))
    assert minitorch.tensor([1.0, 2.0]).equal(minitorch.tensor([1, 2]))
    assert not minitorch.equal(minitorch.tensor([1, 2]), minitorch.tensor([1, 3]))
    assert not minitorch.equal(minitorch.tensor([1, 2]), minitorch.tensor([[1, 2]]))
    with pytest.raises(RuntimeError):
        minitorch.isclose(minitorch.tensor([1.0]), minitorch.tensor([1]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4), (3, 4)], [(3, 1), (4,), (2, 3, 4)]])
def test_where(shapes, dtype):
    check(lambda lib, c, a, b: lib.where(c > 0, a, b), shapes, dtype=dtype,
          requires_grad=[False, True, True])
    check(lambda lib, c, a, b: lib.where(c > 0, a, 0.5), shapes, dtype=dtype,
          requires_grad=[False, True, False], permuted=True)
    check_gradcheck(lambda lib, c, a, b: lib.where(c > 0, a, b), shapes)
