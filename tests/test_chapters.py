"""The chapters: each executed notebook is committed next to its jupytext source (the
reviewable text form) and the two must agree. (Re-running them and comparing outputs is
nbval's job, in the same test command.)"""
import re
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
        images = []
        for output in cell.outputs:
            assert output.output_type != "error", f"a cell raised: {output.get('ename')}"
            assert output.get("name") != "stderr", f"a cell wrote to stderr: {output.text[:200]}"
            text = output.get("text", "")
            assert "Warning" not in text, f"a cell printed a warning: {text[:200]}"
            # the chapters hold the solutions: every course check must pass on them
            assert "\u2718" not in text, f"a course check failed on the solution: {text[:300]}"
            images.append(output.get("data", {}).get("image/png"))
        shown = [png for png in images if png is not None]
        # a pyplot figure that is also returned shows twice (once returned, once at cell end)
        assert len(shown) == len(set(shown)), f"a figure is displayed twice in:\n{cell.source[:200]}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_chapter_ends_with_passing_checks(source):
    """Each chapter's last code cell asserts that the hand-built version, minitorch and
    PyTorch agree, and says so once every assert has passed."""
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    last = [c for c in notebook.cells if c.cell_type == "code"][-1]
    printed = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    assert "assert" in last.source and "all checks passed" in printed, \
        f"{source.name} must end with a checks cell that asserts and prints 'all checks passed'"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_chapter_shows_a_figure(source):
    """Every chapter shows at least one picture (a plot or a graph drawing)."""
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    pictures = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                if any(kind.startswith("image/") for kind in o.get("data", {}))]
    assert pictures, f"{source.name} shows no figure"


def test_quoted_lstm_loss_is_chapter_10s():
    """Chapters 11 and 14 compare with chapter 10's LSTM by quoting its printed loss (so that
    they need not train it again): the quote must be what chapter 10 prints now."""
    notebook = nbformat.read(CHAPTERS / "10_sequences.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                      for o in c.outputs)
    (lstm,) = re.findall(r"LSTM loss: first step [\d.]+, last 10 steps ([\d.]+)", printed)
    for name in ("11_attention_and_transformers.py", "14_capstone.py"):
        quoted = re.findall(r"^LSTM_LOSS[^=]*= ([\d.]+)", (CHAPTERS / name).read_text(), re.M)
        assert quoted == [lstm], f"{name} quotes chapter 10's LSTM loss as {quoted}, it prints {lstm}"
