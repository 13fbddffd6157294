"""``F.linear`` and ``F.bilinear``: the affine maps behind ``nn.Linear`` and ``nn.Bilinear``."""
from __future__ import annotations

import numpy as np

from ...autograd.formulas import as_gradients, operands
from ...autograd.function import Function
from ...tensor import Tensor

__all__ = ["linear", "bilinear"]

_DTYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


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
                           f"{_DTYPE_NAMES.get(x.dtype.name, x.dtype.name)} and "
                           f"{_DTYPE_NAMES.get(weight.dtype.name, weight.dtype.name)}")
    if x.device != weight.device or (bias is not None and bias.device != x.device):
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                           f"devices, {x.device} and {weight.device if x.device != weight.device else bias.device}!")


class Linear(Function):
    """``y = x W^T + b`` for x of shape (..., in), W (out, in), b (out).

    dy/dx = grad W,  dy/dW = grad^T x (summed over all leading dims),  dy/db = sum of grad.
    One node instead of matmul + add: the hot path of every MLP.
    """

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias):
        data = x._data
        if data.ndim > 2 and data.flags.c_contiguous:
            # one (N*L, in) x (in, out) product instead of N batched ones: BLAS is faster
            out = (data.reshape(-1, data.shape[-1]) @ weight._data.T).reshape(
                data.shape[:-1] + (weight._data.shape[0],))
        else:
            out = data @ weight._data.T
        if bias is not None:
            out += bias._data.astype(out.dtype, copy=False)
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None,
                              weight if ctx.needs_input_grad[0] else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        grad, x, weight = operands(grad, *ctx.saved_tensors)  # (see autograd/formulas.py)
        need_x, need_w, need_b = ctx.needs_input_grad
        # every leading dim is a batch dim: work on (rows, features) matrices, one GEMM each
        flat = grad if grad.ndim == 2 else grad.reshape(-1, grad.shape[-1])
        grad_x = grad_w = grad_b = None
        if need_x:
            grad_x = flat @ weight
            if grad.ndim != 2:
                grad_x = grad_x.reshape(ctx._input_shapes[0])
        if need_w:
            grad_w = flat.T @ (x if x.ndim == 2 else x.reshape(-1, x.shape[-1]))
        if need_b:
            grad_b = flat.sum(0)
        return as_gradients(grad_x, grad_w, grad_b)


class LinearNoBias(Linear):
    node_name = "MmBackward0"


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, for input (..., in_features) and weight
    (out_features, in_features).

    Example::

        >>> F.linear(minitorch.ones(4, 3), minitorch.ones(2, 3)).shape
        minitorch.Size([4, 2])
    """
    _check_operands(input, weight, bias)
    if bias is None:
        return LinearNoBias.apply(input, weight, None)
    if bias.ndim != 1 or bias.shape[0] != weight.shape[0]:
        return LinearNoBias.apply(input, weight, None) + bias  # an unusual bias: let + broadcast it
    return Linear.apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y_k = x1^T W_k x2 + b_k`` for x1 (..., in1), x2 (..., in2), W (out, in1, in2).

    Written with matmul: x1 times W (as an in1 x (out*in2) matrix) gives, per output,
    the row x1^T W_k; its dot product with x2 finishes the form. Autograd differentiates it.
    """
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D, got {weight.ndim}-D")
    out_features, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but expected {in2}")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError("bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    rows = x1 @ weight.permute(1, 0, 2).reshape(in1, out_features * in2)
    out = (rows.reshape(-1, out_features, in2) * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (out_features,))
