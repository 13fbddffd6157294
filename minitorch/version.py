"""``minitorch.version``: what scripts log about the build (``torch.version.cuda``...).

minitorch is not built against CUDA or ROCm (its GPU path is CuPy, found at run time), so
``cuda`` and ``hip`` are None, as in PyTorch's CPU-only build."""
from __future__ import annotations

from . import __version__  # noqa: F401

cuda = None
hip = None
debug = False
git_version = None
