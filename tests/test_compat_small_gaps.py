"""Small differences real scripts ran into (issue #19): ``where`` with two numbers, formatting
a tensor (``f"{loss}"``), ``pin_memory``, ``from_numpy`` of a read-only array,
``nn.DataParallel`` without importing ``nn.parallel``, and ``random.fork_rng``.
PyTorch is the oracle in each test."""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn as mnn


def outcome(fn):
    """What ``fn()`` gives: ('ok', value) or (exception type name, message)."""
    try:
        return "ok", fn()
    except Exception as error:  # noqa: BLE001 - the oracle decides which are right
        return type(error).__name__, str(error)


def run_fresh(code: str, lib: str):
    """Run ``code`` (which reads the library as ``lib``) in a new interpreter; its last
    printed line, as JSON. Used where the answer depends on what a process did before."""
    result = subprocess.run([sys.executable, "-c", f"import {lib} as lib\n{code}"],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def dtype_name(dtype) -> str:
    return str(dtype).split(".")[1]


# --- where(cond, number, number) ------------------------------------------------------------

def where_operands(lib, kind, rng_values):
    return {"float, float": (1.5, -2.0), "int, float": (1, 2.5), "int, int": (3, -4),
            "bool, int": (True, 2), "bool, bool": (True, False),
            "float64 tensor, float": (lib.tensor(rng_values, dtype=lib.float64), 2.5),
            "int32 tensor, float": (lib.tensor(rng_values.astype(np.int32)), 0.5),
            "float, int16 tensor": (-1.0, lib.tensor(rng_values.astype(np.int16)))}[kind]


@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["float, float", "int, float", "int, int", "bool, int", "bool, bool",
                                  "float64 tensor, float", "int32 tensor, float", "float, int16 tensor"])
def test_where_with_numbers_has_pytorchs_dtype_and_values(kind, default):
    rng = np.random.default_rng(0)
    values, cond = rng.normal(size=(2, 3)) * 5, rng.random((2, 3)) > 0.5
    results = []
    for lib in (minitorch, torch):
        before = lib.get_default_dtype()
        lib.set_default_dtype(getattr(lib, default))
        try:
            results.append(lib.where(lib.tensor(cond), *where_operands(lib, kind, values)))
        finally:
            lib.set_default_dtype(before)
    ours, theirs = results
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_where_with_a_number_keeps_the_gradient_of_the_tensor():
    rng = np.random.default_rng(1)
    values, cond = rng.normal(size=(3, 1)), rng.random((3, 4)) > 0.5
    grads = []
    for lib in (minitorch, torch):
        x = lib.tensor(values, requires_grad=True)
        out = lib.where(lib.tensor(cond), 2.0, x)
        (out * out).sum().backward()
        assert dtype_name(out.dtype) == "float64"
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


# --- format(tensor, spec) -------------------------------------------------------------------

def format_cases(lib):
    rng = np.random.default_rng(2)
    return {"0-d float32": lib.tensor(float(rng.normal() * 100)),
            "0-d float64": lib.tensor(float(rng.normal()), dtype=lib.float64),
            "0-d requiring grad": lib.tensor(float(rng.normal()), requires_grad=True),
            "0-d int64": lib.tensor(int(rng.integers(-1000, 1000))),
            "0-d bool": lib.tensor(True),
            "1-d": lib.tensor(rng.normal(size=3).round(3).tolist()),
            "1 element, 1-d": lib.tensor([1.25]),
            "2-d int": lib.tensor(rng.integers(0, 9, size=(2, 2)).tolist())}


@pytest.mark.parametrize("spec", ["", ".2f", ">10.3f", "d", "+.1e", ".0%", "x", "s"])
@pytest.mark.parametrize("case", list(format_cases(torch)))
def test_format_as_pytorch(case, spec):
    ours = outcome(lambda: format(format_cases(minitorch)[case], spec))
    theirs = outcome(lambda: format(format_cases(torch)[case], spec))
    assert ours == theirs


def test_f_string_of_a_loss_prints_the_number():
    rng = np.random.default_rng(3)
    logits, target = rng.normal(size=(4, 5)).astype(np.float32), rng.integers(0, 5, size=4)
    printed = []
    for lib in (minitorch, torch):
        loss = lib.nn.functional.cross_entropy(lib.tensor(logits, requires_grad=True), lib.tensor(target))
        printed.append((f"{loss}", repr(loss.item())))
    # each prints its Python number, and the numbers agree (float32 sums may differ in the last bit)
    (ours, our_number), (theirs, their_number) = printed
    assert ours == our_number and theirs == their_number
    assert float(ours) == pytest.approx(float(theirs), rel=1e-6)


# --- pin_memory ------------------------------------------------------------------------------

@pytest.mark.skipif(minitorch.cuda.is_available(),
                    reason="with a GPU minitorch pins (copies); the oracle here is a CPU-only PyTorch")
def test_pin_memory_without_a_gpu_raises_as_pytorch_cpu():
    ours = outcome(lambda: minitorch.ones(3).pin_memory())
    theirs = outcome(lambda: torch.ones(3).pin_memory())
    assert ours == theirs and ours[0] == "RuntimeError"


def test_is_pinned_as_pytorch():
    assert minitorch.arange(4).is_pinned() == torch.arange(4).is_pinned()


@pytest.mark.skipif(not minitorch.cuda.is_available(), reason="needs a GPU (CuPy)")
def test_pin_memory_with_a_gpu_copies():
    x = minitorch.arange(4.0)
    pinned = x.pin_memory()
    assert pinned is not x and pinned.tolist() == x.tolist() and pinned.device == x.device
    assert outcome(lambda: x.cuda().pin_memory())[0] == "RuntimeError"


# --- from_numpy of a read-only array ---------------------------------------------------------

READ_ONLY = """
import json, warnings
import numpy as np
array = np.arange(3.0)
array.setflags(write=False)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    first = lib.from_numpy(array)
    second = lib.from_numpy(array)       # PyTorch warns once per process
    lib.from_numpy(np.arange(2.0))       # a writable array: no warning
print(json.dumps({"warnings": [[w.category.__name__, str(w.message)] for w in caught],
                  "values": first.tolist() + second.tolist()}))
"""


def test_from_numpy_of_a_read_only_array_warns_once_as_pytorch():
    ours, theirs = run_fresh(READ_ONLY, "minitorch"), run_fresh(READ_ONLY, "torch")
    assert ours["values"] == theirs["values"]
    assert len(ours["warnings"]) == len(theirs["warnings"]) == 1
    (our_kind, our_text), = ours["warnings"]
    (their_kind, their_text), = theirs["warnings"]
    # PyTorch adds where in its C++ the warning came from: " (Triggered internally at ...)"
    assert our_kind == their_kind and our_text == their_text.split(" (Triggered internally")[0]


# --- nn.DataParallel -------------------------------------------------------------------------

NN_PARALLEL = """
import json
import importlib
nn = importlib.import_module(lib.__name__ + ".nn")
print(json.dumps([hasattr(nn, "DataParallel"), hasattr(nn, "parallel"),
                  getattr(nn, "DataParallel", None) is getattr(getattr(nn, "parallel", None), "DataParallel", 0)]))
"""


def test_data_parallel_is_reachable_from_nn_without_importing_parallel():
    assert run_fresh(NN_PARALLEL, "minitorch") == run_fresh(NN_PARALLEL, "torch") == [True, True, True]


def test_nn_data_parallel_runs_the_module():
    rng = np.random.default_rng(4)
    weight, bias, x = rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=(5, 3))
    outs = []
    for lib in (minitorch, torch):
        layer = lib.nn.Linear(3, 2, dtype=lib.float64)
        layer.load_state_dict({"weight": lib.tensor(weight), "bias": lib.tensor(bias)})
        parallel = lib.nn.DataParallel(layer)
        outs.append((parallel(lib.tensor(x)).detach().numpy(), list(parallel.state_dict())))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-12)
    assert outs[0][1] == outs[1][1]


# --- random.fork_rng -------------------------------------------------------------------------

def fork_rng_behaviour(lib, **options):
    """Does a forked block leave the stream after it unchanged, and does it draw what the
    stream would have drawn?"""
    lib.manual_seed(5)
    plain = [lib.randn(3).tolist(), lib.randn(4).tolist()]
    lib.manual_seed(5)
    with lib.random.fork_rng(**options):
        inside = lib.randn(3).tolist()
    after = lib.randn(3).tolist()
    return {"inside is the stream": inside == plain[0], "after is restored": after == plain[0],
            "after continues": after == plain[1][:3]}


@pytest.mark.parametrize("options", [{}, {"devices": []}, {"enabled": False}, {"device_type": "cuda"}])
def test_fork_rng_as_pytorch(options):
    state = torch.get_rng_state()
    try:
        assert fork_rng_behaviour(minitorch, **options) == fork_rng_behaviour(torch, **options)
    finally:
        torch.set_rng_state(state)


def test_fork_rng_restores_after_an_exception():
    outcomes = []
    for lib in (minitorch, torch):
        lib.manual_seed(6)
        expected = lib.rand(2).tolist()
        lib.manual_seed(6)
        with pytest.raises(KeyError):
            with lib.random.fork_rng():
                lib.rand(7)
                raise KeyError("inside")
        outcomes.append(lib.rand(2).tolist() == expected)
    assert outcomes == [True, True]
