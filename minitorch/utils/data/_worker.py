"""Worker processes for ``DataLoader(num_workers > 0)``.

The main process hands out *tasks* (a batch's indices, or "your next batch" for an
iterable dataset) round robin, each worker to its own index queue; workers answer on one
shared result queue with ``(epoch, task number, batch)``. Answers can arrive out of order,
so the main process holds early ones back and returns batches in task order: the batches
are exactly those that ``num_workers=0`` would give. At most ``prefetch_factor`` tasks per
worker are outstanding.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import random
import signal
import time
import traceback
from dataclasses import dataclass

from . import _fetch

_POLL_SECONDS = 1.0  # how often a waiting side checks that the other side is still alive


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker process."""
    id: int
    num_workers: int
    seed: int
    dataset: object


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Inside a DataLoader worker: its ``WorkerInfo`` (id, num_workers, seed, and the
    worker's own copy of the dataset); in the main process: None."""
    return _worker_info


class _StreamEnd:
    """A worker's answer once its copy of an iterable dataset is exhausted."""


@dataclass
class _WorkerFailure:
    """An exception raised in a worker, in a form that always crosses the process boundary."""
    worker_id: int
    exc_type: type | None  # None when the class cannot be imported by the main process
    type_name: str
    text: str
    index: str | None  # repr of the dataset index being loaded, when known
    traceback: str

    @classmethod
    def capture(cls, worker_id: int, error: BaseException) -> "_WorkerFailure":
        index = None
        if isinstance(error, _fetch.DatasetIndexError):
            index, error = repr(error.index), error.error
        try:  # classes pickle by name: fine when the main process can import this one
            pickle.dumps(type(error))
            exc_type = type(error)
        except Exception:
            exc_type = None
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return cls(worker_id, exc_type, type(error).__name__, str(error), index, text)

    def to_exception(self) -> BaseException:
        where = f" while loading dataset[{self.index}]" if self.index is not None else ""
        message = (f"Caught {self.type_name} in DataLoader worker process {self.worker_id}"
                   f"{where}: {self.text}\nOriginal {self.traceback}")
        if self.exc_type is not None:
            try:
                return self.exc_type(message)
            except Exception:  # an exception class that needs other arguments
                pass
        return RuntimeError(message)


def _worker_loop(dataset, is_iterable, auto_collation, collate_fn, batch_size, drop_last,
                 index_queue, result_queue, worker_id, num_workers, seed, worker_init_fn,
                 parent_pid):
    global _worker_info
    import minitorch
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    minitorch.manual_seed(seed)
    random.seed(seed)
    init_failure = None
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception as err:
        init_failure = _WorkerFailure.capture(worker_id, err)
    fetcher, fetcher_epoch = None, None
    while True:
        try:
            task = index_queue.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process died: do not linger
                return
            continue
        if task is None:
            return
        epoch, task_number, indices = task
        try:
            if init_failure is not None:
                result = init_failure
            elif is_iterable:
                if fetcher_epoch != epoch:  # a new epoch restarts this worker's stream
                    fetcher = _fetch.IterableFetcher(dataset, batch_size, drop_last, collate_fn)
                    fetcher_epoch = epoch
                result = fetcher.fetch()
            else:
                if fetcher is None:
                    fetcher = _fetch.MapFetcher(dataset, auto_collation, collate_fn)
                result = fetcher.fetch(indices)
        except StopIteration:
            result = _StreamEnd()
        except Exception as err:
            result = _WorkerFailure.capture(worker_id, err)
        result_queue.put((epoch, task_number, result))


class WorkerPool:
    """The worker processes of one DataLoader and their queues."""

    def __init__(self, loader, base_seed: int):
        context = loader.multiprocessing_context
        if context is None:
            context = multiprocessing.get_context()
        elif isinstance(context, str):
            context = multiprocessing.get_context(context)
        self.result_queue = context.Queue()
        self.index_queues, self.processes = [], []
        for worker_id in range(loader.num_workers):
            index_queue = context.Queue()
            process = context.Process(
                target=_worker_loop, daemon=True,
                args=(loader.dataset, loader._is_iterable, loader._auto_collation,
                      loader.collate_fn, loader.batch_size, loader.drop_last, index_queue,
                      self.result_queue, worker_id, loader.num_workers, base_seed + worker_id,
                      loader.worker_init_fn, os.getpid()))
            process.start()
            self.index_queues.append(index_queue)
            self.processes.append(process)
        self.epoch = 0
        self.alive = True

    def get(self, timeout: float):
        """The next answer from any worker; RuntimeError when waiting longer than ``timeout``
        (0 = forever) or when a worker died."""
        start = time.monotonic()
        while True:
            try:
                return self.result_queue.get(timeout=_POLL_SECONDS if timeout <= 0
                                             else min(_POLL_SECONDS, timeout))
            except queue.Empty:
                dead = [p.pid for p in self.processes if not p.is_alive()]
                if dead:
                    self.shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) "
                                       f"exited unexpectedly") from None
                if timeout > 0 and time.monotonic() - start >= timeout:
                    self.shutdown(force=True)
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None

    def shutdown(self, force: bool = False) -> None:
        """Stop the workers: ask them to exit (or, with ``force``, e.g. after a timeout when a
        worker may be stuck, terminate them at once)."""
        if not self.alive:
            return
        self.alive = False
        for index_queue in self.index_queues:
            try:
                index_queue.put(None)
            except (OSError, ValueError):
                pass
        for process in self.processes:
            process.join(timeout=0 if force else 5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        for q in self.index_queues + [self.result_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self):
        try:
            self.shutdown()
        except Exception:  # at interpreter exit the queues may already be gone
            pass


class MultiProcessIterator:
    """One epoch over a DataLoader whose batches come from a ``WorkerPool``."""

    def __init__(self, loader, pool: WorkerPool):
        self.loader, self.pool = loader, pool
        pool.epoch += 1
        self.epoch = pool.epoch
        self.index_iter = None if loader._is_iterable else iter(loader._index_sampler)
        self.active = [True] * loader.num_workers
        self.next_worker = 0
        self.sent = self.returned = 0
        self.early: dict[int, object] = {}  # answers that arrived before their turn
        self.owner: dict[int, int] = {}  # task number -> worker it went to
        self.exhausted = False
        for _ in range(loader.prefetch_factor * loader.num_workers):
            self._send()

    def _send(self) -> None:
        if self.exhausted or not any(self.active):
            return
        if self.index_iter is not None:
            try:
                indices = next(self.index_iter)
            except StopIteration:
                self.exhausted = True
                return
        else:
            indices = None
        while not self.active[self.next_worker]:
            self.next_worker = (self.next_worker + 1) % len(self.active)
        worker = self.next_worker
        self.next_worker = (worker + 1) % len(self.active)
        self.pool.index_queues[worker].put((self.epoch, self.sent, indices))
        self.owner[self.sent] = worker
        self.sent += 1

    def _receive(self, task_number: int):
        while task_number not in self.early:
            epoch, number, result = self.pool.get(self.loader.timeout)
            if epoch == self.epoch:  # answers to an abandoned earlier epoch are dropped
                self.early[number] = result
        return self.early.pop(task_number)

    def __iter__(self):
        return self

    def __next__(self):
        while self.returned < self.sent:
            result = self._receive(self.returned)
            worker = self.owner.pop(self.returned)
            self.returned += 1
            if isinstance(result, _StreamEnd):
                self.active[worker] = False
                continue
            if isinstance(result, _WorkerFailure):
                self._finish()
                raise result.to_exception()
            self._send()
            return result
        self._finish()
        raise StopIteration

    def _finish(self) -> None:
        if not self.loader.persistent_workers:
            self.pool.shutdown()

    def __len__(self) -> int:
        return len(self.loader)
