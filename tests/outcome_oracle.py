"""Run one small program in PyTorch and in minitorch, and compare what came out: the value
(dtype and numbers) when PyTorch computes, the exception type when it raises.

``same_outcome(case)`` calls ``case(lib)`` once with ``lib = torch`` (the spec) and once with
``lib = minitorch``. The tests of learner mistakes (test_mistakes_round2.py), of Python ints
meeting small int dtypes (test_small_int_scalars.py), of accumulation (test_accumulation.py)
and the wrong-input sweep (test_wrong_inputs.py) are all written with it.
"""
from __future__ import annotations

import numpy as np
import torch

import minitorch


def run(case, lib):
    """("value", result) or ("error", exception) for ``case(lib)``."""
    try:
        return "value", case(lib)
    except Exception as err:  # noqa: BLE001 - the exception is the outcome being compared
        return "error", err


def _leaves(result):
    if isinstance(result, (tuple, list)):
        return [leaf for item in result for leaf in _leaves(item)]
    return [result]


def _dtype_name(tensor) -> str:
    return str(tensor.dtype).rsplit(".", 1)[-1]


def assert_same_values(mine, theirs, rtol=1e-6, atol=0.0) -> None:
    """Tensors: same dtype, shape and numbers (NaN where NaN); other results: equal."""
    mine, theirs = _leaves(mine), _leaves(theirs)
    assert len(mine) == len(theirs), f"{len(mine)} results, PyTorch gives {len(theirs)}"
    for m, t in zip(mine, theirs):
        if isinstance(t, torch.Tensor):
            assert isinstance(m, minitorch.Tensor), f"got {type(m).__name__}, PyTorch a Tensor"
            assert _dtype_name(m) == _dtype_name(t), f"dtype {m.dtype}, PyTorch {t.dtype}"
            expected = t.detach().numpy()
            got = m.detach().cpu().numpy()
            assert got.shape == expected.shape, f"shape {got.shape}, PyTorch {expected.shape}"
            if expected.dtype.kind == "f":
                np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
            else:
                np.testing.assert_array_equal(got, expected)
        elif t is not None or m is not None:
            assert m == t, f"{m!r}, PyTorch {t!r}"


def same_outcome(case, rtol=1e-6, atol=0.0):
    """PyTorch's outcome of ``case`` is minitorch's: the same values, or an exception of
    PyTorch's type (or a subclass of it). Returns minitorch's result or exception."""
    kind, theirs = run(case, torch)
    my_kind, mine = run(case, minitorch)
    if kind == "error":
        assert my_kind == "error", (f"PyTorch raises {type(theirs).__name__}({theirs}); "
                                    f"minitorch returned {mine!r}")
        assert isinstance(mine, type(theirs)), (
            f"PyTorch raises {type(theirs).__name__}({theirs}); minitorch raised "
            f"{type(mine).__name__}({mine})")
        return mine
    assert my_kind == "value", (f"PyTorch computes {theirs!r}; minitorch raised "
                                f"{type(mine).__name__}({mine})")
    assert_same_values(mine, theirs, rtol=rtol, atol=atol)
    return mine
