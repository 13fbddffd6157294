"""A held-out split of any map-style dataset."""
from __future__ import annotations

import math

import numpy as np

from ..random import generator as _random
from ..tensor import Tensor
from ..utils.data import Subset


def train_test_split(dataset, test_size: float = 0.2, *, stratify=None,
                     generator=None) -> tuple[Subset, Subset]:
    """Split ``dataset`` into a training and a test ``Subset`` at random.

    Args:
        dataset: a map-style dataset.
        test_size: the fraction (0 < test_size < 1) that goes to the test set; the test set
            gets ``ceil(test_size * n)`` samples (per class when stratified).
        stratify: labels (a sequence or tensor of length ``len(dataset)``); when given, each
            class is split separately so both parts keep the class proportions.
        generator: a ``minitorch.Generator`` (default: the global generator).

    Returns:
        ``(train, test)``, each listing its indices in increasing order.

    Example::

        >>> data = make_moons(200, noise=0.1, generator=minitorch.Generator().manual_seed(0))
        >>> train, test = train_test_split(data, 0.25, stratify=data.tensors[1])
        >>> len(train), len(test)
        (150, 50)
    """
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1 (exclusive), got {test_size}")
    n = len(dataset)
    rng = _random._rng(generator)
    if stratify is None:
        groups = [np.arange(n)]
    else:
        labels = np.asarray(stratify.tolist() if isinstance(stratify, Tensor) else stratify)
        if len(labels) != n:
            raise ValueError(f"stratify has {len(labels)} labels for a dataset of {n} samples")
        groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    test = []
    for group in groups:
        shuffled = group[rng.permutation(len(group))]
        test.extend(shuffled[:math.ceil(test_size * len(group))].tolist())
    is_test = np.zeros(n, dtype=bool)
    is_test[test] = True
    return (Subset(dataset, np.flatnonzero(~is_test).tolist()),
            Subset(dataset, np.flatnonzero(is_test).tolist()))
