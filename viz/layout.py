"""What a drawing shows: which tensors and ops are boxes, which modules collapse, the size guard.

Module grouping: every op carries ``scope``, the nn.Module names active when it ran
(outermost first). Each prefix of a scope is a cluster. With ``depth=d`` only the first ``d``
levels stay open; an op deeper than that is folded into one box for its level-``d+1`` module,
which lists the shapes that go in and out. Tensors that never leave such a module, and the
parameters it owns, disappear into the box.

The size guard (``max_nodes``): when the picture would have more boxes, modules are collapsed
one level at a time; if that is not enough (or there are no modules), only the ``max_nodes``
boxes nearest to the output are kept and a note says how many were left out.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class Item:
    id: str
    kind: str          # "tensor", "op", "module", "saved", "constant"
    ref: object        # tensor index, op index, module key, (op index, k), constant index
    cluster: tuple     # the scope whose cluster holds it; () for the top level


@dataclass
class ModuleBox:
    id: str
    key: tuple
    ops: list = field(default_factory=list)
    params: list = field(default_factory=list)   # tensor indices folded into the box
    inputs: list = field(default_factory=list)   # tensor indices entering
    outputs: list = field(default_factory=list)  # tensor indices leaving


@dataclass
class Edge:
    src: str
    dst: str
    kind: str          # "in" (tensor -> op), "out" (op -> tensor), "saved", "constant"
    ref: tuple         # ("in": tensor, op, argument), ("out": op, tensor), ("saved": op, k),
                       # ("constant": constant index, op)


@dataclass
class Layout:
    items: list
    edges: list
    modules: dict
    depth: int | None
    op_home: dict          # op index -> item id
    tensor_home: dict      # tensor index -> item id
    notes: list = field(default_factory=list)
    hidden: int = 0
    cut: list = field(default_factory=list)   # item ids that lost inputs to truncation


def build_layout(tape, opts) -> Layout:
    depth = opts.depth if opts.group_modules else None
    layout = _layout(tape, opts, depth)
    limit = opts.max_nodes
    if limit is None or len(layout.items) <= limit:
        return layout
    deepest = max((len(op.scope) for op in tape.ops), default=0)
    if opts.group_modules and deepest:
        d = min(depth if depth is not None else deepest, deepest) - 1
        while d >= 0 and len(layout.items) > limit:
            layout = _layout(tape, opts, d)
            d -= 1
        if layout.depth != depth:
            layout.notes.append(f"modules collapsed below depth {layout.depth} "
                                f"to stay within max_nodes={limit}")
    if len(layout.items) > limit:
        _truncate(layout, tape, limit)
    return layout


def _layout(tape, opts, depth) -> Layout:
    group = opts.group_modules

    def cluster_of(scope):
        if not group:
            return ()
        return scope if depth is None else scope[:depth]

    def collapse_key(scope):
        if group and depth is not None and len(scope) > depth:
            return scope[:depth + 1]
        return None

    items, modules, op_home, tensor_home = [], {}, {}, {}

    def box_for(key):
        if key not in modules:
            box = modules[key] = ModuleBox(f"m{len(modules)}", key)
            items.append(Item(box.id, "module", key, key[:-1]))
        return modules[key]

    ops, tensors = tape.ops, tape.tensors
    constants_of = {}
    for c in tape.constants:
        constants_of.setdefault(c.op, []).append(c)
    for kind, i in tape.order:
        if kind == "op":
            op = ops[i]
            key = collapse_key(op.scope)
            if key is not None:
                box = box_for(key)
                box.ops.append(i)
                op_home[i] = box.id
            else:
                op_home[i] = f"op{i}"
                # Inputs that need no gradient sit just before their op (dimmed when drawn).
                items.extend(Item(f"c{c.index}", "constant", c.index, cluster_of(op.scope))
                             for c in constants_of.get(i, ()))
                items.append(Item(f"op{i}", "op", i, cluster_of(op.scope)))
                if opts.show_saved:
                    for k in range(len(op.saved)):
                        items.append(Item(f"s{i}_{k}", "saved", (i, k), cluster_of(op.scope)))
            continue
        t = tensors[i]
        consumer_keys = {collapse_key(ops[o].scope) for o, _ in t.consumers}
        if t.producer is not None:
            own_key = collapse_key(ops[t.producer].scope)
            scope = ops[t.producer].scope
        else:
            own_key = collapse_key(t.scope) if t.scope else None
            scope = t.scope
        inside = (own_key is not None and not t.is_output and t.consumers
                  and consumer_keys == {own_key})
        if inside:
            box = box_for(own_key)
            tensor_home[i] = box.id
            if t.producer is None:
                box.params.append(i)
        else:
            tensor_home[i] = f"t{i}"
            items.append(Item(f"t{i}", "tensor", i, cluster_of(scope)))

    edges, seen = [], set()
    boxes_by_id = {box.id: box for box in modules.values()}
    for op in ops:
        dst = op_home[op.index]
        for ti, arg in zip(op.inputs, op.input_args):
            src = tensor_home[ti]
            if src == dst or ((src, dst) in seen and (src[0] == "m" or dst[0] == "m")):
                continue
            seen.add((src, dst))
            edges.append(Edge(src, dst, "in", (ti, op.index, arg)))
            if dst in boxes_by_id:
                boxes_by_id[dst].inputs.append(ti)
        for ti in op.outputs:
            target = tensor_home[ti]
            if target == dst or (dst, target) in seen:
                continue
            seen.add((dst, target))
            edges.append(Edge(dst, target, "out", (op.index, ti)))
            if dst in boxes_by_id:
                boxes_by_id[dst].outputs.append(ti)
        if dst == f"op{op.index}":
            edges.extend(Edge(f"c{c.index}", dst, "constant", (c.index, op.index))
                         for c in constants_of.get(op.index, ()))
        if opts.show_saved and dst == f"op{op.index}":
            for k in range(len(op.saved)):
                edges.append(Edge(f"s{op.index}_{k}", dst, "saved", (op.index, k)))
    return Layout(items, edges, modules, depth, op_home, tensor_home)


def _truncate(layout: Layout, tape, limit: int) -> None:
    """Keep the ``limit`` boxes nearest to the outputs (breadth-first against the edges)."""
    feeding = {}
    for e in layout.edges:
        feeding.setdefault(e.dst, []).append(e.src)
    keep, queue = set(), deque()
    for ti in tape.outputs:
        home = layout.tensor_home[ti]
        if home not in keep:
            keep.add(home)
            queue.append(home)
    while queue and len(keep) < limit:
        current = queue.popleft()
        for src in feeding.get(current, ()):
            if src not in keep and len(keep) < limit:
                keep.add(src)
                queue.append(src)
    hidden = len(layout.items) - len(keep)
    layout.items = [it for it in layout.items if it.id in keep]
    cut = []
    for e in layout.edges:
        if e.dst in keep and e.src not in keep and e.dst not in cut:
            cut.append(e.dst)
    layout.edges = [e for e in layout.edges if e.src in keep and e.dst in keep]
    layout.cut = cut
    layout.hidden = hidden
    layout.notes.append(f"{hidden} more nodes not drawn (max_nodes={limit}); "
                        "pass max_nodes=None to draw everything")
