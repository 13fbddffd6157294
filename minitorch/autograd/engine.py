"""The backward engine: walks the recorded graph from the outputs back to the leaves.

1. Discover every node reachable from the roots (an explicit stack, never recursion, so a
   10,000-op chain is fine) and count, for each node, how many edges point into it.
2. Run nodes once all their consumers have sent their gradient; among the ready ones the
   newest (highest sequence number) goes first, as in PyTorch. Gradients arriving at the
   same output of a node (a tensor that fans out) are summed.
3. Each node's backward runs with recording off, or on when ``create_graph`` is set, in
   which case the gradients are themselves differentiable.
4. Saved tensors are released after use unless ``retain_graph``.

``autograd.grad`` uses the same walk but captures the gradients of chosen inputs instead of
accumulating into ``.grad``, and runs only the nodes that lead to those inputs.
"""
from __future__ import annotations

import heapq
import itertools

from . import anomaly_mode, grad_mode
from .. import backend
from ..types import dtypes as _dtype
from .. import tensor as _tensor  # a cycle (tensor.py -> autograd); used at call time
from .function import AccumulateGrad


def _root_gradients(outputs, grad_outputs, create_graph):
    Tensor = _tensor.Tensor
    roots = []
    for i, (out, grad) in enumerate(zip(outputs, grad_outputs)):
        node, nr = out._edge()
        if node is None:  # (also a view that requires grad through its base alone)
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if grad is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs "
                                   f"(got an output of shape {list(out.shape)}); pass gradient=")
            if out._data.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs "
                                   f"but got {out.dtype}")
            grad = Tensor._from_array(out._xp.ones_like(out._data))
        elif not isinstance(grad, Tensor):
            raise TypeError(f"gradient must be a Tensor or None, got {type(grad).__name__}")
        elif grad._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{list(grad.shape)} and output[{i}] has a shape of {list(out.shape)}.")
        elif grad.requires_grad and not create_graph:
            grad = grad.detach()  # (backward formulas must not record through it)
        roots.append((node, nr, grad))
    return roots


def _discover(root_nodes):
    """Every reachable node, in an order where each node precedes the nodes it points to,
    and the number of edges pointing into each node."""
    dependencies = {}
    order = []
    seen = set(root_nodes)
    stack = list(root_nodes)
    while stack:
        node = stack.pop()
        order.append(node)
        for next_node in node._next_nodes:
            if next_node is None:
                continue
            dependencies[next_node] = dependencies.get(next_node, 0) + 1
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return order, dependencies


def _nodes_leading_to(order, targets):
    """The subset of nodes from which some target node can be reached (targets included)."""
    needed = set(targets)
    # `order` lists a node before the nodes it points to only along DFS paths, so iterate
    # to a fixed point; graphs are DAGs, and each pass is linear.
    changed = True
    while changed:
        changed = False
        for node in reversed(order):
            if node in needed:
                continue
            if any(n in needed for n in node._next_nodes if n is not None):
                needed.add(node)
                changed = True
    return needed


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None,
                 accumulate=True, allow_unused=False):
    """The engine behind ``Tensor.backward`` (accumulate=True) and ``autograd.grad`` (False).

    Returns the captured gradients of ``inputs`` when given, else None.
    """
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_gradients(outputs, grad_outputs, create_graph)
    root_nodes = list(dict.fromkeys(node for node, _, _ in roots))
    order, dependencies = _discover(root_nodes)
    targets = _Targets(inputs, accumulate, order)
    if targets.needed is not None:
        dependencies = _dependencies_within(order, targets.needed)

    buffers = {}  # gradients waiting at each node, one slot per output of the node
    for node, nr, grad in roots:
        _add_gradient(buffers, node, nr, grad)
    ready = []  # nodes whose consumers have all sent their gradients, newest first
    for node in root_nodes:
        if dependencies.get(node, 0) == 0 and targets.leads_to_an_input(node):
            _push(ready, node)
        elif _tensor_hooks(node):  # a root that leads to no input: PyTorch runs its tensor
            _run_tensor_hooks(node, buffers.pop(node))  # hooks all the same, then skips it

    previous_mode = grad_mode.is_grad_enabled()
    grad_mode._enabled = create_graph  # record the backward pass only under create_graph
    try:
        run_ready_nodes(ready, buffers, dependencies, targets, accumulate, create_graph,
                        retain_graph)
    finally:
        grad_mode._enabled = previous_mode
    return targets.result(allow_unused)


def run_ready_nodes(ready, buffers, dependencies, targets, accumulate, create_graph,
                    retain_graph) -> None:
    """The main loop: run the newest ready node, send its gradients on, until none is ready.
    (minitorch/fast replaces it with the same loop written out in one body.)"""
    while ready:
        node = heapq.heappop(ready)[2]
        grads = buffers.pop(node)
        if node._pre_hooks or _tensor_hooks(node):
            grads = _run_pre_hooks(node, grads)
        targets.capture(node, grads)
        if type(node) is AccumulateGrad:
            if accumulate and grads[0] is not None and targets.accumulates_into(node):
                node.accumulate(grads[0], create_graph)
                for hook in node._post_hooks:
                    hook((), tuple(grads))
        elif targets.continues_past(node):
            _send(node, _call_backward(node, grads), buffers, dependencies, ready, targets)
            if not retain_graph:
                node._release()


class _Targets:
    """What a backward pass is for. ``backward()``: every leaf's ``.grad``.
    ``backward(inputs=...)``: only those leaves'. ``autograd.grad(outputs, inputs)``: the
    gradients of ``inputs``, captured and returned, running only the nodes leading to them."""

    def __init__(self, inputs, accumulate, order):
        self.inputs, self.accumulate = inputs, accumulate
        self.captures = {}  # (node, output index) -> positions in ``inputs``
        for i, t in enumerate(inputs or ()):
            if not t.requires_grad:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
            self.captures.setdefault(t._edge(), []).append(i)
            if accumulate:  # backward(inputs=[y]), y a non-leaf: from now on y.grad is kept,
                t.retain_grad()  # in this backward and the next ones, as PyTorch does
        self.captured = [None] * len(inputs or ())
        input_nodes = {node for node, _ in self.captures}
        # with inputs (autograd.grad, backward(inputs=...)) only the nodes that lead to an
        # input run; backward(inputs=...) accumulates only into those tensors
        leads = inputs is not None
        self.needed = _nodes_leading_to(order, input_nodes) if leads else None
        self.leaves = input_nodes if inputs is not None and accumulate else None

    def leads_to_an_input(self, node) -> bool:
        return self.needed is None or node in self.needed

    def accumulates_into(self, leaf) -> bool:
        return self.leaves is None or leaf in self.leaves

    def continues_past(self, node) -> bool:
        """False at a capture point of autograd.grad that leads to no further input."""
        return self.needed is None or any(n in self.needed for n in node._next_nodes)

    def capture(self, node, grads) -> None:
        if self.captures:
            for i, g in enumerate(grads):
                for position in self.captures.get((node, i), ()):
                    self.captured[position] = g

    def result(self, allow_unused):
        if self.inputs is None:
            return None
        if not self.accumulate and not allow_unused:
            for i, g in enumerate(self.captured):
                if g is None:
                    raise RuntimeError(
                        f"One of the differentiated Tensors (input {i}) appears to not have been "
                        "used in the graph. Set allow_unused=True if this is the desired behavior.")
        return self.captured


def _send(node, grad_inputs, buffers, dependencies, ready, targets) -> None:
    """Send each input's gradient to the node that produced that input; a node whose
    consumers have now all sent theirs is ready to run."""
    for next_node, nr, grad in zip(node._next_nodes, node._next_nrs, grad_inputs):
        if next_node is None or not targets.leads_to_an_input(next_node):
            continue
        if grad is not None:
            _add_gradient(buffers, next_node, nr, grad)
        dependencies[next_node] -= 1
        if dependencies[next_node] == 0:
            if next_node in buffers:
                _push(ready, next_node)
            else:  # no gradient reached it: its own inputs get none from here either
                _propagate_nothing(next_node, dependencies, buffers, ready, targets)


def _add_gradient(buffers, node, nr, grad) -> None:
    """Gradients arriving at the same output of a node (a tensor used twice) are summed."""
    buffer = buffers.setdefault(node, [None] * node._num_outputs)
    buffer[nr] = grad if buffer[nr] is None else buffer[nr] + grad


# Ready nodes are a heap of (-sequence number, arrival, node): newest first, as in PyTorch
# (leaves, numbered highest, as soon as they are ready); arrival order breaks ties.
_arrival = itertools.count()


def _push(ready, node) -> None:
    heapq.heappush(ready, (-node._seq, next(_arrival), node))


def _tensor_hooks(node):
    """Hooks registered on the tensor a node produced (a leaf's live on the tensor itself)."""
    return node.variable._tensor_hooks if type(node) is AccumulateGrad else node._tensor_hooks


def _dependencies_within(order, needed):
    """Edge counts into each node, counting only edges between ``needed`` nodes."""
    dependencies = {}
    for node in order:
        if node in needed:
            for next_node in node._next_nodes:
                if next_node in needed:
                    dependencies[next_node] = dependencies.get(next_node, 0) + 1
    return dependencies


def _propagate_nothing(node, dependencies, buffers, ready, targets):
    """A node none of whose consumers sent a gradient: release its consumers' counts below."""
    stack = [node]
    while stack:
        current = stack.pop()
        for next_node in current._next_nodes:
            if next_node is None or not targets.leads_to_an_input(next_node):
                continue
            dependencies[next_node] -= 1
            if dependencies[next_node] == 0:
                if next_node in buffers:
                    _push(ready, next_node)
                else:
                    stack.append(next_node)


def _run_pre_hooks(node, grads):
    """Tensor hooks (``register_hook``, ``retain_grad``) and node pre-hooks may replace grads."""
    grads = _run_tensor_hooks(node, grads)
    for hook in node._pre_hooks:
        new = hook(tuple(grads))
        if new is not None:
            grads = list(new)
    return grads


def _run_tensor_hooks(node, grads):
    """The hooks registered on the tensor ``node`` produced (``register_hook``, ``retain_grad``)."""
    if type(node) is AccumulateGrad:  # a leaf's own hooks live on the tensor
        tensor_hooks = [(0, hook) for hook in node.variable._tensor_hooks]
    else:
        tensor_hooks = node._tensor_hooks
    for nr, hook in list(tensor_hooks):
        if grads[nr] is not None:
            new = hook(grads[nr])
            if new is not None:
                grads[nr] = _checked_hook_result(hook, grads[nr], new)
    return grads


def _checked_hook_result(hook, grad, new):
    """A tensor hook may replace the gradient, but not with something of another kind, shape
    or dtype (PyTorch checks the same, and names the hook)."""
    name = getattr(hook, "__name__", type(hook).__name__)
    if not isinstance(new, _tensor.Tensor):
        raise TypeError(f"hook '{name}' returned {type(new).__name__}: expected a Tensor or None")
    if new._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value (was "
                           f"{list(grad.shape)} got {list(new.shape)})")
    if new._data.dtype != grad._data.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {grad.dtype} "
                           f"got {new.dtype})")
    return new


def _call_backward(node, grads):
    """Run ``node``'s Function.backward and check what it returned."""
    # (a node with one output only runs when that output received a gradient)
    if node._num_outputs > 1 and node.materialize_grads and any(g is None for g in grads):
        grads = _zeros_where_missing(node, grads)
    result = node._function.backward(node, *grads)
    if type(result) is not tuple:
        result = (result,)
    if len(result) != len(node._next_nodes):
        result = _drop_trailing_nones(node, result)
    result = _checked_and_cast(node, result)
    if anomaly_mode._enabled:
        anomaly_mode.check_gradients(node, result)
    if node._post_hooks:
        for hook in node._post_hooks:
            new = hook(result, tuple(grads))
            if new is not None:
                result = tuple(new)
    return result


def _drop_trailing_nones(node, result):
    """A backward may return extra Nones (for non-tensor arguments); anything else is an error."""
    expected = len(node._next_nodes)
    if len(result) > expected and all(g is None for g in result[expected:]):
        return result[:expected]
    raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                       f"(expected {expected}, got {len(result)})")


def _checked_and_cast(node, result):
    """Each gradient must have its input's shape, and is cast to its input's dtype, as
    PyTorch's engine does: in ``float64 + float32`` the float32 input's gradient is float32
    (the op's backward hands back the float64 gradient of its result)."""
    for g, shape, dtype in zip(result, node._input_shapes, node._input_dtypes):
        if g is not None and shape is not None and (g._data.shape != shape
                                                    or g._data.dtype != dtype):
            break
    else:
        return result  # (nearly always: every gradient is already right)
    cast = list(result)
    for i, (g, shape, dtype) in enumerate(zip(result, node._input_shapes, node._input_dtypes)):
        if g is None or shape is None:
            continue
        if g._data.shape != shape:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - "
                               f"got {list(g._data.shape)} but expected shape compatible with "
                               f"{list(shape)}")
        if g._data.dtype != dtype:
            cast[i] = g.to(_dtype.from_numpy_dtype(dtype))
    return tuple(cast)


def _zeros_where_missing(node, grads):
    """Zeros for the outputs of a multi-output node that received no gradient (on the device
    of the gradients that did arrive)."""
    xp = backend.namespace(next(g for g in grads if g is not None)._data)
    return [g if g is not None else
            _tensor.Tensor._from_array(xp.zeros(node._output_meta[i][0], node._output_meta[i][1]))
            for i, g in enumerate(grads)]
