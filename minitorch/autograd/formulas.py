"""One backward formula, written once with what arrays and Tensors spell alike.

Some backward formulas (Linear's, the losses') are written with operations that NumPy
arrays and Tensors spell the same way (``@``, ``*``, ``.T``, ``.sum(dim)``, ``.reshape``,
``.ndim``, ``.shape``)::

    grad, weight = operands(grad, weight)
    return as_gradients(grad @ weight)

On the reference path ``operands`` hands back the Tensors themselves, so the formula is
ordinary Tensor code (and is recorded under ``create_graph``, which makes higher-order
gradients work). minitorch/fast replaces ``operands`` with a version that hands over the
bare arrays when nothing is recorded (the usual case), which skips the bookkeeping of each
Tensor op.
"""
from __future__ import annotations

from . import grad_mode
from ..tensor import Tensor


def operands(*tensors) -> tuple:
    """The tensors a backward formula computes with (None stays None)."""
    return tensors


def constants(*arrays) -> tuple:
    """Arrays a formula combines with its operands: as they are when the backward is not
    recorded; as Tensors (constants of the recorded graph) under ``create_graph``.

    (Kept as it was for nn/functional/_loss.py, whose backwards still branch on grad mode and
    compute on arrays themselves when nothing is recorded; it goes when they are Tensor code.)
    """
    if not grad_mode._enabled:
        return arrays
    return tuple([None if a is None else Tensor._from_array(a) for a in arrays])


def as_gradients(*values) -> tuple:
    """What a backward returns: arrays wrapped as Tensors; Tensors and None as they are."""
    return tuple([v if v is None or isinstance(v, Tensor) else Tensor._from_array(v)
                  for v in values])
