"""Replaces Tensor's arithmetic operators and the ops' ``binary_arrays``: arithmetic
without the general machinery in the usual cases.

Operators. Most arithmetic records nothing: ``grad * b`` inside every backward, an
optimizer's update, a model under ``no_grad``. For floating CPU tensors of one dtype (or
one and a Python number, which cannot widen it) such an op is exactly the NumPy operation,
so the operator does it directly instead of going through ``Function.apply``. Everything else (recording,
type promotion, integers and bools, CuPy arrays, shapes that do not fit) takes the full
path: the op's Function, as the reference operator does, which also gives the errors.

Operands. Every binary op's forward asks ``binary_arrays`` for the arrays to compute with,
and the reference finds their result dtype by PyTorch's promotion rules first. Nearly
always there is nothing to promote (two CPU tensors of one dtype, or a tensor and a Python
number that cannot widen it): the arrays are returned as they are, without the rules.
"""
from __future__ import annotations

import numpy as np

from ..autograd import function, grad_mode
from ..ops import pointwise
from ..tensor import Tensor


# The full paths of + - * /: the op's Function (``Function.apply``, looked up when called,
# since minitorch/fast replaces it too), without the public function's keyword handling.
def add(a, b):
    return pointwise.Add.apply(a, b)


def sub(a, b):
    return pointwise.Sub.apply(a, b)


def mul(a, b):
    return pointwise.Mul.apply(a, b)


def true_divide(a, b):
    return pointwise.Div.apply(a, b)


def direct_operator(array_op, full_path, reflected=False):
    """The Tensor method for ``self <op> other`` (``other <op> self`` when ``reflected``);
    ``full_path(a, b)`` is the op for every case the direct path does not take."""
    def operator(self, other):
        x = self._data
        # (not while minitorch.onnx traces a model: it must see every op, so the full path)
        if type(x) is np.ndarray and x.dtype.kind == "f" and function.tracer is None:
            if isinstance(other, Tensor):
                y = other._data
                direct = (type(y) is np.ndarray and y.dtype == x.dtype and not (
                    grad_mode._enabled and (self.requires_grad or other.requires_grad)))
            else:
                y = other
                direct = ((type(y) is float or type(y) is int)
                          and not (grad_mode._enabled and self.requires_grad))
            if direct:
                try:  # (out=...: a 0-d result stays an array, not a NumPy scalar)
                    return Tensor._from_array(array_op(y, x, out=...) if reflected
                                              else array_op(x, y, out=...))
                except ValueError:  # shapes that do not fit: the full path says why
                    pass
        return full_path(other, self) if reflected else full_path(self, other)
    operator.__name__ = f"__{'r' if reflected else ''}{array_op.__name__}__"
    return operator


def same_dtype_operands(reference):
    """Replaces ``binary_arrays`` (given the reference one, used when types differ)."""
    def binary_arrays(a, b, dtype=None):
        if dtype is None and isinstance(a, Tensor):
            x = a._data
            if isinstance(b, Tensor):
                if b._data.dtype == x.dtype and type(x) is type(b._data) is np.ndarray:
                    return x, b._data
            elif type(b) is float and x.dtype.kind == "f" or type(b) is int and (
                    x.dtype.kind == "f" or x.dtype == np.int64 and -2**63 <= b < 2**63):
                return x, b
        return reference(a, b, dtype)
    return binary_arrays
