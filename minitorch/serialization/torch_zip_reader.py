"""Reading PyTorch's zip checkpoint format (what ``torch.save`` has written since 1.6).

The archive holds, under one top-level folder (``archive/``):

* ``data.pkl``: the saved object as a pickle, in which each storage is a persistent id
  ``('storage', torch.FloatStorage, '0', 'cpu', numel)``;
* ``data/0``, ``data/1``, ...: each storage's raw bytes, in the order ``byteorder`` names
  (little-endian when absent);
* ``version``, ``.format_version``, ``.storage_alignment``, ``.data/serialization_id``:
  bookkeeping, not needed for reading.

Each storage is read once, when the pickle first names it, so tensors that shared memory
when saved share it again.
"""
from __future__ import annotations

import io
import pickle
from typing import Any


from . import torch_names
from .errors import CheckpointError, UnpicklingError
from .placement import place
from .rebuild import LoadedStorage, StorageType
from .weights_unpickler import FromUserCode, WeightsOnlyUnpickler, call_user_code
from .zip_reader import ZipReader


def archive_folder(reader: ZipReader) -> str | None:
    """The top-level folder of a PyTorch archive (None if the layout is not PyTorch's)."""
    names = reader.names()
    folders = {name.partition("/")[0] for name in names}
    if len(folders) != 1 or not all("/" in name for name in names):
        return None
    folder = folders.pop()
    return folder if f"{folder}/data.pkl" in reader.members else None


class _StorageLoader:
    """The pickle's ``persistent_load``: storage ids -> storages read from ``data/<key>``."""

    def __init__(self, reader: ZipReader, folder: str, map_location: Any):
        self.reader, self.folder, self.map_location = reader, folder, map_location
        self.loaded: dict[str, LoadedStorage] = {}
        self.big_endian = self._byteorder() == "big"

    def _byteorder(self) -> str:
        member = f"{self.folder}/byteorder"
        if member not in self.reader.members:
            return "little"
        order = self.reader.read_bytes(member)
        if order not in (b"little", b"big"):
            raise CheckpointError(f"{self.reader.name}: unknown byte order {order[:20]!r}")
        return order.decode()

    def __call__(self, pid) -> LoadedStorage:
        if not (type(pid) is tuple and len(pid) == 5 and pid[0] in ("storage", b"storage")):
            raise UnpicklingError(f"Only persistent_load of storage is allowed, but got {str(pid)[:80]}")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, StorageType) or type(key) is not str or \
                type(location) is not str or type(numel) is not int or numel < 0:
            raise UnpicklingError(f"malformed storage id {str(pid)[:120]}")
        dtype = storage_type.dtype
        if key in self.loaded:
            storage = self.loaded[key]
            if storage.saved_dtype is not dtype or storage.array.shape[0] != numel:
                raise UnpicklingError(f"storage {key!r} is described twice, differently")
            return storage
        array = self.reader.read_array(f"{self.folder}/data/{key}", dtype.numpy, numel)
        if self.big_endian:
            array.byteswap(inplace=True)
        if callable(self.map_location):  # the user's function: its errors reach the user unchanged
            array = call_user_code(place, array, location, self.map_location)
        else:
            array = place(array, location, self.map_location)
        storage = LoadedStorage(array, dtype)
        self.loaded[key] = storage
        return storage


class _FullUnpickler(pickle.Unpickler):
    """``weights_only=False``: Python's unpickler, which imports and calls whatever the file
    names (the user's explicit choice, as in PyTorch); PyTorch's names map to minitorch's."""

    def __init__(self, stream, persistent_load):
        super().__init__(stream)
        self._load_storage = persistent_load

    def find_class(self, module: str, name: str):
        table = torch_names.builtin_globals()
        full_name = f"{module}.{name}"
        if full_name in table:
            return table[full_name]
        return super().find_class(module, name)

    def persistent_load(self, pid):
        return self._load_storage(pid)


def unpickle_at(data: bytes, position: int, persistent_load, weights_only: bool) -> tuple[Any, int]:
    """The pickle starting at ``position`` in ``data``, and the position after it."""
    if weights_only:
        unpickler = WeightsOnlyUnpickler(data, persistent_load, position)
        return unpickler.load(), unpickler.position
    stream = io.BytesIO(data)
    stream.seek(position)
    try:
        return _FullUnpickler(stream, persistent_load).load(), stream.tell()
    except FromUserCode as carried:
        raise carried.error from None
    except (pickle.UnpicklingError, EOFError) as err:
        raise UnpicklingError(str(err)) from None


def unpickle(data: bytes, persistent_load, weights_only: bool) -> Any:
    return unpickle_at(data, 0, persistent_load, weights_only)[0]


def read_torch_zip(reader: ZipReader, folder: str, map_location: Any, weights_only: bool) -> Any:
    data = reader.read_bytes(f"{folder}/data.pkl")
    loader = _StorageLoader(reader, folder, map_location)
    return unpickle(data, loader, weights_only)
