"""A loss's ``reduction`` ('none', 'mean' or 'sum'): forward on arrays or Tensors, and the
gradient that reaches each element in backward."""
from __future__ import annotations

from ...tensor import Tensor


def reduce_loss(loss, reduction: str):
    """The per-element loss (an array or a Tensor), averaged, summed or kept."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def per_element(grad: Tensor, reduction: str, count: int) -> Tensor:
    """dL/dloss_i from dL/dy: the reduced loss's gradient reaches every element (divided by
    their count for 'mean'; a 0-d tensor that broadcasts); 'none' has one per element."""
    return grad / count if reduction == "mean" else grad
