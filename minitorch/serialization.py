"""``minitorch.save`` / ``minitorch.load``: checkpoints in a format that cannot run code.

PyTorch's checkpoints are pickles, and unpickling a file can execute anything its author
wrote into it. A minitorch checkpoint is data only: a zip archive (an ``.npz``, so
``numpy.load`` can open it too) holding

* ``minitorch.json``: the saved object's structure (dicts, lists, tuples, numbers, strings,
  None, bools) with each tensor replaced by a reference into the table of arrays;
* ``arrays/<k>.npy``: one NumPy array per distinct tensor storage, written and read with
  ``allow_pickle=False``.

Loading parses JSON and ``.npy`` headers and nothing else; a pickle (a ``torch.save`` file, or
a crafted payload) is recognised and refused, never unpickled. Every member carries a CRC-32
that ``zipfile`` checks on reading, so a truncated or corrupted file raises a RuntimeError
naming the file instead of loading wrong numbers.
"""
from __future__ import annotations

import collections
import io
import json
import os
import pickle
import zipfile
from typing import Any, BinaryIO, Callable

import numpy as np

from . import _dtype, backend
from ._device import device as _device_cls
from ._size import Size
from .tensor import Tensor

_FORMAT = "minitorch-checkpoint"
_VERSION = 1
_STRUCTURE = "minitorch.json"


def _parameter_class():
    """``minitorch.nn.Parameter`` when it exists (imported late: nn is built on this layer)."""
    from .nn import parameter
    return getattr(parameter, "Parameter", None)


class _Writer:
    """Turns an object into JSON-ready data plus a list of arrays."""

    def __init__(self):
        self.arrays: list[np.ndarray] = []
        self.array_ids: dict[int, int] = {}   # id(ndarray) -> array number (shared storage)
        self.tensors: list[dict] = []
        self.tensor_ids: dict[int, int] = {}  # id(Tensor) -> tensor number (same object)
        self.keep_alive: list = []  # so that ids stay unique while saving
        self.parameter = _parameter_class()

    def array_number(self, array) -> int:
        if id(array) not in self.array_ids:
            self.keep_alive.append(array)
            self.array_ids[id(array)] = len(self.arrays)
            self.arrays.append(backend.to_numpy(array))
        return self.array_ids[id(array)]

    def encode(self, obj) -> Any:
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if type(obj) in (int, float):  # NaN and infinities too: Python's json round-trips them
            return obj
        if isinstance(obj, (np.bool_, np.integer, np.floating)):  # stored as the Python number
            return obj.item()
        if isinstance(obj, Tensor):
            if id(obj) not in self.tensor_ids:
                self.keep_alive.append(obj)
                self.tensor_ids[id(obj)] = len(self.tensors)
                self.tensors.append({
                    "array": self.array_number(obj._data),
                    "device": str(obj.device),
                    "requires_grad": bool(obj.requires_grad),
                    "parameter": self.parameter is not None and isinstance(obj, self.parameter)})
            return {"$tensor": self.tensor_ids[id(obj)]}
        if isinstance(obj, np.ndarray):
            return {"$ndarray": self.array_number(obj)}
        if isinstance(obj, _dtype.dtype):
            return {"$dtype": obj.name}
        if isinstance(obj, _device_cls):
            return {"$device": str(obj)}
        if isinstance(obj, Size):
            return {"$size": [int(s) for s in obj]}
        if isinstance(obj, dict):
            kind = "OrderedDict" if isinstance(obj, collections.OrderedDict) else "dict"
            return {"$" + kind: [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        if isinstance(obj, tuple) and type(obj) is tuple:
            return {"$tuple": [self.encode(v) for v in obj]}
        if isinstance(obj, list) and type(obj) is list:
            return {"$list": [self.encode(v) for v in obj]}
        raise TypeError(f"minitorch.save cannot store an object of type {type(obj).__name__}: it "
                        "stores tensors, NumPy arrays, numbers, strings, bools, None, dtypes, "
                        "devices, and dicts / OrderedDicts / lists / tuples of these")


def save(obj: Any, f: str | os.PathLike | BinaryIO, pickle_module=None, pickle_protocol=None,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Save ``obj`` (a tensor, a ``state_dict``, an optimizer's state dict, or nested
    dicts / lists / tuples of tensors, numbers, strings, bools and None) to ``f``.

    Args:
        obj: what to save. The same tensor appearing twice is stored once and comes back as
            one object; tensors sharing one array (e.g. ``x`` and ``x.detach()``) come back
            sharing memory.
        f: a path, or a binary file object opened for writing.

    Example::

        >>> minitorch.save(model.state_dict(), "model.pt")
        >>> model.load_state_dict(minitorch.load("model.pt"))
    """
    if pickle_module is not None:
        raise NotImplementedError("minitorch.save does not use pickle: its format is a zip of "
                                  "JSON and .npy arrays; pickle_module is not supported")
    writer = _Writer()
    structure = {"format": _FORMAT, "version": _VERSION, "object": writer.encode(obj),
                 "tensors": writer.tensors,
                 "arrays": [{"dtype": _dtype.from_numpy_dtype(a.dtype).name,
                             "shape": list(a.shape)} for a in writer.arrays]}
    target = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(_STRUCTURE, json.dumps(structure))
        for number, array in enumerate(writer.arrays):
            with archive.open(f"arrays/{number}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


# --- loading ---------------------------------------------------------------------------------

def _file_name(f) -> str:
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def _read_all(f) -> bytes:
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            return handle.read()
    return f.read()


def _looks_like_pickle(data: bytes, archive: zipfile.ZipFile | None) -> bool:
    if archive is not None:  # torch.save's zip format keeps its pickle in <name>/data.pkl
        return any(n.endswith(".pkl") or n.endswith("/data.pkl") for n in archive.namelist())
    # a pickle of protocol 2+ starts with PROTO (0x80); older ones with an opcode such as
    # '(' MARK, ']' EMPTY_LIST, '}' EMPTY_DICT, 'c' GLOBAL; legacy torch files with a magic number
    return data[:1] in (b"\x80", b"(", b"]", b"}", b"c", b"N") or data[:2] == b"\x8a\x0a"


class _Reader:
    """Rebuilds the saved object from the JSON structure and the arrays."""

    def __init__(self, structure: dict, arrays: list[np.ndarray]):
        self.structure, self.arrays = structure, arrays
        self.tensors: dict[int, Tensor] = {}
        self.parameter = _parameter_class()

    def tensor(self, number: int) -> Tensor:
        if number not in self.tensors:
            info = self.structure["tensors"][number]
            t = Tensor._from_array(self.arrays[info["array"]])
            if info["requires_grad"]:
                t.requires_grad_(True)
            if info["parameter"] and self.parameter is not None:
                t = self.parameter(t, requires_grad=info["requires_grad"])
            self.tensors[number] = t
        return self.tensors[number]

    def move_tensors(self, map_location) -> None:
        """Put each loaded tensor where ``map_location`` says. This runs after decoding, so an
        error from a user's map_location function reaches the caller unchanged."""
        moved: dict[tuple, Any] = {}  # (array number, device) -> array: sharing survives the move
        for number, t in self.tensors.items():
            info = self.structure["tensors"][number]
            location, target = info["device"], map_location
            if isinstance(target, dict):
                target = target.get(location, location)
            if callable(target):
                result = target(Tensor._from_array(t._data), location)
                if result is not None:
                    t._data = result._data
                continue
            dev = _device_cls(location if target is None else target)
            if dev.type == "cuda" and not backend.cuda_available():
                raise RuntimeError("Attempting to deserialize object on a CUDA device but CUDA is "
                                   "not available. If you are running on a CPU-only machine, please "
                                   "use minitorch.load with map_location='cpu' to map your tensors "
                                   "to the CPU.")
            key = (info["array"], str(dev))
            if key not in moved:
                moved[key] = backend.to_device(t._data, dev)
            t._data = moved[key]

    def decode(self, data) -> Any:
        if data is None or isinstance(data, (bool, int, float, str)):
            return data
        if not isinstance(data, dict) or len(data) != 1:
            raise ValueError(f"unexpected entry {str(data)[:80]}")
        (tag, value), = data.items()
        if tag == "$tensor":
            return self.tensor(value)
        if tag == "$ndarray":
            return self.arrays[value].copy()
        if tag == "$dtype":
            return _dtype._dtype_by_name(value)
        if tag == "$device":
            return _device_cls(value)
        if tag == "$size":
            return Size(value)
        if tag in ("$dict", "$OrderedDict"):
            pairs = [(self.decode(k), self.decode(v)) for k, v in value]
            return collections.OrderedDict(pairs) if tag == "$OrderedDict" else dict(pairs)
        if tag == "$tuple":
            return tuple(self.decode(v) for v in value)
        if tag == "$list":
            return [self.decode(v) for v in value]
        raise ValueError(f"unknown entry type {tag!r}")


def _read_checkpoint(archive: zipfile.ZipFile) -> tuple[dict, list[np.ndarray]]:
    structure = json.loads(archive.read(_STRUCTURE).decode("utf-8"))
    if not isinstance(structure, dict) or structure.get("format") != _FORMAT:
        raise ValueError(f"{_STRUCTURE} does not describe a {_FORMAT}")
    if structure.get("version") != _VERSION:
        raise ValueError(f"format version {structure.get('version')} is not supported "
                         f"(this minitorch reads version {_VERSION})")
    arrays = []
    for number, expected in enumerate(structure["arrays"]):
        raw = archive.read(f"arrays/{number}.npy")  # zipfile checks the CRC-32 here
        stream = io.BytesIO(raw)
        array = np.lib.format.read_array(stream, allow_pickle=False)
        if (stream.tell() != len(raw) or list(array.shape) != expected["shape"]
                or _dtype.from_numpy_dtype(array.dtype).name != expected["dtype"]):
            raise ValueError(f"array {number} does not match its description")
        arrays.append(array)
    return structure, arrays


class NotACheckpointError(pickle.UnpicklingError, RuntimeError):
    """A file that is not a checkpoint at all: PyTorch raises ``pickle.UnpicklingError`` there
    (its ``weights_only`` unpickler refuses it), earlier minitorch a RuntimeError; both catch it."""


def load(f: str | os.PathLike | BinaryIO, map_location: str | _device_cls | dict | Callable | None = None,
         pickle_module=None, *, weights_only: bool = True, mmap: bool | None = None,
         **pickle_load_args) -> Any:
    """Load an object saved by ``minitorch.save``. Never executes code from the file.

    Args:
        f: a path, or a binary file object opened for reading.
        map_location: where tensors go: None (the device they were saved from), a device or
            its name, a dict mapping saved locations to new ones (``{'cuda:0': 'cpu'}``), or a
            function ``fn(tensor_on_cpu, saved_location) -> tensor or None``.
        weights_only: accepted for PyTorch compatibility; the format holds data only, so
            loading is always as safe as PyTorch's ``weights_only=True``.

    Raises:
        RuntimeError: the file is not a minitorch checkpoint (a pickle, such as a
            ``torch.save`` file, is refused unread), or it is truncated or corrupted.

    Example::

        >>> state = minitorch.load("model.pt", map_location="cpu")
    """
    if pickle_module is not None:
        raise NotImplementedError("minitorch.load never unpickles; pickle_module is not supported")
    name = _file_name(f)
    data = _read_all(f)
    if not data:
        raise RuntimeError(f"{name} is empty: not a minitorch checkpoint (truncated file?)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data)) if zipfile.is_zipfile(io.BytesIO(data)) else None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, UnicodeDecodeError) as err:
        raise RuntimeError(f"{name} is a corrupted or truncated archive ({err})") from None
    if _looks_like_pickle(data, archive):
        raise NotACheckpointError(f"{name} is a pickle file (for example one written by torch.save). "
                           "minitorch.load never unpickles, because unpickling can run arbitrary "
                           "code. If you trust the file, load it with PyTorch and save its tensors "
                           "with minitorch.save (e.g. convert each with minitorch.tensor(t.numpy())).")
    if archive is None:
        raise NotACheckpointError(f"{name} is not a minitorch checkpoint: it is not a zip archive written "
                           "by minitorch.save (the file may be truncated or corrupted)")
    try:
        with archive:
            if _STRUCTURE not in archive.namelist():
                raise ValueError(f"it has no {_STRUCTURE}")
            structure, arrays = _read_checkpoint(archive)
        reader = _Reader(structure, arrays)
        obj = reader.decode(structure["object"])
    except (zipfile.BadZipFile, ValueError, KeyError, IndexError, TypeError, OSError, EOFError,
            NotImplementedError, UnicodeDecodeError, RecursionError) as err:
        raise RuntimeError(f"{name} is a corrupted or truncated minitorch checkpoint "
                           f"({type(err).__name__}: {err})") from None
    reader.move_tensors(map_location)
    return obj

