"""The backward pass step by step: the order the engine runs nodes, and what each step sends.

``engine_order`` predicts the order from the protocol alone, the way minitorch's engine
decides it: count, for every node, the edges pointing into it; a node is ready once all of
them have delivered; among ready nodes the highest ``sequence_nr`` runs first (leaves'
``AccumulateGrad`` nodes have the largest number, so they run as soon as they are ready), ties
in the order nodes became ready.

``trace_backward`` runs the real backward with hooks and records what actually happened:
the order nodes ran (pre-hooks; leaf tensor hooks for ``AccumulateGrad``), the gradient each
node received, and the gradient each edge carried (post-hooks), so a drawing can show
``grad = 2 + 4 = 6`` where a tensor fans out. Hooks only observe: they return None.
"""
from __future__ import annotations

import heapq

import numpy as np

from .graph import (SMALL_NUMEL, Summary, _postorder, dtype_name, is_accumulate, saved_entries,
                    sequence_nr, summarize)
from .render import Strip


def engine_order(outputs) -> list:
    """The nodes behind ``outputs`` (a tensor or a list) in the order backward processes them."""
    outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    roots = list(dict.fromkeys(o.grad_fn for o in outs if getattr(o, "grad_fn", None) is not None))
    nodes = _postorder(roots)
    dependencies = {}
    for node in nodes:
        for child, _ in node.next_functions:
            if child is not None:
                dependencies[child] = dependencies.get(child, 0) + 1
    ready, tie, order = [], 0, []
    for root in roots:
        if dependencies.get(root, 0) == 0:
            heapq.heappush(ready, (-sequence_nr(root), tie, root))
            tie += 1
    while ready:
        _, _, node = heapq.heappop(ready)
        order.append(node)
        if is_accumulate(node):
            continue
        for child, _ in node.next_functions:
            if child is None:
                continue
            dependencies[child] -= 1
            if dependencies[child] == 0:
                heapq.heappush(ready, (-sequence_nr(child), tie, child))
                tie += 1
    return order


class BackwardTrace:
    """What one backward pass did, recorded by hooks (see ``trace_backward``)."""

    def __init__(self, output):
        self.output = output
        self.order = []          # nodes, in the order they ran
        self.totals = {}         # (node, output index) -> Summary of the gradient it received
        self.contributions = []  # (step, consumer node, argument, (node, output index), Summary)
        self.seeds = []          # ((node, output index), Summary) given to backward
        self.saved = []          # the tensors the graph had saved, taken before backward freed them

    def _step(self) -> int:
        return len(self.order) - 1

    def apply(self, tape, op_of, tensor_of) -> None:
        """Copy the recorded gradients onto a walked graph (called by ``build_tape``)."""
        tensors, ops = tape.tensors, tape.ops
        tape.steps = []
        for step, node in enumerate(self.order):
            if is_accumulate(node):
                ti = tensor_of.get((node, 0))
                if ti is not None:
                    tape.steps.append(("leaf", ti))
                    tensors[ti].accumulate_step = step
            elif node in op_of:
                tape.steps.append(("op", op_of[node]))
                ops[op_of[node]].step = step
        for key, summary in self.totals.items():
            ti = tensor_of.get(key)
            if ti is not None:
                t = tensors[ti]
                t.grad, t.grad_state = summary, "known"
                # A gradient has its tensor's shape and dtype: fill in what the walk lacked.
                t.shape = t.shape if t.shape is not None else summary.shape
                t.dtype = t.dtype or summary.dtype
        for key, summary in self.seeds:
            ti = tensor_of.get(key)
            if ti is not None:
                tensors[ti].contributions.append((-1, None, None, summary))
        for step, consumer, arg, key, summary in self.contributions:
            ti = tensor_of.get(key)
            if ti is not None and consumer in op_of:
                tensors[ti].contributions.append((step, op_of[consumer], arg, summary))
        tape.traced = True


def trace_backward(output, gradient=None, retain_graph=None) -> BackwardTrace:
    """Run ``output.backward(gradient)`` and record, with hooks, what each step did.

    Works on minitorch and PyTorch tensors. Leaves get their ``.grad`` as with ``backward``.

    Example::

        >>> trace = viz.trace_backward(loss)
        >>> viz.draw(loss, trace=trace)     # every tensor's gradient, with fan-out sums
    """
    trace = BackwardTrace(output)
    root = output.grad_fn
    if root is None:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    nodes = _postorder([root])
    handles = []
    for node in nodes:  # (drawn with their values, like the saved tensors of an untraced graph)
        trace.saved += [t for _, t in saved_entries(node) if not isinstance(t, str)]

    def on_pre(node):
        def hook(grad_outputs):
            trace.order.append(node)
            for nr, g in enumerate(grad_outputs):
                if g is not None:
                    trace.totals[(node, nr)] = summarize(g)
        return hook

    def on_post(node):
        edges = node.next_functions

        def hook(grad_inputs, grad_outputs):
            step = trace._step()
            for arg, ((child, nr), g) in enumerate(zip(edges, grad_inputs)):
                if child is not None and g is not None:
                    trace.contributions.append((step, node, arg, (child, nr), summarize(g)))
        return hook

    def on_leaf(node):
        def hook(grad):
            trace.order.append(node)
            trace.totals[(node, 0)] = summarize(grad)
        return hook

    try:
        for node in nodes:
            if is_accumulate(node):
                handles.append(node.variable.register_hook(on_leaf(node)))
            else:
                handles.append(node.register_prehook(on_pre(node)))
                handles.append(node.register_hook(on_post(node)))
        if gradient is None:  # backward's implicit seed: ones, for a single-element output
            shape = tuple(int(s) for s in output.shape)
            numel = int(np.prod(shape)) if shape else 1
            values = np.ones(shape) if numel <= SMALL_NUMEL and len(shape) <= 2 else None
            seed = Summary(shape, dtype_name(output.dtype), numel, values, 1.0, 1.0, 1.0, False)
        else:
            seed = summarize(gradient)
        trace.seeds.append(((root, output.output_nr), seed))
        output.backward(gradient, retain_graph=retain_graph)
    finally:
        for h in handles:
            h.remove()
    return trace


class BackwardSteps(Strip):
    """The frames of a backward pass: a filmstrip in notebooks, a slider with ipywidgets."""

    def __init__(self, frames: list, total_steps: int):
        super().__init__(frames, horizontal=False)
        self.total_steps = total_steps

    def __repr__(self) -> str:
        shown = "" if len(self.frames) == self.total_steps else f", {len(self.frames)} shown"
        return f"<viz.BackwardSteps {self.total_steps} steps{shown}>"

    def slider(self):
        """An ipywidgets slider over the frames (``pip install ipywidgets``)."""
        try:
            import ipywidgets as widgets
        except ImportError as exc:
            raise ImportError("BackwardSteps.slider() needs ipywidgets: pip install ipywidgets") from exc
        view = widgets.HTML(self.frames[0].svg() if self.frames else "")
        slider = widgets.IntSlider(value=0, min=0, max=max(len(self.frames) - 1, 0),
                                   description="step")

        def show(change):
            view.value = self.frames[change["new"]].svg()
        slider.observe(show, names="value")
        return widgets.VBox([slider, view])
