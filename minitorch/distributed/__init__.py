"""``minitorch.distributed``: the names training scripts import from ``torch.distributed``.

minitorch runs in one process and has no communication backend, so ``is_available()``
answers False, ``init_process_group`` raises RuntimeError, and everything that needs a
process group raises PyTorch's own error for "no process group was initialized". A script
that only starts distributed training when launched by torchrun (nanoGPT, minGPT) runs
unchanged as a single process.
"""
from __future__ import annotations

import enum

_NO_PROCESS_GROUP = ("Default process group has not been initialized, please make sure to "
                     "call init_process_group.")


def is_available() -> bool:
    """False: minitorch has no distributed backend (PyTorch's CPU build has gloo)."""
    return False


def is_initialized() -> bool:
    return False


def is_torchelastic_launched() -> bool:
    return False


def init_process_group(backend=None, init_method=None, timeout=None, world_size: int = -1,
                       rank: int = -1, store=None, group_name: str = "", pg_options=None,
                       device_id=None) -> None:
    raise RuntimeError(f"init_process_group(backend={backend!r}): minitorch has no distributed "
                       "backend (torch.distributed.is_available() is False); run the script as "
                       "a single process")


def destroy_process_group(group=None) -> None:
    # PyTorch's own check, for the same situation: there is no process group to destroy.
    raise AssertionError("Process group cannot be None")


def _needs_process_group(*args, **kwargs):
    raise ValueError(_NO_PROCESS_GROUP)


get_rank = get_world_size = barrier = _needs_process_group
all_reduce = all_gather = broadcast = reduce = _needs_process_group


class ReduceOp(enum.Enum):
    """The reductions a collective can apply (names as in PyTorch)."""
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
