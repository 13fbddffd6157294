"""Convolutions (functional and modules), unfold and fold, against PyTorch."""
import math

import numpy as np
import pytest
import torch

import minitorch
from module_oracle import compare_modules
from oracle import check, check_gradcheck

# (N, C, O, H, W, kernel, stride, padding, dilation, groups)
CONV2D_CASES = [
    (2, 3, 4, 7, 6, 3, 1, 0, 1, 1),
    (2, 3, 4, 7, 6, 3, 1, 1, 1, 1),
    (2, 4, 6, 7, 8, 3, 2, 1, 1, 2),
    (1, 4, 4, 9, 9, 3, 1, 2, 2, 4),            # depthwise, dilated
    (2, 2, 3, 5, 5, (2, 3), (2, 1), (1, 0), (1, 2), 1),
    (2, 1, 2, 8, 8, 1, 1, 0, 1, 1),            # 1x1
    (1, 2, 2, 6, 6, 3, 3, 0, 1, 1),            # stride = kernel
    (2, 2, 4, 6, 5, 2, 1, "same", 1, 2),       # even kernel: asymmetric 'same'
    (2, 2, 2, 6, 5, 4, 1, "same", 2, 1),
    (2, 3, 2, 6, 5, 3, 1, "valid", 1, 1),
    (1, 2, 2, 3, 3, 5, 1, 2, 1, 1),            # kernel larger than the image, padded
]


def _kernel(k):
    return k if isinstance(k, tuple) else (k, k)


@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv2d_matches_pytorch(case):
    n, c, o, h, w, k, s, p, d, g = case

    def fn(lib, x, weight, bias):
        return lib.nn.functional.conv2d(x, weight, bias, stride=s, padding=p, dilation=d, groups=g)

    shapes = [(n, c, h, w), (o, c // g) + _kernel(k), (o,)]
    check(fn, shapes)
    check(fn, shapes, dtype="float64", second_order=True)


def test_conv2d_non_contiguous_and_unbatched():
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1), [(3, 9, 9), (4, 3, 3, 3)],
          permuted=True)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=2), [(2, 3, 9, 9), (4, 3, 3, 3)],
          permuted=True)


def test_conv2d_empty_batch():
    out = minitorch.nn.functional.conv2d(minitorch.zeros(0, 2, 5, 5), minitorch.zeros(3, 2, 3, 3))
    assert tuple(out.shape) == (0, 3, 3, 3)


# (N, C_in, C_out, H, W, kernel, stride, padding, output_padding, dilation, groups)
CONV_T_CASES = [
    (2, 3, 4, 4, 5, 3, 1, 0, 0, 1, 1),
    (2, 4, 6, 4, 4, 3, 2, 1, 1, 1, 2),
    (1, 2, 2, 3, 3, 3, 3, 1, 2, 1, 1),
    (2, 2, 3, 4, 4, (2, 3), (2, 1), (1, 0), (1, 0), (1, 2), 1),
]


@pytest.mark.parametrize("case", CONV_T_CASES)
def test_conv_transpose2d_matches_pytorch(case):
    n, c, o, h, w, k, s, p, op, d, g = case

    def fn(lib, x, weight, bias):
        return lib.nn.functional.conv_transpose2d(x, weight, bias, stride=s, padding=p,
                                                  output_padding=op, groups=g, dilation=d)

    shapes = [(n, c, h, w), (c, o // g) + _kernel(k), (o,)]
    check(fn, shapes)
    check(fn, shapes, dtype="float64", second_order=True)


def test_conv1d_and_conv_transpose1d():
    check(lambda lib, x, w, b: lib.nn.functional.conv1d(x, w, b, stride=2, padding=1, dilation=2),
          [(2, 3, 11), (4, 3, 3), (4,)], dtype="float64", second_order=True)
    check(lambda lib, x, w: lib.nn.functional.conv1d(x, w, padding="same", groups=3),
          [(3, 10), (6, 1, 4)])
    check(lambda lib, x, w: lib.nn.functional.conv_transpose1d(x, w, stride=2, padding=1,
                                                               output_padding=1),
          [(2, 3, 9), (3, 4, 3)], dtype="float64", second_order=True)


def test_conv_gradcheck():
    check_gradcheck(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, stride=2, padding=1),
                    [(1, 2, 4, 4), (2, 2, 3, 3), (2,)])
    check_gradcheck(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding="same", groups=2),
                    [(1, 2, 3, 4), (2, 1, 2, 2)])
    check_gradcheck(lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(
        x, w, b, stride=2, padding=1, output_padding=1), [(1, 2, 3, 3), (2, 2, 3, 3), (2,)])


def test_conv2d_second_order_central_differences():
    # the first gradients (w.r.t. input and weight) are themselves checked by central differences
    def first_gradients(lib, x, w, g):
        with lib.enable_grad():
            y = lib.nn.functional.conv2d(x, w, stride=2, padding=1)
            return lib.autograd.grad(y, (x, w), g, create_graph=True)

    check_gradcheck(first_gradients, [(1, 2, 4, 4), (2, 2, 3, 3), (1, 2, 2, 2)])


def test_conv2d_double_backward_of_input_gradient():
    # d/dw of <dL/dx, v> where L = <conv(x, w), g>: exercises ConvTranspose's weight gradient
    def fn(lib, x, w, g, v):
        y = lib.nn.functional.conv2d(x, w, stride=2, padding=1)
        (gx,) = lib.autograd.grad(y, x, g, create_graph=True)
        return (gx * v).sum()

    check(fn, [(2, 3, 6, 6), (4, 3, 3, 3), (2, 4, 3, 3), (2, 3, 6, 6)], dtype="float64")


@pytest.mark.parametrize("kw", [dict(kernel_size=3, padding=1, stride=2),
                                dict(kernel_size=(2, 3), dilation=(2, 1)),
                                dict(kernel_size=2, stride=1)])
def test_unfold_fold(kw):
    check(lambda lib, x: lib.nn.functional.unfold(x, **kw), [(2, 3, 7, 6)], dtype="float64")
    folded = torch.nn.functional.unfold(torch.zeros(2, 3, 7, 6), **kw)
    check(lambda lib, x: lib.nn.functional.fold(x, (7, 6), **kw), [tuple(folded.shape)],
          dtype="float64")
    check(lambda lib, x: lib.nn.functional.fold(x, (7, 6), **kw), [tuple(folded.shape[1:])])


def test_unfold_double_backward():
    check_gradcheck(lambda lib, x: lib.nn.functional.unfold(x, 2, padding=1) ** 2, [(1, 2, 3, 3)])


# --- errors ---------------------------------------------------------------------------------

def test_conv_errors_match_pytorch():
    F = minitorch.nn.functional
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to "
                                           r"conv2d, but got input of size: \[28, 28\]"):
        F.conv2d(minitorch.randn(28, 28), minitorch.randn(8, 1, 3, 3))
    with pytest.raises(RuntimeError, match="expected input\\[2, 3, 28, 28\\] to have 1 channels, "
                                           "but got 3 channels instead"):
        F.conv2d(minitorch.randn(2, 3, 28, 28), minitorch.randn(8, 1, 3, 3))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        F.conv2d(minitorch.randn(2, 1, 2, 2), minitorch.randn(8, 1, 3, 3))
    with pytest.raises(RuntimeError, match="expected weight to be divisible by 2"):
        F.conv2d(minitorch.randn(2, 4, 5, 5), minitorch.randn(3, 2, 3, 3), groups=2)
    with pytest.raises(RuntimeError, match="expected bias to be 1-dimensional with 8 elements"):
        F.conv2d(minitorch.randn(2, 1, 5, 5), minitorch.randn(8, 1, 3, 3), minitorch.randn(7))
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        F.conv2d(minitorch.randn(2, 1, 5, 5), minitorch.randn(8, 1, 3, 3), stride=2, padding="same")
    with pytest.raises(RuntimeError, match="Invalid padding string"):
        F.conv2d(minitorch.randn(2, 1, 5, 5), minitorch.randn(8, 1, 3, 3), padding="full")
    with pytest.raises(RuntimeError, match="non-positive stride"):
        F.conv2d(minitorch.randn(2, 1, 5, 5), minitorch.randn(8, 1, 3, 3), stride=0)
    with pytest.raises(RuntimeError, match="negative padding"):
        F.conv2d(minitorch.randn(2, 1, 5, 5), minitorch.randn(8, 1, 3, 3), padding=-1)
    with pytest.raises(RuntimeError, match="should be the same"):
        F.conv2d(minitorch.randn(2, 1, 5, 5), minitorch.randn(8, 1, 3, 3, dtype=minitorch.float64))
    with pytest.raises(RuntimeError, match="input to conv1d"):
        F.conv1d(minitorch.randn(2, 1, 5, 5), minitorch.randn(8, 1, 3))
    with pytest.raises(RuntimeError, match="transposed=1.*to have 2 channels, but got 3"):
        F.conv_transpose2d(minitorch.randn(2, 3, 5, 5), minitorch.randn(2, 4, 3, 3))
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or "
                                           "dilation"):
        F.conv_transpose2d(minitorch.randn(2, 2, 5, 5), minitorch.randn(2, 4, 3, 3), output_padding=1)


def test_conv_module_constructor_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        minitorch.nn.Conv2d(3, 8, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        minitorch.nn.Conv2d(1, 8, 3, padding="same", stride=2)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        minitorch.nn.Conv2d(1, 8, 3, padding_mode="mirror")
    with pytest.raises(RuntimeError, match="input to conv2d, but got input of size: \\[28, 28\\]"):
        minitorch.nn.Conv2d(1, 8, 3)(minitorch.randn(28, 28))


# --- modules ----------------------------------------------------------------------------------

CONV2D_MODULES = [
    dict(in_channels=3, out_channels=4, kernel_size=3),
    dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=2, padding=1, groups=2, bias=False),
    dict(in_channels=2, out_channels=4, kernel_size=3, padding="same", dilation=2),
    dict(in_channels=2, out_channels=2, kernel_size=3, padding=1, padding_mode="reflect"),
    dict(in_channels=2, out_channels=2, kernel_size=4, padding="same", padding_mode="circular"),
    dict(in_channels=2, out_channels=2, kernel_size=3, padding=2, padding_mode="replicate"),
]


@pytest.mark.parametrize("kw", CONV2D_MODULES)
def test_conv2d_module_matches_pytorch(kw):
    x = np.random.default_rng(0).standard_normal((2, kw["in_channels"], 7, 6)).astype(np.float32)
    compare_modules(minitorch.nn.Conv2d(**kw), torch.nn.Conv2d(**kw), [x])
    compare_modules(minitorch.nn.Conv2d(**kw), torch.nn.Conv2d(**kw), [x[0]])
    assert repr(minitorch.nn.Conv2d(**kw)) == repr(torch.nn.Conv2d(**kw))


def test_conv1d_module_matches_pytorch():
    x = np.random.default_rng(0).standard_normal((2, 3, 9)).astype(np.float32)
    for kw in [dict(kernel_size=3), dict(kernel_size=2, stride=2, padding=1, dilation=2, groups=3),
               dict(kernel_size=3, padding="same", padding_mode="reflect")]:
        compare_modules(minitorch.nn.Conv1d(3, 6, **kw), torch.nn.Conv1d(3, 6, **kw), [x])


def test_conv_transpose_modules_match_pytorch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 5, 4)).astype(np.float32)
    for kw in [dict(kernel_size=3), dict(kernel_size=3, stride=2, padding=1, output_padding=1,
                                         groups=2, bias=False, dilation=1),
               dict(kernel_size=(2, 3), stride=(2, 1), dilation=(1, 2))]:
        compare_modules(minitorch.nn.ConvTranspose2d(4, 6, **kw), torch.nn.ConvTranspose2d(4, 6, **kw),
                        [x])
    ours = minitorch.nn.ConvTranspose2d(4, 2, 3, stride=2)
    theirs = torch.nn.ConvTranspose2d(4, 2, 3, stride=2)
    compare_modules(ours, theirs, [x], lambda m, x: m(x, output_size=(12, 10)))
    compare_modules(minitorch.nn.ConvTranspose1d(4, 3, 3, stride=2),
                    torch.nn.ConvTranspose1d(4, 3, 3, stride=2), [x[:, :, 0]])


def test_conv_default_init_bounds():
    minitorch.manual_seed(0)
    for conv, fan_in in [(minitorch.nn.Conv2d(6, 8, (3, 5), groups=2), 3 * 15),
                         (minitorch.nn.Conv1d(4, 8, 7), 4 * 7),
                         (minitorch.nn.ConvTranspose2d(6, 4, 3), 4 * 9)]:
        bound = 1 / math.sqrt(fan_in)
        for p in (conv.weight, conv.bias):
            values = p.detach().numpy()
            assert values.min() >= -bound and values.max() <= bound
        weights = conv.weight.detach().numpy()
        assert weights.max() - weights.min() > bound  # spread over the range, not constant


def test_conv_state_dict_round_trip_from_pytorch():
    theirs = torch.nn.Conv2d(3, 4, 3, bias=False)
    ours = minitorch.nn.Conv2d(3, 4, 3, bias=False)
    ours.load_state_dict(theirs.state_dict())
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    assert list(ours.state_dict()) == ["weight"]
