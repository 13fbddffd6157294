"""``F.embedding`` (a table lookup) and ``F.one_hot``."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd.function import Function
from ...ops._helpers import check_same_device
from ...tensor import Tensor

__all__ = ["embedding", "one_hot"]


def _check_indices(input: Tensor, num: int) -> np.ndarray:
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding(): argument 'indices' must be Tensor, not {type(input).__name__}")
    idx = input._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           f"scalar types: Long, Int; but got {input.dtype} instead (while checking "
                           "arguments for embedding)")
    if idx.size:
        low, high = backend.host_values(idx.min(), idx.max())
        if low < 0 or high >= num:
            raise IndexError(f"index out of range in self (index {low if low < 0 else high} is out "
                             f"of bounds for an embedding table of {num} rows)")
    return idx


class Embedding(Function):
    """y[..., :] = weight[input[...], :]; dL/dweight[i] = the sum of dL/dy at every position that
    looked up row i (none for padding_idx); saves the indices and padding_idx."""

    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, *, indices, padding_idx):
        ctx.save_for_backward(indices)
        ctx.padding_idx = padding_idx
        return weight._data[indices._data]

    @staticmethod
    def backward(ctx, grad):
        from ... import index_add, zeros
        (indices,) = ctx.saved_tensors
        num, dim = ctx._input_shapes[0]
        flat_index = indices.reshape(-1)
        flat_grad = grad.reshape(-1, dim)
        if ctx.padding_idx is not None:
            keep = (flat_index != ctx.padding_idx).unsqueeze(1)
            flat_grad = flat_grad * keep.to(flat_grad.dtype)
        table = zeros((num, dim), dtype=grad.dtype, device=grad.device)
        return index_add(table, 0, flat_index, flat_grad)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer tensor ``input``: shape ``input.shape + (dim,)``.

    ``padding_idx``'s row receives no gradient.
    """
    if max_norm is not None:
        raise NotImplementedError("embedding(max_norm=...) is not implemented in minitorch")
    if scale_grad_by_freq:
        raise NotImplementedError("embedding(scale_grad_by_freq=True) is not implemented in minitorch")
    if sparse:
        raise NotImplementedError("sparse gradients (embedding(sparse=True)) are not implemented "
                                  "in minitorch")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    num = weight.shape[0]
    _check_indices(input, num)
    check_same_device(weight, input)  # (a CPU index would reach a GPU table as a NumPy array)
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= num
    return Embedding.apply(weight, indices=input, padding_idx=padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape ``tensor.shape + (num_classes,)`` with a 1 at each index
    (``num_classes=-1``: one more than the largest index)."""
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
        if not idx.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if idx.size and int(idx.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and int(idx.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    xp = tensor._xp
    out = (idx[..., None] == xp.arange(num_classes)).astype(np.int64)
    return Tensor._from_array(out)
