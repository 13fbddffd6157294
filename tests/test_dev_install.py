"""dev.py installs PyTorch's CPU build where no NVIDIA GPU can use the CUDA one (issue 25).

The dry runs ask pip what it would install (``--dry-run --report``) and look for the CUDA
wheels (nvidia-*, triton) that PyPI's Linux torch depends on."""
import importlib.metadata
import json
import os
import socket
import subprocess
import sys

import pytest

import dev

CUDA_WHEEL_PREFIXES = ("nvidia-", "nvidia_", "triton", "cuda-")


def cuda_wheels(names):
    return sorted(n for n in names if n.lower().startswith(CUDA_WHEEL_PREFIXES))


def dry_run(step, tmp_path, *extra_args, env=None) -> list:
    """What pip would install for one of dev.py's steps, run with this interpreter."""
    report = tmp_path / "report.json"
    cmd = [sys.executable, *map(str, step[1:4]), "--dry-run", "--quiet", "--report",
           str(report), *extra_args, *map(str, step[4:])]
    subprocess.run(cmd, cwd=dev.ROOT, check=True, env=env, capture_output=True)
    return [(i["metadata"]["name"], i["metadata"]["version"])
            for i in json.loads(report.read_text())["install"]]


def test_without_gpu_torch_alone_comes_from_the_cpu_index(monkeypatch):
    monkeypatch.setattr(dev, "has_nvidia_gpu", lambda: False)
    monkeypatch.setattr(dev.sys, "platform", "linux")
    assert dev.wants_cpu_torch()
    torch_step, extras_step = dev.pip_install_steps("dev", dev.wants_cpu_torch())
    assert torch_step[-3:] == ["--extra-index-url", dev.TORCH_CPU_INDEX, "torch==2.13.0"]
    assert dev.TORCH_CPU_INDEX not in extras_step and extras_step[-2:] == ["-e", ".[dev]"]


def test_with_gpu_everything_comes_from_the_default_index(monkeypatch):
    monkeypatch.setattr(dev, "has_nvidia_gpu", lambda: True)
    monkeypatch.setattr(dev.sys, "platform", "linux")
    assert not dev.wants_cpu_torch()
    (only_step,) = dev.pip_install_steps("lab", dev.wants_cpu_torch())
    assert dev.TORCH_CPU_INDEX not in only_step and only_step[-2:] == ["-e", ".[lab]"]


def cpu_index_reachable() -> bool:
    try:
        socket.create_connection(("download.pytorch.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not cpu_index_reachable(), reason="download.pytorch.org is not reachable "
                    "from here (the test needs PyTorch's CPU index itself)")
def test_cpu_torch_step_would_install_no_cuda_wheels(tmp_path):
    step, _ = dev.pip_install_steps("dev", cpu_torch=True)
    # --isolated and no config file: a local wheel cache must not stand in for the index.
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    env = {k: v for k, v in env.items() if k not in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL")}
    installed = dry_run(step, tmp_path, "--isolated", "--ignore-installed", env=env)
    assert dict(installed)["torch"].endswith("+cpu")
    assert cuda_wheels(name for name, _ in installed) == []


@pytest.mark.skipif(not importlib.metadata.version("torch").endswith("+cpu"),
                    reason="needs an environment whose torch is the CPU build, as dev.py "
                    "leaves it after its first step on a machine without a GPU")
def test_extras_step_after_cpu_torch_would_install_no_cuda_wheels(tmp_path):
    _, step = dev.pip_install_steps("dev", cpu_torch=True)
    installed = dry_run(step, tmp_path)
    names = [name for name, _ in installed]
    assert "torch" not in names  # the CPU build already satisfies the pin
    assert cuda_wheels(names) == []
