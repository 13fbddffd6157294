"""``F.binary_cross_entropy`` (of probabilities) and ``F.binary_cross_entropy_with_logits``,
each one node, as in PyTorch: BinaryCrossEntropyBackward0 and
BinaryCrossEntropyWithLogitsBackward0. Class weights and ``pos_weight`` are constants (PyTorch
does not differentiate them either)."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...tensor import Tensor
from ._activation import _softplus_array
from ._loss_checks import (check_constant, check_probabilities, check_reduction, check_same_dtype,
                           check_same_size, check_weight_fits, legacy_reduction)
from ._reduction import per_element, reduce_loss

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits"]


def _per_element_weighted(ctx, grad, count: int):
    """dL/dloss_i times the element's weight (the weight multiplied the loss in forward)."""
    grad = per_element(grad, ctx.reduction, count)
    return grad if ctx.weight is None else grad * ctx.weight


class BinaryCrossEntropy(Function):
    """y = reduce(-w (t log x + (1 - t) log(1 - x))), each log clamped at -100 (so that x = 0 or 1
    gives a finite loss, as in PyTorch), log(1 - x) computed as log1p(-x) (exact for tiny x: a
    probability of 1e-25 with target 0 costs 1e-25, not 0); dL/dx = w (x - t) / (x (1 - x))
    dL/dy, the denominator kept above 1e-12 (PyTorch's guard); dL/dt = w (log(1 - x) - log(x))
    dL/dy = -logit(x) w dL/dy (unclamped, as in PyTorch); saves x and t, w and the reduction."""

    node_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, input, target, *, weight, reduction):
        x, t = input._data, target._data.astype(input._data.dtype, copy=False)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        loss = (t - 1) * log_1mx - t * log_x  # (PyTorch's order of operations)
        if weight is not None:
            loss = loss * weight._data
        ctx.weight, ctx.reduction = weight, reduction
        ctx.save_for_backward(input, target)
        return reduce_loss(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        grad = _per_element_weighted(ctx, grad, x.numel())
        grad_x = grad_t = None
        if ctx.needs_input_grad[0]:
            grad_x = grad * (x - t) / ((1 - x) * x).clamp_min(1e-12)
        if ctx.needs_input_grad[1]:
            grad_t = grad * -x.logit()  # (log(1 - x) - log(x), as PyTorch computes it)
        return grad_x, grad_t


class BinaryCrossEntropyWithLogits(Function):
    """y = reduce(w ((1 - t) x + c softplus(-x))) for logits x, with c = 1 + (p - 1) t (p the
    weight of positive examples, pos_weight); dL/dx = w (c sigmoid(x) - p t) dL/dy (sigmoid(x) - t
    when w = p = 1); dL/dt = w ((p - 1) softplus(-x) - x) dL/dy; saves x and t, w, p and the
    reduction."""

    node_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, input, target, *, weight, pos_weight, reduction):
        x, t = input._data, target._data.astype(input._data.dtype, copy=False)
        log_term = _softplus_array(-x, 1.0, np.inf)
        if pos_weight is not None:
            log_term = log_term * ((pos_weight._data - 1) * t + 1)
        loss = (1 - t) * x + log_term
        if weight is not None:
            loss = loss * weight._data
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        ctx.save_for_backward(input, target)
        return reduce_loss(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        from ._activation import softplus
        x, t = ctx.saved_tensors
        grad = _per_element_weighted(ctx, grad, x.numel())
        p = ctx.pos_weight
        grad_x = grad_t = None
        if ctx.needs_input_grad[0]:
            d = x.sigmoid() - t if p is None else ((p - 1) * t + 1) * x.sigmoid() - p * t
            grad_x = grad * d
        if ctx.needs_input_grad[1]:
            d = -x if p is None else (p - 1) * softplus(-x) - x
            grad_t = grad * d
        return grad_x, grad_t


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities ``input``: ``-(t log x + (1 - t) log(1 - x))``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    check_same_size(input, target, "binary_cross_entropy")
    check_same_dtype(input, target)
    check_weight_fits(input, weight)
    check_probabilities(input)
    check_constant(weight, "binary_cross_entropy", "weight")
    return BinaryCrossEntropy.apply(input, target, weight=weight, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits:
    ``(1 - t) x + (1 + (pos_weight - 1) t) softplus(-x)``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    check_same_size(input, target, "binary_cross_entropy_with_logits")
    if not target.is_floating_point():  # (the loss is computed into the target's dtype)
        raise RuntimeError(f"result type {input.dtype._torch_name} can't be cast to the desired "
                           f"output type {target.dtype._torch_name}")
    check_constant(weight, "binary_cross_entropy_with_logits", "weight")
    check_constant(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    check_weight_fits(input, weight)
    check_weight_fits(input, pos_weight)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight=weight, pos_weight=pos_weight,
                                              reduction=reduction)
