"""Statistics and integrals of sampled functions written with Tensor ops: ``cov``,
``corrcoef``, ``trapezoid`` (``trapz``), ``cumulative_trapezoid`` and ``dist``."""
from __future__ import annotations

from ..tensor import Tensor
from ..types.dtypes import get_default_dtype

__all__ = ["cov", "corrcoef", "trapezoid", "trapz", "cumulative_trapezoid", "dist"]


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns; a 1-d input is one variable, and gives a 0-d tensor). ``fweights`` (counts) and
    ``aweights`` (importances) weight the observations; the divisor is the total weight less
    ``correction`` (times the mean importance, with aweights), as in NumPy and PyTorch."""
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    x = x if x.dtype.is_floating_point else x.to(get_default_dtype())
    weights = None
    for w in (fweights, aweights):
        if w is not None:
            weights = w if weights is None else weights * w
    if weights is None:
        mean, total = x.mean(1, keepdim=True), x.shape[1]
        divisor = total - correction
        centred = x - mean
        product = centred @ centred.t()
    else:
        total = weights.sum()
        mean = (x * weights).sum(1, keepdim=True) / total
        divisor = total - correction * ((weights * aweights).sum() / total if aweights is not None else 1)
        centred = x - mean
        product = (centred * weights) @ centred.t()
    result = product / (divisor if not isinstance(divisor, (int, float)) else max(divisor, 0))
    return result.reshape(()) if input.ndim < 2 else result


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in the rows (cov scaled by the
    standard deviations, clipped to [-1, 1])."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    return (c / std.unsqueeze(1) / std.unsqueeze(0)).clamp(-1, 1)


def _spacings(y: Tensor, x, dx, dim: int):
    """The widths between neighbouring samples along ``dim`` (a number, or a tensor that
    broadcasts against the samples)."""
    if x is None:
        return 1 if dx is None else dx
    widths = x.diff(dim=-1 if x.ndim == 1 else dim)
    if x.ndim == 1:  # one coordinate per sample along dim
        shape = [1] * y.ndim
        shape[dim] = widths.shape[0]
        widths = widths.reshape(shape)
    return widths


def _trapezoids(y: Tensor, x, dx, dim: int) -> Tensor:
    length = y.shape[dim]
    mids = (y.narrow(dim, 1, length - 1) + y.narrow(dim, 0, length - 1)) / 2 if length else y
    return mids * _spacings(y, x, dx, dim)


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """The integral of samples ``y`` along ``dim`` by the trapezoidal rule, at coordinates ``x``
    (or spaced ``dx``, 1 by default)."""
    return _trapezoids(y, x, dx, dim).sum(dim)


trapz = trapezoid  # PyTorch's older name


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
                         dim: int = -1) -> Tensor:
    """The running integral by the trapezoidal rule (one fewer element along ``dim``)."""
    return _trapezoids(y, x, dx, dim).cumsum(dim)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast)."""
    return (input - other).norm(p)
