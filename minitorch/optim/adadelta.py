"""``Adadelta``: steps whose size is a running RMS of past steps over that of gradients (Zeiler)."""
from __future__ import annotations

from ..creation.factories import zeros_like
from ._checks import check_nonnegative, check_unsupported
from .optimizer import Optimizer, step_counter


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
        check_nonnegative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(eps=eps, weight_decay=weight_decay)
        check_unsupported("Adadelta", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": step_counter(), "square_avg": zeros_like(p), "acc_delta": zeros_like(p)}

    def _update(self, p, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        state["step"].add_(1)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = square_avg.add(eps).sqrt_()
        delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        p.add_(delta, alpha=-group["lr"])
