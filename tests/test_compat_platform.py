"""The platform modules real training scripts import at the top (torch.distributed,
torch.nn.parallel, torch.backends, torch.accelerator, torch.amp, torch.cuda.amp): on a machine
without a GPU they answer what PyTorch's CPU-only build answers, or raise PyTorch's error.

Where minitorch honestly differs (no distributed backend, no mixed precision) the test says
so and checks for a clear error instead of a silent fake.
"""
import importlib
import warnings

import pytest
import torch
import torch.nn as tnn

import minitorch
import minitorch.nn as mnn
from minitorch import backend

needs_no_gpu = pytest.mark.skipif(backend.cuda_available(),
                                  reason="compares with PyTorch's CPU-only answers; this machine has a GPU")


def raised(fn):
    """(exception type name, message) of what ``fn()`` raises."""
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__name__, str(info.value)


def warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category.__name__, str(w.message)) for w in caught]


@pytest.mark.parametrize("path", ["distributed", "nn.parallel", "backends", "backends.cuda",
                                  "backends.cudnn", "backends.mps", "accelerator", "amp",
                                  "cuda.amp", "utils.data"])
def test_module_paths_import(path):
    importlib.import_module(f"torch.{path}")
    importlib.import_module(f"minitorch.{path}")


# --- torch.distributed: minitorch has no backend, and says so ---------------------------------

def test_distributed_is_not_available_and_init_raises_clearly():
    assert minitorch.distributed.is_available() is False  # PyTorch's CPU build has gloo: True
    assert minitorch.distributed.is_initialized() is torch.distributed.is_initialized() is False
    kind, message = raised(lambda: minitorch.distributed.init_process_group(backend="gloo"))
    assert kind == "RuntimeError" and "gloo" in message and "is_available() is False" in message


@pytest.mark.parametrize("call", [
    lambda lib: lib.distributed.get_rank(),
    lambda lib: lib.distributed.get_world_size(),
    lambda lib: lib.distributed.barrier(),
    lambda lib: lib.distributed.all_reduce(lib.ones(2)),
    lambda lib: lib.distributed.destroy_process_group(),
    lambda lib: lib.nn.parallel.DistributedDataParallel(lib.nn.Linear(2, 2)),
])
def test_without_process_group_pytorchs_error(call):
    importlib.import_module("torch.nn.parallel")
    importlib.import_module("minitorch.nn.parallel")
    assert raised(lambda: call(minitorch)) == raised(lambda: call(torch))


def test_nanogpt_imports():
    from minitorch.distributed import destroy_process_group, init_process_group  # noqa: F401
    from minitorch.nn.parallel import DistributedDataParallel  # noqa: F401


def test_data_parallel_without_gpus_is_the_module_behind_a_prefix():
    from minitorch.nn.parallel import DataParallel
    linear = mnn.Linear(2, 3)
    reference = tnn.DataParallel(tnn.Linear(2, 3))
    wrapped = DataParallel(linear)
    assert list(wrapped.state_dict()) == list(reference.state_dict())
    assert wrapped.device_ids == reference.device_ids
    x = minitorch.randn(4, 2)
    assert wrapped(x).tolist() == linear(x).tolist()


# --- torch.backends, torch.accelerator --------------------------------------------------------

BACKEND_ANSWERS = [
    lambda lib: lib.backends.cuda.matmul.allow_tf32,
    lambda lib: lib.backends.cuda.matmul.allow_fp16_reduced_precision_reduction,
    lambda lib: lib.backends.cudnn.allow_tf32,
    lambda lib: lib.backends.cudnn.enabled,
    lambda lib: lib.backends.cudnn.benchmark,
    lambda lib: lib.backends.cudnn.deterministic,
    lambda lib: lib.backends.cudnn.is_available(),
    lambda lib: lib.backends.cudnn.version(),
    lambda lib: lib.backends.mps.is_available(),
    lambda lib: lib.backends.mps.is_built(),
    lambda lib: lib.backends.cuda.is_built(),
    lambda lib: type(lib.backends.cpu.get_cpu_capability()),  # PyTorch names its kernels' ISA
]


@needs_no_gpu
@pytest.mark.parametrize("answer", BACKEND_ANSWERS)
def test_backend_flags_and_queries_as_pytorch_cpu(answer):
    assert answer(minitorch) == answer(torch)


def test_backend_flags_keep_what_a_script_sets():
    flags = minitorch.backends.cuda.matmul
    before = flags.allow_tf32
    try:
        flags.allow_tf32 = True  # nanoGPT's first lines
        minitorch.backends.cudnn.allow_tf32 = True
        assert minitorch.backends.cuda.matmul.allow_tf32 is True
    finally:
        flags.allow_tf32 = before


@needs_no_gpu
@pytest.mark.parametrize("call", [
    lambda lib: lib.accelerator.is_available(),
    lambda lib: lib.accelerator.device_count(),
    lambda lib: lib.accelerator.current_accelerator(),
])
def test_accelerator_answers_as_pytorch_cpu(call):
    assert call(minitorch) == call(torch)


@needs_no_gpu
@pytest.mark.parametrize("call", [lambda lib: lib.accelerator.current_device_index(),
                                  lambda lib: lib.accelerator.synchronize()])
def test_accelerator_without_one_raises_as_pytorch(call):
    assert raised(lambda: call(minitorch)) == raised(lambda: call(torch))


# --- torch.amp / torch.cuda.amp -----------------------------------------------------------------

@needs_no_gpu
@pytest.mark.parametrize("make", [
    lambda lib: lib.amp.GradScaler(enabled=False),
    lambda lib: lib.amp.GradScaler("cuda"),  # no GPU: PyTorch warns and disables it
    lambda lib: lib.amp.GradScaler(),
    lambda lib: lib.cuda.amp.GradScaler(enabled=False),
    lambda lib: lib.cuda.amp.GradScaler(),  # nanoGPT with dtype='float16' on a CPU
])
def test_grad_scaler_disabled_is_pytorchs_pass_through(make):
    ours, our_warnings = warnings_of(lambda: make(minitorch))
    theirs, their_warnings = warnings_of(lambda: make(torch))
    assert our_warnings == their_warnings
    assert ours.is_enabled() is theirs.is_enabled() is False
    assert ours.get_scale() == theirs.get_scale()
    assert ours.state_dict() == theirs.state_dict()
    for lib, scaler in ((minitorch, ours), (torch, theirs)):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        optimizer = lib.optim.SGD([w], lr=0.5)
        loss = (w * w).sum()
        assert scaler.scale(loss) is loss
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        assert scaler.step(optimizer) is None
        scaler.update()
        assert w.tolist() == [0.0, 0.0]


def test_grad_scaler_that_would_scale_raises():
    # PyTorch scales losses on the CPU (GradScaler('cpu') is enabled); minitorch does not.
    assert torch.amp.GradScaler("cpu").is_enabled()
    kind, message = raised(lambda: minitorch.amp.GradScaler("cpu"))
    assert kind == "NotImplementedError" and "enabled=False" in message


@needs_no_gpu
@pytest.mark.parametrize("make", [
    lambda lib: lib.amp.autocast("cpu", enabled=False),
    lambda lib: lib.autocast(device_type="cpu", dtype=lib.bfloat16, enabled=False),
    lambda lib: lib.amp.autocast("cuda"),  # no GPU: PyTorch warns and disables it
    lambda lib: lib.amp.autocast(device_type="cuda", dtype=lib.float16),
    lambda lib: lib.cuda.amp.autocast(),
])
def test_autocast_where_pytorch_disables_it_is_a_pass_through(make):
    ours, our_warnings = warnings_of(lambda: make(minitorch))
    theirs, their_warnings = warnings_of(lambda: make(torch))
    assert our_warnings == their_warnings
    for lib, context in ((minitorch, ours), (torch, theirs)):
        with context:
            assert lib.is_autocast_enabled() is False
            y = lib.ones(2, 2) @ lib.ones(2, 2)
        assert y.dtype == lib.float32

    @ours
    def decorated(x):
        return x + 1
    assert decorated(minitorch.ones(1)).tolist() == [2.0]


def test_autocast_that_would_lower_precision_raises():
    # PyTorch would run matmuls in bfloat16 here; minitorch refuses instead of faking it.
    with torch.autocast("cpu"):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    kind, message = raised(lambda: minitorch.autocast("cpu"))
    assert kind == "NotImplementedError" and "enabled=False" in message


@pytest.mark.parametrize("call", [lambda lib: lib.amp.autocast("cpux"),
                                  lambda lib: lib.amp.autocast()])
def test_autocast_bad_arguments_as_pytorch(call):
    ours, theirs = raised(lambda: call(minitorch)), raised(lambda: call(torch))
    assert ours[0] == theirs[0]
    assert ours[1].split(" ")[-1] == theirs[1].split(" ")[-1]
