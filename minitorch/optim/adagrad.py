"""``Adagrad``: per-coordinate steps shrinking with the sum of squared gradients (Duchi et al.)."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor
from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _advance, _check_nonnegative,
                        _check_unsupported, _new_step_counter)


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
        _check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        _check_unsupported("Adagrad", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # Like PyTorch, the state exists from the start (so a state_dict taken before the first
        # step already holds the accumulators).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        state = self.state[p]
        state["step"] = _new_step_counter()
        state["sum"] = Tensor._from_array(np.full_like(p._data, group["initial_accumulator_value"]))
        return state

    @grad_mode.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, weight_decay = (group["lr"], group["lr_decay"], group["eps"],
                                               group["weight_decay"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p] or self._init_state(p, group)  # groups added later
                t = _advance(state["step"])
                param, grad = p._data, p.grad._data
                if group["maximize"]:
                    grad = -grad
                if weight_decay != 0:
                    grad = grad + weight_decay * param
                clr = lr / (1 + (t - 1) * lr_decay)

                state_sum = state["sum"]._data
                _addcmul_(state_sum, grad, grad, 1)
                std = np.sqrt(state_sum)
                np.add(std, eps, out=std)
                _addcdiv_(param, grad, std, -clr)
                p._bump_version()
        return loss
