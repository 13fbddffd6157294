"""``autocast``: a context manager (and decorator) that PyTorch uses to run chosen ops in a
lower precision. In minitorch it is a pass-through wherever PyTorch's would be disabled."""
from __future__ import annotations

import functools
import warnings

from .. import backend

# The device types autocast knows about (PyTorch accepts more, for hardware we never have).
_DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "hpu", "xla", "mtia")


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can run on ``device_type``: never in minitorch (no precision policy)."""
    return False


class autocast:  # noqa: N801 (PyTorch's name)
    """``with autocast(device_type, dtype=None, enabled=True, cache_enabled=None):``.

    Disabled (``enabled=False``, or ``'cuda'`` without a GPU, where PyTorch warns and disables
    it too) it changes nothing. Enabled it would have to run matmuls in float16/bfloat16,
    which minitorch does not do: that raises NotImplementedError instead of silently
    computing in float32.
    """

    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start "
                               f"of device string: {device_type}")
        if enabled and device_type == "cuda" and not backend.cuda_available():
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          UserWarning, stacklevel=2)
            enabled = False
        if enabled:
            raise NotImplementedError(
                f"autocast(device_type='{device_type}') with enabled=True: minitorch has no "
                "mixed precision (ops run in the dtype of their inputs); pass enabled=False or "
                "convert the model with .half()/.to(dtype) yourself")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = enabled

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info) -> bool:
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def run_in_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return run_in_autocast


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """False: autocast never runs in minitorch (see ``autocast``)."""
    return False
