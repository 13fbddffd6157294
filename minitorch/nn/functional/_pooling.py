"""Pooling: max, average and adaptive pooling over 1-D and 2-D inputs.

A pooling window slides like a convolution's (the same ``Geometry``), but instead of a
matrix product each output is the max or the mean of its window. Both are computed with
vectorised passes over kernel *taps*: tap (i, j) of every window, for all windows at once,
is a strided slice of the padded input. Average pooling sums the kh * kw taps; max pooling
goes one axis at a time (the max along each row's taps, then along the column's), so a
2x2 max pool is two ``maximum`` passes.

Max pooling remembers which element won (PyTorch's ``indices``: the flat position inside
each input plane, first maximum on ties), and its gradient is routed back to exactly that
element. Adaptive average pooling is a product with two small averaging matrices.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...backend import namespace, scatter_add
from ...tensor import Tensor
from ._axis_maps import AdaptiveAvgPool2d, matrix_like
from ._conv import Geometry, _pair

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "max_pool1d_with_indices", "max_pool2d_with_indices"]


def _out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size: with ceil_mode the last window may hang over the
    bottom/right edge, but must start inside the input or its left padding."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_geometry(name, input, kernel_size, stride, padding, dilation, ceil_mode) -> Geometry:
    if input.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _pair(stride, "stride")
    pad, dilation = _pair(padding, "padding"), _pair(dilation, "dilation")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got {list(kernel)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{name}: stride must be greater than zero, but got {list(stride)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{name}: dilation must be greater than zero, but got {list(dilation)}")
    for p, k, d in zip(pad, kernel, dilation):
        if p < 0 or p > k // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    in_hw = tuple(input.shape[-2:])
    out_hw = tuple(_out_size(n, k, s, p, d, ceil_mode)
                   for n, k, s, p, d in zip(in_hw, kernel, stride, pad, dilation))
    if min(out_hw) <= 0:
        c = input.shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{in_hw[0]}x{in_hw[1]}). Calculated output size: "
                           f"({c}x{out_hw[0]}x{out_hw[1]}). Output size is too small")
    # extra padding at the bottom/right so that ceil_mode's overhanging windows fit
    extra = [max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p))
             for o, n, k, s, p, d in zip(out_hw, in_hw, kernel, stride, pad, dilation)]
    return Geometry(in_hw, kernel, stride, (pad[0], pad[0] + extra[0], pad[1], pad[1] + extra[1]),
                    dilation)


def _padded(x, geo: Geometry, fill):
    """The (N, C, H, W) array inside a border of ``fill`` as geo's padding asks."""
    if not any(geo.padding):
        return x
    (h, w), (hp, wp), (top, _, left, _) = geo.in_hw, geo.padded_hw, geo.padding
    out = np.full_like(x, fill, shape=x.shape[:2] + (hp, wp))
    out[:, :, top:top + h, left:left + w] = x
    return out


def _nan_may_win(x) -> bool:
    """Does max pooling need the pass that lets NaNs win? Only if ``x`` holds NaNs; but asking
    a GPU's data means waiting for it (a copy to the host), so on a GPU the pass is always made."""
    if x.dtype.kind != "f":
        return False
    return namespace(x) is not np or bool(np.isnan(x).any())


def _running_max(values: list, nan_wins: bool = False):
    """Max and arg-max over a list of equally shaped arrays, one pass per array.

    Ties keep the earlier one, as PyTorch's max pooling does; with ``nan_wins`` a NaN takes
    the place of whatever came before (PyTorch's rule; checking for it costs a pass, so it is
    only done when the input has NaNs).
    """
    best = values[0].copy()
    arg = np.zeros_like(best, dtype=np.uint8 if len(values) < 256 else np.int64)
    for t, v in enumerate(values[1:], start=1):
        better = v > best
        if nan_wins:
            better |= v != v
        # t is larger than every earlier position, so "arg = t where better" is a maximum
        # (arithmetic on small integers is much faster than a masked assignment)
        np.maximum(arg, better * arg.dtype.type(t), out=arg)
        np.maximum(best, v, out=best)
    return best, arg


def _window_max(x, geo: Geometry):
    """Max of every pooling window, and the (row, col) in ``x`` where it sits.

    The max over a window is the max over its rows of the max along each row, so this runs
    along the width first (kw passes over the padded rows), then along the height (kh passes):
    about kh + kw passes instead of kh * kw. The earliest maximum still wins ties, in
    PyTorch's row-major scan order: the first row that holds the maximum, then its first column.
    """
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.dilation, geo.out_hw
    top, left = geo.padding[0], geo.padding[2]
    xp = namespace(x)
    nan_wins = _nan_may_win(x)
    padded = _padded(x, geo, -np.inf)
    along_rows, col_tap = _running_max(
        [padded[..., j * dw:j * dw + (wo - 1) * sw + 1:sw] for j in range(kw)], nan_wins)
    row_slices = [(Ellipsis, slice(i * dh, i * dh + (ho - 1) * sh + 1, sh), slice(None))
                  for i in range(kh)]
    out, row_tap = _running_max([along_rows[key] for key in row_slices], nan_wins)
    # the winning column of the winning row: exactly one term of the sum is non-zero
    col = col_tap[row_slices[0]] * (row_tap == 0)
    for i in range(1, kh):
        col += col_tap[row_slices[i]] * (row_tap == i)
    rows = xp.arange(ho).reshape(ho, 1) * sh - top + row_tap * dh
    cols = xp.arange(wo) * sw - left + col * dw
    if top or left:
        # a window whose values are all -inf "wins" at its first position, which may be in the
        # padding: PyTorch reports the window's first position inside the input instead
        rows, cols = xp.maximum(rows, 0), xp.maximum(cols, 0)
    return out, rows, cols


class MaxPool2d(Function):
    """y = the max over each window; dL/dx = dL/dy at the element that won, 0 elsewhere; saves the
    winners' indices and whether windows overlap."""

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, input, *, geo):
        out, rows, cols = _window_max(input._data, geo)
        indices = Tensor._from_array(rows * geo.in_hw[1] + cols)
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        ctx.overlapping = any(s < d * (k - 1) + 1 for s, d, k in zip(geo.stride, geo.dilation, geo.kernel))
        return out, indices

    @staticmethod
    def backward(ctx, grad, _grad_indices):
        (indices,) = ctx.saved_tensors
        return PlaneScatter.apply(grad, indices, ctx._input_shapes[0], ctx.overlapping)


class PlaneScatter(Function):
    """y = zeros of the input's shape with each grad[n, c, k] added at plane position indices[n, c,
    k] (the max-pool backward); dL/dgrad = dL/dy gathered at the same positions; saves the indices.
    """

    node_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, indices, shape, overlapping):
        ctx.save_for_backward(indices)
        g, idx = grad._data, indices._data
        planes = int(np.prod(shape[:-2]))
        result = np.zeros_like(g, shape=(planes, shape[-2] * shape[-1]))
        if overlapping:  # one input element may win several windows: their gradients add
            rows = namespace(g).arange(planes).reshape(planes, 1)
            scatter_add(result, (rows, idx.reshape(planes, -1)), g.reshape(planes, -1))
        else:
            np.put_along_axis(result, idx.reshape(planes, -1), g.reshape(planes, -1), axis=1)
        return result.reshape(shape)

    @staticmethod
    def backward(ctx, grad_grad):
        (indices,) = ctx.saved_tensors
        return PlaneGather.apply(grad_grad, indices), None, None, None


class PlaneGather(Function):
    """y[n, c, k] = x[n, c, indices[n, c, k]] (plane positions); dL/dx = dL/dy scattered back to
    those positions; saves the indices."""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, input, indices):
        ctx.save_for_backward(indices)
        x, idx = input._data, indices._data
        planes = int(np.prod(x.shape[:-2]))
        flat = x.reshape(planes, -1)
        return np.take_along_axis(flat, idx.reshape(planes, -1), axis=1).reshape(idx.shape)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        return PlaneScatter.apply(grad, indices, ctx._input_shapes[0], True), None


def _batched(input, fn):
    """Run a 4-D op on a 3-D (unbatched) input too."""
    if input.ndim == 3:
        result = fn(input.unsqueeze(0))
        if isinstance(result, tuple):
            return tuple(r.squeeze(0) for r in result)
        return result.squeeze(0)
    return fn(input)


def max_pool2d_with_indices(input: Tensor, kernel_size: int | Sequence[int],
                            stride: int | Sequence[int] | None = None, padding: int | Sequence[int] = 0,
                            dilation: int | Sequence[int] = 1, ceil_mode: bool = False, return_indices: bool = True):
    geo = _pool_geometry("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)
    out, indices = _batched(input, lambda x: MaxPool2d.apply(x, geo=geo))
    return (out, indices) if return_indices else out


def max_pool2d(input: Tensor, kernel_size: int | Sequence[int],
               stride: int | Sequence[int] | None = None, padding: int | Sequence[int] = 0,
               dilation: int | Sequence[int] = 1, ceil_mode: bool = False, return_indices: bool = False):
    """2-D max pooling over (N, C, H, W) or (C, H, W); ``stride`` defaults to ``kernel_size``.

    With ``return_indices=True`` also returns, for each output, the flat index (row * W + col)
    of the chosen element in its input plane (what ``max_unpool2d`` takes).

    Example::

        >>> F.max_pool2d(minitorch.arange(16.).reshape(1, 1, 4, 4), 2).tolist()
        [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode,
                                   return_indices)


def _as_2d_pool(name, input):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(input.shape)}")
    return input.unsqueeze(-2)


def _one(value, name):
    """A 1-D pooling argument as the 2-D pair (1, value)."""
    if value is None:
        return None
    if not isinstance(value, (int, np.integer)):
        value = tuple(value)
        if len(value) != 1:
            raise RuntimeError(f"{name} must be a single int, or a tuple of one int")
        value = value[0]
    return (1, int(value))


def max_pool1d_with_indices(input: Tensor, kernel_size: int | Sequence[int],
                            stride: int | Sequence[int] | None = None, padding: int | Sequence[int] = 0,
                            dilation: int | Sequence[int] = 1, ceil_mode: bool = False, return_indices: bool = True):
    x = _as_2d_pool("max_pool1d", input)
    stride = None if stride is None or (not isinstance(stride, int) and len(stride) == 0) else stride
    out, indices = max_pool2d_with_indices(
        x, _one(kernel_size, "kernel_size"), _one(stride, "stride"),
        (0, _one(padding, "padding")[1]), _one(dilation, "dilation"), ceil_mode)
    out, indices = out.squeeze(-2), indices.squeeze(-2)
    return (out, indices) if return_indices else out


def max_pool1d(input: Tensor, kernel_size: int | Sequence[int],
               stride: int | Sequence[int] | None = None, padding: int | Sequence[int] = 0,
               dilation: int | Sequence[int] = 1, ceil_mode: bool = False, return_indices: bool = False):
    """1-D max pooling over (N, C, L) or (C, L)."""
    return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode,
                                   return_indices)


# --- average pooling ----------------------------------------------------------------------

def _divisor(geo: Geometry, count_include_pad: bool, divisor_override, like):
    """How many elements each output averages over, as an (Ho, Wo) array.

    Counting the padding still ignores the part of a ceil_mode window beyond the padding.
    """
    if divisor_override is not None:
        return np.full_like(like, divisor_override, shape=(1, 1))
    sizes = []
    for n, o, k, s, p in zip(geo.in_hw, geo.out_hw, geo.kernel, geo.stride, geo.padding[::2]):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        sizes.append(end - start)
    return namespace(like).asarray(np.outer(sizes[0], sizes[1]).astype(like.dtype))


class AvgPool2d(Function):
    """y = (the sum over each window) / divisor; dL/dx = dL/dy / divisor spread over each window
    (AvgPool2dBackward, whose own gradient is this op again: both are linear); saves the geometry
    and the divisor."""

    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, input, *, geo, divisor):
        ctx.geo, ctx.divisor = geo, divisor
        padded = _padded(input._data, geo, 0)
        total = None
        for i, j in geo.taps:
            window = padded[(Ellipsis,) + geo.tap_slices(i, j)]
            total = window.copy() if total is None else np.add(total, window, out=total)
        total /= divisor
        return total

    @staticmethod
    def backward(ctx, grad):
        return AvgPool2dBackward.apply(grad, geo=ctx.geo, divisor=ctx.divisor)


class AvgPool2dBackward(Function):
    """y = the adjoint of AvgPool2d: each grad[o] / divisor[o] added to every input in window o;
    dL/dgrad = avg_pool2d(dL/dy); saves the geometry and the divisor."""

    node_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, *, geo, divisor):
        ctx.geo, ctx.divisor = geo, divisor
        g = grad._data / divisor
        (h, w), (hp, wp), (top, _, left, _) = geo.in_hw, geo.padded_hw, geo.padding
        padded = np.zeros_like(g, shape=g.shape[:2] + (hp, wp))
        for i, j in geo.taps:
            padded[(Ellipsis,) + geo.tap_slices(i, j)] += g
        if (hp, wp) == (h, w):
            return padded
        return padded[:, :, top:top + h, left:left + w].copy()

    @staticmethod
    def backward(ctx, grad_grad):
        return AvgPool2d.apply(grad_grad, geo=ctx.geo, divisor=ctx.divisor)


def avg_pool2d(input: Tensor, kernel_size: int | Sequence[int],
               stride: int | Sequence[int] | None = None, padding: int | Sequence[int] = 0,
               ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """2-D average pooling over (N, C, H, W) or (C, H, W).

    Args:
        count_include_pad: count the zero padding in each window's divisor.
        divisor_override: divide every window sum by this number instead.
    """
    geo = _pool_geometry("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    divisor = _divisor(geo, count_include_pad, divisor_override, input._data)
    return _batched(input, lambda x: AvgPool2d.apply(x, geo=geo, divisor=divisor))


def avg_pool1d(input: Tensor, kernel_size: int | Sequence[int],
               stride: int | Sequence[int] | None = None, padding: int | Sequence[int] = 0,
               ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-D average pooling over (N, C, L) or (C, L)."""
    x = _as_2d_pool("avg_pool1d", input)
    stride = None if stride is None or (not isinstance(stride, int) and len(stride) == 0) else stride
    return avg_pool2d(x, _one(kernel_size, "kernel_size"), _one(stride, "stride"),
                      (0, _one(padding, "padding")[1]), ceil_mode, count_include_pad).squeeze(-2)


# --- adaptive pooling ---------------------------------------------------------------------

def _adaptive_windows(size: int, out: int):
    """Window i covers [floor(i * size / out), ceil((i + 1) * size / out))."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _output_size(input, output_size, dims: int, name: str) -> tuple:
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got "
                           f"{list(input.shape)}")
    sizes = (output_size,) * dims if isinstance(output_size, (int, np.integer)) or output_size is None \
        else tuple(output_size)
    if len(sizes) != dims:
        raise ValueError(f"{name}: output_size must be {dims} values, got {output_size}")
    in_sizes = input.shape[-dims:]
    sizes = tuple(int(n) if s is None else int(s) for s, n in zip(sizes, in_sizes))
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 "
                           f"but received {list(sizes)}")
    return sizes


def _averaging_matrix(size: int, out: int, like) -> Tensor:
    """(out, size) matrix whose row i averages window i of the adaptive pooling."""
    start, end = _adaptive_windows(size, out)
    matrix = np.zeros((out, size))
    for i, (s, e) in enumerate(zip(start, end)):
        matrix[i, s:e] = 1.0 / (e - s)
    return matrix_like(matrix, like)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (H_out, W_out); None keeps an input size.

    Averaging windows separately along rows and columns is a product with two small
    matrices: out = A_h @ x @ A_w^T (one node, AxisMixing).
    """
    ho, wo = _output_size(input, output_size, 2, "adaptive_avg_pool2d")
    h, w = input.shape[-2:]
    if (ho, wo) == (1, 1):
        return input.mean((-2, -1), keepdim=True)
    return AdaptiveAvgPool2d.apply(input, rows=_averaging_matrix(h, ho, input),
                                   cols=_averaging_matrix(w, wo, input))


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average pooling of (N, C, L) or (C, L) to a fixed length."""
    (lo,) = _output_size(input, output_size if not isinstance(output_size, (tuple, list))
                         else tuple(output_size), 1, "adaptive_avg_pool1d")
    # as PyTorch does it: the 2-D pooling of a one-row image
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, lo)).squeeze(-2)


class AdaptiveMaxPool2d(Function):
    """y = the max over windows of varying size; dL/dx = dL/dy at each window's winner, 0
    elsewhere; saves the winners' indices."""

    node_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, input, *, out_hw):
        x = input._data
        (h, w), (ho, wo) = x.shape[-2:], out_hw
        row_start, row_end = _adaptive_windows(h, ho)
        col_start, col_end = _adaptive_windows(w, wo)
        # tap (a, b) of window (r, c) is element (row_start[r] + a, col_start[c] + b), clamped
        # to the window's last element: repeating an element leaves the first maximum first
        taps = []
        for a in range(int((row_end - row_start).max())):
            rows = np.minimum(row_start + a, row_end - 1)
            for b in range(int((col_end - col_start).max())):
                cols = np.minimum(col_start + b, col_end - 1)
                taps.append(rows[:, None] * w + cols[None, :])
        xp = namespace(x)
        taps = xp.asarray(np.stack(taps))
        flat = x.reshape(*x.shape[:-2], h * w)
        nan_wins = _nan_may_win(x)
        out, tap = _running_max([flat[..., t] for t in taps], nan_wins)
        indices = Tensor._from_array(taps[tap, xp.arange(ho)[:, None], xp.arange(wo)])
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return out, indices

    @staticmethod
    def backward(ctx, grad, _grad_indices):
        (indices,) = ctx.saved_tensors
        return PlaneScatter.apply(grad, indices, ctx._input_shapes[0], True)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size (H_out, W_out) over (N, C, H, W) or (C, H, W)."""
    out_hw = _output_size(input, output_size, 2, "adaptive_max_pool2d")
    if input.ndim == 4 and input.shape[1] == 0 or min(input.shape[-2:]) == 0:
        raise RuntimeError(f"adaptive_max_pool2d(): Expected input to have non-zero size for non-batch "
                           f"dimensions, but input has sizes {list(input.shape)}")
    out, indices = AdaptiveMaxPool2d.apply(input, out_hw=out_hw)
    return (out, indices) if return_indices else out


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of (N, C, L) or (C, L) to a fixed length."""
    (lo,) = _output_size(input, output_size if not isinstance(output_size, (tuple, list))
                         else tuple(output_size), 1, "adaptive_max_pool1d")
    out, indices = AdaptiveMaxPool2d.apply(input.unsqueeze(-2), out_hw=(1, lo))
    out, indices = out.squeeze(-2), indices.squeeze(-2)
    return (out, indices) if return_indices else out
