"""``F.smooth_l1_loss`` and ``F.huber_loss``: squared error near zero, absolute error beyond,
one node each as in PyTorch (SmoothL1LossBackward0, HuberLossBackward0)."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...tensor import Tensor
from ._loss_checks import broadcast_pair, check_reduction, legacy_reduction, warn_shape
from ._reduction import per_element, reduce_loss

__all__ = ["smooth_l1_loss", "huber_loss"]


def _clipped_slope(ctx, grad):
    """dL/dx = d / beta where |d| < beta, else sign(d) (d = x - t), times ``scale``;
    dL/dt = -dL/dx."""
    from ... import where
    x, t = ctx.saved_tensors
    d = x - t
    slope = where(d.abs() < ctx.beta, d / ctx.beta, d.sign()) * ctx.scale
    grad_x = slope * per_element(grad, ctx.reduction, x.numel())
    return (grad_x if ctx.needs_input_grad[0] else None,
            -grad_x if ctx.needs_input_grad[1] else None)


def _smooth_l1_array(d, beta: float):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta."""
    t = d.dtype.type
    absolute = np.abs(d)
    return np.where(absolute < beta, t(0.5 / beta) * d * d, absolute - t(0.5 * beta))


class SmoothL1Loss(Function):
    """y = reduce(0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta), d = x - t; dL/dx = dL/dy * (d
    / beta inside, sign(d) outside), dL/dt = -dL/dx; saves x and t, beta and the reduction."""

    node_name = "SmoothL1LossBackward0"

    @staticmethod
    def forward(ctx, input, target, *, reduction, beta):
        ctx.reduction, ctx.beta, ctx.scale = reduction, beta, 1.0
        ctx.save_for_backward(input, target)
        return reduce_loss(_smooth_l1_array(input._data - target._data, beta), reduction)

    backward = staticmethod(_clipped_slope)


class HuberLoss(Function):
    """y = reduce(0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta)), d = x - t, delta times the
    smooth L1 loss with beta = delta; dL/dx = dL/dy * (d inside, delta sign(d) outside), dL/dt =
    -dL/dx; saves x and t, delta and the reduction."""

    node_name = "HuberLossBackward0"

    @staticmethod
    def forward(ctx, input, target, *, reduction, delta):
        ctx.reduction, ctx.beta, ctx.scale = reduction, delta, delta
        ctx.save_for_backward(input, target)
        d = input._data - target._data
        return reduce_loss(_smooth_l1_array(d, delta) * d.dtype.type(delta), reduction)

    backward = staticmethod(_clipped_slope)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (d = input - target);
    with ``beta = 0`` the L1 loss, as in PyTorch."""
    from ._loss import l1_loss
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    warn_shape(input, target)
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    input, target = broadcast_pair(input, target)
    return SmoothL1Loss.apply(input, target, reduction=reduction, beta=beta)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``; ``weight``
    multiplies each element's loss before the reduction."""
    check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    warn_shape(input, target)
    input, target = broadcast_pair(input, target)
    if weight is None:
        return HuberLoss.apply(input, target, reduction=reduction, delta=delta)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = HuberLoss.apply(input, target, reduction="none", delta=delta) * weight
    return reduce_loss(loss, reduction)
