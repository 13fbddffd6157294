"""viz: draw minitorch (and PyTorch) computation graphs with their values and gradients.

It reads only the graph protocol PyTorch exposes (``grad_fn``, ``name()``,
``next_functions``, ``AccumulateGrad.variable``, plus optional extras that minitorch's nodes
add; viz/README.md lists them), so the same calls draw a minitorch graph and a PyTorch graph.

    >>> from minitorch import viz             # or: import viz
    >>> viz.draw(loss)                        # the recorded graph, values and gradients
    >>> viz.listing(loss)                     # the same as text, one line per op
    >>> viz.backward_steps(loss)              # runs loss.backward(), one frame per step

Pictures come from the pinned ``graphviz-pure`` program (identical bytes run to run, no system
graphviz needed). Plots (matplotlib) are in ``viz.plots``, imported on first use.
"""
from __future__ import annotations

from dataclasses import replace

from .dot import Options, to_dot
from .graph import build_tape
from .layout import build_layout
from .listing import Listing, backward_text, tape_text
from .render import Graph, RenderError, Strip, VizWarning, find_renderer
from .steps import BackwardSteps, BackwardTrace, engine_order, trace_backward

__all__ = ["draw", "listing", "backward_steps", "trace_backward", "engine_order", "side_by_side",
           "Graph", "Strip", "BackwardSteps", "BackwardTrace", "Listing", "RenderError", "VizWarning",
           "find_renderer"]  # and viz.plots, imported on first use (it needs matplotlib)


def draw(output, *, params=None, trace: BackwardTrace | None = None, show_values: bool = True,
         show_grads: bool = True, show_saved: bool = False, rankdir: str | None = None,
         color_by: str | None = None, group_modules: bool = True, depth: int | None = None,
         max_nodes: int | None = 200, graph_id: str = "viz", title: str | None = None) -> Graph:
    """Draw the graph recorded behind ``output`` (a tensor or a list of tensors).

    Args:
        params: names for tensors: an ``nn.Module`` (its ``named_parameters()``; minitorch or
            PyTorch), a dict name -> tensor, or a list of those. None: a minitorch graph's
            model is found from the module scope its ops recorded. Other tensors are ``t<k>``.
        trace: a ``viz.trace_backward(output)`` result: shows every tensor's gradient and, where
            a tensor is used several times, the contributions that were summed.
        show_values / show_grads / show_saved: rows in each tensor box; saved tensors as extra
            boxes next to their op.
        rankdir: "LR" (inputs left), "TB", "RL" or "BT"; None (default): left to right when
            that fits a notebook cell with text at full size, else top to bottom.
        color_by: "grad" fills tensors by their largest |grad| (a legend explains the colours;
            NaN/inf red). Non-finite values and gradients always get a red border.
        group_modules: draw a cluster per nn.Module (from each op's ``scope``).
        depth: module levels drawn open; deeper modules collapse into one box with their
            input and output shapes. None: all open.
        max_nodes: size guard; larger graphs collapse modules, then keep the part nearest the
            output with a note. None: no limit.
        graph_id: prefix of the SVG element ids (give each figure on a page its own).
        title: a caption above the graph.

    Returns:
        A ``viz.Graph``: shows itself in Jupyter, ``.save("g.svg" | ".png" | ".pdf" | ".dot")``,
        ``.source`` is the DOT text; ``.render``, ``.pipe``, ``.view`` and ``.format`` work as
        on a ``graphviz.Digraph``.
    """
    opts = Options(show_values, show_grads, show_saved, rankdir, color_by, group_modules, depth,
                   max_nodes, graph_id, title)
    opts.check()
    tape = build_tape(output, params=params, trace=trace, show_values=show_values,
                      show_saved=show_saved)
    layout = build_layout(tape, opts)
    source, n_nodes, n_edges = to_dot(tape, layout, opts)
    return Graph(source, n_nodes, n_edges)


def listing(output, *, params=None, trace: BackwardTrace | None = None,
            show_values: bool = False, backward: bool = True) -> Listing:
    """The tape behind ``output`` as text (one line per op), then the backward order.

    Example::

        >>> print(viz.listing(loss, params=model))
        # tape: 3 ops, 5 tensors
        x: float32[4,3] (leaf)
        ...
    """
    tape = build_tape(output, params=params, trace=trace, show_values=show_values)
    text = tape_text(tape, show_values=show_values)
    if backward:
        text += "\n" + backward_text(tape)
    return Listing(text + "\n")


def backward_steps(output, gradient=None, *, run: bool = True, retain_graph: bool | None = None,
                   params=None, max_frames: int = 60, **draw_options) -> BackwardSteps:
    """The backward pass of ``output`` as frames, one per node the engine processes.

    With ``run=True`` (default) this *is* the backward: it calls ``output.backward(gradient)``
    with hooks that record each step's gradients (leaves get ``.grad`` as usual). Frame k
    highlights the k-th node and shows the gradients known after it; edges that have carried a
    gradient are red. With ``run=False`` nothing runs: the order is predicted from the graph.

    Keyword arguments are ``viz.draw``'s (rankdir, show_values, depth, ...). A notebook shows
    a filmstrip; ``.slider()`` gives an ipywidgets slider; ``.save("steps.svg")``.
    """
    trace = trace_backward(output, gradient, retain_graph) if run else None
    opts = Options(**{**Options().__dict__, **draw_options})
    opts.check()
    tape = build_tape(output, params=params, trace=trace, show_values=opts.show_values,
                      show_saved=opts.show_saved)
    layout = build_layout(tape, opts)
    steps = tape.steps or []
    n = len(steps)
    if n > max_frames > 1:
        shown = sorted({round(i * (n - 1) / (max_frames - 1)) for i in range(max_frames)})
    else:
        shown = list(range(n))
    frames = []
    for k in shown:
        kind, index = steps[k]
        name = ("AccumulateGrad " + tape.tensors[index].name if kind == "leaf"
                else tape.ops[index].name)
        frame_opts = replace(opts, graph_id=f"{opts.graph_id}_s{k + 1}")
        source, n_nodes, n_edges = to_dot(tape, layout, frame_opts, frame=k,
                                          caption=f"backward step {k + 1} of {n}: {name}")
        frames.append(Graph(source, n_nodes, n_edges))
    return BackwardSteps(frames, n)


def side_by_side(*graphs) -> Strip:
    """Drawings next to each other in one picture, e.g. minitorch's graph and PyTorch's.

    Example::

        >>> viz.side_by_side(viz.draw(mt_loss, title="minitorch", graph_id="mt"),
        ...                  viz.draw(torch_loss, title="PyTorch", graph_id="pt"))
    """
    return Strip(graphs, horizontal=True)


def __getattr__(name):
    if name == "plots":  # matplotlib is imported only when plots are used
        import importlib
        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module 'viz' has no attribute {name!r}")
