"""Replaces ``backend.scatter_add``, ``np.add.at(target, index, values)``: what an embedding's
backward, index_add, index_put with accumulate, gather's backward and max-pooling's backward
call to add values into positions of an array where positions repeat.

The result must stay bit-identical to the reference, and to PyTorch: every number of the
target gets its additions one after the other, in the order the values come
(``((table[i] + first row) + second row) + ...`` for an embedding's table). ``np.add.at``
does exactly that, but given a row index into a 2-D table it goes through a slow generic
path (it walks the rows as sub-arrays): 350 us for 512 rows of 64 floats, 5x PyTorch's
embedding backward. Given one flat index into a 1-D array, NumPy (1.25 and later) runs a
fast loop instead, number by number in the same order: so the index is turned into the
flat positions of the numbers it names, and the target is updated through a flat view of
itself. 512 rows of 64: 50 us (about 40 of them the loop itself).

The flat positions are the index applied to an array of positions, ``arange(target.size)
.reshape(target.shape)[index]``: whatever the index (integer arrays, slices, broadcasting,
negative numbers), NumPy itself decides which numbers it names and in which order, and
raises the same IndexError for one out of range. That array costs 8 bytes a number of the
target, so it is made only for small targets and those of up to 4x as many numbers as the
values (an embedding table with 50,257 rows is not copied to scatter a batch into it); an
embedding's ids into a large table get their positions row by row instead,
``id * row + (0, 1, ...)``.
"""
from __future__ import annotations

import numpy as np


def scatter_add_flat(reference):
    """``backend.scatter_add`` on the flat view (see above), given the reference one."""
    def scatter_add(target, index, values) -> None:
        positions = _flat_positions(target, index, values)
        if positions is None:
            return reference(target, index, values)
        flat_values = np.broadcast_to(values, positions.shape).reshape(-1)
        np.add.at(target.reshape(-1), positions.reshape(-1), flat_values)
        return None
    return scatter_add


def _flat_positions(target, index, values):
    """The positions in ``target.reshape(-1)`` of the numbers ``target[index]`` names, in its
    order; None where the fast loop does not apply (CuPy arrays, whose scatter-add is
    another kernel; a target that is not one C-contiguous block, whose flat view would be a
    copy; mixed dtypes, which NumPy converts number by number anyway) or the positions would
    cost too much memory."""
    if not (type(target) is np.ndarray and type(values) is np.ndarray
            and target.dtype == values.dtype and target.flags.c_contiguous and target.size):
        return None
    ids = index[0] if type(index) is tuple and len(index) == 1 else index
    row_index = type(ids) is np.ndarray and ids.dtype.kind in "iu" and target.ndim > 0
    if target.size <= max(_POSITIONS_PER_VALUE * values.size, _SMALL):
        positions = np.arange(target.size).reshape(target.shape)
        # (take: the same rows as positions[ids], in half the time)
        return positions.take(ids, axis=0) if row_index else positions[index]
    if not (row_index and ids.size and values.shape == ids.shape + target.shape[1:]
            and ids.min() >= 0 and ids.max() < len(target)):
        return None
    row = target[0].size  # a few rows of a large table: each id's numbers, row by row
    return np.add.outer(ids * row, np.arange(row)).reshape(values.shape)


# An array of positions as large as the target (8 bytes a number) is made for targets of up
# to this many numbers per value added, or of up to _SMALL numbers (512 KB of positions).
_POSITIONS_PER_VALUE = 4
_SMALL = 2**16
