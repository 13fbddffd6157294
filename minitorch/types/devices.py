"""``minitorch.device``: where a tensor's data lives ('cpu', or 'cuda:N' through CuPy)."""
from __future__ import annotations


class device:
    """A device, built from ``'cpu'``, ``'cuda'``, ``'cuda:1'``, ``('cuda', 1)`` or another device.

    Example::

        >>> minitorch.device('cuda:1')
        device(type='cuda', index=1)
    """

    __slots__ = ("type", "index")

    def __init__(self, type_or_spec, index: int | None = None):
        if isinstance(type_or_spec, device):
            type_, index = type_or_spec.type, type_or_spec.index
        elif isinstance(type_or_spec, int) and not isinstance(type_or_spec, bool):
            type_, index = "cuda", type_or_spec
        elif isinstance(type_or_spec, str):
            type_, _, idx = type_or_spec.partition(":")
            if idx:
                if index is not None or not idx.isdigit():
                    raise RuntimeError(f"Invalid device string: '{type_or_spec}'")
                index = int(idx)
        else:
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({type(type_or_spec).__name__})")
        if type_ not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type_or_spec}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type = type_
        self.index = index

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self):
        return (device, (str(self),))


CPU = device("cpu")
