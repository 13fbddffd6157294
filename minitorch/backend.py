"""The array backend: NumPy for 'cpu', CuPy for 'cuda'.

This is the only module that imports CuPy, and it does so lazily, the first time a CUDA
device is asked for. Everything else asks ``namespace(array)`` for the module that owns an
array and calls ``xp.exp``, ``xp.matmul``... on it, so one code path serves both devices.
"""
from __future__ import annotations

import functools
import sys

import numpy as np

from .types.devices import CPU, device


@functools.lru_cache(maxsize=None)
def _cupy_or_reason():
    """(cupy module, None) when a usable GPU is present, else (None, why not)."""
    try:
        import cupy
    except ImportError:
        return None, ("CuPy is not installed; install the 'cuda12' or 'cuda13' extra "
                      "(for example pip install -e '.[cuda12]') on a machine with an NVIDIA GPU")
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # no driver, no device, broken toolkit
        return None, f"CuPy found no usable NVIDIA GPU ({type(err).__name__}: {err})"
    if count == 0:
        return None, "CuPy found no NVIDIA GPU on this machine"
    _track_peak_memory(cupy)
    return cupy, None


_peak_bytes = 0


def _track_peak_memory(cupy) -> None:
    """Route CuPy allocations through its default pool, remembering the peak of used bytes
    (CuPy's pool keeps no peak; ``minitorch.cuda.max_memory_allocated`` reports this one)."""
    pool = cupy.get_default_memory_pool()

    def allocate(size):
        global _peak_bytes
        memory = pool.malloc(size)
        used = pool.used_bytes()
        if used > _peak_bytes:
            _peak_bytes = used
        return memory

    cupy.cuda.set_allocator(allocate)


def peak_gpu_bytes() -> int:
    return _peak_bytes


def reset_peak_gpu_bytes() -> None:
    global _peak_bytes
    _peak_bytes = _cupy_or_reason()[0].get_default_memory_pool().used_bytes()


def cuda_available() -> bool:
    return _cupy_or_reason()[0] is not None


def cupy_module():
    """CuPy, or a RuntimeError that says why CUDA cannot be used here."""
    cupy, reason = _cupy_or_reason()
    if cupy is None:
        raise RuntimeError(f"CUDA is not available: {reason}")
    return cupy


def namespace(array):
    """The array module (numpy or cupy) that owns ``array``; never imports CuPy."""
    if isinstance(array, np.ndarray):
        return np
    cupy = sys.modules.get("cupy")
    if cupy is not None and isinstance(array, cupy.ndarray):
        return cupy
    return np


def namespace_for(dev: device):
    """The array module that stores data on ``dev``."""
    if dev.type == "cpu":
        return np
    cupy = cupy_module()
    index = dev.index or 0
    if index >= cupy.cuda.runtime.getDeviceCount():
        raise RuntimeError(f"CUDA error: invalid device ordinal {index} "
                           f"(this machine has {cupy.cuda.runtime.getDeviceCount()} GPUs)")
    return cupy


def device_of(array) -> device:
    if isinstance(array, np.ndarray):
        return CPU
    return device("cuda", array.device.id)


def to_device(array, dev: device):
    """``array`` on ``dev``: the same object when it is already there, else a copy."""
    if dev.type == "cpu":
        return array if isinstance(array, np.ndarray) else array.get()
    cupy = namespace_for(dev)
    index = dev.index or 0
    if isinstance(array, cupy.ndarray) and array.device.id == index:
        return array
    with cupy.cuda.Device(index):
        return cupy.asarray(array)


def data_address(array) -> int:
    """The memory address of the array's first element (NumPy or CuPy)."""
    return array.__array_interface__["data"][0] if isinstance(array, np.ndarray) else array.data.ptr


def same_elements(a, b) -> bool:
    """Are two arrays the same elements of the same memory (start, shape and strides)?"""
    return a.shape == b.shape and a.strides == b.strides and data_address(a) == data_address(b)


def to_numpy(array) -> np.ndarray:
    return array if isinstance(array, np.ndarray) else array.get()


def host_values(*scalars) -> list:
    """0-d arrays as Python numbers, brought to the host in one copy (on a GPU, each ``int()``
    or ``float()`` would be a copy of its own, and a wait for the GPU)."""
    if all(isinstance(s, (np.ndarray, np.generic)) for s in scalars):
        return [s.item() for s in scalars]  # (already on the host)
    return to_numpy(namespace(scalars[0]).stack(scalars)).tolist()


def scatter_add(target, index, values) -> None:
    """``target[index] += values`` where repeated indices all add (``a[i] += v`` keeps only one)."""
    namespace(target).add.at(target, index, values)
