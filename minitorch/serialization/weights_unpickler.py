"""The weights-only unpickler: reads a pickle without ever importing or calling by name.

A pickle is a small stack-machine program. Python's own unpickler lets the program import any
module and call any function (``GLOBAL posix system`` + ``REDUCE``), which is how a checkpoint
can run code. This one runs the same opcodes but

* looks names up only in PyTorch's allowlist (``torch_names.lookup``) plus the user's
  ``add_safe_globals``; anything else raises PyTorch's "Unsupported global" error;
* calls (REDUCE), instantiates (NEWOBJ) and sets state (BUILD) only on allowlisted objects;
* appends only to lists and sets items only on dicts;
* reads every length-prefixed value only after checking the bytes are really there, so a
  declared length of 2**32 in a short file costs nothing.

Repeated references go through the memo as the same object, never a copy, so a few bytes
cannot expand into many objects. It reads the protocol-2 opcodes PyTorch writes plus the
harmless ones of protocols 3-5 (FRAME, MEMOIZE, STACK_GLOBAL, bytes, sets).
"""
from __future__ import annotations

import collections
import struct
from typing import Any, Callable

from . import rebuild, torch_names
from .errors import UnpicklingError


class FromUserCode(Exception):
    """Carries an exception raised by the user's own code (a safe global, a map_location
    function) through the unpickler, which re-raises it unchanged."""

    def __init__(self, error: BaseException):
        super().__init__(error)
        self.error = error


def call_user_code(function: Callable, *args):
    try:
        return function(*args)
    except Exception as err:
        raise FromUserCode(err) from err


_OLD_MODULE_NAMES = {"__builtin__": "builtins", "copy_reg": "copyreg"}  # Python 2 pickles


class WeightsOnlyUnpickler:
    """``WeightsOnlyUnpickler(data, persistent_load).load()`` -> the pickled object."""

    def __init__(self, data: bytes, persistent_load: Callable[[Any], Any] | None = None,
                 position: int = 0):
        self.data = memoryview(data)
        self.position = position  # where the pickle starts; after load(), where it ended
        self.persistent_load = persistent_load
        self.memo: dict[int, Any] = {}
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []  # the stacks saved by MARK
        self.user_globals = set(map(id, torch_names.user_globals().values()))
        self.builtin_callables = set(map(id, torch_names.builtin_callables()))

    # --- reading the byte stream ----------------------------------------------------------------
    def read(self, n: int) -> bytes:
        end = self.position + n
        if end > len(self.data):
            raise UnpicklingError(f"pickle data was truncated: {n} bytes wanted at offset "
                                  f"{self.position}, {len(self.data) - self.position} left")
        chunk = bytes(self.data[self.position:end])
        self.position = end
        return chunk

    def read_int(self, fmt: str) -> int:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]

    def read_line(self) -> str:
        end = bytes(self.data[self.position:self.position + 1024]).find(b"\n")
        if end < 0:
            raise UnpicklingError(f"pickle data has no end of line at offset {self.position}")
        return self.read_text(end + 1)[:-1]

    def read_text(self, length: int) -> str:
        try:
            return str(self.read(length), "utf-8", "surrogatepass")
        except UnicodeDecodeError as err:
            raise UnpicklingError(f"string is not UTF-8: {err}") from None

    # --- the stack ------------------------------------------------------------------------------
    def pop(self):
        if not self.stack:
            raise UnpicklingError("pickle stack underflow (malformed pickle)")
        return self.stack.pop()

    def top(self):
        if not self.stack:
            raise UnpicklingError("pickle stack underflow (malformed pickle)")
        return self.stack[-1]

    def pop_mark(self) -> list:
        if not self.marks:
            raise UnpicklingError("pickle has no MARK to pop to (malformed pickle)")
        items, self.stack = self.stack, self.marks.pop()
        return items

    # --- names, calls, objects ------------------------------------------------------------------
    def find_global(self, module: str, name: str):
        module = _OLD_MODULE_NAMES.get(module, module)
        return torch_names.lookup(f"{module}.{name}")

    def is_user_global(self, obj) -> bool:
        return id(obj) in self.user_globals

    def reduce(self, func, args):
        if type(args) is not tuple:
            raise UnpicklingError(f"REDUCE arguments must be a tuple, got {type(args).__name__}")
        if self.is_user_global(func):
            return call_user_code(func, *args)
        if id(func) not in self.builtin_callables:
            raise UnpicklingError(f"Trying to call reduce for unrecognized function {func!r}")
        try:
            return func(*args)
        except (TypeError, ValueError) as err:  # wrong arguments for OrderedDict, Size, ...
            raise UnpicklingError(f"bad arguments for {getattr(func, '__name__', func)}: {err}") from None

    def new_object(self, cls, args):
        from ..nn.parameter import Parameter
        if type(args) is not tuple:
            raise UnpicklingError(f"NEWOBJ arguments must be a tuple, got {type(args).__name__}")
        if cls is Parameter:  # Parameter(data, requires_grad=True)
            if not 1 <= len(args) <= 2:
                raise UnpicklingError(f"Parameter takes data and requires_grad, got {len(args)} arguments")
            return rebuild.rebuild_parameter(args[0], args[1] if len(args) == 2 else True, None)
        if self.is_user_global(cls) and isinstance(cls, type):
            return call_user_code(cls.__new__, cls, *args)
        raise UnpicklingError("Can only create new object for nn.Parameter or classes allowlisted "
                              f"via `add_safe_globals` but got {cls!r}")

    def build(self, target, state) -> None:
        if type(target) is collections.OrderedDict:
            rebuild.build_ordered_dict(target, state)
        elif self.is_user_global(type(target)):
            call_user_code(_set_state, target, state)
        else:
            raise UnpicklingError("Can only build Tensor, Parameter, OrderedDict or types "
                                  f"allowlisted via `add_safe_globals`, but got {type(target)}")

    def set_items(self, target, items: list, opcode: str) -> None:
        if type(target) not in (dict, collections.OrderedDict, collections.Counter):
            raise UnpicklingError(f"Can only {opcode} for dict, collections.OrderedDict, "
                                  f"collections.Counter, but got {type(target)}")
        if len(items) % 2:
            raise UnpicklingError(f"{opcode} needs key/value pairs, got an odd number of items")
        try:
            for i in range(0, len(items), 2):
                target[items[i]] = items[i + 1]
        except TypeError as err:  # an unhashable key
            raise UnpicklingError(f"{opcode}: {err}") from None

    def persistent(self, pid):
        if self.persistent_load is None:
            raise UnpicklingError("unsupported persistent id encountered")
        if type(pid) is not tuple and type(pid) is not int:
            raise UnpicklingError(f"persistent_load id must be tuple or int, but got {type(pid)}")
        return self.persistent_load(pid)

    # --- the opcode loop ----------------------------------------------------------------------
    def load(self):
        """Run the pickle to its STOP. A stray Python error from a malformed program becomes an
        UnpicklingError; an error from the user's own code comes out unchanged."""
        try:
            return self._run()
        except FromUserCode as carried:
            raise carried.error from None
        except (TypeError, ValueError, KeyError, IndexError, struct.error, OverflowError) as err:
            raise UnpicklingError(f"malformed pickle ({type(err).__name__}: {err})") from None

    def _run(self):
        while True:
            if self.position >= len(self.data):
                raise UnpicklingError("pickle data was truncated (no STOP opcode)")
            code = self.data[self.position]
            self.position += 1
            handler = _OPCODES.get(code)
            if handler is None:
                raise UnpicklingError(f"Unsupported operand {code}")
            if handler(self) is _STOP:
                return self.pop()


def _set_state(target, state) -> None:
    """What ``pickle`` does for BUILD, on a type the user allowlisted."""
    if getattr(type(target), "__setstate__", None) is not None:
        target.__setstate__(state)
        return
    slot_state = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slot_state = state
    if state:
        target.__dict__.update(state)
    if slot_state:
        for name, value in slot_state.items():
            setattr(target, name, value)


_STOP = object()


def _push(value_of: Callable[["WeightsOnlyUnpickler"], Any]):
    def handler(u):
        value = value_of(u)  # first: it may pop to a MARK, which replaces u.stack
        u.stack.append(value)
    return handler


def _mark(u):
    u.marks.append(u.stack)
    u.stack = []


def _global(u):
    u.stack.append(u.find_global(u.read_line(), u.read_line()))


def _stack_global(u):
    name, module = u.pop(), u.pop()
    if type(module) is not str or type(name) is not str:
        raise UnpicklingError("STACK_GLOBAL needs two strings")
    u.stack.append(u.find_global(module, name))


def _reduce(u):
    args = u.pop()
    u.stack.append(u.reduce(u.pop(), args))


def _newobj(u):
    args = u.pop()
    u.stack.append(u.new_object(u.pop(), args))


def _build(u):
    state = u.pop()
    u.build(u.top(), state)


def _append(u):
    item = u.pop()
    if type(u.top()) is not list:
        raise UnpicklingError(f"Can only append to lists, but got {type(u.top())}")
    u.top().append(item)


def _appends(u):
    items = u.pop_mark()
    if type(u.top()) is not list:
        raise UnpicklingError(f"Can only extend lists, but got {type(u.top())}")
    u.top().extend(items)


def _additems(u):
    items = u.pop_mark()
    if type(u.top()) is not set:
        raise UnpicklingError(f"Can only add items to sets, but got {type(u.top())}")
    try:
        u.top().update(items)
    except TypeError as err:
        raise UnpicklingError(f"ADDITEMS: {err}") from None


def _setitem(u):
    value, key = u.pop(), u.pop()
    u.set_items(u.top(), [key, value], "SETITEM")


def _setitems(u):
    items = u.pop_mark()
    u.set_items(u.top(), items, "SETITEMS")


def _tuple_of(n: int):
    def handler(u):
        if len(u.stack) < n:
            raise UnpicklingError("pickle stack underflow (malformed pickle)")
        items = tuple(u.stack[len(u.stack) - n:])
        del u.stack[len(u.stack) - n:]
        u.stack.append(items)
    return handler


def _get(index_of):
    def handler(u):
        index = index_of(u)
        if index not in u.memo:
            raise UnpicklingError(f"Memo value not found at index {index}")
        u.stack.append(u.memo[index])
    return handler


def _put(index_of):
    def handler(u):
        u.memo[index_of(u)] = u.top()
    return handler


def _persid(u):
    u.stack.append(u.persistent(u.pop()))


def _proto(u):
    if u.read(1)[0] > 5:
        raise UnpicklingError(f"unsupported pickle protocol: {u.data[u.position - 1]}")


def _long1(u):
    return int.from_bytes(u.read(u.read(1)[0]), "little", signed=True)



_OPCODES: dict[int, Callable[[WeightsOnlyUnpickler], Any]] = {
    0x80: _proto,                                                    # PROTO
    0x95: lambda u: u.read(8),                                       # FRAME (a length hint)
    ord("."): lambda u: _STOP,                                       # STOP
    ord("("): _mark,                                                 # MARK
    ord("N"): _push(lambda u: None),                                 # NONE
    0x88: _push(lambda u: True),                                     # NEWTRUE
    0x89: _push(lambda u: False),                                    # NEWFALSE
    ord("J"): _push(lambda u: u.read_int("<i")),                     # BININT
    ord("K"): _push(lambda u: u.read(1)[0]),                         # BININT1
    ord("M"): _push(lambda u: u.read_int("<H")),                     # BININT2
    0x8a: _push(_long1),                                             # LONG1
    ord("G"): _push(lambda u: struct.unpack(">d", u.read(8))[0]),    # BINFLOAT
    ord("X"): _push(lambda u: u.read_text(u.read_int("<I"))),           # BINUNICODE
    0x8c: _push(lambda u: u.read_text(u.read(1)[0])),                   # SHORT_BINUNICODE
    ord("U"): _push(lambda u: u.read_text(u.read(1)[0])),         # SHORT_BINSTRING
    ord("B"): _push(lambda u: u.read(u.read_int("<I"))),             # BINBYTES
    ord("C"): _push(lambda u: u.read(u.read(1)[0])),                 # SHORT_BINBYTES
    ord(")"): _push(lambda u: ()),                                   # EMPTY_TUPLE
    ord("t"): _push(lambda u: tuple(u.pop_mark())),                  # TUPLE
    0x85: _tuple_of(1),                                              # TUPLE1
    0x86: _tuple_of(2),                                              # TUPLE2
    0x87: _tuple_of(3),                                              # TUPLE3
    ord("]"): _push(lambda u: []),                                   # EMPTY_LIST
    ord("a"): _append,                                               # APPEND
    ord("e"): _appends,                                              # APPENDS
    ord("}"): _push(lambda u: {}),                                   # EMPTY_DICT
    ord("s"): _setitem,                                              # SETITEM
    ord("u"): _setitems,                                             # SETITEMS
    0x8f: _push(lambda u: set()),                                    # EMPTY_SET
    0x90: _additems,                                                 # ADDITEMS
    ord("c"): _global,                                               # GLOBAL
    0x93: _stack_global,                                             # STACK_GLOBAL
    ord("R"): _reduce,                                               # REDUCE
    0x81: _newobj,                                                   # NEWOBJ
    ord("b"): _build,                                                # BUILD
    ord("Q"): _persid,                                               # BINPERSID
    ord("h"): _get(lambda u: u.read(1)[0]),                          # BINGET
    ord("j"): _get(lambda u: u.read_int("<I")),                      # LONG_BINGET
    ord("q"): _put(lambda u: u.read(1)[0]),                          # BINPUT
    ord("r"): _put(lambda u: u.read_int("<I")),                      # LONG_BINPUT
    0x94: _put(lambda u: len(u.memo)),                               # MEMOIZE
}
