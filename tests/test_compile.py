"""minitorch.compile: a replayed training step gives the eager step's bits and PyTorch's numbers.

Each test builds the same model twice (same seed), runs one copy eagerly and one through
``minitorch.compile`` on the same batches, and compares everything a step leaves behind
(loss, parameters, gradients, optimizer state, buffers) bit for bit; the PyTorch twin, built
from the same seed (minitorch draws PyTorch's random streams), gives the expected numbers.
"""
from __future__ import annotations

import gc
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.compiler import CompiledFunction
from minitorch.compiler.traced import Traced

STEPS = 7  # call 1 eager, calls 2-3 traced (and compared), calls 4-7 replayed


def _mlp(lib, dropout=0.0):
    return lib.nn.Sequential(lib.nn.Linear(6, 16), lib.nn.Tanh(), lib.nn.Dropout(dropout),
                             lib.nn.Linear(16, 4))


def _cnn(lib):
    # (no bias before BatchNorm: its gradient is rounding noise, which Adam scales up to steps)
    return lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3, padding=1, bias=False), lib.nn.BatchNorm2d(4),
                             lib.nn.ReLU(), lib.nn.MaxPool2d(2), lib.nn.Flatten(),
                             lib.nn.Linear(4 * 3 * 3, 4))


class _Tokens:
    """An embedding, a transformer encoder layer and an LSTM, on token ids."""

    def __init__(self, lib):
        nn = lib.nn
        self.modules = nn.ModuleDict({
            "embed": nn.Embedding(11, 8),
            "encoder": nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True),
            "lstm": nn.LSTM(8, 8, batch_first=True),
            "head": nn.Linear(8, 11)})

    def __call__(self, ids):
        m = self.modules
        out, _ = m["lstm"](m["encoder"](m["embed"](ids)))
        return m["head"](out).reshape(-1, 11)


MODELS = {
    "mlp": (_mlp, lambda g: g.standard_normal((8, 6)), lambda g: g.integers(0, 4, 8)),
    "cnn": (_cnn, lambda g: g.standard_normal((5, 1, 6, 6)), lambda g: g.integers(0, 4, 5)),
    "tokens": (_Tokens, lambda g: g.integers(0, 11, (3, 5)), lambda g: g.integers(-1, 11, 15)),
}
OPTIMIZERS = {
    "sgd": lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda lib, p: lib.optim.Adam(p, lr=0.01),
    "adamw": lambda lib, p: lib.optim.AdamW(p, lr=0.01, weight_decay=0.1, amsgrad=True),
    "rmsprop": lambda lib, p: lib.optim.RMSprop(p, lr=0.01, momentum=0.5),
}


def _parameters(model):
    return list(model.modules.parameters() if isinstance(model, _Tokens) else model.parameters())


def _build(lib, model_name, optimizer_name):
    lib.manual_seed(0)
    model = MODELS[model_name][0](lib)
    optimizer = OPTIMIZERS[optimizer_name](lib, _parameters(model))
    return model, optimizer, _step(model, optimizer, lib.nn.CrossEntropyLoss(ignore_index=-1))


def _step(model, optimizer, loss_fn):
    """One training step: zero_grad, the loss, backward, the optimizer's step."""
    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.detach()
    return step


def _batches(model_name, count=STEPS):
    g = np.random.default_rng(1)
    make_x, make_y = MODELS[model_name][1:]
    for _ in range(count):
        x = make_x(g)
        yield (x.astype(np.float32) if x.dtype.kind == "f" else x), make_y(g)


def _everything(model, optimizer) -> list:
    """Every array a training step leaves behind, in a fixed order."""
    arrays = []
    modules = model.modules if isinstance(model, _Tokens) else model
    for p in _parameters(model):
        arrays += [p.detach().numpy(), None if p.grad is None else p.grad.numpy()]
    arrays += [b.numpy() for b in modules.buffers()]
    for state in optimizer.state.values():
        arrays += [v.numpy() for _, v in sorted(state.items()) if isinstance(v, minitorch.Tensor)]
    return arrays


def _assert_same_bits(eager: list, compiled: list, where: str) -> None:
    assert len(eager) == len(compiled), where
    for i, (a, b) in enumerate(zip(eager, compiled)):
        if a is None or b is None:
            assert a is None and b is None, f"{where}: array {i} is None on one side only"
            continue
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: array {i}"
        assert a.tobytes() == b.tobytes(), f"{where}: array {i} differs (max |diff| " \
                                           f"{np.max(np.abs(a.astype(float) - b.astype(float)))})"


@pytest.mark.parametrize("optimizer_name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("model_name", sorted(MODELS))
def test_replay_gives_the_eager_bits_and_pytorchs_numbers(model_name, optimizer_name):
    eager_model, eager_optimizer, eager_step = _build(minitorch, model_name, optimizer_name)
    model, optimizer, step = _build(minitorch, model_name, optimizer_name)
    torch_model, _, torch_step = _build(torch, model_name, optimizer_name)
    compiled = minitorch.compile(step)
    assert isinstance(compiled, CompiledFunction)
    for i, (x, y) in enumerate(_batches(model_name)):
        expected = eager_step(minitorch.tensor(x), minitorch.tensor(y))
        got = compiled(minitorch.tensor(x), minitorch.tensor(y))
        torch_loss = torch_step(torch.tensor(x), torch.tensor(y))
        assert got.item() == expected.item(), f"step {i}: loss"
        assert got.dtype == expected.dtype and got.grad_fn is None and not got.requires_grad
        _assert_same_bits(_everything(eager_model, eager_optimizer),
                          _everything(model, optimizer), f"step {i}")
        np.testing.assert_allclose(got.item(), torch_loss.item(), rtol=1e-4, atol=1e-5)
    assert compiled.counts == {"eager": 1, "traced": 2, "replayed": STEPS - 3,
                               "guard_failures": 0}, compiled.eager_reason
    for mine, theirs in zip(_parameters(model), _parameters(torch_model)):
        # where the gradient is 0 up to rounding (an attention key's bias), adaptive optimizers
        # scale the rounding noise up to full steps, in PyTorch as in minitorch: not compared
        signal = (theirs.grad.abs() > 1e-6).numpy() if optimizer_name != "sgd" else True
        np.testing.assert_allclose(np.where(signal, mine.detach().numpy(), 0),
                                   np.where(signal, theirs.detach().numpy(), 0), rtol=1e-3, atol=1e-4)


def test_dropout_masks_are_drawn_again_at_each_replay():
    """The random draw is a line of the program: each replay draws the eager step's mask."""
    minitorch.manual_seed(0)
    model = _mlp(minitorch, dropout=0.4)
    optimizer = OPTIMIZERS["sgd"](minitorch, model.parameters())
    minitorch.manual_seed(0)
    eager_model = _mlp(minitorch, dropout=0.4)
    eager_optimizer = OPTIMIZERS["sgd"](minitorch, eager_model.parameters())
    cross_entropy = minitorch.nn.functional.cross_entropy
    eager_step = _step(eager_model, eager_optimizer, cross_entropy)
    compiled = minitorch.compile(_step(model, optimizer, cross_entropy))
    for i, (x, y) in enumerate(_batches("mlp")):
        minitorch.manual_seed(10 + i)
        expected = eager_step(minitorch.tensor(x), minitorch.tensor(y))
        minitorch.manual_seed(10 + i)
        assert compiled(minitorch.tensor(x), minitorch.tensor(y)).item() == expected.item()
        _assert_same_bits(_everything(eager_model, eager_optimizer),
                          _everything(model, optimizer), f"step {i}")
    assert compiled.counts["replayed"] == STEPS - 3
    assert "kernels_uniform(" in str(compiled.program)


def _sgd_step():
    minitorch.manual_seed(0)
    model = _mlp(minitorch)
    optimizer = minitorch.optim.SGD(model.parameters(), lr=0.1)
    return model, optimizer, _step(model, optimizer, minitorch.nn.functional.cross_entropy)


def _batch(rows=8, seed=0):
    g = np.random.default_rng(seed)
    return (minitorch.tensor(g.standard_normal((rows, 6)).astype(np.float32)),
            minitorch.tensor(g.integers(0, 4, rows)))


def _twins():
    """An eager step and a compiled twin, warmed up to replay."""
    eager, twin = _sgd_step(), _sgd_step()
    compiled = minitorch.compile(twin[2])
    for i in range(4):
        eager[2](*_batch(seed=i))
        compiled(*_batch(seed=i))
    assert compiled.counts["replayed"] == 1
    return eager, twin, compiled


@pytest.mark.parametrize("change", ["batch size", "learning rate", "eval mode", "frozen weight",
                                    "grad mode"])
def test_a_guard_sends_a_changed_call_to_a_new_trace(change):
    """What the Python code may branch on is guarded: after a change the call runs eagerly
    (and is traced again), and its results stay the eager ones."""
    (model_e, opt_e, step_e), (model_c, opt_c, _), compiled = _twins()
    if change == "learning rate":
        for o in (opt_e, opt_c):
            o.param_groups[0]["lr"] = 0.05
    elif change == "eval mode":
        model_e.eval(), model_c.eval()
    elif change == "frozen weight":
        model_e[0].weight.requires_grad_(False), model_c[0].weight.requires_grad_(False)
    rows = 5 if change == "batch size" else 8
    for i in range(5):
        x, y = _batch(rows, seed=20 + i)
        if change == "grad mode":
            with minitorch.no_grad():
                expected = model_e(x).sum()
                got = minitorch.compile(lambda a: model_c(a).sum())(x)
            assert got.item() == expected.item()
            return
        assert compiled(x, y).item() == step_e(x, y).item()
        _assert_same_bits(_everything(model_e, opt_e), _everything(model_c, opt_c), f"call {i}")
    # two traces before the change, two or three after it (freezing a weight: the first call
    # after it also drops the weight's old .grad, so the next program differs), then replays
    assert compiled.counts["traced"] in (4, 5) and compiled.counts["replayed"] >= 2
    assert len(compiled.programs) == 2


def test_a_check_that_fails_at_replay_raises_the_eager_error_and_leaves_the_eager_state():
    """The class-index range check is a guard (s < 4) of the program: a bad target at replay
    fails it before the program changed anything, and the call runs eagerly: the same
    IndexError as the eager step (PyTorch's type), the same state left behind."""
    (model_e, opt_e, step_e), (model_c, opt_c, _), compiled = _twins()
    x, y = _batch(seed=9)
    y._data[3] = 7
    with pytest.raises(IndexError) as got:
        compiled(x, y)
    with pytest.raises(IndexError) as expected:
        step_e(x, y)
    with pytest.raises(IndexError):
        torch.nn.functional.cross_entropy(torch.zeros(8, 4), torch.tensor(y.numpy()))
    assert str(got.value) == str(expected.value)
    _assert_same_bits(_everything(model_e, opt_e), _everything(model_c, opt_c), "after the error")
    assert compiled.counts["guard_failures"] == 1


def test_a_branch_after_a_state_change_is_refused_loudly_not_replayed_wrong():
    weight = minitorch.zeros(3)

    def grow():
        weight.add_(1)
        return weight * 2 if weight.sum().item() < 12 else weight * 3
    compiled = minitorch.compile(grow)
    for _ in range(3):  # eager (sum 3), two equal traces (sums 6 and 9: the "< 12" branch)
        compiled()
    with pytest.raises(RuntimeError, match="partly updated"):
        compiled()  # sum 12: the replay's guard fails after the in-place add


def test_a_forward_alone_stays_eager_with_a_warning():
    """Outputs that require grad need the graph: such a function is not replayed."""
    model = _mlp(minitorch)
    compiled = minitorch.compile(lambda x: model(x).sum())
    x = _batch()[0]
    with pytest.warns(UserWarning, match="requires grad"):
        for _ in range(3):
            out = compiled(x)
    out.backward()  # the eager result, with its graph
    assert model[0].weight.grad is not None and compiled.eager_reason is not None


def test_python_state_that_changes_each_call_is_caught_and_runs_eagerly():
    """A Python counter read by the step is frozen into the program; the next trace differs,
    so the function stays eager, with a warning naming the changed line."""
    calls = {"n": 0}
    weight = minitorch.ones(2)

    def step():
        calls["n"] += 1
        return weight * calls["n"]
    compiled = minitorch.compile(step)
    with pytest.warns(UserWarning, match="another program"):
        results = [compiled().tolist() for _ in range(9)]
    assert results == [[float(n), float(n)] for n in range(1, 10)]


def test_tracing_leaves_no_traced_array_and_numpy_unpatched_even_when_the_step_raises():
    weight = minitorch.ones(3)

    def step(fail):
        out = weight * 2
        if fail:
            raise ValueError("boom")
        return out
    compiled = minitorch.compile(step)
    compiled(False)
    with pytest.raises(ValueError, match="boom"):
        compiled(True)
    compiled(False)
    gc.collect()
    assert not [t for t in gc.get_objects()
                if issubclass(type(t), minitorch.Tensor) and type(t._data) is Traced]
    assert not hasattr(np.zeros, "__wrapped__")  # NumPy's own functions are back
    assert not hasattr(np.lib.stride_tricks.as_strided, "__wrapped__")
    assert np.asarray(weight._data) is weight._data


def test_the_program_is_readable_python_and_its_profile_names_its_lines():
    _, (model, _, _), compiled = _twins()
    source = str(compiled.program)
    assert source.startswith("def program(args, kwargs):")
    assert "np.matmul(" in source and "._grad = Tensor._from_array(" in source
    compile(source, "program", "exec")
    profile = compiled.program.profile(_batch(seed=3), {}, repeat=2)
    assert profile and all(t >= 0 and isinstance(line, str) for t, line in profile)
    assert {line for _, line in profile} <= {line.strip() for line in source.splitlines()}


def test_compile_keeps_pytorchs_signature_for_modules_and_decorators():
    model = _mlp(minitorch)
    assert minitorch.compile(model) is model
    f = lambda x: x  # noqa: E731
    assert minitorch.compile(f, disable=True) is f
    assert isinstance(minitorch.compile(mode="max-autotune")(f), CompiledFunction)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert minitorch.compile(f)(minitorch.ones(2)).tolist() == [1.0, 1.0]


def test_a_step_that_returns_its_loss_with_the_graph_gets_it_back_detached():
    """``return loss`` (not ``loss.detach()``) after the step's own backward: the replay
    returns the loss value, detached (its graph was used up by the step's backward)."""
    eager, (model, optimizer, _), _ = _twins()
    loss_fn = minitorch.nn.CrossEntropyLoss()

    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    compiled = minitorch.compile(step)
    for i in range(5):
        x, y = _batch(seed=40 + i)
        expected = eager[2](x, y)
        got = compiled(x, y)
        assert got.item() == expected.item()
    assert compiled.counts["replayed"] == 2 and not got.requires_grad


def test_seeding_inside_the_step_is_a_program_line():
    """``manual_seed`` inside a step is replayed (the draws after it repeat, as eagerly)."""
    minitorch.manual_seed(0)
    model = _mlp(minitorch, dropout=0.5)
    x = _batch()[0]

    def step():
        minitorch.manual_seed(123)
        with minitorch.no_grad():
            return model(x)
    compiled = minitorch.compile(step)
    outputs = [compiled().numpy() for _ in range(5)]
    minitorch.manual_seed(7)  # (a different state before each call changes nothing)
    outputs.append(compiled().numpy())
    assert compiled.counts["replayed"] == 3
    for out in outputs[1:]:
        assert out.tobytes() == outputs[0].tobytes()
    assert "manual_seed(" in str(compiled.program)


def test_operations_count_the_programs_lines_by_operation():
    _, _, compiled = _twins()
    operations = compiled.program.operations()
    source = str(compiled.program)
    assert operations["np.matmul"] == source.count("np.matmul(")
    assert operations["load"] == source.count("._data\n")
    assert sum(operations.values()) == len(compiled.program.lines)


@pytest.mark.parametrize("change", ["grads dropped outside", "optimizer state reloaded",
                                    "weight replaced"])
def test_tensors_moved_outside_the_step_are_seen_not_written_to_in_their_old_place(change):
    """The program reads tensors from where the step found them (a weight's .grad, the
    optimizer's state, the module's parameter); when code outside the step moves them, the
    replay's checks fail and the call runs eagerly, with the eager results."""
    (model_e, _, _), (model_c, _, _), _ = _twins()
    opt_e, opt_c = (minitorch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
                    for m in (model_e, model_c))

    def accumulate(model, optimizer):  # a step that accumulates into existing .grad tensors
        def step(x, y):
            loss = minitorch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            return loss.detach()
        return step
    eager, compiled = accumulate(model_e, opt_e), minitorch.compile(accumulate(model_c, opt_c))
    for i in range(4):
        eager(*_batch(seed=60 + i))
        compiled(*_batch(seed=60 + i))
    assert compiled.counts["replayed"] == 1
    for model, optimizer in ((model_e, opt_e), (model_c, opt_c)):
        if change == "grads dropped outside":
            optimizer.zero_grad(set_to_none=True)
        elif change == "optimizer state reloaded":
            optimizer.load_state_dict(optimizer.state_dict())
        else:
            with minitorch.no_grad():
                model[3].weight = minitorch.nn.Parameter(model[3].weight * 0.5)
            optimizer.param_groups[0]["params"][2] = model[3].weight
    for i in range(4):
        x, y = _batch(seed=70 + i)
        assert compiled(x, y).item() == eager(x, y).item()
        _assert_same_bits(_everything(model_e, opt_e), _everything(model_c, opt_c), f"call {i}")
    assert compiled.counts["guard_failures"] >= 1
