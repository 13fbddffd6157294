"""Top-level names and module paths that real PyTorch scripts and checkpoints use:
constants, legacy tensor types, bfloat16, thread and precision settings, compile, PyTorch's
``torch.nn.modules.*`` paths, and ``torch.utils.tensorboard``. PyTorch is the oracle."""
import importlib
import pickle
import sys
import warnings

import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn as mnn


def raised(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize("name", ["pi", "e", "inf", "nan"])
def test_constants(name):
    ours, theirs = getattr(minitorch, name), getattr(torch, name)
    assert type(ours) is type(theirs) and (ours == theirs or (ours != ours and theirs != theirs))


# --- legacy tensor types --------------------------------------------------------------------

LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
          "CharTensor", "ByteTensor", "BoolTensor"]


@pytest.mark.parametrize("name", LEGACY)
@pytest.mark.parametrize("args", [([1, 0, 2],), ([[1, 2], [3, 4]],), (np.array([1, 1]),), ()])
def test_legacy_type_from_data(name, args):
    ours, theirs = getattr(minitorch, name)(*args), getattr(torch, name)(*args)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("args", [(3,), (2, 3), (0,)])
def test_legacy_type_from_sizes(args):
    assert tuple(minitorch.LongTensor(*args).shape) == tuple(torch.LongTensor(*args).shape)
    assert tuple(minitorch.FloatTensor(minitorch.Size(args)).shape) == tuple(
        torch.FloatTensor(torch.Size(args)).shape)


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_type_isinstance(name):
    for dtype in ["float32", "float64", "int64", "int32", "uint8", "bool"]:
        for lib in (minitorch, torch):
            x = lib.zeros(2, dtype=getattr(lib, dtype))
            assert isinstance(x, getattr(minitorch if lib is minitorch else torch, name)) == (
                isinstance(torch.zeros(2, dtype=getattr(torch, dtype)), getattr(torch, name)))
    assert not isinstance([1.0], getattr(minitorch, name))


def test_legacy_type_from_a_tensor_of_its_dtype_is_that_tensor():
    x = minitorch.tensor([1.0, 2.0])
    assert minitorch.FloatTensor(x) is x
    assert torch.FloatTensor(torch.tensor([1.0])).dtype == torch.float32


@pytest.mark.parametrize("call", [lambda lib: lib.FloatTensor("abc"),
                                  lambda lib: lib.FloatTensor(lib.tensor([1, 2]))])
def test_legacy_type_bad_input_raises_as_pytorch(call):
    assert raised(lambda: call(minitorch))[0] == raised(lambda: call(torch))[0]


# --- bfloat16: a name that exists, and a clear error when used --------------------------------

def test_bfloat16_is_a_dtype_like_pytorchs():
    assert isinstance(minitorch.bfloat16, minitorch.dtype) and isinstance(torch.bfloat16, torch.dtype)
    assert minitorch.bfloat16.is_floating_point == torch.bfloat16.is_floating_point
    assert minitorch.bfloat16.itemsize == torch.bfloat16.itemsize
    assert repr(minitorch.bfloat16) == "minitorch.bfloat16"
    # nanoGPT's table of dtypes
    table = {"float32": minitorch.float32, "bfloat16": minitorch.bfloat16}
    assert table["bfloat16"] is minitorch.bfloat16 is not minitorch.float16


@pytest.mark.parametrize("use", [
    lambda: minitorch.zeros(2, dtype=minitorch.bfloat16),
    lambda: minitorch.tensor([1.0], dtype=minitorch.bfloat16),
    lambda: minitorch.ones(2).to(minitorch.bfloat16),
    lambda: mnn.Linear(2, 2).to(minitorch.bfloat16),
    lambda: minitorch.randn(2, dtype=minitorch.bfloat16),
])
def test_bfloat16_use_raises_clearly(use):
    kind, message = raised(use)
    assert kind == "NotImplementedError" and "bfloat16" in message


@pytest.mark.parametrize("call", [lambda lib: lib.cuda.is_bf16_supported(),
                                  lambda lib: lib.cuda.is_bf16_supported(including_emulation=False)])
def test_is_bf16_supported(call):
    assert call(minitorch) is call(torch) is False


# --- settings scripts make at start ---------------------------------------------------------

def test_num_threads():
    before = minitorch.get_num_threads()
    assert isinstance(before, int) and before >= 1
    try:
        minitorch.set_num_threads(1)
        assert minitorch.get_num_threads() == 1
    finally:
        minitorch.set_num_threads(before)


@pytest.mark.parametrize("bad", [0, -2])
def test_num_threads_bad_input_as_pytorch(bad):
    assert raised(lambda: minitorch.set_num_threads(bad)) == raised(lambda: torch.set_num_threads(bad))


def test_float32_matmul_precision_as_pytorch():
    before = (minitorch.get_float32_matmul_precision(), torch.get_float32_matmul_precision())
    assert before[0] == before[1] == "highest"
    try:
        for precision in ["high", "medium", "bogus"]:
            with warnings.catch_warnings(record=True) as ours:
                warnings.simplefilter("always")
                minitorch.set_float32_matmul_precision(precision)
            with warnings.catch_warnings(record=True) as theirs:
                warnings.simplefilter("always")
                torch.set_float32_matmul_precision(precision)
            assert minitorch.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
            assert [w.category for w in ours] == [w.category for w in theirs]
    finally:
        minitorch.set_float32_matmul_precision(before[0])
        torch.set_float32_matmul_precision(before[1])


@pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated")  # torch.compile's
def test_compile_is_eager_and_returns_its_argument():
    model = mnn.Linear(2, 2)
    assert minitorch.compile(model) is model  # deviation: PyTorch wraps it in OptimizedModule

    def f(x):
        return x * 2
    assert minitorch.compile(f).__wrapped__ is f  # traced and replayed: tests/test_compile.py
    assert minitorch.compile(mode="max-autotune")(f).__wrapped__ is f
    assert raised(lambda: minitorch.compile(3)) == raised(lambda: torch.compile(3))


# --- PyTorch's module paths -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["nn.modules.activation.MultiheadAttention",
                                  "nn.modules.linear.NonDynamicallyQuantizableLinear",
                                  "nn.modules.batchnorm.BatchNorm1d",
                                  "nn.modules.batchnorm.BatchNorm2d",
                                  "nn.modules.linear.Linear", "nn.modules.module.Module",
                                  "nn.modules.container.Sequential"])
def test_pytorch_module_paths(path):
    module, name = path.rsplit(".", 1)
    assert getattr(importlib.import_module(f"torch.{module}"), name).__name__ == name
    ours = getattr(importlib.import_module(f"minitorch.{module}"), name)
    assert ours.__name__ == name


def test_every_pytorch_module_path_of_a_layer_minitorch_has():
    # Generated from PyTorch: each layer class defined in torch/nn/modules/<file>.py that
    # minitorch.nn also has must be reachable as minitorch.nn.modules.<file>.<name>.
    import pkgutil
    import torch.nn.modules
    missing = []
    for info in pkgutil.iter_modules(torch.nn.modules.__path__):
        theirs = importlib.import_module(f"torch.nn.modules.{info.name}")
        for name, obj in vars(theirs).items():
            if isinstance(obj, type) and obj.__module__ == theirs.__name__ and hasattr(mnn, name):
                try:
                    ours = importlib.import_module(f"minitorch.nn.modules.{info.name}")
                except ImportError:
                    ours = None
                if getattr(ours, name, None) is not getattr(mnn, name):
                    missing.append(f"{info.name}.{name}")
    assert missing == []


def test_multihead_attention_out_proj_class_path():
    ours = mnn.MultiheadAttention(4, 2).out_proj
    theirs = torch.nn.MultiheadAttention(4, 2).out_proj
    assert type(ours).__name__ == type(theirs).__name__
    assert type(ours).__module__.replace("minitorch", "torch") == type(theirs).__module__


# --- torch.utils.tensorboard --------------------------------------------------------------------

def test_tensorboard_without_a_writer_raises_module_not_found(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "minitorch.utils.tensorboard", raising=False)
    monkeypatch.delitem(sys.modules, "minitorch.utils.tensorboard.writer", raising=False)
    with pytest.raises(ModuleNotFoundError, match="tensorboardX"):
        importlib.import_module("minitorch.utils.tensorboard")


def test_tensorboard_summary_writer_logs_tensors(tmp_path):
    pytest.importorskip("tensorboardX", reason="the optional 'tensorboard' extra is not installed")
    from minitorch.utils.tensorboard import SummaryWriter
    writer = SummaryWriter(log_dir=str(tmp_path))
    writer.add_scalar("Loss/train", minitorch.tensor(2.5), 0)  # a 0-d tensor, as makemore logs
    writer.add_scalar("Loss/test", 1.25, 0)
    writer.add_scalars("both", {"a": minitorch.tensor(1.0), "b": 2.0}, 1)
    writer.add_histogram("weights", minitorch.randn(100), 0)
    writer.close()
    events = b"".join(p.read_bytes() for p in tmp_path.rglob("events.out.tfevents.*"))
    assert b"Loss/train" in events and b"Loss/test" in events and b"weights" in events



# --- numeric limits, version, determinism ---------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", float])
def test_finfo_as_pytorch(dtype):
    ours = minitorch.finfo(getattr(minitorch, dtype) if isinstance(dtype, str) else dtype)
    theirs = torch.finfo(getattr(torch, dtype) if isinstance(dtype, str) else dtype)
    for field in ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"]:
        assert getattr(ours, field) == getattr(theirs, field), field
    assert repr(ours) == repr(theirs)


def test_finfo_default_is_the_default_dtype():
    assert minitorch.finfo().eps == torch.finfo().eps == torch.finfo(torch.float32).eps
    assert raised(lambda: minitorch.finfo(None))[0] == raised(lambda: torch.finfo(None))[0]


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_iinfo_as_pytorch(dtype):
    ours, theirs = minitorch.iinfo(getattr(minitorch, dtype)), torch.iinfo(getattr(torch, dtype))
    assert (ours.bits, ours.max, ours.min, ours.dtype) == (theirs.bits, theirs.max, theirs.min,
                                                           theirs.dtype)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("call", [lambda lib: lib.finfo(lib.int64), lambda lib: lib.iinfo(lib.float32),
                                  lambda lib: lib.iinfo(lib.bool), lambda lib: lib.finfo("float32")])
def test_type_info_bad_input_as_pytorch(call):
    (our_kind, ours), (their_kind, theirs) = raised(lambda: call(minitorch)), raised(lambda: call(torch))
    assert our_kind == their_kind and ours.replace("minitorch", "torch") == theirs


def test_newaxis_and_version():
    assert minitorch.newaxis is torch.newaxis is None
    assert minitorch.version.cuda is torch.version.cuda is None  # CPU-only build
    assert minitorch.version.hip is torch.version.hip is None
    assert minitorch.version.__version__ == minitorch.__version__


def test_deterministic_algorithms_as_pytorch():
    steps = [lambda lib: lib.use_deterministic_algorithms(True),
             lambda lib: lib.use_deterministic_algorithms(True, warn_only=True),
             lambda lib: lib.use_deterministic_algorithms(False)]
    try:
        for step in steps:
            for lib in (minitorch, torch):
                step(lib)
            for query in ["are_deterministic_algorithms_enabled", "get_deterministic_debug_mode",
                          "is_deterministic_algorithms_warn_only_enabled"]:
                assert getattr(minitorch, query)() == getattr(torch, query)(), query
    finally:
        minitorch.use_deterministic_algorithms(False)
        torch.use_deterministic_algorithms(False)
    assert raised(lambda: minitorch.use_deterministic_algorithms(1)) == raised(
        lambda: torch.use_deterministic_algorithms(1))


@pytest.mark.parametrize("mode", ["warn", 1, "error", 2, "default", 0])
def test_deterministic_debug_mode_as_pytorch(mode):
    try:
        minitorch.set_deterministic_debug_mode(mode)
        torch.set_deterministic_debug_mode(mode)
        for query in ["are_deterministic_algorithms_enabled", "get_deterministic_debug_mode",
                      "is_deterministic_algorithms_warn_only_enabled"]:
            assert getattr(minitorch, query)() == getattr(torch, query)(), query
    finally:
        minitorch.set_deterministic_debug_mode(0)
        torch.set_deterministic_debug_mode(0)


@pytest.mark.parametrize("mode", [5, "loud"])
def test_deterministic_debug_mode_bad_input_as_pytorch(mode):
    assert raised(lambda: minitorch.set_deterministic_debug_mode(mode)) == raised(
        lambda: torch.set_deterministic_debug_mode(mode))


def test_bfloat16_legacy_type_exists_and_raises_when_used():
    assert not isinstance(minitorch.zeros(1), minitorch.BFloat16Tensor)
    assert raised(lambda: minitorch.BFloat16Tensor([1.0]))[0] == "NotImplementedError"


def test_top_level_grad_scaler_is_amps():
    assert torch.GradScaler is torch.amp.GradScaler
    assert minitorch.GradScaler is minitorch.amp.GradScaler
