"""Regression and margin losses (``F.mse_loss``, ``F.l1_loss``, ``F.kl_div``...).

Each takes ``reduction``: 'none' (one loss per element or sample), 'mean' or 'sum'. Where
PyTorch records a loss as one node (``mse_loss``: MseLossBackward0) so does minitorch;
the others are written with Tensor ops, as PyTorch writes them. Cross-entropy and the
binary losses have their own modules.
"""
from __future__ import annotations

import math
import warnings

from ...autograd.function import Function
from ...tensor import Tensor
from ._activation import _softplus_array
from ._loss_checks import (broadcast_pair, check_constant, check_reduction, legacy_reduction,
                           warn_shape)
from ._reduction import per_element, reduce_loss

__all__ = [
    "mse_loss", "l1_loss", "kl_div",
    "cosine_embedding_loss", "margin_ranking_loss", "soft_margin_loss", "hinge_embedding_loss",
    "poisson_nll_loss", "gaussian_nll_loss",
]


# --- shared helpers ----------------------------------------------------------------------------

def _reduce(loss: Tensor, reduction: str) -> Tensor:
    check_reduction(reduction)
    return reduce_loss(loss, reduction)


def _where(condition, a, b):
    from ... import where
    return where(condition, a, b)


# --- regression losses ---------------------------------------------------------------------------

class MseLoss(Function):
    """y = reduce((x - t)^2); dL/dx = 2 (x - t) dL/dy (divided by the count for 'mean'), dL/dt =
    -dL/dx; saves x and t, and the reduction."""

    node_name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, input, target, *, reduction):
        diff = input._data - target._data
        ctx.reduction = reduction
        ctx.save_for_backward(input, target)
        return reduce_loss(diff * diff, reduction)

    @staticmethod
    def backward(ctx, grad):
        input, target = ctx.saved_tensors
        grad_input = 2 * (input - target) * per_element(grad, ctx.reduction, input.numel())
        return (grad_input if ctx.needs_input_grad[0] else None,
                -grad_input if ctx.needs_input_grad[1] else None)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """``(input - target)^2``, reduced; with ``weight``, 'mean' is the weighted mean
    (divided by the sum of the weights), as in PyTorch."""
    warn_shape(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    input, target = broadcast_pair(input, target)
    if weight is None:
        return MseLoss.apply(input, target, reduction=reduction)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    weighted = (input - target).pow(2) * weight
    return weighted.sum() / weight.sum() if reduction == "mean" else _reduce(weighted, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """``|input - target|``, reduced."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    warn_shape(input, target)
    loss = (input - target).abs()
    return _reduce(loss if weight is None else loss * weight, reduction)


# --- distributions and embeddings -------------------------------------------------------------------

def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL divergence with ``input`` as log-probabilities: ``target (log target - input)``
    (``log_target=True``: target is given as log-probabilities too).

    reduction='batchmean' divides the sum by the batch size (the mathematically correct
    KL); 'mean' averages over every element, as PyTorch does (with its warning).
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        safe = _where(positive, target, target * 0 + 1)
        loss = _where(positive, target * safe.log(), target * 0) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.")
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos(x1, x2) - margin)`` where it is -1."""
    from ... import clamp_min
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if input1.ndim not in (1, 2) or tuple(input1.shape) != tuple(input2.shape):
        raise RuntimeError(f"cosine_embedding_loss: expected input1 and input2 of the same 1D or 2D "
                           f"shape, got {list(input1.shape)} and {list(input2.shape)}")
    dim = input1.ndim - 1
    eps = 1e-12
    dot = (input1 * input2).sum(dim)
    magnitude = ((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)
    cos = dot / magnitude.sqrt()
    zero = cos * 0
    positive = _where(target == 1, 1 - cos, zero)
    negative = _where(target == -1, clamp_min(cos - margin, 0), zero)
    return _reduce(positive + negative, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -target (x1 - x2) + margin)``: x1 should rank above x2 where target is 1."""
    from ... import clamp_min
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _reduce(clamp_min(-target * (input1 - input2) + margin, 0), reduction)


class SoftMarginLoss(Function):
    """y = reduce(log(1 + exp(-t x))) for targets t = +1 or -1 (the logistic loss); dL/dx = -t
    sigmoid(-t x) dL/dy (t gets no gradient, as in PyTorch); saves x and t, and the reduction."""

    node_name = "SoftMarginLossBackward0"

    @staticmethod
    def forward(ctx, input, *, target, reduction):
        ctx.target, ctx.reduction = target, reduction
        ctx.save_for_backward(input)
        margin = -target._data * input._data
        return reduce_loss(_softplus_array(margin, 1.0, math.inf), reduction)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = ctx.target
        return -t * (-t * x).sigmoid() * per_element(grad, ctx.reduction, x.numel())


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-target * input))``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    check_constant(target, "soft_margin_loss", "target")
    return SoftMarginLoss.apply(input, target=target, reduction=reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """``x`` where target is 1, ``max(0, margin - x)`` where it is -1 (as PyTorch writes it:
    each term kept where the target is not the other class)."""
    from ... import clamp_min, zeros_like
    reduction = legacy_reduction(size_average, reduce, reduction)
    zeros = zeros_like(input)
    loss = (_where(target != 1, clamp_min(margin - input, 0), zeros)
            + _where(target != -1, input, zeros))
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood: ``exp(x) - t x`` (log_input) or ``x - t log(x + eps)``.

    ``full=True`` adds the Stirling approximation of ``log(t!)``, ``t log t - t + log(2 pi t) / 2``,
    where ``t > 1``, as PyTorch does.
    """
    from ...ops.comparison import where
    reduction = legacy_reduction(size_average, reduce, reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """``0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps))`` (+ const if full).

    The clamp is applied to a copy without recording it, as in PyTorch: the gradient with
    respect to var is that of the unclamped formula.
    """
    from ... import no_grad
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
