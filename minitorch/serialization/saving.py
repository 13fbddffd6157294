"""``minitorch.save``: PyTorch's checkpoint format, readable by ``torch.load``."""
from __future__ import annotations

import os
from typing import Any, BinaryIO

from .torch_zip_writer import write_torch_zip


def save(obj: Any, f: str | os.PathLike | BinaryIO, pickle_module=None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Save ``obj`` to ``f`` in PyTorch's format: ``torch.load(f, weights_only=True)`` reads
    tensors, state_dicts, optimizer state_dicts and containers of them.

    Args:
        obj: what to save: tensors, ``state_dict()`` s, and dicts / lists / tuples of them,
            numbers, strings... (any picklable object; only PyTorch's allowlisted types load
            with ``weights_only=True``). Tensors that share memory (a view and its base) are
            saved as one storage and share memory again when loaded.
        f: a path, or a binary file object opened for writing.

    Example::

        >>> minitorch.save(model.state_dict(), "model.pt")
        >>> model.load_state_dict(minitorch.load("model.pt"))
    """
    if pickle_module is not None:
        raise NotImplementedError("minitorch.save always uses pickle protocol 2 with its own "
                                  "pickler; pickle_module is not supported")
    if pickle_protocol != 2:
        raise NotImplementedError("minitorch.save writes pickle protocol 2, as torch.save does "
                                  "by default; pickle_protocol is not supported")
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("minitorch.save writes the zip format only; the legacy format "
                                  "(_use_new_zipfile_serialization=False) is not supported")
    target = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    write_torch_zip(obj, target)
