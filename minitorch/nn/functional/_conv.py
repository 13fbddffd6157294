"""Convolutions: ``conv1d``, ``conv2d``, ``conv_transpose1d``, ``conv_transpose2d``, ``unfold``, ``fold``.

A convolution is one matrix product once its input windows are laid out as columns
("im2col"): for every kernel tap ``(i, j)`` copy the input pixels that tap sees, for all
output positions at once, into a buffer ``cols`` of shape (N, G, taps * C/G, Ho * Wo); then
``weight (G, O/G, taps * C/G) @ cols`` gives every output pixel. BLAS does the arithmetic;
Python only loops over the ``kh * kw`` taps.

The gradient w.r.t. the input goes the other way ("col2im"): ``weight^T @ grad`` gives one
column entry per (tap, output position), and each is added back onto the input pixel it
came from. With stride 1 that scatter is done on the whole batch seen as one flat vector:
the pixels a tap touches for *every* position of the padded grid are then one contiguous
run shifted by ``i * Wp + j``, so each tap is a single long addition instead of thousands of
short ones (positions off the valid grid carry zero gradient, so the runs may overlap
neighbouring rows and images harmlessly).

The three array kernels below (forward, gradient w.r.t. the input, gradient w.r.t. the
weight) call each other's Functions in their backward, so convolutions can be
differentiated any number of times: the gradient of a convolution w.r.t. its input *is*
a transposed convolution, and the gradient of a transposed convolution is a convolution.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "unfold", "fold"]


def _pair(value, name: str, dims: int = 2) -> tuple:
    """``3`` -> (3, 3); ``(2, 3)`` stays; PyTorch's error for a wrong length."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * dims
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * dims
    if len(value) != dims:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {dims} values "
                           f"to match the convolution dimensions, but got {name}={list(value)}")
    return value


class Geometry:
    """Where a convolution's windows sit on its input (shared by conv, its gradients, unfold,
    pooling). ``in_hw`` is the input's spatial size, ``padding`` is (top, bottom, left, right).
    """

    def __init__(self, in_hw, kernel, stride, padding, dilation, groups: int = 1):
        self.in_hw, self.kernel, self.stride = tuple(in_hw), tuple(kernel), tuple(stride)
        self.padding, self.dilation, self.groups = tuple(padding), tuple(dilation), groups
        (h, w), (kh, kw), (dh, dw) = self.in_hw, self.kernel, self.dilation
        top, bottom, left, right = padding
        self.padded_hw = (h + top + bottom, w + left + right)
        hp, wp = self.padded_hw
        self.out_hw = ((hp - dh * (kh - 1) - 1) // stride[0] + 1,
                       (wp - dw * (kw - 1) - 1) // stride[1] + 1)
        ho, wo = self.out_hw
        # col2im's flat layout computes on the whole padded grid; use it when that is not
        # much more than the valid output grid
        self.flat = stride == (1, 1) and hp * wp <= 2 * ho * wo
        self.grid_hw = self.padded_hw if self.flat else self.out_hw

    @property
    def taps(self):
        kh, kw = self.kernel
        return [(i, j) for i in range(kh) for j in range(kw)]

    def tap_slices(self, i: int, j: int) -> tuple:
        """The (rows, cols) slices of the padded input that kernel tap (i, j) sees."""
        (sh, sw), (dh, dw), (ho, wo) = self.stride, self.dilation, self.out_hw
        return (slice(i * dh, i * dh + (ho - 1) * sh + 1, sh),
                slice(j * dw, j * dw + (wo - 1) * sw + 1, sw))

    def flat_offset(self, i: int, j: int) -> int:
        return i * self.dilation[0] * self.padded_hw[1] + j * self.dilation[1]

    def flat_tail(self) -> int:
        """Room after the last image so that every tap's shifted run stays inside the buffer."""
        return self.flat_offset(self.kernel[0] - 1, self.kernel[1] - 1)


def im2col(x, geo: Geometry):
    """(N, C, H, W) array -> cols (N, G, taps * C/G, Ho * Wo), rows ordered (tap, channel)."""
    n, c = x.shape[:2]
    g = geo.groups
    (h, w), (hp, wp), (top, _, left, _) = geo.in_hw, geo.padded_hw, geo.padding
    padded = x
    if any(geo.padding):
        padded = np.zeros_like(x, shape=(n, c, hp, wp))
        padded[:, :, top:top + h, left:left + w] = x
    ho, wo = geo.out_hw
    cols = np.empty_like(x, shape=(n, g, len(geo.taps), c // g, ho, wo))
    for t, (i, j) in enumerate(geo.taps):
        rows, columns = geo.tap_slices(i, j)
        cols[:, :, t] = padded[:, :, rows, columns].reshape(n, g, c // g, ho, wo)
    return cols.reshape(n, g, len(geo.taps) * (c // g), ho * wo)


def col2im(cols, geo: Geometry, channels: int):
    """The adjoint of ``im2col``: add every column entry back onto the pixel it came from.

    ``cols`` (N, G, taps * C/G, M) is laid out on ``geo.grid_hw`` (see ``_to_grid``).
    """
    n, g = cols.shape[:2]
    c = channels
    (h, w), (hp, wp), (top, _, left, _) = geo.in_hw, geo.padded_hw, geo.padding
    ntaps = len(geo.taps)
    if geo.flat:
        size = n * c * hp * wp
        padded = np.zeros_like(cols, shape=(size + geo.flat_tail(),))
        per_tap = cols.reshape(n, g, ntaps, c // g * hp * wp)
        for t, (i, j) in enumerate(geo.taps):
            off = geo.flat_offset(i, j)
            padded[off:off + size].reshape(n, g, -1)[...] += per_tap[:, :, t]
        padded = padded[:size].reshape(n, c, hp, wp)
    else:
        ho, wo = geo.out_hw
        padded = np.zeros_like(cols, shape=(n, c, hp, wp))
        per_tap = cols.reshape(n, g, ntaps, c // g, ho, wo)
        for t, (i, j) in enumerate(geo.taps):
            rows, columns = geo.tap_slices(i, j)
            padded[:, :, rows, columns] += per_tap[:, :, t].reshape(n, c, ho, wo)
    if padded.shape[2:] == (h, w):
        return padded
    return padded[:, :, top:top + h, left:left + w].copy()


def _weight_matrix(weight, groups: int):
    """(O, C/G, kh, kw) -> (G, O/G, taps * C/G), columns ordered (tap, channel) like im2col's rows."""
    o, cg, kh, kw = weight.shape
    return (weight.reshape(groups, o // groups, cg, kh * kw).transpose(0, 1, 3, 2)
            .reshape(groups, o // groups, kh * kw * cg))


def _weight_from_matrix(matrix, shape):
    o, cg, kh, kw = shape
    groups = matrix.shape[0]
    # reshape copies the transposed matrix into the weight's (O, C/G, kh, kw) order
    return matrix.reshape(groups, o // groups, kh * kw, cg).transpose(0, 1, 3, 2).reshape(shape)


def _to_grid(grad, geo: Geometry):
    """An output-shaped (N, O, Ho, Wo) array laid out on the grid col2im expects (zeros elsewhere)."""
    n, o = grad.shape[:2]
    gh, gw = geo.grid_hw
    if geo.flat and geo.grid_hw != geo.out_hw:
        ho, wo = geo.out_hw
        full = np.zeros_like(grad, shape=(n, o, gh, gw))
        full[:, :, :ho, :wo] = grad
        grad = full
    return grad.reshape(n, geo.groups, o // geo.groups, gh * gw)


def _with_height(array):
    """A 1-D convolution's (N, C, L) array as the 2-D one's (N, C, 1, L)."""
    return array[:, :, None] if array.ndim == 3 else array


def conv_forward(x, weight, geo: Geometry):
    """y = conv(x, weight) on arrays: one (batched over N and groups) matrix product."""
    n, o = x.shape[0], weight.shape[0]
    cols = im2col(_with_height(x), geo)
    out = (_weight_matrix(_with_height(weight), geo.groups) @ cols).reshape(n, o, *geo.out_hw)
    return out[:, :, 0] if x.ndim == 3 else out


def conv_input_grad(grad, weight, geo: Geometry):
    """dL/dx of y = conv(x, weight) given dL/dy: the transposed convolution of ``grad``."""
    matrix = _weight_matrix(_with_height(weight), geo.groups).transpose(0, 2, 1)
    out = col2im(matrix @ _to_grid(_with_height(grad), geo), geo, weight.shape[1] * geo.groups)
    return out[:, :, 0] if grad.ndim == 3 else out


def conv_weight_grad(x, grad, weight_shape, geo: Geometry):
    """dL/dweight of y = conv(x, weight): sum over the batch of grad @ cols^T."""
    n, o = grad.shape[:2]
    grad = grad.reshape(n, geo.groups, o // geo.groups, -1)
    per_sample = grad @ im2col(_with_height(x), geo).transpose(0, 1, 3, 2)
    shape_2d = tuple(weight_shape[:2]) + (1,) * (4 - len(weight_shape)) + tuple(weight_shape[2:])
    return _weight_from_matrix(per_sample.sum(0), shape_2d).reshape(weight_shape)


def _add_bias(result, bias):
    if bias is not None:
        result += bias._data.reshape((1, -1) + (1,) * (result.ndim - 2))
    return result


def _bias_grad(grad):
    """dL/db: the output gradient summed over the batch and every position."""
    return grad.sum((0,) + tuple(range(2, grad.ndim)))


class Convolution(Function):
    """y = conv(x, w) + b (cross-correlation, as in PyTorch); dL/dx = conv_transpose(dL/dy, w),
    dL/dw[o, c, t] = sum_{n, p} dL/dy[n, o, p] x[n, c, p + t], dL/db = the sum of dL/dy over batch
    and positions; saves x and w (each only when the other's gradient is needed) and the geometry.

    The indices: y[n, o, p] = sum_{c, t} w[o, c, t] x[n, c, p + t].
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, input, weight, bias, *, geo):
        ctx.geo = geo
        ctx.save_for_backward(input if ctx.needs_input_grad[1] else None,
                              weight if ctx.needs_input_grad[0] else None)
        return _add_bias(conv_forward(input._data, weight._data, geo), bias)

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        geo = ctx.geo
        need_input, need_weight, need_bias = ctx.needs_input_grad[:3]
        grad_input = ConvTranspose.apply(grad, weight, None, geo=geo) if need_input else None
        grad_weight = (ConvWeightGrad.apply(input, grad, geo=geo, weight_shape=ctx._input_shapes[1])
                       if need_weight else None)
        grad_bias = _bias_grad(grad) if need_bias else None
        return grad_input, grad_weight, grad_bias


class ConvTranspose(Function):
    """y = conv_transpose(x, w) + b, the adjoint of Convolution for the geometry geo (whose input
    is this op's output); dL/dx = conv(dL/dy, w), dL/dw = conv_weight_grad(dL/dy, x), dL/db = the
    sum of dL/dy over batch and positions; saves x and w (each only when the other's gradient is
    needed) and the geometry."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, input, weight, bias, *, geo):
        ctx.geo = geo
        ctx.save_for_backward(input if ctx.needs_input_grad[1] else None,
                              weight if ctx.needs_input_grad[0] else None)
        return _add_bias(conv_input_grad(input._data, weight._data, geo), bias)

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        geo = ctx.geo
        need_input, need_weight, need_bias = ctx.needs_input_grad[:3]
        grad_input = Convolution.apply(grad, weight, None, geo=geo) if need_input else None
        grad_weight = (ConvWeightGrad.apply(grad, input, geo=geo, weight_shape=ctx._input_shapes[1])
                       if need_weight else None)
        grad_bias = _bias_grad(grad) if need_bias else None
        return grad_input, grad_weight, grad_bias


class ConvWeightGrad(Function):
    """y = conv_weight_grad(x, g), bilinear in (x, g): <y, k> = <g, conv(x, k)>; dL/dg = conv(x,
    dL/dy), dL/dx = conv_transpose(g, dL/dy); saves x and g (each only when the other's gradient is
    needed) and the geometry."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, input, grad, *, geo, weight_shape):
        ctx.geo = geo
        ctx.save_for_backward(input if ctx.needs_input_grad[1] else None,
                              grad if ctx.needs_input_grad[0] else None)
        return conv_weight_grad(input._data, grad._data, weight_shape, geo)

    @staticmethod
    def backward(ctx, grad_weight):
        input, grad = ctx.saved_tensors
        geo = ctx.geo
        d_input = ConvTranspose.apply(grad, grad_weight, None, geo=geo) if ctx.needs_input_grad[0] else None
        d_grad = Convolution.apply(input, grad_weight, None, geo=geo) if ctx.needs_input_grad[1] else None
        return d_input, d_grad


# --- argument checking shared by the public functions --------------------------------------

def _check_inputs(name: str, input, weight, bias, spatial: int, groups: int, transposed: bool):
    batched_dims = spatial + 2
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}() argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim not in (batched_dims - 1, batched_dims):
        raise RuntimeError(f"Expected {batched_dims - 1}D (unbatched) or {batched_dims}D (batched) input "
                           f"to {name}, but got input of size: {list(input.shape)}")
    if weight.ndim != batched_dims:
        raise RuntimeError(f"weight should have {batched_dims} dimensions for {name}, but got weight of "
                           f"size {list(weight.shape)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if input.dtype is not weight.dtype or (bias is not None and bias.dtype is not weight.dtype):
        raise RuntimeError(f"Input type ({input.dtype}) and weight type ({weight.dtype}) should be the "
                           "same (and bias too)")
    if input.device != weight.device:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                           f"devices, {input.device} and {weight.device}!")
    channels = input.shape[-spatial - 1]
    shape = list(weight.shape)
    if 0 in shape[2:]:
        raise RuntimeError(f"kernel size should be greater than zero, but got a kernel of size "
                           f"{shape[2:]} (weight of size {shape})")
    if not transposed:
        if shape[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                               f"dimension 0, but got weight of size [{shape}] instead")
        if channels != shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {shape}, expected "
                               f"input{list(input.shape)} to have {shape[1] * groups} channels, but "
                               f"got {channels} channels instead")
        out_channels = shape[0]
    else:
        if channels != shape[0] or shape[0] % groups:
            raise RuntimeError(f"Given transposed=1, weight of size {shape}, expected "
                               f"input{list(input.shape)} to have {shape[0]} channels, but got "
                               f"{channels} channels instead")
        out_channels = shape[1] * groups
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {shape}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {list(bias.shape)} instead")


def _check_positive(stride, dilation):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")


def _padding_for(padding, kernel, stride, dilation, dims: int) -> tuple:
    """(top, bottom, left, right) from an int, a tuple, 'valid' or 'same' (asymmetric when
    the total is odd: the extra pixel goes to the bottom/right, as in PyTorch)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        sides = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            sides += [total // 2, total - total // 2]
        return tuple(sides)
    pad = _pair(padding, "padding", dims)
    if any(p < 0 for p in pad):
        raise RuntimeError("negative padding is not supported")
    return tuple(p for p in pad for _ in range(2))


def _as_2d(t, dims: int):
    """1-D convolutions run as 2-D ones over a height of 1."""
    return t if dims == 2 else t.unsqueeze(-2)


def _convnd(name, dims, input, weight, bias, stride, padding, dilation, groups):
    _check_inputs(name, input, weight, bias, dims, groups, transposed=False)
    stride, dilation = _pair(stride, "stride", dims), _pair(dilation, "dilation", dims)
    _check_positive(stride, dilation)
    kernel = tuple(weight.shape[2:])
    pads = _padding_for(padding, kernel, stride, dilation, dims)
    unbatched = input.ndim == dims + 1
    x = input.unsqueeze(0) if unbatched else input
    if dims == 1:  # (the array helpers run it as a 2-D convolution over a height of 1)
        kernel, stride, dilation, pads = (1,) + kernel, (1,) + stride, (1,) + dilation, (0, 0) + pads
    in_hw = tuple(x.shape[2:]) if dims == 2 else (1,) + tuple(x.shape[2:])
    geo = Geometry(in_hw, kernel, stride, pads, dilation, groups)
    if min(geo.out_hw) <= 0:
        hp, wp = geo.padded_hw
        if dims == 2:
            padded, kern = f"{hp} x {wp}", f"{kernel[0]} x {kernel[1]}"
        else:
            padded, kern = f"{wp}", f"{kernel[1]}"
        raise RuntimeError(f"Calculated padded input size per channel: ({padded}). Kernel size: ({kern}). "
                           "Kernel size can't be greater than actual input size")
    out = Convolution.apply(x, weight, bias, geo=geo)
    return out.squeeze(0) if unbatched else out


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) over an input of shape (N, C, H, W) or (C, H, W).

    Args:
        weight: (out_channels, in_channels / groups, kH, kW).
        padding: an int, a pair, ``'valid'`` (none) or ``'same'`` (output as large as the input).

    Example::

        >>> x = minitorch.randn(1, 3, 8, 8)
        >>> F.conv2d(x, minitorch.randn(4, 3, 3, 3), padding=1).shape
        minitorch.Size([1, 4, 8, 8])
    """
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution over an input of shape (N, C, L) or (C, L); weight (out, in / groups, k)."""
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def _conv_transposend(name, dims, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    _check_inputs(name, input, weight, bias, dims, groups, transposed=True)
    stride, dilation = _pair(stride, "stride", dims), _pair(dilation, "dilation", dims)
    _check_positive(stride, dilation)
    if isinstance(padding, str):
        raise RuntimeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    pad = _pair(padding, "padding", dims)
    out_pad = _pair(output_padding, "output_padding", dims)
    if any(p < 0 for p in pad):
        raise RuntimeError("negative padding is not supported")
    for op, s, d in zip(out_pad, stride, dilation):
        if op < 0 or (op >= s and op >= d):
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                               f"output_padding={list(out_pad)}, stride={list(stride)}, "
                               f"dilation={list(dilation)}")
    kernel = tuple(weight.shape[2:])
    unbatched = input.ndim == dims + 1
    x = input.unsqueeze(0) if unbatched else input
    in_hw = tuple(x.shape[2:])
    if dims == 1:  # (run as a 2-D one over a height of 1)
        kernel, stride, dilation = (1,) + kernel, (1,) + stride, (1,) + dilation
        pad, out_pad, in_hw = (0,) + pad, (0,) + out_pad, (1,) + in_hw
    out_hw = tuple((size - 1) * s - 2 * p + d * (k - 1) + op + 1
                   for size, s, p, d, k, op in zip(in_hw, stride, pad, dilation, kernel, out_pad))
    if min(out_hw) <= 0:
        raise RuntimeError(f"Given input size per channel: {list(in_hw)}. Calculated output size "
                           f"per channel: {list(out_hw)}. Output size is too small")
    # the geometry of the convolution this op is the adjoint of: its input is our output
    geo = Geometry(out_hw, kernel, stride, (pad[0], pad[0], pad[1], pad[1]), dilation, groups)
    out = ConvTranspose.apply(x, weight, bias, geo=geo)
    return out.squeeze(0) if unbatched else out


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution ("deconvolution"): the gradient of conv2d w.r.t. its input.

    Args:
        weight: (in_channels, out_channels / groups, kH, kW).
        output_padding: extra size added to one side of the output (picks among the output
            sizes that a strided conv2d maps to the same input size).
    """
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution; weight (in_channels, out_channels / groups, k)."""
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


# --- unfold / fold: im2col and col2im as public differentiable ops --------------------------

class Unfold(Function):
    """y = unfold(x), sliding windows as columns: (N, C, H, W) -> (N, C*kh*kw, L); dL/dx =
    fold(dL/dy); saves the geometry."""

    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, input, *, geo):
        ctx.geo = geo
        n, c = input.shape[:2]
        cols = im2col(input._data, geo).reshape(n, len(geo.taps), c, -1)  # rows (tap, channel)
        # PyTorch orders rows (channel, tap)
        return cols.transpose(0, 2, 1, 3).reshape(n, c * len(geo.taps), -1)

    @staticmethod
    def backward(ctx, grad):
        return Fold.apply(grad, geo=ctx.geo)


class Fold(Function):
    """y = fold(x), columns back onto an image, summing overlaps: (N, C*kh*kw, L) -> (N, C, H, W);
    dL/dx = unfold(dL/dy); saves the geometry."""

    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, input, *, geo):
        ctx.geo = geo
        n, rows, length = input.shape
        ntaps = len(geo.taps)
        c = rows // ntaps
        cols = input._data.reshape(n, c, ntaps, length).transpose(0, 2, 1, 3)
        cols = _to_grid(cols.reshape(n, ntaps * c, *geo.out_hw), geo)  # zeros off the valid grid
        return col2im(cols.reshape(n, 1, ntaps * c, -1), geo, c)

    @staticmethod
    def backward(ctx, grad):
        return Unfold.apply(grad, geo=ctx.geo)


def unfold(input: Tensor, kernel_size: int | Sequence[int], dilation: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
           stride: int | Sequence[int] = 1) -> Tensor:
    """Extract sliding local blocks: (N, C, H, W) -> (N, C * kh * kw, L), L = number of windows.

    Example::

        >>> F.unfold(minitorch.randn(1, 2, 4, 4), kernel_size=2).shape
        minitorch.Size([1, 8, 9])
    """
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    kernel, dilation = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    stride, pad = _pair(stride, "stride"), _pair(padding, "padding")
    _check_positive(stride, dilation)
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    geo = Geometry(x.shape[2:], kernel, stride, (pad[0], pad[0], pad[1], pad[1]), dilation)
    if min(geo.out_hw) <= 0:
        raise RuntimeError(f"Given input with spatial size {list(x.shape[2:])}, kernel_size={list(kernel)}, "
                           f"dilation={list(dilation)}, padding={list(pad)}, calculated shape of the "
                           f"array of sliding blocks as {list(geo.out_hw)}, but its components must be "
                           "at least one.")
    out = Unfold.apply(x, geo=geo)
    return out.squeeze(0) if unbatched else out


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Combine sliding local blocks into an image, summing overlapping values (unfold's adjoint):
    (N, C * kh * kw, L) -> (N, C, H, W)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                           f"supported (got {input.ndim}D)")
    out_hw, kernel = _pair(output_size, "output_size"), _pair(kernel_size, "kernel_size")
    dilation, stride, pad = _pair(dilation, "dilation"), _pair(stride, "stride"), _pair(padding, "padding")
    _check_positive(stride, dilation)
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    ntaps = kernel[0] * kernel[1]
    if x.shape[1] % ntaps:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size={tuple(kernel)}")
    geo = Geometry(out_hw, kernel, stride, (pad[0], pad[0], pad[1], pad[1]), dilation)
    blocks = geo.out_hw[0] * geo.out_hw[1]
    if x.shape[2] != blocks:
        raise RuntimeError(f"Given output_size={tuple(out_hw)}, kernel_size={tuple(kernel)}, "
                           f"dilation={tuple(dilation)}, padding={tuple(pad)}, stride={tuple(stride)}, "
                           f"expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {geo.out_hw[0]} * {geo.out_hw[1]} = {blocks}, but got "
                           f"input.size(2)={x.shape[2]}.")
    out = Fold.apply(x, geo=geo)
    return out.squeeze(0) if unbatched else out
