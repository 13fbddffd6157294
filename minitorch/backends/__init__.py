"""``minitorch.backends``: the switches scripts set at start for PyTorch's GPU libraries.

minitorch has no cuDNN, no TF32 and no Apple MPS: the queries answer honestly (``False``), and
the flags keep what a script sets without changing any computation (as PyTorch's do on a
machine without those libraries).
"""
from . import cpu, cuda, cudnn, mps  # noqa: F401
