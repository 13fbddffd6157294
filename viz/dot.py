"""DOT text for a walked graph (a ``Tape``), written by hand so that it is deterministic.

Ids come from topological position (``t3``, ``op2``, ``m0``), clusters are numbered in order
of first appearance, floats have a fixed format, and labels are ASCII (HTML-escaped): the same
program gives the same bytes, and a renderer pinned to one version gives the same picture.

Tensors are HTML-table boxes (name, dtype[shape], values, gradient); ops are rounded grey
boxes named like ``grad_fn.name()``; edges run forward, input -> op -> output.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .labels import (FILL_NOGRAD, FILL_NONFINITE, GRAD_BUCKETS, esc, fmt, grad_fill, grad_view,
                     html_table, type_string, value_lines)
from .orient import choose_rankdir

FONT = "Helvetica"  # a font graphviz-pure has metrics for (generic names fall back to Times)

FILL_LEAF = "#cfe2f3"
FILL_OUTPUT = "#d9ead3"
FILL_TENSOR = "#ffffff"
FILL_OP = "#eeeeee"
FILL_OP_DONE = "#d0e0e3"
FILL_CURRENT = "#ffe599"
FILL_MODULE = "#fff2cc"
FILL_SAVED = "#fce5cd"
FILL_CONSTANT = "#f8f8f8"   # inputs needing no gradient: dimmed, so the eye skips them
TEXT_DIM = "#888888"
BORDER = "#444444"
BORDER_NONFINITE = "#cc0000"
BORDER_CURRENT = "#1155cc"
EDGE_GRAD = "#cc4125"

LARGE = 300  # boxes above which the layout is asked to work less hard


@dataclass
class Options:
    show_values: bool = True
    show_grads: bool = True
    show_saved: bool = False
    rankdir: str | None = None       # None: left to right if that fits a cell, else top down
    color_by: str | None = None      # None or "grad"
    group_modules: bool = True
    depth: int | None = None         # module levels drawn open; deeper ones collapse
    max_nodes: int | None = 200
    graph_id: str = "viz"
    title: str | None = None

    def check(self) -> None:
        if self.rankdir not in (None, "LR", "RL", "TB", "BT"):
            raise ValueError("rankdir must be None or one of 'LR', 'RL', 'TB', 'BT', "
                             f"got {self.rankdir!r}")
        if self.color_by not in (None, "grad"):
            raise ValueError(f"color_by must be None or 'grad', got {self.color_by!r}")
        if self.depth is not None and self.depth < 0:
            raise ValueError(f"depth must be None or >= 0, got {self.depth}")
        if self.max_nodes is not None and self.max_nodes < 1:
            raise ValueError(f"max_nodes must be None or >= 1, got {self.max_nodes}")
        if not self.graph_id or not all(c.isalnum() or c in "_-" for c in self.graph_id):
            raise ValueError(f"graph_id must be letters, digits, '_' or '-', got {self.graph_id!r}")


def attrs(**kw) -> str:
    """``[key="value", ...]``; an HTML label (``<<...>>``) goes in unquoted."""
    parts = []
    for key, value in kw.items():
        if value is None:
            continue
        if isinstance(value, str) and value.startswith("<<"):
            parts.append(f"{key}={value}")
        elif isinstance(value, str):
            parts.append(f'{key}="{quote(value)}"')
        else:
            parts.append(f"{key}={value}")
    return "[" + ", ".join(parts) + "]"


def quote(text: str) -> str:
    """A DOT double-quoted string (labels of clusters, ops and notes; ASCII)."""
    text = str(text).encode("ascii", "backslashreplace").decode("ascii")
    return text.replace("\\", "\\\\").replace('"', '\\"')


# --- the whole graph ----------------------------------------------------------------------------

def _module_label(key: tuple, classes: dict) -> str:
    name = key[-1]
    joined = ".".join(k for k in key if k)
    cls = classes.get(name) or classes.get(joined)
    shown = name or "(model)"
    return f"{shown} ({cls})" if cls else shown


def to_dot(tape, layout, opts: Options, frame: int | None = None,
           caption: str | None = None) -> tuple[str, int, int]:
    """(DOT text, number of nodes, number of edges). ``frame``: a step of the backward pass."""
    tensors, ops = tape.tensors, tape.ops
    traced = tape.traced
    current = None
    if frame is not None and tape.steps:
        kind, index = tape.steps[frame]
        current = layout.op_home.get(index) if kind == "op" else layout.tensor_home.get(index)

    def done(op_index):
        step = ops[op_index].step
        return frame is not None and step is not None and step <= frame

    def tensor_node(it):
        t = tensors[it.ref]
        rows = [[f"{t.name}: {type_string(t.dtype, t.shape)}"]]
        if opts.show_values:
            # A recorded op keeps no reference to its output: unless the tensor is still
            # reachable (drawn, named or saved), its value is gone. Say so, every time.
            rows.append(value_lines(t.value) if t.value is not None else ["value not kept"])
        nonfinite = bool(t.value is not None and t.value.nonfinite)
        summary = None
        if opts.show_grads:
            lines, summary, grad_nonfinite = grad_view(t, frame, traced)
            rows.append(lines)
            nonfinite = nonfinite or grad_nonfinite
        if opts.color_by == "grad":
            fill = grad_fill(summary, nonfinite)
        elif t.is_output:
            fill = FILL_OUTPUT
        elif t.leaf:
            fill = FILL_LEAF
        else:
            fill = FILL_TENSOR
        border, width = BORDER, 1
        if nonfinite:
            border, width = BORDER_NONFINITE, 3
        if it.id == current:
            border, width = BORDER_CURRENT, 3
        return f"{it.id} {attrs(label=html_table(rows, fill, border, width))}"

    def op_node(it):
        op = ops[it.ref]
        fill = FILL_CURRENT if it.id == current else FILL_OP_DONE if done(op.index) else FILL_OP
        extra = {}
        if it.id == current:
            extra = {"color": BORDER_CURRENT, "penwidth": 3}
        box = attrs(shape="box", style="rounded,filled", fillcolor=fill, margin="0.08,0.03",
                    height=0.3, **extra, label=op.name)
        return f"{it.id} {box}"

    def module_node(it):
        box = layout.modules[it.ref]
        rows = [[_module_label(box.key, tape.module_classes)]]
        for label, indices in (("in", box.inputs), ("out", box.outputs)):
            types = []
            for ti in indices:
                text = type_string(tensors[ti].dtype, tensors[ti].shape)
                if text not in types:
                    types.append(text)
            if types:
                rows.append([f"{label} " + ", ".join(types)])
        n_params = sum(int(np.prod(tensors[ti].shape)) for ti in box.params
                       if tensors[ti].shape is not None)
        counts = f"{len(box.ops)} op{'s' if len(box.ops) != 1 else ''}"
        if box.params:
            counts += f", {len(box.params)} parameter tensors"
            if n_params:
                counts += f" ({n_params} values)"
        rows.append([counts])
        is_current = it.id == current
        fill = FILL_CURRENT if is_current else FILL_MODULE
        border, width = (BORDER_CURRENT, 3) if is_current else (BORDER, 2)
        return f"{it.id} {attrs(label=html_table(rows, fill, border, width))}"

    def saved_node(it):
        op_index, k = it.ref
        label, s = ops[op_index].saved[k]
        if isinstance(s, str):
            rows = [[f"{label}: {s}"]]
        else:
            rows = [[f"{label}: {type_string(s.dtype, s.shape)}"]]
            if opts.show_values:
                rows.append(value_lines(s))
        return f"{it.id} {attrs(label=html_table(rows, FILL_SAVED, BORDER, 1))}"

    def constant_node(it):
        c = tape.constants[it.ref]
        if c.number is not None:
            rows = [["constant"], [f"value {fmt(c.number)}"]]
        else:
            rows = [[f"no grad: {type_string(c.dtype, c.shape)}"]]
            if opts.show_values:
                rows.append(["value not kept"])
        return f"{it.id} {attrs(label=html_table(rows, FILL_CONSTANT, TEXT_DIM, 1, TEXT_DIM))}"

    render = {"tensor": tensor_node, "op": op_node, "module": module_node, "saved": saved_node,
              "constant": constant_node}

    # Clusters in order of first appearance, nested by scope prefix.
    children = {(): []}
    for it in layout.items:
        path = it.cluster
        for k in range(1, len(path) + 1):
            prefix = path[:k]
            if prefix not in children:
                children[prefix] = []
                children[prefix[:-1]].append(("cluster", prefix))
        children[path].append(("item", it))

    gid = opts.graph_id
    label_lines = ([caption] if caption else []) + ([opts.title] if opts.title else []) + layout.notes
    out = [f"digraph {gid} {{"]
    rankdir = opts.rankdir or choose_rankdir(layout, tape)
    graph_attrs = dict(id=gid, rankdir=rankdir, fontname=FONT, fontsize=10, nodesep=0.25,
                       ranksep=0.3)
    if len(layout.items) > LARGE:
        # Fewer network-simplex iterations: about 1.5x faster layout of big graphs, still tidy.
        graph_attrs.update(nslimit=1, nslimit1=1)
    if label_lines:
        graph_attrs.update(labelloc="t", labeljust="l",
                           label="<<FONT>" + "<BR/>".join(esc(x) for x in label_lines) + "</FONT>>")
    out.append(f"graph {attrs(**graph_attrs)}")
    out.append(f"node {attrs(fontname=FONT, fontsize=10, shape='plain')}")
    out.append(f"edge {attrs(fontname=FONT, fontsize=9, arrowsize=0.7, color='#555555')}")
    cluster_ids = {}

    def emit(entries, indent):
        pad = "  " * indent
        for kind, entry in entries:
            if kind == "item":
                out.append(pad + render[entry.kind](entry))
            else:
                cid = cluster_ids.setdefault(entry, f"cluster_{len(cluster_ids)}")
                out.append(f"{pad}subgraph {cid} {{")
                out.append(pad + "  graph " + attrs(label=_module_label(entry, tape.module_classes),
                                                    style="rounded", color="#999999",
                                                    fontcolor="#333333"))
                emit(children[entry], indent + 1)
                out.append(pad + "}")

    emit(children[()], 0)

    n_edges = 0
    for e in layout.edges:
        extra = {}
        if e.kind == "saved":
            extra = {"style": "dashed", "arrowhead": "none", "color": "#b45f06"}
        elif e.kind == "constant":
            extra = {"style": "dashed", "color": TEXT_DIM}
        else:
            op_index = e.ref[1] if e.kind == "in" else e.ref[0]
            if done(op_index):
                extra = {"color": EDGE_GRAD, "penwidth": 1.8}
            if e.kind == "in" and traced and opts.show_grads:
                text = _edge_grad(tensors[e.ref[0]], e.ref[1], e.ref[2], frame)
                if text:
                    extra["label"] = text
        out.append(f"{e.src} -> {e.dst}" + (f" {attrs(**extra)}" if extra else ""))
        n_edges += 1

    if layout.hidden:
        out.append("note " + attrs(shape="note", style="filled", fillcolor="#f3f3f3",
                                   label=f"... {layout.hidden} more nodes"))
        for target in layout.cut:
            out.append(f"note -> {target} {attrs(style='dashed', color='#999999')}")
    if opts.color_by == "grad":
        out.extend(_legend())
    out.append("}")
    return "\n".join(out) + "\n", len(layout.items), n_edges


def _edge_grad(t, op_index, arg, frame) -> str | None:
    """The gradient one use of a fanned-out tensor sent back, when it is a single number."""
    if t.fan_out < 2:
        return None
    for step, consumer, consumer_arg, s in t.contributions:
        if consumer == op_index and consumer_arg == arg and (frame is None or step <= frame):
            if s.small and s.numel == 1:
                return f"grad {fmt(s.values.item())}"
    return None


def _legend() -> list[str]:
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT">max |grad| per tensor</TD></TR>']
    entries = [(colour, text) for _, colour, text in GRAD_BUCKETS]
    entries += [(FILL_NONFINITE, "NaN or inf"), (FILL_NOGRAD, "no gradient")]
    for colour, text in entries:
        rows.append(f'<TR><TD BGCOLOR="{colour}" WIDTH="14" BORDER="1"> </TD>'
                    f'<TD ALIGN="LEFT">{esc(text)}</TD></TR>')
    table = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
             + "".join(rows) + "</TABLE>>")
    return ["subgraph cluster_legend {",
            "  graph " + attrs(label="legend", style="rounded", color="#999999"),
            "  legend " + attrs(label=table),
            "}"]
