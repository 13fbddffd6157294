"""Collation: turning a list of samples into one batch.

``default_collate`` follows the structure of the first sample, recursively:

======================================  ============================================
samples are                             the batch is
======================================  ============================================
tensors                                 one tensor, stacked along a new first dim
NumPy arrays / NumPy scalars            one tensor (the array's dtype)
Python floats / ints / bools            a float64 / int64 / bool tensor
strings (or bytes)                      left as they are (the sequence of them)
dicts                                   a dict of collated values, key by key
named tuples                            the same named tuple of collated fields
tuples / lists                          a list of collated positions (``zip(*batch)``)
======================================  ============================================
"""
from __future__ import annotations

import collections.abc

import numpy as np

from ... import backend
from ...tensor import Tensor

_BAD_TYPE = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
             "lists; found {}")


def _stack(tensors: list[Tensor]) -> Tensor:
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                           f"{sorted(shapes)} in the batch")
    if any(t.requires_grad for t in tensors):
        import minitorch  # the differentiable stack, so gradients reach the samples
        return minitorch.stack(tensors, 0)
    xp = backend.namespace(tensors[0]._data)
    return Tensor._from_array(xp.stack([t._data for t in tensors]))


def _is_namedtuple(obj) -> bool:
    return isinstance(obj, tuple) and hasattr(obj, "_fields")


def default_collate(batch):
    """Combine a list of samples into a batch (see the module docstring for the rules).

    Example::

        >>> default_collate([(minitorch.tensor([1., 2.]), 0), (minitorch.tensor([3., 4.]), 1)])
        [tensor([[1., 2.],
                [3., 4.]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        if elem.dtype.kind in "USOV":
            raise TypeError(_BAD_TYPE.format(elem.dtype))
        if isinstance(elem, np.ndarray):
            return _stack([Tensor._from_array(np.asarray(x)) for x in batch])
        return Tensor._from_array(np.array(batch, dtype=elem.dtype))
    if isinstance(elem, bool):
        return Tensor._from_array(np.array(batch, dtype=np.bool_))
    if isinstance(elem, float):
        return Tensor._from_array(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        return Tensor._from_array(np.array(batch, dtype=np.int64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:  # a Mapping type that cannot be built from a dict
            return collated
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(position) for position in zip(*batch)]
    raise TypeError(_BAD_TYPE.format(type(elem)))


def default_convert(data):
    """What the DataLoader does to each sample when batching is off (``batch_size=None``):
    NumPy arrays become tensors, containers are converted inside, everything else is kept."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "USOV":
        return Tensor._from_array(data)
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_)):
        return Tensor._from_array(np.asarray(data))
    if isinstance(data, (Tensor, str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(value) for key, value in data.items()}
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
