"""``minitorch.Size``: a tensor's shape, a tuple of ints with PyTorch's repr."""
from __future__ import annotations


class Size(tuple):
    """The shape of a tensor; behaves like a tuple.

    Example::

        >>> minitorch.zeros(2, 3).shape
        minitorch.Size([2, 3])
    """

    __slots__ = ()

    def numel(self) -> int:
        count = 1
        for s in self:
            count *= s
        return count

    def __repr__(self) -> str:
        return f"minitorch.Size({list(self)})"

    def __getitem__(self, key):
        result = tuple.__getitem__(self, key)
        return Size(result) if isinstance(key, slice) else result

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))
