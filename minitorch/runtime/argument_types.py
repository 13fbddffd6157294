"""PyTorch's argument parser: an argument of the wrong type is a TypeError, in PyTorch's words.

PyTorch checks every argument of a builtin function against its declared type before any
work starts: ``torch.exp('a')`` raises

    TypeError: exp(): argument 'input' (position 1) must be Tensor, not str

minitorch reads the same declarations from the type annotations of its public functions
(``input: Tensor``, ``dim: int``, ``keepdim: bool``, ``dim: int | Sequence[int] | None``...).
``ArgumentTypes`` reads a function's annotations once, at its first call, into a list of
``(position, parameter, kind)``; ``raise_if_wrong`` then holds each call's arguments to it.
An annotation this module does not know (``np.ndarray``, ``Callable``...) is not checked.

What each kind accepts is PyTorch's rule, which is looser or stricter than Python's types
(tests/test_argument_types.py learns each rule from torch):

- ``Tensor``: a Tensor (a Parameter too).
- ``int``: an int, a NumPy integer or a 0-d integer tensor; not a bool, not a float.
- ``Sequence[int]`` ("tuple of ints"): a list, tuple or Size of such ints, or a 1-d integer
  tensor; ``int | Sequence[int]`` takes one int as well (PyTorch's ``int[1]``: ``sum(x, 1)``).
- ``Sequence[Tensor]`` ("tuple of Tensors"): a list or tuple of tensors.
- ``float`` and ``Number``: any real number (bool, int, float, NumPy's) or a 0-d tensor.
- ``bool``: True or False only (``keepdim=1`` is a TypeError in PyTorch).
- ``device``: a device, its name ('cuda:0') or its index.
- ``str``, ``dtype``, ``None``: those.

Two declarations say what PyTorch's optional arguments mean:

- ``dim: int = None``: the argument may be left out, but an explicit None is a TypeError
  (``x.max(None)``), where ``dim: int | None = None`` takes None (``x.sum(None)``). Only the
  arguments a call passes are checked.
- ``*shape: int | Sequence[int]``: each of those arguments is checked, and at least one must
  come unless the call passes keywords (``x.view()`` is a TypeError; ``x.view(size=(2, 3))``
  is not).
"""
from __future__ import annotations

import inspect
import numbers

import numpy as np

from ..tensor import Tensor
from ..types.dtypes import BOOL, INT
from ..types.devices import device as _device
from ..types.dtypes import dtype as _dtype


def _is_int(value) -> bool:
    if isinstance(value, Tensor):
        return value.ndim == 0 and value.dtype._category == INT
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_int_sequence(value) -> bool:
    if isinstance(value, Tensor):
        return value.ndim <= 1 and value.dtype._category in (INT, BOOL)
    return isinstance(value, (list, tuple)) and all(_is_int(item) for item in value)


def _is_number(value) -> bool:
    if isinstance(value, Tensor):
        return value.ndim == 0
    return isinstance(value, (numbers.Real, np.bool_)) and not isinstance(value, (str, bytes))


# annotation word -> (PyTorch's name for it in a message, the test a value must pass)
KINDS = {
    "Tensor": ("Tensor", lambda value: isinstance(value, Tensor)),
    "int": ("int", _is_int),
    "Sequence[int]": ("tuple of ints", _is_int_sequence),
    "tuple[int, ...]": ("tuple of ints", _is_int_sequence),
    "Sequence[Tensor]": ("tuple of Tensors",
                         lambda value: isinstance(value, (list, tuple))
                         and all(isinstance(item, Tensor) for item in value)),
    "float": ("float", _is_number),
    "Number": ("Number", _is_number),
    "bool": ("bool", lambda value: value is True or value is False),
    "str": ("str", lambda value: isinstance(value, str)),
    "dtype": ("torch.dtype", lambda value: isinstance(value, _dtype)),
    "device": ("torch.device", lambda value: isinstance(value, (_device, str)) or _is_int(value)),
    "None": ("None", lambda value: value is None),
}


class Kind:
    """One annotation (``int | Sequence[int] | None``): its words, PyTorch's name, its test."""

    def __init__(self, words: tuple):
        self.words = words
        names = [KINDS[w][0] for w in words if w != "None"]
        if "tuple of ints" in names:  # PyTorch's "tuple of ints" takes a single int as well
            names = [n for n in names if n != "int"]
        self.name = " or ".join(dict.fromkeys(names))
        self._tests = [KINDS[w][1] for w in words]

    def accepts(self, value) -> bool:
        for test in self._tests:
            if test(value):
                return True
        return False


def kind_of(annotation) -> Kind | None:
    """The Kind an annotation declares, or None when some part of it is not in ``KINDS``."""
    if annotation is inspect.Parameter.empty:
        return None
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    words = tuple(word.strip().strip("'\"") for word in text.split("|"))
    if not words or any(word not in KINDS for word in words):
        return None
    return Kind(words)


# PyTorch's functional layer reads these flags with ``if inplace:``, never through its parser
# (``F.relu(x, 'a')`` computes)
_READ_FOR_TRUTH = ("inplace",)


def _type_name(value) -> str:
    return type(value).__name__  # PyTorch prints the Python type's name: str, NoneType, float


class ArgumentTypes:
    """The declared kinds of one public function's parameters, read at its first call.

    ``accepts(args, kwargs)`` is what the guard calls on every call: at first it reads the
    annotations, then it is replaced by ``quick_test(self)``: on the reference path, the
    precise check itself. (minitorch/fast swaps a faster test in that answers False when it is
    unsure, and the guard then runs the precise check.)
    """

    def __init__(self, function, name: str, method: bool):
        self.function, self.name = function, name
        self.first_position = 0 if method else 1  # x.sum(1): 'dim' is position 1, sum(x, 1) 2
        self.checks = None  # [(index or None for keyword-only, parameter name, Kind, default)]
        self.rest = None  # (index, name, Kind) of an annotated ``*shape``: each of those arguments

    def read_annotations(self) -> list:
        try:
            parameters = inspect.signature(self.function).parameters.values()
        except (TypeError, ValueError):  # a builtin without a signature: nothing to check
            return []
        checks = []
        for index, parameter in enumerate(parameters):
            if parameter.kind is parameter.VAR_POSITIONAL and kind_of(parameter.annotation):
                self.rest = (index, parameter.name, kind_of(parameter.annotation))
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if parameter.name in _READ_FOR_TRUTH:
                continue
            kind = kind_of(parameter.annotation)
            if kind is not None:
                position = None if parameter.kind is parameter.KEYWORD_ONLY else index
                checks.append((position, parameter.name, kind, parameter.default))
        return checks

    def accepts(self, args, kwargs) -> bool:
        self.checks = self.read_annotations()
        self.accepts = quick_test(self)  # an instance attribute: later calls go straight to it
        return self.accepts(args, kwargs)

    def raise_if_wrong(self, args, kwargs) -> None:
        """PyTorch's TypeError for the first argument of a kind its parameter does not take."""
        for index, parameter, kind, _default in self.checks:
            if index is not None and index < len(args):
                value, where = args[index], f" (position {index + self.first_position})"
            elif parameter in kwargs:
                value, where = kwargs[parameter], ""
            else:
                continue  # left out: its default applies (or Python says it is missing)
            if not kind.accepts(value):
                self._refuse(parameter, where, kind, value)
        if self.rest is not None:
            index, parameter, kind = self.rest
            if len(args) <= index and not kwargs:
                raise TypeError(f'{self.name}() missing 1 required positional arguments: "{parameter}"')
            for position, value in enumerate(args[index:], start=index + self.first_position):
                if not kind.accepts(value):
                    self._refuse(parameter, f" (position {position})", kind, value)

    def _refuse(self, parameter: str, where: str, kind: Kind, value):
        raise TypeError(f"{self.name}(): argument '{parameter}'{where} must be {kind.name}, "
                        f"not {_type_name(value)}")


def quick_test(types: ArgumentTypes):
    """The per-call test of ``types``; on the reference path, the precise check."""
    if not types.checks and types.rest is None:
        return _nothing_to_check

    def check(args, kwargs) -> bool:
        types.raise_if_wrong(args, kwargs)
        return True
    return check


def _nothing_to_check(args, kwargs) -> bool:
    return True
