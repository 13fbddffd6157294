"""Normalization: ``batch_norm``, ``layer_norm``, ``group_norm`` and ``normalize``.

All three norms standardise ``x`` over some dims, ``xhat = (x - mean) / sqrt(var + eps)``
(biased variance), then apply an optional affine map ``xhat * weight + bias``. Each is one
Function (one node, named as PyTorch names it), sharing the closed-form backward below.
"""
from __future__ import annotations

import numpy as np

from ...autograd import grad_mode
from ...autograd.function import Function
from ...ops._helpers import check_same_device, row_means, sum_to_shape
from ...tensor import Tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "normalize", "cosine_similarity",
           "pairwise_distance"]


def _affine_grads(ctx, grad, xhat_in_input_layout):
    """Gradients of ``weight`` and ``bias`` (each summed back over the broadcast dims)."""
    weight_shape, bias_shape = ctx._input_shapes[1], ctx._input_shapes[2]
    grad_w = grad_b = None
    if ctx.needs_input_grad[1]:
        grad_w = sum_to_shape(grad * xhat_in_input_layout, ctx.affine_shape).reshape(weight_shape)
    if ctx.needs_input_grad[2]:
        grad_b = sum_to_shape(grad, ctx.affine_shape).reshape(bias_shape)
    return grad_w, grad_b


class _Normalize(Function):
    """y = xhat * weight + bias with xhat = (x - mean) / sqrt(var + eps), mean and (biased) var
    over dims of x viewed as stats_shape; dL/dx = (gh - mean(gh) - xhat * mean(gh * xhat)) /
    sqrt(var + eps) with gh = dL/dy * weight, dL/dweight = sum(dL/dy * xhat), dL/dbias = sum(dL/dy)
    (over the dims weight is broadcast on); saves x, weight, xhat, 1/sqrt(var + eps), eps and the
    shapes.

    The backward recomputes mean and variance from x with Tensor ops, so that its own
    derivative w.r.t. x is exact (double backward).
    """

    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, *, stats_shape, dims, affine_shape, eps):
        ctx.stats_shape, ctx.dims, ctx.affine_shape, ctx.eps = stats_shape, dims, affine_shape, eps
        ctx.save_for_backward(x, weight)
        a = x._data
        grouped = a.reshape(stats_shape)
        mean = row_means(grouped, dims, keepdims=True)
        centered = grouped - mean
        var = row_means(centered * centered, dims, keepdims=True)
        invstd = 1 / np.sqrt(var + a.dtype.type(eps))
        xhat = centered * invstd
        ctx.xhat, ctx.invstd = xhat, invstd  # for the array fast path of backward
        out = xhat.reshape(a.shape)  # new arrays below: xhat itself is kept for backward
        if weight is not None:
            out = out * weight._data.reshape(affine_shape)
        if bias is not None:
            out = out + bias._data.reshape(affine_shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        if not grad_mode.is_grad_enabled():
            return _Normalize._backward_arrays(ctx, grad, x, weight)
        # create_graph: the same formula with Tensor ops, recomputing the statistics from x
        dims, shape = ctx.dims, ctx.stats_shape
        grouped = x.reshape(shape)
        centered = grouped - grouped.mean(dims, keepdim=True)
        invstd = ((centered * centered).mean(dims, keepdim=True) + ctx.eps) ** -0.5
        xhat = centered * invstd
        grad_x = None
        if ctx.needs_input_grad[0]:
            scaled = grad if weight is None else grad * weight.reshape(ctx.affine_shape)
            gh = scaled.reshape(shape)
            inner = gh - gh.mean(dims, keepdim=True) - xhat * (gh * xhat).mean(dims, keepdim=True)
            grad_x = (inner * invstd).reshape(tuple(x.shape))
        grad_w, grad_b = _affine_grads(ctx, grad, xhat.reshape(tuple(x.shape)))
        return grad_x, grad_w, grad_b

    @staticmethod
    def _backward_arrays(ctx, grad, x, weight):
        """The formula above on the arrays saved by forward (xhat, invstd): a few NumPy
        passes instead of a dozen recorded ops, for the usual backward without create_graph."""
        dims, shape, affine = ctx.dims, ctx.stats_shape, ctx.affine_shape
        g = grad._data
        xhat, invstd = ctx.xhat, ctx.invstd
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            scaled = g if weight is None else g * weight._data.reshape(affine)
            gh = scaled.reshape(shape)
            inner = gh - row_means(gh, dims, keepdims=True)
            inner -= xhat * row_means(gh * xhat, dims, keepdims=True)
            inner *= invstd
            grad_x = Tensor._from_array(inner.reshape(x._data.shape))
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            grad_w, grad_b = _affine_grads(ctx, grad, Tensor._from_array(xhat.reshape(x._data.shape)))
        return grad_x, grad_w, grad_b


class _LayerNorm(_Normalize):
    node_name = "NativeLayerNormBackward0"


class _GroupNorm(_Normalize):
    node_name = "NativeGroupNormBackward0"


class _BatchNormEval(Function):
    """y = (x - running_mean) / sqrt(running_var + eps) * weight + bias with fixed statistics, an
    affine map per channel; dL/dx = dL/dy * weight / sqrt(running_var + eps), dL/dweight =
    sum(dL/dy * xhat), dL/dbias = sum(dL/dy); saves x, weight, running_mean and 1/sqrt(running_var
    + eps)."""

    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, *, mean, invstd, affine_shape):
        ctx.affine_shape = affine_shape
        ctx.save_for_backward(x, weight, mean, invstd)
        out = (x._data - mean._data.reshape(affine_shape)) * invstd._data.reshape(affine_shape)
        if weight is not None:
            out *= weight._data.reshape(affine_shape)
        if bias is not None:
            out += bias._data.reshape(affine_shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight, mean, invstd = ctx.saved_tensors
        shape = ctx.affine_shape
        scale = invstd.reshape(shape) if weight is None else invstd.reshape(shape) * weight.reshape(shape)
        grad_x = grad * scale if ctx.needs_input_grad[0] else None
        xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
        grad_w, grad_b = _affine_grads(ctx, grad, xhat)
        return grad_x, grad_w, grad_b


def _channel_shape(input: Tensor) -> tuple:
    """Shape that lines a per-channel vector up with dim 1 of ``input``."""
    return (input.shape[1],) + (1,) * (input.ndim - 2)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims.

    In training (or without running statistics) the batch's statistics are used, and the
    running ones, when given, move towards them: ``running = (1 - momentum) * running +
    momentum * batch`` (with the *unbiased* batch variance). Otherwise the running
    statistics are used.
    """
    if input.ndim < 2:
        raise ValueError(f"Expected 2D or more input (got {input.ndim}D input)")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
        if t is not None:
            check_same_device(input, t)
    dims = (0,) + tuple(range(2, input.ndim))
    shape = _channel_shape(input)
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        invstd = Tensor._from_array((running_var._data + running_var._data.dtype.type(eps)) ** -0.5)
        return _BatchNormEval.apply(input, weight, bias, mean=running_mean.detach(), invstd=invstd,
                                    affine_shape=shape)
    count = input.numel() // channels
    if count <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {input.shape}")
    out = _Normalize.apply(input, weight, bias, stats_shape=tuple(input.shape), dims=dims,
                           affine_shape=shape, eps=eps)
    if running_mean is not None and running_var is not None:
        a = input._data
        mean = a.mean(axis=dims)
        var = a.var(axis=dims) * (count / (count - 1))  # the unbiased variance, as PyTorch keeps
        m = running_mean._data.dtype.type(momentum)
        running_mean._data[...] = (1 - m) * running_mean._data + m * mean
        running_var._data[...] = (1 - m) * running_var._data + m * var
        running_mean._bump_version()
        running_var._bump_version()
    return out


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims, then scale and shift
    elementwise by ``weight`` and ``bias`` (of shape ``normalized_shape``)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != normalized_shape or input.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with "
                           f"shape [*, {', '.join(str(s) for s in normalized_shape)}], but got "
                           f"input of size{list(input.shape)}")
    dims = tuple(range(input.ndim - k, input.ndim))
    return _LayerNorm.apply(input, weight, bias, stats_shape=tuple(input.shape), dims=dims,
                           affine_shape=normalized_shape, eps=eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Split the channels (dim 1) into ``num_groups`` groups; normalise each sample's group
    over its channels and spatial positions; then a per-channel affine map."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, channels = input.shape[0], input.shape[1]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups={num_groups}")
    for name, param in (("weight", weight), ("bias", bias)):
        if param is not None and tuple(param.shape) != (channels,):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(param.shape)} "
                               f"and input of shape {list(input.shape)}")
    stats_shape = (n, num_groups, -1) if input.numel() else tuple(input.shape)
    dims = (2,) if input.numel() else ()
    return _GroupNorm.apply(input, weight, bias, stats_shape=stats_shape, dims=dims,
                           affine_shape=_channel_shape(input), eps=eps)


def normalize(input: Tensor, p: float | str = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``."""
    from ... import clamp_min, norm
    result = input / clamp_min(norm(input, p, dim, keepdim=True), eps).expand_as(input)
    if out is not None:
        out.copy_(result)
        return out
    return result


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (||x1|| ||x2||)`` along ``dim`` (inputs broadcast).

    As in PyTorch, each norm is kept above ``eps`` on a copy, without recording it: the
    gradient is that of the unclamped formula.
    """
    from ... import no_grad, norm
    if tuple(x1.shape) != tuple(x2.shape):
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
        x1, x2 = x1.expand(shape), x2.expand(shape)
    norm1, norm2 = norm(x1, 2, dim, keepdim=True).clone(), norm(x2, 2, dim, keepdim=True).clone()
    with no_grad():
        norm1.clamp_(min=eps)
        norm2.clamp_(min=eps)
    return ((x1 / norm1) * (x2 / norm2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dim (``eps`` keeps the gradient finite when
    the two are equal)."""
    from ... import norm
    return norm(x1 - x2 + eps, p, -1, keepdim=keepdim)
