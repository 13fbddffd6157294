"""Checks for chapter 15: compiling a training step.

15.1: the learner's ``TracedArray`` must write one line per NumPy ufunc call, ``(operation,
input names, output name)``, compute NumPy's own values, and hand back a TracedArray so that
the next operation is written too. The expected lines are NumPy's own ufunc names for each
expression; the values come from NumPy on plain arrays.

15.2: the learner's ``live_lines`` is judged by what the kept lines do, not against a
stored answer: run in order, they must make every name they read, leave the program's
outputs exactly as the whole program leaves them (NumPy runs both), and keep no line whose
result nothing after it reads.
"""
from __future__ import annotations

import numpy as np

from .checking import run

# --- 15.1 a tracing array --------------------------------------------------------------------

_RETURN_HINT = ("return the result as a TracedArray with a new name (self.tape.array(result, "
                "output)): a plain array would not tell you about the next operation")
_CASES = [
    # (description, the expression, the arrays' shapes, the lines it writes, hint)
    ("a * b + c", lambda a, b, c: a * b + c, {"a": (3,), "b": (3,), "c": (3,)},
     [("multiply", ("a", "b"), "v1"), ("add", ("v1", "c"), "v2")], _RETURN_HINT),
    ("np.exp(a) * 2.0: a constant is written as repr(2.0)", lambda a: np.exp(a) * 2.0,
     {"a": (2, 3)}, [("exp", ("a",), "v1"), ("multiply", ("v1", "2.0"), "v2")],
     "an input that is not a TracedArray (a number) is named repr(x)"),
    ("2.0 - a: the constant comes first", lambda a: 2.0 - a, {"a": (4,)},
     [("subtract", ("2.0", "a"), "v1")],
     "name the inputs in the order NumPy passes them (`inputs`), not starting from self"),
    ("(a * b).sum(): a reduction", lambda a, b: (a * b).sum(), {"a": (2, 3), "b": (3,)},
     [("multiply", ("a", "b"), "v1"), ("add.reduce", ("v1",), "v2")],
     "a reduction calls __array_ufunc__ with method='reduce': run getattr(ufunc, method) "
     "and name the operation f'{ufunc.__name__}.{method}'"),
    ("a.max(axis=0): a reduction with an axis", lambda a: a.max(axis=0), {"a": (3, 4)},
     [("maximum.reduce", ("a",), "v1")],
     "pass **kwargs on: they hold the reduction's axis"),
    ("np.tanh(x @ w + b): a layer", lambda x, w, b: np.tanh(x @ w + b),
     {"x": (4, 3), "w": (3, 2), "b": (2,)},
     [("matmul", ("x", "w"), "v1"), ("add", ("v1", "b"), "v2"), ("tanh", ("v2",), "v3")],
     _RETURN_HINT),
]


def traced_array(Tape):
    """``Tape().array(values, name)`` makes a TracedArray; every ufunc on it is written down."""

    def cases(expect):
        rng = np.random.default_rng(15)
        for text, expression, shapes, expected, hint in _CASES:
            plain = {name: rng.standard_normal(shape) for name, shape in shapes.items()}
            tape = Tape()
            result = expression(**{name: tape.array(a, name) for name, a in plain.items()})
            expect.equal(f"{text}: the lines written on the tape", tape.lines, expected, hint=hint)
            expect.true(f"{text}: the result is a TracedArray",
                        type(result).__name__ == "TracedArray", hint=_RETURN_HINT)
            expect.close(f"{text}: the values", np.asarray(result), expression(**plain),
                         hint="compute with the ufunc itself on plain arrays, with its kwargs")

    return run("TracedArray", cases, hint="compute on plain arrays: np.asarray(x) of each "
                                          "TracedArray input (a ufunc called on TracedArrays "
                                          "calls __array_ufunc__ again, without end)")


# --- 15.2 dead-code elimination ---------------------------------------------------------------

# A program is a list of lines (target, op, inputs, writes): ``target = np.<op>(*inputs)``,
# or, when ``writes`` names an array, ``np.<op>(*inputs, out=writes)`` (an in-place update).
# The arrays x, w and lr exist before the program runs.
_PROGRAMS = [
    ("a forward pass with a value nobody reads", [
        ("h", "multiply", ("x", "w"), None),
        ("e", "exp", ("h",), None),
        ("a", "tanh", ("h",), None),
        ("loss", "sum", ("a",), None)], ("loss",)),
    ("a dead branch of two lines (d2 reads d1, nothing reads d2)", [
        ("h", "multiply", ("x", "w"), None),
        ("d1", "exp", ("h",), None),
        ("d2", "sum", ("d1",), None),
        ("loss", "sum", ("h",), None)], ("loss",)),
    ("an SGD step: w (a parameter, it outlives the program) updated in place", [
        ("y", "multiply", ("w", "x"), None),
        ("loss", "sum", ("y",), None),
        ("step", "multiply", ("x", "lr"), None),
        ("unused", "exp", ("y",), None),
        (None, "subtract", ("w", "step"), "w")], ("loss", "w")),
    ("a buffer filled in place, then read", [
        ("buf", "zeros_like", ("x",), None),
        (None, "add", ("buf", "x"), "buf"),
        (None, "multiply", ("buf", "w"), "buf"),
        ("out", "exp", ("buf",), None)], ("out",)),
    ("a buffer filled in place that nothing reads", [
        ("buf", "zeros_like", ("x",), None),
        (None, "add", ("buf", "x"), "buf"),
        ("out", "exp", ("x",), None)], ("out",)),
    ("t changed in place after its last reader", [
        ("t", "exp", ("x",), None),
        ("out", "add", ("t", "x"), None),
        (None, "multiply", ("t", "x"), "t")], ("out",)),
]


def show_line(line) -> str:
    """One line as the program would read: ``h = np.multiply(x, w)``."""
    target, op, inputs, writes = line
    call = f"np.{op}({', '.join(inputs)}{f', out={writes}' if writes else ''})"
    return f"{target} = {call}" if target else call


def run_lines(lines, arrays: dict) -> dict:
    """Run the lines with NumPy on copies of ``arrays``; every name they made or changed."""
    env = {name: a.copy() for name, a in arrays.items()}
    for target, op, inputs, writes in lines:
        values = [env[name] for name in inputs]
        if writes:
            getattr(np, op)(*values, out=env[writes])
        else:
            env[target] = getattr(np, op)(*values)
    return env


def _read_before_made(kept, arrays) -> list:
    made, missing = set(arrays), []
    for line in kept:
        missing += [f"{name} (read by {show_line(line)})" for name in line[2] if name not in made]
        made.add(line[0] or line[3])
    return missing


def _not_needed(kept, outputs) -> list:
    """Kept lines whose result (or the array they write) no later kept line reads."""
    unneeded = []
    for i, (target, op, inputs, writes) in enumerate(kept):
        later = {name for line in kept[i + 1:] for name in (*line[2], line[3])}
        if (target or writes) not in later | set(outputs):
            unneeded.append(show_line(kept[i]))
    return unneeded


def live_lines(fn):
    """``fn(lines, outputs)``: the lines that matter, in the program's order."""

    def cases(expect):
        rng = np.random.default_rng(15)
        arrays = {"x": rng.standard_normal(3), "w": rng.standard_normal(3), "lr": np.array(0.1)}
        for text, lines, outputs in _PROGRAMS:
            kept = list(fn(list(lines), set(outputs)))
            expect.equal(f"{text}: the kept lines, in the program's order",
                         [show_line(line) for line in kept],
                         [show_line(line) for line in lines if line in kept],
                         hint="walk the lines backward to decide, then give them back in the "
                              "program's order")
            expect.equal(f"{text}: names a kept line reads before any kept line makes them",
                         _read_before_made(kept, arrays), [],
                         hint="when you keep a line, everything it reads is needed: add its "
                              "inputs to the needed names")
            expect.equal(f"{text}: kept lines whose result no later line reads", _not_needed(
                kept, outputs), [], hint="a line is needed only if a line you keep after it "
                                         "reads what it makes or writes (or it is an output): "
                                         "decide walking backward, so that a line read only by "
                                         "a dropped line is dropped too; a write into an "
                                         "array nothing reads afterwards is dead")
            whole, pruned = run_lines(lines, arrays), run_lines(kept, arrays)
            for name in outputs:
                expect.close(f"{text}: {name} after the kept lines (NumPy runs both programs)",
                             pruned[name], whole[name],
                             hint="a line that writes into a needed array (or one that "
                                  "outlives the program, an output) changes it: keep it")

    return run("live_lines", cases)
