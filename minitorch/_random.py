"""Random numbers: a seedable ``Generator`` (NumPy's PCG64 underneath) and the factories
that draw from it. Values are drawn on the CPU and moved, so a seed gives the same numbers
on every device. (They are not PyTorch's numbers: the streams differ.)"""
from __future__ import annotations

import numpy as np

from . import _dtype
from ._creation import _finish, _size_arg


class Generator:
    """A random number generator: ``g = minitorch.Generator().manual_seed(0)``."""

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = 67280421310721  # PyTorch's default initial seed
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> "Generator":
        self._seed = int(seed)
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Re-seed from the operating system's entropy; returns the new seed."""
        return self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63))).initial_seed()

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        from .tensor import Tensor
        import pickle
        state = pickle.dumps(self._rng.bit_generator.state)
        return Tensor._from_array(np.frombuffer(state, dtype=np.uint8).copy())

    def set_state(self, state) -> "Generator":
        import pickle
        self._rng.bit_generator.state = pickle.loads(state.numpy().tobytes())
        return self

    @property
    def numpy(self) -> np.random.Generator:
        """The underlying NumPy generator (used by init, dropout, shuffling)."""
        return self._rng


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (and CUDA's, when CuPy is in use); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state) -> None:
    default_generator.set_state(state)


def _rng(generator) -> np.random.Generator:
    return (generator or default_generator)._rng


def _float_dtype(dtype) -> _dtype.dtype:
    dtype = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    if not dtype.is_floating_point:
        raise RuntimeError(f'"normal_kernel_cpu" not implemented for \'{dtype.name}\'')
    return dtype


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples of the given size."""
    dtype = _float_dtype(dtype)
    values = _rng(generator).standard_normal(_size_arg(size)).astype(dtype.numpy)
    return _finish(values, device, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples on [0, 1) of the given size."""
    dtype = _float_dtype(dtype)
    values = _rng(generator).random(_size_arg(size)).astype(dtype.numpy)
    return _finish(values, device, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Integers uniformly from [low, high) (``randint(high, size)`` means low = 0)."""
    if size is None:
        low, high, size = 0, low, high
    dtype = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    values = _rng(generator).integers(low, high, size=_size_arg((size,))).astype(dtype.numpy)
    return _finish(values, device, requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1."""
    dtype = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    return _finish(_rng(generator).permutation(n).astype(dtype.numpy), device, requires_grad)
