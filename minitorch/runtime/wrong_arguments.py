"""PyTorch's exception types for wrong arguments, at the public boundary.

PyTorch's argument parser checks every argument's type before a kernel runs: ``torch.exp('a')``
is a TypeError ("exp(): argument 'input' (position 1) must be Tensor, not str"). minitorch's
functions check the arguments learners get wrong (shapes, dtypes, dims) in PyTorch's words,
but not every argument's type: a string where a tensor belongs fails deeper down, as
whatever Python or NumPy says there (``'str' object has no attribute '_data'``, NumPy's
``AxisError``, "Boolean value of Tensor ... is ambiguous").

``guard`` wraps each public function in two checks. Before the call, the arguments are held
to the function's type annotations as PyTorch's argument parser holds them to its declared
types (argument_types.py): a string where an int belongs is PyTorch's TypeError, before any
work starts. After it, a failure deeper down leaves as the exception PyTorch raises for that
misuse, with the original message kept (the ``try`` costs nothing until something is
raised); an exception minitorch raised on purpose is never touched: only the kinds listed in
``_translate`` are replaced.
"""
from __future__ import annotations

import functools
import inspect
import numbers

import numpy as np

from ..tensor import Tensor
from .argument_types import ArgumentTypes

# messages of Python's own conversions: a tensor where a number belongs, or a string
_TENSOR_AS_NUMBER = ("only one element tensors can be converted",
                     "iteration over a 0-d tensor")
_STRING_AS_NUMBER = ("invalid literal for int()", "could not convert string to float")
_BROADCAST_MESSAGES = ("could not be broadcast", "could not broadcast", "cannot be broadcast")


def _is_plain_argument(value) -> bool:
    """A tensor, a number, a bool or None: what a working call is made of."""
    return value is None or isinstance(value, (Tensor, numbers.Number, np.generic, bool))


def _translate(name, err, args, kwargs):
    """The exception PyTorch raises where ``err`` escaped from ``name(*args, **kwargs)``, or None
    when ``err`` is minitorch's own (then it leaves unchanged)."""
    got = f"{name}() received an invalid combination of arguments"
    message = str(err)
    if isinstance(err, np.exceptions.AxisError):  # NumPy's, for a dim out of range
        return IndexError(f"Dimension out of range: {message}")
    if type(err).__module__.startswith("numpy"):  # e.g. UFuncTypeError: no kernel for a dtype
        return TypeError(f"{got}: {message}")
    if isinstance(err, ZeroDivisionError):
        return RuntimeError(f"{name}(): {message}")
    if isinstance(err, ValueError) and any(m in message for m in _BROADCAST_MESSAGES):
        return RuntimeError(f"{name}(): shapes do not broadcast: {message}")
    arguments = (*args, *kwargs.values())
    later = (*args[1:], *kwargs.values())  # (the first is the input, or the tensor of a method)
    if any(m in message for m in _TENSOR_AS_NUMBER) and any(
            isinstance(a, Tensor) and a.numel() != 1 for a in later):
        return TypeError(f"{got}: a number was expected where a tensor came ({message})")
    if any(m in message for m in _STRING_AS_NUMBER) and any(isinstance(a, str) for a in arguments):
        return TypeError(f"{got}: a number was expected where a string came ({message})")
    if isinstance(err, AttributeError) and any(err.obj is a for a in arguments):
        return TypeError(f"{got}: {message}")  # an argument lacked what a tensor would have
    foreign = [a for a in arguments if not _is_plain_argument(a)]
    if isinstance(err, AttributeError) and (foreign or not args or args[0] is None):
        return TypeError(f"{got}: {message}")
    return None


def guard(function, name: str | None = None, method: bool = False, functional: bool = False):
    """``function`` with PyTorch's exception types for wrong arguments (see the module notes);
    ``method``: it is a Tensor method (PyTorch then counts positions after the tensor);
    ``functional``: it is in nn.functional (see ``NotATensorError``)."""
    name = name or function.__name__
    types = ArgumentTypes(function, name, method, functional)

    @functools.wraps(function)
    def checked(*args, **kwargs):
        if not types.accepts(args, kwargs):  # unless minitorch/fast's quick test is sure,
            args, kwargs = types.parse(args, kwargs)  # PyTorch's TypeError, or the arguments
        try:
            return function(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - re-raised, as itself or as PyTorch's type
            replacement = _translate(name, err, args, kwargs)
            if replacement is None:
                raise
            raise replacement from err
    checked.__wrapped_for_errors__ = function
    checked.argument_types = types
    return checked


def guard_public_functions(owner) -> None:
    """Wrap every public plain function of ``owner`` (a module, or the Tensor class)."""
    functional = getattr(owner, "__name__", "").endswith("nn.functional")
    for public_name, value in list(vars(owner).items()):
        if public_name.startswith("_") or not inspect.isfunction(value):
            continue
        if not hasattr(value, "__wrapped_for_errors__"):
            setattr(owner, public_name,
                    guard(value, public_name, method=owner is Tensor, functional=functional))
