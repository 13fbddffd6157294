"""``NAdam``: Adam with Nesterov momentum (Dozat), with a momentum-decay schedule."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor
from .optimizer import (Optimizer, _addcdiv_, _advance, _check_betas, _check_nonnegative,
                        _check_unsupported, _decay_weights, _new_step_counter, _update_moments,
                        _zeros_like)


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
        _check_nonnegative(lr=lr, eps=eps)
        _check_betas(betas)
        _check_nonnegative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        _check_unsupported("NAdam", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    @grad_mode.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _new_step_counter()
                    state["mu_product"] = _new_step_counter()
                    state["mu_product"]._data[...] = 1.0
                    state["exp_avg"], state["exp_avg_sq"] = _zeros_like(p), _zeros_like(p)
                param, grad = p._data, p.grad._data
                if group["maximize"]:
                    grad = -grad
                t = _advance(state["step"])
                grad = _decay_weights(param, grad, lr, weight_decay, group["decoupled_weight_decay"])

                mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
                # the product is kept in the counter's dtype, as PyTorch keeps it (float32)
                mu_product: Tensor = state["mu_product"]
                np.multiply(mu_product._data, mu, out=mu_product._data)
                mu_product_now = float(mu_product._data)

                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                _update_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
                denom = np.divide(exp_avg_sq, 1 - beta2 ** t)
                np.sqrt(denom, out=denom)
                np.add(denom, eps, out=denom)
                _addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product_now))
                _addcdiv_(param, exp_avg, denom, -lr * mu_next / (1.0 - mu_product_now * mu_next))
                p._bump_version()
        return loss
