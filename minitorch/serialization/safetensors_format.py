"""safetensors files (the format model hubs use), through the ``safetensors`` package's NumPy API.

A safetensors file is an 8-byte header length, a JSON header naming each tensor's dtype, shape
and byte range, then the raw bytes: no code, and every range is checked by the package
against the file. minitorch checks that a path is a regular file first (not ``/dev/zero``)
and turns the package's errors into a RuntimeError naming the file. ``safetensors`` is an
optional dependency (``pip install 'minitorch-course[safetensors]'``).
"""
from __future__ import annotations

import os

import numpy as np

from .. import backend
from ..types.devices import device as _device_cls
from ..tensor import Tensor
from .checkpoint_file import describe, open_checkpoint
from .errors import CheckpointError


def _package():
    try:
        import safetensors.numpy
    except ImportError as err:
        raise RuntimeError("Attempting to use a safetensors file but safetensors is not "
                           "installed: pip install 'minitorch-course[safetensors]'") from err
    return safetensors


def save_safetensors(tensors: dict[str, Tensor], filename: str | os.PathLike,
                     metadata: dict[str, str] | None = None) -> None:
    """Save a dict of tensors (a ``state_dict``) as a safetensors file.

    As in ``safetensors.torch.save_file``, tensors may not share memory (each is written
    once, contiguously), keys are strings, and ``metadata`` is a dict of strings.

    Example::

        >>> minitorch.save_safetensors(model.state_dict(), "model.safetensors")
    """
    if not isinstance(tensors, dict):
        raise TypeError(f"Expected a dict of [str, Tensor] but received {type(tensors).__name__}")
    arrays: dict[str, np.ndarray] = {}
    owners: dict[int, str] = {}  # id of the array owning the memory -> the first tensor on it
    for name, tensor in tensors.items():
        if not isinstance(name, str) or not isinstance(tensor, Tensor):
            raise TypeError(f"Expected a dict of [str, Tensor] but {name!r} is "
                            f"{type(tensor).__name__}")
        array = backend.to_numpy(tensor.detach()._data)
        owner = array
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        if id(owner) in owners:  # as safetensors.torch: two views of one storage are refused
            raise RuntimeError(f"Some tensors share memory, this will lead to duplicate memory "
                               f"on disk and potential differences when loading them again: "
                               f"[{owners[id(owner)]!r}, {name!r}]. Save clones of them instead.")
        owners[id(owner)] = name
        arrays[name] = array
    # the package writes each array's memory as it lies: non-contiguous ones are copied first
    # (not np.ascontiguousarray: it turns a 0-d array into a 1-d one)
    contiguous = {name: a if a.flags.c_contiguous else a.copy(order="C") for name, a in arrays.items()}
    _package().numpy.save_file(contiguous, os.fspath(filename), metadata=metadata)


def load_safetensors(filename: str | os.PathLike, device: str | _device_cls = "cpu") -> dict[str, Tensor]:
    """Load a safetensors file as a dict of tensors on ``device``.

    Example::

        >>> model.load_state_dict(minitorch.load_safetensors("model.safetensors"))
    """
    package = _package()
    name = describe(filename)
    with open_checkpoint(filename):  # a regular file, or refused before it is read
        pass
    try:
        with package.safe_open(os.fspath(filename), framework="np") as handle:
            arrays = {key: _read(handle, key, name) for key in handle.keys()}
    except (package.SafetensorError, ValueError, KeyError, TypeError, OSError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise CheckpointError(f"{name} is not a valid safetensors file ({type(err).__name__}: "
                              f"{err})") from None
    where = _device_cls(device)
    return {key: Tensor._from_array(backend.to_device(array, where)) for key, array in arrays.items()}


# safetensors' dtype names for the dtypes minitorch has
_SUPPORTED = {"BOOL", "U8", "I8", "I16", "I32", "I64", "F16", "F32", "F64"}


def _read(handle, key: str, name: str) -> np.ndarray:
    dtype = handle.get_slice(key).get_dtype()
    if dtype not in _SUPPORTED:
        raise NotImplementedError(f"{name}: tensor {key!r} has dtype {dtype}, which minitorch "
                                  "does not support")
    array = handle.get_tensor(key)
    # a view of the package's buffer is read-only: tensors need memory of their own
    return array if array.flags.writeable else array.copy()
