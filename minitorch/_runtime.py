"""Process-wide settings that PyTorch scripts make at start: CPU threads and float32 matmul
precision. minitorch's arithmetic is NumPy's, so these record what was asked, check it as
PyTorch does, and change no result."""
from __future__ import annotations

import os
import warnings

_MATMUL_PRECISIONS = ("highest", "high", "medium")
_settings = {"num_threads": None, "float32_matmul_precision": "highest"}


def set_num_threads(num: int) -> None:
    """Record the number of CPU threads. NumPy's BLAS fixes its thread count when it loads
    (set ``OMP_NUM_THREADS`` before starting Python to change it)."""
    if not isinstance(num, int) or isinstance(num, bool) or num <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _settings["num_threads"] = num


def get_num_threads() -> int:
    """What ``set_num_threads`` recorded, else the number of CPUs this process may use."""
    if _settings["num_threads"] is not None:
        return _settings["num_threads"]
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def set_float32_matmul_precision(precision: str) -> None:
    """'highest', 'high' or 'medium'. PyTorch may then use TF32/bfloat16 inside float32
    matmuls on some GPUs; minitorch always computes in full float32."""
    if precision not in _MATMUL_PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _settings["float32_matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _settings["float32_matmul_precision"]
