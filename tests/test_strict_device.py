"""The strict CuPy stand-in (tests/strict_cupy.py): it keeps CuPy's rules, and a training step
on it copies nothing between host and device that PyTorch would not.

These tests install the stand-in for themselves, so they run in every mode, GPU or not.
"""
import sys

import numpy as np
import pytest
import torch

import minitorch
import strict_cupy
from minitorch import backend


@pytest.fixture
def cupy(monkeypatch):
    """'cuda' backed by the stand-in for one test (as MINITORCH_TEST_DEVICE=strict does for all)."""
    monkeypatch.setitem(sys.modules, "cupy", strict_cupy.cupy)
    backend._cupy_or_reason.cache_clear()
    yield strict_cupy.cupy
    backend._cupy_or_reason.cache_clear()  # (monkeypatch puts the real module back after this)


def _transfers_during(work):
    before = strict_cupy.snapshot()
    strict_cupy.transfer_sites.clear()
    work()
    after = strict_cupy.snapshot()
    return {k: after[k] - before[k] for k in after}, list(strict_cupy.transfer_sites)


# --- the stand-in keeps CuPy's rules ----------------------------------------------------------

def test_no_implicit_conversion_and_no_mixing_with_numpy(cupy):
    a = cupy.asarray(np.arange(6.0).reshape(2, 3))
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.asarray(a)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.ascontiguousarray(a)
    for mix in (lambda: a + np.ones(3), lambda: np.ones(3) * a, lambda: cupy.maximum(a, np.ones(3)),
                lambda: cupy.concatenate([a, np.ones((1, 3))])):
        with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
            mix()
    with pytest.raises(AttributeError):
        a.flags.writeable  # CuPy's flags: c_contiguous, f_contiguous, owndata
    with pytest.raises(AttributeError):
        cupy.errstate  # a NumPy name CuPy does not have
    with pytest.raises(TypeError, match="no implementation found for 'numpy.insert'"):
        np.insert(a, 0, 1.0)


def test_results_stay_on_the_device_and_numpy_functions_dispatch(cupy):
    a = cupy.asarray(np.arange(6.0).reshape(2, 3))
    for result in (a.sum(), a[1, 2], np.exp(a), np.sum(a, axis=0), a.T @ a):
        assert isinstance(result, cupy.ndarray)
    assert a.sum().shape == () and a.device.id == 0 and a.flags.c_contiguous
    assert a.data.ptr == a[0].data.ptr != a[1].data.ptr
    np.testing.assert_array_equal(cupy.asnumpy(np.exp(a)), np.exp(np.arange(6.0).reshape(2, 3)))


def test_copies_to_the_host_are_counted(cupy):
    a = cupy.asarray(np.arange(4.0))
    for copy_back in (a.get, lambda: float(a[0]), lambda: a.sum().item(), lambda: bool(a[1]),
                      lambda: cupy.asnumpy(a), lambda: a[a > 1], lambda: cupy.nonzero(a)):
        counts, _ = _transfers_during(copy_back)
        assert counts == {"to_host": 1, "to_device": 0}
    counts, _ = _transfers_during(lambda: (a * 2 + 1).sum(axis=0))
    assert counts == {"to_host": 0, "to_device": 0}


def test_minitorch_cuda_runs_on_the_stand_in(cupy):
    x = minitorch.arange(6.0).reshape(2, 3).cuda().requires_grad_()
    assert x.device == minitorch.device("cuda:0") and isinstance(x._data, cupy.ndarray)
    (x.exp() * x).sum().backward()
    expected = torch.arange(6.0).reshape(2, 3).requires_grad_()
    (expected.exp() * expected).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), expected.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_sigmoid_and_silu_stay_on_the_device(cupy, dtype):
    """The one sigmoid (float16 computed in float32) keeps its buffer on x's device: PyTorch's
    values, on 'cuda'."""
    values = np.linspace(-12, 12, 25).astype(dtype)
    x = minitorch.tensor(values).cuda()
    for ours, theirs in ((x.sigmoid(), torch.tensor(values).sigmoid()),
                         (minitorch.nn.functional.silu(x), torch.nn.functional.silu(torch.tensor(values)))):
        assert isinstance(ours._data, cupy.ndarray) and ours.dtype == getattr(minitorch, dtype)
        np.testing.assert_allclose(ours.cpu().numpy().astype(np.float64),
                                   theirs.numpy().astype(np.float64), rtol=2e-3, atol=1e-6)


# --- a training step does not wait for the device ---------------------------------------------

def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(10, 32), lib.nn.ReLU(), lib.nn.Linear(32, 4))


def _cnn(lib):
    nn = lib.nn
    # (no conv bias before batch norm: its gradient is rounding noise, which Adam would amplify)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 4))


def _transformer(lib):
    # (dropout 0: masks are drawn on the CPU and copied over, docs/deviations.md; no biases:
    # the key projection's bias gets a gradient of rounding noise, which Adam would amplify)
    nn = lib.nn
    return nn.Sequential(nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True,
                                                    bias=False),
                         nn.Flatten(), nn.Linear(6 * 16, 4))


@pytest.mark.parametrize("build, input_shape", [(_mlp, (16, 10)), (_cnn, (4, 3, 8, 8)),
                                                (_transformer, (4, 6, 16))])
def test_a_training_step_copies_nothing_back_but_the_target_check(cupy, build, input_shape):
    """forward, cross-entropy, backward, gradient clipping and an Adam step on 'cuda': the only
    copy to the host is the class-index range check of the loss (two numbers; PyTorch checks
    on the device instead, docs/deviations.md), and nothing is copied to the device. The
    weights it trains are PyTorch's."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(input_shape).astype(np.float32)
    y = rng.integers(0, 4, input_shape[0])
    torch.manual_seed(0)
    theirs, ours = build(torch), build(minitorch)
    counts, sites = _count_second_step(
        ours, theirs, lambda lib, params: lib.optim.Adam(params, lr=0.01),
        lambda lib, model, x, y: lib.nn.functional.cross_entropy(model(x), y), [x, y])
    assert counts == {"to_host": 1, "to_device": 0}, "\n".join(sites)
    assert "_loss_checks.py" in sites[0]


OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop"]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_steps_on_the_device_without_copies(cupy, name):
    """Each optimizer's update stays on 'cuda' (no copy either way) and gives PyTorch's weights."""
    x = np.random.default_rng(1).standard_normal((6, 5)).astype(np.float32)
    counts, sites = _count_second_step(
        minitorch.nn.Linear(5, 3), torch.nn.Linear(5, 3),
        lambda lib, params: getattr(lib.optim, name)(params, lr=0.05),
        lambda lib, model, x: (model(x) ** 2).mean(), [x])
    assert counts == {"to_host": 0, "to_device": 0}, "\n".join(sites)


def _count_second_step(ours, theirs, make_optimizer, loss_of, arrays):
    """Train ``ours`` on 'cuda' and PyTorch's ``theirs`` on the CPU from the same weights for two
    steps (the first creates the optimizer's state); the copies of our second step, after
    checking that both trained the same weights."""
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    ours.cuda()
    steps = {}
    for lib, model, device in ((minitorch, ours, "cuda"), (torch, theirs, "cpu")):
        optimizer = make_optimizer(lib, model.parameters())
        inputs = [lib.tensor(a, device=device) for a in arrays]

        def step(lib=lib, model=model, optimizer=optimizer, inputs=inputs):
            optimizer.zero_grad()
            loss_of(lib, model, *inputs).backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
        steps[lib] = step
    steps[torch]()
    steps[torch]()
    steps[minitorch]()
    counts, sites = _transfers_during(steps[minitorch])
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().cpu().numpy(), q.detach().numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=name)
    return counts, sites


def test_the_strict_run_covers_every_oracle_test_file():
    """`MINITORCH_TEST_DEVICE=strict python3 dev.py test` (CI's third run) runs a subset: it
    must hold every test file whose minitorch side follows the test device."""
    import dev
    command = [str(part) for part in dev.test_command([], {"MINITORCH_TEST_DEVICE": "strict"})]
    files = command[3:]
    assert "chapters" not in command and "tests/test_strict_device.py" in files
    assert all((dev.ROOT / name).is_file() for name in files)
    for path in sorted((dev.ROOT / "tests").glob("test_*.py")):
        text = path.read_text()
        if "from oracle import" in text or "from module_oracle import" in text:
            assert f"tests/{path.name}" in files, f"{path.name} uses the oracle but not the strict run"
