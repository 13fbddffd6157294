"""``pad``: grow (or, with negative amounts, crop) the last dimensions of a tensor.

``pad`` lists (before, after) amounts starting from the *last* dimension:
``(left, right, top, bottom)`` pads width then height. Constant padding is one Function
whose gradient is the same op with the amounts negated (crop where it padded, zero-pad
where it cropped). Reflect, replicate and circular padding read the input at computed
positions, i.e. indexing with an index array per padded dimension, whose gradient sums
back the copies of each element.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...tensor import Tensor
from ._axis_maps import (ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d,
                         ReplicationPad2d, ReplicationPad3d)

__all__ = ["pad"]


def _overlap(size: int, before: int, after: int):
    """(source slice in the input, destination slice in the output) along one dimension."""
    src = slice(max(-before, 0), size - max(-after, 0))
    dst_start = max(before, 0)
    return src, slice(dst_start, dst_start + max(src.stop - src.start, 0))


class ConstantPad(Function):
    """y = x padded with a constant (negative amounts crop); dL/dx = the same op on dL/dy with the
    amounts negated and value 0, which keeps exactly the entries that came from x; saves the
    amounts."""

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, input, *, pads, value):
        ctx.pads = pads
        x = input._data
        lead = x.ndim - len(pads)
        shape = x.shape[:lead] + tuple(n + b + a for n, (b, a) in zip(x.shape[lead:], pads))
        out = np.full_like(x, value, shape=shape)
        src, dst = [slice(None)] * lead, [slice(None)] * lead
        for n, (b, a) in zip(x.shape[lead:], pads):
            s, d = _overlap(n, b, a)
            src.append(s)
            dst.append(d)
        out[tuple(dst)] = x[tuple(src)]
        return out

    @staticmethod
    def backward(ctx, grad):
        return ConstantPad.apply(grad, pads=tuple((-b, -a) for b, a in ctx.pads), value=0)


def _source_positions(mode: str, size: int, before: int, after: int, dim: int, shape):
    """For each output position along one dimension, the input position it copies."""
    positions = np.arange(-before, size + after)
    if mode == "reflect":
        if before >= size or after >= size:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({before}, {after}) at dimension {dim} of "
                               f"input {list(shape)}")
        positions = np.abs(positions)
        return np.where(positions > size - 1, 2 * (size - 1) - positions, positions)
    if mode == "replicate":
        if size == 0:
            raise RuntimeError(f"Expected a tensor with non-zero dimensions for replicate padding, "
                               f"but got: {list(shape)}")
        return np.clip(positions, 0, size - 1)
    if before > size or after > size:
        raise RuntimeError("Padding value causes wrapping around more than once.")
    return positions % size


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions of ``input``.

    Args:
        pad: (before_last, after_last, before_second_last, after_second_last, ...).
        mode: ``'constant'``, ``'reflect'`` (mirror without repeating the edge),
            ``'replicate'`` (repeat the edge) or ``'circular'`` (wrap around).
        value: the fill value for ``'constant'`` (default 0).

    Example::

        >>> F.pad(minitorch.tensor([[1., 2.]]), (1, 1)).tolist()
        [[0.0, 1.0, 2.0, 0.0]]
    """
    amounts = [int(p) for p in pad]
    if len(amounts) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(amounts) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(amounts)} and input of dimension "
                           f"{input.ndim}")
    # (before, after) pairs in dimension order
    pairs = tuple((amounts[2 * k], amounts[2 * k + 1]) for k in range(len(amounts) // 2))[::-1]
    lead = input.ndim - len(pairs)
    if mode == "constant":
        for dim, (n, (b, a)) in enumerate(zip(input.shape[lead:], pairs), start=lead):
            if n + b + a < 0:
                raise RuntimeError(f"The input size {n}, plus negative padding {b} and {a} resulted in a "
                                   f"negative output size, which is invalid. Check dimension {dim} of "
                                   "your input.")
        return ConstantPad.apply(input, pads=pairs, value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    padded = len(pairs)
    if input.ndim not in (padded + 1, padded + 2) or padded > 3:
        raise NotImplementedError(
            f"Padding size {len(amounts)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    positions = tuple(_source_positions(mode, input.shape[dim], b, a, dim, input.shape)
                      for dim, (b, a) in enumerate(pairs, start=lead))
    if mode == "circular":  # (PyTorch records it as slice copies; here: indexing, one node per dim)
        result = input
        for dim, index in enumerate(positions, start=lead):
            result = result[(slice(None),) * dim + (index,)]
        return result
    return _PADDINGS[mode][padded - 1].apply(input, positions=positions)


_PADDINGS = {"reflect": (ReflectionPad1d, ReflectionPad2d, ReflectionPad3d),
             "replicate": (ReplicationPad1d, ReplicationPad2d, ReplicationPad3d)}
