"""Max, average and adaptive pooling (functional and modules) against PyTorch."""
import numpy as np
import pytest
import torch

import minitorch
from module_oracle import compare_modules
from oracle import check, check_gradcheck

POOL_ARGS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1)),
    dict(kernel_size=3, stride=1),                     # overlapping windows
]


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("kw", POOL_ARGS + [dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1),
                                                 dilation=(2, 1)),
                                            dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True)])
def test_max_pool2d(kw):
    check(lambda lib, x: F(lib).max_pool2d(x, **kw), [(2, 3, 7, 8)])
    check(lambda lib, x: F(lib).max_pool2d(x, return_indices=True, **kw), [(2, 3, 7, 8)],
          dtype="float64")


@pytest.mark.parametrize("kw", POOL_ARGS)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d(kw, count_include_pad):
    check(lambda lib, x: F(lib).avg_pool2d(x, count_include_pad=count_include_pad, **kw),
          [(2, 3, 7, 8)])


def test_avg_pool2d_divisor_override_and_unbatched():
    check(lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1, divisor_override=4), [(2, 3, 7, 8)])
    check(lambda lib, x: F(lib).avg_pool2d(x, 2), [(3, 6, 6)], permuted=True)
    check(lambda lib, x: F(lib).max_pool2d(x, 2), [(3, 6, 6)], permuted=True)


def test_pool1d():
    check(lambda lib, x: F(lib).max_pool1d(x, 3, 2, 1, return_indices=True), [(2, 3, 9)])
    check(lambda lib, x: F(lib).max_pool1d(x, 2, dilation=2, ceil_mode=True), [(3, 10)])
    check(lambda lib, x: F(lib).avg_pool1d(x, 3, 2, 1, ceil_mode=True), [(2, 3, 10)])
    check(lambda lib, x: F(lib).avg_pool1d(x, 4, count_include_pad=False, padding=2), [(2, 3, 10)])


def test_max_pool_ties_pick_the_first_and_nan_wins():
    check(lambda lib, x: F(lib).max_pool2d(x, 2, 1, return_indices=True),
          [np.zeros((1, 1, 4, 4), np.float32)])
    a = np.array([[[[1, np.nan, 3, 4], [5, 6, 7, 8]]]], np.float32)
    ours = F(minitorch).max_pool2d(minitorch.tensor(a), 2, return_indices=True)
    theirs = F(torch).max_pool2d(torch.tensor(a), 2, return_indices=True)
    np.testing.assert_array_equal(ours[0].numpy(), theirs[0].numpy())
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
    assert ours[1].dtype == minitorch.int64
    b = np.full((1, 1, 4, 5), -np.inf, np.float32)
    b[0, 0, 2, 3] = 1.0
    check(lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1, return_indices=True), [b], grad=False)


@pytest.mark.parametrize("size", [(1, 1), (3, 2), (5, 7), (2, None), 4])
def test_adaptive_pool2d(size):
    check(lambda lib, x: F(lib).adaptive_avg_pool2d(x, size), [(2, 3, 7, 6)])
    check(lambda lib, x: F(lib).adaptive_max_pool2d(x, size, return_indices=True), [(2, 3, 7, 6)])
    check(lambda lib, x: F(lib).adaptive_max_pool2d(x, size), [(3, 7, 6)], dtype="float64")


def test_adaptive_pool1d():
    check(lambda lib, x: F(lib).adaptive_avg_pool1d(x, 4), [(2, 3, 7)])
    check(lambda lib, x: F(lib).adaptive_max_pool1d(x, 4, return_indices=True), [(2, 3, 7)])


def test_pool_gradcheck():
    check_gradcheck(lambda lib, x: F(lib).max_pool2d(x, 2, 1), [(1, 2, 4, 4)])
    check_gradcheck(lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1, ceil_mode=True), [(1, 1, 5, 5)])
    check_gradcheck(lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1), [(1, 2, 5, 5)])
    check_gradcheck(lambda lib, x: F(lib).adaptive_max_pool2d(x, (2, 3)), [(1, 1, 5, 4)])


def test_pool_double_backward_through_the_incoming_gradient():
    # the pooling backward is linear in the incoming gradient g: d<dL/dx, v>/dg
    for pool in (lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1),
                 lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1, count_include_pad=False),
                 lambda lib, x: F(lib).adaptive_max_pool2d(x, 3)):
        def fn(lib, x, g, v, pool=pool):
            (gx,) = lib.autograd.grad(pool(lib, x), x, g, create_graph=True)
            return (gx * v).sum() + (gx * gx).sum() + (x * x).sum()

        check(fn, [(2, 2, 6, 6), (2, 2, 3, 3), (2, 2, 6, 6)], dtype="float64")


def test_pool_errors():
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel size"):
        F(minitorch).max_pool2d(minitorch.randn(1, 1, 5, 5), 3, padding=2)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F(minitorch).max_pool2d(minitorch.randn(1, 1, 1, 1), 3)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F(minitorch).avg_pool2d(minitorch.randn(1, 1, 1, 1), 3)
    with pytest.raises(RuntimeError, match="3D or 4D"):
        F(minitorch).max_pool2d(minitorch.randn(5), 2)
    with pytest.raises(RuntimeError, match="max_pool1d: Expected 2D or 3D"):
        F(minitorch).max_pool1d(minitorch.randn(1, 1, 5, 5), 3)
    with pytest.raises(RuntimeError, match="Expected 3D or 4D tensor"):
        F(minitorch).adaptive_avg_pool2d(minitorch.randn(5), 2)


def test_pool_modules_match_pytorch():
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8)).astype(np.float32)
    pairs = [
        ("MaxPool2d", dict(kernel_size=2)),
        ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True)),
        ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
        ("AvgPool2d", dict(kernel_size=2, ceil_mode=True, divisor_override=3)),
        ("AdaptiveAvgPool2d", dict(output_size=(3, 4))),
        ("AdaptiveMaxPool2d", dict(output_size=3, return_indices=True)),
    ]
    for name, kw in pairs:
        ours, theirs = getattr(minitorch.nn, name)(**kw), getattr(torch.nn, name)(**kw)
        compare_modules(ours, theirs, [x])
        assert repr(ours) == repr(theirs)
    x1 = x[:, :, 0]
    for name, kw in [("MaxPool1d", dict(kernel_size=3, stride=2, padding=1)),
                     ("AvgPool1d", dict(kernel_size=3, stride=2, padding=1)),
                     ("AdaptiveAvgPool1d", dict(output_size=3)),
                     ("AdaptiveMaxPool1d", dict(output_size=3))]:
        ours, theirs = getattr(minitorch.nn, name)(**kw), getattr(torch.nn, name)(**kw)
        compare_modules(ours, theirs, [x1])
        assert repr(ours) == repr(theirs)
