"""Samplers: the order in which a DataLoader reads a map-style dataset.

A sampler is an iterable of indices (``BatchSampler``: of lists of indices). Random samplers
draw from a ``minitorch.Generator`` when one is given, else from the global generator, so
``minitorch.manual_seed(s)`` makes every epoch's order reproducible.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Sequence

import numpy as np

from ...random import generator as _random
from ...tensor import Tensor


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and, where known, ``__len__``."""

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self) -> Iterator:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _check_positive_int(name: str, value, error=ValueError) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise error(f"{name} should be a positive integer value, but got {name}={value}")


def _check_bool(name: str, value, error=ValueError) -> None:
    if not isinstance(value, bool):
        raise error(f"{name} should be a boolean value, but got {name}={value}")


# How many indices RandomSampler(replacement=True) draws per call to the generator (PyTorch's).
_REPLACEMENT_CHUNK = 32


class RandomSampler(Sampler):
    """Random indices: a permutation (each index once), or with ``replacement=True``
    ``num_samples`` independent uniform draws.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement.
        num_samples: how many indices per epoch (default ``len(data_source)``); without
            replacement and larger than the dataset, whole permutations follow one another.
        generator: a ``minitorch.Generator`` (default: the global generator).
    """

    def __init__(self, data_source, replacement: bool = False, num_samples: int | None = None,
                 generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _check_bool("replacement", replacement, TypeError)
        _check_positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, generator = len(self.data_source), self.generator
        if generator is None:  # as PyTorch: a fresh generator seeded from the global one
            generator = _random.Generator().manual_seed(_random.random_int64())
        if self.replacement:
            # Drawn lazily, 32 at a time as PyTorch does: num_samples may be huge (makemore
            # and minGPT ask for 1e10 to make an endless loader), so never all at once.
            for _ in range(self.num_samples // _REPLACEMENT_CHUNK):
                yield from _random.randint(n, (_REPLACEMENT_CHUNK,), generator=generator).tolist()
            remainder = self.num_samples % _REPLACEMENT_CHUNK
            yield from _random.randint(n, (remainder,), generator=generator).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from _random.randperm(n, generator=generator).tolist()
        yield from _random.randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (each once per epoch)."""

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in _random.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in ``[0, len(weights))`` drawn with probability proportional
    to ``weights`` (with replacement by default; without, each index at most once).

    Example::

        >>> sampler = WeightedRandomSampler([0.0, 1.0, 3.0], 4)   # index 2 three times as likely as 1
        >>> sorted(set(sampler)) <= [1, 2]
        True
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator=None) -> None:
        _check_positive_int("num_samples", num_samples)
        _check_bool("replacement", replacement)
        array = (weights.detach().numpy(force=True) if isinstance(weights, Tensor)
                 else np.asarray(weights)).astype(np.float64)
        if array.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(array.shape)}")
        self.weights = Tensor._from_array(array)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        w = self.weights._data
        if (w < 0).any() or not np.isfinite(w).all():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0 "
                               "or inf or nan)")
        if w.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not self.replacement and self.num_samples > len(w):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        if not self.replacement and self.num_samples > np.count_nonzero(w):
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not "
                               "enough non-negative category to sample)")
        drawn = _random.multinomial(self.weights, self.num_samples, self.replacement,
                                    generator=self.generator)
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``).

    Example::

        >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6]]
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        _check_positive_int("batch_size", batch_size)
        _check_bool("drop_last", drop_last)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
