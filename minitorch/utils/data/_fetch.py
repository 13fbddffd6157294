"""Reading one batch from a dataset: the work that the main process does when
``num_workers=0`` and each worker process does otherwise."""
from __future__ import annotations

import itertools


class DatasetIndexError(Exception):
    """Internal: carries the index whose ``dataset[index]`` raised, with the original error."""

    def __init__(self, index, error: BaseException):
        super().__init__(index, error)
        self.index, self.error = index, error


def describe(index, error: BaseException) -> str:
    return f"{type(error).__name__} while loading dataset[{index!r}]: {error}"


def same_type_error(error: BaseException, message: str) -> BaseException:
    """An exception of ``error``'s type carrying ``message`` (RuntimeError when that type
    cannot be built from one message, such as UnicodeDecodeError)."""
    try:
        return type(error)(message)
    except Exception:
        return RuntimeError(message)


def get_sample(dataset, index):
    try:
        return dataset[index]
    except Exception as err:
        raise DatasetIndexError(index, err) from err


class MapFetcher:
    """``dataset[i]`` for each index of a batch, then ``collate_fn`` (one index and no
    batching when ``auto_collation`` is False)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, indices):
        if self.auto_collation:
            return self.collate_fn([get_sample(self.dataset, i) for i in indices])
        return self.collate_fn(get_sample(self.dataset, indices))


class IterableFetcher:
    """The next ``batch_size`` samples of the dataset's iterator (or the next sample when
    ``batch_size`` is None); raises StopIteration when the stream ends."""

    def __init__(self, dataset, batch_size, drop_last: bool, collate_fn):
        self.iterator = iter(dataset)
        self.batch_size, self.drop_last, self.collate_fn = batch_size, drop_last, collate_fn

    def fetch(self, indices=None):
        if self.batch_size is None:
            return self.collate_fn(next(self.iterator))
        batch = list(itertools.islice(self.iterator, self.batch_size))
        if not batch or (self.drop_last and len(batch) < self.batch_size):
            raise StopIteration
        return self.collate_fn(batch)
