"""Headless `python3 dev.py lab`: scripts/run_course.py executes chapters into readable HTML
with a summary of what each chapter's checks said, and `lab --serve` says what it does."""
import subprocess
import sys
from pathlib import Path

import nbformat

import dev

sys.path.insert(0, str(dev.ROOT / "scripts"))
import run_course  # noqa: E402


def notebook_whose_last_cell_printed(text):
    cell = nbformat.v4.new_code_cell("report()")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), cell])


def test_checks_summary_says_passed_or_what_is_left():
    done = notebook_whose_last_cell_printed("✔ a: correct on 3 checks\nall checks passed\n")
    assert run_course.checks_said(done) == "all checks passed"
    left = notebook_whose_last_cell_printed(
        "✔ a: correct on 3 checks\n✘ b: wrong answer for x\n… c: not done yet\n")
    assert run_course.checks_said(left) == "✘ b: wrong answer for x; … c: not done yet"
    assert run_course.checks_said(notebook_whose_last_cell_printed("")) == "(no checks printed)"


def test_tour_runs_headless_into_html_without_transport_warning(tmp_path):
    done = subprocess.run([sys.executable, dev.ROOT / "scripts" / "run_course.py", "00",
                           "--out", tmp_path], capture_output=True, text=True, cwd=dev.ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "without encryption" not in done.stdout + done.stderr
    assert "00_tour" in done.stdout and "ran; all checks passed" in done.stdout
    assert f"{tmp_path}/*.html" in done.stdout
    html = (tmp_path / "00_tour.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html>") and "all checks passed" in html
    assert (tmp_path / "00_tour.ipynb").exists()


def test_lab_serve_without_display_says_it_serves(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(dev, "ensure_installed", lambda extra: None)
    monkeypatch.setattr(dev, "install_jupyter_config", lambda: None)
    monkeypatch.setattr(dev, "has_display", lambda: False)
    monkeypatch.setattr(dev.subprocess, "run",
                        lambda cmd, **kw: calls.append(cmd) or subprocess.CompletedProcess(cmd, 0))
    assert dev.cmd_lab(["--serve"]) == 0
    out = capsys.readouterr().out
    assert "headless" not in out and "starting JupyterLab without a browser" in out
    (lab,) = calls
    assert lab[2:4] == ["jupyter", "lab"] and "--no-browser" in lab


def test_run_puts_the_venv_first_on_path(monkeypatch, tmp_path):
    monkeypatch.setattr(dev, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(dev, "BIN", tmp_path / ".venv" / "bin")
    env = dev.venv_env({"PATH": "/usr/bin", "PYTHONHOME": "/elsewhere"})
    assert env["PATH"].split(dev.os.pathsep)[0] == str(tmp_path / ".venv" / "bin")
    assert env["VIRTUAL_ENV"] == str(tmp_path / ".venv") and "PYTHONHOME" not in env


def test_a_chapter_that_stops_reports_the_error_not_stale_checks(tmp_path, monkeypatch):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    notebook = notebook_whose_last_cell_printed("all checks passed\n")  # a committed output
    notebook.cells[0].source = "raise ValueError('broken on purpose')"
    nbformat.write(notebook, chapters / "99_broken.ipynb")
    monkeypatch.setattr(run_course, "CHAPTERS", chapters)
    assert run_course.main(["99", "--out", str(tmp_path / "out")]) == 1
    html = (tmp_path / "out" / "99_broken.html").read_text()
    assert "broken on purpose" in html and "all checks passed" not in html
