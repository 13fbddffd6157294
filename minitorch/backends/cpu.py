"""``minitorch.backends.cpu``: what PyTorch reports about the CPU's vector instructions."""
from __future__ import annotations


def get_cpu_capability() -> str:
    """'DEFAULT': minitorch picks no kernels by CPU feature (NumPy does its own dispatch)."""
    return "DEFAULT"
