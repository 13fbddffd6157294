"""Loss functions (``F.cross_entropy``, ``F.mse_loss``...).

Each takes ``reduction``: 'none' (one loss per element or sample), 'mean' or 'sum'.
Cross-entropy and NLL with class-index targets are single Functions (the first is on the
hot path of every classifier): log-softmax and the pick of the target's log-probability in
one pass, and a backward that is directly ``softmax - one_hot``, scaled.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ... import backend
from ...autograd import grad_mode
from ...autograd.formulas import as_gradients, constants
from ...autograd.function import Function
from ...tensor import Tensor
from ...ops.softmax import log_softmax_array
from ._activation import log_softmax, softmax, softplus

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "cosine_embedding_loss", "margin_ranking_loss", "soft_margin_loss", "hinge_embedding_loss",
    "poisson_nll_loss", "gaussian_nll_loss",
]


# --- shared helpers ----------------------------------------------------------------------------

def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """PyTorch's deprecated ``size_average`` / ``reduce`` flags, mapped onto ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{result}' instead.", stacklevel=3)
    return result


def _check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_shape(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _where(condition, a, b):
    from ... import where
    return where(condition, a, b)


# --- regression losses ---------------------------------------------------------------------------

def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """``(input - target)^2``, reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_shape(input, target)
    diff = input - target
    loss = diff * diff
    return _reduce(loss if weight is None else loss * weight, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """``|input - target|``, reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_shape(input, target)
    loss = (input - target).abs()
    return _reduce(loss if weight is None else loss * weight, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (d = input - target)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _warn_shape(input, target)
    diff = input - target
    absolute = diff.abs()
    if beta == 0:
        return _reduce(absolute, reduction)
    loss = _where(absolute < beta, diff * diff * (0.5 / beta), absolute - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``."""
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _warn_shape(input, target)
    diff = input - target
    absolute = diff.abs()
    loss = _where(absolute < delta, diff * diff * 0.5, (absolute - 0.5 * delta) * delta)
    return _reduce(loss if weight is None else loss * weight, reduction)


# --- classification: log-softmax + negative log-likelihood ----------------------------------------

def _class_targets(input: Tensor, target: Tensor):
    """Input as an (M, C) array (classes last) and target as (M,), with PyTorch's checks."""
    x, t = input._data, target._data
    if t.dtype.type not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_TORCH_DTYPE_NAMES.get(target.dtype.name, target.dtype.name)}")
    if x.ndim == 0:
        raise RuntimeError("input tensor should be 1D or 2D")
    if x.ndim == 1:  # unbatched: (C,) with a 0-d target
        if t.ndim != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return x.reshape(1, -1), t.reshape(1)
    if x.shape[0] != (t.shape[0] if t.ndim else -1):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target "
                         f"batch_size ({t.shape[0] if t.ndim else 0}).")
    if t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)}, target: "
                           f"{list(t.shape)})")
    if x.ndim > 2:
        x = backend.namespace(x).moveaxis(x, 1, -1)
    return x.reshape(-1, input._data.shape[1]), t.reshape(-1)


_TORCH_DTYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int32": "Int",
                      "int16": "Short", "int8": "Char", "bool": "Bool", "int64": "Long"}


def _pick_weights(t, classes: int, weight: Tensor | None, ignore_index: int, dtype):
    """(valid, every, safe, w_t): which targets count, whether all do (the usual case), the
    targets with ignored ones replaced by class 0, and each target's weight (0 for ignored
    ones), after checking the range."""
    valid = t != ignore_index
    every = bool(valid.all())
    chosen = t if every else t[valid]
    if chosen.size:
        low, high = int(chosen.min()), int(chosen.max())
        if low < 0 or high >= classes:
            raise IndexError(f"Target {high if high >= classes else low} is out of bounds.")
    # a copy either way: backward must not see later changes to target
    safe = t.copy() if every else backend.namespace(t).where(valid, t, 0)
    if weight is None:
        w_t = valid.astype(dtype)
    else:
        w_t = weight._data.astype(dtype, copy=False)[safe] * valid
    return valid, every, safe, w_t


def _unflatten_classes(grad2d, input_shape):
    """(M, C) gradient (an array or a Tensor) back to the input's layout (C in dim 1)."""
    if len(input_shape) <= 2:
        return grad2d.reshape(input_shape)
    moved = grad2d.reshape(tuple(input_shape[:1]) + tuple(input_shape[2:]) + (input_shape[1],))
    if isinstance(moved, Tensor):
        return moved.movedim(-1, 1)
    return backend.namespace(moved).moveaxis(moved, -1, 1)


def _per_sample_grad(ctx, grad):
    """The incoming gradient (an array or a Tensor), shaped to scale the (M, C) per-sample
    gradients: (M, 1) for 'none', a 0-d factor (divided by the total target weight for
    'mean') otherwise."""
    if ctx.reduction == "none":
        return grad.reshape(-1, 1)
    if ctx.reduction == "mean":
        # a 0-d array or tensor (not a Python float): no device sync, and the loss's dtype
        return grad / constants(ctx.denominator)[0]
    return grad


class CrossEntropy(Function):
    """``loss_i = -(1 - e) w_{t_i} log p_{i,t_i} - (e / C) sum_c w_c log p_{i,c}`` with
    p = softmax(x_i) over the classes and e the label smoothing.

    dloss_i/dx_i = a_i p - a_i onehot(t_i) + b_i (W p - w), with a_i = (1 - e) w_{t_i},
    b_i = e / C (0 for ignored samples) and W = sum_c w_c: without weights or smoothing
    simply ``softmax - onehot``. 'mean' divides by the sum of the target weights.
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction, smoothing):
        x, t = _class_targets(input, target)
        classes = x.shape[1]
        valid, every, safe, w_t = _pick_weights(t, classes, weight, ignore_index, x.dtype)
        logp = log_softmax_array(x, 1)
        rows = backend.namespace(x).arange(x.shape[0])
        picked = logp[rows, safe]
        # unit weights (no class weights, no smoothing, nothing ignored): the loss is -picked
        ctx.unit_weights = weight is None and not smoothing and every
        a = w_t if not smoothing else (1 - smoothing) * w_t
        loss = -picked if ctx.unit_weights else -a * picked
        b = None
        if smoothing:
            b = valid.astype(x.dtype) * (smoothing / classes)
            w = None if weight is None else weight._data.astype(x.dtype, copy=False)
            total = logp.sum(1) if w is None else logp @ w
            loss = loss - b * total
        ctx.reduction, ctx.input_shape = reduction, tuple(input.shape)
        ctx.rows, ctx.safe, ctx.logp = rows, safe, logp
        ctx.a, ctx.b = a, b
        ctx.w = None if weight is None else weight._data.astype(x.dtype, copy=False)
        ctx.save_for_backward(input)
        if reduction == "none":
            return loss.reshape(tuple(target.shape))
        if reduction == "sum":
            return loss.sum()
        ctx.denominator = w_t.sum()  # the target weights (the count of non-ignored samples)
        return loss.sum() / ctx.denominator

    @staticmethod
    def backward(ctx, grad):
        (input,) = ctx.saved_tensors  # (also the check that the graph was not freed)
        classes = ctx.input_shape[1] if len(ctx.input_shape) > 1 else ctx.input_shape[0]
        scale, constant = CrossEntropy._coefficients(ctx, classes)
        if grad_mode.is_grad_enabled():
            # create_graph: softmax recomputed from the input, so that d is differentiable
            x = input.movedim(1, -1) if input.ndim > 2 else input
            p = softmax(x.reshape(-1, classes), 1)
            scale, constant = constants(scale, constant)
        else:  # the usual backward, on arrays: from the log-probabilities forward computed
            p = backend.namespace(ctx.logp).exp(ctx.logp)
            grad = grad._data
        d = p if scale is None else p * scale
        d = d - constant
        return as_gradients(_unflatten_classes(d * _per_sample_grad(ctx, grad), ctx.input_shape),
                            None, None, None, None, None)

    @staticmethod
    def _coefficients(ctx, classes):
        """(scale, constant) of ``d = p * scale - constant``, scale (M, 1) and constant
        (M, C) arrays; scale is None when it is 1 for every sample (no class weights, no
        smoothing, no ignored targets)."""
        a = ctx.a
        constant = backend.namespace(a).zeros((a.shape[0], classes), dtype=a.dtype)
        constant[ctx.rows, ctx.safe] = a
        if ctx.b is None:
            return (None if ctx.unit_weights else a[:, None]), constant
        w_sum = classes if ctx.w is None else ctx.w.sum()
        constant = constant + ctx.b[:, None] * (1 if ctx.w is None else ctx.w[None, :])
        return (a + ctx.b * w_sum)[:, None], constant


class NllLoss(Function):
    """``loss_i = -w_{t_i} input_{i,t_i}``;  d/dinput_{i,c} = -w_{t_i} [c = t_i]."""

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction):
        x, t = _class_targets(input, target)
        _, _, safe, w_t = _pick_weights(t, x.shape[1], weight, ignore_index, x.dtype)
        rows = backend.namespace(x).arange(x.shape[0])
        loss = -w_t * x[rows, safe]
        ctx.reduction, ctx.input_shape = reduction, tuple(input.shape)
        ctx.rows, ctx.safe, ctx.w_t, ctx.classes = rows, safe, w_t, x.shape[1]
        ctx.save_for_backward(input)  # (unused by backward, as in PyTorch: a second backward fails)
        if reduction == "none":
            return loss.reshape(tuple(target.shape))
        if reduction == "sum":
            return loss.sum()
        ctx.denominator = w_t.sum()
        return loss.sum() / ctx.denominator

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # the check that the graph was not freed
        xp = backend.namespace(ctx.w_t)
        coefficient = xp.zeros((ctx.w_t.shape[0], ctx.classes), dtype=ctx.w_t.dtype)
        coefficient[ctx.rows, ctx.safe] = -ctx.w_t
        if grad_mode.is_grad_enabled():  # create_graph: recorded
            coefficient = Tensor._from_array(coefficient)
        else:
            grad = grad._data
        d = coefficient * _per_sample_grad(ctx, grad)
        return as_gradients(_unflatten_classes(d, ctx.input_shape), None, None, None, None)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between ``softmax(input)`` over dim 1 (the classes) and ``target``.

    ``target`` is class indices (int64, shape (N,) or (N, d1, ...); ``ignore_index`` entries
    count for nothing) or class probabilities (float, the shape of ``input``).
    ``weight`` rescales each class; ``label_smoothing`` mixes the target with the uniform
    distribution.

    Example::

        >>> F.cross_entropy(minitorch.zeros(2, 4), minitorch.tensor([0, 3]))
        tensor(1.3863)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target.is_floating_point() and tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing)
    return CrossEntropy.apply(input, target, weight, ignore_index, reduction, label_smoothing)


def _cross_entropy_probabilities(input, target, weight, reduction, smoothing):
    """``-sum_c w_c t_c log p_c`` per sample for soft targets (written with Tensor ops)."""
    class_dim = 1 if input.ndim > 1 else 0
    classes = input.shape[class_dim]
    if smoothing:
        target = target * (1 - smoothing) + smoothing / classes
    logp = log_softmax(input, class_dim)
    terms = logp * target
    if weight is not None:
        terms = terms * weight.reshape((classes,) + (1,) * (input.ndim - class_dim - 1))
    loss = -terms.sum(class_dim)
    if reduction == "mean":
        return loss.sum() / (input.numel() // classes if input.ndim > 1 else 1)
    return _reduce(loss, reduction)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices ``target`` given log-probabilities ``input``
    (classes in dim 1): ``-w_t input[t]`` per sample."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return NllLoss.apply(input, target, weight, ignore_index, reduction)


# --- binary classification ------------------------------------------------------------------------

class BinaryCrossEntropy(Function):
    """``-(t log x + (1 - t) log(1 - x))`` with each log clamped at -100 (so that x = 0 or 1
    gives a finite loss, as in PyTorch).

    d/dx = (x - t) / (x (1 - x)), the denominator kept above 1e-12 (PyTorch's guard);
    d/dt = log(1 - x) - log(x) (unclamped, as in PyTorch: infinite at x = 0 or 1).
    """

    node_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, input, target):
        x, t = input._data, target._data.astype(input._data.dtype, copy=False)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log(1 - x), -100)
        ctx.save_for_backward(input, target)
        return -(t * log_x + (1 - t) * log_1mx)

    @staticmethod
    def backward(ctx, grad):
        from ... import clamp_min
        x, t = ctx.saved_tensors
        grad_x = grad_t = None
        if ctx.needs_input_grad[0]:
            grad_x = grad * (x - t) / clamp_min((1 - x) * x, 1e-12)
        if ctx.needs_input_grad[1]:
            grad_t = grad * ((1 - x).log() - x.log())
        return grad_x, grad_t


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities ``input``: ``-(t log x + (1 - t) log(1 - x))``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same size.")
    data = input._data
    if data.size and (float(data.min()) < 0 or float(data.max()) > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits:
    ``(1 - t) x + (1 + (pos_weight - 1) t) softplus(-x)``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    log_term = softplus(-input, 1.0, math.inf)   # -log(sigmoid(x)), stable for any x
    if pos_weight is not None:
        log_term = log_term * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input + log_term
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# --- distributions and embeddings -------------------------------------------------------------------

def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL divergence with ``input`` as log-probabilities: ``target (log target - input)``
    (``log_target=True``: target is given as log-probabilities too).

    reduction='batchmean' divides the sum by the batch size (the mathematically correct
    KL); 'mean' averages over every element, as PyTorch does (with its warning).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
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
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
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
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _reduce(clamp_min(-target * (input1 - input2) + margin, 0), reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-target * input))``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce(softplus(-target * input, 1.0, math.inf), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """``x`` where target is 1, ``max(0, margin - x)`` where it is -1."""
    from ... import clamp_min
    reduction = _legacy_reduction(size_average, reduce, reduction)
    zero = input * 0
    loss = (_where(target == 1, input, zero)
            + _where(target == -1, clamp_min(margin - input, 0), zero))
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood: ``exp(x) - t x`` (log_input) or ``x - t log(x + eps)``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if full:
        raise NotImplementedError("poisson_nll_loss(full=True) is not implemented in minitorch")
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """``0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps))`` (+ const if full)."""
    from ... import clamp_min
    var = clamp_min(var.detach(), eps) + (var - var.detach()) if var.requires_grad else clamp_min(var, eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
