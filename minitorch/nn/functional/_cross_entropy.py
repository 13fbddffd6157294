"""``F.nll_loss`` and ``F.cross_entropy``, recorded as PyTorch records them: cross-entropy is
``log_softmax`` (LogSoftmaxBackward0) then the negative log-likelihood (NllLossBackward0),
so that a drawing of the graph shows the chain rule through both."""
from __future__ import annotations

from ... import backend
from ...autograd.function import Function
from ...ops._helpers import check_same_device
from ...ops.comparison import where
from ...tensor import Tensor
from ._activation import log_softmax
from ._loss_checks import (check_class_targets, check_class_weight, check_constant,
                           check_reduction, check_target_range, legacy_reduction)

__all__ = ["nll_loss", "cross_entropy"]


def _rows(array):
    """(N, C, d1, ...) as (M, C) rows, one per sample (an array or a Tensor)."""
    if array.ndim == 1:
        return array.reshape(1, -1)
    if array.ndim > 2:
        array = array.movedim(1, -1) if isinstance(array, Tensor) else \
            backend.namespace(array).moveaxis(array, 1, -1)
    return array.reshape(-1, array.shape[-1])


def _from_rows(rows: Tensor, shape: tuple) -> Tensor:
    """(M, C) rows back to the layout (N, C, d1, ...) they came from."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    return rows.reshape(shape[:1] + shape[2:] + shape[1:2]).movedim(-1, 1)


class NllLoss(Function):
    """y_i = -w_{t_i} x_{i, t_i} for log-probabilities x (classes in dim 1), class indices t and
    class weights w (1 by default, 0 for ignore_index), 'mean' dividing the sum by sum_i w_{t_i};
    dL/dx_{i,c} = -w_{t_i} [c = t_i] dL/dy_i; saves x, the targets' weights placed in a constant
    (M, C) matrix, where they are, their total and the reduction (the target and the weights get
    no gradient, as in PyTorch)."""

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, input, *, target, weight, ignore_index, reduction):
        x, t = _rows(input._data), target._data.reshape(-1)
        valid = t != ignore_index
        check_target_range(t, valid, x.shape[1])
        xp = backend.namespace(x)
        safe = xp.where(valid, t, 0)
        w_t = valid.astype(x.dtype)
        if weight is not None:
            w_t *= weight._data.astype(x.dtype, copy=False)[safe]
        rows = xp.arange(x.shape[0])
        placed = xp.zeros(x.shape, dtype=x.dtype)
        placed[rows, safe] = -w_t
        at_targets = xp.zeros(x.shape, dtype=bool)
        at_targets[rows, safe] = valid  # (one target per row; no masked indexing: on a GPU
        # that would wait for the device to count the mask)
        # (the total stays an array: on CuPy a sum is a 0-d device array, never a Python number)
        ctx.placed, ctx.at_targets, ctx.reduction = placed, at_targets, reduction
        ctx.total = xp.asarray(w_t.sum())
        ctx.save_for_backward(input)  # (as PyTorch does: a second backward fails)
        loss = xp.where(valid, -w_t * x[rows, safe], x.dtype.type(0))  # (ignored: 0, not NaN * 0)
        if reduction == "none":
            return loss.reshape(target._data.shape)
        return loss.sum() if reduction == "sum" else loss.sum() / ctx.total

    @staticmethod
    def backward(ctx, grad):
        (input,) = ctx.saved_tensors
        if ctx.reduction == "none":
            per_sample = grad.reshape(-1, 1)
        else:
            per_sample = grad / Tensor._from_array(ctx.total) if ctx.reduction == "mean" else grad
        placed = Tensor._from_array(ctx.placed)  # a constant of the recorded graph
        # only the targets of counted rows get a gradient, as in PyTorch: when every target is
        # ignored, 'mean' divides by a total of 0, and the inf must not reach the zeros as NaN
        # (a counted target of weight 0 does get 0 * inf = NaN, as in PyTorch)
        at_targets = Tensor._from_array(ctx.at_targets)
        return _from_rows(where(at_targets, placed * per_sample, 0.0), tuple(input.shape))


class NllLoss2d(NllLoss):
    """The same loss for (N, C, H, W) inputs: PyTorch's name for it."""

    node_name = "NllLoss2DBackward0"


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices ``target`` given log-probabilities ``input``
    (classes in dim 1): ``-w_t input[t]`` per sample.

    Inputs of 3 or more than 4 dims are viewed as (N, C, 1, -1) first, as PyTorch does.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    check_class_targets(input, target)
    for other in (target, weight):
        if other is not None:
            check_same_device(input, other)
    check_class_weight(input, weight)
    kernel = "nll_loss_forward" if input.ndim <= 2 else "nll_loss2d_forward"  # (PyTorch's words)
    check_constant(weight, kernel, "weight")
    options = dict(weight=weight, ignore_index=ignore_index, reduction=reduction)
    if input.ndim <= 2:
        return NllLoss.apply(input, target=target, **options)
    if input.ndim == 4:
        return NllLoss2d.apply(input, target=target, **options)
    n, c = input.shape[:2]
    loss = NllLoss2d.apply(input.contiguous().view(n, c, 1, -1),
                           target=target.reshape(n, 1, -1), **options)
    return loss.view(tuple(target.shape)) if reduction == "none" else loss


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between ``softmax(input)`` over dim 1 (the classes) and ``target``:
    ``nll_loss(log_softmax(input, 1), target)``.

    ``target`` is class indices (int64, shape (N,) or (N, d1, ...); ``ignore_index`` entries
    count for nothing) or class probabilities (float, the shape of ``input``).
    ``weight`` rescales each class; ``label_smoothing`` mixes the target with the uniform
    distribution.

    Example::

        >>> F.cross_entropy(minitorch.zeros(2, 4), minitorch.tensor([0, 3]))
        tensor(1.3863)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 1 if input.ndim > 1 else 0
    check_class_weight(input, weight)
    if target.is_floating_point() and tuple(target.shape) == tuple(input.shape):
        return _with_probabilities(input, target, weight, reduction, label_smoothing, class_dim)
    check_class_targets(input, target)
    logp = log_softmax(input, class_dim)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing:
        return loss
    return (loss * (1 - label_smoothing)
            + _smoothing_term(logp, target, weight, ignore_index, reduction, class_dim)
            * (label_smoothing / input.shape[class_dim]))


def _class_weights(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    """The (C,) class weights shaped to broadcast along the class dim."""
    return weight.reshape((weight.shape[0],) + (1,) * (ndim - class_dim - 1))


def _smoothing_term(logp, target, weight, ignore_index, reduction, class_dim):
    """``-sum_c w_c log p_c`` per sample (0 for ignored ones), reduced like the loss."""
    if weight is not None:
        logp = logp * _class_weights(weight, logp.ndim, class_dim)
    per_sample = (-logp.sum(class_dim)).masked_fill(target == ignore_index, 0.0)
    if reduction == "none":
        return per_sample
    if reduction == "sum":
        return per_sample.sum()
    valid = target != ignore_index
    count = valid.sum() if weight is None else (weight[target.masked_fill(~valid, 0)] * valid).sum()
    return per_sample.sum() / count


def _with_probabilities(input, target, weight, reduction, smoothing, class_dim):
    """``-sum_c w_c t_c log p_c`` per sample for soft targets."""
    classes = input.shape[class_dim]
    if smoothing:
        target = target * (1 - smoothing) + smoothing / classes
    terms = log_softmax(input, class_dim) * target
    if weight is not None:
        terms = terms * _class_weights(weight, input.ndim, class_dim)
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    return -terms.sum() / (input.numel() // classes if input.ndim > 1 else 1)
