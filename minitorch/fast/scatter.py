"""Replaces ``backend.scatter_add`` where an embedding's backward calls it: many rows added
into a few rows of a table along dim 0 (``index_add(table, 0, ids, grad)``).

NumPy's ``np.add.at`` adds one row at a time through a slow generic path: 350 us for 512 rows
of 64 floats, about 3.5x the time of the version below (90-110 us) and 5x PyTorch's embedding
backward. The result must stay bit-identical to the reference, and to PyTorch, which add the
rows of each table row one after the other, in the order the ids come:
``((table[i] + first row) + second row) + ...``.

So the rows are grouped by id (a stable sort keeps their order) and each group is summed
down a block ``[table row, its rows...]`` by ``np.add.reduce(block, axis=0)``. Down axis 0 of a
C-contiguous block whose rows hold two or more numbers, NumPy adds row after row, every
column at once: the same sequential sum. (Not ``np.add.reduceat``, nor a reduce along the
rows' own axis, nor rows of one number: there NumPy sums pairwise, which rounds differently.
Rows this path takes hold 16 numbers or more, see ``_worth_grouping``.)

The ids of most groups are summed together, slot by slot: a block of shape (slots, ids,
row) with slot 0 the table rows, slot k the k-th row of each id, and -0.0 where an id has
fewer rows (the one number whose addition changes nothing: ``x + -0.0 == x`` for every x,
signed zeros included). An id with many more rows than the others (makemore's blank token
fills most of the late context positions) would make that block mostly padding, so such an
id is summed down a block of its own.
"""
from __future__ import annotations

import numpy as np


def scatter_add_rows(reference):
    """``backend.scatter_add`` with the fast path above (given the reference one)."""
    def scatter_add(target, index, values) -> None:
        ids = index[0] if type(index) is tuple and len(index) == 1 else index
        if not (_rows_into_table(target, ids, values) and _worth_grouping(values)):
            return reference(target, index, values)
        if _few_ids_hold_most_rows(target, ids, values, reference):
            return None
        n = len(ids)
        order = np.argsort(ids, kind="stable")  # rows grouped by id, each group in order
        sorted_ids = ids[order]
        first = np.empty(n, bool)  # where each group starts
        first[0] = True
        np.not_equal(sorted_ids[1:], sorted_ids[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.append(starts[1:], n) - starts
        unique = sorted_ids[starts]
        group = np.cumsum(first) - 1
        slot = np.arange(1, n + 1) - starts[group]  # 1, 2, ... within its group (0: the table row)
        # the rows every block is taken from: the ids' rows, the table rows, one row of -0.0
        padding = np.full((1,) + target.shape[1:], -0.0, target.dtype)
        rows = np.concatenate((values, target[unique], padding))
        slots = min(max(2 * -(-n // len(unique)), 4), int(counts.max()))  # twice the mean, or more
        source = np.full((slots + 1, len(unique)), len(rows) - 1)  # padding unless filled below
        source[0] = np.arange(n, n + len(unique))
        fits = slot <= slots
        source[slot[fits], group[fits]] = order[fits]
        totals = _sum_down(rows.take(source, axis=0))
        for i in np.flatnonzero(counts > slots):  # ids with more rows than the shared block holds
            own = np.concatenate(([n + i], order[starts[i]:starts[i] + counts[i]]))
            totals[i] = _sum_down(rows.take(own, axis=0))
        target[unique] = totals
    return scatter_add


def _few_ids_hold_most_rows(target, ids, values, reference) -> bool:
    """Where up to 4 ids hold all but a few of the rows (makemore's blank token: 480 of the
    512 rows of a context position), sum each of those ids' rows down a block of its own,
    in order (a boolean mask keeps their order), and hand the few other rows to the
    reference's ``np.add.at``, which adds them one after the other as the reference does:
    the ids are disjoint, so each table row gets the reference's sum. 512 rows of 64, 480 of
    one id: about 80 us, where the shared block is mostly padding (about 150 us).
    True when done, False when the rows are not spread that way (nothing is written then)."""
    if ids.max() >= len(target):  # (the reference raises its IndexError)
        return False
    row = values[0].size
    counts = np.bincount(ids)
    heavy = np.flatnonzero(counts * row >= _OWN_BLOCK_NUMBERS)
    light_rows = len(ids) - int(counts[heavy].sum())
    if not 0 < len(heavy) <= 4 or light_rows * row > _FEW_NUMBERS:
        return False
    light = np.ones(len(ids), bool)
    for i in heavy:
        rows = ids == i
        light &= ~rows
        # its rows in order (compress: a boolean take, faster here than values[rows]), the
        # table row added into the first (t + r0, then + r1, ...: the reference's order)
        block = np.compress(rows, values, axis=0)
        block[0] += target[i]
        target[i] = _sum_down(block)
    if light_rows:
        reference(target, (ids[light],), np.compress(light, values, axis=0))
    return True


# An id with this many numbers in its rows gets a block of its own (np.add.at: about 10 ns a
# number; a block: about 10 us and 0.3 ns a number); np.add.at takes up to this many others.
_OWN_BLOCK_NUMBERS = 1024
_FEW_NUMBERS = 4096


def _sum_down(block):
    """``block[0] + block[1] + ...`` added in that order, each number on its own (rows of
    two or more numbers: see above). Started from -0.0, which changes nothing: NumPy's
    default start, 0.0, would turn a sum of -0.0s into 0.0."""
    return np.add.reduce(block, axis=0, initial=-0.0)


def _worth_grouping(values) -> bool:
    """Rows of 16 numbers or more, 8192 numbers in all. ``np.add.at`` takes about 10 ns a
    number; the grouping about 60 us and 2 ns a number (so for 512 rows of 16 the two are
    even), and narrower rows lose: 100,000 rows of 1 number 1.2 ms with np.add.at, 8 ms
    grouped."""
    return values.size >= 8192 and values[0].size >= 16


def _rows_into_table(target, ids, values) -> bool:
    """The embedding-backward shape: NumPy float arrays, non-negative 1-D integer ids (so
    that no two spellings name one row), one row of values per id."""
    return (type(target) is np.ndarray and type(ids) is np.ndarray and type(values) is np.ndarray
            and target.dtype.kind == "f" and values.dtype == target.dtype
            and ids.ndim == 1 and ids.dtype.kind in "iu" and len(ids) > 1
            and target.ndim >= 2 and values.shape == ids.shape + target.shape[1:]
            and ids.min() >= 0)
