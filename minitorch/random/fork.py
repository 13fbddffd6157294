"""``fork_rng``: draw random numbers inside a block without moving the global stream."""
from __future__ import annotations

import contextlib

from .generator import get_rng_state, set_rng_state


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type=None):
    """Save the random state on entry and put it back on exit, as ``torch.random.fork_rng``.

    Example::

        >>> with minitorch.random.fork_rng():
        ...     noise = minitorch.randn(3)   # the draws after the block are unchanged

    minitorch has one generator for every device (``cuda.manual_seed`` seeds it too), so
    saving the CPU state forks them all; ``devices`` and ``device_type`` are accepted for
    PyTorch's signature and need nothing more. ``enabled=False`` makes the block a no-op.
    """
    if not enabled or device_type == "meta":
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
