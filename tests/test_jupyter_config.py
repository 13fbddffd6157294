"""JupyterLab's file browser for the course (.jupyter/jupyter_server_config.json, which dev.py
copies into .venv): the chapters' jupytext twins and nbval's settings are hidden, nothing a
learner opens is."""
import fnmatch
import json

import pytest

import dev

HIDE_GLOBS = json.loads(dev.JUPYTER_CONFIG.read_text())["ContentsManager"]["hide_globs"]


def hidden(name: str) -> bool:
    # jupyter_server hides a listed name when any glob matches it (fnmatch on the name).
    return any(fnmatch.fnmatch(name, glob) for glob in HIDE_GLOBS)


def test_chapter_twins_and_nbval_settings_are_hidden():
    twins = sorted(p.name for p in (dev.ROOT / "chapters").glob("[0-9][0-9]_*.py"))
    assert twins and all(hidden(name) for name in twins)
    assert hidden("nbval_sanitize.cfg")


def test_what_a_learner_opens_stays_listed():
    shown = [p for folder in ("chapters", "exercises") for p in (dev.ROOT / folder).rglob("*")
             if p.suffix in (".ipynb", ".md") or p.parent.name == "mytorch"]
    shown += [dev.ROOT / "START_HERE.md", dev.ROOT / "README.md", dev.ROOT / "minitorch"]
    assert len(shown) > 20
    assert [p.name for p in shown if hidden(p.name) and p.suffix != ".pyc"] == []


def test_config_is_installed_where_jupyter_reads_it(tmp_path, monkeypatch):
    monkeypatch.setattr(dev, "VENV", tmp_path)
    dev.install_jupyter_config()
    installed = tmp_path / "etc" / "jupyter" / "jupyter_server_config.json"
    assert installed.read_bytes() == dev.JUPYTER_CONFIG.read_bytes()


def test_jupyter_server_lists_chapters_without_the_twins():
    filemanager = pytest.importorskip(
        "jupyter_server.services.contents.filemanager",
        reason="JupyterLab's server is in the lab extras, not in the test environment")
    manager = filemanager.FileContentsManager(root_dir=str(dev.ROOT), hide_globs=HIDE_GLOBS)
    names = {entry["name"] for entry in manager.get("chapters")["content"]}
    assert "01_derivatives_and_the_chain_rule.ipynb" in names and "README.md" in names
    assert not any(name.endswith(".py") or name.endswith(".cfg") for name in names)
