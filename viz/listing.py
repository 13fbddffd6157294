"""The tape as text: one line per op, like a jaxpr, then the backward pass in engine order.

    x: float32[4,3] (leaf)
    l1.weight: float32[2,3] (leaf)
    t2: float32[4,2] = MmBackward0(x, t1)  # l1
    ...
    # backward: 6 steps, in the order the engine runs them
    1. SumBackward1: grad of t5 -> t4
    ...

Deterministic (names from topological position) and diffable: good for tests and notebooks.
"""
from __future__ import annotations

from .labels import array_lines, type_string


class Listing:
    """Text that shows itself as it is (no quotes) in a REPL or notebook."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other) -> bool:
        return self.text == (other.text if isinstance(other, Listing) else other)

    def __hash__(self) -> int:
        return hash(self.text)

    def lines(self) -> list[str]:
        return self.text.splitlines()


def _comment(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    return "  # " + "; ".join(parts) if parts else ""


def tape_text(tape, show_values: bool = False) -> str:
    tensors, ops = tape.tensors, tape.ops
    n_ops = len(ops)
    lines = [f"# tape: {n_ops} op{'s' if n_ops != 1 else ''}, {len(tensors)} tensors"]

    def decl(t) -> str:
        text = f"{t.name}: {type_string(t.dtype, t.shape)}"
        if show_values and t.value is not None and t.value.small:
            text += " " + " ".join(array_lines(t.value.values))
        return text

    for kind, index in tape.order:
        if kind == "tensor":
            t = tensors[index]
            if t.producer is None:
                lines.append(f"{decl(t)} (leaf)" + _comment(["output" if t.is_output else ""]))
            continue
        op = ops[index]
        outs = ", ".join(decl(tensors[i]) for i in op.outputs) or "_"
        names = dict(zip(op.input_args, (tensors[i].name for i in op.inputs)))
        names.update((arg, "_") for arg in op.const_args)  # _: a tensor needing no gradient
        args = ", ".join(names[arg] for arg in sorted(names))
        is_out = any(tensors[i].is_output for i in op.outputs)
        lines.append(f"{outs} = {op.name}({args})"
                     + _comment([op.scope[-1] if op.scope else "", "output" if is_out else ""]))
    return "\n".join(lines)


def backward_text(tape) -> str:
    tensors, ops = tape.tensors, tape.ops
    steps = tape.steps or []
    how = "as recorded" if tape.traced else "in the order the engine runs them"
    lines = [f"# backward: {len(steps)} step{'s' if len(steps) != 1 else ''}, {how}"]
    for k, (kind, index) in enumerate(steps, 1):
        if kind == "leaf":
            lines.append(f"{k}. AccumulateGrad: {tensors[index].name}.grad")
            continue
        op = ops[index]
        grads = ", ".join(tensors[i].name for i in op.outputs) or "_"
        targets = ", ".join(tensors[i].name for i in op.inputs) or "nothing"
        lines.append(f"{k}. {op.name}: grad of {grads} -> {targets}")
    return "\n".join(lines)
