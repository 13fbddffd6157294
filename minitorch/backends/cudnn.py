"""``minitorch.backends.cudnn``: minitorch never calls cuDNN; the flags keep PyTorch's
defaults and whatever a script sets, without effect."""
from __future__ import annotations

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> None:
    """None, as PyTorch answers when cuDNN is not available."""
    return None
