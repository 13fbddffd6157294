"""Inverse trigonometric and hyperbolic functions: asin, acos, asinh, acosh, atanh (and
PyTorch's ``arc*`` aliases). ``atan`` is in unary.py with the other elementwise functions.

Each backward is the derivative of the inverse, written as PyTorch writes it (``rsqrt`` of
the same expression), so the gradients agree to the last bits. Outside the domain (|x| > 1
for asin) the value is NaN, as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from .unary import float_array

__all__ = ["asin", "acos", "asinh", "acosh", "atanh", "arcsin", "arccos", "arcsinh", "arccosh", "arctanh"]


class Asin(Function):
    """y = asin(a); dL/da = dL/dy / sqrt(1 - a**2); saves a."""

    node_name = "AsinBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsin(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (1 - a * a).rsqrt()


class Acos(Function):
    """y = acos(a); dL/da = -dL/dy / sqrt(1 - a**2); saves a."""

    node_name = "AcosBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccos(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * -(1 - a * a).rsqrt()


class Asinh(Function):
    """y = asinh(a); dL/da = dL/dy / sqrt(a**2 + 1); saves a."""

    node_name = "AsinhBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsinh(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a * a + 1).rsqrt()


class Acosh(Function):
    """y = acosh(a); dL/da = dL/dy / sqrt(a**2 - 1); saves a."""

    node_name = "AcoshBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccosh(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a * a - 1).rsqrt()


class Atanh(Function):
    """y = atanh(a); dL/da = dL/dy / (1 - a**2); saves a."""

    node_name = "AtanhBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctanh(float_array(a._data))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (1 / (1 - a * a))


def asin(input: Tensor) -> Tensor:
    return Asin.apply(input)


def acos(input: Tensor) -> Tensor:
    return Acos.apply(input)


def asinh(input: Tensor) -> Tensor:
    return Asinh.apply(input)


def acosh(input: Tensor) -> Tensor:
    return Acosh.apply(input)


def atanh(input: Tensor) -> Tensor:
    return Atanh.apply(input)


arcsin, arccos, arcsinh, arccosh, arctanh = asin, acos, asinh, acosh, atanh  # PyTorch's aliases
