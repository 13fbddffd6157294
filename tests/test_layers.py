"""The layers the folders show (DESIGN.md section 3): the import graph has no large loop, and
every Tensor method is written where a reader can find it by grepping."""
from __future__ import annotations

import ast
from pathlib import Path

import minitorch

PACKAGE = Path(minitorch.__file__).parent
ROOT = PACKAGE.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _module_level_imports(tree: ast.Module):
    """Import statements that run when the module is imported: at the top level or inside a
    top-level if/try/with; not inside a function or class (those run later, on use)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in (node.body, getattr(node, "orelse", []), getattr(node, "finalbody", [])):
                pending.extend(block)
            for handler in getattr(node, "handlers", []):
                pending.extend(handler.body)


def _known_module(name: str) -> str | None:
    """The minitorch module that ``name`` is or is inside (``a.b.Tensor`` -> ``a.b``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported_modules(module: str, node) -> set:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: `from ..tensor import Tensor` inside minitorch.ops.x
            package = module.split(".")
            if not MODULES[module].name == "__init__.py":
                package = package[:-1]
            package = package[:len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        # `from . import backend` names a module; `from .tensor import Tensor` a name in one
        names = [f"{base}.{alias.name}" for alias in node.names]
    found = {_known_module(name) for name in names}
    return {m for m in found if m is not None and m != module}


def import_graph() -> dict:
    """module -> the minitorch modules its import statements name. (Python also runs the
    __init__ of a named module's packages; those edges are not counted: they would add
    minitorch.autograd's __init__ to the core loop.)"""
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = set().union(*(_imported_modules(module, node)
                                      for node in _module_level_imports(tree)))
    return graph


def strongly_connected_components(graph: dict) -> list:
    """Tarjan's algorithm, iterative: the groups of modules that import each other in a loop."""
    index, lowlink, on_stack, stack, components = {}, {}, set(), [], []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = lowlink[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = lowlink[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    lowlink[node] = min(lowlink[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
                if lowlink[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def test_components_finds_a_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert sorted(map(sorted, strongly_connected_components(graph))) == [["a", "b", "c"], ["d"]]


def test_relative_imports_resolve_to_modules():
    graph = import_graph()
    assert "minitorch.tensor" in graph["minitorch.ops.pointwise"]
    assert "minitorch.autograd.function" in graph["minitorch.ops.pointwise"]


def test_largest_import_loop_has_at_most_three_modules():
    largest = max(strongly_connected_components(import_graph()), key=len)
    assert len(largest) <= 3, f"modules importing each other in one loop: {sorted(largest)}"


def test_ops_do_not_import_tensor_back_through_a_loop():
    # Tensor's core (tensor.py, Function, the engine) is the only loop; op families sit below it
    largest = max(strongly_connected_components(import_graph()), key=len)
    assert not any(module.startswith("minitorch.ops.") for module in largest)


def _names_written_for_tensor() -> set:
    """Names given to Tensor in a reader-visible way: defined (or listed in ``__slots__``) in
    its class body, or assigned as ``Tensor.name = ...`` at the top level of a module outside
    the accelerations."""
    names = set()
    for module, path in MODULES.items():
        if module.startswith("minitorch.fast"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == "Tensor":
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        names.add(item.name)
                    elif isinstance(item, ast.Assign):
                        names.update(t.id for t in item.targets if isinstance(t, ast.Name))
                        if any(getattr(t, "id", None) == "__slots__" for t in item.targets):
                            names.update(ast.literal_eval(item.value))  # the instance fields
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                            and target.value.id == "Tensor":
                        names.add(target.attr)
    return names


def test_every_tensor_method_is_written_where_grep_finds_it():
    written = _names_written_for_tensor()
    own = {name for cls in minitorch.Tensor.__mro__ if cls is not object for name in vars(cls)}
    hidden = sorted(name for name in own if name not in written
                    and (not name.startswith("_") or name.startswith("__") and name.endswith("__"))
                    and name not in {"__dict__", "__weakref__", "__module__", "__doc__",
                                     "__slots__", "__qualname__"})
    assert not hidden, f"Tensor attributes set where a reader cannot grep them: {hidden}"
    assert {"exp", "sum", "__add__", "view", "T"} <= written


def test_no_setattr_on_tensor_outside_the_accelerations():
    offenders = []
    for module, path in MODULES.items():
        if module.startswith(("minitorch.fast", "minitorch.course")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "setattr" and node.args \
                    and isinstance(node.args[0], ast.Name) and node.args[0].id == "Tensor":
                offenders.append(f"{module}:{node.lineno}")
    assert not offenders


def test_one_table_of_dtype_names():
    from minitorch.types import dtypes as _dtype
    assert [d._torch_name for d in _dtype.ALL_DTYPES] == [
        "Bool", "Byte", "Char", "Short", "Int", "Long", "Half", "Float", "Double"]
    assert minitorch.LongTensor.__name__ == "LongTensor"
    assert minitorch.zeros(2, dtype=minitorch.int16).type() == "minitorch.ShortTensor"
    # no module keeps its own copy of the names
    copies = [str(path.relative_to(ROOT)) for path in MODULES.values()
              if '"Double"' in path.read_text(encoding="utf-8")
              and path.name != "dtypes.py" and "course" not in path.parts]
    assert not copies


def load_script(name: str):
    """A script of scripts/ as a module (scripts/ is not a package)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reading_path_in_architecture_md_points_at_real_code():
    script = load_script("reading_path")
    steps = script.reading_path((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    assert len(steps) >= 20
    assert script.problems(steps) == []
    assert script.total_lines(steps) <= script.LIMIT
    files = {path for _, path, _, _, _ in steps}
    assert {"minitorch/tensor.py", "minitorch/autograd/function.py",
            "minitorch/autograd/engine.py", "minitorch/optim/adam.py"} <= files


def test_reading_path_check_notices_a_stale_range():
    script = load_script("reading_path")
    stale = [(1, "minitorch/tensor.py", 1, 5, "def backward"),
             (2, "minitorch/no_such_file.py", 1, 2, "x"),
             (3, "minitorch/tensor.py", 3, 10**6, "class Tensor"),
             (4, "minitorch/optim/sgd.py", 1, 12, "class SGD")]
    # not there, no file, past the end, overlaps step 1, SGD cut short
    assert len(script.problems(stale)) == 5
