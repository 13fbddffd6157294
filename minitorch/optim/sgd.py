"""``SGD``: stochastic gradient descent with optional momentum, Nesterov and weight decay."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor
from .optimizer import Optimizer, _add_scaled_, _check_nonnegative, _check_unsupported


class SGD(Optimizer):
    r"""Stochastic gradient descent (PyTorch's formulation of momentum).

    For each parameter ``θ`` with gradient ``g`` (``-g`` when ``maximize``), learning rate
    ``γ``, momentum ``μ``, dampening ``τ`` and weight decay ``λ``::

        g ← g + λ θ                                   (if λ ≠ 0)
        b ← g at the first step, else μ b + (1 - τ) g  (if μ ≠ 0; state 'momentum_buffer')
        g ← g + μ b  if nesterov, else  g ← b          (if μ ≠ 0)
        θ ← θ - γ g

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate ``γ`` (default 1e-3).
        momentum: ``μ`` (default 0).
        dampening: ``τ`` (default 0).
        weight_decay: L2 penalty ``λ`` (default 0).
        nesterov: use Nesterov momentum (needs ``momentum > 0`` and ``dampening = 0``).
        maximize: follow the gradient up instead of down.

    Example::

        >>> opt = minitorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        _check_nonnegative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_unsupported("SGD", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    @grad_mode.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param, grad = p._data, p.grad._data
                if group["maximize"]:
                    grad = -grad
                if weight_decay != 0:
                    grad = grad + weight_decay * param
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = Tensor._from_array(grad.copy())
                    else:
                        np.multiply(buf._data, momentum, out=buf._data)
                        _add_scaled_(buf._data, grad, 1 - dampening)
                    grad = grad + momentum * buf._data if nesterov else buf._data
                _add_scaled_(param, grad, -lr)
                p._bump_version()
        return loss
