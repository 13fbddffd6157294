"""``Adam``: adaptive moment estimation (Kingma & Ba), with AMSGrad and decoupled decay options."""
from __future__ import annotations

from ..creation.factories import zeros_like
from ..ops.pointwise import maximum
from ._checks import check_betas, check_nonnegative, check_unsupported
from .optimizer import Optimizer, step_counter


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
        check_nonnegative(lr=lr, eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        check_unsupported(type(self).__name__, differentiable=differentiable, fused=fused,
                          capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        state = moments_state(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(p)
        return state

    def _update(self, p, grad, state, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        t = state["step"].add_(1).item()
        exp_avg, exp_avg_sq = update_moments(state, grad, beta1, beta2)
        second_moment = exp_avg_sq
        if group["amsgrad"]:  # the largest v so far: the step never grows as v shrinks
            second_moment = state["max_exp_avg_sq"]
            second_moment.copy_(maximum(second_moment, exp_avg_sq))

        step_size = lr / (1 - beta1 ** t)
        denom = (second_moment.sqrt() / (1 - beta2 ** t) ** 0.5).add_(eps)
        p.addcdiv_(exp_avg, denom, value=-step_size)


# --- shared with NAdam and RAdam, which build on Adam's moments ------------------------------

def moments_state(p):
    """A step counter and Adam's two running averages (zeros shaped like ``p``)."""
    return {"step": step_counter(), "exp_avg": zeros_like(p), "exp_avg_sq": zeros_like(p)}


def update_moments(state, grad, beta1: float, beta2: float):
    """Adam's running averages, in place: ``m ← β1 m + (1 - β1) g``, ``v ← β2 v + (1 - β2) g²``."""
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    return exp_avg, exp_avg_sq
