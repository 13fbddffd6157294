"""Matrix products: matmul (``@``), mm, bmm, mv, dot, outer, addmm, baddbmm, tensordot.

All of them are one Function, ``Matmul``, with NumPy's matmul rules; the named variants only
check their own operand ranks first (with PyTorch's messages) and give the node PyTorch's
name. NumPy hands transposed operands (``x.mT``) to BLAS as they are, without copying.
``einsum`` lives in ``einsum.py``.
"""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import check_same_device, normalize_dim, sum_to_shape


# The public functions (exported as minitorch.<name>)
__all__ = [
    "matmul",
    "mm",
    "bmm",
    "mv",
    "dot",
    "vdot",
    "inner",
    "outer",
    "ger",
    "addmm",
    "baddbmm",
    "tensordot",
]

def _check_tensors(name: str, a, b) -> None:
    for position, value in ((0, a), (1, b)):
        if not isinstance(value, Tensor):
            arg = "input" if position == 0 else "other"
            raise TypeError(f"{name}(): argument '{arg}' (position {position + 1}) must be "
                            f"Tensor, not {type(value).__name__}")
    if not isinstance(a._data, np.ndarray) or not isinstance(b._data, np.ndarray):
        check_same_device(a, b)  # (two NumPy arrays are both on the CPU)
    if a._data.dtype == np.bool_:  # PyTorch has no bool kernel (and looks at input first)
        kernel = ("dot" if a.ndim == 1 and b.ndim == 1 else
                  "bmm" if max(a.ndim, b.ndim) > 2 else "addmm_impl_cpu_")
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _check_dtypes(a: Tensor, b: Tensor) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype._torch_name.lower()} != {b.dtype._torch_name.lower()}")


class Matmul(Function):
    """y = a @ b with NumPy's matmul rules; dL/da = dL/dy @ b^T, dL/db = a^T @ dL/dy (broadcast
    batch dims summed back; 1-D operands act as a row or a column); saves a and b, each only when
    the other's gradient is needed."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        return np.matmul(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        shape_a, shape_b = ctx._input_shapes
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if len(shape_a) == 1 and len(shape_b) == 1:          # dot product -> scalar
            grad_a = grad * b if need_a else None
            grad_b = grad * a if need_b else None
        elif len(shape_a) == 1:                              # (k) @ (..., k, m) -> (..., m)
            if need_a:
                grad_a = sum_to_shape((grad.unsqueeze(-2) @ b.mT).squeeze(-2), shape_a)
            if need_b:
                grad_b = sum_to_shape(a.unsqueeze(-1) * grad.unsqueeze(-2), shape_b)
        elif len(shape_b) == 1:                              # (..., n, k) @ (k) -> (..., n)
            if need_a:
                grad_a = sum_to_shape(grad.unsqueeze(-1) * b, shape_a)
            if need_b:
                grad_b = sum_to_shape((a.mT @ grad.unsqueeze(-1)).squeeze(-1), shape_b)
        else:
            if need_a:
                grad_a = sum_to_shape(grad @ b.mT, shape_a)
            if need_b:
                grad_b = sum_to_shape(a.mT @ grad, shape_b)
        return grad_a, grad_b


class Dot(Matmul):
    node_name = "DotBackward0"


class Mv(Matmul):
    node_name = "MvBackward0"


class Bmm(Matmul):
    node_name = "BmmBackward0"


class BatchedMatmul(Matmul):
    node_name = "UnsafeViewBackward0"


class VectorMatmul(Matmul):
    node_name = "SqueezeBackward4"


def _mismatch(rows: int, k_a: int, k_b: int, cols: int):
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and "
                        f"{k_b}x{cols})")


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The inner product of two 1-D tensors of the same size."""
    _check_tensors("dot", input, tensor)
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{tensor.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {tensor.shape[0]} elements respectively")
    if input.dtype is not tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input.dtype._torch_name} and {tensor.dtype._torch_name}")
    return Dot.apply(input, tensor)


vdot = dot  # the same for real tensors


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix (n, m) times vector (m,)."""
    _check_tensors("mv", input, vec)
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    n, m = input.shape
    if vec.shape[0] != m:
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{m}), vec ({vec.shape[0]})")
    if input.dtype is not vec.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype._torch_name} but found "
                           f"{vec.dtype._torch_name}")
    return Mv.apply(input, vec)


def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Matrix product of two 2-D tensors (no broadcasting)."""
    _check_tensors("mm", input, mat2)
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise _mismatch(input.shape[0], input.shape[1], mat2.shape[0], mat2.shape[1])
    _check_dtypes(input, mat2)
    return _out(Matmul.apply(input, mat2), out)


def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Batched matrix product: (b, n, m) @ (b, m, p) -> (b, n, p), no broadcasting."""
    _check_tensors("bmm", input, mat2)
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if mat2.shape[:2] != (input.shape[0], input.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}].")
    if input.dtype is not mat2.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype._torch_name} but found "
                           f"{mat2.dtype._torch_name}")
    return _out(Bmm.apply(input, mat2), out)


def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with broadcasting batch dims; 1-D operands are vectors.

    Example::

        >>> (minitorch.ones(2, 3) @ minitorch.ones(3)).tolist()
        [3.0, 3.0]
    """
    _check_tensors("matmul", input, other)
    a_dim, b_dim = input.ndim, other.ndim
    if a_dim == 0 or b_dim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a_dim}D and {b_dim}D")
    if a_dim == 1 and b_dim == 1:
        return _out(dot(input, other), out)
    if a_dim == 2 and b_dim == 1:
        return _out(mv(input, other), out)
    if a_dim == 2 and b_dim == 2:
        if input.shape[1] != other.shape[0]:
            raise _mismatch(input.shape[0], input.shape[1], other.shape[0], other.shape[1])
        _check_dtypes(input, other)
        return _out(Matmul.apply(input, other), out)
    k_a = input.shape[-1]
    k_b = other.shape[-2] if b_dim > 1 else other.shape[0]
    if a_dim == 1:
        if k_a != k_b:
            raise _mismatch(1, k_a, k_b, other.shape[-1])
        _check_dtypes(input, other)
        return _out(VectorMatmul.apply(input, other), out)
    batch_a = input.shape[:-2]
    batch_b = other.shape[:-2] if b_dim > 2 else ()
    if b_dim > 2:
        _check_broadcast(batch_a, batch_b)  # PyTorch checks the batch dims first
    if k_a != k_b:
        if b_dim == 1:
            rows = int(np.prod(input.shape[:-1]))
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), "
                               f"vec ({k_b})")
        if b_dim == 2:
            raise _mismatch(int(np.prod(input.shape[:-1])), k_a, k_b, other.shape[-1])
        batch = int(np.prod(np.broadcast_shapes(batch_a, batch_b)))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {k_a}] but got: [{batch}, {k_b}].")
    empty = 0 in np.broadcast_shapes(batch_a, batch_b) or input.numel() == 0 or other.numel() == 0
    # PyTorch folds a matrix that requires grad times a batch into one mm, which checks dtypes
    folded = a_dim <= 2 and input.requires_grad
    if not (b_dim > 2 and empty and not folded):
        _check_dtypes(input, other)
    elif input.dtype is not other.dtype:
        # PyTorch's batched product returns early for an empty operand or batch, before its
        # dtype check: the (empty) result has `other`'s dtype, which must be a float when the
        # product is recorded (the inputs are saved as they are, so that their in-place
        # changes are still caught)
        if (grad_mode.is_grad_enabled() and (input.requires_grad or other.requires_grad)
                and not other.dtype.is_floating_point):
            raise RuntimeError(f"Autograd not support dtype: {other.dtype._torch_name}")
        return _out(BatchedMatmul.apply(input, other).to(other.dtype), out)
    return _out(BatchedMatmul.apply(input, other), out)


def _check_broadcast(shape_a: tuple, shape_b: tuple) -> None:
    """PyTorch's message for batch dims that do not broadcast (counted from the left of the
    longer shape, as PyTorch counts them)."""
    ndim = max(len(shape_a), len(shape_b))
    padded_a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    padded_b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    for d, (x, y) in enumerate(zip(padded_a, padded_b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {d}")


def _out(result: Tensor, out) -> Tensor:
    if out is None:
        return result
    out.copy_(result)
    return out


def _rmatmul(self, other):
    return matmul(other, self)


def _matmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum over the last dim of both (a dot product for vectors)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    return tensordot(input, other, dims=([input.ndim - 1], [other.ndim - 1]))


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product ``input[i] * vec2[j]`` of two 1-D tensors."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return input.reshape(-1, 1) * vec2


ger = outer


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; with ``beta=0`` input is ignored (even NaN)."""
    product = mm(mat1, mat2)
    return _out(_scale_add(input, product, beta, alpha), out)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    product = bmm(batch1, batch2)
    return _out(_scale_add(input, product, beta, alpha), out)


def _scale_add(input: Tensor, product: Tensor, beta, alpha) -> Tensor:
    _check_broadcast(tuple(input.shape), tuple(product.shape))
    if alpha != 1:
        product = product * alpha
    if beta == 0:
        if not input.requires_grad:
            return product
        # input is ignored (NaN included) but, as in PyTorch, still gets a (zero) gradient
        everywhere = Tensor._from_array(input._xp.ones(input._data.shape, dtype=np.bool_))
        return product + input.masked_fill(everywhere, 0.0)
    return (input if beta == 1 else input * beta) + product


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract ``dims`` of ``a`` with ``dims`` of ``b``: an int (the last n of ``a`` with the
    first n of ``b``) or two lists of dims. Built from permute, reshape and mm, so its
    gradient comes from theirs."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a = list(range(a.ndim - dims, a.ndim))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, (int, np.integer)) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, (int, np.integer)) else list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = [normalize_dim(d, a.ndim) for d in dims_a]
    dims_b = [normalize_dim(d, b.ndim) for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[da]} in dim {da} and second has size {b.shape[db]} "
                               f"in dim {db}")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    k = int(np.prod([a.shape[d] for d in dims_a]))
    left = a.permute(free_a + dims_a).reshape(-1, k)
    right = b.permute(dims_b + free_b).reshape(k, -1)
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return _out(mm(left, right).reshape(shape), out)
