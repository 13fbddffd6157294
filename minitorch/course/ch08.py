"""Checks for chapter 08: convolutions.

Every check runs the learner's code on the same geometries (batch, channels, non-square
images, kernel sizes, strides, paddings, float32 and float64, a non-contiguous input) and
compares with PyTorch: ``F.unfold`` for im2col, ``F.fold`` for col2im, ``F.conv2d`` and its
gradients for the convolution; minitorch's own ``unfold`` is checked to agree as well.
"""
from __future__ import annotations

import numpy as np

from .checking import pytorch as _torch, run


# (input shape, out channels, kernel, stride, padding, dtype, transposed): ``transposed`` makes
# the input a non-contiguous view (its last two axes swapped), as a permuted tensor would be.
_GEOMETRIES = [
    ((2, 3, 8, 8), 4, 3, 1, 0, np.float32, False),
    ((2, 3, 7, 9), 5, 3, 2, 1, np.float64, False),
    ((1, 2, 6, 5), 3, 2, 2, 0, np.float32, False),
    ((3, 1, 5, 5), 2, 5, 1, 2, np.float64, False),
    ((2, 2, 6, 5), 3, 3, 1, 2, np.float32, True),
    ((1, 4, 3, 3), 2, 1, 1, 0, np.float64, False),
]


def _describe(shape, k, stride, padding, dtype, transposed):
    view = ", a transposed (non-contiguous) view" if transposed else ""
    return (f"input {shape} {np.dtype(dtype).name}{view}, kernel {k}, stride {stride}, "
            f"padding {padding}")


def _geometries(seed=0):
    """Each geometry's description, input array and its other numbers."""
    rng = np.random.default_rng(seed)
    for shape, out_channels, k, stride, padding, dtype, transposed in _GEOMETRIES:
        if transposed:
            x = rng.standard_normal(shape[:2] + shape[:1:-1]).astype(dtype).transpose(0, 1, 3, 2)
        else:
            x = rng.standard_normal(shape).astype(dtype)
        yield _describe(shape, k, stride, padding, dtype, transposed), x, out_channels, k, stride, padding


def _tolerance(dtype):
    return {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-9, "atol": 1e-10}


def im2col(fn):
    """``fn(x, kernel_size, stride, padding)`` equals PyTorch's ``F.unfold`` (and minitorch's)."""
    torch = _torch()
    import minitorch

    def cases(expect):
        for text, x, _, k, stride, padding in _geometries():
            expected = torch.nn.functional.unfold(torch.from_numpy(x), k, padding=padding,
                                                  stride=stride).numpy()
            got = fn(x, k, stride, padding)
            expect.close(f"im2col of an {text} (against PyTorch's F.unfold)", got, expected,
                         check_dtype=True, **_tolerance(x.dtype))
            reference = minitorch.nn.functional.unfold(minitorch.tensor(x), k, padding=padding,
                                                       stride=stride)
            expect.close(f"im2col of an {text} (against minitorch's F.unfold)", got, reference,
                         **_tolerance(x.dtype))
    return run("im2col", cases,
               hint="pad with np.pad first; for kernel offset (a, b) take the "
                    "slice padded[:, :, a:a + stride*H_out:stride, b:b + stride*W_out:stride] "
                    "into an array (N, C, k, k, H_out, W_out), then reshape")


def conv2d_forward(fn):
    """``fn(x, weight, bias, stride, padding)`` equals PyTorch's ``F.conv2d``, bias or not."""
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(1)
        for i, (text, x, out_channels, k, stride, padding) in enumerate(_geometries()):
            weight = rng.standard_normal((out_channels, x.shape[1], k, k)).astype(x.dtype)
            bias = None if i == 2 else rng.standard_normal(out_channels).astype(x.dtype)
            expected = torch.nn.functional.conv2d(
                torch.from_numpy(x), torch.from_numpy(weight),
                None if bias is None else torch.from_numpy(bias), stride=stride, padding=padding)
            expect.close(f"conv2d of an {text}, {out_channels} output channels, "
                         f"{'no bias' if bias is None else 'with bias'} (against PyTorch)",
                         fn(x, weight, bias, stride, padding), expected, check_dtype=True,
                         **_tolerance(x.dtype))
    return run("conv2d_forward", cases,
               hint="weight.reshape(O, -1) @ im2col(...) gives (N, O, H_out * W_out); add the bias "
                    "as (1, O, 1), then reshape to (N, O, H_out, W_out)")


def col2im(fn):
    """``fn(columns, input_shape, kernel_size, stride, padding)`` equals PyTorch's ``F.fold``
    and is the adjoint of im2col."""
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(2)
        for text, x, _, k, stride, padding in _geometries():
            unfold = torch.nn.functional.unfold(torch.from_numpy(x), k, padding=padding,
                                                stride=stride)
            columns = rng.standard_normal(tuple(unfold.shape)).astype(x.dtype)
            expected = torch.nn.functional.fold(torch.from_numpy(columns), x.shape[2:], k,
                                                padding=padding, stride=stride)
            got = fn(columns, x.shape, k, stride, padding)
            expect.close(f"col2im back onto an {text} (against PyTorch's F.fold)", got,
                         expected, check_dtype=True, **_tolerance(x.dtype))
            expect.close(f"<im2col(x), columns> = <x, col2im(columns)> for an {text}",
                         float(np.vdot(x, got)), float(np.vdot(unfold.numpy(), columns)),
                         **_tolerance(x.dtype))
    return run("col2im", cases,
               hint="windows overlap: add (+=) each kernel offset's slice onto the padded image, "
                    "do not assign; then cut the padding off: padded[:, :, p:p + H, p:p + W]")


def conv2d_function(Function):
    """``Function.apply(x, weight, bias, stride, padding)``: the output and the gradients of
    x, weight and bias for a random upstream gradient, against PyTorch."""
    torch = _torch()
    import minitorch

    def cases(expect):
        rng = np.random.default_rng(3)
        for text, x, out_channels, k, stride, padding in _geometries():
            weight = rng.standard_normal((out_channels, x.shape[1], k, k)).astype(x.dtype)
            bias = rng.standard_normal(out_channels).astype(x.dtype)
            theirs = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
            expected = torch.nn.functional.conv2d(*theirs, stride=stride, padding=padding)
            upstream = rng.standard_normal(tuple(expected.shape)).astype(x.dtype)
            (expected * torch.from_numpy(upstream)).sum().backward()
            ours = [minitorch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
            got = Function.apply(*ours, stride, padding)
            tolerance = _tolerance(x.dtype)
            expect.close(f"the output for an {text}", got, expected.detach(), **tolerance)
            (got * minitorch.tensor(upstream)).sum().backward()
            hints = {"input": "dL/dcolumns = W^T @ dL/dy (W = weight.reshape(O, -1)), then col2im",
                     "weight": "dL/dW = dL/dy @ columns^T, summed (not averaged) over the batch, "
                               "reshaped to the weight's shape",
                     "bias": "dL/db sums dL/dy over the batch and every position: one number per "
                             "output channel"}
            for name, mine, reference in zip(hints, ours, theirs):
                expect.close(f"the gradient of the {name} for an {text} (against PyTorch)",
                             mine.grad, reference.grad, check_dtype=True, hint=hints[name],
                             **tolerance)
    return run("Conv2dFunction", cases)


# (input shape, kernel, stride, dtype, transposed): strides below the kernel size make the
# windows overlap, so a pixel can win in two windows and its gradients must add up.
_POOLS = [
    ((2, 3, 8, 8), 2, 2, np.float32, False),
    ((1, 2, 7, 9), 3, 2, np.float64, False),
    ((2, 1, 5, 5), 2, 1, np.float32, False),
    ((2, 2, 6, 5), 3, 1, np.float64, True),
]


def max_pool2d_function(Function):
    """``Function.apply(x, kernel_size, stride)``: the pooled values and the input's gradient
    for a random upstream gradient, against PyTorch's ``F.max_pool2d``."""
    torch = _torch()
    import minitorch

    def cases(expect):
        rng = np.random.default_rng(4)
        for shape, k, stride, dtype, transposed in _POOLS:
            text = _describe(shape, k, stride, 0, dtype, transposed).replace(", padding 0", "")
            x = rng.standard_normal(shape[:2] + shape[:1:-1] if transposed else shape).astype(dtype)
            x = x.transpose(0, 1, 3, 2) if transposed else x
            theirs = torch.tensor(x, requires_grad=True)
            expected = torch.nn.functional.max_pool2d(theirs, k, stride)
            upstream = rng.standard_normal(tuple(expected.shape)).astype(dtype)
            (expected * torch.from_numpy(upstream)).sum().backward()
            ours = minitorch.tensor(x, requires_grad=True)
            got = Function.apply(ours, k, stride)
            expect.close(f"max pooling of an {text}", got, expected.detach(), check_dtype=True,
                         hint="the maximum of each column of im2col (one channel at a time)")
            (got * minitorch.tensor(upstream)).sum().backward()
            expect.close(f"the gradient of an {text} (against PyTorch)", ours.grad, theirs.grad,
                         check_dtype=True, **_tolerance(x.dtype),
                         hint="each output's gradient goes to its column's argmax only (zeros "
                              "elsewhere in the column), then col2im adds the columns up")
    return run("MaxPool2dFunction", cases)
