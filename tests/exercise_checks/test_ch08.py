"""Chapter 08's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes fail with the input and expected vs got."""
import numpy as np

import minitorch
from minitorch.course import ch08 as check

from .learner import failed, module

solution, stub = module("08", "solution"), module("08", "stub")


def _im2col(x, k, stride=1, padding=0, plus_one=1, step=None, rows_offset_first=False):
    """im2col with optional mistakes: no +1 in the output size, slices without the stride,
    rows ordered (a, b, c) instead of (c, a, b)."""
    n, c, h, w = x.shape
    h_out, w_out = (h + 2 * padding - k) // stride + plus_one, (w + 2 * padding - k) // stride + plus_one
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    step = stride if step is None else step
    columns = np.empty((n, c, k, k, h_out, w_out), dtype=x.dtype)
    for a in range(k):
        for b in range(k):
            columns[:, :, a, b] = padded[:, :, a:a + step * h_out:step, b:b + step * w_out:step][
                :, :, :h_out, :w_out]
    if rows_offset_first:
        columns = columns.transpose(0, 2, 3, 1, 4, 5)
    return columns.reshape(n, c * k * k, h_out * w_out)


def test_im2col():
    assert check.im2col(solution.im2col)
    assert check.im2col(stub.im2col).status == "unfinished"
    assert check.im2col(_im2col)      # the helper without mistakes is right
    assert failed(check.im2col(lambda *a: _im2col(*a, plus_one=0)), "shape")
    assert failed(check.im2col(lambda *a: _im2col(*a, step=1)), "stride 2")
    assert failed(check.im2col(lambda *a: _im2col(*a, rows_offset_first=True)), "input (2, 3, 8, 8)")


def test_conv2d_forward():
    assert check.conv2d_forward(solution.conv2d_forward)
    assert check.conv2d_forward(stub.conv2d_forward).status == "unfinished"

    def without_bias(x, weight, bias=None, stride=1, padding=0):
        return solution.conv2d_forward(x, weight, None, stride, padding)

    def output_sides_swapped(x, weight, bias=None, stride=1, padding=0):
        out = solution.conv2d_forward(x, weight, bias, stride, padding)
        return out.reshape(out.shape[0], out.shape[1], out.shape[3], out.shape[2])

    def weight_flattened_in_another_order(x, weight, bias=None, stride=1, padding=0):
        return solution.conv2d_forward(x, weight.transpose(0, 1, 3, 2), bias, stride, padding)

    assert failed(check.conv2d_forward(without_bias), "with bias")
    assert failed(check.conv2d_forward(output_sides_swapped), "(2, 3, 7, 9)")
    assert failed(check.conv2d_forward(weight_flattened_in_another_order), "against PyTorch")


def test_col2im():
    assert check.col2im(solution.col2im)
    assert check.col2im(stub.col2im).status == "unfinished"

    def assigns(columns, input_shape, k, stride=1, padding=0):   # '=' instead of '+='
        n, c, h, w = input_shape
        h_out, w_out = (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1
        columns = columns.reshape(n, c, k, k, h_out, w_out)
        padded = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=columns.dtype)
        for a in range(k):
            for b in range(k):
                padded[:, :, a:a + stride * h_out:stride, b:b + stride * w_out:stride] = columns[:, :, a, b]
        return padded[:, :, padding:padding + h, padding:padding + w]

    def keeps_the_padding(columns, input_shape, k, stride=1, padding=0):
        n, c, h, w = input_shape
        padded_shape = (n, c, h + 2 * padding, w + 2 * padding)
        return solution.col2im(columns, padded_shape, k, stride, 0)

    assert failed(check.col2im(assigns), "F.fold", "+=")
    assert failed(check.col2im(keeps_the_padding), "padding 1", "shape")


def _conv_with_backward(mistake):
    """The solution's Conv2dFunction whose backward makes one mistake."""
    col2im = solution.col2im

    class Wrong(solution.Conv2dFunction):
        @staticmethod
        def backward(ctx, grad_output):
            n, o = grad_output.shape[:2]
            grad = grad_output.detach().numpy().reshape(n, o, -1)
            k = ctx.weight.shape[2]
            weight_matrix = ctx.weight.reshape(o, -1)
            if mistake == "no transpose":
                grad_columns = weight_matrix @ grad
            else:
                grad_columns = weight_matrix.T @ grad
            grad_x = col2im(grad_columns, ctx.input_shape, k, ctx.stride, ctx.padding)
            per_image = grad @ ctx.columns.transpose(0, 2, 1)
            grad_weight = (per_image.mean(0) if mistake == "mean over batch" else per_image.sum(0))
            grad_bias = {"bias over batch only": grad.sum(axis=0),
                         "bias averaged": grad.mean(axis=(0, 2))}.get(mistake, grad.sum(axis=(0, 2)))
            return (minitorch.from_numpy(np.ascontiguousarray(grad_x)),
                    minitorch.from_numpy(grad_weight.reshape(ctx.weight.shape)),
                    minitorch.from_numpy(np.ascontiguousarray(grad_bias)), None, None)
    return Wrong


def test_conv2d_function():
    assert check.conv2d_function(solution.Conv2dFunction)
    assert check.conv2d_function(stub.Conv2dFunction).status == "unfinished"
    assert check.conv2d_function(_conv_with_backward("none"))   # the mistakes below are the only change
    assert failed(check.conv2d_function(_conv_with_backward("mean over batch")),
                  "gradient of the weight", "summed (not averaged)")
    assert failed(check.conv2d_function(_conv_with_backward("bias averaged")),
                  "gradient of the bias", "every position")
    # gradients of the wrong shape: autograd itself refuses them, as PyTorch does
    verdict = check.conv2d_function(_conv_with_backward("bias over batch only"))
    assert verdict.status == "error" and "invalid gradient at index 2" in verdict.message, verdict.message
    verdict = check.conv2d_function(_conv_with_backward("no transpose"))
    assert verdict.status == "error" and "ValueError" in verdict.message, verdict.message


def _pool_with_backward(spread_over_window=False, first_position=False):
    """The solution's MaxPool2dFunction whose backward sends the gradient to the wrong place."""
    col2im = solution.col2im

    class Wrong(solution.MaxPool2dFunction):
        @staticmethod
        def backward(ctx, grad_output):
            n, c, h, w = ctx.input_shape
            k = ctx.kernel_size
            grad = grad_output.detach().numpy().reshape(n * c, 1, -1)
            grad_columns = np.zeros((n * c, k * k, grad.shape[2]), dtype=grad.dtype)
            if spread_over_window:                    # as if it were average pooling
                grad_columns += grad / (k * k)
            else:
                winner = np.zeros_like(ctx.argmax) if first_position else ctx.argmax
                np.put_along_axis(grad_columns, winner[:, None], grad, axis=1)
            grad_x = col2im(grad_columns, (n * c, 1, h, w), k, ctx.stride)
            return minitorch.from_numpy(np.ascontiguousarray(grad_x).reshape(n, c, h, w)), None, None
    return Wrong


def test_max_pool2d_function():
    assert check.max_pool2d_function(solution.MaxPool2dFunction)
    assert check.max_pool2d_function(stub.MaxPool2dFunction).status == "unfinished"
    assert check.max_pool2d_function(_pool_with_backward())     # the mistakes below are the only change
    assert failed(check.max_pool2d_function(_pool_with_backward(spread_over_window=True)),
                  "gradient of an input (2, 3, 8, 8)", "argmax")
    assert failed(check.max_pool2d_function(_pool_with_backward(first_position=True)),
                  "gradient")
