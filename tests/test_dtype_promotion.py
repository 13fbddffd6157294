"""PyTorch's type-promotion rules, checked exhaustively against torch: ``promote_types``,
``result_type`` over tensors with dimensions, 0-d tensors and Python scalars, the dtypes of
real operations, and the in-place casting rule."""
import itertools
import operator

import pytest
import torch

import minitorch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 2, 2.5]
# every kind of operand: (dtype name, is 0-d) for tensors, ("scalar", value) for Python numbers
OPERANDS = [(d, zero_dim) for d in DTYPES for zero_dim in (False, True)] + \
           [("scalar", s) for s in SCALARS]


def name(d) -> str:
    return str(d).split(".")[-1]


def make(lib, operand):
    kind, arg = operand
    if kind == "scalar":
        return arg
    shape = () if arg else (2,)
    return lib.ones(shape, dtype=getattr(lib, kind))


def outcome(fn):
    """dtype name of the result, or the exception type's name."""
    try:
        return name(fn().dtype)
    except Exception as err:  # noqa: BLE001  (compared between the libraries)
        return type(err).__name__


def ids(pair):
    return "-".join(f"{k}{'0d' if v is True and k != 'scalar' else ''}" if k != "scalar" else repr(v)
                    for k, v in pair)


@pytest.mark.parametrize("a,b", list(itertools.product(DTYPES, DTYPES)))
def test_promote_types_all_pairs(a, b):
    assert name(minitorch.promote_types(getattr(minitorch, a), getattr(minitorch, b))) == \
        name(torch.promote_types(getattr(torch, a), getattr(torch, b)))


PAIRS = [p for p in itertools.product(OPERANDS, OPERANDS)
         if not (p[0][0] == "scalar" and p[1][0] == "scalar")]


def test_result_type_all_operand_pairs():
    mismatches = []
    for pair in PAIRS:
        m = outcome(lambda: type("R", (), {"dtype": minitorch.result_type(*[make(minitorch, o) for o in pair])}))
        t = outcome(lambda: type("R", (), {"dtype": torch.result_type(*[make(torch, o) for o in pair])}))
        if m != t:
            mismatches.append((ids(pair), m, t))
    assert not mismatches, mismatches[:10]
    assert len(PAIRS) == len(OPERANDS) ** 2 - len(SCALARS) ** 2


@pytest.mark.parametrize("op", ["add", "mul", "truediv", "eq", "lt"])
def test_operator_result_dtypes_all_operand_pairs(op):
    fn = getattr(operator, op)
    mismatches = []
    for a, b in PAIRS:
        m = outcome(lambda: fn(make(minitorch, a), make(minitorch, b)))
        t = outcome(lambda: fn(make(torch, a), make(torch, b)))
        if m != t:
            mismatches.append((ids((a, b)), m, t))
    assert not mismatches, mismatches[:10]


@pytest.mark.parametrize("op", ["sub"])
def test_sub_result_dtypes_without_bool_operands(op):
    fn = getattr(operator, op)
    for a, b in PAIRS:
        if "bool" in (a[0], b[0]) or True in (a[1] if a[0] == "scalar" else None,
                                               b[1] if b[0] == "scalar" else None):
            continue  # bool subtraction: owned by the pointwise family (see report)
        m = outcome(lambda: fn(make(minitorch, a), make(minitorch, b)))
        t = outcome(lambda: fn(make(torch, a), make(torch, b)))
        assert m == t, (ids((a, b)), m, t)


@pytest.mark.parametrize("method", ["add_", "mul_", "div_", "sub_"])
@pytest.mark.parametrize("target", DTYPES)
def test_inplace_casting_rule(method, target):
    """In place, the result may not move to a higher category than the target tensor."""
    for other in OPERANDS:
        if method == "sub_" and (target == "bool" or other[0] == "bool" or other == ("scalar", True)):
            continue  # bool subtraction: see test_sub_result_dtypes_without_bool_operands
        m = outcome(lambda: getattr(make(minitorch, (target, False)), method)(make(minitorch, other)))
        t = outcome(lambda: getattr(make(torch, (target, False)), method)(make(torch, other)))
        assert m == t, (method, target, other, m, t)


def test_inplace_float_into_long_message():
    x = minitorch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        x += 1.5
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Int"):
        minitorch.tensor([1], dtype=minitorch.int32).mul_(minitorch.tensor([1.0]))
    y = minitorch.tensor([1.0, 2.0])
    y += minitorch.tensor([1, 1])  # int into float: fine
    assert y.tolist() == [2.0, 3.0] and y.dtype is minitorch.float32


@pytest.mark.parametrize("case", [
    "int_div_int", "int_times_float", "int_plus_float_0d", "uint8_plus_int8", "bool_plus_bool",
    "float16_times_float", "int32_plus_int64_0d", "float32_plus_float64_0d", "int_plus_float64_0d",
])
def test_documented_examples(case):
    cases = {
        "int_div_int": (lambda L: L.tensor([1, 2]) / L.tensor([2, 2]), "float32", [0.5, 1.0]),
        "int_times_float": (lambda L: L.tensor([1, 2]) * 2.5, "float32", [2.5, 5.0]),
        "int_plus_float_0d": (lambda L: L.tensor([1, 2]) + L.tensor(0.5), "float32", [1.5, 2.5]),
        "uint8_plus_int8": (lambda L: L.tensor([200], dtype=L.uint8) + L.tensor([-100], dtype=L.int8),
                            "int16", [100]),
        "bool_plus_bool": (lambda L: L.tensor([True, False]) + L.tensor([True, True]), "bool",
                           [True, True]),
        "float16_times_float": (lambda L: L.tensor([1.5], dtype=L.float16) * 2.0, "float16", [3.0]),
        "int32_plus_int64_0d": (lambda L: L.tensor([1], dtype=L.int32) + L.tensor(2), "int32", [3]),
        "float32_plus_float64_0d": (lambda L: L.tensor([1.0]) + L.tensor(2.0, dtype=L.float64),
                                    "float32", [3.0]),
        "int_plus_float64_0d": (lambda L: L.tensor([1]) + L.tensor(0.5, dtype=L.float64),
                                "float64", [1.5]),
    }
    fn, dtype, expected = cases[case]
    for lib in (minitorch, torch):
        r = fn(lib)
        assert name(r.dtype) == dtype and r.tolist() == expected


def test_int_division_follows_default_dtype():
    previous = minitorch.get_default_dtype()
    try:
        minitorch.set_default_dtype(minitorch.float64)
        assert (minitorch.tensor([1, 2]) / 2).dtype is minitorch.float64
        assert minitorch.result_type(minitorch.tensor([1]), 1.5) is minitorch.float64
        assert minitorch.result_type(minitorch.tensor([1.0], dtype=minitorch.float32), 1.5) is minitorch.float32
    finally:
        minitorch.set_default_dtype(previous)


def test_result_type_three_operands():
    t = minitorch.tensor
    assert minitorch.result_type(t([1], dtype=minitorch.int8), t(1, dtype=minitorch.int64), 2) is minitorch.int8
    assert minitorch.result_type(t([1], dtype=minitorch.int8), t(1.0, dtype=minitorch.float16), 2.5) \
        is minitorch.float16
    assert minitorch.result_type(t([True]), t(1, dtype=minitorch.int16), 2.5) is minitorch.float32
    assert minitorch.result_type(t([True]), t(1, dtype=minitorch.uint8), 2) is minitorch.uint8
    assert minitorch.result_type(t(1, dtype=minitorch.int16), t(1, dtype=minitorch.int32), True) \
        is minitorch.int32
