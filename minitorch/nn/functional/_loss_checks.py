"""PyTorch's argument checks and warnings for the losses, in PyTorch's words, kept out of the
loss Functions so that those read as math."""
from __future__ import annotations

import warnings

import numpy as np

from ... import backend
from ...autograd import grad_mode
from ...autograd.function import broadcast_error
from ...tensor import Tensor


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """PyTorch's deprecated ``size_average`` / ``reduce`` flags, mapped onto ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{result}' instead.", stacklevel=3)
    return result


def check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def warn_shape(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def check_class_targets(input: Tensor, target: Tensor) -> None:
    """Class-index targets for input (C,) or (N, C, d1, ...): int64 (or uint8), one per sample."""
    x, t = input._data, target._data
    if t.dtype.type not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{target.dtype._torch_name}")
    if x.ndim == 0:
        raise RuntimeError("input tensor should be 1D or 2D")
    if x.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return
    if x.shape[0] != (t.shape[0] if t.ndim else -1):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target "
                         f"batch_size ({t.shape[0] if t.ndim else 0}).")
    if t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)}, target: "
                           f"{list(t.shape)})")


def check_class_weight(input: Tensor, weight: Tensor | None, prefix: str = "") -> None:
    """A class weight has one entry per class (the size of input's class dim)."""
    if weight is None or input.ndim == 0:
        return
    classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if tuple(weight.shape) != (classes,):
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")


def check_weight_fits(input: Tensor, weight: Tensor | None) -> None:
    """A per-element weight broadcasts onto the input without making the loss bigger."""
    if weight is None:
        return
    try:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(weight.shape))
    except ValueError:
        raise broadcast_error((weight, input)) from None
    if shape != tuple(input.shape):
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}")


def check_same_dtype(input: Tensor, target: Tensor) -> None:
    """binary_cross_entropy computes in the input's dtype and wants the target in it too."""
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype._torch_name} but expected "
                           f"{input.dtype._torch_name}")


def check_target_range(targets, valid, classes: int) -> None:
    """Every class index where ``valid`` (not ignored) is in [0, classes).

    Both bounds come to the host in one copy: on a GPU this is the one wait of a loss (PyTorch
    checks on the device and fails later; see docs/deviations.md). A boolean mask ``t[valid]``
    would add a wait for the number of selected elements."""
    if targets.size:
        xp = backend.namespace(targets)
        low, high = backend.host_values(xp.where(valid, targets, 0).min(),
                                        xp.where(valid, targets, -1).max())
        if low < 0 or high >= classes:
            raise IndexError(f"Target {high if high >= classes else low} is out of bounds.")


def check_same_size(input: Tensor, target: Tensor, name: str) -> None:
    if tuple(target.shape) != tuple(input.shape):
        if name == "binary_cross_entropy":
            raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                             f"size ({input.shape}) is deprecated. Please ensure they have the "
                             "same size.")
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")


def check_probabilities(input: Tensor) -> None:
    data = input._data
    if data.size and not (float(data.min()) >= 0 and float(data.max()) <= 1):  # NaN fails too
        raise RuntimeError("all elements of input should be between 0 and 1")


def broadcast_pair(input: Tensor, target: Tensor) -> tuple:
    """Both expanded to their common shape (PyTorch's ``broadcast_tensors``, and its error)."""
    if tuple(input.shape) == tuple(target.shape):
        return input, target
    try:
        shape = tuple(np.broadcast_shapes(tuple(input.shape), tuple(target.shape)))
    except ValueError:
        raise broadcast_error((input, target)) from None
    return input.expand(shape), target.expand(shape)


def check_constant(tensor: Tensor | None, function: str, argument: str) -> None:
    """An argument the loss does not differentiate (a class weight, a margin target) must not
    require grad while gradients are recorded: PyTorch refuses it rather than drop it."""
    if tensor is not None and tensor.requires_grad and grad_mode.is_grad_enabled():
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to "
                           f"argument '{argument}'. This input cannot have requires_grad True.")
