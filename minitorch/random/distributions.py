"""Sampling from given parameters (``normal``, ``bernoulli``, ``multinomial``, ``poisson``)
and the in-place random fills behind ``Tensor.uniform_``, ``normal_``, ``bernoulli_``,
``random_`` and ``exponential_``.

Every draw comes from a ``minitorch.Generator`` on the CPU (see ``_random.py``) and is
moved to the tensor's device afterwards. Samples carry no gradient to their parameters
(PyTorch's rule: no reparameterisation), but they are recorded, so a graph that uses
them still connects.
"""
from __future__ import annotations

import numpy as np

from ..types import dtypes as _dtype
from ..creation.factories import _finish, _size_arg, _write_out
from .generator import (_dtype_title, _float_dtype, _int_arg, _integers, _result, _rng,
                        _standard_normal, _uniform01)
from ..autograd.function import Function
from ..tensor import Tensor


class _Sample(Function):
    """A draw whose parameters may require grad. PyTorch gives such samples a zero gradient
    with respect to their parameters (no reparameterisation); so do we. ``forward`` gets
    the finished sample as its last argument, so the node only records the edges."""

    @staticmethod
    def forward(ctx, *args):
        ctx.shapes = [a.shape if isinstance(a, Tensor) else None for a in args[:-1]]
        return args[-1]

    @staticmethod
    def backward(ctx, grad):
        from ..creation.factories import zeros
        return tuple(None if s is None else zeros(s, dtype=grad.dtype, device=grad.device)
                     for s in ctx.shapes) + (None,)


class _NormalTensorFloat(_Sample):
    node_name = "NormalBackward1"


class _NormalFloatTensor(_Sample):
    node_name = "NormalBackward2"


class _NormalTensorTensor(_Sample):
    node_name = "NormalBackward3"


class _BernoulliSample(_Sample):
    node_name = "BernoulliBackward0"


def _host(t: Tensor) -> np.ndarray:
    return t.numpy(force=True)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad: bool = False) -> Tensor:
    """Samples from normal distributions.

    * ``normal(mean_tensor, std_tensor)``: one sample per element (the two broadcast);
    * ``normal(mean_tensor, std=1.0)`` or ``normal(mean, std_tensor)``: the tensor gives the shape;
    * ``normal(mean, std, size)``: ``size`` samples of one distribution (``dtype=`` allowed).
    """
    rng = _rng(generator)
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_t and not std_t:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: with a "
                            "float mean and a float std, a size is required")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dtype = _float_dtype(dtype if dtype is not None or out is None else out.dtype,
                             "normal_kernel_cpu")
        values = (_standard_normal(rng, _size_arg((size,)), dtype) * dtype.numpy.type(std)
                  + dtype.numpy.type(mean)).astype(dtype.numpy, copy=False)
        return _result(values, out, device, requires_grad)
    reference = mean if mean_t else std
    dtype = _dtype.promote_types(mean.dtype, std.dtype) if mean_t and std_t else reference.dtype
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    if mean_t and std_t and mean.device != std.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                           f"two devices, {mean.device} and {std.device}!")
    m = _host(mean) if mean_t else mean
    s = _host(std) if std_t else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {np.min(s)}")
    try:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    except ValueError:
        a, b = np.shape(m), np.shape(s)
        raise RuntimeError(f"The size of tensor a ({a[-1]}) must match the size of tensor b "
                           f"({b[-1]}) at non-singleton dimension {max(len(a), len(b)) - 1}") from None
    values = (_standard_normal(rng, shape, dtype) * s + m).astype(dtype.numpy, copy=False)
    sample = _finish(values, reference.device, False)
    function = (_NormalTensorTensor if mean_t and std_t else
                _NormalTensorFloat if mean_t else _NormalFloatTensor)
    result = function.apply(mean, std, sample)
    return result if out is None else _write_out(result._data, out)


def _check_probabilities(p: np.ndarray) -> None:
    if p.size and not (np.all(p >= 0) and np.all(p <= 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")


def bernoulli(input: Tensor, p: float | None = None, *, generator=None, out=None) -> Tensor:
    """0/1 samples: element ``i`` is 1 with probability ``input[i]`` (or ``p`` when given).
    The result has ``input``'s shape and floating dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' must be Tensor, not {type(input).__name__}")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                                  f"'{_dtype_title(input.dtype)}'")
    if p is None:
        probabilities = _host(input)
        _check_probabilities(probabilities)
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        probabilities = p
    draws = _rng(generator).random(tuple(input.shape))
    sample = _finish((draws < probabilities).astype(input._data.dtype), input.device, False)
    result = _BernoulliSample.apply(input, sample)
    return result if out is None else _write_out(result._data, out)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Samples from Poisson distributions with rates ``input`` (same shape and dtype)."""
    if not input.is_floating_point():
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{_dtype_title(input.dtype)}'")
    rates = _host(input)
    if np.any(rates < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    values = _rng(generator).poisson(rates.astype(np.float64)).astype(rates.dtype)
    return _finish(values, input.device, False)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:
    """Indices drawn from the categorical distributions whose (unnormalised) weights are the
    rows of ``input`` (1-d or 2-d). Without replacement the indices in a row are distinct.

    Example::

        >>> minitorch.multinomial(minitorch.tensor([0., 10., 3.]), 2)  # doctest: +SKIP
        tensor([1, 2])
    """
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.is_floating_point():
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_dtype_title(input.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    weights = _host(input).astype(np.float64).reshape(-1, input.shape[-1])
    categories = weights.shape[1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = weights.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    if replacement:
        # inverse CDF: where each uniform draw falls in the row's cumulative weights
        cdf = np.cumsum(weights / totals, axis=1)
        draws = rng.random((weights.shape[0], num_samples))
        index = np.stack([np.searchsorted(c, d, side="right") for c, d in zip(cdf, draws)])
        index = np.minimum(index, categories - 1)  # guard against cdf[-1] rounding below 1
    else:
        # Sorting exponential draws divided by the weights picks, one after another, each
        # remaining category with probability proportional to its weight; zero weights come last.
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(weights.shape) / weights
        index = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    index = index.astype(np.int64)
    if input.ndim == 1:
        index = index[0]
    return _result(index, out, input.device, False)


# --- in-place fills (the Tensor methods uniform_, normal_, ...) -------------------------------

class _Fill(Function):
    """Overwrite a tensor with a finished sample (the last argument). The new values do not
    depend on the old ones, so the gradient to the old values is zero, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, sample):
        return sample._data.astype(a._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        from ..creation.factories import zeros_like
        return zeros_like(grad), None


class _UniformFill(_Fill):
    node_name = "UniformBackward0"


class _NormalFill(_Fill):
    node_name = "NormalBackward0"


class _BernoulliFill(_Fill):
    node_name = "BernoulliBackward2"


class _RandomFill(_Fill):
    node_name = "RandomBackward2"


class _ExponentialFill(_Fill):
    node_name = "ExponentialBackward0"


def _fill(tensor: Tensor, function, values: np.ndarray) -> Tensor:
    """Write host ``values`` into ``tensor`` under the in-place rules (leaf checks, version)."""
    from .. import backend
    sample = Tensor._from_array(backend.to_device(values.astype(tensor._data.dtype, copy=False),
                                                  tensor.device))
    return tensor._apply_inplace(function, sample)


def uniform_(tensor: Tensor, from_: float = 0.0, to: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with samples from the uniform distribution on [from_, to)."""
    dtype = _float_dtype(tensor.dtype, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    u = _uniform01(_rng(generator), tuple(tensor.shape), _dtype.float64)
    values = from_ + (to - from_) * u
    if dtype is not _dtype.float64 and to > from_:  # rounding to the dtype must not reach `to`
        values = values.astype(dtype.numpy)
        values = np.where(values >= dtype.numpy.type(to),
                          np.nextafter(dtype.numpy.type(to), dtype.numpy.type(from_)), values)
    return _fill(tensor, _UniformFill, values)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with samples from the normal distribution N(mean, std**2)."""
    dtype = _float_dtype(tensor.dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    draw = _standard_normal(_rng(generator), tuple(tensor.shape),
                            _dtype.float64 if dtype is _dtype.float64 else _dtype.float32)
    return _fill(tensor, _NormalFill, draw * std + mean)


def bernoulli_(tensor: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with 0/1 samples that are 1 with probability ``p`` (a number,
    or a tensor broadcastable to ``tensor``'s shape). Any dtype."""
    if isinstance(p, Tensor):
        probabilities = _host(p).astype(np.float64)
        _check_probabilities(probabilities)
        probabilities = np.broadcast_to(probabilities, tuple(tensor.shape))
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        probabilities = p
    draws = _rng(generator).random(tuple(tensor.shape))
    return _fill(tensor, _BernoulliFill, draws < probabilities)


def _random_upper(dtype: _dtype.dtype) -> int:
    """The largest value ``random_()`` draws for ``dtype``: every integer up to it is exact."""
    if dtype.is_floating_point:
        return 2 ** (np.finfo(dtype.numpy).nmant + 1)
    if dtype is _dtype.bool_:
        return 1
    return int(np.iinfo(dtype.numpy).max)


def random_(tensor: Tensor, from_: int = 0, to: int | None = None, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with integers drawn uniformly: ``random_()`` from [0, the
    largest integer the dtype holds exactly], ``random_(to)`` from [0, to),
    ``random_(from_, to)`` from [from_, to)."""
    rng = _rng(generator)
    shape = tuple(tensor.shape)
    if to is None and from_ == 0:
        values = rng.integers(0, _random_upper(tensor.dtype), size=shape, endpoint=True)
    else:
        if to is None:  # random_(to): one argument is the upper bound
            from_, to = 0, from_
        check = tensor.dtype if tensor.dtype.numpy.kind in "iu" else _dtype.int64
        values = _integers(rng, _int_arg(from_, "from"), _int_arg(to, "to"), shape, check)
    return _fill(tensor, _RandomFill, values)


def exponential_(tensor: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with samples from the exponential distribution with rate
    ``lambd`` (density ``lambd * exp(-lambd * x)``)."""
    if not tensor.is_floating_point():
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{_dtype_title(tensor.dtype)}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    draws = _rng(generator).standard_exponential(tuple(tensor.shape))
    return _fill(tensor, _ExponentialFill, draws / lambd)
