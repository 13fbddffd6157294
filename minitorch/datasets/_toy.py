"""Two-dimensional toy classification sets, generated (never downloaded).

Each returns ``TensorDataset(points, labels)``: float32 points of shape ``(n_samples, 2)``
and int64 labels of shape ``(n_samples,)``, rows in a random order. Randomness comes from
``generator`` (a ``minitorch.Generator``; default: the global generator, so
``minitorch.manual_seed`` makes the set reproducible). ``noise`` is the standard deviation
of Gaussian noise added to each coordinate after the labels are fixed.
"""
from __future__ import annotations

import math

import numpy as np

from ..random import generator as _random
from ..tensor import Tensor
from ..utils.data import TensorDataset


def _check(n_samples: int, noise: float) -> None:
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise}")


def _finish(points: np.ndarray, labels: np.ndarray, noise: float, rng) -> TensorDataset:
    """Shuffle rows, add noise, and wrap as float32 points and int64 labels."""
    order = rng.permutation(len(labels))
    points, labels = points[order], labels[order]
    if noise > 0:
        points = points + rng.normal(0.0, noise, size=points.shape)
    return TensorDataset(Tensor._from_array(points.astype(np.float32)),
                         Tensor._from_array(labels.astype(np.int64)))


def _class_sizes(n_samples: int, n_classes: int) -> list[int]:
    """As equal as possible; the first classes get one more when it does not divide."""
    return [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]


def make_moons(n_samples: int = 100, *, noise: float = 0.0, generator=None) -> TensorDataset:
    """Two interleaving half circles: class 0 is the upper arc of the unit circle, class 1
    the lower arc shifted by (1, -0.5)."""
    _check(n_samples, noise)
    n_upper, n_lower = _class_sizes(n_samples, 2)
    t_upper, t_lower = np.linspace(0, math.pi, n_upper), np.linspace(0, math.pi, n_lower)
    points = np.concatenate([np.stack([np.cos(t_upper), np.sin(t_upper)], 1),
                             np.stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)], 1)])
    labels = np.repeat([0, 1], [n_upper, n_lower])
    return _finish(points, labels, noise, _random._rng(generator))


def make_circles(n_samples: int = 100, *, noise: float = 0.0, factor: float = 0.8,
                 generator=None) -> TensorDataset:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (< 1)."""
    _check(n_samples, noise)
    if not 0 <= factor < 1:
        raise ValueError(f"factor must be in [0, 1), got {factor}")
    n_outer, n_inner = _class_sizes(n_samples, 2)
    t_outer = np.linspace(0, 2 * math.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * math.pi, n_inner, endpoint=False)
    points = np.concatenate([np.stack([np.cos(t_outer), np.sin(t_outer)], 1),
                             factor * np.stack([np.cos(t_inner), np.sin(t_inner)], 1)])
    labels = np.repeat([0, 1], [n_outer, n_inner])
    return _finish(points, labels, noise, _random._rng(generator))


def make_spirals(n_samples: int = 100, *, n_classes: int = 2, noise: float = 0.0,
                 turns: float = 1.5, generator=None) -> TensorDataset:
    """``n_classes`` interleaved spiral arms from the origin to radius 1, each turning
    ``turns`` times around; arm ``k`` starts at angle ``2 pi k / n_classes``."""
    _check(n_samples, noise)
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    points, labels = [], []
    for k, size in enumerate(_class_sizes(n_samples, n_classes)):
        radius = np.linspace(0.05, 1.0, size)
        angle = 2 * math.pi * (k / n_classes + turns * radius)
        points.append(np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1))
        labels.append(np.full(size, k))
    return _finish(np.concatenate(points), np.concatenate(labels), noise, _random._rng(generator))


def make_xor(n_samples: int = 100, *, noise: float = 0.0, generator=None) -> TensorDataset:
    """Points uniform in the square [-1, 1]^2; the label is 1 where the two coordinates have
    different signs (quadrants II and IV), else 0: no single line separates the classes."""
    _check(n_samples, noise)
    rng = _random._rng(generator)
    points = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    labels = ((points[:, 0] > 0) != (points[:, 1] > 0)).astype(np.int64)
    return _finish(points, labels, noise, rng)
