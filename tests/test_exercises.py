"""The do-it-yourself course: exercises/ is generated from the chapters and current, holds no
solution, and every learner notebook runs top to bottom with its stubs unfinished, each check
saying what is left and nothing else failing. (Whether each check tells right from wrong is
tested per chapter in tests/course/.)"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbconvert.preprocessors import ExecutePreprocessor

from minitorch.course.exercises import BEGIN, END, count_solutions

from exercise_checks.learner import chapters_with_saved_cells, module_text, saved_cells

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
NOTEBOOKS = sorted(EXERCISES.glob("[0-9][0-9]_*.ipynb"))
VERDICT = re.compile(r"^([✔✘…]) (.+?): ", re.M)


def test_exercises_are_generated_and_current():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_exercises.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert NOTEBOOKS, "no learner notebooks in exercises/"


def exercise_count(chapter_file: Path) -> int:
    """Exercises are introduced in the chapter's prose as "**Exercise N.M.**"."""
    return len(re.findall(r"^# \*\*Exercise \d+\.\d+\.\*\*", chapter_file.read_text(), re.M))


def test_every_chapter_has_exercises():
    chapters = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.py"))[1:]   # 00 is the tour
    counts = {p.stem: exercise_count(p) for p in chapters}
    assert all(n >= 2 for n in counts.values()), counts
    assert sum(counts.values()) >= 40, counts
    for chapter_file in chapters:        # each exercise has a stub in the learner's notebook
        assert count_solutions(chapter_file.read_text()) >= counts[chapter_file.stem]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_learner_notebook_holds_no_solution(notebook):
    text = notebook.read_text()
    assert BEGIN not in text and END not in text
    source = nbformat.read(notebook, as_version=4)
    assert all(c.get("outputs", []) == [] for c in source.cells if c.cell_type == "code")
    (chapter_file,) = (ROOT / "chapters").glob(f"{notebook.name[:2]}_*.py")
    assert count_solutions(chapter_file.read_text()) == text.count("raise NotImplementedError()")


@pytest.mark.parametrize("chapter", chapters_with_saved_cells())
def test_committed_solution_package_matches_the_chapter(chapter):
    """chapters/mytorch/chNN.py is what running the chapter writes: its #@save cells."""
    committed = (ROOT / "chapters" / "mytorch" / f"ch{chapter}.py").read_text()
    assert committed == module_text(chapter, [c.strip() for c in saved_cells(chapter)]), \
        f"rebuild the chapter: python scripts/build_chapters.py {chapter}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A copy of exercises/ in which the learner's mytorch package grows chapter by chapter."""
    folder = tmp_path_factory.mktemp("exercises")
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, folder)
    return folder


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_learner_notebook_runs_with_stubs(notebook, workdir):
    """Run in order (the package of earlier chapters is there, made of stubs): no cell raises,
    and every check reports its exercise as not done yet."""
    nb = nbformat.read(workdir / notebook.name, as_version=4)
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(
        nb, {"metadata": {"path": str(workdir)}})
    verdicts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{output.ename}: {output.evalue}\n{cell.source}"
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            verdicts += VERDICT.findall(text)
    assert verdicts, "no check ran"
    wrong = [name for mark, name in verdicts if mark != "…"]
    assert not wrong, f"checks that did not say 'not done yet' on the stubs: {wrong}"
