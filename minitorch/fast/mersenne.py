"""The Mersenne Twister's 32-bit draws from NumPy's C implementation.

``random/mt19937.py`` twists and tempers in NumPy array operations, one block of 624 words
at a time. ``np.random.MT19937`` runs the same algorithm in C and produces the same words,
so this hands it our state, draws, and takes the state back (PyTorch's counters: ``left``
is 625 minus NumPy's position, ``next`` is the position).
"""
from __future__ import annotations

import numpy as np

from ..random.mt19937 import N


def random(engine, count: int) -> np.ndarray:
    """``MT19937.random``: ``count`` 32-bit draws as uint64, the same words, faster."""
    if count == 0:
        return np.empty(0, dtype=np.uint64)
    bit_generator = np.random.MT19937()
    bit_generator.state = {"bit_generator": "MT19937",
                           "state": {"key": engine.state, "pos": N + 1 - engine.left}}
    words = bit_generator.random_raw(count)
    state = bit_generator.state["state"]
    engine.state = state["key"].astype(np.uint32)
    engine.next = int(state["pos"])
    engine.left = N + 1 - engine.next
    return words
