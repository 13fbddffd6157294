"""``DataLoader``: batches from a dataset, in the main process or in worker processes.

For a map-style dataset the loader asks its (batch) sampler for indices, reads
``dataset[i]`` for each and collates them; for an ``IterableDataset`` it takes the next
``batch_size`` samples of the stream. With ``num_workers > 0`` the same work runs in worker
processes (see ``_worker.py``) and the batches come back in the same order.
"""
from __future__ import annotations

from typing import Callable, Iterator

from ...random import generator as _random
from . import _fetch
from ._collate import default_collate, default_convert
from ._worker import MultiProcessIterator, WorkerPool
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


class DataLoader:
    """Iterate over ``dataset`` in batches.

    Args:
        dataset: a map-style ``Dataset`` (``__getitem__`` and ``__len__``) or an ``IterableDataset``.
        batch_size: samples per batch (default 1); None turns batching off (each item is one
            sample, converted by ``default_convert``).
        shuffle: reshuffle the indices every epoch (map-style datasets only).
        sampler: the order of indices (excludes ``shuffle``).
        batch_sampler: yields lists of indices (excludes batch_size, shuffle, sampler, drop_last).
        num_workers: worker processes that load batches (0: load in the main process).
        collate_fn: merges a list of samples into a batch (default ``default_collate``).
        pin_memory: accepted for compatibility; CPU tensors need no pinning, so it does nothing.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        timeout: seconds to wait for a batch from the workers (0: no limit).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each new worker.
        multiprocessing_context: a ``multiprocessing`` context or its name ('fork', 'spawn', ...).
        generator: a ``minitorch.Generator`` for shuffling and the workers' base seed.
        prefetch_factor: batches loaded ahead per worker (default 2 when there are workers).
        persistent_workers: keep the worker processes alive between epochs.

    Example::

        >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
        >>> for xb, yb in loader:
        ...     loss = loss_fn(model(xb), yb)
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | None = None, batch_sampler: Sampler | None = None,
                 num_workers: int = 0, collate_fn: Callable | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is not None and prefetch_factor < 1:
            raise ValueError(f"prefetch_factor should be a positive integer, got {prefetch_factor}")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        is_iterable = isinstance(dataset, IterableDataset)
        if is_iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if not is_iterable and sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if not is_iterable and batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.pin_memory = pin_memory  # nothing to pin: CPU arrays are ordinary memory here
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = (2 if prefetch_factor is None else prefetch_factor) if num_workers else None
        self.persistent_workers = persistent_workers
        self.in_order = in_order  # batches always come back in order, which in_order=False allows
        self._is_iterable = is_iterable
        self._auto_collation = batch_size is not None if is_iterable else batch_sampler is not None
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if self._auto_collation else default_convert)
        self._pool: WorkerPool | None = None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        """Batches per epoch (for an IterableDataset: computed from ``len(dataset)``, which
        with unsharded workers can differ from what iteration yields)."""
        if self._is_iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = (length // self.batch_size if self.drop_last
                          else -(-length // self.batch_size))
            return length
        return len(self._index_sampler)

    def __iter__(self) -> Iterator:
        if (self.num_workers and self.persistent_workers and self._pool is not None
                and self._pool.alive):
            return MultiProcessIterator(self, self._pool)  # PyTorch reuses it: no new seed
        # The workers' base seed (one int64 random_(), as PyTorch draws it) is drawn whether
        # or not there are workers, so the shuffling stream is the same for every num_workers.
        base_seed = _random.random_int64(self.generator)
        if self.num_workers == 0:
            return self._single_process_iter()
        pool = WorkerPool(self, base_seed)
        if self.persistent_workers:
            self._pool = pool
        return MultiProcessIterator(self, pool)

    def _single_process_iter(self):
        try:
            if self._is_iterable:
                fetcher = _fetch.IterableFetcher(self.dataset, self.batch_size, self.drop_last,
                                                 self.collate_fn)
                while True:
                    try:
                        batch = fetcher.fetch()
                    except StopIteration:
                        return
                    yield batch
            fetcher = _fetch.MapFetcher(self.dataset, self._auto_collation, self.collate_fn)
            for indices in self._index_sampler:
                yield fetcher.fetch(indices)
            return
        except _fetch.DatasetIndexError as err:
            failure = err
        # raised outside the except block: the user sees one error, not "during handling of..."
        raise _fetch.same_type_error(failure.error, _fetch.describe(failure.index, failure.error)) \
            from failure.error

    def __del__(self):
        pool = getattr(self, "_pool", None)  # absent when __init__ raised
        if pool is not None:
            pool.shutdown()
