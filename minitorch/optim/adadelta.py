"""``Adadelta``: steps whose size is a running RMS of past steps over that of gradients (Zeiler)."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from .optimizer import (Optimizer, _add_scaled_, _addcmul_, _advance, _check_nonnegative,
                        _check_unsupported, _new_step_counter, _zeros_like)


class Adadelta(Optimizer):
    r"""Adadelta.

    For each parameter ``θ`` with gradient ``g`` (``-g`` when ``maximize``)::

        g ← g + λ θ                                    (weight decay λ)
        v ← ρ v + (1 - ρ) g²                            state 'square_avg'
        Δ = sqrt(u + ε) / sqrt(v + ε) · g
        u ← ρ u + (1 - ρ) Δ²                            state 'acc_delta'
        θ ← θ - γ Δ

    Args:
        params: tensors or parameter groups to optimize.
        lr: ``γ``, a scale applied to ``Δ`` (default 1.0).
        rho: ``ρ``, the averaging coefficient (default 0.9).
        eps: ``ε`` (default 1e-6).
        weight_decay: ``λ`` (default 0).
        maximize: follow the gradient up instead of down.
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonnegative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative(eps=eps, weight_decay=weight_decay)
        _check_unsupported("Adadelta", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    @grad_mode.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, rho, eps, weight_decay = group["lr"], group["rho"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _new_step_counter()
                    state["square_avg"], state["acc_delta"] = _zeros_like(p), _zeros_like(p)
                _advance(state["step"])
                param, grad = p._data, p.grad._data
                if group["maximize"]:
                    grad = -grad
                if weight_decay != 0:
                    grad = grad + weight_decay * param

                square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
                np.multiply(square_avg, rho, out=square_avg)
                _addcmul_(square_avg, grad, grad, 1 - rho)
                std = np.add(square_avg, eps)
                np.sqrt(std, out=std)
                delta = np.add(acc_delta, eps)
                np.sqrt(delta, out=delta)
                np.divide(delta, std, out=delta)
                np.multiply(delta, grad, out=delta)
                np.multiply(acc_delta, rho, out=acc_delta)
                _addcmul_(acc_delta, delta, delta, 1 - rho)
                _add_scaled_(param, delta, -lr)
                p._bump_version()
        return loss
