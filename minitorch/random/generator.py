"""Random numbers: a seedable ``Generator`` and the functions that draw from it.

Every draw happens on the CPU, from NumPy's PCG64 bit generator, and the values are then
moved to the requested device. So a seed gives the same numbers on every device, and
``generator=`` (accepted by every random function here, and by ``nn.init``, dropout and
data shuffling) makes a computation reproducible on its own.

Deviation from PyTorch: the streams are not PyTorch's. ``minitorch.manual_seed(0)`` makes
minitorch reproducible, but ``rand(3)`` does not give the numbers ``torch.rand(3)`` gives
after ``torch.manual_seed(0)``. Distributions, shapes, dtypes and bounds are PyTorch's.
"""
from __future__ import annotations

import json

import numpy as np

from ..types import dtypes as _dtype
from ..creation.factories import (_check_requires_grad, _finish, _needs_size, _resolve_dtype, _size_arg,
                                  _write_out)
from ..types.devices import device as _device_cls
from ..tensor import Tensor

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "rand", "randn", "randint", "randperm", "rand_like", "randn_like",
    "randint_like", "normal", "bernoulli", "multinomial", "poisson",
]

_DEFAULT_SEED = 67280421310721  # PyTorch's default initial seed, for a familiar initial_seed()


class Generator:
    """A random number generator with its own state.

    Example::

        >>> g = minitorch.Generator().manual_seed(0)
        >>> a = minitorch.rand(3, generator=g)
        >>> b = minitorch.rand(3, generator=minitorch.Generator().manual_seed(0))
        >>> bool((a == b).all())
        True
    """

    def __init__(self, device="cpu"):
        self.device = _device_cls(device)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> "Generator":
        """Reset the state from ``seed`` (any integer in [-2**63, 2**64)); returns self."""
        seed = int(seed)
        if not -2 ** 63 <= seed < 2 ** 64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % 2 ** 64  # PyTorch reports negative seeds as their unsigned value
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Re-seed from the operating system's entropy; returns the new seed."""
        return self.manual_seed(int(np.random.SeedSequence().entropy % 2 ** 63)).initial_seed()

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The state as a uint8 tensor (restore it with ``set_state``)."""
        # JSON text of (seed, PCG64 state): plain bytes, safe to load from anywhere
        state = json.dumps([self._seed, self._rng.bit_generator.state]).encode()
        return Tensor._from_array(np.frombuffer(state, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> "Generator":
        if not isinstance(new_state, Tensor) or new_state.dtype is not _dtype.uint8:
            raise TypeError("expected a torch.ByteTensor as the state (from get_state())")
        try:
            self._seed, state = json.loads(new_state.numpy(force=True).tobytes().decode())
        except ValueError:
            raise RuntimeError("set_state: not a state returned by get_state()") from None
        self._rng = np.random.Generator(np.random.PCG64())
        self._rng.bit_generator.state = state
        return self

    @property
    def numpy(self) -> np.random.Generator:
        """The underlying NumPy generator."""
        return self._rng

    def __repr__(self) -> str:
        return f"<minitorch.Generator device='{self.device}' initial_seed={self._seed}>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (used by every random function given no ``generator``)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def _rng(generator) -> np.random.Generator:
    """The NumPy generator to draw from (``generator``'s, or the default one)."""
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"argument 'generator' must be minitorch.Generator, not "
                        f"{type(generator).__name__}")
    return generator._rng


def _float_dtype(dtype, kernel: str) -> _dtype.dtype:
    dtype = _resolve_dtype(dtype)
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype_title(dtype)}\'')
    return dtype


def _dtype_title(dtype: _dtype.dtype) -> str:
    """PyTorch's C++ name of a dtype, used in its error messages ('Long', 'Float')."""
    return dtype._torch_name


def _uniform01(rng: np.random.Generator, size: tuple, dtype: _dtype.dtype) -> np.ndarray:
    """Uniform samples on [0, 1) in ``dtype`` (drawn in float32 or float64, never rounding
    up to 1 after the cast)."""
    draw = np.float64 if dtype is _dtype.float64 else np.float32
    values = rng.random(size, dtype=draw)
    if dtype is _dtype.float16:
        values = np.minimum(values.astype(np.float16), np.nextafter(np.float16(1), np.float16(0)))
    return values.astype(dtype.numpy, copy=False)


def _standard_normal(rng: np.random.Generator, size: tuple, dtype: _dtype.dtype) -> np.ndarray:
    draw = np.float64 if dtype is _dtype.float64 else np.float32
    return rng.standard_normal(size, dtype=draw).astype(dtype.numpy, copy=False)


def _result(values: np.ndarray, out, device, requires_grad) -> Tensor:
    if out is not None:
        return _write_out(values, out)
    return _finish(values, device, requires_grad)


# --- factories --------------------------------------------------------------------------------

def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Samples from the uniform distribution on [0, 1)."""
    dtype = _float_dtype(dtype if dtype is not None or out is None else out.dtype,
                         "check_uniform_bounds")
    return _result(_uniform01(_rng(generator), _needs_size(size, "rand"), dtype), out, device,
                   requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Samples from the standard normal distribution (mean 0, variance 1)."""
    dtype = _float_dtype(dtype if dtype is not None or out is None else out.dtype,
                         "normal_kernel_cpu")
    return _result(_standard_normal(_rng(generator), _needs_size(size, "randn"), dtype), out,
                   device, requires_grad)


def _integers(rng, low: int, high: int, size: tuple, dtype: _dtype.dtype) -> np.ndarray:
    """Integers uniformly from [low, high), checked against ``dtype``'s range as PyTorch does."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    if dtype.numpy.kind in "iu":
        info = np.iinfo(dtype.numpy)
        if not info.min <= low <= info.max:
            raise RuntimeError(f"from is out of bounds for {dtype.numpy.name}")
        if not info.min <= high - 1 <= info.max:
            raise RuntimeError(f"to - 1 is out of bounds for {dtype.numpy.name}")
    return rng.integers(low, high, size=size, dtype=np.int64).astype(dtype.numpy)


def _int_arg(value, name: str) -> int:
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, (int, np.integer)):
        raise TypeError(f"argument '{name}' must be int, not {type(value).__name__}")
    if not -2 ** 63 <= int(value) < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    return int(value)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)``; ``size`` is a tuple. int64 unless ``dtype`` is given."""
    if size is None:  # randint(high, size): the second positional argument was the size
        low, high, size = 0, low, high
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    low, high = _int_arg(low, "low"), _int_arg(high, "high")
    dtype = _resolve_dtype(dtype, _dtype.int64 if out is None else out.dtype)
    _check_requires_grad(dtype, requires_grad)
    values = _integers(_rng(generator), low, high, _size_arg((size,)), dtype)
    return _result(values, out, device, requires_grad)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` is given)."""
    n = _int_arg(n, "n")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = _resolve_dtype(dtype, _dtype.int64)
    _check_requires_grad(dtype, requires_grad)
    return _result(_rng(generator).permutation(n).astype(dtype.numpy), out, device, requires_grad)


def _like_args(input: Tensor, dtype, device) -> tuple:
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' must be Tensor, not {type(input).__name__}")
    return (tuple(input.shape), input.dtype if dtype is None else _dtype.to_dtype(dtype),
            input.device if device is None else device)


def rand_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None) -> Tensor:
    """``rand`` with the shape (and, unless given, dtype and device) of ``input``."""
    size, dtype, device = _like_args(input, dtype, device)
    return rand(size, generator=generator, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad: bool = False, memory_format=None) -> Tensor:
    """``randn`` with the shape (and, unless given, dtype and device) of ``input``."""
    size, dtype, device = _like_args(input, dtype, device)
    return randn(size, generator=generator, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    """``randint`` with the shape (and, unless given, dtype and device) of ``input``:
    ``randint_like(x, high)`` or ``randint_like(x, low, high)``."""
    if high is None:
        low, high = 0, low
    size, dtype, device = _like_args(input, dtype, device)
    return randint(low, high, size, generator=generator, dtype=dtype, device=device,
                   requires_grad=requires_grad)


# Sampling from given parameters, and the in-place fills, live in distributions.py.
from .distributions import bernoulli, multinomial, normal, poisson  # noqa: E402,F401
