"""Replaces ``autograd.engine.run_backward`` and ``run_ready_nodes``: the engine, in fewer calls.

The reference engine reads as a few calls per backward and per node (``_Targets`` and its
questions, ``_send``, ``_add_gradient``, ``_push``). Each is a Python call, and they add
up: on a recorded ``a * b`` (one node, two leaves) they were about 30 of the 100 calls of a
backward, and 4.4 us of its 19.3 (one core of the benchmark machine, under load). Here
the main loop is written out in one body, and ``loss.backward()`` (one root, no
``inputs``: nearly every call) sets up without them.
"""
from __future__ import annotations

import heapq

from ..autograd import engine, grad_mode
from ..autograd.engine import (_arrival, _call_backward, _discover, _propagate_nothing,
                               _root_gradients, _run_pre_hooks, _Targets)
from ..autograd.function import AccumulateGrad

# What a plain ``backward()`` is for: every leaf's .grad (no inputs, nothing captured)
_EVERY_LEAF = _Targets(None, True, ())


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None,
                 accumulate=True, allow_unused=False):
    """``engine.run_backward``; one root without ``inputs`` set up directly, else the
    reference's setup (which then runs the loop below)."""
    if inputs is not None or len(outputs) != 1:
        return _reference_run_backward(outputs, grad_outputs, retain_graph, create_graph,
                                       inputs, accumulate, allow_unused)
    if retain_graph is None:
        retain_graph = create_graph
    ((node, nr, grad),) = _root_gradients(outputs, grad_outputs, create_graph)
    _, dependencies = _discover([node])
    buffers = {node: [None] * node._num_outputs}
    buffers[node][nr] = grad
    ready = [(-node._seq, next(_arrival), node)]
    previous_mode = grad_mode._enabled
    grad_mode._enabled = create_graph
    try:
        run_ready_nodes(ready, buffers, dependencies, _EVERY_LEAF, accumulate, create_graph,
                        retain_graph)
    finally:
        grad_mode._enabled = previous_mode
    return None


_reference_run_backward = engine.run_backward


def run_ready_nodes(ready, buffers, dependencies, targets, accumulate, create_graph,
                    retain_graph) -> None:
    """``engine.run_ready_nodes``, written out (see above)."""
    heappop, heappush = heapq.heappop, heapq.heappush
    needed, captures, leaves = targets.needed, targets.captures, targets.leaves
    while ready:
        node = heappop(ready)[2]
        grads = buffers.pop(node)
        if type(node) is AccumulateGrad:
            if node._pre_hooks or node.variable._tensor_hooks:
                grads = _run_pre_hooks(node, grads)
            if captures:
                targets.capture(node, grads)
            if accumulate and grads[0] is not None and (leaves is None or node in leaves):
                node.accumulate(grads[0], create_graph)
                for hook in node._post_hooks:
                    hook((), tuple(grads))
            continue
        if node._pre_hooks or node._tensor_hooks:
            grads = _run_pre_hooks(node, grads)
        if captures:
            targets.capture(node, grads)
        if needed is not None and not any(n in needed for n in node._next_nodes):
            continue  # a capture point for autograd.grad: nothing further is needed
        grad_inputs = _call_backward(node, grads)
        if not retain_graph:
            node._release()
        for next_node, nr, g in zip(node._next_nodes, node._next_nrs, grad_inputs):
            if next_node is None or (needed is not None and next_node not in needed):
                continue
            if g is not None:
                buffer = buffers.get(next_node)
                if buffer is None:
                    buffer = buffers[next_node] = [None] * next_node._num_outputs
                buffer[nr] = g if buffer[nr] is None else buffer[nr] + g
            remaining = dependencies[next_node] - 1
            dependencies[next_node] = remaining
            if remaining == 0:
                if next_node in buffers:
                    heappush(ready, (-next_node._seq, next(_arrival), next_node))
                else:  # no gradient reached it: its own inputs get none from here either
                    _propagate_nothing(next_node, dependencies, buffers, ready, targets)
        # drop this step's references to the gradients: the buffers are now their only
        # holders, which keeping a leaf's gradient without a copy relies on (ownership.py)
        g = grad_inputs = None
