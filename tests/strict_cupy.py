"""A strict stand-in for CuPy on the CPU, for tests only (``MINITORCH_TEST_DEVICE=strict``).

The mistakes that break minitorch on a GPU are visible without one: a NumPy call on a device
array, a NumPy array mixed into device arithmetic, ``np.ascontiguousarray``, a host round-trip
in a loop. NumPy forgives all of them; CuPy does not. ``install()`` puts this module in
``sys.modules['cupy']``, so minitorch's 'cuda' device runs exactly the code it runs with CuPy,
on arrays that keep CuPy's rules (those of CuPy 14):

- no implicit conversion: ``np.asarray(a)`` raises CuPy's TypeError (``__array__``);
- no mixing: a ufunc or namespace function given a ``numpy.ndarray`` raises
  ``TypeError: Unsupported type <class 'numpy.ndarray'>`` (``a + np_array`` too);
- results stay on the device: reductions and ``a[i]`` give 0-d arrays, never NumPy scalars;
- a NumPy function called on device arrays runs the namespace's function of the same name
  when CuPy has one (``__array_function__``), else TypeError; so do the NumPy names CuPy
  lacks (``xp.errstate``...), and the array attributes it lacks (``flags.writeable``,
  ``__array_interface__``, ``ctypes``, ``resize``...);
- ``.device``, ``.data.ptr``, ``.flags`` (c_contiguous, f_contiguous, owndata) as CuPy's;
- every copy between host and device is counted in ``transfers``: to the host (``.get()``,
  ``asnumpy``, ``item``, ``tolist``, ``float()``/``int()``/``bool()``, printing, and the
  data-dependent shapes that make CuPy wait for the GPU: ``nonzero``, ``unique``, boolean
  masks) and to the device (``asarray`` of host data, NumPy arrays used as indices or values).
"""
from __future__ import annotations

import collections
import functools
import sys
import traceback
import types
import weakref

import numpy as np

IMPLICIT_CONVERSION = ("Implicit conversion to a NumPy array is not allowed. "
                       "Please use `.get()` to construct a NumPy array explicitly.")

# NumPy's public names that CuPy 14.2 does not have (dir(numpy) - dir(cupy), NumPy 2.4).
MISSING_IN_CUPY = frozenset("""
    False_ ScalarType True_ asmatrix block bmat busday_count busday_offset busdaycalendar bytes_
    char character clongdouble complex256 core ctypeslib datetime64 datetime_as_string
    datetime_data dtypes einsum_path emath errstate f2py flexible float128 frompyfunc fromregex
    geomspace get_include getbufsize geterr geterrcall histogram_bin_edges info insert is_busday
    isnat little_endian longdouble ma matrix matvec memmap nanpercentile nanquantile ndenumerate
    nditer nested_iters object_ polyder polydiv polyint rec recarray record sctypeDict setbufsize
    seterr seterrcall show_runtime spacing str_ strings test timedelta64 typecodes unstack vecdot
    vecmat void""".split())

# cupy.ndarray's public methods (CuPy 14.2); the rest of numpy.ndarray's raise AttributeError.
METHODS = frozenset("""
    all any argmax argmin argpartition argsort astype byteswap choose clip compress conj
    conjugate copy cumprod cumsum diagonal dot dump dumps fill flatten item max mean min
    nonzero partition prod ptp put ravel repeat reshape round searchsorted sort squeeze std sum
    swapaxes take tobytes tofile tolist trace transpose var view""".split())
TO_HOST_METHODS = frozenset("item tolist tobytes tofile dump dumps nonzero".split())
# Functions whose result size depends on the data: CuPy copies the size back and waits.
TO_HOST_FUNCTIONS = frozenset("nonzero flatnonzero argwhere unique".split())
# Functions that take host data and copy it to the device.
UPLOADS = frozenset("array asarray asanyarray".split())

transfers = collections.Counter()  # 'to_host' and 'to_device' copies since the start
transfer_sites = collections.deque(maxlen=50)  # where the latest transfers happened


def _count(direction: str) -> None:
    transfers[direction] += 1
    callers = [f for f in traceback.extract_stack()[:-2] if f.filename != __file__][-3:]
    transfer_sites.append(f"{direction} at " + " <- ".join(
        f"{f.filename}:{f.lineno} ({f.line})" for f in reversed(callers)))


def snapshot() -> dict:
    """The transfer counts now, to subtract from a later snapshot."""
    return {"to_host": transfers["to_host"], "to_device": transfers["to_device"]}


# --- converting between the wrapper and NumPy at the edge of every call --------------------

def _unwrap(value):
    """The NumPy array inside a device array; NumPy arrays refused, as CuPy's kernels do."""
    if isinstance(value, ndarray):
        return value._array
    if isinstance(value, np.ndarray):
        raise TypeError(f"Unsupported type {type(value)}")
    if type(value) in (list, tuple):
        return type(value)(_unwrap(v) for v in value)
    return value


def _wrap(value):
    """Arrays and NumPy scalars become device arrays (CuPy returns 0-d arrays, not scalars)."""
    if isinstance(value, np.ndarray):
        return ndarray(value)
    if isinstance(value, np.generic):
        return ndarray(np.asarray(value))
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_wrap(v) for v in value))
    if type(value) in (list, tuple):
        return type(value)(_wrap(v) for v in value)
    return value


def _call(function, args, kwargs):
    return _wrap(function(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))


def _index(key):
    """An index for the NumPy array inside: host arrays and lists are uploaded, boolean masks
    make CuPy copy the number of selected elements back to the host."""
    parts = key if type(key) is tuple else (key,)
    converted = []
    for part in parts:
        if isinstance(part, ndarray):
            if part.dtype == np.bool_ and part.ndim > 0:
                _count("to_host")
            converted.append(part._array)
        elif isinstance(part, (np.ndarray, list)):
            _count("to_device")
            converted.append(np.asarray(part))
        else:
            converted.append(part)
    return tuple(converted) if type(key) is tuple else converted[0]


# --- memory: a pool that counts bytes, and CuPy's pointer and flags shapes -----------------

class MemoryPool:
    def __init__(self):
        self._used = 0

    def malloc(self, size):
        self._used += size
        return size

    def free(self, size):
        self._used -= size

    def used_bytes(self):
        return self._used

    def total_bytes(self):
        return self._used

    def free_all_blocks(self):
        pass


_pool = MemoryPool()
_allocator = _pool.malloc
_owners = weakref.WeakValueDictionary()  # id -> NumPy array whose bytes the pool counts


def _track(array: np.ndarray) -> None:
    """Charge an array that owns its memory to the pool (through the allocator, as CuPy's
    allocations go through ``cuda.set_allocator``), and give the bytes back when it dies."""
    if array.base is None and _owners.get(id(array)) is not array:
        _owners[id(array)] = array
        _allocator(array.nbytes)
        weakref.finalize(array, _pool.free, array.nbytes)


class MemoryPointer:
    def __init__(self, ptr, device):
        self.ptr = ptr
        self.device = device


class Flags:
    """CuPy's flags: c_contiguous, f_contiguous and owndata only (no writeable)."""

    def __init__(self, flags):
        self.c_contiguous = flags.c_contiguous
        self.f_contiguous = flags.f_contiguous
        self.owndata = flags.owndata

    def __getitem__(self, name):
        return {"C_CONTIGUOUS": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous,
                "OWNDATA": self.owndata}[name]


# --- the device array ----------------------------------------------------------------------

class ndarray(np.lib.mixins.NDArrayOperatorsMixin):
    """A NumPy array behind CuPy's rules. Operators come from the mixin, as NumPy ufuncs that
    land in ``__array_ufunc__``."""

    __array_priority__ = 100

    def __init__(self, array: np.ndarray):
        self._array = array
        _track(array)

    # attributes
    shape = property(lambda self: self._array.shape)
    dtype = property(lambda self: self._array.dtype)
    ndim = property(lambda self: self._array.ndim)
    size = property(lambda self: self._array.size)
    strides = property(lambda self: self._array.strides)
    itemsize = property(lambda self: self._array.itemsize)
    nbytes = property(lambda self: self._array.nbytes)
    T = property(lambda self: ndarray(self._array.T))
    mT = property(lambda self: ndarray(self._array.mT))
    real = property(lambda self: ndarray(self._array.real))
    imag = property(lambda self: ndarray(self._array.imag))
    flags = property(lambda self: Flags(self._array.flags))
    device = property(lambda self: Device(0))
    data = property(lambda self: MemoryPointer(self._array.__array_interface__["data"][0], Device(0)))

    @property
    def base(self):
        base = self._array.base
        return ndarray(base) if isinstance(base, np.ndarray) else None

    def __getattr__(self, name):
        if name not in METHODS:
            raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")
        method = getattr(self._array, name)

        def call(*args, **kwargs):
            if name in TO_HOST_METHODS:
                _count("to_host")
            return _call(method, args, kwargs)
        return call

    # explicit transfers
    def get(self, stream=None, order="C", out=None, blocking=True):
        _count("to_host")
        return np.array(self._array, order=order)

    def set(self, array, stream=None):
        _count("to_device")
        self._array[...] = array

    def __array__(self, *args, **kwargs):
        raise TypeError(IMPLICIT_CONVERSION)

    def _scalar(self):
        _count("to_host")
        return self._array

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __complex__(self):
        return complex(self._scalar())

    def __bool__(self):
        return bool(self._scalar())

    def __repr__(self):
        return repr(self._scalar())

    def __str__(self):
        return str(self._scalar())

    def __format__(self, spec):
        return format(self._scalar(), spec)

    def __dlpack_device__(self):
        return (2, 0)  # (kDLCUDA, device 0)

    def __dlpack__(self, **kwargs):
        """The memory without a copy, as CuPy's; the capsule itself says host memory."""
        return self._array.__dlpack__(**kwargs)

    def __reduce__(self):
        return (asarray, (self.get(),))

    def __copy__(self):
        return ndarray(self._array.copy())

    def __deepcopy__(self, memo):
        return ndarray(self._array.copy())

    # indexing and iteration
    def __getitem__(self, key):
        return _wrap(self._array[_index(key)])

    def __setitem__(self, key, value):
        if isinstance(value, np.ndarray):
            _count("to_device")
        elif isinstance(value, ndarray):
            value = value._array
        self._array[_index(key)] = value

    def __len__(self):
        return len(self._array)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # NumPy's protocols: ufuncs and functions run here when CuPy has them
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.get("out")
        result = _call(getattr(ufunc, method), inputs, kwargs)
        if out is not None:  # in place: hand back the caller's own arrays
            return out[0] if len(out) == 1 else out
        return result

    def __array_function__(self, func, types, args, kwargs):
        try:  # CuPy's rule: the function of the same name in the same submodule
            own = functools.reduce(getattr, [*func.__module__.split(".")[1:], func.__name__], cupy)
        except AttributeError:
            return NotImplemented  # NumPy then raises TypeError: no implementation found
        return own(*args, **kwargs)


# --- the namespace: NumPy's functions behind the same rules --------------------------------

class Ufunc:
    """A NumPy ufunc that refuses NumPy arrays (``__call__``, ``at``, ``reduce``...)."""

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return _call(self._ufunc, args, kwargs)

    def __getattr__(self, name):
        attribute = getattr(self._ufunc, name)
        if not callable(attribute):
            return attribute
        return lambda *args, **kwargs: _call(attribute, args, kwargs)


def _function(name, function):
    def strict(*args, **kwargs):
        if name in TO_HOST_FUNCTIONS:
            _count("to_host")
        return _call(function, args, kwargs)
    strict.__name__ = name
    return strict


def _upload(function):
    def upload(data, *args, **kwargs):
        if isinstance(data, ndarray):
            return _call(function, (data, *args), kwargs)
        _count("to_device")
        return ndarray(np.array(function(data, *args, **kwargs)))
    return upload


class Namespace(types.ModuleType):
    """``cupy`` (or one of its submodules): NumPy's names, each one made strict on first use."""

    def __init__(self, name, numpy_module):
        super().__init__(name)
        self._numpy = numpy_module

    def __getattr__(self, name):
        if name.startswith("__") or (self._numpy is np and name in MISSING_IN_CUPY):
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")
        value = getattr(self._numpy, name)  # AttributeError as NumPy's
        if isinstance(value, types.ModuleType):
            value = Namespace(f"{self.__name__}.{name}", value)
        elif isinstance(value, np.ufunc):
            value = Ufunc(value)
        elif callable(value) and not isinstance(value, type):
            value = _upload(value) if name in UPLOADS else _function(name, value)
        setattr(self, name, value)
        return value


class Device:
    def __init__(self, device=None):
        self.id = 0 if device is None else int(getattr(device, "id", device))

    def synchronize(self):
        pass

    def use(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return self.id

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


def _set_allocator(allocator=None):
    global _allocator
    _allocator = allocator or _pool.malloc


_runtime = types.SimpleNamespace(
    getDeviceCount=lambda: 1, getDevice=lambda: 0, setDevice=lambda index: None,
    getDeviceProperties=lambda index: {"name": b"strict CuPy stand-in (CPU)",
                                       "totalGlobalMem": 1 << 34})

cupy = Namespace("cupy", np)
cupy.__version__ = "14.2.0-strict"
cupy.__file__ = __file__
cupy.ndarray = ndarray
cupy.cuda = types.SimpleNamespace(runtime=_runtime, Device=Device, set_allocator=_set_allocator,
                                  get_allocator=lambda: _allocator, is_available=lambda: True)
cupy.get_default_memory_pool = lambda: _pool
cupy.get_array_module = lambda *args: cupy if any(isinstance(a, ndarray) for a in args) else np


def asnumpy(a, stream=None, order="C", out=None, blocking=True):
    return a.get(order=order) if isinstance(a, ndarray) else np.asarray(a, order=order)


cupy.asnumpy = asnumpy
cupy.from_dlpack = lambda x, **kwargs: ndarray(np.from_dlpack(x, **kwargs))  # shares, no copy
asarray = cupy.asarray


def install() -> None:
    """Make ``import cupy`` give this stand-in, and minitorch's 'cuda' device use it."""
    sys.modules["cupy"] = cupy
    from minitorch import backend
    backend._cupy_or_reason.cache_clear()
