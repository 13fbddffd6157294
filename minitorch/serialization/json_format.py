"""Reading the checkpoints earlier minitorch versions wrote (a zip of JSON and ``.npy`` arrays).

Layout: ``minitorch.json`` holds the object's structure with tensors replaced by references
(``{"$tensor": k}``), ``arrays/<k>.npy`` one array per distinct storage. Reading stays within
the file's real content: each ``.npy`` header is parsed and its shape and dtype compared with
the description, and the data size with the member size, before the array is allocated; a
repeated reference yields the same object again, never a copy.
"""
from __future__ import annotations

import collections
import io
import json
from typing import Any

import numpy as np

from ..types import dtypes as _dtype
from ..types.devices import device
from ..types.size import Size
from ..tensor import Tensor
from .errors import CheckpointError
from .placement import place
from .weights_unpickler import FromUserCode, call_user_code
from .zip_reader import ZipReader, zip_errors_name

STRUCTURE = "minitorch.json"
_FORMAT, _VERSION = "minitorch-checkpoint", 1
_MAX_HEADER = 1 << 16  # a .npy header is a short Python dict literal


def _read_npy(reader: ZipReader, member: str, described: dict) -> np.ndarray:
    dtype = _dtype._dtype_by_name(described["dtype"]).numpy
    shape = tuple(described["shape"])
    if not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError(f"array shape {shape} is not a list of sizes")
    info = reader.members.get(member)
    if info is None:
        raise ValueError(f"it has no member {member}")
    with zip_errors_name(reader.name), reader.archive.open(info) as stream:
        head = stream.read(_MAX_HEADER)
    header = io.BytesIO(head)
    version = np.lib.format.read_magic(header)
    read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}.get(version)
    if read_header is None:
        raise ValueError(f"{member} has .npy format version {version}, not 1.0 or 2.0")
    shape_read, fortran, dtype_read = read_header(header)
    header_size = header.tell()
    if shape_read != shape or dtype_read != dtype or fortran:
        raise ValueError(f"{member} does not match its description")
    numel = int(np.prod(shape, dtype=object))
    flat = reader.read_array(member, dtype, numel, skip=header_size)
    return flat.reshape(shape)


class _Decoder:
    def __init__(self, structure: dict, arrays: list[np.ndarray], map_location):
        self.structure, self.arrays, self.map_location = structure, arrays, map_location
        self.tensors: dict[int, Tensor] = {}
        self.placed: dict[tuple, Any] = {}  # (array number, location) -> array: sharing survives
        from ..nn.parameter import Parameter
        self.parameter = Parameter

    def tensor(self, number: int) -> Tensor:
        if number not in self.tensors:
            info = self.structure["tensors"][number]
            key = (info["array"], info["device"])
            if key not in self.placed:
                self.placed[key] = call_user_code(place, self.arrays[info["array"]], info["device"],
                                                  self.map_location)
            t = Tensor._from_array(self.placed[key])
            if info["parameter"]:
                t = self.parameter(t, requires_grad=bool(info["requires_grad"]))
            elif info["requires_grad"]:
                t.requires_grad_(True)
            self.tensors[number] = t
        return self.tensors[number]

    def decode(self, data) -> Any:
        if data is None or isinstance(data, (bool, int, float, str)):
            return data
        if not isinstance(data, dict) or len(data) != 1:
            raise ValueError(f"unexpected entry {str(data)[:80]}")
        (tag, value), = data.items()
        if tag == "$tensor":
            return self.tensor(value)
        if tag == "$ndarray":
            return self.arrays[value]  # the same object each time: never expanded by copying
        if tag == "$dtype":
            return _dtype._dtype_by_name(value)
        if tag == "$device":
            return device(value)
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


def read_json_checkpoint(reader: ZipReader, map_location) -> Any:
    try:
        structure = json.loads(reader.read_bytes(STRUCTURE).decode("utf-8"))
        if not isinstance(structure, dict) or structure.get("format") != _FORMAT:
            raise ValueError(f"{STRUCTURE} does not describe a {_FORMAT}")
        if structure.get("version") != _VERSION:
            raise ValueError(f"format version {structure.get('version')} is not supported "
                             f"(this minitorch reads version {_VERSION})")
        arrays = [_read_npy(reader, f"arrays/{number}.npy", described)
                  for number, described in enumerate(structure["arrays"])]
        return _Decoder(structure, arrays, map_location).decode(structure["object"])
    except FromUserCode as carried:  # the user's map_location function failed
        raise carried.error from None
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError,
            RecursionError) as err:
        raise CheckpointError(f"{reader.name} is a corrupted or truncated minitorch checkpoint "
                              f"({type(err).__name__}: {err})") from None
