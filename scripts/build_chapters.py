"""Rebuild the executed chapters from their paired jupytext sources.

    python scripts/build_chapters.py                 # every chapter
    python scripts/build_chapters.py 03 07           # chapters whose name starts with these

For each ``chapters/NN_name.py`` (the reviewable text form), writes ``chapters/NN_name.ipynb``
executed top to bottom in a fresh kernel, single-threaded, with a fixed hash seed, and
prints each chapter's run time. Commit both files together; ``tests/test_chapters.py``
checks that they agree, and nbval checks that re-running gives the same outputs.
"""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from minitorch.course.workbook import is_saved_cell, module_text  # noqa: E402

CHAPTERS = ROOT / "chapters"
ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "PYTHONHASHSEED": "0", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def build(source: Path) -> float:
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                       "name": "python3"}
    start = time.perf_counter()
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(
        notebook, {"metadata": {"path": str(CHAPTERS)}})
    elapsed = time.perf_counter() - start
    for cell in notebook.cells:  # ids must be stable for clean diffs
        cell.pop("id", None)
        cell.metadata.pop("execution", None)  # run timestamps: noise in every diff
    notebook.nbformat_minor = 4
    nbformat.write(notebook, source.with_suffix(".ipynb"))
    write_saved_module(source)
    return elapsed


def write_saved_module(source: Path) -> None:
    """chapters/mytorch/chNN.py as the chapter's #@save cells make it. Running the chapter
    wrote it already, cell by cell; writing it whole again drops a cell removed from the
    chapter (the module is never deleted, so a chapter built at the same time finds it)."""
    chapter = source.name[:2]
    cells = [c.source for c in jupytext.read(source).cells
             if c.cell_type == "code" and is_saved_cell(c.source)]
    module = CHAPTERS / "mytorch" / f"ch{chapter}.py"
    if cells:
        module.write_text(module_text(chapter, [c.strip() for c in cells]), encoding="utf-8")


def main(prefixes) -> int:
    os.environ.update(ENV)
    sources = sorted(p for p in CHAPTERS.glob("[0-9][0-9]_*.py")
                     if not prefixes or any(p.name.startswith(x) for x in prefixes))
    failures = 0
    for source in sources:
        try:
            elapsed = build(source)
            print(f"{source.stem:40s} {elapsed:6.1f} s", flush=True)
        except Exception as err:  # report every chapter, then fail
            failures += 1
            message = re.sub(r"\x1b\[[0-9;]*m", "", str(err))  # the traceback's terminal colours
            print(f"{source.stem:40s} FAILED: {type(err).__name__}: {message[-2000:]}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
