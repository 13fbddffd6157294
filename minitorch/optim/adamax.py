"""``Adamax``: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from .optimizer import (Optimizer, _addcdiv_, _advance, _check_betas, _check_nonnegative,
                        _check_unsupported, _lerp_, _new_step_counter, _zeros_like)


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
        _check_nonnegative(lr=lr, eps=eps)
        _check_betas(betas)
        _check_nonnegative(weight_decay=weight_decay)
        _check_unsupported("Adamax", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
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
                    state["exp_avg"], state["exp_inf"] = _zeros_like(p), _zeros_like(p)
                param, grad = p._data, p.grad._data
                if group["maximize"]:
                    grad = -grad
                t = _advance(state["step"])
                if weight_decay != 0:
                    grad = grad + weight_decay * param

                exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
                _lerp_(exp_avg, grad, 1 - beta1)
                np.multiply(exp_inf, beta2, out=exp_inf)
                bound = np.abs(grad)
                np.add(bound, eps, out=bound)
                np.maximum(exp_inf, bound, out=exp_inf)
                _addcdiv_(param, exp_avg, exp_inf, -lr / (1 - beta1 ** t))
                p._bump_version()
        return loss
