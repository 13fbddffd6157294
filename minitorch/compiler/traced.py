"""``Traced``: a NumPy array whose every operation is written down while a trace runs.

Everything minitorch computes ends in NumPy calls on ``tensor._data``. During a trace each
tensor's array is swapped for a ``Traced`` view of the same memory, and NumPy's own
protocols hand every operation on it to us: ``__array_ufunc__`` (``a + b``, ``np.exp``,
``a.sum()``, in-place ``out=`` forms), ``__array_function__`` (``np.concatenate``,
``np.where``...), plus the methods below (``reshape``, ``a[i]``, ``a[i] = v``...). Each
operation runs on plain arrays, its result is wrapped again, and the call is noted as one
line of the program: ``r12 = np.matmul(r7, r3)``.

An array made by NumPy in a way we did not see (a view from a method not listed here) has
no name in the program; using it stops the trace (the step then stays eager).
"""
from __future__ import annotations

import numpy as np

_active = None   # the Trace being recorded, if any


def active():
    return _active


def set_active(trace) -> None:
    global _active
    _active = trace


class Traced(np.ndarray):
    """An array that the active trace knows by a name (``_slot``)."""

    def __array_finalize__(self, obj):
        # a view or copy NumPy made on its own: not (yet) named in the program
        self._slot = None
        self._trace = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        function = ufunc if method == "__call__" else getattr(ufunc, method)
        return record(function, inputs, kwargs, writes=_ufunc_writes(method, inputs, kwargs))

    def __array_function__(self, func, types, args, kwargs):
        return record(func, args, kwargs, writes=_function_writes(func, args, kwargs))

    # what Python code reads back from an array: numbers the trace keeps symbolic
    def item(self, *index):
        return _read(self, "item", index)

    def tolist(self):
        return _read(self, "tolist", ())

    def __float__(self):
        return float(_read(self, "item", ()))

    def __int__(self):
        return int(_read(self, "item", ()))

    __index__ = __int__

    def __bool__(self):
        return bool(_read(self, "item", ()))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def T(self):  # noqa: N802 (NumPy's name)
        return self.transpose()


# Methods that make a new array (or a view): recorded as ``r5 = r3.reshape(...)``.
_METHODS = ("reshape", "transpose", "swapaxes", "squeeze", "ravel", "flatten", "copy", "astype",
            "view", "take", "repeat", "cumsum", "cumprod", "argmax", "argmin", "argsort",
            "nonzero", "clip", "round", "dot", "diagonal", "searchsorted", "compress", "conj",
            "__getitem__", "__copy__", "__deepcopy__", "max", "min", "sum", "mean", "prod", "std",
            "var", "any", "all", "trace", "choose", "byteswap")
# Methods that write into the array itself: recorded as lines with a side effect.
_WRITING_METHODS = ("__setitem__", "fill", "sort", "partition", "put", "resize")


def _method(name: str, writes: bool):
    base = getattr(np.ndarray, name)

    def method(self, *args, **kwargs):
        return record(base, (self,) + args, kwargs, writes=(self,) if writes else ())
    method.__name__ = name
    return method


for _name in _METHODS:
    setattr(Traced, _name, _method(_name, writes=False))
for _name in _WRITING_METHODS:
    setattr(Traced, _name, _method(_name, writes=True))


def _ufunc_writes(method: str, inputs, kwargs) -> tuple:
    out = kwargs.get("out")
    written = () if out is None else out if type(out) is tuple else (out,)
    if method == "at":  # np.add.at(target, index, values) adds into target
        written = written + (inputs[0],)
    return written


_WRITING_FUNCTIONS = {"copyto": 0, "put": 0, "place": 0, "putmask": 0, "put_along_axis": 0,
                      "fill_diagonal": 0}


def _function_writes(func, args, kwargs) -> tuple:
    written = kwargs.get("out")
    written = () if written is None else written if type(written) is tuple else (written,)
    position = _WRITING_FUNCTIONS.get(getattr(func, "__name__", ""))
    if position is not None and len(args) > position:
        written = written + (args[position],)
    return written


_SIMPLE = (int, float, bool, str, type(None))


def plain(value):
    """``value`` with every Traced array as a plain ndarray view, and every symbolic number as
    a plain Python number (NumPy treats a float subclass as float64, not as a Python float)."""
    kind = type(value)
    if kind is Traced:
        return _unwrapped(value)
    if kind in _SIMPLE or kind is np.ndarray:
        return value
    if kind in (tuple, list):
        return type(value)(plain(v) for v in value)
    if type(value) is dict:
        return {k: plain(v) for k, v in value.items()}
    number = getattr(value, "_number", None)
    return number() if number is not None else value


def _unwrapped(array: Traced) -> np.ndarray:
    """The plain array a Traced one wraps (the same object, so that a tensor gets its own
    array back), or a plain view of one NumPy made."""
    wrapped = array.__dict__.get("_plain")
    return wrapped if wrapped is not None else np.ndarray.view(array, np.ndarray)


def record(function, args, kwargs, writes=()):
    """Run ``function`` on plain arrays; while a trace records, note the call and name its
    result(s). (After a trace, a leftover Traced array just behaves as a plain one.)"""
    trace = _active
    if trace is None or not trace.recording or trace.inside:
        return function(*plain(args), **plain(kwargs))
    trace.inside = True  # what NumPy calls on the way (np.asarray...) is part of this line
    try:
        plain_args = plain(args)
        result = function(*plain_args, **plain(kwargs))
    finally:
        trace.inside = False
    if not writes and type(result) is np.ndarray:
        for original, given in zip(args, plain_args):
            if result is given and type(original) is Traced:
                return original  # (x.astype(its own dtype, copy=False) is x: no line at all)
    return trace.call(function, args, kwargs, result, writes)


def _read(array, how: str, index):
    value = getattr(np.ndarray.view(array, np.ndarray), how)(*index)
    trace = _active
    if trace is None or not trace.recording or trace.inside:
        return value
    return trace.read(array, how, index, value)


# NumPy functions that make arrays from nothing traced (np.zeros) or that hand back a plain
# view of a traced array (np.asarray): while a trace records, each is replaced by a version
# that records its call, so that a buffer made inside an op and filled later is a named
# array of the program (made again at each replay), not a frozen constant.
_MAKERS = ((np, ("asarray", "asanyarray", "ascontiguousarray", "array", "zeros", "ones",
                  "empty", "full", "zeros_like", "ones_like", "empty_like", "full_like",
                  "arange", "eye", "linspace", "frombuffer")),
           # a view with any strides: NumPy builds it from a raw pointer we must not freeze
           (np.lib.stride_tricks, ("as_strided",)))
_originals: list = []


STATE = "state"  # in ``writes``: the call changes state outside the arrays (a generator's)


def _maker(original, writes=None):
    def make(*args, **kwargs):
        if _active is None or not _active.recording or _active.inside:
            return original(*args, **kwargs)
        written = (() if writes is None else (STATE,) if writes == STATE
                   else tuple(args[i] for i in writes))
        return record(original, args, kwargs, writes=written)
    make.__name__ = original.__name__
    make.__wrapped__ = original
    return make


def _minitorch_kernels():
    """minitorch functions that are one line each, run again at every replay: the random
    draws (dropout's mask, randn...: fresh numbers from the generator, as the eager step
    would draw) and seeding, and ``backend.scatter_add`` (it adds into its first argument;
    its fast version picks its method from the ids it is given, so its inside is not one
    program); and the C kernels of minitorch/fast (they write into arrays they are given,
    by address: NumPy never sees it). ``writes``: the positions of the arguments written.
    """
    from .. import REFERENCE_MODE, backend
    from ..random import generator, kernels
    makers = [(kernels, ("uniform", "random_full", "random_from_to", "randperm", "normal",
                         "exponential"), None),
              (generator.Generator, ("manual_seed",), STATE),
              (backend, ("scatter_add",), (0,))]
    if not REFERENCE_MODE:  # (where the accelerations are installed)
        from ..fast import lstm_steps
        makers += [(lstm_steps, (name,), writes) for name, writes in lstm_steps.WRITES.items()]
    return tuple(makers)


def patch_numpy() -> None:
    for module, names, writes in tuple((m, n, None) for m, n in _MAKERS) + _minitorch_kernels():
        for name in names:
            original = getattr(module, name)
            _originals.append((module, name, original))
            setattr(module, name, _maker(original, writes))


def unpatch_numpy() -> None:
    for module, name, original in _originals:
        setattr(module, name, original)
    _originals.clear()
