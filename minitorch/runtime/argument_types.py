"""PyTorch's argument parser: an argument of the wrong type is a TypeError, in PyTorch's words.

PyTorch checks every argument of a builtin function against its declared type before any
work starts: ``torch.exp('a')`` raises

    TypeError: exp(): argument 'input' (position 1) must be Tensor, not str

minitorch reads the same declarations from the type annotations of its public functions
(``input: Tensor``, ``dim: int``, ``keepdim: bool``, ``dim: int | Sequence[int] | None``...).
``ArgumentTypes`` reads a function's annotations once, at its first call, into a list of
``(position, parameter, kind)``; ``parse`` then holds each call's arguments to it, and hands
the function each argument as PyTorch's parser hands its kernel the declared type (a 0-d
integer tensor given for an int arrives as an int). An annotation this module does not know
(``np.ndarray``, ``Callable``...) is not checked.

What each kind accepts is PyTorch's rule, which is looser or stricter than Python's types
(tests/test_argument_types.py learns each rule from torch):

- ``Tensor``: a Tensor (a Parameter too).
- ``int``: an int, a NumPy integer or a 0-d integer tensor; not a bool, not a float.
- ``Sequence[int]`` ("tuple of ints"): a list, tuple or Size of such ints; ``int |
  Sequence[int]`` takes one int as well, or a one-element integer tensor (PyTorch's ``int[1]``:
  ``sum(x, 1)``).
- ``Sequence[Tensor]`` ("tuple of Tensors"): a list or tuple of tensors.
- ``float`` and ``Number``: any real number (bool, int, float, NumPy's) or a 0-d tensor.
- ``bool``: True or False only (``keepdim=1`` is a TypeError in PyTorch).
- ``device``: a device, its name ('cuda:0') or its index; ``Generator``: a Generator.
- ``str``, ``dtype``, ``None``: those.

What PyTorch's optional and repeated arguments mean:

- ``dim: int = None``: the argument may be left out, but an explicit None is a TypeError
  (``x.max(None)``), where ``dim: int | None = None`` takes None (``x.sum(None)``). Only the
  arguments a call passes are checked.
- ``*tensors: Tensor``: each of those arguments is checked. Sizes, ``*shape: int |
  Sequence[int]``, must have at least one unless the call passes keywords (``x.view()`` is a
  TypeError; ``x.view(size=(2, 3))`` is not). Called as a function, it takes one tuple
  (``reshape(x, (2, 3))``; ``reshape(x, 2, 3)`` and ``reshape(x, 6)`` are TypeErrors), as a
  method, sizes (``x.reshape(2, 3)``).
- A method whose one argument is a ``Sequence[int]`` takes a single int as well
  (``x.tile(2)``; ``tile(x, 2)`` and ``x.split_with_sizes(2)`` are TypeErrors).
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
    return isinstance(value, (list, tuple)) and all(_is_int(item) for item in value)


def _is_one_int_tensor(value) -> bool:
    return isinstance(value, Tensor) and value.numel() == 1 and value.dtype._category in (INT, BOOL)


def _is_number(value) -> bool:
    if isinstance(value, Tensor):
        return value.ndim == 0
    return isinstance(value, (numbers.Real, np.bool_)) and not isinstance(value, (str, bytes))


# What the function body receives: PyTorch's parser hands its kernel the declared C++ type, so
# a 0-d tensor given for an int arrives as an int, and so on.
def _as_int(value):
    return int(value.item()) if isinstance(value, (Tensor, np.integer)) else value


def _as_int_sequence(value):
    return value if all(type(item) is int for item in value) else tuple(map(_as_int, value))


def _as_one_tuple(value):
    return (_as_int(value),)


def _as_number(value):
    return value.item() if isinstance(value, (Tensor, np.generic)) else value


def _unchanged(value):
    return value


def _is_generator(value) -> bool:
    from ..random.generator import Generator  # (imported late: random/ imports the public API)
    return isinstance(value, Generator)


# annotation word -> (PyTorch's name for it in a message, the test a value must pass, what
# the function receives)
KINDS = {
    "Tensor": ("Tensor", lambda value: isinstance(value, Tensor), _unchanged),
    "int": ("int", _is_int, _as_int),
    "Sequence[int]": ("tuple of ints", _is_int_sequence, _as_int_sequence),
    "Sequence[Tensor]": ("tuple of Tensors",
                         lambda value: isinstance(value, (list, tuple))
                         and all(isinstance(item, Tensor) for item in value), _unchanged),
    "float": ("float", _is_number, _as_number),
    "Number": ("Number", _is_number, _as_number),
    "bool": ("bool", lambda value: value is True or value is False, _unchanged),
    "str": ("str", lambda value: isinstance(value, str), _unchanged),
    "dtype": ("torch.dtype", lambda value: isinstance(value, _dtype), _unchanged),
    "device": ("torch.device", lambda value: isinstance(value, (_device, str)) or _is_int(value),
               _unchanged),
    "Generator": ("torch.Generator", _is_generator, _unchanged),
    "None": ("None", lambda value: value is None, _unchanged),
}

REFUSED = object()  # what ``Kind.parse`` returns for a value of another type


class NotATensorError(TypeError, AttributeError):
    """A non-tensor where a function of ``minitorch.nn.functional`` takes a tensor.

    PyTorch's functional layer is Python code: some functions hand the argument to a builtin
    first (its parser raises TypeError: ``F.relu('a')``), others read an attribute of it first
    (AttributeError: ``F.softmax('a')`` says 'str' object has no attribute 'softmax'). Which one
    is an accident of each function's body; this error is both, so that code catching either
    catches it."""


class Kind:
    """One annotation (``int | Sequence[int] | None``): its words, PyTorch's name for it, and
    its (test, conversion) pairs, tried in the order the annotation lists them."""

    def __init__(self, words: tuple, sizes_as_arguments: bool = False):
        self.words = words
        names = [KINDS[w][0] for w in words if w != "None"]
        if "tuple of ints" in names:  # PyTorch's "tuple of ints" takes a single int as well
            names = [n for n in names if n != "int"]
        self.name = " or ".join(dict.fromkeys(names))
        self._rules = [KINDS[w][1:] for w in words]
        if "int" in words and "Sequence[int]" in words:  # PyTorch's int[1]: a one-element
            self._rules.append((_is_one_int_tensor, _as_int))  # integer tensor is that int
        elif sizes_as_arguments and "Sequence[int]" in words:  # a method's one list of ints:
            self._rules.append((_is_int, _as_one_tuple))  # x.tile(2) is x.tile((2,))

    def parse(self, value):
        """``value`` as the function receives it, or REFUSED."""
        for test, convert in self._rules:
            if test(value):
                return convert(value)
        return REFUSED

    def accepts(self, value) -> bool:
        return self.parse(value) is not REFUSED


def kind_of(annotation, sizes_as_arguments: bool = False) -> Kind | None:
    """The Kind an annotation declares, or None when some part of it is not in ``KINDS``."""
    if annotation is inspect.Parameter.empty:
        return None
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    words = tuple(word.strip().strip("'\"") for word in text.split("|"))
    if not words or any(word not in KINDS for word in words):
        return None
    return Kind(words, sizes_as_arguments)


# PyTorch's functional layer reads these flags with ``if inplace:``, never through its parser
# (``F.relu(x, 'a')`` and ``F.max_pool2d(x, 2, return_indices=1)`` compute)
_READ_FOR_TRUTH = ("inplace", "return_indices")


def _type_name(value) -> str:
    return type(value).__name__  # PyTorch prints the Python type's name: str, NoneType, float


class ArgumentTypes:
    """The declared kinds of one public function's parameters, read at its first call.

    ``accepts(args, kwargs)`` is what the guard calls on every call: at first it reads the
    annotations, then it is replaced by ``quick_test(self)``, which answers whether the call
    can skip ``parse``: on the reference path, only when nothing is declared (minitorch/fast
    swaps in a generated test that answers True for plain ints, tensors, bools...).
    """

    def __init__(self, function, name: str, method: bool, functional: bool = False):
        self.function, self.name, self.functional = function, name, functional
        self.first_position = 0 if method else 1  # x.sum(1): 'dim' is position 1, sum(x, 1) 2
        self.checks = None  # [(index or None for keyword-only, parameter name, Kind, default)]
        self.rest = None  # (index, name, Kind) of an annotated ``*shape``: each of those arguments
        self.sizes = False  # the ``*shape`` is sizes (ints): at least one, one tuple in a function

    def read_annotations(self) -> list:
        try:
            parameters = inspect.signature(self.function).parameters.values()
        except (TypeError, ValueError):  # a builtin without a signature: nothing to check
            return []
        checks, method = [], self.first_position == 0
        positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        # PyTorch's parser takes a method's one list of ints as sizes too (x.tile(2))
        sizes_as_arguments = method and len(positional) == 2
        for index, parameter in enumerate(parameters):
            kind = kind_of(parameter.annotation, sizes_as_arguments)
            if parameter.kind is parameter.VAR_POSITIONAL and kind is not None:
                self.sizes = "Sequence[int]" in kind.words
                if self.sizes and not method:  # reshape(x, (2, 3)): the function takes one tuple
                    kind = Kind(tuple(word for word in kind.words if word != "int"))
                self.rest = (index, parameter.name, kind)
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if parameter.name in _READ_FOR_TRUTH:
                continue
            if kind is not None:
                position = None if parameter.kind is parameter.KEYWORD_ONLY else index
                checks.append((position, parameter.name, kind, parameter.default))
        return checks

    def accepts(self, args, kwargs) -> bool:
        self.checks = self.read_annotations()
        self.accepts = quick_test(self)  # an instance attribute: later calls go straight to it
        return self.accepts(args, kwargs)

    def parse(self, args, kwargs) -> tuple:
        """``(args, kwargs)`` as the function receives them (see ``_as_int``...), or PyTorch's
        TypeError for the first argument of a kind its parameter does not take."""
        given = len(args)
        for index, parameter, kind, _default in self.checks:
            if index is not None and index < given:
                value = self._parse(kind, args[index], parameter, index)
                if value is not args[index]:
                    args = (*args[:index], value, *args[index + 1:])
            elif parameter in kwargs:
                value = self._parse(kind, kwargs[parameter], parameter, None)
                if value is not kwargs[parameter]:
                    kwargs = {**kwargs, parameter: value}
            # else left out: its default applies (or Python says it is missing)
        if self.rest is not None:
            index, parameter, kind = self.rest
            if self.sizes and given <= index and not kwargs:
                raise TypeError(f'{self.name}() missing 1 required positional arguments: "{parameter}"')
            if self.sizes and self.first_position == 1 and given > index + 1:
                raise TypeError(f"{self.name}() takes {index + 1} positional arguments but "
                                f"{given} were given")
            args = (*args[:index], *(self._parse(kind, value, parameter, position)
                                     for position, value in enumerate(args[index:], index)))
        return args, kwargs

    def _parse(self, kind: Kind, value, parameter: str, index: int | None):
        parsed = kind.parse(value)
        if parsed is REFUSED:
            where = "" if index is None else f" (position {index + self.first_position})"
            error = NotATensorError if self.functional and "Tensor" in kind.words else TypeError
            raise error(f"{self.name}(): argument '{parameter}'{where} must be {kind.name}, "
                        f"not {_type_name(value)}")
        return parsed


def quick_test(types: ArgumentTypes):
    """The per-call test of ``types``: True when the call needs no ``parse``. On the reference
    path only a function with nothing declared is sure; every other call is parsed."""
    if not types.checks and types.rest is None:
        return _nothing_to_check
    return _unsure


def _nothing_to_check(args, kwargs) -> bool:
    return True


def _unsure(args, kwargs) -> bool:
    return False
