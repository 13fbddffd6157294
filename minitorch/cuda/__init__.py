"""``minitorch.cuda``: GPU queries and memory statistics, through CuPy.

Nothing here imports CuPy until a function that needs a GPU is called; ``is_available()``
and ``device_count()`` answer False / 0 on machines without CuPy or without a GPU.

Deviation from PyTorch: random numbers are drawn on the CPU generator and moved, so that a
seed gives the same numbers on every device; ``cuda.manual_seed`` therefore seeds that
generator (like ``minitorch.manual_seed``).
"""
from __future__ import annotations

from .. import backend


def is_available() -> bool:
    return backend.cuda_available()


def device_count() -> int:
    if not backend.cuda_available():
        return 0
    return backend.cupy_module().cuda.runtime.getDeviceCount()


def current_device() -> int:
    return backend.cupy_module().cuda.runtime.getDevice()


def set_device(device) -> None:
    from ..types.devices import device as device_cls
    index = device if isinstance(device, int) else (device_cls(device).index or 0)
    backend.cupy_module().cuda.runtime.setDevice(index)


def get_device_name(device=None) -> str:
    cupy = backend.cupy_module()
    index = current_device() if device is None else (device if isinstance(device, int) else device.index or 0)
    name = cupy.cuda.runtime.getDeviceProperties(index)["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None) -> None:
    """Wait until every queued GPU kernel has finished (needed before timing GPU work)."""
    backend.cupy_module().cuda.Device(current_device() if device is None else device).synchronize()


def manual_seed(seed: int) -> None:
    from ..random.generator import manual_seed as cpu_manual_seed
    cpu_manual_seed(seed)


manual_seed_all = manual_seed


def memory_allocated(device=None) -> int:
    """Bytes currently held by tensors (CuPy's memory pool: used blocks)."""
    return backend.cupy_module().get_default_memory_pool().used_bytes()


def max_memory_allocated(device=None) -> int:
    """The peak of ``memory_allocated`` since start or the last ``reset_peak_memory_stats``."""
    backend.cupy_module()
    return backend.peak_gpu_bytes()


def reset_peak_memory_stats(device=None) -> None:
    backend.cupy_module()
    backend.reset_peak_gpu_bytes()


def memory_reserved(device=None) -> int:
    """Bytes the memory pool holds from the driver (used plus cached)."""
    return backend.cupy_module().get_default_memory_pool().total_bytes()


def empty_cache() -> None:
    """Give cached, unused blocks of the memory pool back to the driver."""
    backend.cupy_module().get_default_memory_pool().free_all_blocks()


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: minitorch has no bfloat16 dtype (NumPy and CuPy have none)."""
    return False


from . import amp  # noqa: E402,F401  (torch.cuda.amp: the deprecated spelling of torch.amp)
