"""``nn.Parameter``: a tensor that a Module registers as one of its trainable weights.

A Parameter is an ordinary leaf Tensor with one extra meaning: assigning it as a Module
attribute (``self.weight = Parameter(...)``) adds it to ``module.parameters()``, which is
what optimizers and ``state_dict`` walk. It requires grad by default.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..types.devices import device as _device_cls
from ..tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A Tensor that is a module weight.

    Args:
        data: the initial values; the parameter shares its memory (no copy). Default: an
            empty tensor.
        requires_grad: whether the parameter is trained. Default: True.

    Example::

        >>> w = nn.Parameter(minitorch.zeros(2, 3))
        >>> w.requires_grad, isinstance(w, minitorch.Tensor)
        (True, True)
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = Tensor._from_array(np.empty((0,), dtype=np.float32))
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        self._init(data._data, bool(requires_grad))
        # Same memory, same version counter: an in-place change through either is seen by both.
        self._version_box = data._version_box

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        """A new Parameter with copied values and no gradient (PyTorch's Parameter does not
        copy ``.grad``: a cloned layer, as in TransformerEncoder, starts without one)."""
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._from_array(self._data.copy()), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        # pickle keeps the class (Tensor's own reduce would rebuild a plain Tensor)
        return (_rebuild_parameter,
                (backend.to_numpy(self._data), str(self.device), self.requires_grad))


def _rebuild_parameter(array, device_name, requires_grad) -> Parameter:
    data = Tensor._from_array(backend.to_device(array, _device_cls(device_name)))
    return Parameter(data, requires_grad)
