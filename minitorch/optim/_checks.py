"""The argument checks the optimizers' constructors share, worded as PyTorch words them."""
from __future__ import annotations

from ..tensor import Tensor


def typename(obj) -> str:
    """``torch.typename``: a tensor's type name (``minitorch.FloatTensor``), else the class's."""
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


def check_unsupported(name: str, *, differentiable: bool = False, fused=None,
                      capturable: bool = False) -> None:
    """The implementation switches PyTorch has and minitorch does not (``foreach`` is accepted:
    one loop over the tensors serves every setting and gives the same numbers)."""
    for option, value in (("differentiable", differentiable), ("fused", fused),
                          ("capturable", capturable)):
        if value:
            raise NotImplementedError(f"minitorch's {name} does not implement {option}=True")


def check_nonnegative(**options) -> None:
    """PyTorch's range checks: each named option must be >= 0."""
    for name, value in options.items():
        if isinstance(value, Tensor):
            raise NotImplementedError(f"minitorch optimizers take {name} as a number, not a Tensor "
                                      f"(use float({name}))")
        if not 0.0 <= value:
            label = {"lr": "learning rate", "eps": "epsilon value"}.get(name, f"{name} value")
            raise ValueError(f"Invalid {label}: {value}")


def check_betas(betas) -> None:
    """Two averaging coefficients, each in [0, 1). (PyTorch reads betas[0] and betas[1]:
    a number is its TypeError, a 1-tuple its IndexError; a longer tuple is accepted.)"""
    if not hasattr(betas, "__getitem__"):
        raise TypeError(f"betas must be a pair (beta1, beta2), got the "
                        f"{type(betas).__name__} {betas!r}")
    if len(betas) < 2:
        raise IndexError(f"tuple index out of range: betas must be a pair (beta1, beta2), "
                         f"got {tuple(betas)}")
    for i, beta in enumerate(betas[:2]):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
