"""``Program``: the lines a trace wrote, as Python source a learner can read, and run.

``Program.source`` is an ordinary Python function of the call's arguments: no Tensor, no
graph, no tape, only NumPy calls in the order the eager step made them. ``print(program)``
shows it; ``program.run(args, kwargs)`` runs it (compiled once with ``exec``).

Before the source is written, lines whose results nothing uses are dropped ("dead code"):
a shape check's intermediate arrays, the forward values no backward read. Lines that write
(in-place updates, ``.grad`` rebinding), guards, and the results the caller gets are kept.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor


class GuardFailed(Exception):
    """A replay met a value that sends the Python code another way than when it was traced."""


class Line:
    """One line of the program.

    kind: "load" (an array from a tensor), "call" (a NumPy operation), "read" (numbers read
    back into Python), "scalar" (Python arithmetic on them), "guard" (a branch the replay
    must take the same way), "check" (a tensor the program reads is still where it was:
    the model's parameter, the optimizer's state, the weight's ``.grad``) or "effect" (a
    tensor's ``_data`` / ``.grad`` set to a result).
    """

    __slots__ = ("targets", "body", "kind", "uses", "writes", "effect", "source", "check")

    def __init__(self, targets, body, kind, uses=(), writes=False, effect=False, source=None,
                 check=None):
        self.targets = (targets,) if type(targets) is str else tuple(targets or ())
        self.body, self.kind, self.writes, self.effect = body, kind, writes, effect
        self.source, self.check = source, check
        self.uses = set(uses) if kind != "call" else _names_in(body[1:])
        if kind in ("scalar", "guard"):
            self.uses = {w for w in _words(body) if w[:1] in "rslc" and w[1:2].isdigit()}


class Name(str):
    """A name in the program (an array, a number, a constant), as opposed to a string value."""


def _names_in(value) -> set:
    """The names a line's arguments mention (arguments are nested tuples, lists, dicts)."""
    names, pending = set(), [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is Name:
            names.add(str(item))
        elif kind is _OutputTensor:
            names.add(item.name)
        elif kind in (tuple, list):
            pending.extend(item)
        elif kind is dict:
            pending.extend(item.values())
    return names


def _words(text: str) -> list:
    word, words = "", []
    for ch in text + " ":
        if ch.isalnum() or ch == "_":
            word += ch
        else:
            if word:
                words.append(word)
            word = ""
    return words


class Program:
    """A traced call as a flat list of lines; see the module docstring."""

    def __init__(self, lines, constants, objects, outputs, meta):
        self.constants, self.objects, self.outputs = constants, objects, outputs
        needed = _names_in(outputs)
        lines = _written_in_place(_live(lines, set(needed)), meta, needed)
        # what the program reads from tensors, and the checks on it, first: every guard that
        # does not depend on a computed value then runs before the program changes anything
        self.lines = [line for line in lines if line.kind in ("load", "check")] + \
            [line for line in lines if line.kind not in ("load", "check")]
        self.namespace = {"np": np, "Tensor": Tensor, "ndarray": np.ndarray,
                          "fail": _fail, "fail_late": _fail_late, **{f"c{i}": c for i, c in enumerate(constants)},
                          **{f"t{i}": t for i, t in enumerate(objects)}}
        first_effect = next((i for i, line in enumerate(self.lines)
                             if line.kind == "effect" or line.effect), len(self.lines))
        freed = _last_uses(self.lines, needed)
        body = []
        for i, line in enumerate(self.lines):
            body.append(self._render(i, line, late=i > first_effect))
            if freed.get(i):  # arrays nothing reads any more: freed here, as eagerly (a
                body.append(f"del {', '.join(freed[i])}")  # function's locals live to its end)
        body.append(f"return {_render_value(outputs, wrap=True)}")
        self.source = "def program(args, kwargs):\n" + "".join(
            "    " + text + "\n" for text in "\n".join(body).splitlines())

    def _render(self, index: int, line: Line, late: bool) -> str:
        targets = ", ".join(line.targets)
        assign = f"{targets} = " if targets else ""
        if line.kind == "load":
            shape, dtype = line.check
            name = self._dtype_name(dtype)
            return (f"{targets} = {line.body}\n"
                    f"if type({targets}) is not ndarray or {targets}.shape != {shape!r} "
                    f"or {targets}.dtype != {name}: fail({index})")
        if line.kind in ("guard", "check"):
            # a guard after the program changed state cannot hand the call back to eager
            fail = f"{'fail_late' if late else 'fail'}({index})"
            if line.check is False:  # the branch was not taken: the replay checks it is not
                return f"if {line.body}: {fail}"
            return f"if not ({line.body}): {fail}"
        if line.kind == "effect":
            return line.body
        if line.kind in ("read", "scalar"):
            return f"{assign}{line.body}"
        function, args, kwargs = line.body
        if len(line.targets) == 1 and _returns_sequence(function):
            assign = f"{targets}, = "
        return assign + self._render_call(function, args, kwargs)

    def _dtype_name(self, dtype) -> str:
        key = f"{dtype.name}"
        self.namespace.setdefault(key, dtype)
        return key

    def _render_call(self, function, args, kwargs) -> str:
        arguments = [_render_value(a) for a in args] + [
            f"{k}={_render_value(v)}" for k, v in kwargs.items()]
        owner = getattr(function, "__objclass__", None)
        if function is np.ndarray.__getitem__:  # r3[0, 1:4]
            return f"{arguments[0]}[{_render_key(args[1])}]"
        if function is np.ndarray.__setitem__:  # r3[0, 1:4] = r5
            return f"{arguments[0]}[{_render_key(args[1])}] = {arguments[2]}"
        if owner is np.ndarray and args:  # a method: r3.reshape(...)
            return f"{arguments[0]}.{function.__name__}({', '.join(arguments[1:])})"
        return f"{self._function_name(function)}({', '.join(arguments)})"

    def _function_name(self, function) -> str:
        name = getattr(function, "__name__", "f")
        bound_to = getattr(function, "__self__", None)
        if isinstance(bound_to, np.ufunc):  # np.add.reduce, np.add.at
            return f"{self._function_name(bound_to)}.{name}"
        if getattr(np, name, None) is function or getattr(getattr(np, name, None), "__wrapped__",
                                                          None) is function:
            return f"np.{name}"
        if function is getattr(np.lib.stride_tricks.as_strided, "__wrapped__",
                               np.lib.stride_tricks.as_strided):
            return "np.lib.stride_tricks.as_strided"
        module = (getattr(function, "__module__", None) or "").split(".")[-1]
        key = f"{module}_{name}" if module else name
        while self.namespace.get(key, function) is not function:
            key += "_"
        self.namespace[key] = function
        return key

    def run(self, args, kwargs):
        """Run the program (its source is compiled on the first run: a program traced only
        to be compared with the next trace is never compiled)."""
        code = compile(self.source, "<minitorch.compile program>", "exec")
        exec(code, self.namespace)  # noqa: S102 (our own generated source, nothing from a file)
        self.run = self.namespace["program"]
        return self.run(args, kwargs)

    def operations(self) -> dict:
        """How many lines call each operation (``{'np.matmul': 12, 'r.reshape': 30, ...}``),
        the most frequent first: a program's shape at a glance."""
        counts: dict[str, int] = {}
        for line in self.lines:
            if line.kind == "call":
                function = line.body[0]
                if getattr(function, "__objclass__", None) is np.ndarray:
                    name = f"r.{function.__name__}"
                else:
                    name = self._function_name(function)
            else:
                name = line.kind
            counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))

    def profile(self, args=(), kwargs=None, repeat: int = 10) -> list:
        """Run the program ``repeat`` times with a clock around each line; returns
        ``(microseconds per run, line)`` pairs, the slowest first. (The runs change state,
        as the step itself would.)"""
        import time
        lines = self.source.splitlines()
        timed = [lines[0], "    _clock = _perf()"]
        for i, line in enumerate(lines[1:]):
            timed.append(line)
            if line.startswith("    ") and not line.startswith("    return"):
                timed.append(f"    _spent[{i}] += _perf() - _clock; _clock = _perf()")
        namespace = dict(self.namespace, _perf=time.perf_counter, _spent=[0.0] * len(lines))
        exec(compile("\n".join(timed), "<profiled program>", "exec"), namespace)  # noqa: S102
        for _ in range(repeat):
            namespace["program"](args, kwargs or {})
        return sorted(((1e6 * t / repeat, lines[i + 1].strip())
                       for i, t in enumerate(namespace["_spent"]) if t), reverse=True)

    def same_as(self, other: "Program") -> str | None:
        """None when ``other`` is the same program; else the first difference, in words."""
        if self.source != other.source:
            for mine, theirs in zip(self.source.splitlines(), other.source.splitlines()):
                if mine != theirs:
                    return f"'{mine.strip()}' became '{theirs.strip()}'"
            return "the programs have different lengths"
        if len(self.objects) != len(other.objects) or any(
                a is not b for a, b in zip(self.objects, other.objects)):
            return "the program reads other tensors"
        for i, (a, b) in enumerate(zip(self.constants, other.constants)):
            if not _same_constant(a, b):
                return f"constant c{i} changed ({_short(a)} became {_short(b)})"
        return None

    def __str__(self) -> str:
        return self.source

    def __len__(self) -> int:
        return sum(1 for line in self.lines if line.kind == "call")


def _fail(index):
    raise GuardFailed(index)


def _fail_late(index):
    raise RuntimeError(
        f"minitorch.compile: the replayed step took another branch than when it was traced "
        f"(guard at line {index} of its program), after it had already changed tensors in "
        f"place; the step's state is partly updated. This function cannot be replayed: call it "
        f"without minitorch.compile.")


def _returns_sequence(function) -> bool:
    return getattr(function, "__name__", "") in ("nonzero", "split", "array_split", "unique",
                                                 "broadcast_arrays", "meshgrid", "divmod",
                                                 "frexp", "modf")


def _live(lines, needed: set) -> list:
    """The lines that matter: every line that writes or guards, and what they and the
    outputs need, in their order."""
    kept = []
    for line in reversed(lines):
        if (line.kind in ("guard", "check", "effect") or line.writes or line.effect
                or any(t in needed or t.split("[")[0] in needed for t in line.targets)):
            kept.append(line)
            needed |= {u.split("[")[0] for u in line.uses}
    kept.reverse()
    return kept


def _last_uses(lines, outputs) -> dict:
    """line index -> the arrays (r-names) read or made there for the last time."""
    last = {}
    for i, line in enumerate(lines):
        for name in (*line.uses, *line.targets):
            if name[:1] == "r" and name not in outputs:
                last[name] = i
    freed: dict = {}
    for name, i in last.items():
        freed.setdefault(i, []).append(name)
    return {i: sorted(names, key=lambda n: int(n[1:])) for i, names in freed.items()}


def _written_in_place(lines, meta, outputs) -> list:
    """``r9 = np.add(r7, r8)`` then ``r7[...] = r9`` becomes ``np.add(r7, r8, out=(r7,))``:
    the same numbers, written straight into r7, without the temporary r9 and its copy (an
    in-place update of the reference path, ``p.add_(...)``, is such a pair)."""
    uses = {}
    for line in lines:
        for name in line.uses:
            uses[name] = uses.get(name, 0) + 1
    kept = []
    for line in lines:
        previous = kept[-1] if kept else None
        if (line.kind == "call" and line.body[0] is np.ndarray.__setitem__
                and previous is not None and previous.kind == "call"
                and isinstance(previous.body[0], np.ufunc) and "out" not in previous.body[2]
                and len(previous.targets) == 1):
            target, key, value = line.body[1]
            if (key is Ellipsis and value == previous.targets[0] and uses.get(value) == 1
                    and value not in outputs and meta.get(value) == meta.get(target)):
                function, args, kwargs = previous.body
                kept[-1] = Line((), (function, args, {**kwargs, "out": (Name(target),)}),
                                kind="call", writes=True, effect=line.effect)
                continue
        kept.append(line)
    return kept


def _render_key(key) -> str:
    """An index as Python writes it inside brackets: ``r3, 0:4, ...``."""
    if type(key) is not tuple:
        key = (key,)
    parts = []
    for item in key:
        if type(item) is slice:
            start, stop, step = (("" if v is None else repr(v))
                                 for v in (item.start, item.stop, item.step))
            parts.append(f"{start}:{stop}" + (f":{step}" if step else ""))
        elif item is Ellipsis:
            parts.append("...")
        else:
            parts.append(_render_value(item))
    return ", ".join(parts)  # (a[(i,)] is a[i] in NumPy: no trailing comma needed)


def _render_value(value, wrap: bool = False) -> str:
    if type(value) is Name:
        return str(value)
    if isinstance(value, _OutputTensor):
        return f"Tensor._from_array({value.name})" if wrap else value.name
    if type(value) is tuple:
        inner = ", ".join(_render_value(v, wrap) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if type(value) is list:
        return "[" + ", ".join(_render_value(v, wrap) for v in value) + "]"
    if type(value) is dict:
        return "{" + ", ".join(f"{k!r}: {_render_value(v, wrap)}" for k, v in value.items()) + "}"
    return repr(value)


class _OutputTensor:
    """An output of the call that is a new Tensor: the replay wraps the array again."""

    def __init__(self, name):
        self.name = name


def _same_constant(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and a.tobytes() == b.tobytes())
    try:
        return bool(type(a) is type(b) and (a is b or a == b))
    except Exception:  # noqa: BLE001 (objects without a plain ==)
        return a is b


def _short(value) -> str:
    text = repr(value).replace("\n", " ")
    return text if len(text) < 60 else text[:57] + "..."
