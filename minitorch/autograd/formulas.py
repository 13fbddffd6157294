"""One backward formula, run on arrays or on Tensors.

A backward written with Tensor ops is itself recorded under ``create_graph=True``, which is
what makes higher-order gradients work. But nearly every backward pass records nothing, and
then each Tensor op is an array op plus bookkeeping that is thrown away: for the small
matrices of a training step, the bookkeeping costs more than the arithmetic.

Where a formula only uses what arrays and Tensors spell alike (``@``, ``*``, ``.T``,
``.sum(dim)``, ``.reshape``, ``.ndim``, ``.shape``), the hot backward formulas are written
once and run on whichever is right::

    grad, weight = operands(grad, weight)   # arrays, unless the backward is recorded
    return as_gradients(grad @ weight)      # Tensors again, for the engine
"""
from __future__ import annotations

from . import grad_mode
from ..tensor import Tensor


def operands(*tensors) -> tuple:
    """The tensors' arrays when this backward is not recorded (the usual case); the tensors
    themselves under ``create_graph``, so that the formula is recorded. None stays None."""
    if grad_mode._enabled:
        return tensors
    return tuple([None if t is None else t._data for t in tensors])


def constants(*arrays) -> tuple:
    """Arrays a formula combines with its operands: as they are when the backward is not
    recorded; as Tensors (constants of the recorded graph) under ``create_graph``."""
    if not grad_mode._enabled:
        return arrays
    return tuple([None if a is None else Tensor._from_array(a) for a in arrays])


def as_gradients(*values) -> tuple:
    """What a backward returns: arrays wrapped as Tensors; Tensors and None as they are."""
    return tuple([v if v is None or isinstance(v, Tensor) else Tensor._from_array(v)
                  for v in values])
