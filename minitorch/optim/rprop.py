"""``Rprop``: resilient backpropagation, steps that follow only the sign of the gradient."""
from __future__ import annotations

from ..creation.factories import full_like, ones_like, zeros_like
from ._checks import check_nonnegative, check_unsupported
from .optimizer import Optimizer, step_counter


class Rprop(Optimizer):
    r"""Rprop (Riedmiller and Braun), in PyTorch's formulation.

    Each coordinate keeps its own step size ``s`` (state 'step_size', starting at ``γ``) and
    moves by it against the sign of its gradient ``g`` (``-g`` when ``maximize``); the size
    grows while the sign stays, and shrinks when it flips (the minimum was jumped over)::

        η ← η+ if g · g_prev > 0,  η- if g · g_prev < 0,  1 otherwise
        s ← clamp(η s, s_min, s_max)
        g ← 0 where the sign flipped       (skip one step there: state 'prev' becomes 0)
        θ ← θ - sign(g) s
        g_prev ← g                         state 'prev'

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate ``γ``: the initial step size (default 1e-2).
        etas: ``(η-, η+)``, the shrink and growth factors, ``0 < η- < 1 < η+``
            (default (0.5, 1.2)).
        step_sizes: ``(s_min, s_max)``, the bounds of the step size (default (1e-6, 50)).
        maximize: follow the gradient up instead of down.
    """

    def __init__(self, params, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_nonnegative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_unsupported("Rprop", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        return {"step": step_counter(), "prev": zeros_like(p),
                "step_size": full_like(p, group["lr"])}

    def _update(self, p, grad, state, group):
        (eta_minus, eta_plus), (size_min, size_max) = group["etas"], group["step_sizes"]
        state["step"].add_(1)
        agreement = grad.mul(state["prev"]).sign()  # +1 kept its sign, -1 flipped, 0 either is 0
        flipped = agreement.lt(0)
        factor = ones_like(agreement)
        factor[agreement.gt(0)] = eta_plus
        factor[flipped] = eta_minus
        step_size = state["step_size"].mul_(factor).clamp_(size_min, size_max)
        grad = grad.clone()
        grad[flipped] = 0
        p.addcmul_(grad.sign(), step_size, value=-1)
        state["prev"].copy_(grad)
