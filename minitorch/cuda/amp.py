"""``minitorch.cuda.amp``: PyTorch's deprecated spelling of ``amp.autocast('cuda')`` and
``amp.GradScaler('cuda')``, kept because many scripts still use it (with PyTorch's warning)."""
from __future__ import annotations

import warnings

from .. import amp


def _deprecated(name: str) -> None:
    warnings.warn(f"`torch.cuda.amp.{name}(args...)` is deprecated. Please use "
                  f"`torch.amp.{name}('cuda', args...)` instead.", FutureWarning, stacklevel=3)


class autocast(amp.autocast):  # noqa: N801 (PyTorch's name)
    def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True) -> None:
        _deprecated("autocast")
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(amp.GradScaler):
    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        _deprecated("GradScaler")
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)
