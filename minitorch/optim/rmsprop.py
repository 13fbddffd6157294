"""``RMSprop``: steps divided by a running root-mean-square of the gradient (Hinton)."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from .optimizer import (Optimizer, _add_scaled_, _addcdiv_, _addcmul_, _advance, _check_nonnegative,
                        _check_unsupported, _lerp_, _new_step_counter, _zeros_like)


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
        _check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                           alpha=alpha)
        _check_unsupported("RMSprop", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    @grad_mode.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _new_step_counter()
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = _zeros_like(p)
                param, grad = p._data, p.grad._data
                if group["maximize"]:
                    grad = -grad
                _advance(state["step"])
                if weight_decay != 0:
                    grad = grad + weight_decay * param

                square_avg = state["square_avg"]._data
                np.multiply(square_avg, alpha, out=square_avg)
                _addcmul_(square_avg, grad, grad, 1 - alpha)
                if group["centered"]:
                    grad_avg = state["grad_avg"]._data
                    _lerp_(grad_avg, grad, 1 - alpha)
                    denom = square_avg - grad_avg * grad_avg
                    np.sqrt(denom, out=denom)
                else:
                    denom = np.sqrt(square_avg)
                np.add(denom, eps, out=denom)

                if momentum > 0:
                    buf = state["momentum_buffer"]._data
                    np.multiply(buf, momentum, out=buf)
                    np.add(buf, grad / denom, out=buf)
                    _add_scaled_(param, buf, -lr)
                else:
                    _addcdiv_(param, grad, denom, -lr)
                p._bump_version()
        return loss
