"""Small pieces every op family shares: operand preparation and the broadcast-gradient helper."""
from __future__ import annotations

import numpy as np

from ..types.dtypes import result_type
from ..types.int_scalars import wrap_int_scalar
from ..tensor import Tensor


def check_same_device(a, b) -> None:
    """PyTorch's error for tensors on different devices (NumPy vs CuPy arrays)."""
    if a.device != b.device:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                           f"devices, {a.device} and {b.device}!")


def binary_arrays(a, b, dtype=None):
    """The arrays (or Python scalars) to compute ``a op b`` with, cast to their result dtype.

    ``dtype`` overrides the promoted dtype (true division promotes integers to float).
    Python scalars stay Python scalars: NumPy 2 treats them as "weak" (they never widen an
    array's dtype), which is PyTorch's rule too. NumPy scalars are not weak, so they are
    turned into Python ones first.
    """
    if dtype is None:
        dtype = result_type(a, b)
    target = dtype.numpy
    if isinstance(a, Tensor):
        x = a._data
        if x.dtype != target:
            x = x.astype(target)
    else:
        x = wrap_int_scalar(a.item() if isinstance(a, np.generic) else a, target)
    if isinstance(b, Tensor):
        y = b._data
        if y.dtype != target:
            y = y.astype(target)
        if isinstance(a, Tensor) and (type(x) is not type(y) or not isinstance(x, np.ndarray)):
            check_same_device(a, b)
    else:
        y = wrap_int_scalar(b.item() if isinstance(b, np.generic) else b, target)
    return x, y


def sum_to_shape(grad, shape):
    """Reduce a gradient back to ``shape`` after broadcasting (the step learners most often miss).

    Broadcasting prepended dimensions and stretched size-1 ones; the gradient of each is
    the sum over the copies, so sum over leading dims, and over stretched dims keeping them.
    Written with Tensor ops so that it is itself differentiable (create_graph=True).
    """
    if grad._data.shape == tuple(shape):
        return grad
    if grad.ndim < len(shape):
        # the input had extra leading 1-dims that broadcasting dropped (``x[0] = v`` with v of
        # shape [1, n] writes into a region of shape [n]): put them back
        extra = len(shape) - grad.ndim
        return sum_to_shape(grad, tuple(shape)[extra:]).reshape(tuple(shape))
    lead = grad.ndim - len(shape)
    dims = list(range(lead))
    dims += [lead + i for i, s in enumerate(shape) if s == 1 and grad._data.shape[lead + i] != 1]
    if dims:
        grad = grad.sum(tuple(dims), keepdim=True)
    return grad.reshape(tuple(shape))


def row_sums(x, axis, keepdims: bool = False):
    """``x.sum(axis, keepdims=keepdims)`` of a floating array (sum, mean, softmax and layer
    norm use it): a fresh array."""
    return x.sum(axis=axis, keepdims=keepdims)


def row_maxes(x, axis):
    """``x.max(axis, keepdims=True)`` (softmax's shift; minitorch/fast replaces it with a
    faster one for short last axes)."""
    return x.max(axis=axis, keepdims=True)


def row_means(x, axis, keepdims: bool = False):
    """``x.mean(axis, keepdims=keepdims)`` of a floating array, with ``row_sums``."""
    axes = axis if isinstance(axis, tuple) else (axis,)
    count = 1
    for a in axes:
        count *= x.shape[a]
    # (an empty mean is 0 / 0 = NaN, as in PyTorch; minitorch keeps NumPy's warnings off)
    return np.true_divide(row_sums(x, axis, keepdims), x.dtype.type(count), dtype=x.dtype)


def normalize_dim(dim: int, ndim: int) -> int:
    """A dimension index in ``[0, ndim)``, with PyTorch's IndexError when out of range."""
    if isinstance(dim, (bool, float)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"a dim must be an int, got {type(dim).__name__} ({dim!r})")
    rank = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1, as in PyTorch
    if not -rank <= dim < rank:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], "
                         f"but got {dim})")
    return dim % rank


def normalize_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, an int, or a sequence) as a sorted tuple of non-negative dims; None means all."""
    if dim is None:
        return tuple(range(ndim))
    # a 0-d tensor accepts dims 0 and -1 (checked) and has nothing to reduce over
    if isinstance(dim, (int, np.integer)):
        d = normalize_dim(int(dim), ndim)
        return (d,) if ndim else ()
    dims = tuple(normalize_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if ndim else ()
