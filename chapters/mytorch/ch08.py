"""Chapter 08 of your framework: the cells marked #@save, as you last ran them."""


#@save
import numpy as np


def conv_output_size(size, kernel_size, stride=1, padding=0):
    """How many windows fit along a side of `size` pixels (the +1 counts the first one)."""
    return (size + 2 * padding - kernel_size) // stride + 1


def im2col(x, kernel_size, stride=1, padding=0):
    """Every kernel_size x kernel_size window of x (N, C, H, W), after zero padding, as a
    column: an array (N, C * k * k, H_out * W_out) laid out like torch.nn.functional.unfold."""
    n, c, h, w = x.shape
    k = kernel_size
    h_out, w_out = conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding)
    ### BEGIN SOLUTION
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    columns = np.empty((n, c, k, k, h_out, w_out), dtype=x.dtype)
    for a in range(k):
        for b in range(k):
            columns[:, :, a, b] = padded[:, :, a:a + stride * h_out:stride, b:b + stride * w_out:stride]
    return columns.reshape(n, c * k * k, h_out * w_out)
    ### END SOLUTION


#@save
def conv2d_forward(x, weight, bias=None, stride=1, padding=0):
    """conv2d on NumPy arrays: x (N, C, H, W), weight (O, C, k, k), bias (O,) or None ->
    (N, O, H_out, W_out), as im2col and one matrix product."""
    n, h, w = x.shape[0], x.shape[2], x.shape[3]
    o, k = weight.shape[0], weight.shape[2]
    h_out, w_out = conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding)
    ### BEGIN SOLUTION
    out = weight.reshape(o, -1) @ im2col(x, k, stride, padding)       # (N, O, L)
    if bias is not None:
        out = out + bias.reshape(1, o, 1)
    return out.reshape(n, o, h_out, w_out)
    ### END SOLUTION


#@save
import numpy as np


def col2im(columns, input_shape, kernel_size, stride=1, padding=0):
    """The adjoint of im2col: columns (N, C * k * k, H_out * W_out) -> an image of
    input_shape (N, C, H, W) in which every entry of the columns is added onto the pixel it
    came from (entries that came from the zero padding are dropped)."""
    n, c, h, w = input_shape
    k = kernel_size
    h_out, w_out = conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding)
    ### BEGIN SOLUTION
    columns = columns.reshape(n, c, k, k, h_out, w_out)
    padded = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=columns.dtype)
    for a in range(k):
        for b in range(k):
            padded[:, :, a:a + stride * h_out:stride, b:b + stride * w_out:stride] += columns[:, :, a, b]
    return padded[:, :, padding:padding + h, padding:padding + w]
    ### END SOLUTION


#@save
import numpy as np

import minitorch
from minitorch.autograd import Function


class Conv2dFunction(Function):
    """y = conv2d(x, weight, bias, stride, padding) on your im2col; backward by col2im."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride=1, padding=0):
        x, weight, bias = x.detach().numpy(), weight.detach().numpy(), bias.detach().numpy()
        ctx.columns = im2col(x, weight.shape[2], stride, padding)   # (N, C k k, L)
        ctx.weight, ctx.input_shape, ctx.stride, ctx.padding = weight, x.shape, stride, padding
        return conv2d_forward(x, weight, bias, stride, padding)

    @staticmethod
    def backward(ctx, grad_output):
        """(dL/dx, dL/dweight, dL/dbias, None, None) from dL/dy (N, O, H_out, W_out)."""
        n, o = grad_output.shape[:2]
        grad = grad_output.detach().numpy().reshape(n, o, -1)       # (N, O, L)
        k = ctx.weight.shape[2]
        ### BEGIN SOLUTION
        weight_matrix = ctx.weight.reshape(o, -1)                   # (O, C k k)
        grad_columns = weight_matrix.T @ grad                       # (N, C k k, L)
        grad_x = col2im(grad_columns, ctx.input_shape, k, ctx.stride, ctx.padding)
        grad_weight = (grad @ ctx.columns.transpose(0, 2, 1)).sum(0).reshape(ctx.weight.shape)
        grad_bias = grad.sum(axis=(0, 2))
        ### END SOLUTION
        return (minitorch.from_numpy(np.ascontiguousarray(grad_x)),
                minitorch.from_numpy(grad_weight), minitorch.from_numpy(grad_bias), None, None)


#@save
import numpy as np

import minitorch
from minitorch.autograd import Function


class MaxPool2dFunction(Function):
    """max_pool2d(x, kernel_size, stride) without padding, on your im2col; backward by col2im."""

    @staticmethod
    def forward(ctx, x, kernel_size, stride):
        x = x.detach().numpy()
        n, c, h, w = x.shape
        k = kernel_size
        columns = im2col(x.reshape(n * c, 1, h, w), k, stride)      # (N C, k k, L): one channel each
        ctx.input_shape, ctx.kernel_size, ctx.stride = x.shape, k, stride
        h_out, w_out = conv_output_size(h, k, stride), conv_output_size(w, k, stride)
        ### BEGIN SOLUTION
        ctx.argmax = columns.argmax(axis=1)                          # (N C, L)
        maxima = np.take_along_axis(columns, ctx.argmax[:, None], axis=1)
        ### END SOLUTION
        return maxima.reshape(n, c, h_out, w_out)

    @staticmethod
    def backward(ctx, grad_output):
        """(dL/dx, None, None): each output's gradient goes to its window's argmax."""
        n, c, h, w = ctx.input_shape
        k = ctx.kernel_size
        grad = grad_output.detach().numpy().reshape(n * c, 1, -1)   # (N C, 1, L)
        ### BEGIN SOLUTION
        grad_columns = np.zeros((n * c, k * k, grad.shape[2]), dtype=grad.dtype)
        np.put_along_axis(grad_columns, ctx.argmax[:, None], grad, axis=1)
        grad_x = col2im(grad_columns, (n * c, 1, h, w), k, ctx.stride)
        ### END SOLUTION
        return minitorch.from_numpy(np.ascontiguousarray(grad_x).reshape(n, c, h, w)), None, None
