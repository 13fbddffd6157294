"""Reductions: ``sum``, ``mean``, ``prod``, the max/min family, ``var``/``std``, ``norm``,
``all``/``any``/``count_nonzero``, and the running (cumulative) ``cumsum``/``cumprod``.

A reduction's gradient is the output gradient broadcast back over the reduced dims
(``_expand_back``) times the derivative of the reduced value w.r.t. each element. Where a
max or min is shared by several elements, ``amax``/``max()`` split the gradient evenly
among them, while ``max(dim=...)`` gives it all to the element whose index it returns:
both are PyTorch's conventions.
"""
from __future__ import annotations

import math
import warnings
from collections import namedtuple

import numpy as np

from ..types.dtypes import int64, to_dtype
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import normalize_dim, normalize_dims, row_means, row_sums


# The public functions (exported as minitorch.<name>)
__all__ = [
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std",
    "var_mean", "std_mean", "norm", "all", "any", "count_nonzero", "cumsum", "cumprod",
]

# PyTorch returns these as ``torch.return_types.max`` etc.: tuples with named fields
max_result = namedtuple("max", ["values", "indices"])
min_result = namedtuple("min", ["values", "indices"])


def _reduced_dims(dim, ndim: int) -> tuple:
    """The dims a reduction covers: all of them for None or ``()`` (PyTorch's rule)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    return normalize_dims(dim, ndim)


def _expand_back(grad, input_shape, dims, keepdim):
    """Broadcast a reduced gradient back over the reduced dims: the gradient of a sum is 1
    for every element that went into it."""
    return _keep_dims(grad, input_shape, dims, keepdim).expand(input_shape)


def _keep_dims(t, input_shape, dims, keepdim):
    """A reduced tensor reshaped to keep its reduced dims as size 1 (so it broadcasts)."""
    if not keepdim and dims:
        kept = list(input_shape)
        for d in dims:
            kept[d] = 1
        t = t.reshape(tuple(kept))
    return t


def _require_float(input, name: str) -> None:
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{name} only support floating point and complex dtypes")


# --- sum, mean, prod ----------------------------------------------------------------------------

class Sum(Function):
    """y = sum(a, dims); dL/da = dL/dy expanded back over the summed dims; saves dims and keepdim.
    """

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = int64  # PyTorch sums integers and bools in int64
        ctx.dims, ctx.keepdim = dims, keepdim
        if dtype is None:
            return row_sums(x, dims, keepdim)
        return x.sum(axis=dims, keepdims=keepdim, dtype=dtype.numpy)

    @staticmethod
    def backward(ctx, grad):
        (shape, _, _, _) = ctx._input_shapes
        return _expand_back(grad, shape, ctx.dims, ctx.keepdim), None, None, None


class Mean(Function):
    """y = mean(a, dims) over n elements; dL/da = dL/dy / n, expanded back over the averaged dims;
    saves dims, keepdim and n."""

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        x = a._data
        if dtype is None and not a.dtype.is_floating_point:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {a.dtype._torch_name}")
        count = 1
        for d in dims:
            count *= x.shape[d]
        ctx.dims, ctx.keepdim, ctx.count = dims, keepdim, count
        out_dtype = x.dtype if dtype is None else dtype.numpy
        # NumPy's float16 mean accumulates in float16 unless told otherwise; PyTorch uses float32
        acc = np.float32 if out_dtype == np.float16 else out_dtype
        if acc == x.dtype:
            return row_means(x, dims, keepdim)
        return x.mean(axis=dims, keepdims=keepdim, dtype=acc).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (shape, _, _, _) = ctx._input_shapes
        # expanded, then divided, as PyTorch: the gradient is then an array of its own (a
        # sum's stays a broadcast view, which an in-place write refuses, in both libraries)
        return _expand_back(grad, shape, ctx.dims, ctx.keepdim) / ctx.count, None, None, None


class Prod(Function):
    """y = prod(a, dims); dL/da_i = dL/dy * the product of the other elements of a_i's slice; saves
    a and y, dims and keepdim.

    Without zeros that is ``result / a_i``. Division fails at zeros, so then the product of
    the others is built from two running products (of the elements before a_i and of those
    after it): exact, and differentiable again, with any number of zeros.
    """

    node_name = "ProdBackward1"

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = int64
        ctx.dims, ctx.keepdim = dims, keepdim
        result = Tensor._from_array(np.prod(x, axis=dims, keepdims=keepdim,
                                            dtype=None if dtype is None else dtype.numpy))
        ctx.save_for_backward(a, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        shape, dims = ctx._input_shapes[0], ctx.dims
        if a.ndim == 0:  # the product of one number is that number: d/da = 1 (also at NaN, inf)
            return grad, None, None, None
        grad = _keep_dims(grad, shape, dims, ctx.keepdim)
        if not (a._data == 0).any():
            return grad * _keep_dims(result, shape, dims, ctx.keepdim) / a, None, None, None
        return grad * _product_of_others(a, dims), None, None, None


def _product_of_others(a, dims):
    """For each element, the product of the other elements of its slice along ``dims`` (one
    dim, or all of them): (product of those before it) * (product of those after it)."""
    from .. import cat
    whole = len(dims) == a.ndim
    x = a.reshape(-1) if whole else a.transpose(dims[0], -1)
    one = Tensor._from_array(np.ones_like(x._data[..., :1]))
    before = cumprod(cat([one, x[..., :-1]], -1), -1)
    after = cumprod(cat([one, x[..., 1:].flip(-1)], -1), -1).flip(-1)
    others = before * after
    return others.reshape(a.shape) if whole else others.transpose(dims[0], -1)


class ProdAll(Prod):
    """y = prod(a) over every element; dL/da_i = dL/dy * the product of the other elements, and 0
    everywhere with two zeros or more (even beside a NaN: PyTorch's shortcut, unless
    create_graph records the backward); saves a and y."""

    node_name = "ProdBackward0"

    @staticmethod
    def backward(ctx, grad):
        a, _ = ctx.saved_tensors
        if not grad_mode.is_grad_enabled() and a.ndim and int((a._data == 0).sum()) > 1:
            return Tensor._from_array(a._xp.zeros_like(a._data)), None, None, None
        return Prod.backward(ctx, grad)


class SumAll(Sum):
    """``sum(a)`` over every element: the same Function, under PyTorch's name for this form."""

    node_name = "SumBackward0"


class MeanAll(Mean):
    node_name = "MeanBackward0"


def sum(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False, *, dtype: dtype | None = None):
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints).

    Example::

        >>> minitorch.tensor([[1., 2.], [3., 4.]]).sum(0)
        tensor([4., 6.])
    """
    dims = _reduced_dims(dim, input.ndim)
    function = SumAll if dim is None else Sum
    return function.apply(input, dims, keepdim, None if dtype is None else to_dtype(dtype))


def mean(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False, *, dtype: dtype | None = None):
    """Mean of all elements, or over ``dim`` (an int or a tuple of ints)."""
    dims = _reduced_dims(dim, input.ndim)
    function = MeanAll if dim is None else Mean
    return function.apply(input, dims, keepdim, None if dtype is None else to_dtype(dtype))


def prod(input: Tensor, dim: int = None, keepdim: bool = False, *, dtype: dtype | None = None):
    """Product of all elements, or along one ``dim``; integers multiply in int64.

    The gradient is exact when the input holds zeros (see ``Prod``).
    """
    dtype = None if dtype is None else to_dtype(dtype)
    if dim is None:
        return ProdAll.apply(input, tuple(range(input.ndim)), False, dtype)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    return Prod.apply(input, normalize_dims(dim, input.ndim), keepdim, dtype)


# --- max and min ----------------------------------------------------------------------------------

def _nonempty(x, dims, name: str) -> None:
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


class Amax(Function):
    """y = amax(a, dims); dL/da = dL/dy shared evenly by the elements equal to the maximum, 0
    elsewhere; saves a and y, dims and keepdim."""

    node_name = "AmaxBackward0"
    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, a, dims, keepdim):
        x = a._data
        ctx.dims, ctx.keepdim = dims, keepdim
        result = Tensor._from_array(cls.reduce(x, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(a, result)
        return result

    # amax multiplies the gradient by the 0/1 mask (an inf or NaN gradient reaches every
    # element); max() of the whole tensor selects with `where` (others get exactly 0), as in PyTorch
    selects = False

    @classmethod
    def backward(cls, ctx, grad):
        a, result = ctx.saved_tensors
        shape, dims, keepdim = ctx._input_shapes[0], ctx.dims, ctx.keepdim
        return _even_share(grad, a, result, shape, dims, keepdim, cls.selects), None, None


def _even_share(grad, a, result, shape, dims, keepdim, selects=False):
    """``grad`` split evenly among the elements of ``a`` that equal the reduced ``result``.
    For max()/min() of the whole tensor (``selects``) a NaN result is matched by the NaN
    elements; amax/amin compare with ``==`` only, so a NaN result has no match and the
    gradient is NaN (0 / 0), as in PyTorch."""
    from .comparison import isnan, where
    extreme = _keep_dims(result, shape, dims, keepdim)
    hits = a == extreme
    if selects and a.dtype.is_floating_point and np.isnan(result._data).any():
        hits = hits | (isnan(a) & isnan(extreme))
    weights = hits.to(grad.dtype)
    if selects:
        return where(hits, _keep_dims(grad, shape, dims, keepdim) / weights.sum(dims, keepdim=True), 0.0)
    return _keep_dims(grad, shape, dims, keepdim) * weights / weights.sum(dims, keepdim=True)


class Amin(Amax):
    """``amin(a, dims)``;  the gradient is shared evenly by the elements equal to the minimum."""

    node_name = "AminBackward0"
    reduce = staticmethod(np.min)


class MaxAll(Amax):
    node_name = "MaxBackward1"
    selects = True


class MinAll(Amin):
    node_name = "MinBackward1"
    selects = True


class MaxDim(Function):
    """y, indices = max(a, dim); dL/da = zeros with dL/dy at the element each index points to;
    saves the indices, dim and keepdim."""

    node_name = "MaxBackward0"
    arg = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx, a, dim, keepdim):
        x = a._data
        ctx.dim, ctx.keepdim = dim, keepdim
        if x.ndim == 0:
            values, index = x.copy(), np.zeros((), dtype=np.int64)
        else:
            index = cls.arg(x, axis=dim, keepdims=True)
            values = np.take_along_axis(x, index, axis=dim)
            ctx.index = index
            if not keepdim:
                values, index = values.squeeze(dim), index.squeeze(dim)
        index = Tensor._from_array(index.astype(np.int64, copy=False))
        ctx.mark_non_differentiable(index)
        return values, index

    @staticmethod
    def backward(ctx, grad, _):
        from .sorting import scatter_back
        shape = ctx._input_shapes[0]
        if len(shape) == 0:
            return grad, None, None
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        return scatter_back(grad, ctx.index, ctx.dim, shape), None, None


class MinDim(MaxDim):
    """``min(a, dim)`` -> (values, indices)."""

    node_name = "MinBackward0"
    arg = staticmethod(np.argmin)


def _max_or_min(input, dim, keepdim, other, name, full, by_dim, result, binary):
    if isinstance(dim, Tensor):  # max(a, b): the elementwise form
        other, dim = dim, None
    if other is not None:
        return binary(input, other)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        return full.apply(input, tuple(range(input.ndim)), False)
    dim = normalize_dim(dim, input.ndim)
    if input.ndim:
        _nonempty(input._data, (dim,), name)
    return result(*by_dim.apply(input, dim, keepdim))


def max(input: Tensor, dim: Tensor | int = None, keepdim: bool = False, *,  # noqa: A001
        other: Tensor | None = None):
    """The largest element; with ``dim``, ``(values, indices)`` along it; with a tensor as the
    second argument, the elementwise ``maximum``.

    Example::

        >>> values, indices = minitorch.tensor([[1., 5.], [7., 2.]]).max(1)
    """
    from .pointwise import maximum
    return _max_or_min(input, dim, keepdim, other, "max", MaxAll, MaxDim, max_result, maximum)


def min(input: Tensor, dim: Tensor | int = None, keepdim: bool = False, *,  # noqa: A001
        other: Tensor | None = None):
    """The smallest element; with ``dim``, ``(values, indices)``; with a tensor, ``minimum``."""
    from .pointwise import minimum
    return _max_or_min(input, dim, keepdim, other, "min", MinAll, MinDim, min_result, minimum)


def amax(input: Tensor, dim: int | Sequence[int] | None = (), keepdim: bool = False):
    """The maximum over ``dim`` (an int or a tuple; all dims by default); ties share the gradient."""
    if dim in ((), []) and input.numel() == 0:  # all dims of an empty tensor: no value to give
        raise RuntimeError("amax(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    if isinstance(dim, (tuple, list)) and input.ndim:  # PyTorch: empty dims before repeats
        _nonempty(input._data, [normalize_dim(int(d), input.ndim) for d in dim], "amax")
    dims = _reduced_dims(dim, input.ndim)
    _nonempty(input._data, dims, "amax")
    return Amax.apply(input, dims, keepdim)


def amin(input: Tensor, dim: int | Sequence[int] | None = (), keepdim: bool = False):
    """The minimum over ``dim`` (an int or a tuple; all dims by default); ties share the gradient."""
    if dim in ((), []) and input.numel() == 0:  # all dims of an empty tensor: no value to give
        raise RuntimeError("amin(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    if isinstance(dim, (tuple, list)) and input.ndim:  # PyTorch: empty dims before repeats
        _nonempty(input._data, [normalize_dim(int(d), input.ndim) for d in dim], "amin")
    dims = _reduced_dims(dim, input.ndim)
    _nonempty(input._data, dims, "amin")
    return Amin.apply(input, dims, keepdim)


def _arg(function, input, dim, keepdim, name):
    x = input._data
    if x.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        index = function(x)
        if keepdim:
            return Tensor._from_array(index.astype(np.int64).reshape((1,) * x.ndim))
        return Tensor._from_array(index.astype(np.int64))
    dim = normalize_dim(dim, x.ndim)
    if x.ndim == 0:
        return Tensor._from_array(np.zeros((), dtype=np.int64))
    _nonempty(x, (dim,), name)
    return Tensor._from_array(function(x, axis=dim, keepdims=keepdim).astype(np.int64, copy=False))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """The index of the largest element (of the flattened tensor when ``dim`` is None); int64."""
    return _arg(np.argmax, input, dim, keepdim, "argmax")


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """The index of the smallest element (of the flattened tensor when ``dim`` is None); int64."""
    return _arg(np.argmin, input, dim, keepdim, "argmin")


# --- variance and standard deviation ---------------------------------------------------------------

class Var(Function):
    """y = var(a) = sum((a - mean)²) / (n - correction); dL/da = dL/dy * 2 (a - mean) / (n -
    correction); saves a, dims, correction and keepdim."""

    node_name = "VarBackward0"

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        ctx.dims, ctx.correction, ctx.keepdim = dims, correction, keepdim
        ctx.save_for_backward(a)
        return _numpy_var(a._data, dims, correction, keepdim).astype(a._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return _var_backward(ctx, grad, a), None, None, None


def _numpy_var(x, dims, correction, keepdim):
    """The variance in float64 for any float input (PyTorch's CPU kernel accumulates in double:
    float16 ``var`` of [300, -300, 0] must not overflow half-way); callers cast the result."""
    if x.dtype.kind == "f" and x.dtype.itemsize < 8:
        x = x.astype(np.float64)
    count = 1
    for d in dims:
        count *= x.shape[d]
    if count - correction > 0:
        return np.var(x, axis=dims, ddof=correction, keepdims=keepdim)
    # no degrees of freedom left: inf or NaN, with PyTorch's warning instead of NumPy's
    warnings.warn("var(): degrees of freedom is <= 0. Correction should be strictly less than the "
                  "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=4)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.var(x, axis=dims, ddof=correction, keepdims=keepdim)


def _var_backward(ctx, grad, a):
    shape, dims = ctx._input_shapes[0], ctx.dims
    count = 1
    for d in dims:
        count *= shape[d]
    denominator = count - ctx.correction  # as in forward: no degrees of freedom left gives inf
    if denominator <= 0 and len(dims) == len(shape):
        # PyTorch's rule for a full reduction without degrees of freedom: NaN where an element
        # equals the mean (0 * inf), inf where it does not (a NaN element included)
        from .comparison import where
        return _keep_dims(grad, shape, dims, ctx.keepdim) * where(a == a.mean(), math.nan, math.inf)
    centered = a - a.mean(dims, keepdim=True)
    factor = 2 / denominator if denominator > 0 else math.inf
    return _keep_dims(grad, shape, dims, ctx.keepdim) * centered * factor


class Std(Function):
    """y = std(a) = sqrt(var(a)); dL/da = dL/dy * dvar/da / (2 y) (0 where y is 0, as PyTorch);
    saves a and y, dims, correction and keepdim."""

    node_name = "StdBackward0"

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        ctx.dims, ctx.correction, ctx.keepdim = dims, correction, keepdim
        deviation = np.sqrt(_numpy_var(a._data, dims, correction, keepdim))
        result = Tensor._from_array(deviation.astype(a._data.dtype, copy=False))
        ctx.save_for_backward(a, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        from .comparison import where
        a, result = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = where(result == 0, 0.0, grad / (2 * result))
        return _var_backward(ctx, scaled, a), None, None, None


def _var_args(input, dim, unbiased, correction, name):
    """(dims, correction) from PyTorch's two signatures: ``(dim, unbiased, keepdim)`` and
    ``(dim, *, correction, keepdim)``; ``var(x, False)`` passes ``unbiased`` first."""
    _require_float(input, "std and var")
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{name}: cannot specify both unbiased and correction")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return _reduced_dims(dim, input.ndim), correction


def var(input: Tensor, dim: int | Sequence[int] | bool | None = None, unbiased: bool | None = None,
        keepdim: bool = False, *, correction: float | None = None):
    """Variance over ``dim`` with Bessel's ``correction`` (default 1; ``unbiased=False`` means 0)."""
    dims, correction = _var_args(input, dim, unbiased, correction, "var")
    return Var.apply(input, dims, correction, keepdim)


def std(input: Tensor, dim: int | Sequence[int] | bool | None = None, unbiased: bool | None = None,
        keepdim: bool = False, *, correction: float | None = None):
    """Standard deviation over ``dim`` (see ``var``)."""
    dims, correction = _var_args(input, dim, unbiased, correction, "std")
    return Std.apply(input, dims, correction, keepdim)


def var_mean(input: Tensor, dim: int | Sequence[int] | bool | None = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None):
    """``(var, mean)`` over the same dims."""
    dims, correction = _var_args(input, dim, unbiased, correction, "var_mean")
    return Var.apply(input, dims, correction, keepdim), mean(input, dims, keepdim)


def std_mean(input: Tensor, dim: int | Sequence[int] | bool | None = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None):
    """``(std, mean)`` over the same dims."""
    dims, correction = _var_args(input, dim, unbiased, correction, "std_mean")
    return Std.apply(input, dims, correction, keepdim), mean(input, dims, keepdim)


# --- vector norms -----------------------------------------------------------------------------------

class Norm(Function):
    """y = (sum |a|^p)^(1/p), the vector p-norm over dims; dL/da = dL/dy * sign(a) |a|^(p-1) /
    y^(p-1); saves a and y, p, dims and keepdim.

    For p = 2 that is a / norm, for p = 1 sign(a), for p = ±inf the sign at the extreme
    elements (shared evenly by ties), for p = 0 zero. Where the norm is 0 the gradient is 0
    (PyTorch's choice at the kink).
    """

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, a, p, dims, keepdim):
        x = a._data
        if x.dtype.itemsize == 2:  # float16 accumulates in float32, as in PyTorch
            x = x.astype(np.float32)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        if p == 2:
            result = np.sqrt(np.sum(x * x, axis=dims, keepdims=keepdim))
        elif p == 1:
            result = np.sum(np.abs(x), axis=dims, keepdims=keepdim)
        elif p == np.inf:
            result = np.max(np.abs(x), axis=dims, keepdims=keepdim)
        elif p == -np.inf:
            result = np.min(np.abs(x), axis=dims, keepdims=keepdim)
        elif p == 0:
            result = (x != 0).sum(axis=dims, keepdims=keepdim, dtype=x.dtype)
        else:
            result = np.sum(np.abs(x) ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)
        result = Tensor._from_array(result.astype(a._data.dtype, copy=False))
        ctx.save_for_backward(a, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        from .comparison import where
        from .rounding import sign
        a, result = ctx.saved_tensors
        p, dims, keepdim = ctx.p, ctx.dims, ctx.keepdim
        shape = ctx._input_shapes[0]
        if p == 0:
            return Tensor._from_array(np.zeros_like(a._data)), None, None, None
        if p == 1:
            return _keep_dims(grad, shape, dims, keepdim) * sign(a), None, None, None
        if p in (np.inf, -np.inf):
            return sign(a) * _even_share(grad, a.abs(), result, shape, dims, keepdim), None, None, None
        norm = _keep_dims(result, shape, dims, keepdim)
        grad = _keep_dims(grad, shape, dims, keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                return a * where(norm == 0, 0.0, grad / norm), None, None, None
            scale = where(norm == 0, 0.0, grad / norm ** (p - 1))
            return a * a.abs() ** (p - 2) * scale, None, None, None


def norm(input: Tensor, p: float | str | None = "fro", dim: int | Sequence[int] | None = None,
         keepdim: bool = False, dtype: dtype | None = None):
    """The vector p-norm over ``dim`` (all elements by default).

    Args:
        p: 'fro', None or 2 (Euclidean), 1, ``float('inf')``, ``-float('inf')``, 0 (count of
            non-zeros) or any other number. The nuclear norm ('nuc') is not implemented.
    """
    if not input.dtype.is_floating_point:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype.name.capitalize()}")
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError("minitorch does not implement the nuclear norm (p='nuc')")
        if p != "fro":
            raise RuntimeError(f"norm: p must be 'fro', 'nuc' or a number, got '{p}'")
        p = 2
    if p is None:  # PyTorch's default: the 2-norm
        p = 2
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    dims = _reduced_dims(dim, input.ndim)
    if p in (np.inf, -np.inf) and input.numel() == 0:
        _nonempty(input._data, dims, "linalg.vector_norm")
    return Norm.apply(input, float(p), dims, keepdim)


# --- logical reductions -------------------------------------------------------------------------------

def all(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False):  # noqa: A001
    """True when every element (over ``dim``) is non-zero; bool (uint8 stays uint8)."""
    x = input._data
    result = np.all(x, axis=_reduced_dims(dim, x.ndim), keepdims=keepdim)
    return Tensor._from_array(result.astype(np.uint8) if x.dtype == np.uint8 else result)


def any(input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False):  # noqa: A001
    """True when some element (over ``dim``) is non-zero."""
    x = input._data
    result = np.any(x, axis=_reduced_dims(dim, x.ndim), keepdims=keepdim)
    return Tensor._from_array(result.astype(np.uint8) if x.dtype == np.uint8 else result)


def count_nonzero(input: Tensor, dim: int | Sequence[int] | None = None):
    """The number of non-zero elements (over ``dim``), as int64."""
    x = input._data
    return Tensor._from_array((x != 0).sum(axis=_reduced_dims(dim, x.ndim), dtype=np.int64))


# --- cumulative sums and products ----------------------------------------------------------

def _accumulator(dtype):
    """The dtype PyTorch's CPU kernels keep a running sum or product in (``acc_type``): float
    for float16, double for float32. Without it ``ones(5000, dtype=float16).cumsum(0)`` stops
    at 2048 (2048 + 1 rounds back to 2048 in float16)."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f" or dtype.itemsize >= 8:
        return dtype
    return np.dtype(np.float32) if dtype.itemsize == 2 else np.dtype(np.float64)


class CumSum(Function):
    """y_k = sum_{i<=k} a_i along dim; dL/da_i = sum_{k>=i} dL/dy_k, a reversed cumsum; saves dim.
    """

    node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, a, dim, dtype):
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = int64
        ctx.dim = dim
        if x.ndim == 0:
            return x.astype(x.dtype if dtype is None else dtype.numpy)
        target = x.dtype if dtype is None else dtype.numpy
        return np.cumsum(x, axis=dim, dtype=_accumulator(target)).astype(target, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return ReverseCumSum.apply(grad, ctx.dim), None, None


class ReverseCumSum(Function):
    """y_i = sum_{k>=i} a_k along dim (the backward of cumsum); dL/da = cumsum(dL/dy), so cumsum is
    its backward; saves dim."""

    node_name = "CumsumBackwardBackward0"

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        x = a._data
        if x.ndim == 0:
            return x.copy()
        return np.flip(np.cumsum(np.flip(x, dim), axis=dim), dim).copy()

    @staticmethod
    def backward(ctx, grad):
        return CumSum.apply(grad, ctx.dim, None), None


class CumProd(Function):
    """y_k = prod_{i<=k} a_i along dim; dL/da_i = sum_{k>=i} dL/dy_k prod_{j<=k, j!=i} a_j; saves a
    and y, and dim.

    Without zeros that is ``reverse_cumsum(grad * result) / a``. With zeros, division fails;
    then, as PyTorch: a first-order backward uses the first zero (``_grad_with_zeros``), and one
    that create_graph records computes each a_i's running product with a_i left out (O(n²) in
    the dim size, simple, exact and differentiable again).
    """

    node_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx, a, dim, dtype):
        x = a._data
        if dtype is None and x.dtype.kind in "biu":
            dtype = int64
        ctx.dim = dim
        target = x.dtype if dtype is None else dtype.numpy
        if x.ndim == 0:
            result = x.astype(target)
        else:
            result = np.cumprod(x, axis=dim, dtype=_accumulator(target)).astype(target, copy=False)
        result = Tensor._from_array(result)
        ctx.save_for_backward(a, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        from .comparison import where
        a, result = ctx.saved_tensors
        dim = ctx.dim
        if a.ndim == 0 or a.shape[dim] == 1:  # y = a: d/da = 1 (also at NaN, inf)
            return grad, None, None
        if not (a._data == 0).any():
            return ReverseCumSum.apply(grad * result, dim) / a, None, None
        if not grad_mode.is_grad_enabled():
            return Tensor._from_array(_grad_with_zeros(a._xp, a._data, result._data, grad._data, dim)), None, None
        x, g = a.transpose(dim, -1), grad.transpose(dim, -1)
        n, xp = x.shape[-1], a._xp
        eye = Tensor._from_array(xp.eye(n, dtype=bool))
        later = Tensor._from_array(xp.triu(xp.ones((n, n), dtype=bool)))  # [i, k]: k >= i
        # rows[..., i, k] = prod_{j<=k, j!=i} x_j; only the terms k >= i are summed (an earlier
        # running product may hold a NaN that is not a_i's business)
        rows = cumprod(where(eye, 1.0, x.unsqueeze(-2).expand(*x.shape[:-1], n, n)), -1)
        grad_x = where(later, rows * g.unsqueeze(-2), 0.0).sum(-1)
        return grad_x.transpose(dim, -1), None, None


def _grad_with_zeros(xp, x, y, g, dim):
    """cumprod's first-order gradient for slices holding zeros, PyTorch's O(n) rule. With z1 the
    first zero of a slice and z2 the second (or its end):

    - i < z1: dL/da_i = sum_{i<=k<z1} g_k y_k / a_i (later y_k are 0: they hold a_z1);
    - i = z1: dL/da_i = y_{z1-1} * sum_{z1<=k<z2} g_k prod_{z1<j<=k} a_j;
    - i > z1: dL/da_i = 0 (every y_k with k >= i holds a_z1 = 0).

    Arrays in (``xp`` is NumPy or CuPy), array out; ``dim`` is moved last and back.
    """
    x, y, g = (xp.moveaxis(t, dim, -1) for t in (x, y, g))
    zeros_so_far = xp.cumsum(x == 0, axis=-1)
    before = zeros_so_far == 0  # [0, z1)
    from_first = zeros_so_far == 1  # [z1, z2)
    first = from_first & (x == 0)  # z1
    between = from_first & ~first  # (z1, z2)
    w = xp.where(before, g * y, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = xp.where(before, xp.flip(xp.cumsum(xp.flip(w, -1), axis=-1), -1) / x, 0)
    tail = xp.cumprod(xp.where(between, x, 1), axis=-1)
    at_first = (tail * xp.where(from_first, g, 0)).sum(-1, keepdims=True)
    z1 = xp.argmax(first, axis=-1)[..., None]
    y_before_z1 = xp.where(z1 == 0, 1, xp.take_along_axis(y, xp.maximum(z1 - 1, 0), -1))
    grad = xp.where(first, at_first * y_before_z1, grad)
    return xp.moveaxis(grad.astype(g.dtype, copy=False), -1, dim)


def _dtype_or_none(dtype):
    return None if dtype is None else to_dtype(dtype)


def cumsum(input: Tensor, dim: int, *, dtype: dtype | None = None):
    """Running sums along ``dim``; integers accumulate in int64."""
    return CumSum.apply(input, normalize_dim(dim, input.ndim), _dtype_or_none(dtype))


def cumprod(input, dim, *, dtype=None):
    """Running products along ``dim``; integers accumulate in int64."""
    return CumProd.apply(input, normalize_dim(dim, input.ndim), _dtype_or_none(dtype))


def cumsum_(self, dim, *, dtype=None):
    return self._apply_inplace(CumSum, normalize_dim(dim, self.ndim), _dtype_or_none(dtype))


def cumprod_(self, dim, *, dtype=None):
    return self._apply_inplace(CumProd, normalize_dim(dim, self.ndim), _dtype_or_none(dtype))
