"""Process-wide settings that PyTorch scripts make at start: CPU threads, float32 matmul
precision, deterministic algorithms. minitorch's arithmetic is NumPy's, so these record what was asked, check it as
PyTorch does, and change no result."""
from __future__ import annotations

import os
import warnings

_MATMUL_PRECISIONS = ("highest", "high", "medium")
_settings = {"num_threads": None, "float32_matmul_precision": "highest",
             "deterministic": False, "deterministic_warn_only": False}


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


def use_deterministic_algorithms(mode, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms. minitorch's are all deterministic (NumPy and CuPy
    kernels without atomics; sorting is stable), so this only records the request."""
    # ``mode`` is not annotated: PyTorch's message names the builtin this function calls
    if not isinstance(mode, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    _settings["deterministic"], _settings["deterministic_warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _settings["deterministic_warn_only"]


def get_deterministic_debug_mode() -> int:
    """0 (off), 1 (warn) or 2 (error), from ``use_deterministic_algorithms``, as PyTorch."""
    if not _settings["deterministic"]:
        return 0
    return 1 if _settings["deterministic_warn_only"] else 2


_DEBUG_MODES = ("default", "warn", "error")


def set_deterministic_debug_mode(debug_mode) -> None:
    """0/'default' (off), 1/'warn' or 2/'error': ``use_deterministic_algorithms`` in one call."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)
