"""``minitorch.amp``: PyTorch's automatic mixed precision API, for scripts that name it.

minitorch computes in the dtype it is given and has no per-op precision policy, so autocast
and loss scaling exist only where PyTorch itself would switch them off (no GPU, or
``enabled=False``); a request for real mixed precision raises NotImplementedError.
"""
from .autocast_mode import autocast, is_autocast_available, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "is_autocast_available", "is_autocast_enabled"]
