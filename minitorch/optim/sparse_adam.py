"""``SparseAdam``: Adam for sparse gradients, which minitorch does not have."""
from __future__ import annotations

from ._checks import check_betas
from .optimizer import Optimizer


class SparseAdam(Optimizer):
    r"""Adam that updates only the entries a sparse gradient names (e.g. the rows of an
    ``nn.Embedding(sparse=True)`` that a batch used).

    minitorch has no sparse tensors, so every gradient is dense, and ``step`` raises what
    PyTorch raises for a dense gradient: use ``Adam``. The constructor accepts PyTorch's
    options and checks them as PyTorch does, so that a script that builds one fails where
    PyTorch's would.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        betas: averaging coefficients (default (0.9, 0.999)).
        eps: term added to the denominator (default 1e-8).
        maximize: follow the gradient up instead of down.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, maximize: bool = False) -> None:
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def _update(self, p, grad, state, group):
        raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam "
                           "instead")
