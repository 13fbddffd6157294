"""Tensor reprs compared with PyTorch's text, character for character.

The expected text is ``repr(torch_tensor)`` with "torch." replaced by "minitorch.". One
deliberate difference: ``dtype=minitorch.float16`` is four characters longer than
``dtype=torch.float16``, so where PyTorch's suffix just fits on the last line ours may move
to a new line; ``same_text`` forgives exactly that (and only for dtype=/size= suffixes).
Suffixes without a dtype name (requires_grad=, grad_fn=) are compared strictly.
"""
import re

import numpy as np
import pytest
import torch

import minitorch


@pytest.fixture(autouse=True)
def reset_print_options():
    yield
    minitorch.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def expected(t: torch.Tensor) -> str:
    return repr(t).replace("torch.", "minitorch.")


def _unwrap_suffixes(text: str) -> str:
    return re.sub(r",\n *(dtype=|size=)", r", \1", text)


def same_text(m: str, t: str) -> bool:
    return m == t or _unwrap_suffixes(m) == _unwrap_suffixes(t)


def both(array: np.ndarray):
    return minitorch.from_numpy(array.copy()), torch.from_numpy(array.copy())


SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 4), (0,), (2, 0), (0, 3), (2, 0, 3), (1200,), (40, 40),
          (5, 300), (3, 400, 2), (12,), (30,), (2, 1, 2, 2)]
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool", "int16"]
KINDS = ["normal", "whole", "large", "tiny", "nan_inf", "mixed_magnitudes", "negative_whole"]


def sample(shape, dtype, kind, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "normal":
        a = rng.standard_normal(shape)
    elif kind == "whole":
        a = np.round(rng.standard_normal(shape) * 10)
    elif kind == "large":
        a = rng.standard_normal(shape) * 1e6
    elif kind == "tiny":
        a = rng.standard_normal(shape) * 1e-6
    elif kind == "nan_inf":
        a = np.asarray(rng.standard_normal(shape) * 100)
        if a.size > 2:
            a.ravel()[0], a.ravel()[1], a.ravel()[-1] = np.nan, np.inf, -np.inf
    elif kind == "mixed_magnitudes":
        a = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 9, size=shape)
    else:
        a = -np.abs(np.round(rng.standard_normal(shape) * 1000))
    a = np.asarray(a)
    if dtype == "bool":
        return np.asarray(a > 0)
    if dtype.startswith(("int", "uint")):
        a = np.nan_to_num(a, nan=0, posinf=1, neginf=-1).clip(-100, 100)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(np.asarray(a).astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", KINDS)
def test_repr_matches_torch(dtype, kind):
    failures = []
    for shape in SHAPES:
        m, t = both(sample(shape, dtype, kind))
        if not same_text(repr(m), expected(t)):
            failures.append(f"{shape}:\n{repr(m)}\n--- PyTorch:\n{expected(t)}")
    assert not failures, "\n\n".join(failures[:3])


SPECIAL = {
    "zero_dim_float": np.array(1.5, dtype=np.float32),
    "zero_dim_whole": np.array(3.0, dtype=np.float32),
    "negative_zero": np.array(-0.0, dtype=np.float32),
    "zeros_and_negative_zero": np.array([-0.0, 0.0], dtype=np.float32),
    "negative_zero_and_value": np.array([-0.0, 1.5], dtype=np.float32),
    "tiny_and_zero": np.array([1e-5, 0.0], dtype=np.float32),
    "all_nan": np.array([np.nan, np.nan], dtype=np.float32),
    "only_inf": np.array([np.inf, -np.inf], dtype=np.float32),
    "whole_with_nan": np.array([1.0, np.nan, 2.0], dtype=np.float32),
    "sci_threshold_1e8": np.array([1e8, 1.0], dtype=np.float64),
    "just_below_1e8": np.array([9e7, 1.0], dtype=np.float64),
    "ratio_1000": np.array([1000.0, 1.0], dtype=np.float64),
    "ratio_above_1000": np.array([1001.5, 1.0], dtype=np.float64),
    "min_1e-4": np.array([1e-4, 0.5], dtype=np.float64),
    "below_1e-4": np.array([9e-5, 0.5], dtype=np.float64),
    "huge_whole": np.array([1e20, 3.0], dtype=np.float64),
    "float64_precision": np.array([1 / 3, 2 / 3], dtype=np.float64),
    "int64_extremes": np.array([-2 ** 63, 2 ** 63 - 1], dtype=np.int64),
    "uint8_full": np.arange(256, dtype=np.uint8).reshape(16, 16),
    "wide_ints_wrap": np.arange(0, 10 ** 9, 10 ** 7, dtype=np.int64),
    "wide_floats_wrap": np.linspace(-1000, 1000, 50).astype(np.float32),
    "exactly_threshold": np.arange(1000, dtype=np.float32),
    "above_threshold": np.arange(1001, dtype=np.float32),
    "summarised_3d": np.arange(2 * 600 * 3, dtype=np.int64).reshape(2, 600, 3),
    "summarised_both_dims": np.arange(100 * 100, dtype=np.float32).reshape(100, 100) / 7,
    "summarised_4d": np.ones((8, 8, 8, 8), dtype=np.float32),
    "summarised_bool": np.arange(3000) % 3 == 0,
    "float16_values": np.array([0.1, 1000.0, -2.5], dtype=np.float16),
    "row_vector": np.arange(90, dtype=np.float32).reshape(1, 90) / 3,
    "column_vector": np.arange(5, dtype=np.int32).reshape(5, 1),
    "empty_float64": np.zeros((0,), dtype=np.float64),
    "empty_bool": np.zeros((0,), dtype=bool),
    "empty_int_2d": np.zeros((0, 2), dtype=np.int64),
    "empty_3d": np.zeros((1, 0, 2), dtype=np.float32),
}


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_special_values(name):
    m, t = both(SPECIAL[name])
    assert same_text(repr(m), expected(t)), f"\n{repr(m)}\n--- PyTorch:\n{expected(t)}"


def test_non_contiguous_views_print_like_torch():
    base = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4
    for view in (lambda x: x.permute(2, 0, 1), lambda x: x.transpose(0, 1), lambda x: x[:, 1],
                 lambda x: x[..., ::2] if hasattr(x, "numpy") and isinstance(x, torch.Tensor) else x[..., ::2]):
        m, t = both(base)
        assert repr(view(m)) == expected(view(t))


OPTIONS = [
    dict(precision=2), dict(precision=8), dict(precision=0), dict(threshold=5),
    dict(threshold=5, edgeitems=1), dict(threshold=5, edgeitems=0), dict(edgeitems=5, threshold=10),
    dict(linewidth=40), dict(linewidth=200), dict(linewidth=10), dict(sci_mode=True),
    dict(sci_mode=False), dict(profile="short"), dict(profile="full"),
    dict(profile="short", precision=5), dict(precision=3, sci_mode=True, linewidth=60),
]

OPTION_SAMPLES = [
    np.array(0.123456789, dtype=np.float32),
    np.array([1.5, -2.25, 1e-3], dtype=np.float32),
    np.array([1e-7, 1.0, 12345.678], dtype=np.float64),
    np.array([1.0, 2.0, 300.0], dtype=np.float32),
    np.arange(12, dtype=np.int64).reshape(3, 4),
    np.arange(30, dtype=np.float32) / 7,
    np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 1.5,
    np.arange(2000, dtype=np.float32).reshape(40, 50),
    np.array([True, False, True, True, False, True]),
    np.array([np.nan, 1.25, np.inf], dtype=np.float32),
    np.zeros((0, 3), dtype=np.float32),
]


@pytest.mark.parametrize("index", range(len(OPTIONS)))
def test_set_printoptions_matches_torch(index):
    options = OPTIONS[index]
    minitorch.set_printoptions(**options)
    torch.set_printoptions(**options)
    for array in OPTION_SAMPLES:
        m, t = both(array)
        assert same_text(repr(m), expected(t)), f"{options}\n{repr(m)}\n--- PyTorch:\n{expected(t)}"


def test_sci_mode_is_reset_by_calls_that_omit_it():
    minitorch.set_printoptions(sci_mode=True)
    minitorch.set_printoptions(precision=4)
    assert repr(minitorch.tensor([1.5])) == "tensor([1.5000])"


def test_requires_grad_and_grad_fn_suffixes():
    for lib in (minitorch, torch):
        lib.manual_seed(0)
    cases = [
        lambda L: L.ones(3, requires_grad=True),
        lambda L: L.ones(3, requires_grad=True) * 2,
        lambda L: (L.ones(3, requires_grad=True) * 2)[1],
        lambda L: L.tensor(2.5, requires_grad=True),
        lambda L: L.ones(3, dtype=L.float64, requires_grad=True),
        lambda L: L.ones(2, 38, requires_grad=True) / 3,          # suffix on a new line
        lambda L: L.arange(17.0, requires_grad=True) / 3,          # last line nearly full
        lambda L: L.arange(16.0, requires_grad=True) * 1.0001,
        lambda L: L.ones(0, requires_grad=True),
        lambda L: L.zeros(2, 2, requires_grad=True).exp(),
        lambda L: L.ones(2, requires_grad=True).detach(),
    ]
    for fn in cases:
        m, t = fn(minitorch), fn(torch)
        assert repr(m) == expected(t), f"\n{repr(m)}\n--- PyTorch:\n{expected(t)}"


def test_suffix_wrapping_with_linewidth():
    for width in (20, 30, 45, 80):
        minitorch.set_printoptions(linewidth=width)
        torch.set_printoptions(linewidth=width)
        for n in (3, 7, 11):
            m = minitorch.arange(float(n), requires_grad=True) * 1.5
            t = torch.arange(float(n), requires_grad=True) * 1.5
            assert repr(m) == expected(t), f"\n{repr(m)}\n--- PyTorch:\n{expected(t)}"


@pytest.mark.parametrize("default", ["float64", "float16"])
def test_default_dtype_changes_which_dtype_is_shown(default):
    previous_m, previous_t = minitorch.get_default_dtype(), torch.get_default_dtype()
    try:
        minitorch.set_default_dtype(getattr(minitorch, default))
        torch.set_default_dtype(getattr(torch, default))
        for fn in (lambda L: L.tensor([1.5]), lambda L: L.tensor([1.5], dtype=L.float32),
                   lambda L: L.tensor([], dtype=L.float32), lambda L: L.tensor([]),
                   lambda L: L.tensor([1, 2]), lambda L: L.tensor([], dtype=L.int64)):
            assert same_text(repr(fn(minitorch)), expected(fn(torch)))
    finally:
        minitorch.set_default_dtype(previous_m)
        torch.set_default_dtype(previous_t)


def test_str_and_format():
    x = minitorch.tensor([1.0, 2.0])
    assert str(x) == repr(x) == "tensor([1., 2.])"
    assert f"{minitorch.tensor(2.0):.2f}" == "2.00"
    assert f"{x}" == "tensor([1., 2.])"


def test_printing_does_not_change_the_tensor():
    x = minitorch.arange(2000.0).reshape(40, 50) / 3
    before = x.numpy().copy()
    repr(x)
    np.testing.assert_array_equal(x.numpy(), before)
