"""``F.prelu``: a leaky ReLU whose slopes are learned, recorded as PyTorch records it (the
weight viewed to broadcast over the channels, then PreluKernelBackward0)."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...ops._helpers import sum_to_shape
from ...tensor import Tensor

__all__ = ["prelu"]


class Prelu(Function):
    """y = x if x > 0 else w x (w broadcast over x); dL/dx = dL/dy where x > 0, else w dL/dy; dL/dw
    = the sum of x dL/dy where x <= 0 (over the dims w was broadcast along); saves x and w."""

    node_name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, x, weight):
        ctx.save_for_backward(x, weight)
        a = x._data
        return np.where(a > 0, a, weight._data * a)

    @staticmethod
    def backward(ctx, grad):
        from ... import where
        x, weight = ctx.saved_tensors
        positive = x > 0
        grad_x = where(positive, grad, weight * grad) if ctx.needs_input_grad[0] else None
        grad_w = None
        if ctx.needs_input_grad[1]:
            grad_w = sum_to_shape(where(positive, 0.0, x * grad), tuple(weight.shape))
        return grad_x, grad_w


def _channel_view_shape(input: Tensor, weight: Tensor) -> tuple:
    """The shape that lines the weights up with dim 1 (the channels), with PyTorch's check."""
    if weight.numel() == 1:
        return (1,) * max(input.ndim - 1, 1) if input.ndim else ()
    channels = input.shape[1] if input.ndim >= 2 else input.shape[0] if input.ndim else 1
    if weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {weight.numel()} and channel size = {channels}.")
    return (channels,) + (1,) * (input.ndim - 2) if input.ndim >= 2 else (channels,)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU whose slope is learned, one per channel (dim 1) or one shared."""
    return Prelu.apply(input, weight.view(_channel_view_shape(input, weight)))
