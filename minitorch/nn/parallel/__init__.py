"""``minitorch.nn.parallel``: PyTorch's data-parallel wrappers, for one process.

``DataParallel`` on a machine without GPUs is, in PyTorch, the wrapped module itself behind a
``module.`` prefix; so it is here. ``DistributedDataParallel`` needs a process group, which
minitorch never has (see ``minitorch.distributed``): it raises PyTorch's error for that.
"""
from __future__ import annotations

from ..modules.module import Module
from ...distributed import _NO_PROCESS_GROUP

__all__ = ["DataParallel", "DistributedDataParallel"]


class DataParallel(Module):
    """Runs ``module`` as it is: with no GPU there is nothing to split the batch across
    (PyTorch does the same when ``device_ids`` is empty)."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids = []
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


class DistributedDataParallel(Module):
    """Needs an initialised process group; there is none in minitorch."""

    def __init__(self, module: Module, *args, **kwargs) -> None:
        raise ValueError(_NO_PROCESS_GROUP)
