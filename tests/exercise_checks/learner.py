"""The learner's package ``mytorch`` as the course builds it, in two versions: with the
chapters' solutions, and with the exercises' stubs. Tests run every check against both (and
against typical wrong answers) to prove that the checks tell right from wrong."""
from __future__ import annotations

import contextlib
import importlib
import sys
import tempfile
import types
from functools import lru_cache
from pathlib import Path

import jupytext

from minitorch.course.exercises import solution_only, strip_solutions
from minitorch.course.workbook import PACKAGE, is_saved_cell, module_text

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"


def chapter_source(chapter: str) -> Path:
    (source,) = CHAPTERS.glob(f"{chapter}_*.py")
    return source


def saved_cells(chapter: str) -> list[str]:
    notebook = jupytext.read(chapter_source(chapter))
    return [c.source for c in notebook.cells if c.cell_type == "code" and is_saved_cell(c.source)]


def chapters_with_saved_cells() -> list[str]:
    return [p.name[:2] for p in sorted(CHAPTERS.glob("[0-9][0-9]_*.py")) if saved_cells(p.name[:2])]


@lru_cache(maxsize=None)
def _package_folder(variant: str) -> Path:
    """A folder holding ``mytorch/`` with every chapter's module in the given version."""
    folder = Path(tempfile.mkdtemp(prefix=f"mytorch-{variant}-"))
    (folder / PACKAGE).mkdir()
    (folder / PACKAGE / "__init__.py").write_text("")
    transform = strip_solutions if variant == "stub" else (lambda cell: cell)
    for chapter in chapters_with_saved_cells():
        text = module_text(chapter, [transform(cell) for cell in saved_cells(chapter)])
        (folder / PACKAGE / f"ch{chapter}.py").write_text(text)
    return folder


@contextlib.contextmanager
def _importable(folder: Path):
    def forget():
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]
    forget()
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        forget()


def module(chapter: str, variant: str):
    """``mytorch.ch<chapter>`` as the solutions ("solution") or the stubs ("stub") make it."""
    with _importable(_package_folder(variant)):
        return importlib.import_module(f"{PACKAGE}.ch{chapter}")


def failed(verdict, *words) -> bool:
    """The verdict is a failure whose message shows what was expected and what came, and
    mentions each of ``words`` (the input, the hint)."""
    assert verdict.status == "failed", verdict.message
    for word in ("expected", "got", *words):
        assert word in verdict.message, f"{word!r} missing from:\n{verdict.message}"
    return True


def mistaken(chapter: str, wrong: str, right: str):
    """``mytorch.ch<chapter>`` with the solution's line(s) ``right`` replaced by ``wrong``:
    a typical mistake, made exactly where a learner would make it."""
    text = module_text(chapter, saved_cells(chapter))
    assert text.count(right) == 1, f"{right!r} should occur once in chapter {chapter}'s solution"
    mutant = types.ModuleType(f"{PACKAGE}.ch{chapter}_mistaken")
    with _importable(_package_folder("solution")):
        exec(compile(text.replace(right, wrong), f"<chapter {chapter}, mistaken>", "exec"),
             mutant.__dict__)
    return mutant


__all__ = ["failed", "module", "mistaken", "saved_cells", "chapters_with_saved_cells", "solution_only"]
