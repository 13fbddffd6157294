"""From a noted operation (a ``Call``: which Function, its arguments, its outputs) to ONNX nodes.

``CONVERTERS`` maps each Function class that has a conversion to a function
``convert(g, call)`` that appends the nodes to ``g`` (a GraphBuilder) and returns the value
name of each output (a name, or a list of them; None for an output ONNX cannot give).
Composite ops of nn.functional are one Function each, so they become one node where ONNX has
one: ``F.linear`` (Addmm) -> Gemm, ``F.layer_norm`` -> LayerNormalization, ``F.conv2d`` -> Conv.
"""
from __future__ import annotations

import math

import numpy as np

from ..creation import conversion
from ..nn.functional import (_activation, _conv, _embedding, _linear, _normalization, _padding,
                             _pooling)
from ..nn.modules import rnn
from ..ops import (comparison, gather_scatter, indexing, joining, linalg, pointwise, rearrange,
                   reduce, rounding, shape, softmax, unary)
from ..tensor import Tensor
from .errors import UnsupportedOperatorError
from .graph import onnx_type


def _dtype(call, index: int = 0):
    """The NumPy dtype of the op's output ``index``."""
    return call.output_list[index]._data.dtype


def _operand(g, x, dtype) -> str:
    """A tensor's value (cast to ``dtype`` where the op promoted it), or a number as a constant."""
    if not isinstance(x, Tensor):
        return g.scalar(x, dtype)
    name = g.value(x)
    if x._data.dtype != dtype:
        name = g.node("Cast", [name], to=onnx_type(dtype))
    return name


def _axis(dim: int, ndim: int) -> int:
    return dim % ndim if ndim else 0


# --- pointwise -------------------------------------------------------------------------------

def binary(op_type: str):
    """Add, Sub, Mul, Div, Pow ...: ONNX broadcasts as PyTorch does."""
    def convert(g, call):
        dtype = _dtype(call)
        return g.node(op_type, [_operand(g, x, dtype) for x in call.args[:2]])
    return convert


def unary_op(op_type: str):
    def convert(g, call):
        return g.node(op_type, [g.value(call.args[0])])
    return convert


def rsqrt(g, call):
    return g.node("Reciprocal", [g.node("Sqrt", [g.value(call.args[0])])])


def leaky_relu(g, call):
    a = call.arguments
    return g.node("LeakyRelu", [g.value(a["x"])], alpha=float(a["slope"]))


def elu(g, call):
    """ELU, SELU (scale * elu) and CELU (Elu with input_scale 1/alpha: ONNX's Celu)."""
    a = call.arguments
    x, alpha = g.value(a["x"]), float(a["alpha"])
    if call.cls is _activation.Celu:
        return g.node("Celu", [x], alpha=alpha)
    if a["input_scale"] != 1:
        raise UnsupportedOperatorError(f"Elu (input_scale={a['input_scale']})", g.opset)
    out = g.node("Elu", [x], alpha=alpha)
    return out if a["scale"] == 1 else g.node("Mul", [out, g.scalar(a["scale"], _dtype(call))])


def gelu(g, call):
    """Gelu is an ONNX op from opset 20; before, its formula: 0.5 x (1 + erf(x / sqrt 2)), or
    with approximate='tanh' 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    x, approximate = call.arguments["x"], call.arguments["approximate"]
    name, dtype = g.value(x), _dtype(call)
    if g.opset >= 20:
        return g.node("Gelu", [name], approximate=approximate)
    if approximate == "tanh":
        cube = g.node("Mul", [name, g.node("Mul", [name, name])])
        inner = g.node("Add", [name, g.node("Mul", [cube, g.scalar(0.044715, dtype)])])
        phi = g.node("Tanh", [g.node("Mul", [inner, g.scalar(math.sqrt(2 / math.pi), dtype)])])
    else:
        phi = g.node("Erf", [g.node("Div", [name, g.scalar(math.sqrt(2), dtype)])])
    half_x = g.node("Mul", [name, g.scalar(0.5, dtype)])
    return g.node("Mul", [half_x, g.node("Add", [phi, g.scalar(1, dtype)])])


def hardswish(g, call):
    if g.opset < 14:
        raise UnsupportedOperatorError("HardSwish", g.opset, 14)
    return g.node("HardSwish", [g.value(call.args[0])])


def log_sigmoid(g, call):
    """log(sigmoid(x)) = -softplus(-x)."""
    return g.node("Neg", [g.node("Softplus", [g.node("Neg", [g.value(call.args[0])])])])


def silu(g, call):
    name = g.value(call.args[0])
    return g.node("Mul", [name, g.node("Sigmoid", [name])])


def hardtanh(g, call):
    a, dtype = call.arguments, _dtype(call)
    return g.node("Clip", [g.value(a["x"]), g.scalar(a["min_val"], dtype),
                           g.scalar(a["max_val"], dtype)])


def clamp(g, call):
    x, low, high = call.args
    dtype = _dtype(call)
    return g.node("Clip", [g.value(x), "" if low is None else _operand(g, low, dtype),
                           "" if high is None else _operand(g, high, dtype)])


def softplus(g, call):
    a = call.arguments
    if a["beta"] != 1:
        raise UnsupportedOperatorError(f"Softplus (beta={a['beta']})", g.opset)
    return g.node("Softplus", [g.value(a["x"])])


def where(g, call):
    condition, a, b = call.args
    dtype = _dtype(call)
    return g.node("Where", [g.value(condition), _operand(g, a, dtype), _operand(g, b, dtype)])


def masked_fill(g, call):
    x, mask, value = call.args
    dtype = _dtype(call)
    return g.node("Where", [g.value(mask), _operand(g, value, dtype), g.value(x)])


def to_copy(g, call):
    x = call.args[0]
    if x._data.dtype == _dtype(call):
        return g.node("Identity", [g.value(x)])
    return g.node("Cast", [g.value(x)], to=onnx_type(_dtype(call)))


# --- products, convolutions, pooling, normalisation -------------------------------------------

def addmm(g, call):
    """F.linear's bias + x @ weight.t(): Gemm, reading the weight itself (transB=1) when the
    matrix is its transpose."""
    bias, x, matrix = call.args
    b = g.value(matrix)
    if b in g.transposed:
        return g.node("Gemm", [g.value(x), g.transposed[b], g.value(bias)], transB=1)
    return g.node("Gemm", [g.value(x), b, g.value(bias)])


def matmul(g, call):
    return g.node("MatMul", [g.value(call.args[0]), g.value(call.args[1])])


def _window(geo, ndim: int) -> dict:
    """ONNX's kernel_shape/strides/pads/dilations for a Geometry; a 1-D op (an (N, C, L)
    input) uses the width only. ONNX's pads are (begins..., ends...)."""
    top, bottom, left, right = geo.padding
    if ndim == 3:
        return dict(kernel_shape=[geo.kernel[1]], strides=[geo.stride[1]], pads=[left, right],
                    dilations=[geo.dilation[1]])
    return dict(kernel_shape=list(geo.kernel), strides=list(geo.stride),
                pads=[top, left, bottom, right], dilations=list(geo.dilation))


def convolution(g, call):
    x, weight, bias = call.args
    inputs = [g.value(x), g.value(weight)] + ([] if bias is None else [g.value(bias)])
    geo = call.kwargs["geo"]
    return g.node("Conv", inputs, group=geo.groups, **_window(geo, x.ndim))


def max_pool(g, call):
    """MaxPool; its indices output (for max_unpool) is not exported: ONNX numbers them
    differently."""
    x = call.args[0]
    out = g.node("MaxPool", [g.value(x)], **_window(call.kwargs["geo"], x.ndim))
    return [out, None]


def avg_pool(g, call):
    """AveragePool counting the padding (sum / kernel size), then rescaled where PyTorch
    divides by something else (count_include_pad=False, divisor_override, ceil_mode's edge)."""
    x = call.args[0]
    geo, divisor = call.kwargs["geo"], call.kwargs["divisor"]
    window = _window(geo, x.ndim)
    del window["dilations"]
    out = g.node("AveragePool", [g.value(x)], count_include_pad=1, **window)
    size = math.prod(window["kernel_shape"])
    divisor = np.asarray(divisor)
    if np.all(divisor == size):
        return out
    scale = (size / divisor).astype(_dtype(call))  # (Ho, Wo), or (1, Wo) for a 1-D pool
    if call.output_list[0].ndim == 3:
        scale = scale.reshape(scale.shape[-1:])
    return g.node("Mul", [out, g.constant(scale, "pool_scale")])


def batch_norm_eval(g, call):
    """BatchNormalization. minitorch keeps 1/sqrt(running_var + eps), so the variance given to
    ONNX is (running_var + eps) with epsilon 0."""
    x, weight, bias = call.args
    mean, invstd = call.kwargs["mean"], call.kwargs["invstd"]
    channels, dtype = mean.shape[0], _dtype(call)
    scale = g.value(weight) if weight is not None else g.constant(np.ones(channels, dtype))
    shift = g.value(bias) if bias is not None else g.constant(np.zeros(channels, dtype))
    variance = g.constant(np.asarray(invstd._data, dtype) ** -2, "variance_plus_eps")
    return g.node("BatchNormalization", [g.value(x), scale, shift, g.value(mean), variance],
                  epsilon=0.0)


def layer_norm(g, call):
    if g.opset < 17:
        raise UnsupportedOperatorError("LayerNormalization", g.opset, 17)
    x, weight, bias = call.args
    kw = call.kwargs
    dtype = _dtype(call)
    scale = (g.value(weight) if weight is not None
             else g.constant(np.ones(kw["affine_shape"], dtype)))
    inputs = [g.value(x), scale] + ([] if bias is None else [g.value(bias)])
    return g.node("LayerNormalization", inputs, axis=kw["dims"][0], epsilon=float(kw["eps"]))


def embedding(g, call):
    return g.node("Gather", [g.value(call.args[0]), g.value(call.kwargs["indices"])], axis=0)


def softmax_op(op_type: str):
    def convert(g, call):
        x, dim = call.args
        return g.node(op_type, [g.value(x)], axis=_axis(dim, x.ndim))
    return convert


def lstm_gates(g, call):
    """An LSTM step's pointwise part (see rnn.LSTMGates): from gates [i | f | g | o] and c,
    c' = s(f) c + s(i) tanh(g), h' = s(o) tanh(c')."""
    gates, c = call.args
    count = {"num_outputs": 4} if g.opset >= 18 else {}  # from opset 18 Split is told how many
    i, f, cell, o = g.node("Split", [g.value(gates)], outputs=4, axis=-1, **count)
    i, f, o = (g.node("Sigmoid", [v]) for v in (i, f, o))
    c_next = g.node("Add", [g.node("Mul", [f, g.value(c)]),
                            g.node("Mul", [i, g.node("Tanh", [cell])])])
    return [g.node("Mul", [o, g.node("Tanh", [c_next])]), c_next]


def _reduce(g, op_type: str, name: str, dims: list, keepdim: bool) -> str:
    """A Reduce* node over ``dims``: axes are an input from opset 18 (ReduceSum's from 13), an
    attribute before."""
    if op_type == "ReduceSum" or g.opset >= 18:
        return g.node(op_type, [name, g.ints(dims)], keepdims=int(keepdim))
    return g.node(op_type, [name], axes=dims, keepdims=int(keepdim))


def _dims(dims, x) -> list:
    return list(range(x.ndim)) if dims is None else [_axis(d, x.ndim) for d in dims]


def reduction(op_type: str):
    """sum, mean, amax, amin (and max/min of all elements) over dims (None: all)."""
    def convert(g, call):
        x, dims, keepdim = call.args[:3]
        out = _reduce(g, op_type, g.value(x), _dims(dims, x), keepdim)
        if x._data.dtype != _dtype(call):
            out = g.node("Cast", [out], to=onnx_type(_dtype(call)))
        return out
    return convert


def max_or_min_dim(g, call):
    """max(x, dim) / min(x, dim): the values, and the index of the first extreme (as PyTorch)."""
    x, dim, keepdim = call.args
    extreme = "Max" if call.cls is reduce.MaxDim else "Min"
    axis = _axis(dim, x.ndim)
    return [_reduce(g, f"Reduce{extreme}", g.value(x), [axis], keepdim),
            g.node(f"Arg{extreme}", [g.value(x)], axis=axis, keepdims=int(keepdim))]


def norm(g, call):
    """The vector norms ONNX has: p = 1 (ReduceL1), 2 (ReduceL2), inf (the largest |x|)."""
    x, p, dims, keepdim = call.args
    reducer = {1.0: "ReduceL1", 2.0: "ReduceL2", math.inf: "ReduceMax"}.get(p)
    if reducer is None:
        raise UnsupportedOperatorError(f"Norm (p={p})", g.opset)
    name = g.value(x) if p != math.inf else g.node("Abs", [g.value(x)])
    return _reduce(g, reducer, name, _dims(dims, x), keepdim)


def variance(g, call):
    """var = sum((x - mean)^2) / (n - correction) over dims; std is its square root."""
    x, dims, correction, keepdim = call.args
    dims, dtype, name = _dims(dims, x), _dtype(call), g.value(x)
    centered = g.node("Sub", [name, _reduce(g, "ReduceMean", name, dims, True)])
    total = _reduce(g, "ReduceSum", g.node("Mul", [centered, centered]), dims, keepdim)
    count = math.prod(x.shape[d] for d in dims) - correction
    out = g.node("Div", [total, g.scalar(count, dtype)])
    return g.node("Sqrt", [out]) if call.cls is reduce.Std else out


# --- shapes -----------------------------------------------------------------------------------

def reshape(g, call):
    """Reshape to the traced shape, with a leading dim that keeps its size written as 0 ("copy
    this dim from the input"): x.view(x.size(0), -1) still works for another batch size. The
    usual flatten(1) (N, C, H, W) -> (N, C*H*W) is ONNX's Flatten, as PyTorch exports it."""
    x = call.args[0]
    target = list(call.output_list[0].shape)
    if x.ndim > 2 and target == [x.shape[0], math.prod(x.shape[1:])]:
        return g.node("Flatten", [g.value(x)], axis=1)
    for i, (new, old) in enumerate(zip(target, x.shape)):
        if new != old:
            break
        target[i] = 0
    return g.node("Reshape", [g.value(x), g.ints(target)])


def permute(g, call):
    x, dims = call.args
    return g.node("Transpose", [g.value(x)], perm=[_axis(d, x.ndim) for d in dims])


def transpose(g, call):
    x, dim0, dim1 = call.args
    perm = list(range(x.ndim))
    a, b = _axis(dim0, x.ndim), _axis(dim1, x.ndim)
    perm[a], perm[b] = perm[b], perm[a]
    source = g.value(x)
    out = g.node("Transpose", [source], perm=perm)
    if x.ndim == 2:
        g.transposed[out] = source
    return out


def expand(g, call):
    return g.node("Expand", [g.value(call.args[0]), g.ints(call.output_list[0].shape)])


def cat(g, call):
    dim, dtype = call.args[:2]
    out = call.output_list[0]
    return g.node("Concat", [_operand(g, t, out._data.dtype) for t in call.args[2:]],
                  axis=_axis(dim, out.ndim))


def stack(g, call):
    dim, out = call.args[0], call.output_list[0]
    axis = _axis(dim, out.ndim)
    pieces = [g.node("Unsqueeze", [_operand(g, t, out._data.dtype), g.ints([axis])])
              for t in call.args[2:]]
    return g.node("Concat", pieces, axis=axis)


def split_with_sizes(g, call):
    x, dim, bounds = call.args
    sizes = [end - start for start, end in bounds]
    if len(sizes) == 1:
        return [g.node("Identity", [g.value(x)])]
    return g.node("Split", [g.value(x), g.ints(sizes)], outputs=len(sizes),
                  axis=_axis(dim, x.ndim))


def unbind(g, call):
    """The slices along dim (the first for an LSTM's steps): one Gather each."""
    x = call.args[0]
    axis = _axis(call.arguments.get("dim", 0), x.ndim)
    return [g.node("Gather", [g.value(x), g.scalar(i, np.int64)], axis=axis)
            for i in range(x.shape[axis])]


def basic_index(g, call):
    """x[key] for ints, slices, ... and None: one Slice for the slices, a Gather per int (from
    the last axis, so that earlier axes keep their numbers), an Unsqueeze for the Nones."""
    x, key = call.args
    key = key if isinstance(key, tuple) else (key,)
    indexed = sum(k is not None and k is not Ellipsis for k in key)
    if Ellipsis in key:
        at = key.index(Ellipsis)
        key = key[:at] + (slice(None),) * (x.ndim - indexed) + key[at + 1:]
    key = key + (slice(None),) * (x.ndim - indexed)
    name, starts, ends, axes, steps, picks, new_axes = g.value(x), [], [], [], [], [], []
    axis = position = 0
    for k in key:
        if k is None:
            new_axes.append(position)
            position += 1
            continue
        if isinstance(k, slice) and k != slice(None):
            start, stop, step = k.indices(x.shape[axis])  # (steps are positive, as in PyTorch)
            starts.append(start)
            ends.append(stop)
            axes.append(axis)
            steps.append(step)
        elif not isinstance(k, slice):
            picks.append((axis, int(k) % x.shape[axis]))
        position += isinstance(k, slice)
        axis += 1
    if axes:
        name = g.node("Slice", [name, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)])
    for axis, index in reversed(picks):
        name = g.node("Gather", [name, g.scalar(index, np.int64)], axis=axis)
    if new_axes:
        name = g.node("Unsqueeze", [name, g.ints(new_axes)])
    return name if (axes or picks or new_axes) else g.node("Identity", [name])


def triu(g, call):
    x, k = call.args
    return g.node("Trilu", [g.value(x), g.scalar(k, np.int64)], upper=1)


def repeat(g, call):
    """Tile; leading dims the repeats add to the input are made by Unsqueeze first."""
    x, repeats = call.args
    name, added = g.value(x), len(repeats) - x.ndim
    if added:
        name = g.node("Unsqueeze", [name, g.ints(range(added))])
    return g.node("Tile", [name, g.ints(repeats)])


def constant_pad(g, call):
    """F.pad(mode='constant'): ONNX's pads are (begins..., ends...) over every dim; a negative
    amount crops, in both."""
    x, pads, value = call.args[0], call.kwargs["pads"], call.kwargs["value"]
    lead = [0] * (x.ndim - len(pads))
    amounts = lead + [b for b, _ in pads] + lead + [a for _, a in pads]
    return g.node("Pad", [g.value(x), g.ints(amounts), g.scalar(value, _dtype(call))])


def identity(g, call):
    return g.node("Identity", [g.value(call.args[0])])


CONVERTERS = {
    pointwise.Add: binary("Add"), pointwise.Sub: binary("Sub"), pointwise.Mul: binary("Mul"),
    pointwise.Div: binary("Div"), pointwise.Pow: binary("Pow"),
    pointwise.Maximum: binary("Max"), pointwise.Minimum: binary("Min"),
    pointwise.Neg: unary_op("Neg"), pointwise.Clamp: clamp, pointwise.ClampMin: clamp,
    pointwise.ClampMax: clamp,
    unary.Exp: unary_op("Exp"), unary.Log: unary_op("Log"), unary.Sqrt: unary_op("Sqrt"),
    unary.Rsqrt: rsqrt, unary.Reciprocal: unary_op("Reciprocal"), unary.Sin: unary_op("Sin"),
    unary.Cos: unary_op("Cos"), unary.Tanh: unary_op("Tanh"), unary.Sigmoid: unary_op("Sigmoid"),
    unary.Relu: unary_op("Relu"), unary.Erf: unary_op("Erf"),
    _activation.LeakyRelu: leaky_relu, _activation.Elu: elu, _activation.Gelu: gelu,
    _activation.Celu: elu, _activation.Silu: silu, _activation.Hardtanh: hardtanh,
    _activation.Softplus: softplus,
    comparison.Where: where, gather_scatter.MaskedFill: masked_fill,
    conversion.ToCopy: to_copy, conversion.Clone: identity,
    _linear.Addmm: addmm, linalg.Matmul: matmul, linalg.Dot: matmul, linalg.Mv: matmul,
    linalg.Bmm: matmul, linalg.BatchedMatmul: matmul, linalg.VectorMatmul: matmul,
    _conv.Convolution: convolution, _pooling.MaxPool2d: max_pool, _pooling.AvgPool2d: avg_pool,
    _normalization._BatchNormEval: batch_norm_eval, _normalization._LayerNorm: layer_norm,
    _embedding.Embedding: embedding, rnn.LSTMGates: lstm_gates,
    softmax.Softmax: softmax_op("Softmax"), softmax.LogSoftmax: softmax_op("LogSoftmax"),
    reduce.Sum: reduction("ReduceSum"), reduce.SumAll: reduction("ReduceSum"),
    reduce.Mean: reduction("ReduceMean"), reduce.MeanAll: reduction("ReduceMean"),
    reduce.Amax: reduction("ReduceMax"), reduce.MaxAll: reduction("ReduceMax"),
    reduce.Amin: reduction("ReduceMin"), reduce.MinAll: reduction("ReduceMin"),
    reduce.MaxDim: max_or_min_dim, reduce.MinDim: max_or_min_dim, reduce.Norm: norm,
    reduce.Var: variance, reduce.Std: variance,
    rounding.Abs: unary_op("Abs"), shape.Contiguous: identity, rearrange.Repeat: repeat,
    _padding.ConstantPad: constant_pad, _activation.Hardswish: hardswish,
    _activation.LogSigmoid: log_sigmoid,
    shape.View: reshape, shape.ReshapeCopy: reshape, shape.Unsqueeze: reshape,
    shape.Squeeze: reshape, shape.Alias: identity, shape.Permute: permute,
    shape.Transpose: transpose, shape.T: transpose, shape.Expand: expand,
    joining.Cat: cat, joining.Stack: stack, joining.SplitWithSizes: split_with_sizes,
    rnn._Unbind: unbind, joining.Unbind: unbind,
    indexing.BasicIndex: basic_index, indexing.Select: basic_index,
    indexing.NewAxis: basic_index, rearrange.Triu: triu,
}
