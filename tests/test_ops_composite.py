"""The composite functions of minitorch/ops/composite.py (broadcasting helpers, stacking and
splitting variants, small math, index helpers) against PyTorch: values, dtypes, gradients on
random, broadcast and permuted inputs, and PyTorch's errors."""
import warnings

import numpy as np
import pytest
import torch

import minitorch
from oracle import check

# (id, function of (lib, *inputs), input shapes): the same code runs on both libraries
DIFFERENTIABLE = [
    ("broadcast_tensors", lambda lib, a, b, c: lib.broadcast_tensors(a, b, c), [(3, 1), (4,), ()]),
    ("atleast_1d 0-d", lambda lib, a: lib.atleast_1d(a), [()]),
    ("atleast_2d many", lambda lib, a, b, c: lib.atleast_2d(a, b, c), [(), (3,), (2, 3)]),
    ("atleast_3d list", lambda lib, a, b, c, d: lib.atleast_3d([a, b, c, d]), [(), (3,), (2, 3), (2, 1, 3)]),
    ("ravel", lambda lib, a: lib.ravel(a), [(3, 4)]),
    ("Tensor.ravel", lambda lib, a: a.ravel() * 2, [(2, 3, 2)]),
    ("column_stack", lambda lib, a, b, c: lib.column_stack([a, b, c]), [(3,), (3, 2), (3,)]),
    ("column_stack 0-d", lambda lib, a, b: lib.column_stack([a, b]), [(), (1,)]),
    ("row_stack", lambda lib, a, b: lib.row_stack([a, b]), [(3,), (2, 3)]),
    ("dstack", lambda lib, a, b, c: lib.dstack([a, b, c]), [(2, 3), (2, 3, 2), (2, 3)]),
    ("dstack 1-d", lambda lib, a, b: lib.dstack([a, b]), [(3,), (3,)]),
    ("tensor_split sections", lambda lib, a: lib.tensor_split(a, 3, dim=1), [(2, 7)]),
    ("tensor_split indices", lambda lib, a: lib.tensor_split(a, [1, -2, 9], dim=0), [(5, 2)]),
    ("Tensor.tensor_split", lambda lib, a: a.tensor_split((2, 2, 4)), [(6,)]),
    ("hsplit", lambda lib, a: lib.hsplit(a, 2), [(3, 4)]),
    ("hsplit 1-d", lambda lib, a: lib.hsplit(a, [1, 3]), [(5,)]),
    ("vsplit", lambda lib, a: lib.vsplit(a, [1]), [(3, 4)]),
    ("dsplit", lambda lib, a: lib.dsplit(a, 2), [(2, 1, 4)]),
    ("deg2rad", lambda lib, a: lib.deg2rad(a), [(3, 4)]),
    ("rad2deg", lambda lib, a: a.rad2deg(), [(3, 4)]),
    ("exp2", lambda lib, a: lib.exp2(a), [(3, 4)]),
    ("logaddexp", lambda lib, a, b: lib.logaddexp(a * 30, b), [(3, 4), (4,)]),
    ("logaddexp2", lambda lib, a, b: a.logaddexp2(b * 20), [(2, 1), (3,)]),
    ("xlogy", lambda lib, a, b: lib.xlogy(a, b.abs() + 0.1), [(3, 4), (4,)]),
    ("xlogy number", lambda lib, a: lib.xlogy(2.5, a.abs()), [(3,)]),
    ("Tensor.xlogy number", lambda lib, a: a.xlogy(3), [(3,)]),
    ("rsub", lambda lib, a, b: lib.rsub(a, b), [(3, 4), (4,)]),
    ("rsub alpha", lambda lib, a, b: lib.rsub(a, b, alpha=2.5), [(3, 1), (4,)]),
    ("rsub number", lambda lib, a: lib.rsub(a, 2.0, alpha=3), [(3,)]),
    ("diff", lambda lib, a: lib.diff(a), [(3, 5)]),
    ("diff n dim", lambda lib, a: a.diff(n=2, dim=0), [(5, 3)]),
    ("diff prepend append", lambda lib, a, b, c: lib.diff(a, dim=1, prepend=b, append=c), [(2, 3), (2, 1), (2, 2)]),
    ("diff n too big", lambda lib, a: lib.diff(a, n=5), [(3,)]),
    ("rot90", lambda lib, a: lib.rot90(a), [(2, 3)]),
    ("rot90 k", lambda lib, a: [a.rot90(k, (1, -1)) for k in (-1, 0, 2, 3, 6)], [(2, 3, 4)]),
    ("trace", lambda lib, a: lib.trace(a), [(3, 4)]),
    ("Tensor.trace", lambda lib, a: a.trace(), [(4, 2)]),
    ("nansum", lambda lib, a: lib.nansum(a.log()), [(3, 4)]),
    ("nansum dim", lambda lib, a: a.log().nansum(1, keepdim=True), [(3, 4)]),
    ("nanmean", lambda lib, a: lib.nanmean(a.log()), [(3, 4)]),
    ("nanmean dim", lambda lib, a: a.log().nanmean(dim=(0, 2)), [(3, 4, 2)]),
    ("cartesian_prod", lambda lib, a, b, c: lib.cartesian_prod(a, b, c), [(2,), (3,), (1,)]),
    ("cartesian_prod one", lambda lib, a: lib.cartesian_prod(a), [(3,)]),
    ("block_diag", lambda lib, a, b, c: lib.block_diag(a, b, c), [(), (2, 3), (4,)]),
    ("diagflat", lambda lib, a: lib.diagflat(a), [(2, 2)]),
    ("diagflat offset", lambda lib, a: a.diagflat(-2), [(3,)]),
    ("detach", lambda lib, a: lib.detach(a) * a, [(3,)]),
    ("msort", lambda lib, a: lib.msort(a), [(4, 3)]),
]


@pytest.mark.parametrize("permuted", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shapes", DIFFERENTIABLE, ids=[case[0] for case in DIFFERENTIABLE])
def test_values_and_gradients_as_pytorch(name, fn, shapes, dtype, permuted):
    check(fn, shapes, dtype=dtype, permuted=permuted)


@pytest.mark.parametrize("shapes", [[(2, 1), (3,)], [(), (4, 1), (1, 5)], [3, (2, 1)], [], [(0, 1), (3,)],
                                    [(2, 3), (3, 2)], [(2, 3), (1, 3), 4], [(2, -1)], [[1, 2], (5, 1, 1)]])
def test_broadcast_shapes_as_pytorch(shapes):
    def outcome(lib):
        try:
            return "ok", tuple(lib.broadcast_shapes(*shapes))
        except Exception as error:  # noqa: BLE001 - the oracle decides
            return type(error).__name__, str(error).replace("minitorch", "torch")
    assert outcome(minitorch) == outcome(torch)
    if outcome(torch)[0] == "ok":
        assert type(minitorch.broadcast_shapes(*shapes)) is minitorch.Size


@pytest.mark.parametrize("name,fn", [
    ("deg2rad of ints", lambda lib: lib.deg2rad(lib.tensor([1, 90, -30]))),
    ("exp2 of ints", lambda lib: lib.exp2(lib.tensor([0, 3, -1]))),
    ("exp2 float64", lambda lib: lib.exp2(lib.tensor([0.5, 3.0], dtype=lib.float64))),
    ("xlogy zero x", lambda lib: lib.xlogy(lib.tensor([0.0, 0.0, 0.0, 2.0]),
                                          lib.tensor([0.0, float("inf"), float("nan"), 0.0]))),
    ("xlogy ints", lambda lib: lib.xlogy(lib.tensor([1, 2]), lib.tensor([3, 4]))),
    ("rsub ints", lambda lib: lib.rsub(lib.tensor([1, 2]), 7, alpha=2)),
    ("diff bool", lambda lib: lib.diff(lib.tensor([True, False, False, True]))),
    ("diff ints", lambda lib: lib.diff(lib.tensor([[1, 4, 9], [2, 3, 3]]), n=2)),
    ("nansum ints", lambda lib: lib.nansum(lib.tensor([1, 2, 3]))),
    ("nansum dtype", lambda lib: lib.nansum(lib.tensor([1.0, float("nan")]), dtype=lib.float64)),
    ("nanmean all nan", lambda lib: lib.nanmean(lib.tensor([float("nan")] * 2))),
    ("tril_indices", lambda lib: lib.tril_indices(3, 4, 1)),
    ("tril_indices offset < 0", lambda lib: lib.tril_indices(4, 3, -1, dtype=lib.int32)),
    ("triu_indices", lambda lib: lib.triu_indices(3, 5, -1)),
    ("triu_indices empty", lambda lib: lib.triu_indices(2, 2, 3)),
    ("block_diag mixed dtypes", lambda lib: lib.block_diag(lib.tensor([1, 2]), lib.ones(2, 1, dtype=lib.float64))),
    ("block_diag ints", lambda lib: lib.block_diag(lib.tensor([[1, 2]]), lib.tensor(3))),
    ("cartesian_prod ints", lambda lib: lib.cartesian_prod(lib.tensor([1, 2]), lib.tensor([5, 6, 7]))),
    ("msort ints", lambda lib: lib.msort(lib.tensor([[3, 1], [2, 5], [1, 4]]))),
])
def test_integer_and_special_values_as_pytorch(name, fn):
    ours, theirs = fn(minitorch), fn(torch)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name,fn", [
    ("is_nonzero", lambda lib: [lib.is_nonzero(lib.tensor([x])) for x in (0.0, 2.0, False)]
     + [lib.tensor(3).is_nonzero()]),
    ("is_same_size", lambda lib: [lib.is_same_size(lib.ones(2, 3), lib.zeros(2, 3)),
                                  lib.ones(2, 3).is_same_size(lib.ones(3, 2))]),
    ("is_signed", lambda lib: [lib.is_signed(lib.tensor([1], dtype=d)) for d in
                               (lib.uint8, lib.int8, lib.int64, lib.float16, lib.float32, lib.bool)]),
    ("can_cast", lambda lib: [lib.can_cast(a, b) for a in (lib.bool, lib.uint8, lib.int32, lib.float16, lib.float64)
                              for b in (lib.bool, lib.int8, lib.int64, lib.float32)]),
])
def test_questions_as_pytorch(name, fn):
    assert fn(minitorch) == fn(torch)


@pytest.mark.parametrize("name,fn", [
    ("vsplit of 1-d", lambda lib: lib.vsplit(lib.arange(4), 2)),
    ("dsplit of 2-d", lambda lib: lib.dsplit(lib.ones(2, 2), 2)),
    ("hsplit uneven", lambda lib: lib.hsplit(lib.arange(5), 2)),
    ("hsplit 0 sections", lambda lib: lib.hsplit(lib.ones(2, 4), 0)),
    ("tensor_split 0 sections", lambda lib: lib.tensor_split(lib.arange(5), 0)),
    ("trace of 1-d", lambda lib: lib.trace(lib.arange(6))),
    ("diff of 0-d", lambda lib: lib.diff(lib.tensor(1.0))),
    ("rot90 of 1-d", lambda lib: lib.rot90(lib.arange(3))),
    ("rot90 same dims", lambda lib: lib.rot90(lib.ones(2, 2), 1, (0, 0))),
    ("rot90 three dims", lambda lib: lib.rot90(lib.ones(2, 2), 1, (0, 1, 1))),
    ("is_nonzero of many", lambda lib: lib.is_nonzero(lib.tensor([1, 2]))),
    ("is_nonzero of none", lambda lib: lib.is_nonzero(lib.tensor([]))),
    ("nanmean of ints", lambda lib: lib.nanmean(lib.tensor([1, 2]))),
    ("logaddexp of ints", lambda lib: lib.logaddexp(lib.tensor([1, 2]), lib.tensor([1, 2]))),
    ("broadcast_tensors mismatch", lambda lib: lib.broadcast_tensors(lib.ones(2), lib.ones(3))),
])
def test_errors_as_pytorch(name, fn):
    with pytest.raises(Exception) as ours:
        fn(minitorch)
    with pytest.raises(Exception) as theirs:
        fn(torch)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value).replace("minitorch", "torch") == str(theirs.value)


# --- inverse trigonometric functions (minitorch/ops/inverse_trig.py) --------------------------

INVERSE_TRIG = [("asin", -0.95, 0.95), ("acos", -0.95, 0.95), ("atanh", -0.95, 0.95), ("asinh", -5, 5),
                ("acosh", 1.05, 6), ("arcsin", -0.9, 0.9), ("arccos", -0.9, 0.9), ("arctanh", -0.9, 0.9),
                ("arcsinh", -3, 3), ("arccosh", 1.1, 3)]


@pytest.mark.parametrize("permuted", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,low,high", INVERSE_TRIG)
def test_inverse_trig_values_and_gradients_as_pytorch(name, low, high, dtype, permuted):
    check(lambda lib, a: getattr(lib, name)(a), [(3, 4)], dtype=dtype, permuted=permuted, low=low, high=high,
          second_order=True)
    check(lambda lib, a: getattr(a, name)() * 2, [(5,)], dtype=dtype, low=low, high=high)


@pytest.mark.parametrize("name", ["asin", "acos", "atanh", "asinh", "acosh"])
def test_inverse_trig_edges_dtypes_and_nodes_as_pytorch(name):
    edges = [-2.0, -1.0, -0.0, 0.0, 1.0, 2.0, float("inf"), float("nan")]
    results = []
    for lib in (minitorch, torch):
        x = lib.tensor(edges, dtype=lib.float64, requires_grad=True)
        y = getattr(lib, name)(x)
        y.sum().backward()
        ints = getattr(lib, name)(lib.tensor([0, 1]))
        results.append((y.detach().numpy(), x.grad.numpy(), y.grad_fn.name(), str(ints.dtype).split(".")[1]))
    (y0, g0, node0, int0), (y1, g1, node1, int1) = results
    np.testing.assert_allclose(y0, y1, rtol=1e-15)
    np.testing.assert_allclose(g0, g1, rtol=1e-15)
    assert (node0, int0) == (node1, int1)


# --- order statistics, math composites, searching and counting -------------------------------

MORE_DIFFERENTIABLE = [
    ("median", lambda lib, a: lib.median(a), [(3, 5)]),
    ("median even", lambda lib, a: a.median(), [(4,)]),
    ("median dim", lambda lib, a: lib.median(a, 1), [(3, 4)]),
    ("median dim keepdim", lambda lib, a: a.median(0, keepdim=True), [(5, 2)]),
    ("median 0-d", lambda lib, a: lib.median(a, 0), [()]),
    ("kthvalue", lambda lib, a: lib.kthvalue(a, 2), [(3, 4)]),
    ("kthvalue dim keepdim", lambda lib, a: a.kthvalue(3, 0, True), [(4, 2, 3)]),
    ("kthvalue 0-d", lambda lib, a: lib.kthvalue(a, 1), [()]),
    ("aminmax", lambda lib, a: lib.aminmax(a), [(3, 4)]),
    ("aminmax dim", lambda lib, a: a.aminmax(dim=-1, keepdim=True), [(3, 4)]),
    ("logit", lambda lib, a: lib.logit(a.sigmoid()), [(3, 4)]),
    ("logit eps", lambda lib, a: (a * 0.6 + 0.5).logit(eps=0.2), [(3, 4)]),
    ("hypot", lambda lib, a, b: lib.hypot(a, b), [(3, 4), (4,)]),
    ("fmax", lambda lib, a, b: lib.fmax(a, b), [(3, 4), (4,)]),
    ("fmin", lambda lib, a, b: a.fmin(b), [(3, 1), (4,)]),
    ("fmax nan", lambda lib, a, b: lib.fmax(a.log(), b.log()), [(3, 4), (3, 4)]),
    ("fmin nan", lambda lib, a, b: lib.fmin(a.log(), b.log()), [(3, 4), (3, 4)]),
    ("float_power", lambda lib, a, b: lib.float_power(a.abs(), b), [(3, 4), (4,)]),
    ("float_power number", lambda lib, a: a.abs().float_power(2.5), [(3,)]),
    ("float_power base number", lambda lib, a: lib.float_power(2, a), [(3,)]),
    ("cross", lambda lib, a, b: lib.cross(a, b, dim=1), [(2, 3), (1, 3)]),
    ("cross dim -1", lambda lib, a, b: a.cross(b, dim=-1), [(4, 2, 3), (1, 2, 3)]),
    ("take", lambda lib, a: lib.take(a, lib.tensor([[0, 5], [-1, 2]])), [(2, 3)]),
]


@pytest.mark.parametrize("permuted", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shapes", MORE_DIFFERENTIABLE, ids=[case[0] for case in MORE_DIFFERENTIABLE])
def test_more_values_and_gradients_as_pytorch(name, fn, shapes, dtype, permuted):
    check(fn, shapes, dtype=dtype, permuted=permuted)


def test_cross_without_dim_warns_and_picks_the_first_size_3_dim_as_pytorch():
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=(3, 2, 3)), rng.normal(size=(3, 2, 3))
    results = []
    for lib in (minitorch, torch):
        with pytest.warns(UserWarning) as caught:
            results.append(lib.cross(lib.tensor(a), lib.tensor(b)).numpy())
        results.append(str(caught[0].message).split(" (Triggered")[0])
    np.testing.assert_allclose(results[0], results[2], rtol=1e-12)
    assert results[1] == results[3]


COUNTING = [
    ("searchsorted", lambda lib: lib.searchsorted(lib.tensor([1, 3, 5, 7]), lib.tensor([[3, 6], [0, 9]]))),
    ("searchsorted right int32", lambda lib: lib.searchsorted(lib.tensor([1.0, 3, 3, 7]), lib.tensor([3.0, 8]),
                                                              right=True, out_int32=True)),
    ("searchsorted side", lambda lib: lib.searchsorted(lib.tensor([1.0, 3, 3]), lib.tensor([3.0]), side="right")),
    ("searchsorted number", lambda lib: lib.searchsorted(lib.tensor([1.0, 3, 5]), 4.0)),
    ("searchsorted batched", lambda lib: lib.searchsorted(lib.tensor([[1, 3, 5], [2, 4, 6]]),
                                                          lib.tensor([[4, 0], [6, 7]]))),
    ("searchsorted sorter", lambda lib: lib.searchsorted(lib.tensor([5, 1, 3]), lib.tensor([2, 4]),
                                                         sorter=lib.tensor([1, 2, 0]))),
    ("bucketize", lambda lib: lib.bucketize(lib.tensor([[3, 6], [0, 9]]), lib.tensor([1, 3, 5, 7]))),
    ("bucketize right", lambda lib: lib.bucketize(lib.tensor([1.0, 5.0, 7.5]), lib.tensor([1.0, 5.0, 7.0]),
                                                  right=True)),
    ("isin", lambda lib: lib.isin(lib.tensor([[1, 2], [3, 4]]), lib.tensor([2, 4, 9]))),
    ("isin invert number", lambda lib: lib.isin(lib.tensor([1.0, 2.0]), 2.0, invert=True)),
    ("bincount", lambda lib: lib.bincount(lib.tensor([1, 1, 3, 0]))),
    ("bincount weights minlength", lambda lib: lib.bincount(lib.tensor([1, 1, 3]), lib.tensor([0.5, 1.0, 2.0]),
                                                            minlength=6)),
    ("bincount float64 weights", lambda lib: lib.tensor([2, 0]).bincount(lib.tensor([0.5, 1.0], dtype=lib.float64))),
    ("bincount empty", lambda lib: lib.bincount(lib.tensor([], dtype=lib.int64), minlength=2)),
    ("histc", lambda lib: lib.histc(lib.tensor([1.0, 2, 1, 4, -1]), bins=4, min=0, max=3)),
    ("histc own range", lambda lib: lib.tensor([1.0, 2, 1, 2.5], dtype=lib.float64).histc(bins=5)),
    ("histc one value", lambda lib: lib.histc(lib.tensor([2.0, 2.0]), bins=4)),
]


@pytest.mark.parametrize("name,fn", COUNTING, ids=[case[0] for case in COUNTING])
def test_searching_and_counting_as_pytorch(name, fn):
    ours, theirs = fn(minitorch), fn(torch)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_searching_and_counting_on_random_data_as_pytorch():
    rng = np.random.default_rng(9)
    boundaries, values = np.sort(rng.normal(size=20)), rng.normal(size=(6, 7))
    for right in (False, True):
        ours = minitorch.bucketize(minitorch.tensor(values), minitorch.tensor(boundaries), right=right)
        theirs = torch.bucketize(torch.tensor(values), torch.tensor(boundaries), right=right)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(minitorch.histc(minitorch.tensor(values), bins=7, min=-1, max=1.5).numpy(),
                                  torch.histc(torch.tensor(values), bins=7, min=-1, max=1.5).numpy())
    counts = rng.integers(0, 9, size=50)
    np.testing.assert_array_equal(minitorch.bincount(minitorch.tensor(counts)).numpy(),
                                  torch.bincount(torch.tensor(counts)).numpy())


@pytest.mark.parametrize("name,fn", [
    ("kthvalue k too big", lambda lib: lib.kthvalue(lib.ones(2, 3), 4, 1)),
    ("kthvalue k 0", lambda lib: lib.kthvalue(lib.ones(3), 0)),
    ("cross no size 3", lambda lib: lib.cross(lib.ones(2, 2), lib.ones(2, 2))),
    ("cross of different ranks", lambda lib: lib.cross(lib.ones(2, 3), lib.ones(3), dim=-1)),
    ("cross wrong dim", lambda lib: lib.cross(lib.ones(2, 3), lib.ones(2, 3), dim=0)),
    ("take out of range", lambda lib: lib.take(lib.ones(2, 4), lib.tensor([1, 8]))),
    ("take below range", lambda lib: lib.take(lib.ones(2, 4), lib.tensor([-9]))),
    ("hypot of ints", lambda lib: lib.hypot(lib.tensor([3]), lib.tensor([4]))),
    ("bincount negative", lambda lib: lib.bincount(lib.tensor([1, -1]))),
    ("bincount 2-d", lambda lib: lib.bincount(lib.tensor([[1]]))),
    ("bincount float", lambda lib: lib.bincount(lib.tensor([1.0]))),
    ("histc of ints", lambda lib: lib.histc(lib.tensor([1, 2]))),
    ("histc min > max", lambda lib: lib.histc(lib.tensor([1.0]), bins=3, min=2, max=1)),
    ("bucketize 2-d boundaries", lambda lib: lib.bucketize(lib.tensor([1]), lib.tensor([[1, 2]]))),
    ("searchsorted bad side", lambda lib: lib.searchsorted(lib.tensor([1]), lib.tensor([1]), side="up")),
    ("searchsorted shapes", lambda lib: lib.searchsorted(lib.tensor([[1, 2]]), lib.tensor([[1], [2]]))),
])
def test_more_errors_as_pytorch(name, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cross's deprecation warning, checked above
        with pytest.raises(Exception) as ours:
            fn(minitorch)
        with pytest.raises(Exception) as theirs:
            fn(torch)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value).replace("minitorch", "torch") == str(theirs.value).split(" (Triggered")[0]


# --- running extremes, statistics, integrals and small helpers --------------------------------

LAST_DIFFERENTIABLE = [
    ("cummax", lambda lib, a: lib.cummax(a, 1), [(3, 5)]),
    ("cummin dim 0", lambda lib, a: a.cummin(0), [(4, 3)]),
    ("cummax ties", lambda lib, a: lib.cummax(a.round(), -1), [(2, 9)]),
    ("cummin 0-d", lambda lib, a: lib.cummin(a, 0), [()]),
    ("logcumsumexp", lambda lib, a: lib.logcumsumexp(a * 30, 1), [(3, 5)]),
    ("logcumsumexp dim 0", lambda lib, a: a.logcumsumexp(0), [(4, 2)]),
    ("cov", lambda lib, a: lib.cov(a), [(3, 6)]),
    ("cov 1-d", lambda lib, a: a.cov(correction=0), [(5,)]),
    ("cov weights", lambda lib, a, w: lib.cov(a, fweights=lib.tensor([1, 2, 1, 3], device=a.device), aweights=w.abs() + 0.1),
     [(2, 4), (4,)]),
    ("cov fweights", lambda lib, a: lib.cov(a, correction=2, fweights=lib.tensor([1, 2, 1, 3], device=a.device)), [(3, 4)]),
    ("corrcoef", lambda lib, a: lib.corrcoef(a), [(3, 6)]),
    ("trapezoid", lambda lib, a: lib.trapezoid(a), [(3, 5)]),
    ("trapezoid dx dim", lambda lib, a: lib.trapezoid(a, dx=0.5, dim=0), [(4, 3)]),
    ("trapezoid x", lambda lib, a, x: lib.trapezoid(a, x.cumsum(0)), [(2, 5), (5,)]),
    ("trapezoid x same shape", lambda lib, a, x: lib.trapz(a, x, dim=0), [(4, 3), (4, 3)]),
    ("cumulative_trapezoid", lambda lib, a: lib.cumulative_trapezoid(a, dx=2.0), [(3, 5)]),
    ("cumulative_trapezoid x", lambda lib, a, x: lib.cumulative_trapezoid(a, x, dim=0), [(4, 2), (4,)]),
    ("dist", lambda lib, a, b: lib.dist(a, b), [(3, 4), (4,)]),
    ("dist p", lambda lib, a, b: [a.dist(b, p) for p in (1, 3, float("inf"))], [(3, 4), (3, 4)]),
    ("copysign number", lambda lib, a: [a.copysign(-1.0), lib.copysign(a, 2)], [(3,)]),
    ("split_with_sizes", lambda lib, a: lib.split_with_sizes(a, [1, 3], 1), [(2, 4)]),
    ("unsafe_split", lambda lib, a: a.unsafe_split(2, 0), [(5, 2)]),
    ("unsafe_split_with_sizes", lambda lib, a: lib.unsafe_split_with_sizes(a, (2, 1)), [(3, 2)]),
    ("unsafe_chunk", lambda lib, a: lib.unsafe_chunk(a, 3, -1), [(2, 7)]),
]


@pytest.mark.parametrize("permuted", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shapes", LAST_DIFFERENTIABLE, ids=[case[0] for case in LAST_DIFFERENTIABLE])
def test_last_values_and_gradients_as_pytorch(name, fn, shapes, dtype, permuted):
    check(fn, shapes, dtype=dtype, permuted=permuted)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_copysign_gradient_as_pytorch(dtype):
    # (PyTorch gives `other` a gradient of zeros; minitorch none: the sign is not differentiable)
    check(lambda lib, a, b: lib.copysign(a, b), [(3, 4), (4,)], dtype=dtype, requires_grad=[True, False])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", [{}, {"N": 5, "increasing": True}, {"N": 2}])
def test_vander_values_as_pytorch(options, dtype):
    # values only: PyTorch's own vander cannot be differentiated (its backward reports an
    # in-place modification); minitorch's can
    check(lambda lib, a: lib.vander(a, **options), [(4,)], dtype=dtype, grad=False)


@pytest.mark.parametrize("name,fn", [
    ("cummax nan", lambda lib: lib.cummax(lib.tensor([1.0, float("nan"), 3.0, float("nan"), 0.0]), 0)),
    ("cummin ints", lambda lib: lib.cummin(lib.tensor([[3, 1, 1, 5], [0, 4, -2, -2]]), 1)),
    ("signbit", lambda lib: lib.signbit(lib.tensor([-0.0, 0.0, -1.0, 2.0, float("-inf")]))),
    ("signbit ints", lambda lib: lib.tensor([-1, 0, 2]).signbit()),
    ("copysign ints", lambda lib: lib.copysign(lib.tensor([1, -2]), -1)),
    ("copysign zeros", lambda lib: lib.copysign(lib.tensor([1.0, -2.0]), lib.tensor([-0.0, 0.0]))),
    ("vander ints", lambda lib: lib.vander(lib.tensor([1, 2, 3]))),
    ("vander N 0 and 1", lambda lib: [lib.vander(lib.tensor([2.0, 3.0]), N=n) for n in (0, 1)]),
    ("unravel_index", lambda lib: lib.unravel_index(lib.tensor([5, 7, 0]), (2, 4))),
    ("unravel_index 3 dims", lambda lib: lib.unravel_index(lib.tensor([[17], [3]]), (3, 2, 4))),
    ("unravel_index 0-d", lambda lib: lib.unravel_index(lib.tensor(9), (2, 4))),
    ("cov of ints", lambda lib: lib.cov(lib.tensor([[1, 2, 4], [0, 5, 1]]))),
    ("corrcoef 1-d", lambda lib: lib.corrcoef(lib.tensor([1.0, 2.0, 4.0]))),
])
def test_last_integer_and_special_values_as_pytorch(name, fn):
    ours, theirs = fn(minitorch), fn(torch)
    ours = list(ours) if isinstance(ours, (tuple, list)) else [ours]
    theirs = list(theirs) if isinstance(theirs, (tuple, list)) else [theirs]
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert str(o.dtype).split(".")[1] == str(t.dtype).split(".")[1] and tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name,fn", [
    ("logcumsumexp of ints", lambda lib: lib.logcumsumexp(lib.tensor([1, 2]), 0)),
    ("cov of 3-d", lambda lib: lib.cov(lib.ones(2, 2, 2))),
    ("vander of 2-d", lambda lib: lib.vander(lib.ones(2, 2))),
    ("vander N < 0", lambda lib: lib.vander(lib.ones(2), N=-1)),
])
def test_last_errors_as_pytorch(name, fn):
    with pytest.raises(Exception) as ours:
        fn(minitorch)
    with pytest.raises(Exception) as theirs:
        fn(torch)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value).replace("minitorch", "torch") == str(theirs.value).split(" (Triggered")[0]


QUANTILES = [
    ("all", lambda lib, a: lib.quantile(a, 0.3), [(3, 5)]),
    ("all keepdim", lambda lib, a: a.quantile(0.8, keepdim=True), [(3, 4)]),
    ("dim", lambda lib, a: lib.quantile(a, 0.25, dim=1), [(3, 5)]),
    ("levels dim keepdim", lambda lib, a: lib.quantile(a, lib.tensor([0.1, 0.5, 1.0], dtype=a.dtype), dim=0,
                                                       keepdim=True), [(4, 3)]),
    ("levels all", lambda lib, a: lib.quantile(a, lib.tensor([0.0, 0.75], dtype=a.dtype)), [(2, 3)]),
    ("0-d level tensor", lambda lib, a: lib.quantile(a, lib.tensor(0.4, dtype=a.dtype), dim=-1), [(2, 6)]),
    ("0-d input", lambda lib, a: lib.quantile(a, 0.5), [()]),
] + [(f"interpolation {how}", lambda lib, a, how=how: a.quantile(lib.tensor([0.3, 0.5, 0.9], dtype=a.dtype), 1,
                                                                interpolation=how), [(3, 6)])
     for how in ("linear", "lower", "higher", "midpoint", "nearest")]


@pytest.mark.parametrize("permuted", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shapes", QUANTILES, ids=[case[0] for case in QUANTILES])
def test_quantile_values_and_gradients_as_pytorch(name, fn, shapes, dtype, permuted):
    check(fn, shapes, dtype=dtype, permuted=permuted)


def test_quantile_is_nan_where_a_nan_is_as_pytorch():
    x = np.array([[1.0, np.nan, 2.0], [3.0, 0.5, 1.0]])
    ours = minitorch.quantile(minitorch.tensor(x), 0.5, dim=1).numpy()
    theirs = torch.quantile(torch.tensor(x), 0.5, dim=1).numpy()
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name,fn", [
    ("q > 1", lambda lib: lib.quantile(lib.ones(3), 1.5)),
    ("ints", lambda lib: lib.quantile(lib.tensor([1, 2]), 0.5)),
    ("q dtype", lambda lib: lib.quantile(lib.ones(3), lib.tensor([0.5], dtype=lib.float64))),
    ("bad interpolation", lambda lib: lib.quantile(lib.ones(3), 0.5, interpolation="bad")),
    ("empty", lambda lib: lib.quantile(lib.tensor([]), 0.5)),
    ("2-d q", lambda lib: lib.quantile(lib.ones(3), lib.tensor([[0.5]]))),
])
def test_quantile_errors_as_pytorch(name, fn):
    with pytest.raises(Exception) as ours:
        fn(minitorch)
    with pytest.raises(Exception) as theirs:
        fn(torch)
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)
