#!/usr/bin/env python3
"""Set up a fresh machine (only Python and pip needed) and run minitorch's two main jobs.

    python3 dev.py lab     # create .venv, install the course extras, open the chapters in
                           # JupyterLab (or, with no browser/display, run the course headless)
    python3 dev.py test    # create .venv, install the test extras, run the whole test suite
    python3 dev.py run CMD # run CMD inside .venv (e.g. `python3 dev.py run python demo.py`)

On Linux without an NVIDIA GPU, PyTorch comes from its own CPU wheel index (about 200 MB
instead of several GB of CUDA libraries that could not be used).

    MINITORCH_REFERENCE=1 python3 dev.py test   # the same on the reference path only
                                                # (minitorch/fast switched off; CI runs both)
    MINITORCH_TEST_DEVICE=strict python3 dev.py test
        # the device tests on 'cuda' backed by a strict CuPy stand-in (tests/strict_cupy.py):
        # CuPy's rules without a GPU. Runs the files of STRICT_TESTS only (every file whose
        # minitorch side follows the test device: the oracle's op and nn tests, the device,
        # conversion and stand-in tests), not the notebooks. CI runs it too.

Standard library only. The virtual environment is reinstalled when pyproject.toml changes.
Tests, notebooks and benchmarks run single-threaded: on small shared machines threaded BLAS
can stall 20-40x, and float32 results change with the thread count.
"""
from __future__ import annotations

import hashlib
import os
import re
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


# --- Which PyTorch build to install -------------------------------------------------------
# PyPI's torch for Linux depends on the CUDA, cuDNN, NCCL and Triton wheels (several GB).
# Where no NVIDIA GPU can use them, torch alone comes from PyTorch's CPU index; everything
# else still comes from the default index.
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def has_nvidia_gpu() -> bool:
    """True where an NVIDIA driver is installed (its tool or its kernel interface is there)."""
    return bool(shutil.which("nvidia-smi")) or Path("/proc/driver/nvidia/version").exists()


def wants_cpu_torch() -> bool:
    # PyPI's torch wheels are CPU-only on macOS and Windows already; only Linux pulls CUDA.
    return sys.platform.startswith("linux") and not has_nvidia_gpu()


def torch_requirement() -> str:
    """The pinned ``torch==X`` from pyproject.toml's extras (one pin for all of them)."""
    match = re.search(r'"(torch==[^"]+)"', (ROOT / "pyproject.toml").read_text())
    if not match:
        raise SystemExit("pyproject.toml pins no torch==X")
    return match.group(1)


def pip_install_steps(extra: str, cpu_torch: bool) -> list:
    """The pip commands that install ``.[extra]`` into .venv: torch first where it must come
    from the CPU index (the extras then find it already satisfied), then the extras."""
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check"]
    steps = []
    if cpu_torch:
        # One retry: where PyTorch's index cannot be reached (an offline mirror, a firewall),
        # pip falls back to the other indexes instead of retrying it for minutes.
        steps.append(pip + ["--retries", "1", "--extra-index-url", TORCH_CPU_INDEX,
                            torch_requirement()])
    steps.append(pip + ["-e", f".[{extra}]"])
    return steps


def ensure_installed(extra: str) -> None:
    """``pip install -e .[extra]`` into .venv, skipped when nothing changed since last time."""
    create_venv()
    cpu_torch = wants_cpu_torch()
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    digest = hashlib.sha256(pyproject + (b"cpu" if cpu_torch else b"")).hexdigest()
    stamp = VENV / f".installed-{extra}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    if cpu_torch:
        print("No NVIDIA GPU found: installing PyTorch's CPU build.", flush=True)
    for step in pip_install_steps(extra, cpu_torch):
        run(step)
    stamp.write_text(digest)
    print(HOW_TO_USE, flush=True)


# --- Using the environment afterwards -----------------------------------------------------
HOW_TO_USE = f"""
The environment is ready in {VENV}. To use it:
  source .venv/bin/activate          # then python, jupyter, pytest are the project's
  python3 dev.py run python FILE.py  # or run one command inside .venv without activating
""" if os.name != "nt" else f"""
The environment is ready in {VENV}. To use it:
  .venv\\Scripts\\activate              # then python, jupyter, pytest are the project's
  python dev.py run python FILE.py   # or run one command inside .venv without activating
"""


def venv_env(base=None) -> dict:
    """The environment variables that `activate` would set: .venv's programs come first."""
    base = dict(os.environ if base is None else base)
    base.pop("PYTHONHOME", None)
    return {**base, "VIRTUAL_ENV": str(VENV),
            "PATH": str(BIN) + os.pathsep + base.get("PATH", "")}


def cmd_run(extra_args) -> int:
    if not extra_args:
        print("usage: python3 dev.py run COMMAND [ARGS...]   (runs COMMAND inside .venv)")
        return 2
    if not PYTHON.exists():  # nothing set up yet: the course's environment
        ensure_installed("lab")
    program = shutil.which(extra_args[0], path=str(BIN)) or extra_args[0]
    return subprocess.run([program, *extra_args[1:]], env=venv_env()).returncode


# The test files that run minitorch's side on MINITORCH_TEST_DEVICE (tests/oracle.py,
# tests/module_oracle.py) or use 'cuda' when present: the strict run's subset.
STRICT_TESTS = ["tests/test_ops_*.py", "tests/test_nn_*.py", "tests/test_inplace_views.py",
                "tests/test_fast.py", "tests/test_device.py", "tests/test_conversion.py",
                "tests/test_creation.py", "tests/test_errors.py", "tests/test_random.py",
                "tests/test_strict_device.py", "tests/test_oracle_self.py"]


def test_command(extra_args, env=os.environ) -> list:
    if env.get("MINITORCH_TEST_DEVICE") == "strict":
        files = sorted({str(path.relative_to(ROOT))
                        for pattern in STRICT_TESTS for path in ROOT.glob(pattern)})
        return [PYTHON, "-m", "pytest", *files, *extra_args]
    args = [PYTHON, "-m", "pytest", "tests"]
    notebooks = sorted((ROOT / "chapters").glob("*.ipynb"))
    if notebooks:
        args += ["chapters", "--nbval", "--nbval-current-env", "--nbval-cell-timeout=600",
                 "--nbval-sanitize-with", "chapters/nbval_sanitize.cfg"]
    return args + list(extra_args)


def cmd_test(extra_args) -> int:
    ensure_installed("dev")
    # No MPLBACKEND here: the notebooks' kernels must pick Jupyter's inline backend, as when
    # the chapters were built, or a plt.show() figure is missing from nbval's comparison;
    # tests/conftest.py chooses Agg for the test process itself.
    env = {**os.environ, **SINGLE_THREAD, "PYTHONHASHSEED": "0"}
    env.pop("MPLBACKEND", None)
    cmd = test_command(extra_args)
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env).returncode


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# --- JupyterLab's settings for this project ----------------------------------------------
JUPYTER_CONFIG = ROOT / ".jupyter" / "jupyter_server_config.json"


def install_jupyter_config() -> None:
    """Copy the project's server settings (the file browser hides the chapters' .py twins)
    into .venv's own config folder, so they apply however JupyterLab is started from it.
    (Not jupyter_server_config.d/: the server reads only extension switches from there.)"""
    target = VENV / "etc" / "jupyter" / "jupyter_server_config.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(JUPYTER_CONFIG, target)


def cmd_lab(extra_args) -> int:
    ensure_installed("lab")
    install_jupyter_config()
    env = {**os.environ, **SINGLE_THREAD}
    serve = "--serve" in extra_args
    headless = "--headless" in extra_args or not has_display()
    if headless and not serve:
        return run_course_headless(env)
    lab = [PYTHON, "-m", "jupyter", "lab", "--notebook-dir", ROOT]
    if headless:
        print("No display found: starting JupyterLab without a browser. Open the URL it prints "
              "below (from another machine, through an SSH tunnel to its port).", flush=True)
        lab.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lab.append("--allow-root")  # JupyterLab refuses to run as root otherwise
    print("+", " ".join(str(c) for c in lab), flush=True)
    return subprocess.run([str(c) for c in lab], cwd=ROOT, env=env).returncode


def run_course_headless(env) -> int:
    """No browser here: run the demo and every chapter, and say where the results are."""
    print("No display found: running the course headless (HTML of every chapter, and a "
          "summary). `python3 dev.py lab --serve` starts JupyterLab instead.", flush=True)
    if (ROOT / "minitorch" / "demo.py").exists():
        code = subprocess.run([str(PYTHON), "-m", "minitorch.demo"], cwd=ROOT, env=env).returncode
        if code:
            return code
    course = [PYTHON, ROOT / "scripts" / "run_course.py"]
    return subprocess.run([str(c) for c in course], cwd=ROOT, env=env).returncode


def main(argv) -> int:
    commands = {"lab": cmd_lab, "test": cmd_test, "run": cmd_run}
    if len(argv) < 1 or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
