"""The Mersenne Twister (MT19937) that PyTorch's CPU generator runs, word for word.

PyTorch seeds it as ``init_genrand`` does (the same 624 words as NumPy's legacy
``np.random.RandomState(seed)``), from the low 32 bits of the seed, and keeps two counters
besides the 624 words: ``left`` (draws until the next twist, plus one) and ``next`` (the word
the next draw reads). We keep the same five fields so that ``get_state()`` can write
PyTorch's byte layout and states move between the two libraries.

Draws are vectorised: one twist regenerates all 624 words at once (in four slices, because
word ``i`` needs word ``i + 397`` *after* its own update once ``i + 397`` wraps around), and
tempering is a handful of shifts and xors on a whole array.
"""
from __future__ import annotations

import numpy as np

N, M = 624, 397
_MATRIX_A = np.uint32(0x9908B0DF)
_UPPER, _LOWER = np.uint32(0x80000000), np.uint32(0x7FFFFFFF)
# Word i becomes  state[(i + M) % N] ^ twist(state[i], state[(i + 1) % N]).  Within a slice
# every word it reads is already final (updated, or not due for an update yet).
_TWIST_SLICES = ((0, N - M), (N - M, 2 * (N - M)), (2 * (N - M), N - 1), (N - 1, N))


def _twist(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    mixed = (u & _UPPER) | (v & _LOWER)
    return (mixed >> np.uint32(1)) ^ np.where(v & np.uint32(1), _MATRIX_A, np.uint32(0))


def _temper(y: np.ndarray) -> np.ndarray:
    y = y ^ (y >> np.uint32(11))
    y = y ^ ((y << np.uint32(7)) & np.uint32(0x9D2C5680))
    y = y ^ ((y << np.uint32(15)) & np.uint32(0xEFC60000))
    return y ^ (y >> np.uint32(18))


class MT19937:
    """PyTorch's ``at::mt19937``: 32-bit draws, and 64-bit ones made of two (high word first)."""

    def __init__(self, seed: int = 5489):
        self.seed(seed)

    def seed(self, seed: int) -> None:
        """``init_genrand`` from the low 32 bits; the whole (64-bit) seed is remembered."""
        self.initial_seed = seed
        words = [seed & 0xFFFFFFFF]
        for j in range(1, N):
            previous = words[-1]
            words.append((1812433253 * (previous ^ (previous >> 30)) + j) & 0xFFFFFFFF)
        self.state = np.array(words, dtype=np.uint32)
        self.left, self.next = 1, 0  # the first draw twists

    @classmethod
    def restore(cls, initial_seed: int, words: np.ndarray, left: int, next_: int) -> "MT19937":
        """An engine in a saved state (the fields of PyTorch's state, see ``get_state``)."""
        engine = cls.__new__(cls)
        engine.initial_seed, engine.left, engine.next = initial_seed, left, next_
        engine.state = np.asarray(words).astype(np.uint32)
        return engine

    def _regenerate(self) -> None:
        s = self.state
        for start, end in _TWIST_SLICES:
            i = np.arange(start, end)
            s[i] = s[(i + M) % N] ^ _twist(s[i], s[(i + 1) % N])
        # PyTorch sets left = N and then counts the draw that triggered the twist
        self.left, self.next = N + 1, 0

    def random(self, count: int) -> np.ndarray:
        """``count`` 32-bit draws, as uint64 (so that later arithmetic cannot wrap)."""
        out = np.empty(count, dtype=np.uint32)
        filled = 0
        while filled < count:
            if self.left == 1:
                self._regenerate()
            take = min(count - filled, self.left - 1)
            out[filled:filled + take] = self.state[self.next:self.next + take]
            self.next += take
            self.left -= take
            filled += take
        return _temper(out).astype(np.uint64)

    def random64(self, count: int) -> np.ndarray:
        """``count`` 64-bit draws: each is (first 32-bit draw << 32) | second draw."""
        words = self.random(2 * count)
        return (words[0::2] << np.uint64(32)) | words[1::2]
