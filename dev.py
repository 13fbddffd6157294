#!/usr/bin/env python3
"""Set up a fresh machine (only Python and pip needed) and run minitorch's two main jobs.

    python3 dev.py lab     # create .venv, install the course extras, open the chapters in
                           # JupyterLab (or, with no browser/display, run the course headless)
    python3 dev.py test    # create .venv, install the test extras, run the whole test suite

    MINITORCH_REFERENCE=1 python3 dev.py test   # the same on the reference path only
                                                # (minitorch/fast switched off; CI runs both)

Standard library only. The virtual environment is reinstalled when pyproject.toml changes.
Tests, notebooks and benchmarks run single-threaded: on small shared machines threaded BLAS
can stall 20-40x, and float32 results change with the thread count.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

SINGLE_THREAD = {name: "1" for name in (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS")}


def run(cmd, **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kwargs)


def create_venv() -> None:
    if PYTHON.exists():
        return
    try:
        run([sys.executable, "-m", "venv", VENV])
    except (subprocess.CalledProcessError, OSError):
        # Debian without python3-venv: a venv without pip, filled by the host's pip.
        shutil.rmtree(VENV, ignore_errors=True)
        run([sys.executable, "-m", "venv", "--without-pip", VENV])
        run([sys.executable, "-m", "pip", "--python", PYTHON, "install", "pip"])


def ensure_installed(extra: str) -> None:
    """``pip install -e .[extra]`` into .venv, skipped when nothing changed since last time."""
    create_venv()
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".installed-{extra}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    run([PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-e", f".[{extra}]"])
    stamp.write_text(digest)


def test_command(extra_args) -> list:
    args = [PYTHON, "-m", "pytest", "tests"]
    notebooks = sorted((ROOT / "chapters").glob("*.ipynb"))
    if notebooks:
        args += ["chapters", "--nbval", "--nbval-current-env", "--nbval-cell-timeout=600",
                 "--nbval-sanitize-with", "chapters/nbval_sanitize.cfg"]
    return args + list(extra_args)


def cmd_test(extra_args) -> int:
    ensure_installed("dev")
    env = {**os.environ, **SINGLE_THREAD, "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    cmd = test_command(extra_args)
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env).returncode


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_lab(extra_args) -> int:
    ensure_installed("lab")
    env = {**os.environ, **SINGLE_THREAD}
    headless = "--headless" in extra_args or not has_display()
    if headless:
        # No browser here: run the course end to end instead, and say where the results are.
        print("No display found: running the course headless (pass --serve to start JupyterLab "
              "anyway, for example to reach it through an SSH tunnel).", flush=True)
        if "--serve" not in extra_args:
            demo = [PYTHON, "-m", "minitorch.demo"]
            if (ROOT / "minitorch" / "demo.py").exists():
                code = subprocess.run([str(c) for c in demo], cwd=ROOT, env=env).returncode
                if code:
                    return code
            out_dir = ROOT / "build" / "chapters"
            out_dir.mkdir(parents=True, exist_ok=True)
            for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
                run([PYTHON, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                     "--output-dir", out_dir, notebook], env=env)
            print(f"Executed chapters written to {out_dir}")
            return 0
    lab = [PYTHON, "-m", "jupyter", "lab", "--notebook-dir", ROOT / "chapters"]
    if headless:
        lab.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lab.append("--allow-root")  # JupyterLab refuses to run as root otherwise
    print("+", " ".join(str(c) for c in lab), flush=True)
    return subprocess.run([str(c) for c in lab], cwd=ROOT, env=env).returncode


def main(argv) -> int:
    if len(argv) < 1 or argv[0] not in ("lab", "test"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    return cmd_test(rest) if command == "test" else cmd_lab(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
