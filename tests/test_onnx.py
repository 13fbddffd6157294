"""minitorch.onnx.export: the exported graph passes onnx.checker and onnxruntime computes what
the model computes. PyTorch is the oracle: each model is also built in PyTorch and loaded
with the same weights, and onnxruntime's outputs must equal both models' outputs (on inputs
other than the traced ones where the graph must generalise: dynamic batch, no constants
baked in)."""
from __future__ import annotations

import io
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd import function
from minitorch.course.ch14 import reference_cnn, reference_gpt

onnx = pytest.importorskip("onnx", reason="the onnx package is not installed (the onnx extra)")
ort = pytest.importorskip("onnxruntime",
                          reason="the onnxruntime package is not installed (the onnx extra)")

TOLERANCE = dict(rtol=1e-4, atol=1e-4)


# --- models, each written once for either library ----------------------------------------------

def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(),
                         nn.Linear(16, 3), nn.LogSoftmax(dim=1))


def lstm(lib):
    return lib.nn.LSTM(4, 5, num_layers=2, batch_first=True)


def gpt(lib):
    """The course's GPT (chapter 14): embeddings, two pre-norm TransformerEncoderLayers with a
    causal mask, a final LayerNorm and the vocabulary head."""
    return reference_gpt(lib, vocab=11, d_model=8, heads=2, layers=2, context=6)


def encoder_layer(lib):
    return lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True,
                                          activation="gelu")


def layers(lib):
    """The other layers and activations a model uses, in one network."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.LeakyReLU(0.1),
        nn.AvgPool2d(3, 2, padding=1, count_include_pad=False), nn.ELU(), nn.SiLU(),
        nn.MaxPool2d(2, ceil_mode=True),
        nn.Flatten(), nn.Linear(4 * 3 * 3, 12), nn.LayerNorm(12), nn.GELU(), nn.Sigmoid(),
        nn.Hardtanh(0.2, 0.8), nn.Linear(12, 5), nn.Softmax(dim=-1))


def attention(lib):
    """Attention written out with MatMul and Softmax, and the shape ops around it: view,
    permute, transpose, chunk, cat, and + - * /."""
    nn = lib.nn

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(8, 24)
            self.out = nn.Linear(16, 4)

        def forward(self, x):
            b, t, _ = x.shape
            q, k, v = self.qkv(x).chunk(3, dim=-1)
            q, k, v = (z.view(b, t, 2, 4).permute(0, 2, 1, 3) for z in (q, k, v))
            weights = lib.softmax(q @ k.transpose(-2, -1) / math.sqrt(4), dim=-1)
            y = (weights @ v).transpose(1, 2).reshape(b, t, 8)
            y = lib.cat([y, (x - 1.0) * 0.5], dim=-1)
            return self.out(y)

    return Attention()


def tensor_ops(lib):
    """Tensor functions and indexing between two linear layers (the input is (3, 4, 6))."""
    nn = lib.nn

    class TensorOps(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = nn.Linear(6, 6)
            self.last = nn.Linear(6, 2)

        def forward(self, x):
            h = self.first(x)
            even = lib.arange(6) % 2 == 0  # a constant mask: not computed from x
            h = lib.where(even, h.exp().sqrt(), -h).clamp(-2.0, 3.0) ** 2
            h = lib.maximum(h, h.mean(dim=1, keepdim=True)) + lib.minimum(h, h.sum(-1, True))
            rows = lib.stack(list(h.unbind(1)), dim=2).transpose(1, 2)  # (3, 4, 6) again
            left, right = rows.split([1, 3], dim=1)
            h = lib.cat([right, left], dim=1)[:, 1:, ...][..., None].squeeze(-1)
            h = h + h[:, 0].unsqueeze(1).expand(3, 3, 6) + h[0, :, :2].sum(-1, keepdim=True)
            h = (h.to(lib.float64) + 1.0).log().to(lib.float32)
            return self.last(h), h.mean()

    return TensorOps()


def more_ops(lib):
    """The remaining converters: products of every rank, triu, masked_fill, clone, one-sided
    clamp, and the unary functions (the input is (2, 3, 3))."""
    nn = lib.nn

    class MoreOps(nn.Module):
        def __init__(self):
            super().__init__()
            self.vector = nn.Parameter(lib.randn(3))

        def forward(self, x):
            square = lib.bmm(x, x.transpose(1, 2)).triu(1) + x.clamp(min=0.1).rsqrt()
            rows = lib.mv(square[0], self.vector) + lib.dot(self.vector, square[1, 0])
            fixed = lib.eye(3, dtype=lib.bool)  # a constant mask
            z = square.masked_fill(fixed, 0.5).clone() @ self.vector
            return (z.sin() + z.cos()) * lib.matmul(self.vector, square[1]).reciprocal(), rows

    return MoreOps()


def reductions(lib):
    """Reductions (with an int64 argmax output), norms, padding, tiling and the activations
    ONNX spells otherwise (the input is (3, 4, 5))."""
    nn = lib.nn
    F = nn.functional

    class Reductions(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(5, 5)

        def forward(self, x):
            h = F.hardswish(self.linear(x)) + F.logsigmoid(x).abs()
            spread = h.var(1, keepdim=True) + h.std((0, 2), correction=0, keepdim=True)
            h = F.normalize(h, dim=-1) + spread + h.norm(p=1, dim=-1, keepdim=True)
            values, indices = h.max(dim=2)
            low = h.amin((1, 2)) + h.min(0).values.sum() + h.amax(0).mean() + h.max()
            tiled = F.pad(values.repeat(1, 2), (1, 2), value=0.5).transpose(0, 1).contiguous()
            return tiled, indices, low

    return Reductions()


def inplace(lib):
    """In-place operations: the exporter follows the tensor's new value (the input is (3, 4))."""
    nn = lib.nn

    class InPlace(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)
            self.relu = nn.ReLU(inplace=True)

        def forward(self, x):
            h = self.relu(self.linear(x))
            h += x
            h.mul_(2.0).sub_(0.5)
            return h.tanh_()

    return InPlace()


def multihead(lib):
    """nn.MultiheadAttention on three inputs (query, key, value), also returning the weights
    averaged over heads."""
    nn = lib.nn

    class CrossAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = nn.MultiheadAttention(8, 2, batch_first=True)

        def forward(self, query, key, value):
            return self.attention(query, key, value)

    return CrossAttention()


# name -> (model builder, input shapes, or "tokens" for (2, 5) token ids of a vocabulary of 11)
MODELS = {
    "mlp": (mlp, [(3, 6)]),
    "cnn": (reference_cnn, [(2, 1, 28, 28)]),
    "lstm": (lstm, [(2, 3, 4)]),
    "gpt": (gpt, "tokens"),
    "encoder_layer": (encoder_layer, [(2, 5, 8)]),
    "attention": (attention, [(2, 5, 8)]),
    "layers": (layers, [(2, 3, 11, 11)]),
    "tensor_ops": (tensor_ops, [(3, 4, 6)]),
    "more_ops": (more_ops, [(2, 3, 3)]),
    "inplace": (inplace, [(3, 4)]),
    "reductions": (reductions, [(3, 4, 5)]),
    "multihead": (multihead, [(2, 5, 8), (2, 7, 8), (2, 7, 8)]),
}


def input_arrays(name: str, rng, batch: int | None = None) -> list[np.ndarray]:
    """Random inputs for a model (``batch`` replaces the first size)."""
    spec = MODELS[name][1]
    if spec == "tokens":
        return [rng.integers(0, 11, size=(batch or 2, 5)).astype(np.int64)]
    return [rng.standard_normal((batch or s[0],) + s[1:]).astype(np.float32) for s in spec]


def as_tensor(lib, array: np.ndarray):
    """The array as a tensor; a float one is made as a permuted (non-contiguous) view."""
    if array.dtype.kind != "f":
        return lib.tensor(array)
    order = list(range(array.ndim))[::-1]
    return lib.tensor(np.ascontiguousarray(array.transpose(order))).permute(order)


def both(build, rng):
    """The model in minitorch and in PyTorch with the same weights and buffers (batch norm's
    running statistics made non-trivial by one training step first), both in eval mode."""
    ours = build(minitorch)
    if any(isinstance(m, minitorch.nn.BatchNorm2d) for m in ours.modules()):
        ours.train()
        with minitorch.no_grad():
            ours(minitorch.tensor(rng.standard_normal((4, 3, 11, 11)).astype(np.float32)))
    theirs = build(torch)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours.eval(), theirs.eval()


def flat(out) -> list:
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in flat(item)]
    return [out]


def run_onnx(proto, feeds: dict) -> list[np.ndarray]:
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def exported(model, inputs, **kwargs):
    """Export to a file object, read it back and check it (as a user would)."""
    buffer = io.BytesIO()
    minitorch.onnx.export(model, tuple(inputs), buffer, **kwargs)
    proto = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    return proto


# --- tests --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(MODELS))
def test_onnxruntime_gives_the_models_outputs(name):
    assert_onnxruntime_agrees(name)


# the newest ONNX op a model needs, and the opset that brought it
NEWEST_OP = {"gpt": ("LayerNormalization", 17), "layers": ("LayerNormalization", 17),
             "reductions": ("HardSwish", 14)}


@pytest.mark.parametrize("opset", [13, 17, 20])
@pytest.mark.parametrize("name", ["mlp", "lstm", "tensor_ops", "gpt", "layers", "reductions"])
def test_other_opsets(name, opset):
    """Opsets before 18 spell some nodes differently (ReduceMean's axes, Split's count), Gelu
    is a node from 20; an op newer than the opset is refused with the version that has it."""
    op, since = NEWEST_OP.get(name, (None, 0))
    if opset < since:
        with pytest.raises(minitorch.onnx.errors.UnsupportedOperatorError,
                           match=f"'{op}' to ONNX opset version {opset} .* added in version "
                                 f"{since}"):
            assert_onnxruntime_agrees(name, opset_version=opset)
    else:
        assert_onnxruntime_agrees(name, opset_version=opset)


def assert_onnxruntime_agrees(name, **export_kwargs):
    rng = np.random.default_rng(0)
    ours, theirs = both(MODELS[name][0], rng)
    arrays = input_arrays(name, rng)
    proto = exported(ours, [as_tensor(minitorch, a) for a in arrays], **export_kwargs)
    if "opset_version" in export_kwargs:
        assert proto.opset_import[0].version == export_kwargs["opset_version"]
    got = run_onnx(proto, {i.name: a for i, a in zip(proto.graph.input, arrays)})
    expected_ours = flat(ours(*[as_tensor(minitorch, a) for a in arrays]))
    with torch.no_grad():
        expected_theirs = flat(theirs(*[as_tensor(torch, a) for a in arrays]))
    assert len(got) == len(expected_theirs) == len(expected_ours)
    for value, mine, pytorch in zip(got, expected_ours, expected_theirs):
        assert value.dtype == pytorch.numpy().dtype and value.shape == tuple(pytorch.shape)
        np.testing.assert_allclose(value, mine.detach().numpy(), **TOLERANCE)
        np.testing.assert_allclose(value, pytorch.numpy(), **TOLERANCE)


@pytest.mark.parametrize("name", ["mlp", "cnn", "gpt", "layers"])
def test_weights_are_initializers_named_as_the_parameters(name):
    rng = np.random.default_rng(1)
    ours, theirs = both(MODELS[name][0], rng)
    proto = exported(ours, [as_tensor(minitorch, a) for a in input_arrays(name, rng)])
    initializers = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    for key, parameter in theirs.named_parameters():
        np.testing.assert_array_equal(initializers[key], parameter.detach().numpy())


@pytest.mark.parametrize("name", ["mlp", "cnn", "layers"])
def test_dynamic_batch_axis(name):
    rng = np.random.default_rng(2)
    ours, theirs = both(MODELS[name][0], rng)
    proto = exported(ours, [as_tensor(minitorch, a) for a in input_arrays(name, rng, batch=2)],
                     input_names=["x"], output_names=["y"],
                     dynamic_axes={"x": {0: "batch"}, "y": [0]})
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "y_dynamic_axes_1"
    (array,) = input_arrays(name, rng, batch=5)
    (got,) = run_onnx(proto, {"x": array})
    with torch.no_grad():
        np.testing.assert_allclose(got, theirs(torch.tensor(array)).numpy(), **TOLERANCE)


def test_arithmetic_on_inputs_is_in_the_graph_not_a_constant():
    """x / 255 - 0.5 on an input that needs no gradient (minitorch/fast computes such an op
    directly, outside Function.apply, unless a tracer is active): the graph must compute it
    from its input, so another input gives another output."""

    class Normalize(minitorch.nn.Module):
        def forward(self, x):
            return (x / 255.0 - 0.5) * 2.0 + x.exp() * 0.0

    rng = np.random.default_rng(3)
    proto = exported(Normalize(), [minitorch.tensor(rng.random((2, 3), dtype=np.float32))])
    fresh = (rng.random((2, 3), dtype=np.float32) * 255).astype(np.float32)
    (got,) = run_onnx(proto, {proto.graph.input[0].name: fresh})
    t = torch.tensor(fresh)
    np.testing.assert_allclose(got, ((t / 255.0 - 0.5) * 2.0 + t.exp() * 0.0).numpy(), **TOLERANCE)


def test_keyword_inputs_and_default_names():
    """Inputs are named after forward's parameters; keyword inputs (kwargs=, or a dict last in
    args) follow the positional ones."""
    rng = np.random.default_rng(6)
    ours, theirs = both(multihead, rng)
    query, key, value = input_arrays("multihead", rng)
    tensors = [minitorch.tensor(a) for a in (query, key, value)]
    for args, kwargs in [((tensors[0], {"key": tensors[1], "value": tensors[2]}), None),
                         ((tensors[0],), {"key": tensors[1], "value": tensors[2]})]:
        buffer = io.BytesIO()
        proto = minitorch.onnx.export(ours, args, buffer, kwargs=kwargs)
        assert [i.name for i in proto.graph.input] == ["query", "key", "value"]
        got = run_onnx(proto, {"query": query, "key": key, "value": value})
        with torch.no_grad():
            expected = theirs(torch.tensor(query), key=torch.tensor(key), value=torch.tensor(value))
        for a, b in zip(got, expected):
            np.testing.assert_allclose(a, b.numpy(), **TOLERANCE)


def test_values_computed_outside_the_recorded_operations_are_refused():
    """x > 0 is not a Function (comparisons record nothing): its mask cannot be traced, and
    freezing it as a constant would give wrong results for every other input."""

    class ClipNegatives(minitorch.nn.Module):
        def forward(self, x):
            return x.masked_fill(x < 0, 0.0) * 2.0

    with pytest.raises(minitorch.onnx.errors.OnnxExporterError,
                       match="the Where node reads a tensor that depends on the model's inputs"):
        minitorch.onnx.export(ClipNegatives(), (minitorch.randn(3, 4),), io.BytesIO())
    assert function.tracer is None


def test_inplace_write_into_a_view_is_refused():
    """x[:, 0] = 0 writes through a view into x: the exporter follows values, not memory."""

    class ZeroFirstColumn(minitorch.nn.Module):
        def forward(self, x):
            h = x * 2.0
            h[:, 0] = 0.0
            return h

    with pytest.raises(minitorch.onnx.errors.OnnxExporterError, match="writes into a view"):
        minitorch.onnx.export(ZeroFirstColumn(), (minitorch.randn(3, 4),), io.BytesIO())
    assert function.tracer is None


@pytest.mark.parametrize("name", ["mlp", "cnn", "inplace"])
def test_in_place_and_fresh_inputs(name):
    """The graph computes from its input: other values give PyTorch's outputs for them."""
    rng = np.random.default_rng(5)
    ours, theirs = both(MODELS[name][0], rng)
    proto = exported(ours, [as_tensor(minitorch, a) for a in input_arrays(name, rng)])
    (fresh,) = input_arrays(name, rng)
    (got,) = run_onnx(proto, {proto.graph.input[0].name: fresh})
    with torch.no_grad():
        np.testing.assert_allclose(got, theirs(torch.tensor(fresh)).numpy(), **TOLERANCE)


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_same_op_types_as_pytorchs_exporter(name):
    rng = np.random.default_rng(4)
    ours, theirs = both(MODELS[name][0], rng)
    arrays = input_arrays(name, rng)
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(theirs, tuple(torch.tensor(a) for a in arrays), buffer,
                              dynamo=False, opset_version=18)
    except Exception as err:  # PyTorch's TorchScript exporter may be unavailable: not ours
        pytest.skip(f"torch.onnx.export(dynamo=False) does not run here: {err!r}")
    theirs_proto = onnx.load_from_string(buffer.getvalue())
    proto = exported(ours, [minitorch.tensor(a) for a in arrays])
    assert [n.op_type for n in proto.graph.node] == [n.op_type for n in theirs_proto.graph.node]


def test_unsupported_operation_is_named_and_nothing_stays_switched_on():
    class Cumulative(minitorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = minitorch.nn.Linear(3, 3)

        def forward(self, x):
            return self.linear(x).cumsum(1)

    model = Cumulative()
    assert model.training
    with pytest.raises(minitorch.onnx.errors.UnsupportedOperatorError, match="CumSum"):
        minitorch.onnx.export(model, (minitorch.randn(2, 3),), io.BytesIO())
    assert function.tracer is None and model.training
    assert not minitorch.onnx.is_in_onnx_export()
    # PyTorch's class tree: UnsupportedOperatorError < OnnxExporterError < RuntimeError
    for errors in (minitorch.onnx.errors, torch.onnx.errors):
        assert issubclass(errors.UnsupportedOperatorError, errors.OnnxExporterError)
        assert issubclass(errors.OnnxExporterError, RuntimeError)


@pytest.mark.parametrize("lib", [minitorch, torch])
def test_is_in_onnx_export_during_the_models_run(lib):
    seen = []

    class Spy(lib.nn.Module):
        def forward(self, x):
            seen.append(lib.onnx.is_in_onnx_export())
            return x * 2.0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if lib is minitorch:
            lib.onnx.export(Spy(), (lib.randn(2, 3),), io.BytesIO())
        else:
            try:
                lib.onnx.export(Spy(), (lib.randn(2, 3),), io.BytesIO(), dynamo=False)
            except Exception as err:  # PyTorch's TorchScript exporter may be unavailable
                pytest.skip(f"torch.onnx.export(dynamo=False) does not run here: {err!r}")
    assert seen and all(seen) and not lib.onnx.is_in_onnx_export()


def test_max_pool_indices_are_refused_by_name():
    def pool(x):
        return minitorch.nn.functional.max_pool2d(x, 2, return_indices=True)

    with pytest.raises(minitorch.onnx.errors.UnsupportedOperatorError, match="MaxPool2d"):
        minitorch.onnx.export(pool, (minitorch.randn(1, 1, 4, 4),), io.BytesIO())


def test_bad_options_are_refused_with_pytorchs_types():
    model = minitorch.nn.ReLU()
    x = minitorch.randn(1, 2)
    with pytest.raises(RuntimeError, match="Unsupported onnx_opset_version: 99"):
        minitorch.onnx.export(model, (x,), io.BytesIO(), opset_version=99)
    with pytest.raises(RuntimeError, match=r"number of input names provided \(2\) exceeded"):
        minitorch.onnx.export(model, (x,), io.BytesIO(), input_names=["a", "b"])
    theirs = torch.nn.ReLU()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match=r"number of input names provided \(2\) exceeded"):
            torch.onnx.export(theirs, (torch.randn(1, 2),), io.BytesIO(), dynamo=False,
                              input_names=["a", "b"])
