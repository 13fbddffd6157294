"""Replaces ``autograd.function.gradient_to_keep``: keep a leaf's first gradient uncopied.

The reference AccumulateGrad copies the first gradient that reaches a leaf, because
something else may still see that tensor or its memory (``a + b`` sends one tensor to both
leaves; a hook kept it; it is the gradient the user passed to ``backward``; it is a view),
and a later in-place update of one would silently change the other. When nothing else holds
it, the copy is wasted work: 4 MB per 1024x1024 weight, every step.

PyTorch decides with the tensor's use count; so does this, with CPython's reference counts
of the gradient tensor and of its array. How many references the engine itself holds at
that point depends on the interpreter, so the counts are not hard-coded: ``calibrate`` (run
when the accelerations are installed) runs a tiny graph whose gradient is known to be
unshared and records the counts then. Afterwards a gradient is kept without a copy only
when both counts are no higher than that; any other holder adds to them.
"""
from __future__ import annotations

import sys

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor

# Reference counts of an unshared gradient inside AccumulateGrad, None until calibrated:
# (tensor, array) for a fresh gradient; (tensor, array, base tensor, base array) for a
# gradient that is a view covering all of its base (see ``_whole_view``). While
# calibrating, every gradient is copied.
_unshared: tuple | None = None
_unshared_view: tuple | None = None
_calibrating = False
_observed: tuple | None = None


def keep_if_unshared(grad):
    """The gradient itself when the engine is the only holder of it and of its memory, else
    a copy (as the reference does)."""
    global _observed
    data = grad._data
    if grad._base is not None:
        return _whole_view(grad, data)
    counts = (sys.getrefcount(grad), sys.getrefcount(data))
    if _calibrating:
        _observed = counts
    elif (_unshared is not None and counts[0] <= _unshared[0] and counts[1] <= _unshared[1]
            and grad.grad_fn is None and not grad.requires_grad
            and getattr(data, "base", None) is None
            and getattr(data.flags, "writeable", True)):  # (CuPy's flags have no writeable)
        return grad
    return Tensor._from_array(data.copy())


def _whole_view(grad, data):
    """A gradient that is a view of a fresh array, laid out exactly as that array: the weight
    gradient of ``linear``, which reaches the leaf as ``(g.T @ x).T.T`` (Addmm.backward
    computes it in the weight's own layout, TBackward0 transposes it back). When nothing else
    holds the base, its memory is the gradient's alone: keep it as a new (non-view) tensor, as
    PyTorch's AccumulateGrad keeps a detached alias."""
    global _observed
    base = grad._base
    owner = getattr(data, "base", None)  # the array that owns the memory (NumPy's base)
    counts = (sys.getrefcount(grad), sys.getrefcount(data), sys.getrefcount(base),
              sys.getrefcount(owner))
    if _calibrating:
        _observed = counts
    elif (_unshared_view is not None and all(c <= u for c, u in zip(counts, _unshared_view))
            and type(data) is np.ndarray and type(owner) is np.ndarray and owner.base is None
            and (base._data is owner or base._data.base is owner)
            and data.shape == owner.shape and data.flags.c_contiguous
            and owner.flags.c_contiguous and data.flags.writeable
            and grad.grad_fn is None and base.grad_fn is None and not grad.requires_grad):
        return Tensor._from_array(data)
    return Tensor._from_array(data.copy())


def calibrate() -> None:
    """Measure the counts of gradients nothing else holds: ``(2 * x).backward()``'s gradient
    for ``x`` is a fresh product that reaches only x's AccumulateGrad; for
    ``z = x.t().t()``, ``(3 * z).backward()`` sends x a view covering a fresh product (two
    TBackward0 nodes). (Run after ``gradient_to_keep`` is replaced, so that the measurement
    goes through this module.)"""
    global _unshared, _unshared_view, _calibrating
    if _unshared is not None or _calibrating:
        return
    _calibrating = True
    previous_mode = grad_mode._enabled
    grad_mode._enabled = True  # the first backward may come inside no_grad()
    try:
        x = Tensor._from_array(np.ones(2), requires_grad=True)
        (x * 2.0).backward(Tensor._from_array(np.ones(2)))
        fresh = _observed
        x = Tensor._from_array(np.ones((2, 3)), requires_grad=True)
        (x.t().t() * 3.0).backward(Tensor._from_array(np.ones((2, 3))))
        view = _observed
    finally:
        _calibrating = False
        grad_mode._enabled = previous_mode
    _unshared, _unshared_view = fresh, view
