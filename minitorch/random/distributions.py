"""Sampling from given parameters (``normal``, ``bernoulli``, ``multinomial``, ``poisson``)
and the in-place random fills behind ``Tensor.uniform_``, ``normal_``, ``bernoulli_``,
``random_`` and ``exponential_``.

Every draw comes from a ``minitorch.Generator`` on the CPU, through PyTorch's CPU kernels
(``kernels.py``), so the samples are PyTorch's, and is moved to the tensor's device afterwards. Samples carry no gradient to their parameters
(PyTorch's rule: no reparameterisation), but they are recorded, so a graph that uses
them still connects.
"""
from __future__ import annotations

import numpy as np

from ..types import dtypes as _dtype
from ..creation.factories import _finish, _size_arg, _write_out
from . import kernels
from .generator import (_check_int_range, _dtype_title, _float_dtype, _generator, _int_arg, _result,
                        _rng)
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
    generator = _generator(generator)
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_t and not std_t:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: with a "
                            "float mean and a float std, a size is required")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dtype = _float_dtype(dtype if dtype is not None or out is None else out.dtype,
                             "normal_kernel_cpu")
        size = _size_arg((size,))
        values = kernels.normal(generator, int(np.prod(size, dtype=np.int64)), dtype.numpy, mean, std)
        return _result(values.reshape(size), out, device, requires_grad)
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
    # PyTorch's order: N(0, std) when std is a number, else N(0, 1) times std; then + mean
    count = int(np.prod(shape, dtype=np.int64))
    numpy_dtype = dtype.numpy
    values = kernels.normal(generator, count, numpy_dtype, 0.0, 1.0 if std_t else std).reshape(shape)
    if std_t:
        values = values * s.astype(numpy_dtype, copy=False)
    values = (values + np.asarray(m, dtype=numpy_dtype)).astype(numpy_dtype, copy=False)
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
    ones = _bernoulli_draws(_generator(generator), tuple(input.shape), probabilities)
    sample = _finish(ones.astype(input._data.dtype), input.device, False)
    result = _BernoulliSample.apply(input, sample)
    return result if out is None else _write_out(result._data, out)


def _bernoulli_draws(generator, shape: tuple, p) -> np.ndarray:
    """PyTorch's Bernoulli kernels: 1 where a uniform draw is below p. A number p (and
    float64 probabilities) compare a float64 uniform; float32/float16 probabilities
    compare a float32 one, element by element."""
    count = int(np.prod(shape, dtype=np.int64))
    if isinstance(p, np.ndarray) and p.dtype != np.float64:
        u = kernels.uniform(generator, count, np.float32)
        return u.reshape(shape) < np.broadcast_to(p, shape).astype(np.float32)
    return kernels.uniform(generator, count, np.float64).reshape(shape) < p


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
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
    weights = _host(input).reshape(-1, input.shape[-1])
    categories = weights.shape[1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(weights.sum(axis=1) <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    generator = _generator(generator)
    if not replacement or num_samples == 1:
        # PyTorch's "Gumbel" trick: the largest weight / Exp(1) draw picks each remaining
        # category with probability proportional to its weight, one after another.
        exponentials = kernels.exponential(generator, weights.size, weights.dtype).reshape(weights.shape)
        with np.errstate(divide="ignore"):
            keys = weights / exponentials
        index = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        # Inverse CDF, row by row: the first category whose normalised cumulative weight
        # (summed in the input's dtype, the last set to 1) reaches a float64 uniform draw.
        rows = []
        for row in weights:
            running = np.cumsum(row)  # sequential, as PyTorch sums
            cdf = running / running[-1]
            cdf[-1] = 1
            draws = kernels.uniform(generator, num_samples, np.float64)
            rows.append(np.searchsorted(cdf.astype(np.float64), draws, side="left"))
        index = np.stack(rows)
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


def _fill(tensor: Tensor, function, draw) -> Tensor:
    """Fill ``tensor`` in place with ``draw(count, contiguous)`` (a flat host array), under
    the in-place rules (leaf checks, version). PyTorch writes the draws in the order the
    elements lie in memory, which for a transposed view is not the logical order."""
    from .. import backend
    data, shape = tensor._data, tuple(tensor.shape)
    count = int(np.prod(shape, dtype=np.int64))
    if data.flags.c_contiguous:
        values = draw(count, True).reshape(shape)
    else:
        outer_first = sorted(range(len(shape)), key=lambda axis: -abs(data.strides[axis]))
        values = draw(count, False).reshape([shape[axis] for axis in outer_first])
        values = values.transpose(np.argsort(outer_first))
    sample = Tensor._from_array(backend.to_device(values.astype(data.dtype, copy=False),
                                                  tensor.device))
    return tensor._apply_inplace(function, sample)


def uniform_(tensor: Tensor, from_: float = 0.0, to: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with samples from the uniform distribution on [from_, to)."""
    dtype = _float_dtype(tensor.dtype, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    generator = _generator(generator)
    return _fill(tensor, _UniformFill,
                 lambda count, _: kernels.uniform(generator, count, dtype.numpy, from_, to))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with samples from the normal distribution N(mean, std**2)."""
    dtype = _float_dtype(tensor.dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    generator = _generator(generator)
    return _fill(tensor, _NormalFill, lambda count, contiguous: kernels.normal(
        generator, count, dtype.numpy, mean, std, contiguous))


def bernoulli_(tensor: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with 0/1 samples that are 1 with probability ``p`` (a number,
    or a tensor broadcastable to ``tensor``'s shape). Any dtype."""
    if isinstance(p, Tensor):
        probabilities = _host(p)
        _check_probabilities(probabilities)
        # element i of the draws goes to the i-th element of tensor in memory order
        probabilities = _memory_ordered(np.broadcast_to(probabilities, tuple(tensor.shape)),
                                        tensor._data)
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        probabilities = p
    generator = _generator(generator)
    return _fill(tensor, _BernoulliFill,
                 lambda count, _: _bernoulli_draws(generator, (count,), probabilities))


def _memory_ordered(values: np.ndarray, like) -> np.ndarray:
    """``values`` (of ``like``'s shape) flattened in the order ``like``'s elements lie in memory."""
    if like.flags.c_contiguous:
        return values.reshape(-1)
    outer_first = sorted(range(like.ndim), key=lambda axis: -abs(like.strides[axis]))
    return values.transpose(outer_first).reshape(-1)


def random_(tensor: Tensor, from_: int = 0, to: int | None = None, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with integers drawn uniformly: ``random_()`` from [0, the
    largest integer the dtype holds exactly], ``random_(to)`` from [0, to),
    ``random_(from_, to)`` from [from_, to)."""
    generator = _generator(generator)
    dtype = tensor.dtype.numpy
    if to is None and from_ == 0:
        return _fill(tensor, _RandomFill, lambda count, _: kernels.random_full(generator, count, dtype))
    if to is None:  # random_(to): one argument is the upper bound
        from_, to = 0, from_
    low, high = _int_arg(from_, "from"), _int_arg(to, "to")
    _check_int_range(low, high, tensor.dtype if tensor.dtype.numpy.kind in "iu" else _dtype.int64)
    return _fill(tensor, _RandomFill,
                 lambda count, _: kernels.random_from_to(generator, count, dtype, low, high - low))


def exponential_(tensor: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``tensor`` in place with samples from the exponential distribution with rate
    ``lambd`` (density ``lambd * exp(-lambd * x)``)."""
    if not tensor.is_floating_point():
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{_dtype_title(tensor.dtype)}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    generator = _generator(generator)
    return _fill(tensor, _ExponentialFill,
                 lambda count, _: kernels.exponential(generator, count, tensor._data.dtype, lambd))
