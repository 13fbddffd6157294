"""Generate the learner's notebooks in ``exercises/`` from the chapters.

    python scripts/make_exercises.py            # write exercises/NN_name.ipynb for chapters 01+
    python scripts/make_exercises.py --check    # exit 1 if exercises/ is out of date

Each chapter's jupytext source keeps its solutions between ``### BEGIN SOLUTION`` and
``### END SOLUTION``; the learner's notebook gets nbgrader's stub there (``# YOUR CODE HERE``,
``raise NotImplementedError()``), no outputs, and is otherwise the same chapter. The
committed chapters stay executed with their solutions; ``tests/test_exercises.py`` fails when
``exercises/`` is out of date.
"""
from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from minitorch.course.exercises import ANSWER_STUB, strip_solutions  # noqa: E402

CHAPTERS, EXERCISES = ROOT / "chapters", ROOT / "exercises"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def chapter_sources() -> list[Path]:
    """The chapters that have exercises: 01 onwards (00 is the tour)."""
    return sorted(p for p in CHAPTERS.glob("[0-9][0-9]_*.py") if p.name[:2] != "00")


def learner_notebook(source: Path) -> str:
    """The learner's version of one chapter, as the exact text of its .ipynb file."""
    notebook = jupytext.read(source)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs, cell.execution_count = [], None
        elif cell.cell_type == "markdown":
            cell.source = strip_solutions(cell.source, ANSWER_STUB)
        cell.pop("id", None)
        cell.metadata.pop("execution", None)
    notebook.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    notebook.nbformat, notebook.nbformat_minor = 4, 4
    return nbformat.writes(notebook) + "\n"


def expected_files() -> dict[str, str]:
    return {f"{source.stem}.ipynb": learner_notebook(source) for source in chapter_sources()}


def main(argv) -> int:
    expected = expected_files()
    actual = {p.name: p.read_text(encoding="utf-8") for p in EXERCISES.glob("*.ipynb")}
    if "--check" in argv:
        stale = sorted(n for n in expected.keys() | actual.keys() if expected.get(n) != actual.get(n))
        for name in stale:
            print(f"exercises/{name} is out of date: run python scripts/make_exercises.py")
        return 1 if stale else 0
    EXERCISES.mkdir(exist_ok=True)
    for name in actual.keys() - expected.keys():
        (EXERCISES / name).unlink()
    for name, text in expected.items():
        if actual.get(name) != text:
            (EXERCISES / name).write_text(text, encoding="utf-8")
            print(f"wrote exercises/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
