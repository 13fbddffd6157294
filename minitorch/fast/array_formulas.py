"""Backward formulas on bare arrays when nothing is recorded.

A backward written with Tensor ops is itself recorded under ``create_graph=True``, which is
what makes higher-order gradients work. But nearly every backward pass records nothing, and
then each Tensor op is an array op plus bookkeeping that is thrown away: for the small
matrices of a training step, the bookkeeping costs more than the arithmetic. These replace
reference pieces with versions that compute on the arrays in that case, and defer to the
reference (Tensor) formula when the backward is recorded.
"""
from __future__ import annotations

import functools

import numpy as np

from .. import backend
from ..autograd import grad_mode
from ..ops import _helpers
from ..tensor import Tensor


def operands(*tensors) -> tuple:
    """Replaces ``autograd.formulas.operands``: the tensors' arrays when this backward is not
    recorded; the tensors themselves under ``create_graph``. None stays None."""
    if grad_mode._enabled:
        return tensors
    return tuple([None if t is None else t._data for t in tensors])


def relu_backward(reference_backward):
    """Replaces ``Relu.backward`` (given the reference one, used when recorded)."""
    def backward(ctx, grad):
        if grad_mode._enabled or type(grad._data) is not np.ndarray:
            # (recorded, or on a GPU: there where() is one kernel, and the NaN check below
            # would copy to the host and wait, every backward)
            return reference_backward(ctx, grad)
        (result,) = ctx.saved_tensors
        keep = ~(result._data <= 0)  # passes where the input was positive or NaN
        # A multiplication by the mask, not where(): np.where branches on every element and
        # is ~15x slower on the random masks ReLU produces. The two differ only where the
        # gradient is inf or NaN at a masked element (inf * 0 is NaN; PyTorch gives exactly
        # 0), which shows as a NaN in the product (max() propagates it): then where() it is.
        g = grad._data
        product = np.multiply(g, keep, dtype=g.dtype)
        if product.size and np.isnan(product.max()):
            product = backend.namespace(g).where(keep, g, 0)
        return Tensor._from_array(product)
    return staticmethod(backward)


def sum_to_shape(reference):
    """Replaces ``ops._helpers.sum_to_shape`` (given the reference one, used when recorded):
    a broadcast operand's gradient summed back to its shape on the array, the sum (the
    reference's ``row_sums``, the same bits) and the reshape done as two array calls, not as
    two Tensor ops with their argument checks and Function.apply. The summed array takes the
    new shape in place (``.shape =``), so the gradient owns its memory, as the reference's
    view of a fresh sum would let AccumulateGrad keep it. (``functools.wraps``: reading its
    source, as chapter 3 does, gives the reference's, the code that says what it computes.)"""
    @functools.wraps(reference)
    def to_shape(grad, shape):
        x = grad._data
        shape = tuple(shape)
        if x.shape == shape:
            return grad
        if grad_mode._enabled or type(x) is not np.ndarray or x.dtype.kind != "f" \
                or x.ndim < len(shape):
            return reference(grad, shape)
        lead = x.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(lead + i for i, size in enumerate(shape)
                                          if size == 1 and x.shape[lead + i] != 1)
        if not dims:
            return reference(grad, shape)
        summed = _helpers.row_sums(x, dims, True)  # a fresh array
        summed.shape = shape
        return Tensor._from_array(summed)
    return to_shape
