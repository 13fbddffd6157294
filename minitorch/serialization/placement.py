"""``map_location``: where each loaded storage goes, decided by the location saved with it."""
from __future__ import annotations

from typing import Any

from .. import backend
from ..types.devices import device
from ..tensor import Tensor
from .errors import UnpicklingError


def place(array, location: str, map_location: Any):
    """``array`` (a flat CPU array read from the file, saved from ``location``) moved where
    ``map_location`` says: None (back where it was saved), a device or its name, a dict
    ``{saved location: new location}``, or a function ``fn(storage, location)`` that receives
    the storage as a 1-D CPU tensor and returns a tensor (or None to keep it)."""
    target = map_location
    if isinstance(target, dict):
        target = target.get(location, location)
    if callable(target) and not isinstance(target, device):
        result = target(Tensor._from_array(array), location)
        if result is None:
            return array
        if not isinstance(result, Tensor) or result.ndim != 1 or result.numel() != array.shape[0]:
            raise RuntimeError("map_location must return None or a 1-D tensor with as many "
                               f"elements as the storage it received ({array.shape[0]})")
        return result._data
    try:
        dev = device(location if target is None else target)
    except (TypeError, RuntimeError) as err:
        raise UnpicklingError(f"cannot place a storage saved on {location!r}: {err}") from None
    if dev.type == "cuda" and not backend.cuda_available():
        raise RuntimeError("Attempting to deserialize object on a CUDA device but CUDA is not "
                           "available. If you are running on a CPU-only machine, please use "
                           "minitorch.load with map_location='cpu' to map your tensors to the CPU.")
    return backend.to_device(array, dev)
