"""Random numbers: a seedable ``Generator`` and the functions that draw from it.

The generator is PyTorch's CPU generator, the Mersenne Twister (``mt19937.py``), and every
function turns its draws into samples the way PyTorch's CPU kernel does (``kernels.py``).
So after ``minitorch.manual_seed(s)`` the numbers are PyTorch's, bit for bit, and
``get_rng_state()`` is PyTorch's 5056-byte state (it can be handed to ``torch.set_rng_state``
and back). Draws happen on the CPU and the values are then moved to the requested device,
so a seed gives the same numbers on every device. ``generator=`` (accepted by every random
function here, and by ``nn.init`` and data shuffling) makes a computation reproducible on its own.
"""
from __future__ import annotations

import numpy as np

from ..types import dtypes as _dtype
from ..creation.factories import (_check_requires_grad, _finish, _needs_size, _resolve_dtype, _size_arg,
                                  _write_out)
from ..types.devices import device as _device_cls
from ..tensor import Tensor
from . import kernels
from .mt19937 import MT19937, N as _WORDS

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "rand", "randn", "randint", "randperm", "rand_like", "randn_like",
    "randint_like", "normal", "bernoulli", "multinomial", "poisson",
]

_DEFAULT_SEED = 67280421310721  # PyTorch's default seed: a fresh generator gives its numbers

# PyTorch's CPUGeneratorImplState, byte for byte (a C struct with its padding): the legacy
# TH header, the 624 twister words widened to 64 bits, the (unused) normal_x/normal_rho and
# the cached second normal sample (normal_y, normal_is_valid), then a float32 cache.
_STATE = np.dtype({
    "names": ["seed", "left", "seeded", "next", "words", "normal_x", "normal_y", "normal_rho",
              "normal_is_valid", "float_normal", "float_normal_is_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", _WORDS), "<f8", "<f8", "<f8", "<i4", "<f4", "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": 5056,
})


class Generator:
    """A random number generator with its own state (PyTorch's CPU Mersenne Twister).

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
        self.engine = MT19937(seed % 2 ** 64)  # PyTorch keeps negative seeds as unsigned
        # the second sample of the last scalar Box-Muller pair, returned by the next normal draw
        self.next_double_normal = None
        self.next_float_normal = None
        return self

    def seed(self) -> int:
        """Re-seed from the operating system's entropy; returns the new seed."""
        return self.manual_seed(int(np.random.SeedSequence().entropy % 2 ** 63)).initial_seed()

    def initial_seed(self) -> int:
        return self.engine.initial_seed

    def get_state(self) -> Tensor:
        """The state as PyTorch's 5056-byte uint8 tensor (restore it with ``set_state``)."""
        state = np.zeros((), dtype=_STATE)
        engine = self.engine
        state["seed"], state["left"], state["seeded"], state["next"] = (
            engine.initial_seed, engine.left, 1, engine.next)
        state["words"] = engine.state
        if self.next_double_normal is not None:
            state["normal_y"], state["normal_is_valid"] = self.next_double_normal, 1
        if self.next_float_normal is not None:
            state["float_normal"], state["float_normal_is_valid"] = self.next_float_normal, 1
        return Tensor._from_array(np.frombuffer(state.tobytes(), dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> "Generator":
        if not isinstance(new_state, Tensor) or new_state.dtype is not _dtype.uint8:
            kind = (f"a {new_state.dtype._torch_name}Tensor" if isinstance(new_state, Tensor)
                    else type(new_state).__name__)
            raise TypeError(f"RNG state must be a torch.ByteTensor (from get_rng_state()), not {kind}")
        raw = new_state.numpy(force=True).tobytes()
        if len(raw) != _STATE.itemsize:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE.itemsize} but "
                               f"found the input RNG state size to be {len(raw)}")
        state = np.frombuffer(raw, dtype=_STATE)[0]
        left, next_ = int(state["left"]), int(state["next"])
        if not (state["seeded"] and 0 < left <= _WORDS and next_ <= _WORDS):
            raise RuntimeError("set_rng_state: the state is not a valid mt19937 state")
        self.engine = MT19937.restore(int(state["seed"]), state["words"], left, next_)
        self.next_double_normal = float(state["normal_y"]) if state["normal_is_valid"] else None
        self.next_float_normal = (float(state["float_normal"]) if state["float_normal_is_valid"]
                                  else None)
        return self

    def __repr__(self) -> str:
        return f"<minitorch.Generator device='{self.device}' initial_seed={self.initial_seed()}>"


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


def _generator(generator) -> Generator:
    """The generator to draw from (``generator``, or the default one)."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"argument 'generator' must be minitorch.Generator, not "
                        f"{type(generator).__name__}")
    return generator


def random_int64(generator=None) -> int:
    """``int(torch.empty((), dtype=torch.int64).random_(generator=generator))``: a seed in
    [0, 2**63), as DataLoader and RandomSampler draw them."""
    return int(kernels.random_full(_generator(generator), 1, np.int64)[0])


def _rng(generator) -> np.random.Generator:
    """A NumPy generator seeded from ``generator``'s stream (one 64-bit draw), for sampling
    that has no PyTorch counterpart to match (toy data sets, ``poisson``)."""
    return np.random.default_rng(int(_generator(generator).engine.random64(1)[0]))


def _float_dtype(dtype, kernel: str) -> _dtype.dtype:
    dtype = _resolve_dtype(dtype)
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype_title(dtype)}\'')
    return dtype


def _dtype_title(dtype: _dtype.dtype) -> str:
    """PyTorch's C++ name of a dtype, used in its error messages ('Long', 'Float')."""
    return dtype._torch_name


def _count(size: tuple) -> int:
    return int(np.prod(size, dtype=np.int64))


def _uniform01(generator, size: tuple, dtype: _dtype.dtype) -> np.ndarray:
    """Uniform samples on [0, 1) in ``dtype``, as ``torch.rand`` draws them."""
    return kernels.uniform(_generator(generator), _count(size), dtype.numpy).reshape(size)


def _standard_normal(generator, size: tuple, dtype: _dtype.dtype) -> np.ndarray:
    """Standard normal samples in ``dtype``, as ``torch.randn`` draws them."""
    return kernels.normal(_generator(generator), _count(size), dtype.numpy).reshape(size)


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
    return _result(_uniform01(generator, _needs_size(size, "rand"), dtype), out, device,
                   requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Samples from the standard normal distribution (mean 0, variance 1)."""
    dtype = _float_dtype(dtype if dtype is not None or out is None else out.dtype,
                         "normal_kernel_cpu")
    return _result(_standard_normal(generator, _needs_size(size, "randn"), dtype), out,
                   device, requires_grad)


def _check_int_range(low: int, high: int, dtype: _dtype.dtype) -> None:
    """PyTorch's checks of [low, high) against ``dtype``'s range."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    if dtype.numpy.kind in "iu":
        info = np.iinfo(dtype.numpy)
        if not info.min <= low <= info.max:
            raise RuntimeError(f"from is out of bounds for {dtype.numpy.name}")
        if not info.min <= high - 1 <= info.max:
            raise RuntimeError(f"to - 1 is out of bounds for {dtype.numpy.name}")


def _integers(generator, low: int, high: int, size: tuple, dtype: _dtype.dtype) -> np.ndarray:
    """Integers uniformly from [low, high), as ``torch.randint`` draws them."""
    _check_int_range(low, high, dtype)
    values = kernels.random_from_to(_generator(generator), _count(size), dtype.numpy, low, high - low)
    return values.reshape(size)


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
    values = _integers(generator, low, high, _size_arg((size,)), dtype)
    return _result(values, out, device, requires_grad)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` is given)."""
    n = _int_arg(n, "n")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = _resolve_dtype(dtype, _dtype.int64)
    _check_requires_grad(dtype, requires_grad)
    values = kernels.randperm(_generator(generator), n).astype(dtype.numpy)
    return _result(values, out, device, requires_grad)


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
