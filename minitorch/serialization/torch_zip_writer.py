"""Writing PyTorch's zip checkpoint layout (see ``torch_zip_reader`` for what each record is).

PyTorch starts each storage's bytes at a multiple of 64 in the file, so that a checkpoint
can be memory-mapped with aligned tensors (``torch.load(mmap=True)``). A zip member's data
follows its local header (30 bytes, the name, the "extra" field); the extra field is padded
here so that the data lands on the boundary, as PyTorch's own writer does.
"""
from __future__ import annotations

import struct
import sys
import zipfile

import numpy as np

from .torch_pickler import pickle_object

FOLDER = "archive"
ALIGNMENT = 64
_LOCAL_HEADER_SIZE = 30
_PADDING_TAG = 0x4246  # an extra-field id that zip readers skip ("FB", as PyTorch uses)


def _padding(name: str, offset: int, nbytes: int) -> bytes:
    """The extra field that makes ``name``'s data start at a multiple of ALIGNMENT."""
    zip64 = 20 if nbytes * 1.05 > zipfile.ZIP64_LIMIT else 0  # zipfile's own rule, in its bytes
    data_start = offset + _LOCAL_HEADER_SIZE + len(name.encode()) + zip64 + 4
    pad = -data_start % ALIGNMENT
    return struct.pack("<HH", _PADDING_TAG, pad) + b"\0" * pad


def _write_record(archive: zipfile.ZipFile, name: str, data) -> None:
    info = zipfile.ZipInfo(f"{FOLDER}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    nbytes = memoryview(data).nbytes
    info.extra = _padding(info.filename, archive.start_dir, nbytes)
    archive.writestr(info, data)


def write_torch_zip(obj, target) -> None:
    """Save ``obj`` to ``target`` (a path or binary stream) in PyTorch's zip format."""
    pickled, storages = pickle_object(obj)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        _write_record(archive, "data.pkl", pickled)
        _write_record(archive, ".format_version", b"1")
        _write_record(archive, ".storage_alignment", str(ALIGNMENT).encode())
        _write_record(archive, "byteorder", sys.byteorder.encode())
        for storage in storages:
            flat = np.ascontiguousarray(storage.array).view(np.uint8)
            _write_record(archive, f"data/{storage.key}", memoryview(flat))
        _write_record(archive, "version", b"3\n")
