"""Writing ``data.pkl`` the way ``torch.save`` does, without importing torch.

PyTorch's unpickler rebuilds a tensor from the call ``torch._utils._rebuild_tensor_v2(storage,
offset, size, stride, requires_grad, OrderedDict())``, where ``storage`` is a persistent id
``('storage', torch.FloatStorage, key, location, numel)`` naming the member ``data/<key>``.
This pickler writes exactly that for every minitorch tensor, and PyTorch's names for dtypes,
``Size`` and ``device``; everything else is pickled as Python pickles it (protocol 2).

A pickle names a function by ``GLOBAL module name``; Python's pickler checks the name by
importing it, which would need torch. ``TorchName`` is a stand-in that writes the GLOBAL
opcode directly, so the file names PyTorch's functions and minitorch never imports them.
"""
from __future__ import annotations

import collections
import io
import pickle

import numpy as np

from .. import backend
from ..types import dtypes as _dtype
from ..types.devices import device
from ..types.size import Size
from ..tensor import Tensor
from .torch_names import STORAGE_CLASS_BY_DTYPE


class TorchName:
    """A name in the ``torch`` package, written into the pickle as a GLOBAL."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle requires a reduce function to be callable; never called
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints only")


REBUILD_TENSOR = TorchName("torch._utils", "_rebuild_tensor_v2")
REBUILD_PARAMETER = TorchName("torch._utils", "_rebuild_parameter")
SIZE, DEVICE = TorchName("torch", "Size"), TorchName("torch", "device")
DTYPE_NAMES = {dt: TorchName("torch", dt.name) for dt in STORAGE_CLASS_BY_DTYPE}
STORAGE_CLASSES = {dt: TorchName("torch", cls) for dt, cls in STORAGE_CLASS_BY_DTYPE.items()}


class SavedStorage:
    """One storage to write: a flat array that the saved tensors are views of."""

    def __init__(self, key: str, array: np.ndarray, location: str):
        self.key, self.array, self.location = key, array, location


class StorageTable:
    """Finds the storage each tensor views, so views of one array share one storage.

    A NumPy view keeps its base array in ``.base``; following the chain gives the array that
    owns the memory. If that owner is one contiguous block, it is the storage and the tensor is
    described by an offset and strides into it, as PyTorch describes views. Otherwise (a CuPy
    array, negative strides, an owner with gaps) the tensor gets a contiguous copy of its own.
    """

    def __init__(self):
        self.storages: list[SavedStorage] = []
        self.by_owner: dict[int, SavedStorage] = {}
        self.keep_alive: list = []  # ids stay unique while the objects live

    def _new(self, flat: np.ndarray, location: str, owner_id: int | None) -> SavedStorage:
        storage = SavedStorage(str(len(self.storages)), flat, location)
        self.storages.append(storage)
        if owner_id is not None:
            self.by_owner[owner_id] = storage
        return storage

    def describe(self, tensor: Tensor) -> tuple[SavedStorage, int, tuple, tuple]:
        """``(storage, offset, size, stride)`` of the tensor, in elements."""
        array, location = tensor._data, str(tensor.device)
        if type(array) is not np.ndarray:  # on a GPU: saved from a host copy
            array = backend.to_numpy(array)
        owner = _memory_owner(array)
        itemsize = array.itemsize
        start = array.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
        if (owner.flags.c_contiguous or owner.flags.f_contiguous) and owner.nbytes % itemsize == 0 \
                and start % itemsize == 0 and all(s >= 0 and s % itemsize == 0 for s in array.strides):
            storage = self.by_owner.get(id(owner))
            if storage is None:
                self.keep_alive.append(owner)
                flat = owner.ravel(order="K").view(np.uint8).view(array.dtype)
                storage = self._new(flat, location, id(owner))
            elif storage.array.dtype != array.dtype:
                raise RuntimeError("Cannot save multiple tensors or storages that view the same "
                                   "data as different types")
            return storage, start // itemsize, array.shape, tuple(s // itemsize for s in array.strides)
        copy = np.ascontiguousarray(array)
        storage = self._new(copy.reshape(-1), location, None)
        return storage, 0, array.shape, tuple(s // itemsize for s in copy.strides)


def _memory_owner(array: np.ndarray) -> np.ndarray:
    """The array that owns ``array``'s memory, up its chain of ``.base``s. Views made by
    ``as_strided`` and ``broadcast_to`` (minitorch's view of a strided tensor, ``expand``) keep
    their input behind a NumPy DummyArray, whose own ``.base`` continues the chain."""
    owner = array
    while True:
        base = owner.base
        if not isinstance(base, np.ndarray):
            base = getattr(base, "base", None)  # a DummyArray, or nothing more to follow
            if not isinstance(base, np.ndarray):
                return owner
        owner = base


class _TensorData:
    """A Parameter's data, pickled as a plain tensor inside ``_rebuild_parameter(...)``."""

    def __init__(self, tensor: Tensor):
        self.tensor = tensor


class TorchPickler(pickle._Pickler):  # the Python implementation: its dispatch can be extended
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, storages: StorageTable):
        super().__init__(file, protocol=2)
        self.storages = storages
        self.data_wrappers: dict[int, _TensorData] = {}

    def save_torch_name(self, name: TorchName) -> None:
        self.write(pickle.GLOBAL + f"{name.module}\n{name.name}\n".encode("utf-8"))
        self.memoize(name)

    dispatch[TorchName] = save_torch_name

    def save_dtype(self, dt: _dtype.dtype) -> None:
        self.save_torch_name(DTYPE_NAMES[dt])

    dispatch[_dtype.dtype] = save_dtype

    def persistent_id(self, obj):
        if isinstance(obj, SavedStorage):
            return ("storage", STORAGE_CLASSES[_dtype.from_numpy_dtype(obj.array.dtype)],
                    obj.key, obj.location, obj.array.shape[0])
        return None

    def reducer_override(self, obj):
        from ..nn.parameter import Parameter
        if isinstance(obj, Parameter):
            data = self.data_wrappers.setdefault(id(obj), _TensorData(obj))
            return REBUILD_PARAMETER, (data, obj.requires_grad, collections.OrderedDict())
        if isinstance(obj, (Tensor, _TensorData)):
            tensor = obj.tensor if isinstance(obj, _TensorData) else obj
            requires_grad = tensor.requires_grad and not isinstance(obj, _TensorData)
            storage, offset, size, stride = self.storages.describe(tensor)
            return REBUILD_TENSOR, (storage, offset, tuple(size), stride, requires_grad,
                                    collections.OrderedDict())
        if isinstance(obj, Size):
            return SIZE, (tuple(obj),)
        if isinstance(obj, device):
            return DEVICE, (str(obj),)
        return NotImplemented


def pickle_object(obj) -> tuple[bytes, list[SavedStorage]]:
    """``obj`` as PyTorch's ``data.pkl``, and the storages it refers to."""
    storages = StorageTable()
    buffer = io.BytesIO()
    TorchPickler(buffer, storages).dump(obj)
    return buffer.getvalue(), storages.storages
