"""``RAdam``: Adam with a rectified (variance-corrected) adaptive step (Liu et al.)."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from .optimizer import (Optimizer, _advance, _check_betas, _check_nonnegative, _check_unsupported,
                        _decay_weights, _new_step_counter, _update_moments, _zeros_like)


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
        _check_nonnegative(lr=lr, eps=eps)
        _check_betas(betas)
        _check_nonnegative(weight_decay=weight_decay)
        _check_unsupported("RAdam", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    @grad_mode.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _new_step_counter()
                    state["exp_avg"], state["exp_avg_sq"] = _zeros_like(p), _zeros_like(p)
                param, grad = p._data, p.grad._data
                if group["maximize"]:
                    grad = -grad
                t = _advance(state["step"])
                grad = _decay_weights(param, grad, lr, weight_decay, group["decoupled_weight_decay"])

                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                _update_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)

                bias_correction2 = 1 - beta2 ** t
                update = np.divide(exp_avg, 1 - beta1 ** t)
                np.multiply(update, lr, out=update)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * t * beta2 ** t / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    # sqrt(1 - β2^t) / (sqrt(v) + ε), as PyTorch evaluates it: 1/x, then a product
                    adaptive_lr = np.sqrt(exp_avg_sq)
                    np.add(adaptive_lr, eps, out=adaptive_lr)
                    np.reciprocal(adaptive_lr, out=adaptive_lr)
                    np.multiply(adaptive_lr, bias_correction2 ** 0.5, out=adaptive_lr)
                    np.multiply(update, adaptive_lr, out=update)
                    np.multiply(update, rect, out=update)
                np.subtract(param, update, out=param)
                p._bump_version()
        return loss
