"""Pointwise ops (unary math, arithmetic, maximum/minimum, clamp, lerp, addcmul...) against
PyTorch: values and gradients, float32 and float64, broadcasting, non-contiguous inputs,
edge shapes, central differences and second derivatives."""
import numpy as np
import pytest
import torch

import minitorch
from oracle import check, check_gradcheck

# name, (low, high) input range (None: standard normal), whether the op has a useful gradient
UNARY = [
    ("abs", None), ("neg", None), ("sign", None), ("exp", None), ("expm1", None),
    ("log", (0.1, 3.0)), ("log2", (0.1, 3.0)), ("log10", (0.1, 3.0)), ("log1p", (-0.5, 3.0)),
    ("sqrt", (0.1, 3.0)), ("rsqrt", (0.1, 3.0)), ("square", None), ("reciprocal", (0.5, 3.0)),
    ("sin", None), ("cos", None), ("tan", (-1.2, 1.2)), ("atan", None), ("sinh", None),
    ("cosh", None), ("tanh", None), ("sigmoid", None), ("relu", None), ("erf", None),
    ("floor", None), ("ceil", None), ("round", None), ("trunc", None), ("frac", None),
]
SMOOTH = [name for name, _ in UNARY
          if name not in ("abs", "sign", "relu", "floor", "ceil", "round", "trunc", "frac")]


def _range(bounds):
    return {} if bounds is None else dict(low=bounds[0], high=bounds[1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,bounds", UNARY)
def test_unary_function_and_method(name, bounds, dtype):
    check(lambda lib, x: getattr(lib, name)(x), [(3, 4)], dtype=dtype, **_range(bounds))
    check(lambda lib, x: getattr(x, name)(), [(2, 3, 2)], dtype=dtype, permuted=True,
          **_range(bounds))


@pytest.mark.parametrize("name,bounds", UNARY)
@pytest.mark.parametrize("shape", [(0, 3), (), (1, 1)])
def test_unary_edge_shapes(name, bounds, shape):
    check(lambda lib, x: getattr(lib, name)(x), [shape], **_range(bounds))


@pytest.mark.parametrize("name", SMOOTH)
def test_unary_central_differences(name):
    bounds = dict(UNARY)[name]
    check_gradcheck(lambda lib, x: getattr(lib, name)(x), [(2, 3)], **_range(bounds))


@pytest.mark.parametrize("name", ["exp", "log", "sigmoid", "tanh", "sqrt", "erf", "sin",
                                  "reciprocal", "rsqrt", "expm1", "log1p", "atan", "tan"])
def test_unary_second_order(name):
    bounds = dict(UNARY)[name]
    check(lambda lib, x: getattr(lib, name)(x), [(3, 4)], dtype="float64", second_order=True,
          **_range(bounds))


def test_kinks_follow_pytorch():
    """abs, relu, sign at 0; rounding at halves (half to even); erf in its tails."""
    values = np.array([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 3.7], dtype=np.float32)
    for name in ("abs", "relu", "sign", "round", "floor", "ceil", "trunc", "frac"):
        check(lambda lib, x: getattr(lib, name)(x), [values])
    special = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0], dtype=np.float32)
    for name in ("sign", "abs", "floor", "round", "frac", "relu", "sigmoid", "erf", "tanh",
                 "expm1", "trunc", "rsqrt", "reciprocal"):
        check(lambda lib, x: getattr(lib, name)(x), [special], grad=False)
    tails = np.array([-9.0, -5.0, -4.0, -3.9, -0.5, -0.49, 0.0, 0.49, 0.51, 3.99, 4.01, 6.0, 27.0])
    check(lambda lib, x: lib.erf(x), [tails], dtype="float64")


def test_erf_fallback_matches_pytorch():
    """The rational approximation used when SciPy is absent is accurate in float64 and float32."""
    from minitorch.ops.unary import _erf_array, _scipy_erf
    x = np.linspace(-7, 7, 20001)
    _scipy_erf.cache_clear()
    try:
        import unittest.mock as mock
        with mock.patch("minitorch.ops.unary._scipy_erf", return_value=None):
            ours64 = _erf_array(x)
            ours32 = _erf_array(x.astype(np.float32))
    finally:
        _scipy_erf.cache_clear()
    np.testing.assert_allclose(ours64, torch.erf(torch.tensor(x)).numpy(), rtol=1e-14, atol=1e-15)
    assert ours32.dtype == np.float32
    np.testing.assert_allclose(ours32, torch.erf(torch.tensor(x, dtype=torch.float32)).numpy(),
                               rtol=1e-6, atol=1e-7)
    assert np.isnan(_erf_array(np.array([np.nan]))).all()


@pytest.mark.parametrize("decimals", [1, 2, -1, 3])
def test_round_decimals(decimals):
    values = np.array([1.2345, -2.5551, 123.456, 0.05, 15.0, -35.0], dtype=np.float64)
    check(lambda lib, x: lib.round(x, decimals=decimals), [values], dtype="float64")
    check(lambda lib, x: x.round(decimals=decimals), [values.astype(np.float32)])


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "sigmoid", "tanh", "erf",
                                  "reciprocal", "rsqrt", "atan", "log2"])
def test_float_functions_of_integers_give_the_default_dtype(name):
    ints = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int64)
    check(lambda lib, x: getattr(lib, name)(x), [ints])
    check(lambda lib, x: getattr(lib, name)(x), [ints.astype(np.int32)])
    check(lambda lib, x: getattr(lib, name)(x), [np.array([True, False])])


@pytest.mark.parametrize("name", ["abs", "neg", "sign", "square", "relu", "floor", "ceil",
                                  "round", "trunc"])
def test_integer_preserving_functions(name):
    ints = np.array([[-3, 0, 2], [7, -1, 5]], dtype=np.int64)
    out = check(lambda lib, x: getattr(lib, name)(x), [ints])
    assert out[0].dtype == minitorch.int64


def test_dtype_errors():
    with pytest.raises(RuntimeError, match="Negation"):
        -minitorch.tensor([True, False])
    with pytest.raises(NotImplementedError, match="abs"):
        minitorch.tensor([True]).abs()
    with pytest.raises(NotImplementedError, match="frac"):
        minitorch.tensor([1, 2]).frac()
    with pytest.raises(RuntimeError, match="can't be cast"):
        minitorch.tensor([1, 2]).exp_()


# --- binary arithmetic ---------------------------------------------------------------------

BROADCAST = [[(3, 4), (3, 4)], [(2, 3, 4), (4,)], [(3, 1), (1, 4)], [(4,), (2, 1, 4)], [(), (2, 3)]]

BINARY = {
    "add": lambda lib, a, b: lib.add(a, b, alpha=2),
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "pow": lambda lib, a, b: lib.pow(a.abs() + 0.5, b),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "max_binary": lambda lib, a, b: lib.max(a, b),
    "atan2": lambda lib, a, b: lib.atan2(a, b),
    "fmod": lambda lib, a, b: lib.fmod(a, b),
    "remainder": lambda lib, a, b: a % b,
    "lerp_scalar": lambda lib, a, b: lib.lerp(a, b, 0.3),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", BROADCAST)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcast(name, shapes, dtype):
    check(BINARY[name], shapes, dtype=dtype)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_permuted_and_gradcheck(name):
    check(BINARY[name], [(2, 3, 4), (2, 3, 4)], permuted=True)
    check_gradcheck(BINARY[name], [(2, 3), (3,)])


@pytest.mark.parametrize("name", ["pow", "maximum", "atan2", "div", "lerp_scalar"])
def test_binary_second_order(name):
    check(BINARY[name], [(3, 4), (4,)], dtype="float64", second_order=True)


def test_binary_empty_and_size_one():
    for name in ("maximum", "atan2", "fmod", "remainder"):
        check(BINARY[name], [(0, 3), (1, 3)])
        check(BINARY[name], [(1, 1), (2, 1)])


def test_maximum_minimum_ties_split_the_gradient():
    """PyTorch gives each side half of the gradient where the operands are equal."""
    a = np.array([1.0, 2.0, 3.0, -1.0], dtype=np.float32)
    b = np.array([1.0, 5.0, 3.0, -4.0], dtype=np.float32)
    for name in ("maximum", "minimum"):
        check(lambda lib, x, y: getattr(lib, name)(x, y), [a, b])
        check(lambda lib, x, y: getattr(lib, name)(x, y), [a, b], dtype="float64", second_order=True)
    x = minitorch.tensor(a, requires_grad=True)
    minitorch.maximum(x, minitorch.tensor(b)).sum().backward()
    assert x.grad.tolist() == [0.5, 0.0, 0.5, 1.0]
    nan = np.array([np.nan, 1.0], dtype=np.float32)
    check(lambda lib, x, y: lib.maximum(x, y), [nan, np.array([2.0, np.nan], dtype=np.float32)],
          grad=False)


def test_rounding_divisions():
    a = np.array([[7.0, -7.0, 7.5, -7.5], [0.5, -0.5, 3.0, -3.0]], dtype=np.float32)
    b = np.array([2.0, 2.0, -2.0, 0.75], dtype=np.float32)
    check(lambda lib, x, y: x // y, [a, b], requires_grad=[False, False])
    check(lambda lib, x, y: lib.floor_divide(x, y), [a, b], requires_grad=[False, False])
    check(lambda lib, x, y: 5.0 // y, [a, b], requires_grad=[False, False])
    check(lambda lib, x, y: 5.0 % y, [a, b], requires_grad=[False, False])  # PyTorch: no derivative
    check(lambda lib, x, y: x % 1.5, [a, b])
    check(lambda lib, x, y: lib.fmod(x, -1.5), [a, b])
    for mode in ("floor", "trunc"):
        check(lambda lib, x, y: lib.div(x, y, rounding_mode=mode), [a, b])
    ia = np.array([7, -7, 8, -9, 0], dtype=np.int64)
    ib = np.array([2, 2, -3, -4, 5], dtype=np.int64)
    for fn in (lambda lib, x, y: x // y, lambda lib, x, y: x % y, lambda lib, x, y: lib.fmod(x, y),
               lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"),
               lambda lib, x, y: lib.div(x, y, rounding_mode="floor"),
               lambda lib, x, y: lib.remainder(x, 3), lambda lib, x, y: 10 // y):
        check(fn, [ia, ib])


def test_floor_divide_has_no_derivative():
    x = minitorch.tensor([3.0, 4.0], requires_grad=True)
    y = x // 2
    assert y.requires_grad
    with pytest.raises(RuntimeError, match="floor_divide"):
        y.sum().backward()


def test_binary_argument_errors():
    x = minitorch.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="maximum"):
        minitorch.maximum(x, 1.0)
    with pytest.raises(RuntimeError, match="expected dtype"):
        minitorch.lerp(x, x.double(), 0.5)
    with pytest.raises(RuntimeError, match="Integer division"):
        minitorch.addcdiv(minitorch.tensor([1]), minitorch.tensor([1]), minitorch.tensor([2]))
    with pytest.raises(RuntimeError, match="rounding_mode"):
        minitorch.div(x, x, rounding_mode="round")


# --- lerp, addcmul, addcdiv -----------------------------------------------------------------

TERNARY = {
    "lerp": lambda lib, a, b, w: lib.lerp(a, b, w),
    "addcmul": lambda lib, a, b, c: lib.addcmul(a, b, c, value=0.5),
    "addcmul_default": lambda lib, a, b, c: a.addcmul(b, c),
    "addcdiv": lambda lib, a, b, c: lib.addcdiv(a, b, c.abs() + 0.5, value=-2),
    "clamp_tensor": lambda lib, a, lo, hi: lib.clamp(a, lo, hi),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(TERNARY))
def test_ternary(name, dtype):
    check(TERNARY[name], [(3, 4), (3, 4), (3, 4)], dtype=dtype)
    check(TERNARY[name], [(2, 3, 4), (4,), (3, 1)], dtype=dtype)
    check(TERNARY[name], [(2, 3, 4), (2, 3, 4), (2, 3, 4)], dtype=dtype, permuted=True)


@pytest.mark.parametrize("name", sorted(TERNARY))
def test_ternary_gradcheck(name):
    check_gradcheck(TERNARY[name], [(2, 3), (3,), (2, 1)])


def test_ternary_second_order():
    for name in ("lerp", "addcmul", "addcdiv"):
        check(TERNARY[name], [(3, 4), (4,), (3, 1)], dtype="float64", second_order=True)


def test_addcmul_dtype_promotion():
    check(lambda lib, a, b, c: lib.addcmul(a, b, c, value=2),
          [np.array([1, 2]), np.array([3, 4]), np.array([1.5, 2.5], dtype=np.float32)])


# --- clamp --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (None, 0.3), (-0.2, None), (0.5, -0.5)])
def test_clamp_numbers(bounds, dtype):
    lo, hi = bounds
    check(lambda lib, x: lib.clamp(x, lo, hi), [(4, 5)], dtype=dtype)
    check(lambda lib, x: x.clip(min=lo, max=hi), [(2, 3, 4)], dtype=dtype, permuted=True)


def test_clamp_gradient_at_the_bounds():
    """The gradient passes where min <= x <= max, bounds included (PyTorch's convention)."""
    values = np.array([-1.0, -0.5, 0.0, 0.5, 1.0], dtype=np.float32)
    check(lambda lib, x: lib.clamp(x, -0.5, 0.5), [values])
    check(lambda lib, x: lib.clamp(x, min=-0.5), [values])
    check(lambda lib, x: lib.clamp(x, max=0.5), [values])
    check(lambda lib, x: lib.clamp_min(x, 0.0), [values])
    check(lambda lib, x: x.clamp_max(0.0), [values])
    lo = np.array([-0.5, -0.5, 0.0, 1.0, 0.0], dtype=np.float32)
    hi = np.array([0.5, 0.5, 0.0, 0.5, 1.0], dtype=np.float32)
    check(lambda lib, x, a, b: lib.clamp(x, a, b), [values, lo, hi])
    check(lambda lib, x, a: lib.clamp(x, min=a), [values, lo])
    check(lambda lib, x, b: lib.clamp(x, max=b), [values, hi])


def test_clamp_dtypes_and_errors():
    ints = np.array([3, -1, 2])
    check(lambda lib, x: lib.clamp(x, 0, 1), [ints])
    check(lambda lib, x: lib.clamp(x, 0, 1.5), [ints])
    with pytest.raises(RuntimeError, match="At least one"):
        minitorch.clamp(minitorch.tensor([1.0]))
    with pytest.raises(TypeError):
        minitorch.clamp(minitorch.tensor([1.0]), minitorch.tensor([0.0]), 1.0)


def test_clamp_gradcheck():
    check_gradcheck(lambda lib, x: lib.clamp(x, -0.5, 0.5), [(3, 4)])
    check_gradcheck(lambda lib, x, a, b: lib.clamp(x, a, b - 0.3), [(3, 4), (4,), (3, 1)])


# --- in-place variants -------------------------------------------------------------------------

INPLACE = [
    ("abs_", (), None), ("neg_", (), None), ("exp_", (), None), ("log_", (), (0.5, 2.0)),
    ("sqrt_", (), (0.5, 2.0)), ("sigmoid_", (), None), ("tanh_", (), None), ("relu_", (), None),
    ("floor_", (), None), ("ceil_", (), None), ("round_", (), None), ("trunc_", (), None),
    ("sin_", (), None), ("cos_", (), None), ("reciprocal_", (), (0.5, 2.0)), ("square_", (), None),
    ("rsqrt_", (), (0.5, 2.0)), ("expm1_", (), None), ("log1p_", (), (0.5, 2.0)), ("erf_", (), None),
    ("frac_", (), None), ("sign_", (), None), ("clamp_", (-0.3, 0.4), None),
    ("clip_", (-0.3, 0.4), None), ("clamp_min_", (0.1,), None), ("clamp_max_", (0.1,), None),
]


@pytest.mark.parametrize("name,args,bounds", INPLACE)
def test_inplace_matches_pytorch_and_records_history(name, args, bounds):
    def fn(lib, x):
        y = x * 1.5  # a non-leaf, so the in-place op is recorded
        out = getattr(y, name)(*args)
        assert out is y
        return y * 2
    check(fn, [(3, 4)], **_range(bounds))
    check(fn, [(3, 4)], dtype="float64", permuted=True, **_range(bounds))


def test_inplace_binary_and_ternary():
    def fn(lib, a, b, c):
        y = a * 1.0
        y.addcmul_(b, c, value=0.5).addcdiv_(b, c.abs() + 1.0, value=2).lerp_(b, 0.25)
        y.lerp_(c, lib.sigmoid(b))
        y.clamp_(min=lib.zeros_like(b) - 0.5, max=b + 0.5)
        y.fmod_(1.5)
        return y.remainder_(0.8)
    check(fn, [(3, 4), (3, 4), (3, 4)])
    check(fn, [(3, 4), (3, 4), (3, 4)], dtype="float64")


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    x = minitorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.exp_()
    with minitorch.no_grad():
        x.addcmul_(x, x, value=2)
    assert x.tolist() == [3.0, 3.0, 3.0]


def test_operators_and_reflected_forms():
    check(lambda lib, a, b: abs(a) + (-b) + 2 ** a.sigmoid() + 1 / (b.abs() + 1) - b % 0.7,
          [(3, 4), (4,)])
    ints = np.array([5, -3, 8])
    check(lambda lib, a: (a // 2, a % 3, 17 // a, 17 % a, abs(a)), [ints])


def test_node_names_match_pytorch():
    x = minitorch.tensor([0.5, 2.0], requires_grad=True)
    tx = torch.tensor([0.5, 2.0], requires_grad=True)
    for fn in (lambda l, v: l.exp(v), lambda l, v: l.log1p(v), lambda l, v: l.square(v),
               lambda l, v: l.clamp(v, 0, 1), lambda l, v: l.clamp(v, min=0.1),
               lambda l, v: l.clamp(v, max=0.1), lambda l, v: l.maximum(v, v),
               lambda l, v: l.round(v, decimals=1), lambda l, v: l.round(v),
               lambda l, v: l.lerp(v, v, 0.5), lambda l, v: l.lerp(v, v, v),
               lambda l, v: l.addcmul(v, v, v), lambda l, v: l.atan2(v, v),
               lambda l, v: l.erf(v), lambda l, v: l.sign(v), lambda l, v: l.frac(v)):
        assert fn(minitorch, x).grad_fn.name() == fn(torch, tx).grad_fn.name()


def test_unary_plus_is_the_tensor_itself():
    """`+x` is `positive(x)`: the same tensor, as in PyTorch; bool tensors are refused."""
    for lib in (minitorch, torch):
        x = lib.ones(3, requires_grad=True) * 2
        assert (+x) is x and lib.positive(x) is x
        with pytest.raises(RuntimeError, match="The `\\+` operator, on a bool tensor is not supported"):
            +lib.ones(2, dtype=lib.bool)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("exponent", [2, 3, 2.0, 3.0, -1, -2, 0.5, -0.5])
def test_pow_by_the_numbers_pytorch_specialises_gives_its_bits(exponent, dtype):
    # PyTorch computes x**2, x**3, x**-2 by multiplication and x**±0.5, x**-1 by (r)sqrt and
    # reciprocal; pow() of the C library rounds differently in the last bit.
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((64, 33)) * 3).astype(dtype)
    if exponent in (0.5, -0.5):
        x = np.abs(x)
    g = rng.standard_normal(x.shape).astype(dtype)
    expected = torch.tensor(x, requires_grad=True)
    (expected ** exponent).backward(torch.tensor(g))
    got = minitorch.tensor(x, requires_grad=True)
    (got ** exponent).backward(minitorch.tensor(g))
    if exponent == 0.5:  # minitorch's sqrt is NumPy's, correctly rounded; PyTorch's is vectorised
        np.testing.assert_allclose((got ** exponent).detach().numpy(), torch.sqrt(torch.tensor(x)).numpy(),
                                   rtol=2 * np.finfo(dtype).eps)
    else:
        np.testing.assert_array_equal((got ** exponent).detach().numpy(), (expected ** exponent).detach().numpy())
    if exponent in (2, 3, 2.0, 3.0, -1):  # the backward's x**(e-1) is specialised too
        np.testing.assert_array_equal(got.grad.numpy(), expected.grad.numpy())
    else:
        np.testing.assert_allclose(got.grad.numpy(), expected.grad.numpy(), rtol=4 * np.finfo(dtype).eps)
