"""nn.LSTM's whole-sequence op (minitorch/fast/lstm_sequence.py) against PyTorch and against
the reference path (the steps one by one).

The fused op's NumPy loop computes the forward and every gradient but W_hh's and b_hh's with
the reference's operations in the reference's order (the same bits); W_hh's and b_hh's
gradients are the same sums over the steps in another order, so they agree to rounding only.
Its C steps (float32, lstm_steps.py) agree with the NumPy loop to rounding: the same arithmetic
with another exp and tanh. Central differences in float64 check the fused backward on its own.
"""
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch
from minitorch.nn.modules import rnn
from test_fast import fast_and_reference, needs_fast
from test_strict_device import cupy  # noqa: F401 (a fixture: the strict CuPy stand-in)

HIDDEN, FEATURES, STEPS, BATCH = 5, 3, 6, 4
# The oracle's tolerances (tests/oracle.py). This file is not one of the oracle's files, which
# follow the test device: the fused op is for NumPy arrays, and its tests run on the CPU.
TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-7, atol=1e-9)}
CASES = [dict(batch_first=batch_first, states=states, num_layers=layers, bidirectional=bidirectional,
              dtype=dtype)
         for batch_first, states, layers, bidirectional, dtype in itertools.product(
             (False, True), (False, True), (1, 2), (False, True), ("float32", "float64"))]


def _case_id(case) -> str:
    return "-".join(f"{k}={v}" for k, v in case.items())


def _arrays(case, seed=0):
    """Input, states and the weights of the outputs in the loss, for one case."""
    rng = np.random.default_rng(seed)
    directions = 2 if case["bidirectional"] else 1
    x_shape = (BATCH, STEPS, FEATURES) if case["batch_first"] else (STEPS, BATCH, FEATURES)
    out_shape = x_shape[:2] + (directions * HIDDEN,)
    state_shape = (case["num_layers"] * directions, BATCH, HIDDEN)
    shapes = [x_shape, state_shape, state_shape, out_shape, state_shape, state_shape]
    return [rng.standard_normal(s).astype(case["dtype"]) for s in shapes]


def _run(lib, module, case, arrays, states=None):
    """Outputs and gradients (input, given states, every parameter) of a weighted loss."""
    x, h0, c0, w_out, w_h, w_c = arrays
    leaves = [lib.tensor(a, requires_grad=True) for a in (x, h0, c0)]
    states = case["states"] if states is None else states
    output, (h_n, c_n) = module(leaves[0], (leaves[1], leaves[2]) if states else None)
    loss = ((output * lib.tensor(w_out)).sum() + (h_n * lib.tensor(w_h)).sum()
            + (c_n * lib.tensor(w_c)).sum())
    loss.backward()
    used = leaves if states else leaves[:1]
    grads = [t.grad.numpy() for t in used] + [p.grad.numpy() for p in module.parameters()]
    return [t.detach().numpy() for t in (output, h_n, c_n)] + grads, output


def _modules(case, seed=1, bias=True):
    """A minitorch LSTM and a PyTorch LSTM with the same random weights."""
    options = dict(num_layers=case["num_layers"], bidirectional=case["bidirectional"],
                   batch_first=case["batch_first"], bias=bias)
    torch.manual_seed(seed)
    theirs = torch.nn.LSTM(FEATURES, HIDDEN, dtype=getattr(torch, case["dtype"]), **options)
    ours = minitorch.nn.LSTM(FEATURES, HIDDEN, dtype=getattr(minitorch, case["dtype"]), **options)
    ours.load_state_dict({k: minitorch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _lstm_nodes(tensor) -> list:
    """The names of the recurrence nodes in tensor's graph (fused or step by step)."""
    names, seen, frontier = [], set(), [tensor.grad_fn]
    while frontier:
        node = frontier.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(node.name())
        frontier += [n for n, _ in node.next_functions]
    return sorted(n for n in names if n in ("LSTMSequenceBackward", "LSTMGatesBackward"))


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_lstm_values_and_gradients_match_pytorch(case):
    ours, theirs = _modules(case)
    arrays = _arrays(case)
    (mine, output), (expected, _) = _run(minitorch, ours, case, arrays), _run(torch, theirs, case, arrays)
    assert len(mine) == len(expected)
    for a, b in zip(mine, expected):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, **TOLERANCE[case["dtype"]])
    layers = case["num_layers"] * (2 if case["bidirectional"] else 1)
    expected_nodes = (["LSTMGatesBackward"] * (layers * STEPS) if minitorch.REFERENCE_MODE
                      else ["LSTMSequenceBackward"] * layers)
    assert _lstm_nodes(output) == expected_nodes


@pytest.fixture
def numpy_loop(monkeypatch):
    """LSTMSequence's NumPy loop, not its C steps (lstm_steps.py), for the duration."""
    from minitorch.fast import lstm_steps
    monkeypatch.setattr(lstm_steps, "usable", lambda dtype: False)


@needs_fast
@pytest.mark.parametrize("case", CASES, ids=_case_id)
@pytest.mark.parametrize("bias", (True, False))
def test_fused_op_gives_what_the_steps_one_by_one_give(case, bias, numpy_loop):
    ours, _ = _modules(case, bias=bias)
    arrays = _arrays(case, seed=2)

    def run():
        for p in ours.parameters():
            p.grad = None
        return _run(minitorch, ours, case, arrays)

    (fused, fused_out), (steps, steps_out) = fast_and_reference(rnn, "fused_direction", run)
    layers = case["num_layers"] * (2 if case["bidirectional"] else 1)
    assert _lstm_nodes(fused_out) == ["LSTMSequenceBackward"] * layers
    assert _lstm_nodes(steps_out) == ["LSTMGatesBackward"] * (layers * STEPS)
    names = ["output", "h_n", "c_n", "x"] + (["h0", "c0"] if case["states"] else [])
    names += [name for name, _ in ours.named_parameters()]
    for name, a, b in zip(names, fused, steps, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape, name
        if "weight_hh" in name or "bias_hh" in name:  # sums over the steps in another order
            np.testing.assert_allclose(a, b, **TOLERANCE[case["dtype"]], err_msg=name)
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)


# --- the C steps (lstm_steps.py): float32 ----------------------------------------------------

def _c_steps_or_skip():
    from minitorch.fast import lstm_steps, native
    if not lstm_steps.usable(np.float32):
        pytest.skip(f"the C steps are not built here: {native.unavailable.get('lstm_steps')}")
    return lstm_steps


@needs_fast
def test_the_c_steps_are_built_where_there_is_a_c_compiler():
    from minitorch.fast import lstm_steps, native
    if not sys.platform.startswith("linux") or shutil.which(os.environ.get("CC", "cc")) is None:
        pytest.skip("no C compiler on Linux here: the C steps cannot be built (the NumPy loop runs)")
    if os.environ.get("MINITORCH_NATIVE") == "0":
        pytest.skip("MINITORCH_NATIVE=0 turns the C steps off in this run")
    assert lstm_steps.usable(np.float32), native.unavailable
    assert not lstm_steps.usable(np.float64)  # float64 keeps the NumPy loop


FLOAT32_CASES = [case for case in CASES if case["dtype"] == "float32"]


@needs_fast
@pytest.mark.parametrize("case", FLOAT32_CASES, ids=_case_id)
@pytest.mark.parametrize("bias", (True, False))
def test_the_c_steps_agree_with_the_numpy_loop(case, bias, monkeypatch):
    """The same arithmetic but for exp and tanh (glibc's vector versions, not NumPy's): equal
    to rounding. Inputs scaled by 3 saturate some gates; batch_first gives the backward
    gradient rows that lie apart."""
    lstm_steps = _c_steps_or_skip()
    ours, _ = _modules(case, bias=bias)
    arrays = [3 * a for a in _arrays(case, seed=5)]

    def run():
        for p in ours.parameters():
            p.grad = None
        return _run(minitorch, ours, case, arrays)

    (in_c, c_out) = run()
    monkeypatch.setattr(lstm_steps, "usable", lambda dtype: False)
    (in_numpy, numpy_out) = run()
    assert _lstm_nodes(c_out) == _lstm_nodes(numpy_out)
    for a, b in zip(in_c, in_numpy, strict=True):
        assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@needs_fast
@pytest.mark.parametrize("sizes", [(1, 1, 1), (1, 3, 1), (3, 1, 2), (2, 3, 1)])
def test_the_c_steps_take_dims_of_size_one(sizes, monkeypatch):
    """Steps, batch or hidden of 1 (found by tests/test_fuzz_models.py: NumPy's buffer export
    gives a dim of size 1 any stride, here the gradient's last dim of a batch-first LSTM with
    hidden size 1)."""
    lstm_steps = _c_steps_or_skip()
    steps, batch, hidden = sizes
    case = dict(batch_first=True, states=True, num_layers=2, bidirectional=False, dtype="float32")
    minitorch.manual_seed(8)
    ours = minitorch.nn.LSTM(FEATURES, hidden, num_layers=2, batch_first=True)
    rng = np.random.default_rng(9)
    shapes = [(batch, steps, FEATURES), (2, batch, hidden), (2, batch, hidden),
              (batch, steps, hidden), (2, batch, hidden), (2, batch, hidden)]
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]

    def run():
        for p in ours.parameters():
            p.grad = None
        return _run(minitorch, ours, case, arrays)[0]

    in_c = run()
    monkeypatch.setattr(lstm_steps, "usable", lambda dtype: False)
    for a, b in zip(in_c, run(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@needs_fast
def test_the_c_forward_step_keeps_numpys_limits_infinities_and_nans():
    from minitorch.ops.unary import sigmoid_array
    lstm_steps = _c_steps_or_skip()
    special = np.array([-np.inf, -1e30, -100, -88, -20, -1e-30, -0.0, 0.0, 1e-30, 20, 88, 100,
                        1e30, np.inf, np.nan, 0.5], np.float32)
    batch, hidden = 3, 16
    rng = np.random.default_rng(6)
    gates = rng.permuted(np.tile(special, (batch, 4)), axis=1)  # (3, 64): every gate sees each
    expected_gates = gates.copy()
    gi = np.zeros((1, batch, 4 * hidden), np.float32)
    c_states, h_states = (np.zeros((2, batch, hidden), np.float32) for _ in range(2))
    c_states[0] = rng.standard_normal((batch, hidden))
    activations, tanh_c = np.empty_like(gi), np.empty((1, batch, hidden), np.float32)
    lstm_steps.forward_step(0, gates, None, gi, c_states, activations, tanh_c, h_states, 0)
    expected = sigmoid_array(expected_gates)
    expected[:, 2 * hidden:3 * hidden] = np.tanh(expected_gates[:, 2 * hidden:3 * hidden])
    np.testing.assert_allclose(activations[0], expected, rtol=1e-6, atol=1e-37)  # NaN as NaN
    i, f, g, o = np.split(expected, 4, axis=1)
    expected_c = f * c_states[0] + i * g
    np.testing.assert_allclose(c_states[1], expected_c, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(h_states[1], o * np.tanh(expected_c), rtol=1e-6, atol=1e-6)


@needs_fast
def test_the_c_steps_refuse_arrays_they_cannot_read():
    lstm_steps = _c_steps_or_skip()
    steps, batch, hidden = 3, 2, 2
    gates = np.zeros((batch, 4 * hidden), np.float32)
    sequence = np.zeros((steps, batch, 4 * hidden), np.float32)
    per_step = np.zeros((steps, batch, hidden), np.float32)
    states = np.zeros((steps + 1, batch, hidden), np.float32)

    def forward(t=0, gi=sequence, c_states=states, before=0):
        lstm_steps.forward_step(t, gates, None, gi, c_states, sequence.copy(), per_step,
                                states.copy(), before)

    forward()  # (as given, these run)
    with pytest.raises(ValueError, match="gi: expected a C-contiguous float32 array"):
        forward(gi=sequence.astype(np.float64))
    with pytest.raises(ValueError, match="C-contiguous"):
        forward(gi=np.zeros((4 * hidden, batch, steps), np.float32).T)
    with pytest.raises(ValueError, match="c_states: expected a writable"):
        read_only = states.copy()
        read_only.flags.writeable = False
        forward(c_states=read_only)
    with pytest.raises(ValueError, match="out of range"):
        forward(t=steps)
    with pytest.raises(ValueError, match="out of range"):
        forward(before=2)
    rows = np.zeros((batch, hidden), np.float32)
    with pytest.raises(ValueError, match="whose last dim is contiguous"):
        lstm_steps.backward_step(0, np.zeros((hidden, batch, steps), np.float32).T, rows,
                                 rows.copy(), sequence, per_step, per_step, sequence.copy())
    lstm_steps.backward_step(0, np.zeros((batch, steps, hidden), np.float32).transpose(1, 0, 2),
                             rows, rows.copy(), sequence, per_step, per_step, sequence.copy())
    ones = np.zeros((batch, steps, 1), np.float32).transpose(1, 0, 2)  # (a last dim of size 1:
    assert memoryview(ones).strides[2] != 4                           # exported with any stride)
    lstm_steps.backward_step(0, ones, rows[:, :1].copy(), rows[:, :1].copy(),
                             np.zeros((steps, batch, 4), np.float32),
                             np.zeros((steps, batch, 1), np.float32),
                             np.zeros((steps, batch, 1), np.float32),
                             np.zeros((steps, batch, 4), np.float32))


@needs_fast
def test_a_compiled_step_replays_the_c_steps_as_lines_of_its_program():
    """Each C call is a line of the program, writing into the arrays it is given: the replay
    gives the eager step's bits (tests/test_compile.py checks them on a model with an LSTM)."""
    _c_steps_or_skip()
    minitorch.manual_seed(0)
    lstm = minitorch.nn.LSTM(3, 4, batch_first=True)
    x = minitorch.tensor(np.random.default_rng(7).standard_normal((2, 5, 3)).astype(np.float32))

    def step(x):
        lstm.zero_grad()
        out, _ = lstm(x)
        (out * out).sum().backward()
        return lstm.weight_hh_l0.grad.clone()

    eager = [step(x).numpy() for _ in range(3)]
    compiled = minitorch.compile(step)
    replays = [compiled(x).numpy() for _ in range(4)]
    assert compiled.counts["replayed"] >= 1, compiled.eager_reason
    source = compiled.program.source
    assert source.count("forward_step(") == 5 and source.count("backward_step(") == 5
    assert "lstm_steps_forward_step(4, " in source  # (the step number: no view per step)
    for got in replays:
        assert got.tobytes() == eager[0].tobytes()


@needs_fast
def test_every_c_call_is_one_the_compiler_records():
    """A C kernel writes through addresses NumPy never sees: a call the compiler does not
    record as a line would be left out of the replay, silently. So every function of
    lstm_steps.py that calls the library is in WRITES, which the compiler patches."""
    import ast
    import inspect
    from minitorch.compiler import traced
    from minitorch.fast import lstm_steps
    tree = ast.parse(inspect.getsource(lstm_steps))
    calling = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
               and node.name != "usable"
               and any(isinstance(n, ast.Name) and n.id == "_library" for n in ast.walk(node))}
    assert calling == set(lstm_steps.WRITES) == {"forward_step", "backward_step"}
    patched = {name for module, names, _ in traced._minitorch_kernels() if module is lstm_steps
               for name in names}
    assert patched == calling


NATIVE_STATUS = ("import numpy, minitorch, minitorch.nn\n"
                 "from minitorch.fast import lstm_steps, native\n"
                 "out, _ = minitorch.nn.LSTM(2, 3)(minitorch.ones(4, 1, 2))\n"
                 "print(lstm_steps.usable(numpy.float32), out.grad_fn.name(),"
                 " native.unavailable.get('lstm_steps'))\n")


@needs_fast
@pytest.mark.parametrize("setting", ["MINITORCH_NATIVE=0", "a compiler that fails",
                                     "no compiler"])
def test_without_the_c_steps_the_numpy_loop_runs_and_says_why(setting, tmp_path):
    env = dict(os.environ, MINITORCH_CACHE=str(tmp_path))  # (nothing built before)
    env["CC"] = {"a compiler that fails": "false", "no compiler": "no-such-cc"}.get(setting, "cc")
    if setting == "MINITORCH_NATIVE=0":
        env["MINITORCH_NATIVE"] = "0"
    result = subprocess.run([sys.executable, "-c", NATIVE_STATUS], capture_output=True,
                            text=True, env=env, cwd=Path(__file__).resolve().parent.parent,
                            check=True)
    usable, node, reason = result.stdout.split(maxsplit=2)
    assert (usable, node) == ("False", "LSTMSequenceBackward")
    expected = {"MINITORCH_NATIVE=0": "MINITORCH_NATIVE=0", "a compiler that fails": "false failed",
                "no compiler": "no C compiler"}[setting]
    if not sys.platform.startswith("linux"):
        expected = "built only on Linux"
    assert expected in reason


@needs_fast
@pytest.mark.parametrize("reverse", (False, True))
@pytest.mark.parametrize("bias", (True, False))
def test_fused_backward_matches_central_differences(reverse, bias):
    from minitorch.fast.lstm_sequence import LSTMSequence
    rng = np.random.default_rng(3)
    hidden = 3
    arrays = [rng.standard_normal(s) for s in [(4, 2, 4 * hidden), (2, hidden), (2, hidden),
                                                 (4 * hidden, hidden), (4 * hidden,)]]
    inputs = [minitorch.tensor(a, requires_grad=True) for a in arrays[:5 if bias else 4]]

    def outputs(*tensors):
        output, h_n, c_n = LSTMSequence.apply(*tensors, reverse=reverse)
        return output.sin().sum() + (h_n * h_n).sum() + c_n.tanh().sum()

    assert minitorch.autograd.gradcheck(outputs, inputs, eps=1e-6, atol=1e-7, rtol=1e-6)


@needs_fast
def test_create_graph_differentiates_the_steps():
    """A backward that records a graph goes through the reference recurrence: second
    derivatives as PyTorch's."""
    case = dict(batch_first=False, states=True, num_layers=1, bidirectional=True, dtype="float64")
    ours, theirs = _modules(case)
    x, h0, c0 = _arrays(case)[:3]
    results = []
    for lib, module in ((minitorch, ours), (torch, theirs)):
        leaves = [lib.tensor(a, requires_grad=True) for a in (x, h0, c0)]
        output, (h_n, c_n) = module(leaves[0], (leaves[1], leaves[2]))
        if lib is minitorch:
            assert _lstm_nodes(output) == ["LSTMSequenceBackward"] * 2
        loss = (output * output).sum() + (c_n * h_n).sum()
        first = lib.autograd.grad(loss, leaves, create_graph=True)
        second = lib.autograd.grad(sum((g * g).sum() for g in first), leaves + list(module.parameters()))
        results.append([g.detach().numpy() for g in first] + [g.numpy() for g in second])
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, **TOLERANCE["float64"])


@needs_fast
def test_states_of_another_dtype_take_the_reference_path_and_its_error():
    case = dict(batch_first=False, states=True, num_layers=1, bidirectional=False, dtype="float32")
    ours, theirs = _modules(case)
    x, h0, c0 = _arrays(case)[:3]
    with pytest.raises(RuntimeError):  # PyTorch's type
        theirs(torch.tensor(x), (torch.tensor(h0.astype(np.float64)), torch.tensor(c0)))

    def message():
        with pytest.raises(RuntimeError) as error:
            ours(minitorch.tensor(x), (minitorch.tensor(h0.astype(np.float64)), minitorch.tensor(c0)))
        return str(error.value)

    fused, steps = fast_and_reference(rnn, "fused_direction", message)
    assert fused == steps and "Double and Float" in fused


@needs_fast
def test_weight_changed_in_place_before_backward_is_caught():
    case = dict(batch_first=False, states=False, num_layers=1, bidirectional=False, dtype="float32")
    ours, theirs = _modules(case)
    x = _arrays(case)[0]
    for lib, module in ((minitorch, ours), (torch, theirs)):
        output, _ = module(lib.tensor(x))
        with lib.no_grad():
            module.weight_hh_l0.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            output.sum().backward()


@pytest.mark.parametrize("steps", (1, 2))
def test_short_unbatched_sequences_and_no_grad_match_pytorch(steps):
    case = dict(batch_first=False, states=True, num_layers=2, bidirectional=True, dtype="float64")
    ours, theirs = _modules(case)
    rng = np.random.default_rng(4)
    x, h0, c0 = (rng.standard_normal(s) for s in [(steps, FEATURES), (4, HIDDEN), (4, HIDDEN)])
    results = []
    for lib, module in ((minitorch, ours), (torch, theirs)):
        with lib.no_grad():
            values = module(lib.tensor(x), (lib.tensor(h0), lib.tensor(c0)))
        output, (h_n, c_n) = values
        assert not output.requires_grad
        inp = lib.tensor(x, requires_grad=True)
        out, _ = module(inp, (lib.tensor(h0), lib.tensor(c0)))
        out.sum().backward()
        results.append([t.numpy() for t in (output, h_n, c_n, inp.grad)])
    for a, b in zip(*results, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, **TOLERANCE["float64"])


def test_the_entry_is_put_in_when_nn_loads_on_first_use():
    """nn is not loaded by ``import minitorch``; rnn's entry is swapped in when it loads
    (reference mode: rnn keeps its own function), whichever way it is imported."""
    program = ("import sys, minitorch\n"
               "assert 'minitorch.nn' not in sys.modules\n"
               "from minitorch.nn import LSTM\n"
               "from minitorch.nn.modules import rnn\n"
               "print(rnn.fused_direction.__module__, rnn.fused_direction.__qualname__,\n"
               "      LSTM(2, 3)(minitorch.ones(4, 1, 2))[0].grad_fn.name())\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            env=os.environ, cwd=Path(__file__).resolve().parent.parent, check=True)
    expected = ("minitorch.nn.modules.rnn fused_direction StackBackward0" if minitorch.REFERENCE_MODE
                else "minitorch.fast.lstm_sequence fused_direction.<locals>.fused LSTMSequenceBackward")
    assert result.stdout.split() == expected.split()


@needs_fast
def test_cupy_arrays_take_the_reference_path(cupy):  # noqa: F811 (the stand-in's fixture)
    """On 'cuda' (the strict CuPy stand-in here) the steps run one by one, with CPU's values."""
    case = dict(batch_first=True, states=False, num_layers=1, bidirectional=True, dtype="float32")
    ours, _ = _modules(case)
    x = _arrays(case)[0]
    cpu_output, _ = ours(minitorch.tensor(x))
    ours.to("cuda")
    output, (h_n, c_n) = ours(minitorch.tensor(x, device="cuda"))
    assert output.device.type == h_n.device.type == "cuda"
    assert _lstm_nodes(output) == ["LSTMGatesBackward"] * (2 * STEPS)
    np.testing.assert_allclose(output.cpu().detach().numpy(), cpu_output.detach().numpy(),
                               **TOLERANCE["float32"])
