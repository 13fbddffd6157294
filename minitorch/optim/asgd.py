"""``ASGD``: stochastic gradient descent that also keeps a running average of the iterates."""
from __future__ import annotations

from ..creation.factories import as_tensor, zeros_like
from ._checks import check_nonnegative, check_unsupported
from .optimizer import Optimizer, step_counter


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak and Juditsky), in PyTorch's formulation.

    For each parameter ``θ`` with gradient ``g`` (``-g`` when ``maximize``), at step ``t``, with
    a step size ``η`` (state 'eta', starting at ``γ``) and an averaging weight ``μ`` (state
    'mu', starting at 1)::

        g ← g + λ' θ                              (weight decay λ')
        θ ← θ (1 - λ η) - η g                     (decay term λ, then the SGD step)
        θ̄ ← θ̄ + μ (θ - θ̄)                          state 'ax': the average of the iterates
        η ← γ / (1 + λ γ t)^α
        μ ← 1 / max(1, t - t0)                    (averaging starts after step t0)

    The parameters keep the SGD iterates; the average to use at the end is ``state[p]['ax']``.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate ``γ`` (default 1e-2).
        lambd: decay term ``λ`` (default 1e-4).
        alpha: power ``α`` for the step-size decay (default 0.75).
        t0: the step at which averaging starts (default 1e6).
        weight_decay: ``λ'`` (default 0).
        maximize: follow the gradient up instead of down.
    """

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_nonnegative(lr=lr, weight_decay=weight_decay)
        check_unsupported("ASGD", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, group):
        # eta and mu are 0-d tensors like the step counter (PyTorch's layout), so they are
        # float32 numbers unless float64 is the default dtype
        return {"step": step_counter(), "eta": step_counter(group["lr"]),
                "mu": step_counter(1.0), "ax": zeros_like(p)}

    def _update(self, p, grad, state, group):
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        t = state["step"].add_(1).item()
        eta, mu = float(state["eta"]), float(state["mu"])
        p.mul_(1 - lambd * eta).add_(grad, alpha=-eta)
        if mu != 1:
            state["ax"].add_(p.sub(state["ax"]).mul_(mu))
        else:  # before t0 the "average" is just the latest iterate
            state["ax"].copy_(p)
        # the new values go through a default-dtype tensor, as in PyTorch: float32 numbers even
        # where a loaded state dict made 'eta' and 'mu' float64
        state["eta"].copy_(as_tensor(lr / ((1 + lambd * lr * t) ** alpha)))
        state["mu"].copy_(as_tensor(1 / max(1, t - t0)))
