"""The argument-type checks of public functions (minitorch/runtime/argument_types.py) against
PyTorch's argument parser, and the generated quick test (minitorch/fast/argument_checks.py)
against the precise check it stands in front of.

Each kind of annotation is driven with the same values in PyTorch and in minitorch, through a
function PyTorch declares with that type: where PyTorch raises a TypeError, minitorch does,
and where PyTorch takes the value (and computes, or fails for another reason), minitorch's
check lets it through.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from tests.outcome_oracle import same_outcome

needs_fast = pytest.mark.skipif(
    minitorch.REFERENCE_MODE, reason="the generated quick test is minitorch/fast's")


def candidate_values(lib) -> dict:
    """Arguments of every Python, NumPy and tensor type a learner might pass."""
    return {
        "int": 1, "negative int": -1, "bool": True, "float": 1.0, "numpy int": np.int64(1),
        "numpy float": np.float32(1.0), "numpy bool": np.bool_(True),
        "0-d int tensor": lib.tensor(1), "0-d float tensor": lib.tensor(1.0),
        "0-d bool tensor": lib.tensor(True), "1-d int tensor": lib.tensor([1]),
        "1-d float tensor": lib.tensor([1.0]), "2-d tensor": lib.ones(2, 3),
        "list of ints": [1], "tuple of ints": (1,), "empty tuple": (), "list of floats": [1.0],
        "list of tensors": [lib.tensor(1)], "Size": lib.Size([1]), "None": None, "str": "a",
        "dtype": lib.float64, "object": object(),
    }


def _x(lib):
    return lib.ones(2, 3)


# (what PyTorch declares, a call that passes the value there)
DECLARED = {
    "Tensor": lambda lib, v: lib.exp(v),
    "Tensor (second)": lambda lib, v: lib.isclose(_x(lib), v),
    "int": lambda lib, v: _x(lib).transpose(0, v),
    "int (method, keyword)": lambda lib, v: _x(lib).unsqueeze(dim=v),
    "int[1]? dim": lambda lib, v: _x(lib).sum(v),
    "int[1]? dim (keyword)": lambda lib, v: lib.mean(_x(lib), dim=v),
    "int? dim, no None": lambda lib, v: _x(lib).max(v),
    "int[] (no single int)": lambda lib, v: lib.nn.functional.layer_norm(lib.ones(2, 1), v),
    "int[] size (varargs)": lambda lib, v: lib.ones(1).view(v),
    "bool": lambda lib, v: _x(lib).sum(1, keepdim=v),
    "float": lambda lib, v: lib.nn.functional.elu(_x(lib), v),
    "Scalar": lambda lib, v: lib.full_like(_x(lib), v),
    "dtype": lambda lib, v: _x(lib).sum(dtype=v),
    "str": lambda lib, v: lib.div(_x(lib), 2.0, rounding_mode=v),
}


def _raises_type_error(call) -> bool:
    try:
        call()
    except TypeError:
        return True
    except Exception:  # noqa: BLE001 - any other outcome: the value passed the type check
        return False
    return False


@pytest.mark.parametrize("declared", DECLARED)
def test_each_kind_takes_what_pytorchs_parser_takes(declared):
    call = DECLARED[declared]
    theirs, mine = candidate_values(torch), candidate_values(minitorch)
    differ = [name for name in theirs
              if _raises_type_error(lambda: call(torch, theirs[name]))
              != _raises_type_error(lambda: call(minitorch, mine[name]))]
    assert not differ, f"{declared}: TypeError in one library only for {differ}"


MESSAGE_CASES = {
    "str for a tensor": lambda lib: lib.exp("a"),
    "None for a tensor": lambda lib: lib.exp(None),
    "float for an int, method": lambda lib: _x(lib).transpose(0, 1.5),
    "float for an int": lambda lib: lib.transpose(_x(lib), 0, 1.5),
    "int for a bool, keyword": lambda lib: lib.sum(_x(lib), dim=[0], keepdim=1),
    "str for a tuple of ints": lambda lib: lib.permute(_x(lib), "a"),
    "tensor for a tuple of ints": lambda lib: _x(lib).amax(lib.zeros(0)),
    "str for a weight": lambda lib: lib.nn.functional.linear(_x(lib), "a"),
}


@pytest.mark.parametrize("case", MESSAGE_CASES)
def test_messages_are_pytorchs(case):
    with pytest.raises(TypeError) as theirs:
        MESSAGE_CASES[case](torch)
    with pytest.raises(TypeError) as mine:
        MESSAGE_CASES[case](minitorch)
    assert str(mine.value) == str(theirs.value)


def _guarded_functions() -> list:
    owners = [minitorch, minitorch.nn.functional, minitorch.Tensor]
    found = []
    for owner in owners:
        for name, value in sorted(vars(owner).items()):
            types = getattr(value, "argument_types", None) if callable(value) else None
            if types is not None:
                types.accepts((), {"__never_a_parameter__": None})  # reads the annotations
                found.append((f"{getattr(owner, '__name__', owner)}.{name}", types))
    return found


def _argument_forms(types, values) -> list:
    """(args, kwargs) pairs: each value at each annotated position, by position and by name."""
    x = minitorch.ones(2, 3)
    forms = []
    for index, parameter, _kind, _default in types.checks:
        for value in values:
            if index is not None:
                forms.append(((x, 1, 1, 1)[:index] + (value,), {}))
            forms.append(((x,) if index != 0 else (), {parameter: value}))
    if types.rest is not None:
        start = types.rest[0]
        forms += [((x,) * start + (value,) * count, {}) for value in values for count in (1, 2, 3)]
    return forms


@needs_fast
def test_the_quick_test_is_sure_only_where_parse_changes_nothing():
    values = list(candidate_values(minitorch).values())
    checked = 0
    for name, types in _guarded_functions():
        for args, kwargs in _argument_forms(types, values):
            try:
                parsed = types.parse(args, kwargs)
            except TypeError:
                parsed = None
            if types.accepts(args, kwargs):  # then parse must pass every argument unchanged
                assert parsed is not None and all(
                    a is b for a, b in zip((*parsed[0], *parsed[1].values()),
                                           (*args, *kwargs.values()))), (name, args, kwargs)
            checked += 1
    assert checked > 10_000


@needs_fast
def test_the_usual_calls_take_the_quick_path():
    """The generated test answers True (no precise check) for ordinary calls."""
    x, w, b = minitorch.ones(4, 3), minitorch.ones(2, 3), minitorch.ones(2)
    usual = [(minitorch.Tensor.sum, (x, 1), {}), (minitorch.Tensor.sum, (x,), {"dim": 1, "keepdim": True}),
             (minitorch.nn.functional.linear, (x, w, b), {}), (minitorch.Tensor.view, (x, 3, 4), {}),
             (minitorch.Tensor.transpose, (x, 0, 1), {}), (minitorch.softmax, (x, -1), {}),
             (minitorch.nn.functional.relu, (x,), {}), (minitorch.Tensor.mean, (x,), {})]
    for function, args, kwargs in usual:
        function(*args, **kwargs)
        types = function.argument_types
        assert types.accepts(args, kwargs), types.accepts.source


# sizes: a method takes them one by one or as one tuple; a function takes one tuple
SIZE_CALLS = {
    "x.view()": lambda lib: _x(lib).view(),
    "x.view(3, 2)": lambda lib: _x(lib).view(3, 2),
    "x.view((3, 2))": lambda lib: _x(lib).view((3, 2)),
    "x.view(size=(3, 2))": lambda lib: _x(lib).view(size=(3, 2)),
    "reshape(x, (3, 2))": lambda lib: lib.reshape(_x(lib), (3, 2)),
    "reshape(x, 3, 2)": lambda lib: lib.reshape(_x(lib), 3, 2),
    "reshape(x, 6)": lambda lib: lib.reshape(_x(lib), 6),
    "x.permute(1, 0)": lambda lib: _x(lib).permute(1, 0),
    "permute(x, 1, 0)": lambda lib: lib.permute(_x(lib), 1, 0),
    "x.tile(2)": lambda lib: _x(lib).tile(2),
    "tile(x, 2)": lambda lib: lib.tile(_x(lib), 2),
    "x.split_with_sizes(2)": lambda lib: _x(lib).split_with_sizes(2),
    "x.flip()": lambda lib: _x(lib).flip(),
    "x.sum(tensor([1]))": lambda lib: _x(lib).sum(lib.tensor([1])),
    "x.transpose(tensor(0), 1)": lambda lib: _x(lib).transpose(lib.tensor(0), 1),
    "x.max(None)": lambda lib: _x(lib).max(None),
    "x.sum(None)": lambda lib: _x(lib).sum(None),
}


@pytest.mark.parametrize("call", SIZE_CALLS)
def test_sizes_and_optional_dims_as_pytorch_takes_them(call):
    same_outcome(SIZE_CALLS[call])
