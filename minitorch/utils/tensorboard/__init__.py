"""``minitorch.utils.tensorboard``: ``SummaryWriter`` for TensorBoard logs (makemore uses it).

As in PyTorch, it is there only when a TensorBoard writer is installed: minitorch delegates
to ``tensorboardX`` (same API, NumPy-based; the ``tensorboard`` extra installs it), and
importing this module without it raises ModuleNotFoundError, as PyTorch's does without
``tensorboard``. Tensors passed to the writer are handed over as NumPy arrays.
"""
from __future__ import annotations

try:
    import tensorboardX as _tensorboardX
except ModuleNotFoundError as missing:
    raise ModuleNotFoundError(
        "No module named 'tensorboardX': minitorch.utils.tensorboard writes through it "
        "(pip install tensorboardX, or the 'tensorboard' extra)", name="tensorboardX") from missing

from .writer import SummaryWriter  # noqa: E402

__all__ = ["SummaryWriter"]
