"""Reading members of a zip checkpoint with every size checked before anything is allocated.

PyTorch and minitorch store members uncompressed (ZIP_STORED), so a member's size in the
zip directory is the number of bytes it occupies in the file. A member is read only if

* it is stored, not compressed or encrypted (no decompression bomb can start),
* it lies inside the file (its declared size is no larger than the bytes present),
* its size is the size its reader expects (a storage of ``numel`` elements of 4 bytes must
  be ``4 * numel`` bytes: a storage declaring 2**40 elements is refused, not allocated),
* all members read so far fit in the file together (overlapping members, which let a small
  file name the same bytes many times, run out of budget).

zipfile's own errors (bad headers, CRC mismatches, truncation) become a CheckpointError that
names the file.
"""
from __future__ import annotations

import contextlib
import struct
import zipfile
import zlib
from typing import BinaryIO

import numpy as np

from .errors import CheckpointError

_LOCAL_HEADER_SIZE = 30
_CHUNK = 1 << 24  # read large members in 16 MB pieces: no second full-size copy


@contextlib.contextmanager
def zip_errors_name(name: str):
    """Turns what zipfile raises on a damaged archive into a CheckpointError naming the file."""
    try:
        yield
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error,
            UnicodeDecodeError, OverflowError, zlib.error, OSError, KeyError, IndexError) as err:
        if isinstance(err, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise
        raise CheckpointError(f"{name} is a corrupted or truncated checkpoint "
                              f"({type(err).__name__}: {err})") from None


class ZipReader:
    """The members of a zip checkpoint, read under the rules above."""

    def __init__(self, stream: BinaryIO, size: int, name: str):
        self.name, self.size = name, size
        self.budget = size  # bytes that members may still take
        with zip_errors_name(name):
            self.archive = zipfile.ZipFile(stream)
            self.members = {info.filename: info for info in self.archive.infolist()}

    def names(self) -> list[str]:
        return list(self.members)

    def _checked(self, member: str, expected_size: int | None) -> zipfile.ZipInfo:
        info = self.members.get(member)
        if info is None:
            raise CheckpointError(f"{self.name} is incomplete: it has no member {member!r}")
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise CheckpointError(f"{self.name}: member {member!r} is compressed or encrypted "
                                  f"(method {info.compress_type}); checkpoints store members "
                                  "uncompressed")
        if expected_size is not None and info.file_size != expected_size:
            raise CheckpointError(f"{self.name}: member {member!r} holds {info.file_size} bytes "
                                  f"but its description says {expected_size}")
        end = info.header_offset + _LOCAL_HEADER_SIZE + len(info.filename) + info.compress_size
        if info.file_size != info.compress_size or end > self.size:
            raise CheckpointError(f"{self.name} is truncated: member {member!r} declares "
                                  f"{info.file_size} bytes, more than the file holds")
        if info.file_size > self.budget:
            raise CheckpointError(f"{self.name} is malformed: its members overlap (together "
                                  f"they would hold more than the file's {self.size} bytes)")
        self.budget -= info.file_size
        return info

    def read_bytes(self, member: str) -> bytes:
        info = self._checked(member, None)
        with zip_errors_name(self.name), self.archive.open(info) as stream:
            return stream.read(info.file_size)  # zipfile checks the CRC-32 at the end

    def read_array(self, member: str, dtype: np.dtype, numel: int, skip: int = 0) -> np.ndarray:
        """A flat array of ``numel`` elements filled from ``member``, which must hold exactly
        that many bytes after a header of ``skip`` bytes."""
        info = self._checked(member, skip + numel * dtype.itemsize)
        array = np.empty(numel, dtype=dtype)
        self._fill(info, array.view(np.uint8).reshape(-1), skip)
        return array

    def _fill(self, info: zipfile.ZipInfo, target: np.ndarray, skip: int = 0) -> None:
        """Fill the uint8 array ``target`` with the member's bytes after the first ``skip``."""
        with zip_errors_name(self.name), self.archive.open(info) as stream:
            stream.read(skip)
            position = 0
            while position < target.size:
                chunk = stream.read(min(_CHUNK, target.size - position))
                if not chunk:
                    raise CheckpointError(f"{self.name} is truncated in member {info.filename!r}")
                target[position:position + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
                position += len(chunk)
            stream.read(1)  # reaching the end makes zipfile check the CRC-32
