"""Walk a recorded graph through the public graph protocol into plain data (a ``Tape``).

The protocol is the one PyTorch exposes (viz/README.md describes it): ``tensor.grad_fn``,
``node.name()``, ``node.next_functions`` (pairs of node-or-None and output index, in argument
order) and ``AccumulateGrad`` nodes whose ``.variable`` is a leaf. Extras are read with
``getattr`` and a default, so a PyTorch graph and a minitorch graph go through the same code:
``sequence_nr()`` / ``_sequence_nr()``, ``scope`` (nn.Module names active when the op ran),
``saved_tensors`` / ``_saved_*``, ``_input_metadata`` (PyTorch: shape and dtype of each
output) and ``_input_shapes`` / ``_input_dtypes`` (minitorch: those of each input).

A node keeps no reference to its outputs, so the intermediate tensors drawn with their values
are those still reachable: the drawn outputs, the tensors named in ``params`` and the ones the
graph saved for backward.

Everything that ends up in a drawing is numbered by topological position (a post-order walk
that visits inputs in argument order), never by ``id()``, so two runs of the same program give
the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .modules import find_model

SMALL_NUMEL = 9  # tensors up to 3x3 show their values


# --- reading tensors of either framework ---------------------------------------------------

def dtype_name(dtype) -> str | None:
    """``torch.float32`` / ``minitorch.float32`` -> ``float32``."""
    if dtype is None:
        return None
    return str(dtype).rsplit(".", 1)[-1]


def to_numpy(t) -> np.ndarray:
    """A host copy of a tensor's values (minitorch or PyTorch, CPU or GPU)."""
    t = t.detach()
    try:
        return np.array(t.numpy(force=True))
    except TypeError:  # an older tensor type without force=
        return np.array(t.cpu().numpy())


@dataclass
class Summary:
    """What a drawing needs to know about a tensor's values (or a gradient's)."""

    shape: tuple
    dtype: str | None
    numel: int
    values: np.ndarray | None   # a copy, only for small tensors
    max_abs: float | None       # over finite entries; None when empty or all non-finite
    vmin: float | None
    vmax: float | None
    nonfinite: bool             # any NaN or inf

    @property
    def small(self) -> bool:
        return self.values is not None


def summarize(t, with_stats: bool = True) -> Summary:
    shape = tuple(int(s) for s in t.shape)
    numel = int(np.prod(shape)) if shape else 1
    dtype = dtype_name(t.dtype)
    small = numel <= SMALL_NUMEL and len(shape) <= 2
    if not small and not with_stats:
        return Summary(shape, dtype, numel, None, None, None, None, False)
    arr = to_numpy(t)
    values = arr.copy() if small else None
    if arr.dtype.kind in "fc":
        finite = np.isfinite(arr)
        nonfinite = not bool(finite.all())
        good = arr[finite].real if nonfinite else arr.real
    else:
        nonfinite, good = False, arr
    if good.size:
        max_abs = float(np.abs(good).max())
        vmin, vmax = float(good.min()), float(good.max())
    else:
        max_abs = vmin = vmax = None
    return Summary(shape, dtype, numel, values, max_abs, vmin, vmax, nonfinite)


# --- protocol access that works for both frameworks -----------------------------------------

def is_accumulate(node) -> bool:
    return hasattr(node, "variable") and node.name().endswith("AccumulateGrad")


def sequence_nr(node) -> int:
    for attr in ("sequence_nr", "_sequence_nr"):
        fn = getattr(node, attr, None)
        if fn is not None:
            return int(fn())
    return 0


def node_scope(node) -> tuple:
    scope = getattr(node, "scope", ())
    return tuple(scope) if isinstance(scope, (tuple, list)) else ()


def _output_meta(node, nr, consumer_shapes):
    """(shape, dtype) of a node's output when the tensor itself is gone."""
    metadata = getattr(node, "_input_metadata", None)  # PyTorch: one entry per output
    if metadata is not None and nr < len(metadata):
        md = metadata[nr]
        return tuple(int(s) for s in md.shape), dtype_name(md.dtype)
    meta = getattr(node, "_output_meta", None)  # minitorch, multi-output nodes
    if meta is not None and nr < len(meta) and meta[nr] is not None:
        return tuple(meta[nr][0]), dtype_name(meta[nr][1])
    for shape, dtype in consumer_shapes:  # minitorch: what its consumers recorded
        if shape is not None:
            return tuple(shape), None if dtype is None else dtype_name(dtype)
    return None, None


def saved_entries(node) -> list:
    """[(label, tensor-or-None)] of what a node saved; [("saved", "freed")] once released."""
    entries = []
    saved = None
    try:
        if hasattr(type(node), "saved_tensors"):
            saved = node.saved_tensors  # minitorch (and PyTorch custom Functions)
    except RuntimeError:
        return [("saved", "freed")]
    except AttributeError:
        saved = None
    if saved is not None:
        for i, t in enumerate(saved):
            if t is not None:
                entries.append((f"saved {i}", t))
        return entries
    for attr in sorted(a for a in dir(node) if a.startswith("_saved_")):
        try:
            value = getattr(node, attr)
        except RuntimeError:
            return [("saved", "freed")]
        if hasattr(value, "shape") and hasattr(value, "dtype") and hasattr(value, "detach"):
            entries.append((attr[len("_saved_"):], value))
    return entries


def param_names(params) -> tuple[dict, dict, list]:
    """({id(tensor): name}, {module qualified name: class name}, [named tensors]) from what
    the user passed.

    Accepts an nn.Module (minitorch or PyTorch), a dict name -> tensor, an iterable of
    (name, tensor) pairs, or a list of those.
    """
    names, classes, tensors = {}, {}, []
    if params is None:
        return names, classes, tensors
    if hasattr(params, "named_parameters"):
        for name, p in params.named_parameters():
            names.setdefault(id(p), name)
            tensors.append(p)
        if hasattr(params, "named_modules"):
            for name, m in params.named_modules():
                classes.setdefault(name, type(m).__name__)
        return names, classes, tensors
    items = params.items() if isinstance(params, dict) else params
    for item in items:
        if hasattr(item, "named_parameters") or isinstance(item, dict):
            more_names, more_classes, more_tensors = param_names(item)
            for k, v in more_names.items():
                names.setdefault(k, v)
            classes.update(more_classes)
            tensors += more_tensors
        else:
            name, t = item
            names.setdefault(id(t), name)
            tensors.append(t)
    return names, classes, tensors


# --- the walked graph -------------------------------------------------------------------------

@dataclass
class TensorNode:
    index: int
    name: str
    shape: tuple | None
    dtype: str | None
    leaf: bool
    producer: int | None = None       # OpNode index
    output_nr: int = 0
    consumers: list = field(default_factory=list)   # (op index, argument position)
    is_output: bool = False
    scope: tuple = ()
    value: Summary | None = None
    grad: Summary | None = None       # the final gradient, when known
    grad_state: str = "not computed"  # "known", "not computed" (leaf), "not stored" (non-leaf)
    # From a traced backward: (step, consumer op index or None for the seed, argument, Summary)
    contributions: list = field(default_factory=list)
    accumulate_step: int | None = None  # leaves: the step at which AccumulateGrad ran

    @property
    def fan_out(self) -> int:
        return len(self.consumers)


@dataclass
class OpNode:
    index: int
    name: str
    seq: int
    scope: tuple
    inputs: list            # tensor indices, argument order (None edges dropped)
    input_args: list        # the argument position of each entry of `inputs`
    outputs: list = field(default_factory=list)   # tensor indices
    const_args: list = field(default_factory=list)  # positions of inputs needing no grad
    saved: list = field(default_factory=list)     # (label, Summary | "freed")
    step: int | None = None  # position in the backward order of a trace


@dataclass
class ConstantInput:
    """An op's input that needs no gradient: a tensor without requires_grad (the graph keeps
    its type in minitorch, not its value), or a number operand such as the 3 in ``3 * a``."""
    index: int
    op: int
    arg: int
    number: float | None    # the number operand, when the node recorded it
    shape: tuple | None = None
    dtype: str | None = None


def _scalar_operand(node, arg):
    """The Python number at argument ``arg`` where the node keeps it (minitorch's arithmetic
    records its number operands in ``scalars``); other plain arguments (dims, shapes, flags)
    are options of the op, not inputs, and are not drawn."""
    scalars = getattr(node, "__dict__", {}).get("scalars")
    if isinstance(scalars, tuple) and arg < len(scalars):
        value = scalars[arg]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
    return None


@dataclass
class Tape:
    tensors: list
    ops: list
    outputs: list                     # tensor indices of the drawn outputs
    module_classes: dict
    order: list = field(default_factory=list)  # ("tensor" | "op", index) in creation order
    constants: list = field(default_factory=list)  # ConstantInput, in the order of their ops
    steps: list | None = None         # [("op", i) | ("leaf", i)] in the engine's order
    traced: bool = False


def _as_list(outputs) -> list:
    if isinstance(outputs, (list, tuple)):
        return list(outputs)
    return [outputs]


def _postorder(root_nodes) -> list:
    """Nodes reachable from the roots, each after all of its inputs (iterative; argument order)."""
    order, done, entered = [], set(), set()
    for root in root_nodes:
        if root in done:
            continue
        stack = [(root, 0)]
        entered.add(root)
        while stack:
            node, i = stack[-1]
            edges = node.next_functions
            while i < len(edges) and (edges[i][0] is None or edges[i][0] in entered):
                i += 1
            if i < len(edges):
                stack[-1] = (node, i + 1)
                child = edges[i][0]
                entered.add(child)
                stack.append((child, 0))
            else:
                stack.pop()
                done.add(node)
                order.append(node)
    return order


def build_tape(outputs, params=None, trace=None, show_values=True, show_saved=False) -> Tape:
    """Walk the graph behind ``outputs`` into a ``Tape``."""
    outs = _as_list(outputs)
    root_nodes = [o.grad_fn for o in outs if getattr(o, "grad_fn", None) is not None]
    nodes = _postorder(root_nodes)
    if params is None:  # name parameters and modules from the recorded scope
        leaves = [node.variable for node in nodes if is_accumulate(node)]
        scopes = {name for node in nodes for name in node_scope(node)}
        params = find_model(leaves, scopes)
    names, classes, named_tensors = param_names(params)

    tensors: list[TensorNode] = []
    ops: list[OpNode] = []
    constants: list[ConstantInput] = []
    order = []
    op_of = {}       # node -> op index
    tensor_of = {}   # (node, nr) -> tensor index; leaves: (AccumulateGrad node, 0)
    leaf_of = {}     # id(leaf tensor) -> tensor index (a leaf may be reached by several nodes)
    consumer_shapes = {}
    for node in nodes:
        shapes = getattr(node, "_input_shapes", None)
        dtypes = getattr(node, "_input_dtypes", None) or ()
        for i, (child, nr) in enumerate(node.next_functions):
            if child is not None and shapes is not None and i < len(shapes):
                dtype = dtypes[i] if i < len(dtypes) else None
                consumer_shapes.setdefault((child, nr), []).append((shapes[i], dtype))

    # Which outputs of each node are used (or drawn): they become tensor nodes.
    used = {}
    for node in nodes:
        for child, nr in node.next_functions:
            if child is not None:
                used.setdefault(child, set()).add(nr)
    # The intermediate tensors still reachable: drawn outputs first, then named ones, then
    # what the nodes saved for backward
    out_tensor_of = {}
    for o in outs:
        if getattr(o, "grad_fn", None) is not None:
            used.setdefault(o.grad_fn, set()).add(o.output_nr)
            out_tensor_of[(o.grad_fn, o.output_nr)] = o
    reachable = list(named_tensors) + (trace.saved if trace is not None else [])
    for node in nodes:
        reachable += [t for _, t in saved_entries(node) if not isinstance(t, str)]
    for t in reachable:
        if getattr(t, "grad_fn", None) is not None:
            out_tensor_of.setdefault((t.grad_fn, t.output_nr), t)

    def new_tensor(t, key, leaf, shape=None, dtype=None):
        index = len(tensors)
        name = names.get(id(t), f"t{index}") if t is not None else f"t{index}"
        if t is not None:
            shape, dtype = tuple(int(s) for s in t.shape), dtype_name(t.dtype)
        node = TensorNode(index, name, shape, dtype, leaf)
        if t is not None:
            if show_values:
                node.value = summarize(t)
            keeps_grad = leaf or bool(getattr(t, "retains_grad", False))
            grad = t.grad if keeps_grad else None
            if grad is not None:
                node.grad, node.grad_state = summarize(grad), "known"
            else:
                node.grad_state = "not computed" if leaf else "not stored"
        else:
            node.grad_state = "not stored"
        tensors.append(node)
        order.append(("tensor", index))
        tensor_of[key] = index
        return node

    for node in nodes:
        if is_accumulate(node):
            var = node.variable
            if id(var) in leaf_of:
                tensor_of[(node, 0)] = leaf_of[id(var)]
            else:
                leaf_of[id(var)] = new_tensor(var, (node, 0), True).index
            continue
        op = OpNode(len(ops), node.name(), sequence_nr(node), node_scope(node), [], [])
        shapes = getattr(node, "_input_shapes", None)
        dtypes = getattr(node, "_input_dtypes", None) or ()
        for arg, (child, nr) in enumerate(node.next_functions):
            if child is None:
                # A tensor that needs no gradient (PyTorch lists only tensor arguments;
                # minitorch also lists plain arguments, with no recorded shape).
                shape = shapes[arg] if shapes is not None and arg < len(shapes) else None
                if shapes is None or shape is not None:
                    op.const_args.append(arg)
                    dtype = dtypes[arg] if shape is not None and arg < len(dtypes) else None
                    constants.append(ConstantInput(len(constants), op.index, arg, None,
                                                   None if shape is None else tuple(shape),
                                                   dtype_name(dtype)))
                elif _scalar_operand(node, arg) is not None:
                    constants.append(ConstantInput(len(constants), op.index, arg,
                                                   _scalar_operand(node, arg)))
                continue
            ti = tensor_of[(child, nr)]
            op.inputs.append(ti)
            op.input_args.append(arg)
            tensors[ti].consumers.append((op.index, arg))
        if show_saved:
            for label, t in saved_entries(node):
                op.saved.append((label, t if isinstance(t, str) else summarize(t)))
        ops.append(op)
        order.append(("op", op.index))
        op_of[node] = op.index
        for nr in sorted(used.get(node, ())):
            t = out_tensor_of.get((node, nr))
            if t is not None:
                tn = new_tensor(t, (node, nr), False)
            else:
                shape, dtype = _output_meta(node, nr, consumer_shapes.get((node, nr), ()))
                tn = new_tensor(None, (node, nr), False, shape, dtype)
            tn.producer, tn.output_nr, tn.scope = op.index, nr, op.scope
            op.outputs.append(tn.index)

    drawn = []
    for o in outs:
        if getattr(o, "grad_fn", None) is not None:
            index = tensor_of[(o.grad_fn, o.output_nr)]
        elif id(o) in leaf_of:
            index = leaf_of[id(o)]
        else:  # a leaf (or a tensor outside autograd) drawn on its own
            index = new_tensor(o, ("output", len(drawn)), True).index
            leaf_of[id(o)] = index
        tensors[index].is_output = True
        drawn.append(index)

    _place_leaves(tensors, ops)
    tape = Tape(tensors, ops, drawn, classes, order, constants)
    if trace is not None:
        trace.apply(tape, op_of, tensor_of)
    else:
        _simulate_steps(tape, outs, op_of, tensor_of)
    return tape


def _simulate_steps(tape, outs, op_of, tensor_of) -> None:
    """Number the nodes in the order the engine would run them (no gradients known)."""
    from .steps import engine_order
    tape.steps = []
    for node in engine_order(outs):
        if is_accumulate(node):
            ti = tensor_of.get((node, 0))
            if ti is not None:
                tape.tensors[ti].accumulate_step = len(tape.steps)
                tape.steps.append(("leaf", ti))
        elif node in op_of:
            tape.ops[op_of[node]].step = len(tape.steps)
            tape.steps.append(("op", op_of[node]))


def _place_leaves(tensors, ops) -> None:
    """A parameter sits inside the module that owns it: the scope its name points to.

    Scope entries may be qualified names ("block.l1") or one name per level ("block", "l1").
    """
    for t in tensors:
        if not t.leaf or not t.consumers or "." not in t.name:
            continue
        owner = t.name.rsplit(".", 1)[0]
        for op_index, _ in t.consumers:
            scope = ops[op_index].scope
            for depth, name in enumerate(scope):
                joined = ".".join(s for s in scope[:depth + 1] if s)
                if owner in (name, joined):
                    t.scope = scope[:depth + 1]
                    break
            if t.scope:
                break
