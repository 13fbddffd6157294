"""``Trace``: writes down one call of a function as a flat program of array operations.

The trace runs the function for real (eagerly: its result is the true result) while every
tensor's array is a ``Traced`` view. Each NumPy operation becomes one line::

    r12 = np.matmul(r7, r3)          # an operation; r7, r3 are arrays named earlier
    np.add(r20, r21, out=r20)        # an in-place one (it writes into r20)
    s3 = r30.item()                  # a number read back into Python
    if not (s3 < 27): fail(2)        # a Python branch taken on it: a guard

Arrays that existed before the call come from the tensors holding them (``r0 =
t0._data``); arrays the program needs but did not compute are constants (``c0``).
The function's Python code is not part of the program: what it decided is frozen in, as
in ``jax.jit`` or a CUDA graph (see ``compiled.py`` for what is guarded).
"""
from __future__ import annotations

import gc
import math
import sys

import numpy as np

from ..tensor import Tensor
from . import traced
from .program import Line, Name, Program
from .symbolic import Symbolic, make_symbolic
from .traced import Traced

# Results of these NumPy functions describe shapes and memory, not values: not reads.
_METADATA = {"shares_memory", "may_share_memory", "result_type", "shape", "ndim", "size",
             "iscomplexobj", "isrealobj", "isscalar", "can_cast", "broadcast_shapes",
             "min_scalar_type", "promote_types"}


_asarray = np.asarray  # (NumPy's own: the trace replaces np.asarray while it records)


_SPLITS = (np.split, np.array_split)
_SIMPLE = (int, bool, str, type(None), float)


class TraceStopped(Exception):
    """Something the program cannot express happened; the call finishes eagerly."""


class Trace:
    """The program being written while one call runs (see the module docstring)."""

    def __init__(self):
        self.recording = True
        self.inside = False          # running a recorded call (its inner NumPy calls are not lines)
        self.why_not = None          # why the trace stopped, if it did
        self.lines: list[Line] = []
        self.constants: list = []
        self.objects: list = []      # tensors the program reads arrays from (t0, t1...)
        self.counter = 0
        self.meta: dict[str, tuple] = {}   # each named array's (shape, dtype) when traced
        self._owners: dict[int, object] = {}        # id(memory owner) -> owner (kept alive)
        self._external_owners: set[int] = set()     # owners of memory that outlives the call
        self._swapped: list[tuple[Tensor, np.ndarray, Traced]] = []

    # --- names ------------------------------------------------------------------------
    def _new_name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def constant(self, value) -> str:
        """The name of a value the program takes as it is (c0, c1...)."""
        return "c" + _place_of(self.constants, value)

    def object_name(self, obj) -> str:
        """The name of an object the program reads from (t0, t1...): a tensor, a module."""
        return "t" + _place_of(self.objects, obj)

    # --- the start and the end ----------------------------------------------------------
    def start(self, args, kwargs, places=None) -> None:
        """Swap every live CPU tensor's array for a named Traced view (arguments are read
        from the call's arguments, everything else from the tensor object itself).
        ``places``: id(tensor) -> (container, key) where the step finds it (a module's
        parameter dict, an optimizer's state): the replay checks it is still there."""
        self._places = dict(places or {})
        argument_paths = {}
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                argument_paths.setdefault(id(a), f"args[{i}]")
        for key, a in kwargs.items():
            if isinstance(a, Tensor):
                argument_paths.setdefault(id(a), f"kwargs[{key!r}]")
        self._arguments = set(argument_paths)
        for t in gc.get_objects():
            if issubclass(type(t), Tensor) and type(t._data) is np.ndarray:
                self._load(t, argument_paths.get(id(t)))
        # each tensor's .grad now (to see which ones the call replaces)
        self._grads_before = {id(tensor): (tensor, tensor._grad) for tensor, _, _ in self._swapped
                              if id(tensor) not in self._arguments}
        for tensor, grad in self._grads_before.values():
            if grad is not None:
                self._places.setdefault(id(grad), (tensor, (("attr", "_grad"),)))
        traced.set_active(self)
        traced.patch_numpy()

    def _load(self, tensor: Tensor, path) -> None:
        """Give ``tensor`` a Traced view of its array; the program reads it (``r3 =
        t1._data``) only if it uses it, named where it first does (so that the names do not
        depend on the order in which the garbage collector lists tensors)."""
        array = tensor._data
        view = np.ndarray.view(array, Traced)
        view._trace, view._load_from, view._plain = self, (tensor, path), array
        owner = _owner(array)
        self._owners[id(owner)] = owner
        self._external_owners.add(id(owner))
        self._swapped.append((tensor, array, view))
        tensor._data = view

    def _emit_load(self, view) -> str:
        tensor, path = view._load_from
        view._slot = self._new_name("r")
        self.meta[view._slot] = (view.shape, view.dtype)
        source = path if path is not None else self.object_name(tensor)
        self.lines.append(Line(view._slot, f"{source}._data", kind="load", source=source,
                               check=(view.shape, view.dtype)))
        place = self._places.get(id(tensor)) if path is None else None
        if place is not None:  # a .grad, a parameter, an optimizer's state tensor
            root, steps = place
            where = self.object_name(root)
            for kind, step in steps:
                where += f".{step}" if kind == "attr" else \
                    f"[{step!r}]" if type(step) is str else f"[{self.object_name(step)}]"
            self.lines.append(Line(None, f"{where} is {source}", kind="check"))
        return view._slot

    def finish(self) -> None:
        """Stop recording and give every tensor a plain array again (the ones made during the
        call too); note each tensor whose array or ``.grad`` the call replaced."""
        traced.set_active(None)
        traced.unpatch_numpy()
        was_recording, self.recording = self.recording, False
        if was_recording:
            try:
                self._note_rebindings()
            except TraceStopped as err:
                self.why_not = str(err)
        for t in gc.get_objects():
            if issubclass(type(t), Tensor) and type(t._data) is Traced:
                t._data = traced.plain(t._data)
        for tensor, array, view in self._swapped:
            if tensor._data is view or (type(tensor._data) is np.ndarray
                                        and tensor._data.base is array and tensor._data.shape
                                        == array.shape and tensor._data.strides == array.strides):
                tensor._data = array

    def _note_rebindings(self) -> None:
        """Effects on tensors, in the order their new arrays were made (not the garbage
        collector's order, which changes from call to call)."""
        effects = []
        for tensor, array, view in self._swapped:
            if tensor._data is not view:
                if id(tensor) in self._arguments:
                    raise TraceStopped("the function gave an argument tensor a new array")
                effects.append((self.array_name(tensor._data), tensor, "_data", tensor._data))
        for tensor, grad in self._grads_before.values():
            now = tensor._grad
            if now is grad:
                continue
            if now is not None and id(now) not in self._grads_before:  # a new .grad tensor
                if now.requires_grad:
                    raise TraceStopped("a .grad that requires grad (create_graph=True)")
                effects.append((self.array_name(now._data), tensor, "_grad", now))
            else:
                effects.append(("", tensor, "_grad", now))
        for slot, tensor, attribute, value in sorted(effects, key=lambda e: int(e[0][1:] or 0)):
            name = self.object_name(tensor)
            if attribute == "_data":
                text = f"{name}._data = {slot}"
            elif value is None:
                text = f"{name}._grad = None"
            elif slot:
                text = f"{name}._grad = Tensor._from_array({slot})"
            else:
                text = f"{name}._grad = {self.object_name(value)}"
            self.lines.append(Line(None, text, kind="effect", uses=(slot,) if slot else ()))

    def changed_state(self) -> bool:
        """Did the call write into tensors that outlive it (a training step's update)?"""
        return any(line.effect for line in self.lines) or any(
            tensor._grad is not grad for tensor, grad in self._grads_before.values())

    def stop(self, why: str) -> None:
        """Give up on the program (the call itself still finishes, eagerly)."""
        if self.recording:
            self.recording = False
            self.why_not = f"{why} (at {_caller()})"

    # --- what the Traced arrays report -----------------------------------------------------
    def array_name(self, array) -> str:
        if type(array) is Traced and array._trace is self:
            if array._slot is not None:
                return array._slot
            if "_load_from" in array.__dict__:
                return self._emit_load(array)
        raise TraceStopped("an array the trace did not see being made (a view NumPy made "
                           "internally, or an array from an earlier trace)")

    def template(self, value):
        """``value`` as the program writes it: names for arrays and numbers the program
        knows, constants for the rest."""
        kind = type(value)
        if kind is Traced:
            return Name(self.array_name(value))
        if kind in _SIMPLE:  # (the common arguments, checked first: a trace runs this a lot)
            return value if kind is not float or math.isfinite(value) else \
                Name(self.constant(value))
        if isinstance(value, np.ndarray):
            if id(_owner(value)) in self._owners:
                raise TraceStopped("a plain NumPy view of a traced array (np.asarray or an "
                                   "untraced method): its values would be frozen")
            return Name(self.constant(value.copy()))
        if isinstance(value, Symbolic):
            return Name(value.name) if value._trace is self else value._number()
        if type(value) in (tuple, list):
            return type(value)(self.template(v) for v in value)
        if type(value) is dict:
            return {k: self.template(v) for k, v in value.items()}
        if isinstance(value, Tensor):
            raise TraceStopped("a Tensor passed to NumPy")
        if _is_literal(value):
            return value
        if isinstance(value, np.dtype) and getattr(np, value.name, None) is not None \
                and np.dtype(getattr(np, value.name)) == value:
            return Name(f"np.{value.name}")  # (np.float32, not a constant c3)
        if not isinstance(value, (np.generic, type)) and (hasattr(value, "__array_interface__")
                                                  or hasattr(value, "__array_struct__")):
            raise TraceStopped(f"a {type(value).__name__} pointing into array memory")
        return Name(self.constant(value))

    def call(self, function, args, kwargs, result, writes):
        if function in _SPLITS and type(result) is list and type(args[0]) is Traced:
            return self._split_as_slices(args[0], args[2:3] or [kwargs.get("axis", 0)], result)
        try:
            args_t, kwargs_t = self.template(args), self.template(kwargs)
            effect = any(w is traced.STATE for w in writes)
            for written in writes:
                if not isinstance(written, np.ndarray):
                    continue
                self.array_name(written)  # writing into a constant would change it for good
                effect |= id(_owner(written)) in self._external_owners
            outputs, wrapped = self._name_results(function, result)
        except TraceStopped as err:
            self.stop(str(err))
            return result
        self.lines.append(Line(outputs, (function, args_t, kwargs_t), kind="call",
                               writes=bool(writes), effect=effect))
        return wrapped

    def _split_as_slices(self, array, axis, parts):
        """``np.split`` is a Python function of NumPy's (tens of microseconds a call): its
        parts are written as the basic slices they are, ``r5 = r3[:, 0:32]``."""
        axis = axis[0] % array.ndim
        start, wrapped = 0, []
        for part in parts:
            stop = start + part.shape[axis]
            key = (slice(None),) * axis + (slice(start, stop),)
            wrapped.append(self.call(np.ndarray.__getitem__, (array, key), {}, part, ()))
            start = stop
        return wrapped

    def _name_results(self, function, result):
        if type(result) in (tuple, list) and result and all(
                isinstance(r, (np.ndarray, np.generic)) for r in result):
            names, wrapped = zip(*(self._name_result(r) for r in result))
            return tuple(names), type(result)(wrapped)
        if isinstance(result, (np.ndarray, np.generic)):
            name, wrapped = self._name_result(result)
            return (name,), wrapped
        if result is None or getattr(function, "__name__", "") in _METADATA or \
                getattr(function, "__name__", "") == "manual_seed":  # (returns its generator)
            return (), result
        if isinstance(result, (bool, int, float, np.bool_)):
            name = self._new_name("s")
            return (name,), make_symbolic(self, result.item() if isinstance(result, np.generic)
                                          else result, name)
        raise TraceStopped(f"{getattr(function, '__name__', function)} returned a "
                           f"{type(result).__name__}")

    def _name_result(self, result):
        array = _asarray(result) if isinstance(result, np.generic) else result
        if type(array) is Traced:  # (an in-place op returns its traced output)
            return self.array_name(array), array
        owner = _owner(array)
        self._owners[id(owner)] = owner
        wrapped = np.ndarray.view(array, Traced)
        wrapped._slot, wrapped._trace, wrapped._plain = self._new_name("r"), self, array
        self.meta[wrapped._slot] = (array.shape, array.dtype)
        return wrapped._slot, wrapped

    def read(self, array, how: str, index, value):
        """``array.item()`` / ``.tolist()``: numbers the program reads back, kept symbolic."""
        try:
            source = f"{self.array_name(array)}.{how}({', '.join(map(repr, index))})"
        except TraceStopped as err:
            self.stop(str(err))
            return value
        name = self._new_name("s" if how == "item" else "l")
        self.lines.append(Line((name,), source, kind="read", uses=(array._slot,)))
        return _symbolic_tree(self, value, name)

    def scalar(self, value, expression: str):
        """A number computed in Python from symbolic numbers: one line of the program."""
        name = self._new_name("s")
        self.lines.append(Line((name,), expression, kind="scalar"))
        return make_symbolic(self, value, name)

    def scalar_source(self, value) -> str:
        if isinstance(value, Symbolic) and value._trace is self:
            return value.name
        value = self.number(value)
        return repr(value) if _is_literal(value) else self.constant(value)

    @staticmethod
    def number(value):
        return value._number() if isinstance(value, Symbolic) else value

    def guard(self, expression: str, expected: bool) -> None:
        """The Python code branched on ``expression``: the replay checks it goes the same way."""
        if self.recording:
            self.lines.append(Line(None, expression, kind="guard", check=expected))

    def program(self, outputs) -> Program:
        return Program(self.lines, self.constants, self.objects, outputs, self.meta)


def _place_of(items: list, value) -> str:
    """``value``'s index in ``items`` (by identity), appending it the first time."""
    for i, known in enumerate(items):
        if known is value:
            return str(i)
    items.append(value)
    return str(len(items) - 1)


def _caller() -> str:
    """The innermost line outside this package and NumPy: where the trace had to stop."""
    frame = sys._getframe(1)
    while frame is not None and any(part in frame.f_code.co_filename for part in (
            "minitorch/compiler", "numpy", "<__array_function__")):
        frame = frame.f_back
    if frame is None:
        return "?"
    return f"{frame.f_code.co_filename.split('site-packages/')[-1]}:{frame.f_lineno}"


def _owner(array):
    """The array that owns ``array``'s memory (views chain to it through ``.base``)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _is_literal(value) -> bool:
    """Values written into the program's text as they are."""
    if type(value) is float:
        return math.isfinite(value)
    if type(value) in (int, bool, str, type(None), type(Ellipsis)):
        return True
    if type(value) is slice:
        return all(_is_literal(v) for v in (value.start, value.stop, value.step))
    if type(value) in (tuple, list):
        return all(_is_literal(v) for v in value)
    return False


def _symbolic_tree(trace, value, name):
    if type(value) is list:
        return [_symbolic_tree(trace, v, f"{name}[{i}]") for i, v in enumerate(value)]
    return make_symbolic(trace, value, name)
