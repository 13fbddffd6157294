"""Helpers of ``Module.load_state_dict``: reading checkpoint values and writing them."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ... import backend
from ...autograd import grad_mode
from ...tensor import Tensor
from ..parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it could not match."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _as_array(value):
    """The array behind a state_dict value: our Tensor, a NumPy array, or a torch tensor
    (anything with ``detach().cpu().numpy()``); None if it is none of these."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, np.generic):
        return np.asarray(value)
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().cpu().numpy()
    return None


def _copy_into(module, name: str, target: Tensor, value, array, assign: bool) -> None:
    """Write the loaded ``array`` into ``target`` (in place), or with ``assign`` make ``value``
    itself the new parameter/buffer."""
    if assign:
        tensor = value if isinstance(value, Tensor) else Tensor._from_array(
            backend.to_device(np.asarray(array), target.device))
        if name in module._parameters:
            tensor = Parameter(tensor.detach(), requires_grad=target.requires_grad)
            module._parameters[name] = tensor
        else:
            module._buffers[name] = tensor
        return
    if target.device.type != "cpu" or type(array) is not np.ndarray:
        array = backend.to_device(backend.to_numpy(array), target.device)
    with grad_mode.no_grad():
        target._data[...] = array.astype(target._data.dtype, copy=False)
    target._bump_version()
