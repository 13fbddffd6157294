"""Replaces ``backend.scatter_add`` where an embedding's backward calls it: many rows added
into a few rows of a table along dim 0 (``index_add(table, 0, ids, grad)``).

NumPy's ``np.add.at`` adds one row at a time through a slow generic path: 340 us for 512 rows
of 64 floats, about 3x the time of the version below (110 us) and 5x PyTorch's embedding
backward. The result must stay bit-identical to the reference, and to PyTorch, which add the
rows of each table row one after the other, in the order the ids come. So the rows are
grouped by id (a stable sort keeps their order), laid out as ``[table row, its rows...]``
per id in a padded block, and the block's slots are added one after another, each slot for
every id at once: the same sequential sum, in as many NumPy calls as the most used id has
rows. (Not ``np.add.reduce`` over the slots: for narrow rows NumPy sums that axis pairwise,
which rounds differently.) The padding is -0.0, the one number whose addition changes
nothing (``x + -0.0 == x`` for every x, signed zeros included).

When the ids are few and evenly used the block is small; when one id dominates it would be
mostly padding, and then the reference runs.
"""
from __future__ import annotations

import numpy as np


def scatter_add_rows(reference):
    """``backend.scatter_add`` with the fast path above (given the reference one)."""
    def scatter_add(target, index, values) -> None:
        ids = index[0] if type(index) is tuple and len(index) == 1 else index
        if not _rows_into_table(target, ids, values):
            return reference(target, index, values)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        unique, starts, counts = np.unique(sorted_ids, return_index=True, return_counts=True)
        if len(unique) * (int(counts.max()) + 1) > 2 * (len(ids) + len(unique)):
            return reference(target, index, values)  # one id dominates: mostly padding
        group = np.repeat(np.arange(len(unique)), counts)
        position = np.arange(len(ids)) - starts[group] + 1  # slot 0 holds the table row
        block = np.full((len(unique), int(counts.max()) + 1) + target.shape[1:], -0.0, target.dtype)
        block[:, 0] = target[unique]
        block[group, position] = values[order]
        total = block[:, 0]
        for slot in range(1, block.shape[1]):
            total += block[:, slot]
        target[unique] = total
    return scatter_add


def _rows_into_table(target, ids, values) -> bool:
    """The embedding-backward shape: NumPy float arrays, non-negative 1-D integer ids (so
    that no two spellings name one row), one row of values per id."""
    return (type(target) is np.ndarray and type(ids) is np.ndarray and type(values) is np.ndarray
            and target.dtype.kind == "f" and values.dtype == target.dtype
            and ids.ndim == 1 and ids.dtype.kind in "iu" and len(ids) > 1
            and target.ndim >= 2 and values.shape == ids.shape + target.shape[1:]
            and ids.min() >= 0)
