"""minitorch raises glibc's malloc thresholds on import (see minitorch/_malloc.py), and
leaves malloc alone when asked to or when the user set the thresholds already."""
import os
import platform
import subprocess
import sys

import pytest

CODE = "import minitorch; print(minitorch._malloc.tuned)"


def _tuned(**env) -> str:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("MINITORCH_MALLOC_TUNING", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    result = subprocess.run([sys.executable, "-c", CODE], env={**clean, **env},
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's: other C libraries are left alone")
def test_thresholds_are_raised_on_linux():
    assert _tuned() == "True"


def test_opting_out_leaves_malloc_alone():
    assert _tuned(MINITORCH_MALLOC_TUNING="0") == "False"


def test_a_threshold_set_by_the_user_is_respected():
    assert _tuned(MALLOC_TRIM_THRESHOLD_="131072") == "False"
