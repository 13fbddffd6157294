"""``Adam``: adaptive moment estimation (Kingma & Ba), with AMSGrad and decoupled decay options."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from .optimizer import (Optimizer, _addcdiv_, _advance, _check_betas, _check_nonnegative,
                        _check_unsupported, _decay_weights, _new_step_counter, _update_moments,
                        _zeros_like)


class Adam(Optimizer):
    r"""Adam: steps scaled by running estimates of the gradient's first and second moments.

    For each parameter ``θ`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``::

        g ← g + λ θ          (weight decay λ; or θ ← θ (1 - γ λ) if decoupled_weight_decay)
        m ← β1 m + (1 - β1) g                              state 'exp_avg'
        v ← β2 v + (1 - β2) g²                             state 'exp_avg_sq'
        v̂ ← max(v̂, v)                          (amsgrad;  state 'max_exp_avg_sq')
        θ ← θ - γ / (1 - β1^t) · m / (sqrt(v or v̂) / sqrt(1 - β2^t) + ε)

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate ``γ`` (default 1e-3).
        betas: ``(β1, β2)``, the averaging coefficients (default (0.9, 0.999)).
        eps: ``ε`` added to the denominator (default 1e-8).
        weight_decay: ``λ`` (default 0).
        amsgrad: use the running maximum of ``v`` (AMSGrad).
        maximize: follow the gradient up instead of down.
        decoupled_weight_decay: decay the weights directly (this is AdamW).
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_nonnegative(lr=lr, eps=eps)
        _check_betas(betas)
        _check_nonnegative(weight_decay=weight_decay)
        _check_unsupported(type(self).__name__, differentiable=differentiable, fused=fused,
                           capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    @grad_mode.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _new_step_counter()
                    state["exp_avg"], state["exp_avg_sq"] = _zeros_like(p), _zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                param, grad = p._data, p.grad._data
                if group["maximize"]:
                    grad = -grad
                t = _advance(state["step"])
                grad = _decay_weights(param, grad, lr, weight_decay, group["decoupled_weight_decay"])

                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                _update_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
                if amsgrad:
                    second_moment = state["max_exp_avg_sq"]._data
                    np.maximum(second_moment, exp_avg_sq, out=second_moment)
                else:
                    second_moment = exp_avg_sq

                step_size = lr / (1 - beta1 ** t)
                denom = np.sqrt(second_moment)
                np.divide(denom, (1 - beta2 ** t) ** 0.5, out=denom)
                np.add(denom, eps, out=denom)
                _addcdiv_(param, exp_avg, denom, -step_size)
                p._bump_version()
        return loss
