"""Gradient clipping, applied in place to ``.grad`` after ``backward()`` and before the
optimizer step."""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from ... import backend
from ...tensor import Tensor


def _grads(parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Rescale the gradients so that their joint norm (as if concatenated into one vector)
    is at most ``max_norm``.

    Args:
        norm_type: the p of the p-norm; ``float('inf')`` for the largest absolute value.
        error_if_nonfinite: raise if the total norm is nan or inf instead of scaling by it.
    Returns:
        The total norm before clipping, a 0-d tensor.
    """
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        from ... import tensor
        return tensor(0.0)
    first = grads[0]._data
    xp = backend.namespace(first)
    # The norm stays an array, on the gradients' device: no Python number, so no wait for a GPU
    # (PyTorch's clipping does not wait either, unless error_if_nonfinite asks it to look).
    if math.isinf(norm_type):
        total = xp.stack([xp.abs(g._data).max() if g._data.size else xp.zeros((), first.dtype)
                          for g in grads]).max()
    else:
        total = sum((xp.abs(g._data.astype(np.float64)) ** norm_type).sum() for g in grads)
        total = total ** (1.0 / norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped. To disable this error and "
                           "scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    # minimum() keeps a nan coefficient (nan norm), which then shows in the gradients, as in PyTorch
    coefficient = xp.minimum(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        g._data *= coefficient.astype(g._data.dtype)
        g._bump_version()
    return Tensor._from_array(xp.asarray(total, dtype=first.dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._bump_version()
