"""Reading PyTorch's legacy checkpoint format (``torch.save`` before 1.6, or with
``_use_new_zipfile_serialization=False``).

The file is five pickles in a row, then the raw storages:

1. the magic number ``0x1950a86a20f9469cfc6c``, 2. the protocol version ``1001``,
3. ``sys_info`` (byte order, C type sizes), 4. the saved object, in which each storage is a
persistent id ``('storage', torch.FloatStorage, key, location, numel, view)``,
5. the storage keys in the order their bytes follow; then, per storage, its element count
as a little-endian int64 and its bytes.

The storages' bytes come after the object that uses them, so each storage is allocated when
the object's pickle names it, but only while all storages named so far fit in the file, and
filled afterwards, each from a count that must equal the declared one.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .errors import CheckpointError, UnpicklingError
from .placement import place
from .rebuild import LoadedStorage, StorageType
from .torch_zip_reader import unpickle_at

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


class _DeclaredStorages:
    """persistent_load for the legacy format: storages declared, to be filled later."""

    def __init__(self, name: str, file_size: int):
        self.name, self.budget = name, file_size
        self.storages: dict[str, LoadedStorage] = {}
        self.locations: dict[str, str] = {}

    def __call__(self, pid) -> LoadedStorage:
        if not (type(pid) is tuple and len(pid) == 6 and pid[0] in ("storage", b"storage")):
            raise UnpicklingError(f"Only persistent_load of storage is allowed, but got {str(pid)[:80]}")
        _, storage_type, key, location, numel, view = pid
        if not isinstance(storage_type, StorageType) or type(key) is not str or \
                type(location) is not str or type(numel) is not int or numel < 0 or view is not None:
            raise UnpicklingError(f"malformed or unsupported storage id {str(pid)[:120]}")
        dtype = storage_type.dtype
        if key not in self.storages:
            if numel * dtype.itemsize > self.budget:
                raise CheckpointError(f"{self.name}: storage {key!r} declares {numel} elements, "
                                      "more than the file holds")
            self.budget -= numel * dtype.itemsize
            self.storages[key] = LoadedStorage(np.empty(numel, dtype=dtype.numpy), dtype)
            self.locations[key] = location
        storage = self.storages[key]
        if storage.saved_dtype is not dtype or storage.array.shape[0] != numel:
            raise UnpicklingError(f"storage {key!r} is described twice, differently")
        return storage


def read_torch_legacy(data: bytes, name: str, map_location: Any, weights_only: bool) -> Any:
    def next_pickle(position, persistent_load=None):
        return unpickle_at(data, position, persistent_load, weights_only)

    magic, position = next_pickle(0)
    if magic != MAGIC_NUMBER:
        raise CheckpointError(f"{name}: Invalid magic number; corrupt file? (it is a pickle, but "
                              "not a checkpoint)")
    version, position = next_pickle(position)
    if version != PROTOCOL_VERSION:
        raise CheckpointError(f"{name}: Invalid protocol version: {str(version)[:40]}")
    sys_info, position = next_pickle(position)
    little_endian = not isinstance(sys_info, dict) or sys_info.get("little_endian", True)
    declared = _DeclaredStorages(name, len(data))
    result, position = next_pickle(position, declared)
    keys, position = next_pickle(position)
    if not isinstance(keys, list) or sorted(keys) != sorted(declared.storages):
        raise CheckpointError(f"{name}: the storage list does not match the storages used")
    for key in keys:
        array = declared.storages[key].array
        count = int.from_bytes(data[position:position + 8], "little")
        end = position + 8 + array.nbytes
        if count != array.shape[0] or end > len(data):
            raise CheckpointError(f"{name} is truncated or corrupted: storage {key!r} should "
                                  f"hold {array.shape[0]} elements")
        array.view(np.uint8)[:] = np.frombuffer(data, dtype=np.uint8, count=array.nbytes,
                                                offset=position + 8)
        if not little_endian:
            array.byteswap(inplace=True)
        position = end
    _check_placement(declared, map_location)
    return result


def _check_placement(declared: _DeclaredStorages, map_location) -> None:
    """The storages were filled after the tensors viewing them were built, on the CPU: a
    map_location that would move or convert one is not supported for this format."""
    for key, storage in declared.storages.items():
        location = declared.locations[key]
        moved = place(storage.array, location, map_location)  # outside the unpickler: errors as they are
        if moved is not storage.array:
            raise NotImplementedError("minitorch.load: map_location that moves or converts "
                                      "storages is not supported for PyTorch's legacy format")
