"""Device plumbing: device objects, moving tensors, errors, defaults. Runs on every machine;
the tests that need a GPU skip with that reason when none is present."""
import numpy as np
import pytest

import minitorch
from minitorch import backend

needs_gpu = pytest.mark.skipif(not minitorch.cuda.is_available(),
                               reason="needs an NVIDIA GPU with CuPy (none on this machine)")


def test_device_objects_parse_like_torch():
    assert str(minitorch.device("cpu")) == "cpu"
    d = minitorch.device("cuda:1")
    assert (d.type, d.index) == ("cuda", 1)
    assert repr(d) == "device(type='cuda', index=1)"
    assert minitorch.device("cuda", 0) == minitorch.device("cuda:0")
    assert minitorch.device("cpu") == "cpu"
    assert hash(minitorch.device("cuda:0")) == hash(minitorch.device("cuda", 0))
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        minitorch.device("tpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        minitorch.device("cuda:x")


def test_cpu_tensors_report_cpu_and_to_cpu_is_identity():
    t = minitorch.ones(2)
    assert t.device == minitorch.device("cpu") and not t.is_cuda
    assert t.to("cpu") is t and t.cpu() is t


@pytest.mark.skipif(minitorch.cuda.is_available(), reason="checks the no-GPU error path")
def test_cuda_without_gpu_gives_a_clear_runtime_error():
    assert minitorch.cuda.device_count() == 0
    for make in (lambda: minitorch.zeros(2, device="cuda"), lambda: minitorch.ones(2).cuda(),
                 lambda: minitorch.tensor([1.0], device="cuda:0"), lambda: minitorch.ones(2).to("cuda")):
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            make()


def test_cupy_is_not_imported_by_cpu_work():
    import subprocess
    import sys
    code = ("import sys, minitorch; x = minitorch.randn(3, requires_grad=True); (x * 2).sum().backward(); "
            "print('cupy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_default_device_round_trip():
    assert minitorch.get_default_device() == minitorch.device("cpu")
    minitorch.set_default_device("cpu")
    try:
        assert minitorch.zeros(1).device.type == "cpu"
    finally:
        minitorch.set_default_device(None)


def test_backend_namespace_is_numpy_on_cpu():
    assert backend.namespace(np.zeros(1)) is np
    assert backend.namespace_for(minitorch.device("cpu")) is np


@needs_gpu
def test_round_trip_to_gpu_keeps_values_and_gradients():
    x = minitorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x.cuda() * 2).cpu().sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0, 2.0])
    assert minitorch.ones(2, device="cuda").device == minitorch.device("cuda:0")


@needs_gpu
def test_mixing_devices_raises_like_torch():
    a = minitorch.ones(2)
    b = minitorch.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        a + b
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        a @ b


@needs_gpu
def test_cuda_memory_statistics():
    minitorch.cuda.empty_cache()
    minitorch.cuda.reset_peak_memory_stats()
    before = minitorch.cuda.memory_allocated()
    t = minitorch.zeros(1024, 1024, device="cuda")
    assert minitorch.cuda.memory_allocated() >= before + 4 * 1024 * 1024
    assert minitorch.cuda.max_memory_allocated() >= minitorch.cuda.memory_allocated()
    del t
    minitorch.cuda.synchronize()
