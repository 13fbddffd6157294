"""``F.linear`` and ``F.bilinear``: the affine maps behind ``nn.Linear`` and ``nn.Bilinear``."""
from __future__ import annotations

import numpy as np

from ...autograd.formulas import as_gradients, operands
from ...autograd.function import Function
from ...ops.shape import ReshapeCopy
from ...tensor import Tensor

__all__ = ["linear", "bilinear"]


def _check_operands(x, weight, bias) -> None:
    if not isinstance(x, Tensor) or not isinstance(weight, Tensor):
        raise TypeError("linear(): argument 'input' and 'weight' must be Tensors")
    # the usual case, checked on the arrays (this runs for every layer of every step)
    data, w = x._data, weight._data
    if (w.ndim == 2 and data.ndim and data.shape[-1] == w.shape[1] and data.dtype == w.dtype
            and type(data) is type(w) is np.ndarray
            and (bias is None or type(bias._data) is np.ndarray)):
        return
    if x.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and "
                           f"{weight.ndim}D")
    in_features = weight.shape[-1] if weight.ndim else 1
    if weight.ndim != 2 or x.shape[-1] != in_features:
        rows = x.numel() // x.shape[-1] if x.shape[-1] else 0
        w_rows = weight.shape[-1] if weight.ndim else 1
        w_cols = weight.shape[0] if weight.ndim == 2 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} "
                           f"and {w_rows}x{w_cols})")
    if x._data.dtype != weight._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{x.dtype._torch_name} and {weight.dtype._torch_name}")
    if x.device != weight.device or (bias is not None and bias.device != x.device):
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                           f"devices, {x.device} and {weight.device if x.device != weight.device else bias.device}!")


class Addmm(Function):
    """y = b + x @ m for x (rows, k), m (k, out) and b (out), PyTorch's addmm; dL/db = the sum of
    dL/dy over the rows, dL/dx = dL/dy @ m^T, dL/dm = x^T @ dL/dy; saves x (for dL/dm) and m (for
    dL/dx), each only when that gradient is needed.

    m is nearly always ``weight.t()``, a transposed view; dL/dm is computed as
    (dL/dy^T @ x)^T, the same numbers laid out as the weight is, so that the weight's gradient
    (TBackward0 transposes it back) is row-major as the weight, as PyTorch's is."""

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, bias, x, matrix):
        out = x._data @ matrix._data
        out += bias._data.astype(out.dtype, copy=False)
        ctx.save_for_backward(x if ctx.needs_input_grad[2] else None,
                              matrix if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        need_bias, need_x, need_matrix = ctx.needs_input_grad
        grad, x, matrix = operands(grad, *ctx.saved_tensors)  # (see autograd/formulas.py)
        return as_gradients(grad.sum(0) if need_bias else None,
                            grad @ matrix.T if need_x else None,
                            (grad.T @ x).T if need_matrix else None)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, for input (..., in_features) and weight
    (out_features, in_features).

    Recorded as PyTorch records it: ``weight.t()`` (TBackward0), then ``addmm`` when there
    is a bias (AddmmBackward0; an input of other than 2 dims is viewed as rows and back) or
    ``matmul`` when there is none (MmBackward0).

    Example::

        >>> F.linear(minitorch.ones(4, 3), minitorch.ones(2, 3)).shape
        minitorch.Size([4, 2])
    """
    _check_operands(input, weight, bias)
    weight_t = weight.t()
    usual_bias = bias is not None and bias.ndim == 1 and bias.shape[0] == weight.shape[0]
    if bias is not None and not usual_bias:
        return input @ weight_t + bias  # a bias that + must broadcast (rare)
    if bias is None and input.ndim == 1:
        return input @ weight_t
    rows = input if input.ndim == 2 else input.reshape(-1, input.shape[-1])
    out = Addmm.apply(bias, rows, weight_t) if usual_bias else rows @ weight_t
    if input.ndim == 2:
        return out
    shape = tuple(input.shape[:-1]) + (weight.shape[0],)
    return out.view(shape) if usual_bias else ReshapeCopy.apply(out, shape)


class Trilinear(Function):
    """y[n, o] = sum_{i, j} x1[n, i] W[o, i, j] x2[n, j], the bilinear form of each output;
    dL/dx1[n, i] = sum_{o, j} g[n, o] W[o, i, j] x2[n, j], dL/dW[o, i, j] = sum_n g[n, o] x1[n, i]
    x2[n, j], dL/dx2[n, j] = sum_{o, i} g[n, o] x1[n, i] W[o, i, j] (g = dL/dy); saves x1, W and
    x2."""

    node_name = "TrilinearBackward0"

    @staticmethod
    def forward(ctx, x1, weight, x2):
        ctx.save_for_backward(x1, weight, x2)
        return np.einsum("ni,oij,nj->no", x1._data, weight._data, x2._data, optimize=True)

    @staticmethod
    def backward(ctx, grad):
        from ... import einsum
        x1, weight, x2 = ctx.saved_tensors
        need_x1, need_weight, need_x2 = ctx.needs_input_grad
        return (einsum("no,oij,nj->ni", grad, weight, x2) if need_x1 else None,
                einsum("no,ni,nj->oij", grad, x1, x2) if need_weight else None,
                einsum("no,ni,oij->nj", grad, x1, weight) if need_x2 else None)


def _check_bilinear(input1: Tensor, input2: Tensor, weight: Tensor) -> None:
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D, got {weight.ndim}-D")
    _, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but expected {in2}")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError("bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y_k = x1^T W_k x2 + b_k`` for x1 (..., in1), x2 (..., in2), W (out, in1, in2).

    Recorded as PyTorch records it: the inputs viewed as rows, one TrilinearBackward0 node,
    the result viewed back, then the bias added.
    """
    _check_bilinear(input1, input2, weight)
    out_features, in1, in2 = weight.shape
    rows = Trilinear.apply(input1.reshape(-1, in1), weight, input2.reshape(-1, in2))
    out = rows.view(tuple(input1.shape[:-1]) + (out_features,))
    return out if bias is None else out + bias
