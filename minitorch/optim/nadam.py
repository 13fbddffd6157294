"""``NAdam``: Adam with Nesterov momentum (Dozat), with a momentum-decay schedule."""
from __future__ import annotations

from ..creation.factories import zeros_like
from ._checks import check_betas, check_nonnegative, check_unsupported
from .adam import update_moments
from .optimizer import Optimizer, step_counter


class NAdam(Optimizer):
    r"""NAdam.

    For each parameter ``θ`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``,
    with ``μ_t = β1 (1 - 0.96^(t ψ) / 2)`` (``ψ`` = momentum_decay)::

        g ← g + λ θ          (weight decay λ; or θ ← θ (1 - γ λ) if decoupled_weight_decay)
        P ← P μ_t                                  state 'mu_product' (starts at 1)
        m ← β1 m + (1 - β1) g                      state 'exp_avg'
        v ← β2 v + (1 - β2) g²                     state 'exp_avg_sq'
        d = sqrt(v / (1 - β2^t)) + ε
        θ ← θ - γ (1 - μ_t) / (1 - P) · g / d - γ μ_{t+1} / (1 - P μ_{t+1}) · m / d

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate ``γ`` (default 2e-3).
        betas: ``(β1, β2)`` (default (0.9, 0.999)).
        eps: ``ε`` (default 1e-8).
        weight_decay: ``λ`` (default 0).
        momentum_decay: ``ψ`` (default 4e-3).
        decoupled_weight_decay: decay the weights directly, as AdamW does.
        maximize: follow the gradient up instead of down.
    """

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr, eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        check_unsupported("NAdam", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        # (PyTorch's key order, which state_dict shows)
        return {"step": step_counter(), "mu_product": step_counter(1.0),
                "exp_avg": zeros_like(p), "exp_avg_sq": zeros_like(p)}

    def _update(self, p, grad, state, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        t = state["step"].add_(1).item()
        psi = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        # the product is kept in the counter's dtype (float32), as PyTorch keeps it
        mu_product = float(state["mu_product"].mul_(mu))

        exp_avg, exp_avg_sq = update_moments(state, grad, beta1, beta2)
        denom = exp_avg_sq.div(1 - beta2 ** t).sqrt().add_(eps)
        p.addcdiv_(grad, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product))
        p.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1.0 - mu_product * mu_next))
