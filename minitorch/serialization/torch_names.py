"""The names PyTorch writes into a checkpoint's pickle, and what each one means in minitorch.

A ``torch.save`` pickle refers to functions and classes by name (``GLOBAL
torch._utils _rebuild_tensor_v2``). minitorch writes the same names, so PyTorch reads its
files, and maps them back to its own objects when reading, so it reads PyTorch's. With
``weights_only=True`` these names, plus what the user adds with :func:`add_safe_globals`,
are the only ones the unpickler will look up: nothing is ever imported by name.
"""
from __future__ import annotations

import collections
import types
from typing import Any, Callable

from ..types import dtypes as _dtype
from ..tensor import Tensor
from . import rebuild
from .errors import UnpicklingError

# PyTorch's storage class for each dtype: the pickle names a storage by its class.
STORAGE_CLASS_BY_DTYPE = {
    _dtype.float32: "FloatStorage", _dtype.float64: "DoubleStorage", _dtype.float16: "HalfStorage",
    _dtype.int64: "LongStorage", _dtype.int32: "IntStorage", _dtype.int16: "ShortStorage",
    _dtype.int8: "CharStorage", _dtype.uint8: "ByteStorage", _dtype.bool_: "BoolStorage",
}

# Modules never looked up, even when a user allowlists something in them (as in PyTorch).
BLOCKED_MODULES = ("sys", "os", "posix", "nt")

# Tensor kinds PyTorch can store and minitorch cannot represent: loading them says so.
_UNSUPPORTED = {
    "torch._utils._rebuild_qtensor": "quantized tensors",
    "torch._utils._rebuild_sparse_tensor": "sparse tensors",
    "torch._utils._rebuild_meta_tensor_no_storage": "meta tensors",
    "torch._utils._rebuild_nested_tensor": "nested tensors",
    "torch._utils._rebuild_wrapper_subclass": "tensor subclasses",
    "torch._utils._rebuild_device_tensor_from_numpy": "tensors on devices other than cpu/cuda",
    "torch._utils._rebuild_device_tensor_from_cpu_tensor": "tensors on devices other than cpu/cuda",
    "torch.serialization._get_layout": "tensor layouts other than strided",
    "torch.UntypedStorage": "bare storages",
    "torch.storage.TypedStorage": "bare storages",
}
for _name in ("bfloat16", "complex32", "complex64", "complex128", "uint16", "uint32", "uint64",
              "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz"):
    _UNSUPPORTED[f"torch.{_name}"] = f"the dtype {_name}"
for _name in ("BFloat16Storage", "ComplexFloatStorage", "ComplexDoubleStorage"):
    _UNSUPPORTED[f"torch.{_name}"] = f"{_name} (its dtype)"


def _builtin_table() -> dict[str, Any]:
    from ..nn.parameter import Parameter  # late: nn is built on top of this package
    table: dict[str, Any] = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Size": rebuild.make_size,
        "torch.Tensor": Tensor,
        "torch.device": rebuild.make_device,
        "torch._utils._rebuild_tensor": rebuild.rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": rebuild.rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": rebuild.rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": rebuild.rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": rebuild.rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": rebuild.rebuild_from_type_v2,
        "_codecs.encode": rebuild.encode_bytes,
        "builtins.bytearray": rebuild.make_bytearray,
        "builtins.set": rebuild.make_set,
        "builtins.complex": rebuild.make_complex,
    }
    for dt, storage_class in STORAGE_CLASS_BY_DTYPE.items():
        table[f"torch.{dt.name}"] = dt
        table[f"torch.{storage_class}"] = rebuild.StorageType(dt)
    return table


_table: dict[str, Any] | None = None


def builtin_globals() -> dict[str, Any]:
    """PyTorch's default allowlist, as minitorch objects (built on first use)."""
    global _table
    if _table is None:
        _table = _builtin_table()
    return _table


def builtin_callables() -> list:
    """What a weights-only REDUCE may call: the rebuild functions and safe constructors. Not
    the classes Tensor or Parameter (``Tensor(2**40)`` would allocate) nor dtypes."""
    return [v for v in builtin_globals().values()
            if isinstance(v, types.FunctionType) or v in (collections.OrderedDict, collections.Counter)]


def unsupported_reason(full_name: str) -> str | None:
    return _UNSUPPORTED.get(full_name)


# --- the user's additions (``add_safe_globals``) ------------------------------------------------

_user_globals: set = set()


def _user_table() -> dict[str, Any]:
    table = {}
    for entry in _user_globals:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full path), "
                                 f"but got tuple of length: {len(entry)}")
            if type(entry[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full path, "
                                f"but got: {type(entry[1])}")
            table[entry[1]] = entry[0]
        else:
            table[f"{entry.__module__}.{entry.__qualname__}"] = entry
    return table


def user_globals() -> dict[str, Any]:
    return _user_table()


def add_safe_globals(safe_globals: list[Callable | tuple[Callable, str]]) -> None:
    """Allow ``load(weights_only=True)`` to build these classes and call these functions.

    Each entry is a class or function, named in the file as ``{__module__}.{__qualname__}``,
    or a pair ``(obj, "full.name")`` when the file uses another name.

    Example::

        >>> minitorch.serialization.add_safe_globals([MyModel, nn.Linear])
        >>> model = minitorch.load("model.pt")
    """
    _user_globals.update(safe_globals)


def get_safe_globals() -> list[Callable | tuple[Callable, str]]:
    """What :func:`add_safe_globals` has allowed so far."""
    return list(_user_globals)


def clear_safe_globals() -> None:
    """Forget everything :func:`add_safe_globals` allowed."""
    _user_globals.clear()


class safe_globals:
    """``with safe_globals([...]):`` allows these globals inside the block only.

    Example::

        >>> with minitorch.serialization.safe_globals([MyModel]):
        ...     model = minitorch.load("model.pt")
    """

    def __init__(self, safe_globals: list[Callable | tuple[Callable, str]]):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self._added = [g for g in self.safe_globals if g not in _user_globals]
        _user_globals.update(self._added)

    def __exit__(self, *exc_info):
        _user_globals.difference_update(self._added)


def not_allowed_message(full_name: str) -> str:
    """PyTorch's wording, with minitorch's function names, for a global that is not allowed."""
    shown = full_name[len("builtins."):] if full_name.startswith("builtins.") else full_name
    return (f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please use "
            f"`minitorch.serialization.add_safe_globals([{shown}])` or the "
            f"`minitorch.serialization.safe_globals([{shown}])` context manager to allowlist this "
            "global if you trust this class/function.")


def lookup(full_name: str) -> Any:
    """The object a weights-only load may use for ``full_name``; UnpicklingError otherwise."""
    module = full_name.rpartition(".")[0]
    if module.split(".")[0] in BLOCKED_MODULES:
        raise UnpicklingError(f"Trying to load unsupported GLOBAL {full_name} whose module "
                              f"{module} is blocked.")
    table = builtin_globals()
    if full_name in table:
        return table[full_name]
    users = user_globals()
    if full_name in users:
        return users[full_name]
    reason = unsupported_reason(full_name)
    if reason is not None:
        raise NotImplementedError(f"minitorch.load: the file holds {reason} ({full_name}), which "
                                  "minitorch does not support")
    raise UnpicklingError(not_allowed_message(full_name))
