"""``RAdam``: Adam with a rectified (variance-corrected) adaptive step (Liu et al.)."""
from __future__ import annotations

from ._checks import check_betas, check_nonnegative, check_unsupported
from .adam import moments_state, update_moments
from .optimizer import Optimizer


class RAdam(Optimizer):
    r"""RAdam.

    For each parameter ``θ`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``::

        g ← g + λ θ          (weight decay λ; or θ ← θ (1 - γ λ) if decoupled_weight_decay)
        m ← β1 m + (1 - β1) g;   v ← β2 v + (1 - β2) g²     states 'exp_avg', 'exp_avg_sq'
        m̂ = m / (1 - β1^t)
        ρ∞ = 2 / (1 - β2) - 1;   ρ_t = ρ∞ - 2 t β2^t / (1 - β2^t)
        if ρ_t > 5:  r = sqrt((ρ_t - 4)(ρ_t - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρ_t))
                     θ ← θ - γ m̂ · sqrt(1 - β2^t) / (sqrt(v) + ε) · r
        else:        θ ← θ - γ m̂            (too few steps for a reliable variance estimate)

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate ``γ`` (default 1e-3).
        betas: ``(β1, β2)`` (default (0.9, 0.999)).
        eps: ``ε`` (default 1e-8).
        weight_decay: ``λ`` (default 0).
        decoupled_weight_decay: decay the weights directly, as AdamW does.
        maximize: follow the gradient up instead of down.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False,
                 *, foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        check_unsupported("RAdam", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return moments_state(p)

    def _update(self, p, grad, state, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        t = state["step"].add_(1).item()
        exp_avg, exp_avg_sq = update_moments(state, grad, beta1, beta2)

        bias_correction2 = 1 - beta2 ** t
        update = exp_avg / (1 - beta1 ** t) * lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2 ** t / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive_lr = bias_correction2 ** 0.5 / exp_avg_sq.sqrt().add_(eps)
            update = update * adaptive_lr * rect
        p.sub_(update)
