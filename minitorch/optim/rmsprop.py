"""``RMSprop``: steps divided by a running root-mean-square of the gradient (Hinton)."""
from __future__ import annotations

from ..creation.factories import zeros_like
from ._checks import check_nonnegative, check_unsupported
from .optimizer import Optimizer, step_counter


class RMSprop(Optimizer):
    r"""RMSprop, in PyTorch's formulation (ε outside the square root).

    For each parameter ``θ`` with gradient ``g`` (``-g`` when ``maximize``)::

        g ← g + λ θ                                  (weight decay λ)
        v ← α v + (1 - α) g²                          state 'square_avg'
        a ← α a + (1 - α) g;  d ← sqrt(v - a²) + ε    (centered; state 'grad_avg')
        d ← sqrt(v) + ε                               (otherwise)
        b ← μ b + g / d;  θ ← θ - γ b                  (momentum μ > 0; state 'momentum_buffer')
        θ ← θ - γ g / d                               (otherwise)

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate ``γ`` (default 1e-2).
        alpha: smoothing constant ``α`` (default 0.99).
        eps: ``ε`` (default 1e-8).
        weight_decay: ``λ`` (default 0).
        momentum: ``μ`` (default 0).
        centered: normalise by an estimate of the gradient's variance instead of its raw
            second moment.
        maximize: follow the gradient up instead of down.
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                          alpha=alpha)
        check_unsupported("RMSprop", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        state = {"step": step_counter(), "square_avg": zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)
        return state

    def _update(self, p, grad, state, group):
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        state["step"].add_(1)
        square_avg = state["square_avg"].mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:  # subtract the squared mean: the variance, not the raw moment
            grad_avg = state["grad_avg"].lerp_(grad, 1 - alpha)
            denom = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            denom = square_avg.sqrt()
        denom.add_(eps)

        if momentum > 0:
            buf = state["momentum_buffer"].mul_(momentum).addcdiv_(grad, denom)
            p.add_(buf, alpha=-lr)
        else:
            p.addcdiv_(grad, denom, value=-lr)
