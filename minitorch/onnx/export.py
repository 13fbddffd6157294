"""``export``: trace a model once, convert each noted operation, write the ONNX file."""
from __future__ import annotations

import inspect
import warnings

import numpy as np

from .. import random
from ..tensor import Tensor
from .errors import OnnxExporterError, UnsupportedOperatorError
from .tracer import SameValue, Tracer

DEFAULT_OPSET = 18  # PyTorch's default
OLDEST_OPSET = 13   # from 13, Split, Unsqueeze and ReduceSum take sizes and axes as inputs


def export(model, args=(), f=None, *, kwargs=None, input_names=None, output_names=None,
           opset_version: int | None = None, dynamic_axes=None, export_params: bool = True,
           verbose=None, **options):
    """Export ``model`` to the ONNX file ``f``: run it on ``args``, noting every operation,
    and write an ONNX graph of those operations with the parameters and buffers as
    initializers named as in ``state_dict()``. (It runs a second time on the same values moved
    around, to refuse a graph that would freeze something computed from the inputs.)

    Args:
        model: an ``nn.Module`` (run in eval mode, as PyTorch exports by default) or a function.
        args: the example inputs: a tuple (whose last item may be a dict of keyword inputs),
            or one Tensor.
        f: a path or a binary file object; None to only return the model.
        kwargs: example keyword inputs (they follow ``args`` among the graph's inputs).
        input_names, output_names: names of the graph's inputs and outputs (the model's
            outputs, nested tuples flattened).
        opset_version: ONNX opset (13 or later; default 18).
        dynamic_axes: ``{name: {axis: "dim name"}}`` or ``{name: [axis, ...]}``: axes whose
            size may differ from the example's, such as the batch.
        verbose: print the graph.

    Returns:
        The ``onnx.ModelProto`` (PyTorch returns an ``ONNXProgram``, or None).

    Raises:
        UnsupportedOperatorError (a RuntimeError): the model performs an operation that has
        no conversion; the message names it.

    Example::

        >>> minitorch.onnx.export(model, (torch.randn(1, 1, 28, 28),), "cnn.onnx",
        ...                       input_names=["image"], output_names=["scores"],
        ...                       dynamic_axes={"image": {0: "batch"}, "scores": {0: "batch"}})
    """
    opset = _checked_options(opset_version, export_params, options)
    args = (args,) if isinstance(args, Tensor) else tuple(args)
    kwargs = dict(kwargs or {})
    if args and isinstance(args[-1], dict):  # PyTorch's older convention: keyword inputs last
        kwargs, args = {**args[-1], **kwargs}, args[:-1]
    input_names = _names("input_names", input_names, _default_input_names(model, args, kwargs))
    state = random.get_rng_state()
    g, graph_inputs, outputs = _graph(model, args, kwargs, input_names, opset)
    after = random.get_rng_state()
    random.set_rng_state(state)  # the same random numbers (if forward draws any) again
    _check_constants(g, _graph(model, _moved(args), _moved(kwargs), input_names, opset)[0])
    random.set_rng_state(after)
    output_names = _names("output_names", output_names,
                          [f"output_{i}" for i in range(len(outputs))])
    axes = _dynamic_axes(dynamic_axes, input_names + output_names)
    graph_outputs = [(name, t) for name, t in zip(output_names, outputs)]
    for name, tensor in graph_outputs:
        g.name_output(tensor, name)
    model_proto = g.model([_value_info(n, t, axes) for n, t in graph_inputs],
                          [_value_info(n, t, axes) for n, t in graph_outputs],
                          producer="minitorch")
    import onnx
    if verbose:
        print(onnx.helper.printable_graph(model_proto.graph))
    if f is not None:
        onnx.save_model(model_proto, f)
    return model_proto


def _graph(model, args: tuple, kwargs: dict, input_names: list[str], opset: int):
    """Trace the model on these inputs and convert what it did: the GraphBuilder, the graph's
    (name, tensor) inputs, and the model's output tensors."""
    from .graph import GraphBuilder  # the onnx package is needed from here on (an extra)
    g = GraphBuilder(opset)
    if hasattr(model, "state_dict"):
        for name, tensor in model.state_dict(keep_vars=True).items():
            g.bind(tensor, name)
            g.initializers[name] = tensor._data
    inputs = list(args) + list(kwargs.values())
    graph_inputs = [(name, t) for name, t in zip(input_names, inputs) if isinstance(t, Tensor)]
    for name, tensor in graph_inputs:
        g.bind(tensor, name)
    result, calls = _trace(model, args, kwargs)
    _convert(g, calls)
    return g, graph_inputs, _flat(result)


def _moved(inputs):
    """The example inputs with their values moved one place along (a shuffle that keeps every
    value valid: token ids stay in range, images stay images)."""
    def move(t):
        return t.detach().reshape(-1).roll(1).reshape(t.shape) if isinstance(t, Tensor) else t
    if isinstance(inputs, dict):
        return {k: move(v) for k, v in inputs.items()}
    return tuple(move(v) for v in inputs)


def _check_constants(g, again) -> None:
    """Compare the graph with one traced on other input values: a constant that changed was
    computed from the inputs by an operation the tracer does not see (comparisons like
    ``x > 0``, ``argmax``: they are not Functions), so the graph would be wrong for every
    other input. A graph that changed shape means Python control flow read the values."""
    ours = [n.op_type for n in g.nodes]
    if ours != [n.op_type for n in again.nodes]:
        warnings.warn("minitorch.onnx.export: the model performs different operations for other "
                      "input values (Python control flow on tensor values?); the exported graph "
                      "is the one for the example inputs")
        return
    for name, array in g.initializers.items():
        other = again.initializers.get(name)
        if other is not None and other is not array and not _same(array, other):
            reader = next(n for n in g.nodes if name in n.input)
            raise OnnxExporterError(
                f"minitorch.onnx.export: the {reader.op_type} node reads a tensor that depends on "
                "the model's inputs but was computed by an operation the exporter cannot see "
                "(a comparison such as x > 0, argmax, isnan, or .numpy()); it would be baked into "
                "the graph as a constant. Compute it with differentiable operations, or pass it "
                "as an input")


def _same(a, b) -> bool:
    return (a.shape == b.shape and a.dtype == b.dtype
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))


def _trace(model, args: tuple, kwargs: dict):
    """Run the model once (in eval mode) under a Tracer: its result, and the noted calls."""
    training = getattr(model, "training", None)
    if training:
        model.train(False)
    try:
        with Tracer() as tracer:
            result = model(*args, **kwargs)
    finally:
        if training:
            model.train(True)
    return result, tracer.calls


def _convert(g, calls) -> None:
    """Each noted operation as ONNX nodes, in the order the model ran them."""
    from .converters import CONVERTERS
    for call in calls:
        if isinstance(call, SameValue):  # an in-place op's target and its new value
            if not g.is_constant(call.source):
                g.bind(call.tensor, g.value(call.source))
            continue
        if all(g.is_constant(t) for t in call.tensor_inputs()):
            continue  # computed from constants only (a mask from torch.ones): a constant too
        convert = CONVERTERS.get(call.cls)
        if convert is None:
            raise UnsupportedOperatorError(f"{call.cls.__name__} ({call.cls._node_name()})",
                                           g.opset)
        names = convert(g, call)
        for tensor, name in zip(call.output_list, names if isinstance(names, list) else [names]):
            if tensor is not None and name is None:
                g.mark_unavailable(tensor, f"{call.cls.__name__}'s output {tensor.shape}")
            elif tensor is not None:
                g.bind(tensor, name)


def _flat(result) -> list:
    """The model's output tensors, nested tuples and lists flattened in order."""
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in _flat(item)]
    raise TypeError(f"minitorch.onnx.export: the model must return tensors (or tuples and "
                    f"lists of them), but it returned {type(result).__name__}")


def _default_input_names(model, args: tuple, kwargs: dict) -> list[str]:
    """The forward's parameter names (as PyTorch's exporter names inputs), else input_<i>."""
    try:
        forward = model.forward if hasattr(model, "forward") else model
        params = [p.name for p in inspect.signature(forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = params[:len(args)] if len(params) >= len(args) else []
    names = names or [f"input_{i}" for i in range(len(args))]
    return names + list(kwargs)


def _names(what: str, given, default: list[str]) -> list[str]:
    """The given names for the first values, the default names for the rest."""
    given = list(given or [])
    kind = what.split("_")[0]
    if len(given) > len(default):
        raise RuntimeError(f"number of {kind} names provided ({len(given)}) exceeded number of "
                           f"{kind}s ({len(default)})")
    names = given + default[len(given):]
    if len(set(names)) != len(names):
        raise RuntimeError(f"minitorch.onnx.export: {what} must be distinct, got {names}")
    return names


def _dynamic_axes(dynamic_axes, names: list[str]) -> dict:
    """{value name: {axis: dim name}}; a list of axes gets PyTorch's names for them."""
    axes = {}
    for name, spec in (dynamic_axes or {}).items():
        if name not in names:
            warnings.warn(f"Provided key {name} for dynamic axes is not a valid input/output name")
            continue
        if isinstance(spec, dict):
            axes[name] = {int(a): str(d) for a, d in spec.items()}
        else:
            axes[name] = {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(spec)}
    return axes


def _value_info(name: str, tensor: Tensor, axes: dict):
    """A graph input's or output's type: dtype and shape, a dynamic axis named, not sized."""
    from onnx import helper
    from .graph import onnx_type
    named = axes.get(name, {})
    shape = [named.get(i, size) for i, size in enumerate(tensor.shape)]
    return helper.make_tensor_value_info(name, onnx_type(tensor._data.dtype), shape)


def _checked_options(opset_version, export_params: bool, options: dict) -> int:
    """The opset to write, after refusing what is not implemented."""
    import onnx
    newest = onnx.defs.onnx_opset_version()
    opset = DEFAULT_OPSET if opset_version is None else opset_version
    if not isinstance(opset, int) or not OLDEST_OPSET <= opset <= newest:
        raise RuntimeError(f"Unsupported onnx_opset_version: {opset_version} (minitorch.onnx "
                           f"writes opsets {OLDEST_OPSET} to {newest})")
    if not export_params:
        raise NotImplementedError("minitorch.onnx.export(export_params=False) is not implemented")
    # options that do not change what minitorch writes; any other is refused by name
    harmless = {"dynamo", "do_constant_folding", "training", "optimize", "external_data"}
    unknown = sorted(set(options) - harmless)
    if unknown:
        raise NotImplementedError(f"minitorch.onnx.export: {', '.join(unknown)} not implemented")
    return opset
