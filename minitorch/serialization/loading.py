"""``minitorch.load``: PyTorch's checkpoints and minitorch's, with PyTorch's safety model."""
from __future__ import annotations

import os
import warnings
from typing import Any, BinaryIO, Callable

from ..types.devices import device
from . import json_format
from .checkpoint_file import describe, open_checkpoint, sniff
from .errors import CheckpointError, NotACheckpointError, UnpicklingError
from .torch_legacy_reader import read_torch_legacy
from .torch_zip_reader import archive_folder, read_torch_zip
from .zip_reader import ZipReader

# PyTorch's explanation, in our words, of why weights_only=True refused a file.
_UNSAFE = ("Since PyTorch 2.6 (and in minitorch) `weights_only` defaults to True. Loading with "
           "`weights_only=False` will probably succeed, but it can run arbitrary code from the "
           "file: do it only if you trust where the file came from.")


def _weights_only_message(name: str, error: Exception) -> str:
    detail = str(error)
    if "was not an allowed global by default" in detail:
        return (f"Weights only load failed for {name}. If you trust the file, you can either "
                f"\n\t(1) {_UNSAFE}\n\t(2) keep `weights_only=True` and allow the class or "
                f"function it names, as the following error explains.\n\tWeightsUnpickler "
                f"error: {detail}")
    return f"Weights only load failed for {name}. {_UNSAFE}\n\nWeightsUnpickler error: {detail}"


def _load_zip(stream, size: int, name: str, map_location, weights_only: bool) -> Any:
    reader = ZipReader(stream, size, name)
    if json_format.STRUCTURE in reader.members:  # written by minitorch before it wrote PyTorch's format
        return json_format.read_json_checkpoint(reader, map_location)
    folder = archive_folder(reader)
    if folder is None:
        raise NotACheckpointError(f"{name} is a zip archive but not a checkpoint: PyTorch's "
                                  "format keeps every record in one folder, with data.pkl in it")
    return read_torch_zip(reader, folder, map_location, weights_only)


def load(f: str | os.PathLike | BinaryIO,
         map_location: str | device | dict | Callable | None = None, pickle_module=None, *,
         weights_only: bool | None = None, mmap: bool | None = None, **pickle_load_args) -> Any:
    """Load an object saved by ``minitorch.save`` or ``torch.save``.

    Args:
        f: a path, or a binary file object opened for reading.
        map_location: where tensors go: None (the device they were saved from), a device or
            its name, a dict mapping saved locations to new ones (``{'cuda:0': 'cpu'}``), or a
            function ``fn(storage, saved_location)`` that receives each storage as a 1-D CPU
            tensor and returns a tensor (or None to keep it).
        weights_only: True (the default, as in PyTorch >= 2.6): build only tensors, containers,
            numbers, strings, dtypes, ``Size``, devices and what
            :func:`minitorch.serialization.add_safe_globals` allows; never import or call
            anything else. False: full unpickling, which can run code from the file; use it
            only for files you trust.

    Reads PyTorch's zip format, its legacy format (before 1.6), and minitorch's earlier
    JSON-based files. Every size in the file is checked against the bytes it really holds
    before memory is allocated.

    Raises:
        pickle.UnpicklingError (also a RuntimeError): the file asks for something
            ``weights_only=True`` refuses, or is not a checkpoint.
        RuntimeError: the file is damaged or truncated (the message names it).
        NotImplementedError: the file holds something minitorch lacks (bfloat16, sparse...).

    Example::

        >>> state = minitorch.load("model.pt", map_location="cpu")
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if pickle_module is not None:
        raise NotImplementedError("minitorch.load: pickle_module is not supported")
    if mmap:
        raise NotImplementedError("minitorch.load: mmap=True is not supported")
    if pickle_load_args and weights_only:
        warnings.warn("pickle_load_args only works if `weights_only=False`.")
    name = describe(f)
    with open_checkpoint(f) as (stream, size):
        kind = sniff(stream, size, name)
        try:
            if kind == "zip":
                return _load_zip(stream, size, name, map_location, weights_only)
            return read_torch_legacy(stream.read(size), name, map_location, weights_only)
        except UnpicklingError as err:
            if weights_only:
                raise UnpicklingError(_weights_only_message(name, err)) from None
            raise UnpicklingError(f"{name}: {err}") from None
        except NotImplementedError as err:  # something PyTorch stores that minitorch lacks
            raise NotImplementedError(f"{name}: {err}") from None
        except RecursionError:
            raise CheckpointError(f"{name} is nested too deeply to load") from None
