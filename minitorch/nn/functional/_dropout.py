"""Dropout: zero random elements (or whole channels) in training, scaling the rest by
1 / (1 - p) so that the expected value is unchanged. Masks come from minitorch's default
random generator, drawn as PyTorch's CPU dropout draws them (``bernoulli_(1 - p)`` on a noise
tensor), so after the same ``manual_seed`` the masks are PyTorch's."""
from __future__ import annotations

import warnings

import numpy as np

from ... import backend
from ...random import kernels
from ...random.generator import default_generator
from ...tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d"]


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply_mask(input: Tensor, p: float, mask_shape: tuple, inplace: bool) -> Tensor:
    if not input.dtype.is_floating_point:  # the mask is scaled by 1/(1-p): a float
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{input.dtype._torch_name}")
    dtype = input._data.dtype
    if p == 1:
        mask = np.zeros((), dtype=dtype)
    else:
        # 1 with probability 1 - p (a float64 uniform below 1 - p), then divided by 1 - p
        # in the input's dtype
        count = int(np.prod(mask_shape, dtype=np.int64))
        keep = kernels.uniform(default_generator, count, np.float64).reshape(mask_shape) < 1 - p
        mask = keep.astype(dtype) / dtype.type(1 - p)
    if not isinstance(input._data, np.ndarray):
        mask = backend.to_device(mask, input.device)
    mask = Tensor._from_array(mask)
    # a product with a constant mask, as PyTorch records dropout on the CPU (MulBackward0):
    # dL/dx = mask * dL/dy
    return input.mul_(mask) if inplace else input * mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """In training, zero each element with probability ``p`` and scale the others by
    1/(1-p); otherwise return ``input`` unchanged."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _apply_mask(input, p, tuple(input.shape), inplace)


def _feature_dropout(input, p, training, inplace, spatial: int, name: str):
    _check_p(p)
    if input.ndim < 2 and input.numel():
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    batched = spatial + 2
    if input.ndim not in (batched - 1, batched):
        warnings.warn(f"{name}: Received a {input.ndim}-D input to {name}(); expected "
                      f"{batched}-D (batched) or {batched - 1}-D (unbatched) input.")
    if not training or p == 0:
        return input
    # one draw per (sample, channel): the first two dims, or the channel dim when unbatched
    leading = 2 if input.ndim >= batched else 1
    mask_shape = tuple(input.shape[:leading]) + (1,) * (input.ndim - leading)
    return _apply_mask(input, p, mask_shape, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on inputs "
                           "with 1 spatial dimension, a channel dimension, and an optional batch "
                           "dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels (dim 1) of (N, C, H, W) input, each with probability ``p``.

    As in PyTorch, a 3-D input is treated as (N, C, L) (channel-wise 1-D dropout), with a
    warning."""
    _check_p(p)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape (C, H, W). "
                      "To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.")
        if not training or p == 0:
            return input
        return _apply_mask(input, p, tuple(input.shape[:2]) + (1,), inplace)
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")
