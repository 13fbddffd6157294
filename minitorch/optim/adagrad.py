"""``Adagrad``: per-coordinate steps shrinking with the sum of squared gradients (Duchi et al.)."""
from __future__ import annotations

from ..creation.factories import full_like
from ._checks import check_nonnegative, check_unsupported
from .optimizer import Optimizer, step_counter


class Adagrad(Optimizer):
    r"""Adagrad.

    For each parameter ``θ`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``::

        g ← g + λ θ                          (weight decay λ)
        γ_t = γ / (1 + (t - 1) η)            (lr decay η)
        s ← s + g²                           state 'sum', starting at initial_accumulator_value
        θ ← θ - γ_t g / (sqrt(s) + ε)

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate ``γ`` (default 1e-2).
        lr_decay: ``η`` (default 0).
        weight_decay: ``λ`` (default 0).
        initial_accumulator_value: starting value of every ``s`` (default 0).
        eps: ``ε`` (default 1e-10).
        maximize: follow the gradient up instead of down.
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                          initial_accumulator_value=initial_accumulator_value, eps=eps)
        check_unsupported("Adagrad", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # Like PyTorch, the state exists from the start (so a state_dict taken before the first
        # step already holds the accumulators).
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._init_state(p, group)

    def _init_state(self, p, group):
        return {"step": step_counter(),
                "sum": full_like(p, group["initial_accumulator_value"])}

    def _update(self, p, grad, state, group):
        t = state["step"].add_(1).item()
        lr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        state_sum = state["sum"].addcmul_(grad, grad, value=1)
        std = state_sum.sqrt().add_(group["eps"])
        p.addcdiv_(grad, std, value=-lr)
