"""The chapters: each executed notebook is committed next to its jupytext source (the
reviewable text form) and the two must agree. (Re-running them and comparing outputs is
nbval's job, in the same test command.)"""
from pathlib import Path

import jupytext
import nbformat
import pytest

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
SOURCES = sorted(CHAPTERS.glob("[0-9][0-9]_*.py"))


def test_every_chapter_has_both_forms():
    assert SOURCES, "no chapters found"
    for source in SOURCES:
        assert source.with_suffix(".ipynb").exists(), f"{source.name} has no executed notebook"
    for notebook in CHAPTERS.glob("[0-9][0-9]_*.ipynb"):
        assert notebook.with_suffix(".py").exists(), f"{notebook.name} has no jupytext source"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_matches_its_source(source):
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    from_notebook = jupytext.writes(notebook, fmt="py:percent")
    from_source = jupytext.writes(jupytext.read(source), fmt="py:percent")
    assert from_notebook == from_source, (f"{source.name} and its .ipynb differ: rebuild with "
                                          f"python scripts/build_chapters.py {source.name[:2]}")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_is_executed_and_clean(source):
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "every code cell must be executed"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", f"a cell raised: {output.get('ename')}"
            text = output.get("text", "")
            assert "Warning" not in text, f"a cell printed a warning: {text[:200]}"
