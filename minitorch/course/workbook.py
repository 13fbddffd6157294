"""Your own framework, growing chapter by chapter: the cells you mark ``#@save`` become the
package ``mytorch`` next to the notebooks, one module per chapter (``mytorch/ch01.py``, ...).

Later chapters import your earlier pieces (``from mytorch.ch01 import Value``), so the engine
you wrote in chapter 01 is the one that trains a network there. The idea is d2l's ``#@save``;
here the saving happens as you run a cell, so the module always holds what you last ran.

    course.start("03")     # first cell of a chapter: save this chapter's #@save cells as they run
    with course.needs("your unbroadcast"):   # a demo that uses your code: skipped, with a note,
        ...                                  # while that code is still a stub
"""
from __future__ import annotations

import ast
import contextlib
import json
from pathlib import Path

from . import checking

PACKAGE = "mytorch"
SAVE_MARK = "#@save"
_PACKAGE_DOC = ('"""Your own framework, written in the course\'s exercises: one module per chapter,\n'
                'made from the cells you marked #@save (see minitorch/course/workbook.py)."""\n')

_active = {"chapter": None, "handler": None}


def is_saved_cell(source: str) -> bool:
    return source.lstrip().startswith(SAVE_MARK)


def module_text(chapter: str, cells: list[str]) -> str:
    """The module ``mytorch/ch<chapter>.py`` made of the given ``#@save`` cells, in order."""
    header = (f'"""Chapter {chapter} of your framework: the cells marked {SAVE_MARK}, '
              f'as you last ran them."""\n')
    return header + "".join(f"\n\n{cell.strip()}\n" for cell in cells)


def saved_cells_of_module(text: str) -> list[str]:
    """The cells a module written by ``module_text`` holds (so a restarted kernel keeps them)."""
    blocks, current = [], None
    for line in text.splitlines():
        if line.startswith(SAVE_MARK):
            current = [line]
            blocks.append(current)
        elif current is not None:
            current.append(line)
    return ["\n".join(block).strip() for block in blocks]


def saved_cells_of_notebook(path: Path) -> list[str]:
    """The ``#@save`` code cells of a notebook file, in order (nbformat's JSON, read directly)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in cells if c["cell_type"] == "code"]
    return [s for s in sources if is_saved_cell(s)]


def defined_names(source: str) -> frozenset:
    """The top-level names a cell defines: a re-run cell replaces the block that defined them."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


def save_cell(folder: Path, chapter: str, source: str) -> None:
    """Put one run ``#@save`` cell into ``folder/mytorch/ch<chapter>.py``, replacing the earlier
    version of the same definitions (the module keeps first-run order)."""
    module = folder / PACKAGE / f"ch{chapter}.py"
    cells = saved_cells_of_module(module.read_text(encoding="utf-8")) if module.exists() else []
    names, source = defined_names(source), source.strip()
    kept, placed = [], False
    for cell in cells:
        same = cell == source or (names and names & defined_names(cell))
        if same and not placed:
            kept.append(source)
            placed = True
        elif not same:
            kept.append(cell)
    if not placed:
        kept.append(source)
    _write_if_changed(module, module_text(chapter, kept))


def start(chapter: str, folder: str | Path | None = None) -> None:
    """Begin chapter ``chapter`` ("01", "02", ...): from now on every ``#@save`` cell run in
    this kernel is saved into ``mytorch/ch<chapter>.py``; earlier chapters' modules that do
    not exist yet are written from their notebooks as saved on disk."""
    folder = Path(folder) if folder is not None else Path.cwd()
    package = folder / PACKAGE
    package.mkdir(exist_ok=True)
    _write_if_changed(package / "__init__.py", _PACKAGE_DOC)
    for notebook in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        earlier = notebook.name[:2]
        if earlier < chapter and not (package / f"ch{earlier}.py").exists() and \
                saved_cells_of_notebook(notebook):
            _write_if_changed(package / f"ch{earlier}.py",
                              module_text(earlier, saved_cells_of_notebook(notebook)))
            print(f"note: mytorch/ch{earlier}.py was missing; written from {notebook.name} as "
                  "saved on disk (run that chapter to update it)")
    _watch_cells(folder, chapter)


def _watch_cells(folder: Path, chapter: str) -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:       # plain Python: nothing runs cells, so nothing to save
        return
    if _active["handler"] is not None:
        shell.events.unregister("post_run_cell", _active["handler"])

    def save_if_marked(result) -> None:
        source = result.info.raw_cell if result.info is not None else ""
        if result.success and is_saved_cell(source):
            save_cell(folder, chapter, source)

    shell.events.register("post_run_cell", save_if_marked)
    _active.update(chapter=chapter, handler=save_if_marked)


@contextlib.contextmanager
def needs(what: str):
    """Run a cell that uses your code; while that code is still a stub, skip the rest of the
    cell with a note instead of a traceback."""
    try:
        yield
    except NotImplementedError as err:
        if not checking._is_stub(err):
            raise
        print(f"(skipped: this cell runs once {what} is done)")


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
