"""Opening a checkpoint safely: what the file is, how big, and its first bytes.

Nothing is read in full before the file has shown what it is: a path or stream must be a
regular file (``/dev/zero``, a pipe or a symlink to either is refused at once), and its
first bytes must be a zip header or a pickle opcode.
"""
from __future__ import annotations

import contextlib
import io
import os
import stat
from typing import BinaryIO, Iterator

from .errors import CheckpointError, NotACheckpointError

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a member's header; an empty archive's end record
# Opcodes a pickle can start with: PROTO (protocols 2-5), or, in protocols 0-1, the first
# opcode of a value (MARK, an empty container, a number, a string, a global, ...).
PICKLE_FIRST_BYTES = frozenset(b"\x80(]})NIJKLMFGSTUVXcN")


def describe(f) -> str:
    """How error messages name the file."""
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def _refuse_unless_regular(fd: int, name: str) -> None:
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        raise CheckpointError(f"{name} is not a regular file (it is a device, pipe or socket): "
                              "a checkpoint must be a file")


def _file_descriptor(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # BytesIO and friends have none
        return None


@contextlib.contextmanager
def open_checkpoint(f: str | os.PathLike | BinaryIO) -> Iterator[tuple[BinaryIO, int]]:
    """Yields ``(stream, size)``: a seekable stream positioned at the checkpoint's first byte,
    which is byte 0 of the stream, and the number of bytes it holds."""
    name = describe(f)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            _refuse_unless_regular(handle.fileno(), name)
            yield handle, os.fstat(handle.fileno()).st_size
        return
    fd = _file_descriptor(f)
    if fd is not None:
        _refuse_unless_regular(fd, name)
    if not (hasattr(f, "seekable") and f.seekable()):
        # a pipe-like stream: nothing tells its size, so it is read (to its end) into memory
        data = f.read()
        yield io.BytesIO(data), len(data)
        return
    start = f.tell()
    size = f.seek(0, io.SEEK_END) - start
    f.seek(start)
    if start == 0:
        yield f, size
    else:  # a checkpoint in the middle of a stream: zip offsets count from its first byte
        yield io.BytesIO(f.read(size)), size


def sniff(stream: BinaryIO, size: int, name: str) -> str:
    """``'zip'`` or ``'pickle'``, from the first bytes only; refuses anything else."""
    if size == 0:
        raise CheckpointError(f"{name} is empty: not a checkpoint (truncated file?)")
    head = stream.read(4)
    stream.seek(0)
    if head in ZIP_MAGICS:
        return "zip"
    if head[0] in PICKLE_FIRST_BYTES:
        return "pickle"
    raise NotACheckpointError(f"{name} is not a checkpoint: it is neither a zip archive (as "
                              f"torch.save and minitorch.save write) nor a pickle (it starts "
                              f"with {head!r})")
