"""``SGD``: stochastic gradient descent with optional momentum, Nesterov and weight decay."""
from __future__ import annotations

from ._checks import check_nonnegative, check_unsupported
from .optimizer import Optimizer


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
        check_nonnegative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        check_unsupported("SGD", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        # the buffer is made at the first step, from the gradient; without momentum: no state
        return {} if group["momentum"] != 0 else None

    def _update(self, p, grad, state, group):
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:  # the first step starts the average at the gradient itself
                buf = state["momentum_buffer"] = grad.clone()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
        p.add_(grad, alpha=-group["lr"])
