"""Keep freed memory in the process, so that a training step does not page-fault every time.

A training step allocates and frees the same large temporaries on every iteration (im2col
buffers, activations, their gradients). By default glibc's malloc gives a freed block of
more than 128 KB straight back to the operating system and trims the top of the heap once
128 KB of it is free; the next step then asks for the memory again, and every page of it
costs a page fault plus the kernel zeroing it. That made a small CNN's step 1.3-1.9x slower
(measured on the benchmark machine, in a process running only minitorch).

So when the accelerations are installed (on import, unless ``MINITORCH_REFERENCE=1``), on
Linux with glibc, minitorch raises both thresholds: blocks up to 32 MB
come from the heap and are reused, and up to 64 MB of free heap is kept. PyTorch, which
brings its own allocation strategy, does not need this. The setting is process-wide, like
the environment variables it mirrors (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``):
when either variable is set, or ``MINITORCH_MALLOC_TUNING=0``, malloc is left alone.
"""
from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 64 * 2**20


def keep_freed_memory() -> bool:
    """Raise glibc's thresholds (see above); True when they were set."""
    if (not sys.platform.startswith("linux")
            or os.environ.get("MINITORCH_MALLOC_TUNING", "1") == "0"
            or "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl, for one, has no mallopt)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


tuned = False  # set by minitorch.fast.install()
