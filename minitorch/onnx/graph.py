"""``GraphBuilder``: the ONNX graph being written, and the name of each tensor in it.

A tensor the model computed is named after the node that made it (``Gemm_3``); a parameter or
buffer is an initializer named as in ``state_dict()`` (``0.weight``); the example inputs get
``input_names``. Any other tensor an op reads (``torch.arange(t)``, a mask built in
``forward``) did not come from the inputs, so it is a constant: an initializer holding its
value at trace time.
"""
from __future__ import annotations

import itertools

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..tensor import Tensor
from .errors import UnsupportedOperatorError


def onnx_type(dtype) -> int:
    """ONNX's element type (TensorProto.FLOAT ...) for a NumPy dtype."""
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


class GraphBuilder:
    """Nodes and initializers, and the value name of every tensor seen so far."""

    def __init__(self, opset: int) -> None:
        self.opset = opset
        self.nodes: list = []
        self.initializers: dict[str, np.ndarray] = {}
        self._names: dict[int, str] = {}        # id(tensor) -> value name
        self._array_names: dict[int, str] = {}  # id(array) -> name: t.detach() shares t's array
        self._alive: list = []  # what the dicts above key by id, kept alive so ids stay unique
        self._unavailable: dict[int, str] = {}  # outputs that have no ONNX value (pool indices)
        self._count = itertools.count()
        # value name of a matrix's transpose -> the matrix (Gemm reads it with transB=1)
        self.transposed: dict[str, str] = {}
        self._outputs: set[str] = set()  # the graph outputs named so far

    # --- names of tensors -----------------------------------------------------------------

    def bind(self, tensor: Tensor, name: str) -> None:
        """From now on ``tensor`` (and any tensor sharing its array) is the value ``name``."""
        self._alive.append(tensor)
        self._names[id(tensor)] = name
        self._array_names[id(tensor._data)] = name  # (after an in-place op: its new value)

    def mark_unavailable(self, tensor: Tensor, why: str) -> None:
        self._alive.append(tensor)
        self._unavailable[id(tensor)] = why

    def is_constant(self, tensor: Tensor) -> bool:
        """True for a tensor that is not an input, a parameter, or computed from them."""
        return id(tensor) not in self._names and id(tensor._data) not in self._array_names

    def value(self, tensor: Tensor) -> str:
        """The value name of a tensor an op reads (a new constant for one never seen)."""
        name = self._names.get(id(tensor)) or self._array_names.get(id(tensor._data))
        if name is not None:
            return name
        if id(tensor) in self._unavailable:
            raise UnsupportedOperatorError(self._unavailable[id(tensor)], self.opset)
        name = self.constant(tensor._data)
        self.bind(tensor, name)
        return name

    # --- constants and nodes ----------------------------------------------------------------

    def constant(self, array, hint: str = "const") -> str:
        """A new initializer holding ``array``'s value."""
        name = f"{hint}_{next(self._count)}"
        self.initializers[name] = np.asarray(array)
        return name

    def ints(self, values) -> str:
        """A 1-D int64 constant (the shape input of Reshape, the axes of Unsqueeze ...)."""
        return self.constant(np.asarray(list(values), dtype=np.int64), "ints")

    def scalar(self, value, dtype) -> str:
        """A 0-d constant of ``dtype`` (a Python number an op was called with)."""
        return self.constant(np.asarray(value, dtype=dtype), "scalar")

    def node(self, op_type: str, inputs: list, outputs: int = 1, **attributes):
        """Append a node; returns its output's name (a list of names when ``outputs`` > 1).
        An input may be "" (an optional input left out, as ONNX spells it)."""
        name = f"{op_type}_{next(self._count)}"
        out = [name] if outputs == 1 else [f"{name}_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), out, name=name, **attributes))
        return out[0] if outputs == 1 else out

    def name_output(self, tensor: Tensor, name: str) -> None:
        """Make ``tensor``'s value the graph output ``name``: the node that computes it gets
        the name, or (for an input, a constant, a value output twice) an Identity node."""
        value = self.value(tensor)
        producers = [n for n in self.nodes if value in n.output]
        if producers and value not in self._outputs:
            for node in self.nodes:
                node.output[:] = [name if o == value else o for o in node.output]
                node.input[:] = [name if i == value else i for i in node.input]
            for key, bound in list(self._names.items()):
                if bound == value:
                    self._names[key] = name
            for key, bound in list(self._array_names.items()):
                if bound == value:
                    self._array_names[key] = name
        else:
            self.nodes.append(helper.make_node("Identity", [value], [name],
                                               name=f"{name}_Identity"))
        self._outputs.add(name)

    # --- the model ---------------------------------------------------------------------------

    def model(self, inputs: list, outputs: list, producer: str) -> onnx.ModelProto:
        """The ModelProto: ``inputs`` and ``outputs`` are ValueInfoProtos. Nodes whose results
        nothing uses (a transpose folded into Gemm) and unused constants are left out."""
        needed = {o.name for o in outputs}
        kept = []
        for node in reversed(self.nodes):
            if any(o in needed for o in node.output):
                kept.append(node)
                needed.update(i for i in node.input if i)
        initializers = [numpy_helper.from_array(array, name)
                        for name, array in self.initializers.items() if name in needed]
        graph = helper.make_graph(list(reversed(kept)), "main_graph", inputs, outputs,
                                  initializer=initializers)
        return helper.make_model(graph, producer_name=producer,
                                 opset_imports=[helper.make_opsetid("", self.opset)])
