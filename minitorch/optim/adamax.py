"""``Adamax``: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

from ..creation.factories import zeros_like
from ..ops.pointwise import maximum
from ._checks import check_betas, check_nonnegative, check_unsupported
from .optimizer import Optimizer, step_counter


class Adamax(Optimizer):
    r"""Adamax (a variant of Adam based on the infinity norm).

    For each parameter ``θ`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``::

        g ← g + λ θ                          (weight decay λ)
        m ← β1 m + (1 - β1) g                state 'exp_avg'
        u ← max(β2 u, |g| + ε)               state 'exp_inf'
        θ ← θ - γ / (1 - β1^t) · m / u

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate ``γ`` (default 2e-3).
        betas: ``(β1, β2)`` (default (0.9, 0.999)).
        eps: ``ε`` (default 1e-8).
        weight_decay: ``λ`` (default 0).
        maximize: follow the gradient up instead of down.
    """

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        check_unsupported("Adamax", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": step_counter(), "exp_avg": zeros_like(p), "exp_inf": zeros_like(p)}

    def _update(self, p, grad, state, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        t = state["step"].add_(1).item()
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_inf.copy_(maximum(exp_inf.mul_(beta2), grad.abs().add_(eps)))
        p.addcdiv_(exp_avg, exp_inf, value=-lr / (1 - beta1 ** t))
