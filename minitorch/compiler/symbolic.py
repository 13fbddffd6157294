"""Python numbers read from traced arrays, kept symbolic.

A training step reads a few numbers back from its arrays: Adam's step count
(``float(state["step"])``), an index check's smallest and largest id. If the trace froze
those numbers, the replayed program would use step 2's bias correction forever. So a read
gives a ``SymFloat`` or ``SymInt``: a real Python number (so every ``isinstance`` check and
every C function still accepts it) that also remembers how it was computed. Arithmetic on
it is recorded as a line of the program (``s7 = 1 - s6``); a comparison (a Python branch) is
recorded as a guard (``if s3 < 0: raise GuardFailed``): the replay checks that the branch
goes the same way, with that step's numbers.

What cannot stay symbolic is frozen with a guard on its exact value: ``int(s)``, an
index, a shape (``range(s)``, ``x.reshape(s, 2)``).
"""
from __future__ import annotations

import operator

_ARITHMETIC = {
    "add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
}
_COMPARISONS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}


class Symbolic:
    """What SymFloat and SymInt share: the trace that made them and their name in it."""

    __slots__ = ()

    def _binary(self, other, op: str, reflected: bool):
        if not isinstance(other, (int, float)):
            return NotImplemented  # (a tensor or an array: its own operator records the op)
        trace = self._trace
        value = getattr(operator, op)(other, self._number()) if reflected else \
            getattr(operator, op)(self._number(), trace.number(other))
        if not trace.recording or not isinstance(value, (int, float)):
            return value
        left, right = (other, self) if reflected else (self, other)
        return trace.scalar(value, f"{trace.scalar_source(left)} {_ARITHMETIC[op]} "
                                   f"{trace.scalar_source(right)}")

    def _compare(self, other, op: str):
        if not isinstance(other, (int, float)):
            return NotImplemented
        result = getattr(operator, op)(self._number(), self._trace.number(other))
        self._trace.guard(f"{self._trace.scalar_source(self)} {_COMPARISONS[op]} "
                          f"{self._trace.scalar_source(other)}", result)
        return result

    def _exact(self):
        """The number itself, frozen into the program: the replay checks it is unchanged."""
        value = self._number()
        self._trace.guard(f"{self.name} == {value!r}", True)
        return value

    def __neg__(self):
        trace = self._trace
        return trace.scalar(-self._number(), f"-{self.name}") if trace.recording else -self._number()

    def __bool__(self):
        result = bool(self._number())
        self._trace.guard(f"bool({self.name})", result)
        return result

    def __hash__(self):
        return hash(self._exact())

    def __repr__(self):
        return repr(self._number())

    __str__ = __repr__


def _binary_methods(cls):
    for op in _ARITHMETIC:
        setattr(cls, f"__{op}__", lambda self, other, op=op: self._binary(other, op, False))
        setattr(cls, f"__r{op}__", lambda self, other, op=op: self._binary(other, op, True))
    for op in _COMPARISONS:
        setattr(cls, f"__{op}__", lambda self, other, op=op: self._compare(other, op))
    return cls


@_binary_methods
class SymFloat(Symbolic, float):
    """A float read from a traced array (see the module docstring)."""

    __slots__ = ("_trace", "name")

    def _number(self) -> float:
        return float.__float__(self)

    def __float__(self):
        return self._exact()

    def __int__(self):
        return int(self._exact())


@_binary_methods
class SymInt(Symbolic, int):
    """An int read from a traced array (see the module docstring)."""

    def _number(self) -> int:
        return int.__int__(self)

    def __int__(self):
        return self._exact()

    __index__ = __int__

    def __float__(self):
        return float(self._exact())


def make_symbolic(trace, value, name: str):
    """``value`` (a Python number) as the symbolic number called ``name`` in ``trace``."""
    if type(value) is bool:  # bool cannot be subclassed: a branch on it is decided now
        trace.guard(f"{name} is {value!r}", True)
        return value
    cls = SymFloat if type(value) is float else SymInt if type(value) is int else None
    if cls is None:
        return value
    sym = cls(value)
    sym._trace, sym.name = trace, name
    return sym
