"""``GradScaler``: loss scaling for float16 training. In minitorch only its disabled form
exists, which PyTorch documents as a pass-through (and picks itself when there is no GPU)."""
from __future__ import annotations

import warnings

from .. import backend


class GradScaler:
    """``GradScaler(device='cuda', init_scale=2**16, growth_factor=2.0, backoff_factor=0.5,
    growth_interval=2000, enabled=True)``.

    With ``enabled=False`` (or ``device='cuda'`` on a machine without a GPU, where PyTorch
    warns and disables it) every method is PyTorch's pass-through: ``scale(loss)`` is
    ``loss``, ``step(opt)`` is ``opt.step()``, ``get_scale()`` is 1.0. An enabled scaler
    raises NotImplementedError: minitorch does not scale losses.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        if enabled and device == "cuda" and not backend.cuda_available():
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", UserWarning, stacklevel=2)
            enabled = False
        if enabled:
            raise NotImplementedError(
                f"GradScaler(device='{device}', enabled=True): minitorch has no loss scaling; "
                "pass enabled=False (float32 training needs none)")
        self._device = device
        self._enabled = False

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer) -> None:
        return None

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        return None

    def get_scale(self) -> float:
        return 1.0

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        return None
