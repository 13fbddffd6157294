"""Kernels in C for what NumPy cannot do fast: a loop that needs one pass over its numbers
where NumPy would make one call per operation (an LSTM step: ~12 calls on a few thousand
numbers each, every call a pass through memory and ~1-2 us of Python).

Each kernel is a C file in this folder, compiled on first use by the machine's C compiler
(``cc``, as torch.compile's CPU backend compiles the C++ it writes) with Python's headers into
a shared library in a cache folder, then loaded with ctypes.PyDLL (its functions take NumPy
arrays and hold the GIL). Nothing here is needed: with no compiler, no glibc
vector math (libmvec), a failed build, or ``MINITORCH_NATIVE=0``, ``load`` returns None and
the caller runs its NumPy code; ``unavailable[name]`` says why. The cache folder is
``$MINITORCH_CACHE``, else ``$XDG_CACHE_HOME/minitorch``, else ``~/.cache/minitorch``; a
library's name holds a hash of its source, the flags and the compiler, so an edit, another
compiler, another Python or another CPU builds a new one.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# -ffp-contract=off: every product and sum rounded on its own, as NumPy's calls round them
# (a fused multiply-add would round once); -fno-math-errno lets expf and tanhf be vectorized
# (they set no errno); -fopenmp-simd reads the loops' `omp simd` (no OpenMP runtime).
FLAGS = ["-O3", "-fPIC", "-shared", "-fopenmp-simd", "-fno-math-errno", "-ffp-contract=off"]
LIBRARIES = ["-lmvec", "-lm"]

unavailable: dict = {}   # kernel name -> why it is not loaded
_loaded: dict = {}


def _cpu_flags() -> list:
    """AVX2 and FMA where this CPU has them (8 numbers a vector instead of 4)."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines()
                  if line.startswith("flags")), [])
    return ["-mavx2", "-mfma"] if {"avx2", "fma"} <= set(flags) else []


def cache_folder() -> Path:
    explicit = os.environ.get("MINITORCH_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "minitorch"


def _compiler_version(compiler: str) -> str:
    done = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=30)
    return done.stdout


def _build(name: str) -> Path:
    """The shared library of ``name``.c, compiled unless the cache has it (raises on failure)."""
    named = os.environ.get("CC", "cc")
    compiler = shutil.which(named)
    if compiler is None:
        raise RuntimeError(f"no C compiler ({named}) on PATH")
    source = (HERE / f"{name}.c").read_bytes()
    flags = FLAGS + _cpu_flags() + ["-I" + sysconfig.get_paths()["include"]]
    key = hashlib.sha256(b"\0".join([source, " ".join(flags + LIBRARIES).encode(),
                                     _compiler_version(compiler).encode(), sys.version.encode(),
                                     platform.machine().encode()])).hexdigest()[:16]
    folder = cache_folder() / "native"
    library = folder / f"{name}-{key}.so"
    if library.exists():
        return library
    folder.mkdir(parents=True, exist_ok=True)  # (OSError where it cannot be written: the
    # NumPy code runs; never a shared temporary folder, where another user could put a library)
    # built under a temporary name, then renamed: processes that build at once (pytest's
    # workers) each rename a whole library, never load a half-written one
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        built = Path(scratch) / library.name
        done = subprocess.run([compiler, *flags, str(HERE / f"{name}.c"), "-o", str(built),
                               *LIBRARIES], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(compiler).name} failed: {done.stderr.strip()[-500:]}")
        os.replace(built, library)
    return library


def load(name: str):
    """The ctypes library of kernel ``name`` (built on first use), or None (see ``unavailable``)."""
    if name in _loaded:
        return _loaded[name]
    library = None
    if os.environ.get("MINITORCH_NATIVE", "1") == "0":
        unavailable[name] = "MINITORCH_NATIVE=0"
    elif not sys.platform.startswith("linux"):
        unavailable[name] = f"built only on Linux (glibc's libmvec), not {sys.platform}"
    else:
        try:
            library = ctypes.PyDLL(str(_build(name)))
        except (OSError, RuntimeError, subprocess.SubprocessError) as error:
            unavailable[name] = str(error)
    _loaded[name] = library
    return library
