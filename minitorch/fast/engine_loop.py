"""Replaces ``autograd.engine.run_ready_nodes``: the engine's main loop in one body.

The reference loop reads as a few calls per node (``_send``, ``_add_gradient``, ``_push``,
the ``_Targets`` questions). Each is a Python call, and a backward pass makes them for
every node and every edge: on a recorded ``a * b`` (one node, two leaves) they were about
30 of the 100 calls of a backward, and 15-25% of its time. This is the same loop with those
calls written out, the heap functions bound locally, and leaves handled first.
"""
from __future__ import annotations

import heapq

from ..autograd.engine import _arrival, _call_backward, _propagate_nothing, _run_pre_hooks
from ..autograd.function import AccumulateGrad


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
