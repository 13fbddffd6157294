"""``minitorch.accelerator``: PyTorch's device-neutral questions about the current accelerator.

minitorch's only accelerator is an NVIDIA GPU through CuPy; without one, the answers are
PyTorch's on a CPU-only machine (no accelerator, ``current_accelerator()`` is None).
"""
from __future__ import annotations

from . import backend
from .types.devices import device


def is_available() -> bool:
    return backend.cuda_available()


def device_count() -> int:
    from . import cuda
    return cuda.device_count()


def current_accelerator(check_available: bool = False) -> device | None:
    """``device('cuda')`` when minitorch can use a GPU, else None."""
    return device("cuda") if backend.cuda_available() else None


def _require_accelerator() -> None:
    if not backend.cuda_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")


def current_device_index() -> int:
    from . import cuda
    _require_accelerator()
    return cuda.current_device()


def synchronize(device=None) -> None:
    from . import cuda
    _require_accelerator()
    cuda.synchronize(device)
