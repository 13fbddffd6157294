"""Reductions, cumulative ops and softmax-family ops against PyTorch: values, gradients
(including ties and zeros), dtypes, keepdim, negative dims and bad dims."""
import warnings

import numpy as np
import pytest
import torch

import minitorch
from oracle import check, check_gradcheck

DIMS = [None, 0, -1, (0, 2), (-1, 1)]

REDUCTIONS = {
    "sum": lambda lib, x, dim, keep: x.sum() if dim is None else lib.sum(x, dim, keepdim=keep),
    "mean": lambda lib, x, dim, keep: x.mean() if dim is None else x.mean(dim, keep),
    "amax": lambda lib, x, dim, keep: lib.amax(x) if dim is None else lib.amax(x, dim, keep),
    "amin": lambda lib, x, dim, keep: x.amin() if dim is None else x.amin(dim, keepdim=keep),
    "var": lambda lib, x, dim, keep: lib.var(x, dim, keepdim=keep),
    "std": lambda lib, x, dim, keep: x.std(dim, keepdim=keep),
    "var_c0": lambda lib, x, dim, keep: lib.var(x, dim, keepdim=keep, correction=0),
    "std_unbiased": lambda lib, x, dim, keep: lib.std(x, dim, unbiased=False, keepdim=keep),
    "logsumexp": lambda lib, x, dim, keep: lib.logsumexp(x, (0, 1, 2) if dim is None else dim, keep),
    "norm": lambda lib, x, dim, keep: lib.norm(x, dim=dim, keepdim=keep),
    "norm1": lambda lib, x, dim, keep: x.norm(1, dim, keep),
    "norm_inf": lambda lib, x, dim, keep: lib.norm(x, float("inf"), dim, keep),
    "norm_ninf": lambda lib, x, dim, keep: lib.norm(x, -float("inf"), dim, keep),
    "norm3": lambda lib, x, dim, keep: lib.norm(x, 3, dim, keep),
    "norm_half": lambda lib, x, dim, keep: lib.norm(x.abs() + 0.1, 0.5, dim, keep),
    "norm0": lambda lib, x, dim, keep: lib.norm(x, 0, dim, keep),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("keep", [False, True])
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions(name, dim, keep, dtype):
    check(lambda lib, x: REDUCTIONS[name](lib, x, dim, keep), [(2, 3, 4)], dtype=dtype)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions_permuted_gradcheck_second_order(name):
    fn = REDUCTIONS[name]
    check(lambda lib, x: fn(lib, x, 1, False), [(2, 3, 4)], permuted=True)
    check_gradcheck(lambda lib, x: fn(lib, x, -1, True), [(2, 3)])
    # (PyTorch's second derivatives of the piecewise-linear norms are ZeroTensors, which the
    # oracle cannot read; they are 0 on both sides)
    if name not in ("amax", "amin", "norm_inf", "norm_ninf", "norm0", "norm1"):
        check(lambda lib, x: fn(lib, x, (0, 1), False), [(3, 4)], dtype="float64", second_order=True)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "var", "logsumexp", "norm", "prod",
                                  "max", "argmax", "all", "any", "count_nonzero"])
def test_bad_dims_raise_index_error(name):
    x = minitorch.ones(2, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        getattr(minitorch, name)(x, dim=2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        getattr(minitorch, name)(x, dim=-3)


@pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning")  # var over one element (below)
def test_size_one_empty_and_zero_dim_inputs():
    for name in ("sum", "mean", "amax", "var", "logsumexp", "norm"):
        fn = REDUCTIONS[name]
        check(lambda lib, x: fn(lib, x, 0, False), [(1, 3)])
        check(lambda lib, x: fn(lib, x, -1, True), [(3, 1)], dtype="float64")
    check(lambda lib, x: (x.sum(), x.mean(0), x.prod(), x.amax(0), x.max(0).values,
                          x.logsumexp(0), x.norm(), x.cumsum(0), x.cumprod(0), x.argmax()), [()])
    for fn in (lambda lib, x: x.sum(0), lambda lib, x: x.sum(), lambda lib, x: x.prod(1),
               lambda lib, x: lib.logsumexp(x, 0), lambda lib, x: x.norm(dim=0),
               lambda lib, x: x.amax(1), lambda lib, x: x.max(1).values, lambda lib, x: x.cumsum(0),
               lambda lib, x: x.cumprod(1), lambda lib, x: lib.softmax(x, 0),
               lambda lib, x: lib.log_softmax(x, 1), lambda lib, x: x.all(0), lambda lib, x: x.any(),
               lambda lib, x: x.count_nonzero(0)):
        check(fn, [(0, 3)])


def test_empty_reduction_errors():
    empty = minitorch.zeros(0, 3)
    with pytest.raises(RuntimeError, match="numel"):
        empty.max()
    with pytest.raises(IndexError, match="non-zero size"):
        empty.max(0)
    with pytest.raises(IndexError, match="non-zero size"):
        minitorch.amax(empty, 0)
    with pytest.raises(IndexError, match="non-zero size"):
        empty.argmax(0)


# --- prod ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_prod(dtype):
    check(lambda lib, x: x.prod(), [(2, 3)], dtype=dtype)
    for dim in (0, 1, -1):
        check(lambda lib, x: lib.prod(x, dim), [(2, 3, 4)], dtype=dtype, permuted=True)
        check(lambda lib, x: x.prod(dim, keepdim=True), [(2, 3, 4)], dtype=dtype)
    check(lambda lib, x: x.prod(1, dtype=lib.float64), [(2, 3)], dtype=dtype)


def test_prod_gradient_with_zeros():
    """One zero in a slice: only the zero gets a gradient (the product of the rest); two zeros:
    no first-order gradient at all (but second-order terms, compared too)."""
    x = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 3.0, 0.0, 2.0], [1.0, 2.0, 3.0, 4.0]])
    for dtype in ("float32", "float64"):
        check(lambda lib, t: t.prod(1), [x.astype(dtype)])
        check(lambda lib, t: t.prod(0, keepdim=True), [x.astype(dtype)])
        check(lambda lib, t: t.prod(), [x[0].astype(dtype)])
        check(lambda lib, t: t.prod(), [x.astype(dtype)])
    check_gradcheck(lambda lib, t: t.prod(1), [x])
    check(lambda lib, t: t.prod(1), [x], dtype="float64", second_order=True)
    check(lambda lib, t: t.prod(0, keepdim=True), [x], dtype="float64", second_order=True)
    check(lambda lib, t: t.prod(), [x[0]], dtype="float64", second_order=True)


def test_prod_second_order():
    check(lambda lib, x: x.prod(1), [(3, 4)], dtype="float64", second_order=True, low=0.5, high=2.0)
    check(lambda lib, x: x.prod(), [(2, 3)], dtype="float64", second_order=True, low=0.5, high=2.0)


def test_integer_reduction_dtypes():
    ints = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    check(lambda lib, x: (x.sum(), x.sum(0), x.prod(), x.prod(1), x.cumsum(0), x.cumprod(1),
                          x.max(), x.amax(1), x.min(0).values, x.argmax(), x.argmin(1),
                          x.count_nonzero(), x.all(), x.any(1), lib.logsumexp(x, 1)), [ints])
    bools = np.array([[True, False], [True, True]])
    check(lambda lib, x: (x.sum(), x.prod(0), x.all(1), x.any(), x.count_nonzero(0)), [bools])
    check(lambda lib, x: (x.all(), x.any(0)), [np.array([[1, 0], [2, 3]], dtype=np.uint8)])
    check(lambda lib, x: x.sum(dtype=lib.float64), [ints])
    with pytest.raises(RuntimeError, match="floating point"):
        minitorch.tensor([1, 2]).var()
    with pytest.raises(RuntimeError, match="floating point"):
        minitorch.tensor([1, 2]).norm()
    with pytest.raises(RuntimeError, match="mean"):
        minitorch.tensor([1, 2]).mean()


# --- max / min ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_min_with_dim_returns_values_and_indices(name, dtype):
    for dim in (0, 1, -1):
        for keep in (False, True):
            out = check(lambda lib, x: tuple(getattr(lib, name)(x, dim, keep)), [(3, 4, 5)], dtype=dtype)
            assert out[1].dtype == minitorch.int64
    check(lambda lib, x: tuple(getattr(x, name)(dim=1)), [(3, 4, 5)], dtype=dtype, permuted=True)
    check_gradcheck(lambda lib, x: getattr(x, name)(1).values, [(3, 4)])
    check(lambda lib, x: getattr(x, name)(1).values, [(3, 4)], dtype="float64", second_order=True)
    result = getattr(minitorch.tensor([[1.0, 5.0], [7.0, 2.0]]), name)(1)
    values, indices = result
    assert result.values is values and result.indices is indices
    assert type(result).__name__ == name


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_full_reduction_ties_share_the_gradient(name):
    """max()/amax split the gradient evenly among equal extremes, as PyTorch does."""
    ties = np.array([[3.0, 1.0, 3.0], [-2.0, 3.0, -2.0]], dtype=np.float32)
    check(lambda lib, x: getattr(lib, name)(x), [ties])
    if name.startswith("a"):
        check(lambda lib, x: getattr(lib, name)(x, 1), [ties])
        check(lambda lib, x: getattr(lib, name)(x, (0, 1), True), [ties])
        check(lambda lib, x: getattr(x, name)(0), [ties])
    x = minitorch.tensor([2.0, 7.0, 7.0, 7.0, 1.0], requires_grad=True)
    minitorch.amax(x).backward()
    assert x.grad.tolist() == pytest.approx([0, 1 / 3, 1 / 3, 1 / 3, 0])


def test_max_min_binary_form_and_nan():
    check(lambda lib, a, b: (lib.max(a, b), lib.min(a, b), a.max(b), a.min(b)), [(3, 4), (4,)])
    nan = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]], dtype=np.float32)
    check(lambda lib, x: (x.max(), x.min(), x.amax(1), x.max(1).values, x.max(1).indices,
                          x.argmax(1), x.argmin(1)), [nan], grad=False)


def test_argmax_argmin():
    for fn in (lambda lib, x: x.argmax(), lambda lib, x: lib.argmax(x, 1),
               lambda lib, x: lib.argmin(x, -1, keepdim=True), lambda lib, x: x.argmax(keepdim=True),
               lambda lib, x: lib.argmin(x), lambda lib, x: x.argmin(dim=0)):
        out = check(fn, [(3, 4, 5)])
        assert out[0].dtype == minitorch.int64
        check(fn, [(3, 4, 5)], permuted=True)


# --- var / std signatures --------------------------------------------------------------------------

def test_var_std_signatures():
    check(lambda lib, x: (lib.var(x, False), x.std(True), x.var(0, True, True), x.std(1, False),
                          x.var(dim=(0, 1), correction=2), lib.std(x, correction=0),
                          *lib.var_mean(x, 1), *lib.std_mean(x, 0, keepdim=True, correction=0)),
          [(3, 4)])
    with pytest.raises(RuntimeError):
        minitorch.var(minitorch.ones(3), unbiased=True, correction=1)


def test_var_without_degrees_of_freedom_warns_and_gives_nan():
    with pytest.warns(UserWarning, match="degrees of freedom"):
        out = minitorch.ones(1, 3).var(0)
    assert np.isnan(out.numpy()).all()


def test_std_of_constant_has_zero_gradient():
    check(lambda lib, x: (x * 0 + 1).std(1), [(3, 4)], dtype="float64")


def test_norm_variants():
    check(lambda lib, x: (x.norm(), x.norm("fro"), lib.norm(x, 2, (0, 1)), x.norm(p=2, dim=-1),
                          x.norm(dtype=lib.float64)), [(3, 4)])
    zeros = np.zeros((2, 3), dtype=np.float32)
    for p in (2, 1, 3, float("inf")):
        check(lambda lib, x: lib.norm(x, p, 1), [zeros])  # PyTorch's gradient at 0 is 0
    with pytest.raises(NotImplementedError, match="nuc"):
        minitorch.ones(2, 2).norm("nuc")


def test_logsumexp_is_stable():
    big = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, -np.inf, -np.inf]], dtype=np.float32)
    check(lambda lib, x: lib.logsumexp(x, 1), [big], grad=False)
    check(lambda lib, x: lib.logsumexp(x, 1), [big[:1]])
    check(lambda lib, x: x.logsumexp(0), [np.array([1000.0, 2.0, np.inf], dtype=np.float64)], grad=False)


def test_all_any_count_nonzero():
    x = np.array([[[0.0, 1.0], [2.0, 0.0]], [[3.0, 4.0], [0.0, 0.0]]], dtype=np.float32)
    for dim in (None, 0, -1, (0, 2)):
        check(lambda lib, t: (t.all() if dim is None else lib.all(t, dim),
                              t.any() if dim is None else t.any(dim, keepdim=True),
                              lib.count_nonzero(t, dim)), [x], grad=False)


# --- cumulative -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_cumulative(name, dtype):
    for dim in (0, 1, -1):
        check(lambda lib, x: getattr(lib, name)(x, dim), [(3, 4, 2)], dtype=dtype)
    check(lambda lib, x: getattr(x, name)(1), [(3, 4, 2)], dtype=dtype, permuted=True)
    check(lambda lib, x: getattr(x, name)(0, dtype=lib.float64), [(3, 4)], dtype=dtype)
    check_gradcheck(lambda lib, x: getattr(lib, name)(x, 1), [(2, 4)])
    check(lambda lib, x: getattr(lib, name)(x, -1), [(3, 4)], dtype="float64", second_order=True)


def test_cumprod_gradient_with_zeros():
    x = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 3.0, 0.0, 2.0], [1.0, 2.0, 0.0, 4.0]])
    check(lambda lib, t: t.cumprod(1), [x])
    check(lambda lib, t: t.cumprod(0), [x.astype(np.float32)])
    check(lambda lib, t: t.cumprod(1), [x], second_order=True)
    check_gradcheck(lambda lib, t: t.cumprod(1), [x])


def test_cumulative_inplace():
    check(lambda lib, x: (x * 1).cumsum_(0) * 2, [(3, 4)])
    check(lambda lib, x: (x * 1).cumprod_(1) * 2, [(3, 4)])


# --- softmax family ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax(name, dtype):
    for dim in (0, 1, -1):
        check(lambda lib, x: getattr(lib, name)(x, dim), [(3, 4, 5)], dtype=dtype)
    check(lambda lib, x: getattr(x, name)(-1), [(3, 4, 5)], dtype=dtype, permuted=True)
    check(lambda lib, x: getattr(lib, name)(x, 0), [(1,)], dtype=dtype)
    check(lambda lib, x: getattr(lib, name)(x, -1), [()], dtype=dtype)
    check(lambda lib, x: getattr(lib, name)(x, 1, dtype=lib.float64), [(2, 3)], dtype=dtype)
    check_gradcheck(lambda lib, x: getattr(lib, name)(x, 1), [(2, 4)])
    check(lambda lib, x: getattr(lib, name)(x, 1), [(3, 4)], dtype="float64", second_order=True)


def test_softmax_is_stable_and_rejects_integers():
    big = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0]], dtype=np.float32)
    check(lambda lib, x: (lib.softmax(x, 1), lib.log_softmax(x, 1)), [big])
    allneg = np.array([[-np.inf, -np.inf]], dtype=np.float32)
    check(lambda lib, x: (lib.softmax(x, 1), lib.log_softmax(x, 1)), [allneg], grad=False)
    with pytest.raises(NotImplementedError):
        minitorch.softmax(minitorch.tensor([1, 2]), 0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        minitorch.softmax(minitorch.ones(2, 3), 2)


@pytest.mark.parametrize("length", [1, 3, 10, 64, 65, 200])
def test_softmax_rows_of_every_length(length):
    """Rows of up to 64 take their maximum down the columns of a transposed copy; longer rows
    take NumPy's: both against PyTorch, with rows that hold inf, -inf and NaN."""
    rng = np.random.default_rng(length)
    x = (rng.standard_normal((2, 5, length)) * 30).astype(np.float32)
    check(lambda lib, t: (lib.softmax(t, -1), lib.log_softmax(t, -1)), [x])
    check(lambda lib, t: lib.log_softmax(t, -1), [x], permuted=True)
    special = x.copy()
    special[0, 0, :] = -np.inf
    special[0, 1, -1] = np.inf
    special[1, 2, 0] = np.nan
    check(lambda lib, t: (lib.softmax(t, -1), lib.log_softmax(t, -1)), [special], grad=False)


def test_node_names_match_pytorch():
    x = minitorch.tensor([[0.5, 2.0], [1.0, 3.0]], requires_grad=True)
    tx = torch.tensor([[0.5, 2.0], [1.0, 3.0]], requires_grad=True)
    for fn in (lambda l, v: l.prod(v), lambda l, v: l.prod(v, 0), lambda l, v: l.amax(v, 0),
               lambda l, v: l.max(v), lambda l, v: l.max(v, 0).values, lambda l, v: l.var(v),
               lambda l, v: l.std(v, 0), lambda l, v: l.norm(v), lambda l, v: l.logsumexp(v, 1),
               lambda l, v: l.cumsum(v, 0), lambda l, v: l.cumprod(v, 1),
               lambda l, v: l.softmax(v, 1), lambda l, v: l.log_softmax(v, 0)):
        assert fn(minitorch, x).grad_fn.name() == fn(torch, tx).grad_fn.name()


# --- sums along short last axes (one BLAS product with ones) -------------------------------------

LAST_AXIS_CASES = [((4, 7), np.float32), ((2, 3, 64), np.float32), ((5, 1024), np.float64),
                   ((3, 1025), np.float32),  # longer rows: NumPy's own sum
                   ((6, 5), np.float16)]     # float16: NumPy's own sum


@pytest.mark.parametrize("shape, dtype", LAST_AXIS_CASES, ids=str)
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_last_axis_sum_and_mean_match_pytorch(shape, dtype, layout):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape).astype(dtype)
    if layout == "transposed":  # the last axis strided: not the BLAS path
        x = np.ascontiguousarray(np.swapaxes(x, 0, -1)).swapaxes(0, -1)
    ours, theirs = minitorch.tensor(x), torch.tensor(x)
    for keepdim in (False, True):
        for name in ("sum", "mean"):
            got = getattr(ours, name)(-1, keepdim=keepdim)
            want = getattr(theirs, name)(-1, keepdim=keepdim)
            assert got.shape == tuple(want.shape) and got.dtype == getattr(minitorch, str(want.dtype)[6:])
            tolerance = 2e-3 if dtype == np.float16 else 1e-5
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=tolerance, atol=tolerance)


def test_last_axis_sum_of_special_values_matches_pytorch():
    x = np.array([[np.inf, 1.0, 2.0], [np.inf, -np.inf, 0.0], [np.nan, 1.0, 1.0],
                  [-0.0, -0.0, -0.0], [3.0e38, 3.0e38, 0.0]], dtype=np.float32)
    got = minitorch.tensor(x).sum(-1).numpy()
    want = torch.tensor(x).sum(-1).numpy()
    np.testing.assert_array_equal(got, want)  # inf, nan, nan, 0.0, inf (overflow)
    assert np.signbit(got[3]) == np.signbit(want[3])


def test_mean_of_empty_rows_is_nan_without_warnings_like_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = minitorch.empty(3, 0).mean(-1)
    np.testing.assert_array_equal(got.numpy(), torch.empty(3, 0).mean(-1).numpy())
