"""Flatten parameters into one vector and back (used by second-order and evolutionary
optimisers, and to count or compare weights)."""
from __future__ import annotations

from typing import Iterable

from ...tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters, flattened and concatenated in order, as one 1-D tensor
    (differentiable: gradients flow back to the parameters)."""
    from ... import cat
    pieces = []
    device = None
    for param in parameters:
        if device is None:
            device = param.device
        elif param.device != device:
            raise TypeError("Found two parameters on different devices, this is currently not "
                            "supported.")
        pieces.append(param.reshape(-1))
    return cat(pieces)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each parameter's values the next slice of ``vec`` (the inverse of
    ``parameters_to_vector``); the parameters then share ``vec``'s memory."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        count = param.numel()
        param._data = vec._data[pointer:pointer + count].reshape(tuple(param.shape))
        param._bump_version()
        pointer += count
