"""``AdamW``: Adam with decoupled weight decay (Loshchilov & Hutter)."""
from __future__ import annotations

from .adam import Adam


class AdamW(Adam):
    r"""Adam whose weight decay shrinks the weights directly instead of adding ``λ θ`` to the
    gradient (so the decay is not rescaled by the adaptive denominator)::

        θ ← θ (1 - γ λ)
        then the Adam update of θ with the unmodified gradient (see ``Adam``)

    Same arguments as ``Adam`` except that ``weight_decay`` defaults to 1e-2 and
    ``decoupled_weight_decay`` is always on.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
