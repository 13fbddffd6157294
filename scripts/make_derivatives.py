"""Generate docs/derivatives.md: every differentiable Function in minitorch/ops/ and
minitorch/nn/functional/, with its formula, its derivative and what it saves for backward,
read from its docstring. tests/test_derivatives_doc.py checks the committed file is current.

Each Function's docstring begins with one paragraph in this form:

    y = f(x); dL/dx = ...; saves ...

    python scripts/make_derivatives.py          # rewrite docs/derivatives.md
    python scripts/make_derivatives.py --check  # exit 1 if it is out of date
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import minitorch  # noqa: E402
from minitorch.autograd.function import Function  # noqa: E402

OUTPUT = ROOT / "docs" / "derivatives.md"
PACKAGES = ("minitorch.ops", "minitorch.nn.functional")
# y = f(x); dL/dx = ...; saves ...   (the forward may name several outputs: "(y_1, ..., y_k) =")
FORMAT = re.compile(r"^(?P<forward>\(?y(?![A-Za-z]).*?);\s+(?P<backward>dL/d.*);\s+"
                    r"saves (?P<saves>.+?)\.?$", re.DOTALL)


def parse(docstring: str | None):
    """The (forward, backward, saves) of a docstring's first paragraph, or None if it is not
    in the format."""
    if not docstring:
        return None
    first_paragraph = inspect.cleandoc(docstring).split("\n\n")[0]
    match = FORMAT.match(" ".join(first_paragraph.split()))
    return match.group("forward", "backward", "saves") if match else None


def families() -> list:
    """(module, [Function classes defined there, in source order]) for every op module."""
    found = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            module = importlib.import_module(f"{package_name}.{info.name}")
            classes = [c for c in vars(module).values() if inspect.isclass(c)
                       and issubclass(c, Function) and c.__module__ == module.__name__]
            if classes:
                found.append((module, classes))
    return found


def computes(cls) -> bool:
    """Whether the class writes its own forward or backward (the others only rename a node)."""
    return "forward" in vars(cls) or "backward" in vars(cls)


def node_names(cls, classes) -> list:
    """The graph node names this Function's math is recorded under: its own, and those of the
    ``classes`` that only rename it (SumAll records Sum's math as SumBackward0)."""
    names = [cls.node_name] if cls.node_name else []
    return names + [name for sub in classes if sub is not cls and not computes(sub)
                    and _computing_parent(sub) is cls for name in [sub.node_name] if name]


def _computing_parent(cls):
    return next(base for base in cls.__mro__[1:] if computes(base))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    lines = ["# Derivatives", "",
             "Every differentiable Function in `minitorch/ops/` and `minitorch/nn/functional/`:",
             "what it computes, the gradient of a loss L with respect to each input given",
             "dL/dy, and what the forward keeps for the backward. Generated from the",
             "docstrings by `python scripts/make_derivatives.py`; do not edit by hand.", ""]
    count = 0
    every_class = [cls for _, classes in families() for cls in classes]
    for module, classes in families():
        lines += [f"## {module.__name__.removeprefix('minitorch.')}", "",
                  "| node | forward | backward | saves |", "|---|---|---|---|"]
        for cls in filter(computes, classes):
            forward, backward, saves = parse(cls.__doc__)
            nodes = "<br>".join(node_names(cls, every_class)) or f"({cls.__name__})"
            lines.append(f"| {nodes} | {_cell(forward)} | {_cell(backward)} | {_cell(saves)} |")
            count += 1
        lines.append("")
    lines[7:7] = [f"{count} Functions.", ""]
    return "\n".join(lines)


def undocumented() -> list:
    """Functions that compute something but whose docstring is not in the format."""
    return [f"{module.__name__}.{cls.__name__}" for module, classes in families()
            for cls in classes if computes(cls) and parse(cls.__doc__) is None]


def main() -> int:
    missing = undocumented()
    if missing:
        print("docstrings not in the form 'y = ...; dL/dx = ...; saves ...':", *missing,
              sep="\n  ")
        return 1
    text = render()
    if "--check" in sys.argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run scripts/make_derivatives.py")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
