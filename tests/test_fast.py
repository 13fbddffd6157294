"""minitorch/fast against the reference path: each faster piece (the table in
minitorch/fast/__init__.py) gives what the piece it replaces gives, and with
MINITORCH_REFERENCE=1 no code from minitorch/fast runs at all.

The comparisons run the same code twice in one process: once as installed (the fast piece)
and once with the reference piece put back (``reference_piece``), and where it applies,
against PyTorch as well. In a reference-mode run minitorch/fast is not loaded, so they are
skipped there; the subprocess tests run in both modes.
"""
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd import Function
from oracle import TOLERANCE

ROOT = Path(__file__).resolve().parent.parent
needs_fast = pytest.mark.skipif(
    minitorch.REFERENCE_MODE,
    reason="compares minitorch/fast with the reference path: not loaded in reference mode")


@contextlib.contextmanager
def reference_piece(owner, attribute):
    """The reference piece back in place of the faster one, for the duration."""
    from minitorch import fast
    faster = vars(owner)[attribute]
    setattr(owner, attribute, fast.REFERENCES[owner, attribute])
    try:
        yield
    finally:
        setattr(owner, attribute, faster)


def fast_and_reference(owner, attribute, run):
    """``run()`` with the faster piece installed, then with the reference piece."""
    fast_result = run()
    with reference_piece(owner, attribute):
        reference_result = run()
    return fast_result, reference_result


def graph_names(root) -> list:
    """The node names of a recorded graph, breadth first (minitorch or PyTorch)."""
    names, frontier = [], [root]
    while frontier:
        node = frontier.pop(0)
        names.append(node.name())
        frontier += [n for n, _ in node.next_functions if n is not None]
    return names


def assert_same_arrays(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_array_equal(a, b)


# --- the table ---------------------------------------------------------------------------------

@needs_fast
def test_every_entry_of_the_table_is_installed_over_a_different_reference():
    from minitorch import fast
    assert len(fast.REFERENCES) == len(fast.ACCELERATIONS)
    for owner, attribute, faster, why in fast.ACCELERATIONS:
        assert vars(owner)[attribute] is faster, (owner, attribute)
        assert fast.REFERENCES[owner, attribute] is not faster
        assert why


@needs_fast
def test_no_module_keeps_a_reference_piece_the_table_replaced():
    import minitorch.nn  # noqa: F401  (loaded on first use: after install)
    import minitorch.optim  # noqa: F401
    from minitorch import fast
    replaced = {id(piece) for (owner, _), piece in fast.REFERENCES.items()
                if not isinstance(owner, type)}
    for name, module in list(sys.modules.items()):
        if name.startswith("minitorch") and not name.startswith("minitorch.fast"):
            for attribute, value in vars(module).items():
                defined_here = getattr(value, "__module__", None) == name
                assert defined_here or id(value) not in replaced, f"{name}.{attribute}"


def test_every_acceleration_module_imports_first_in_a_fresh_process():
    # A reader opens one file of the layer and imports it before anything else; modules that
    # load later (nn's) put their entries in from a load hook, which imports this package's
    # modules back: an import cycle must not break that order. (Runs in both modes: in
    # reference mode the module imports, it is just not installed.)
    import pkgutil
    from minitorch import fast
    names = [f"minitorch.fast.{info.name}" for info in pkgutil.iter_modules(fast.__path__)]
    assert "minitorch.fast.lstm_sequence" in names
    clean = {k: v for k, v in os.environ.items() if k != "MINITORCH_REFERENCE"}
    clean["PYTHONPATH"] = os.pathsep.join([str(ROOT), clean.get("PYTHONPATH", "")])
    # one process per module, all started at once (each pays minitorch's import)
    runs = {name: subprocess.Popen([sys.executable, "-c", f"import {name}"], env=clean,
                                   cwd=ROOT, stderr=subprocess.PIPE, text=True)
            for name in names}
    failed = {name: run.communicate()[1].strip().splitlines()[-1:] for name, run in runs.items()}
    assert {name: error for name, error in failed.items() if runs[name].returncode} == {}


# --- Function.apply ----------------------------------------------------------------------------

class _Scale(Function):
    """A custom Function, PyTorch 2 style (setup_context), with a non-tensor argument."""

    @staticmethod
    def forward(x, factor):
        return x * factor

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.factor = inputs[1]

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, None


def _program(lib, arrays):
    """Broadcasting, a permuted view, a multi-output view op, an in-place op on a view, a
    non-differentiable output, mixed dtypes and a custom Function, in one graph."""
    x = lib.tensor(arrays[0], requires_grad=True)
    w = lib.tensor(arrays[1], requires_grad=True)
    b = lib.tensor(arrays[2], requires_grad=True)
    h = (x @ w + b).tanh()                       # (4, 3) + (3,)
    left, right = h.t().split([1, 2])            # permuted, two outputs
    mixed = right.double() * lib.tensor(arrays[3], dtype=lib.float64)
    values, indices = mixed.max(dim=0)           # indices: not differentiable
    clone = left.clone()
    clone[0, :2].mul_(2.0)                       # in place on a view
    scaled = _Scale.apply(clone, 3.0) if lib is minitorch else clone * 3.0
    loss = values.sum() + scaled.sum().double()
    loss.backward()
    return loss, indices, [t.grad.detach().numpy() for t in (x, w, b)]


@needs_fast
def test_apply_records_the_graph_and_values_the_reference_records():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(4, 5), (5, 3), (3,)]]
    arrays.append(rng.standard_normal((2, 4)))
    (loss, indices, grads), (ref_loss, ref_indices, ref_grads) = fast_and_reference(
        Function, "apply", lambda: _program(minitorch, arrays))
    assert graph_names(loss.grad_fn) == graph_names(ref_loss.grad_fn)
    assert_same_arrays(loss.detach().numpy(), ref_loss.detach().numpy())
    assert_same_arrays(indices.numpy(), ref_indices.numpy())
    for g, r in zip(grads, ref_grads):
        assert_same_arrays(g, r)
    # and both are PyTorch's (the custom Function aside, whose node name is its own)
    t_loss, t_indices, t_grads = _program(torch, arrays)
    np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-5)
    assert_same_arrays(indices.numpy(), t_indices.numpy())
    for g, t in zip(grads, t_grads):
        np.testing.assert_allclose(g, t, rtol=1e-4, atol=1e-5)


@needs_fast
def test_apply_keeps_node_metadata_and_errors_of_the_reference():
    def record():
        a = minitorch.randn(2, 3, requires_grad=True)
        b = minitorch.randn(3, dtype=minitorch.float64)
        node = minitorch.mul(a, b).grad_fn
        with pytest.raises(RuntimeError) as error:
            minitorch.add(a, minitorch.randn(4))
        return (node.needs_input_grad, node._input_shapes, node._input_dtypes, node._next_nrs,
                node.name(), str(error.value))
    fast_meta, reference_meta = fast_and_reference(Function, "apply", record)
    assert fast_meta == reference_meta
    assert all(type(flag) is bool for flag in fast_meta[0])


@needs_fast
def test_apply_shares_equal_metadata_tuples_between_nodes():
    a, b = minitorch.randn(2, 3, requires_grad=True), minitorch.randn(2, 3, requires_grad=True)
    assert (a * b).grad_fn._input_shapes is (b * a).grad_fn._input_shapes
    with reference_piece(Function, "apply"):
        assert (a * b).grad_fn._input_shapes is not (b * a).grad_fn._input_shapes


# --- the engine's main loop ----------------------------------------------------------------------

def _engine_cases():
    """Gradients from the engine's different walks: fan-out, a multi-output node with an
    unused output, hooks, autograd.grad of a subset (capture points), backward(inputs=...),
    a branch no gradient reaches, retain_graph, create_graph."""
    rng = np.random.default_rng(7)
    x = minitorch.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    w = minitorch.tensor(rng.standard_normal((3, 3)).astype(np.float32), requires_grad=True)
    seen = []
    h = (x @ w).tanh()
    h.register_hook(lambda g: seen.append(g.sum().item()) or g * 2)
    first, second, _unused = h.split([1, 1, 2])
    unreached = (first * 0).detach().requires_grad_() * x[:1]
    loss = (first * second).sum() + (h * h).sum() + unreached.sum() * 0
    loss.backward(retain_graph=True)
    results = [x.grad.numpy().copy(), w.grad.numpy().copy()]
    results += [g.numpy() for g in minitorch.autograd.grad(loss, (h, w), retain_graph=True)]
    x.grad = None
    loss.backward(inputs=[x], retain_graph=True)
    results.append(x.grad.numpy().copy())
    (dx,) = minitorch.autograd.grad(loss, x, create_graph=True)
    results += [g.numpy() for g in minitorch.autograd.grad(dx.pow(2).sum(), (x, w))]
    return results + [np.array(seen)]


@needs_fast
@pytest.mark.parametrize("put_back", [["run_backward"], ["run_ready_nodes"],
                                      ["run_backward", "run_ready_nodes"]])
def test_engine_matches_the_reference_engine(put_back):
    from minitorch.autograd import engine
    fast = _engine_cases()
    with contextlib.ExitStack() as stack:
        for attribute in put_back:
            stack.enter_context(reference_piece(engine, attribute))
        reference = _engine_cases()
    assert len(fast) == len(reference)
    for f, r in zip(fast, reference):
        assert_same_arrays(f, r)


# --- a leaf's first gradient ---------------------------------------------------------------------

def _fresh_gradient_and_grad():
    made = []  # ids only: holding the gradient here would make it shared

    class Triple(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3.0

        @staticmethod
        def backward(ctx, grad):
            out = grad * 3.0
            made.append(id(out._data))
            return out

    a = minitorch.randn(4, 3, requires_grad=True)
    Triple.apply(a).sum().backward()
    first_kept = id(a.grad._data) == made[0]
    Triple.apply(a).sum().backward()  # the second one is added in place
    return first_kept, a.grad.numpy()


@needs_fast
def test_a_fresh_gradient_is_kept_without_the_reference_copy():
    from minitorch.autograd import function
    (kept, grad), (reference_kept, reference_grad) = fast_and_reference(
        function, "gradient_to_keep", _fresh_gradient_and_grad)
    assert kept and not reference_kept
    assert_same_arrays(grad, reference_grad)
    assert_same_arrays(grad, np.full((4, 3), 6.0, np.float32))


@needs_fast
def test_calibration_found_counts():
    from minitorch.fast import ownership
    assert ownership._unshared is not None and min(ownership._unshared) >= 1
    assert ownership._unshared_view is not None and min(ownership._unshared_view) >= 1


def _linear_weight_gradient(hold_the_view: bool):
    """Train-step shape: linear's weight gradient reaches the leaf as a view covering a fresh
    product. Returns (the leaf kept that memory, the gradient, what a hook saw)."""
    rng = np.random.default_rng(3)
    layer = minitorch.nn.Linear(4, 3)
    with minitorch.no_grad():
        layer.weight.copy_(minitorch.tensor(rng.standard_normal((3, 4)).astype(np.float32)))
        layer.bias.copy_(minitorch.tensor(rng.standard_normal(3).astype(np.float32)))
    x = minitorch.tensor(rng.standard_normal((5, 4)).astype(np.float32))
    seen = []
    weight_t = layer.weight.t()
    if hold_the_view:  # a hook keeps the gradient of weight.t(): the memory is shared now
        weight_t.register_hook(lambda g: seen.append(g))
    out = minitorch.nn.functional.linear(x, layer.weight, layer.bias) if not hold_the_view else \
        x @ weight_t + layer.bias
    (out * out).sum().backward()
    grad = layer.weight.grad
    kept = grad._base is None and getattr(grad._data, "base", None) is not None
    before = seen[0].numpy().copy() if seen else None
    grad.add_(1.0)  # an optimizer-style in-place update of .grad
    return kept, grad.numpy() - 1.0, (before, seen[0].numpy()) if seen else None


@needs_fast
def test_a_weight_gradient_laid_out_as_its_base_is_kept_without_a_copy():
    from minitorch.autograd import function
    (kept, grad, _), (reference_kept, reference_grad, _) = fast_and_reference(
        function, "gradient_to_keep", lambda: _linear_weight_gradient(False))
    assert kept and not reference_kept
    np.testing.assert_allclose(grad, reference_grad, rtol=1e-6)


@needs_fast
def test_a_weight_gradient_whose_view_a_hook_holds_is_copied():
    kept, _, (before, after) = _linear_weight_gradient(True)
    assert not kept
    assert_same_arrays(after, before)  # the hook's tensor did not move with .grad


# --- backward formulas on arrays -------------------------------------------------------------------

def _linear_grads(lib, arrays, create_graph):
    x = lib.tensor(arrays[0], requires_grad=True)
    w = lib.tensor(arrays[1], requires_grad=True)
    b = lib.tensor(arrays[2], requires_grad=True)
    xs = x.permute(1, 0, 2)  # (N, L, in): batched and not contiguous
    out = lib.nn.functional.linear(xs, w, b)
    grads = lib.autograd.grad((out * out).sum(), (x, w, b), create_graph=create_graph)
    if create_graph:  # second order through the recorded formula
        grads = lib.autograd.grad(sum(g.sum() for g in grads), (x, w))
    return [g.detach().numpy() for g in grads]


@needs_fast
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("create_graph", [False, True])
def test_linear_backward_on_arrays_matches_the_reference(dtype, create_graph):
    from minitorch.autograd import formulas
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(5, 2, 4), (3, 4), (3,)]]
    fast, reference = fast_and_reference(
        formulas, "operands", lambda: _linear_grads(minitorch, arrays, create_graph))
    expected = _linear_grads(torch, arrays, create_graph)
    tolerance = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12)
    for f, r, t in zip(fast, reference, expected):
        np.testing.assert_allclose(f, r, **tolerance)
        np.testing.assert_allclose(f, t, **tolerance)


def _relu_grads(lib, x, g):
    leaf = lib.tensor(x, requires_grad=True)
    leaf.relu().backward(lib.tensor(g).t())  # a permuted gradient
    return leaf.grad.numpy()


@needs_fast
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_backward_on_arrays_matches_the_reference(dtype):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 5)).astype(dtype)
    x[0, :3] = [0.0, np.nan, -0.0]
    g = rng.standard_normal((5, 6)).astype(dtype)
    g[1, 0], g[2, 0] = np.inf, np.nan  # reach the masked 0 and the NaN input
    fast, reference = fast_and_reference(
        minitorch.ops.unary.Relu, "backward", lambda: _relu_grads(minitorch, x, g))
    assert_same_arrays(fast, reference)
    assert_same_arrays(fast, _relu_grads(torch, x, g))


# --- broadcast gradients summed back to shape ---------------------------------------------------

def _broadcast_grads(lib, shapes, dtype, create_graph):
    """Gradients of every operand of a broadcasting sum-of-products, and the gradients' own
    second derivatives when ``create_graph`` records them."""
    rng = np.random.default_rng(4)
    leaves = [lib.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]
    out = leaves[0] * leaves[1] + leaves[2]
    weights = lib.tensor(rng.standard_normal(tuple(out.shape)).astype(dtype))
    grads = lib.autograd.grad((out * out * weights).sum(), leaves, create_graph=create_graph)
    arrays = [g.detach().numpy() for g in grads]
    if create_graph:
        arrays += [g.numpy() for g in lib.autograd.grad(sum(g.sum() for g in grads), leaves)]
    return arrays


@needs_fast
@pytest.mark.parametrize("shapes", [[(3, 1, 5), (4, 1), (1, 5)], [(2, 3), (3,), ()],
                                    [(1,), (2, 1, 1), (2, 3, 4)]])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("create_graph", [False, True])
def test_sum_to_shape_on_arrays_matches_the_reference(shapes, dtype, create_graph):
    """The gradient of each broadcast operand, summed back on the array: the reference's bits,
    PyTorch's values (and under create_graph the reference formula, differentiable again)."""
    from minitorch.ops import _helpers
    from minitorch import fast
    entries = [(owner, attribute) for owner, attribute, _, _ in fast.ACCELERATIONS
               if attribute == "sum_to_shape"]
    assert (_helpers, "sum_to_shape") in entries and len(entries) >= 8

    def run():
        return _broadcast_grads(minitorch, shapes, dtype, create_graph)

    with contextlib.ExitStack() as stack:
        faster = run()
        for owner, attribute in entries:
            stack.enter_context(reference_piece(owner, attribute))
        reference = run()
    for a, b in zip(faster, reference, strict=True):
        assert_same_arrays(a, b)
    tolerance = 1e-2 if dtype == np.float16 else 1e-5
    for a, b in zip(faster, _broadcast_grads(torch, shapes, dtype, create_graph), strict=True):
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)


@needs_fast
def test_a_gradient_summed_on_the_array_owns_its_memory():
    """A bias's gradient reaches the leaf as an array of its own (kept without a copy)."""
    from minitorch.ops import _helpers
    grad = minitorch.ones(8, 3)
    with minitorch.no_grad():  # (as in a backward that records nothing)
        summed = _helpers.sum_to_shape(grad, (3,))
    assert summed._data.base is None and summed._data.flags.c_contiguous
    assert summed.tolist() == [8.0, 8.0, 8.0]


# --- row sums ---------------------------------------------------------------------------------------

@needs_fast
def test_transposed_row_maxes_match_the_reference_exactly():
    from minitorch.fast import REFERENCES
    from minitorch.fast.rows import transposed_row_maxes
    reference = REFERENCES[minitorch.ops.softmax, "row_maxes"]
    rng = np.random.default_rng(6)
    for dtype in (np.float16, np.float32, np.float64, np.int64):
        for shape in [(128, 10), (3, 4, 64), (5, 65), (7, 1), (2, 3)]:
            x = (rng.standard_normal(shape) * 10).astype(dtype)
            if dtype != np.int64:
                x.flat[::7] = np.nan
                x.flat[3::11] = -np.inf
            for array in (x, x.T, np.broadcast_to(x[:1], x.shape)):
                for axis in {array.ndim - 1, 0, (0, array.ndim - 1)}:
                    assert_same_arrays(transposed_row_maxes(array, axis), reference(array, axis))


# --- rows added into a table ------------------------------------------------------------------------

def _scatter_cases():
    """(table, index, values) as an embedding's backward, index_add and index_put pass them
    (rows into a table along dim 0), with signed zeros, NaNs, dominant ids and narrow rows;
    then the other keys scatter-add is given: several integer arrays, negative numbers,
    slices beside arrays, broadcast values, a table too large for an array of positions."""
    rng = np.random.default_rng(11)
    for trial in range(400):
        rows, ids_range = int(rng.integers(2, 400)), int(rng.integers(1, 30))
        rest = [(1,), (2,), (3,), (64,), (2, 3), (16,), (4, 8)][trial % 7]
        dtype = [np.float32, np.float64, np.float16][trial % 3]
        ids = rng.integers(0, ids_range, rows)
        if trial % 6 == 0:
            ids[: rows * 3 // 4] = 0  # mostly one id
        values = (rng.standard_normal((rows,) + rest) * 10.0 ** int(rng.integers(-3, 4))).astype(dtype)
        values[rng.random(values.shape) < (0.3 if trial % 4 == 0 else 0.0)] = -0.0
        values[rng.random(values.shape) < (0.05 if trial % 9 == 0 else 0.0)] = np.nan
        table = rng.standard_normal((ids_range,) + rest).astype(dtype)
        if trial % 7 == 0:
            table[:] = -0.0
        yield table, (ids,), values
    for trial in range(60):  # makemore's blank token: one id fills whole context positions
        rest = [(1,), (3,), (16,), (64,)][trial % 4]
        dtype = [np.float32, np.float64, np.float16][trial % 3]
        ids = rng.integers(0, 27, (int(rng.integers(1, 40)), 16))
        ids[:, : trial % 17] = 27
        values = (rng.standard_normal((ids.size,) + rest) * 10.0 ** int(rng.integers(-3, 4))).astype(dtype)
        yield rng.standard_normal((28,) + rest).astype(dtype), (ids.reshape(-1),), values
    ids = rng.integers(0, 4, 600)  # an id whose table row and rows are all -0.0: stays -0.0
    values = rng.standard_normal((600, 16)).astype(np.float32)
    values[ids == 1] = -0.0
    yield np.full((4, 16), -0.0, np.float32), (ids,), values
    for trial in range(40):  # other keys
        table = rng.standard_normal((5, 6, 7)).astype([np.float32, np.float64][trial % 2])
        a, b = rng.integers(-5, 5, (3, 20)), rng.integers(-6, 6, (20,))
        key, shape = [((a, b), (3, 20, 7)), ((a[0], slice(1, 5), b), (20, 4)),
                      ((Ellipsis, rng.integers(0, 7, (4, 5))), (5, 6, 4, 5)),
                      (a[1], (20, 6, 7))][trial % 4]
        values = rng.standard_normal(shape[-1:] if trial % 3 == 0 else shape).astype(table.dtype)
        yield table, key, values  # (values of one dim broadcast over the others)
    big = rng.standard_normal((5000, 8)).astype(np.float32)  # 40,000 numbers, 800 added
    yield big, (rng.integers(0, 5000, (4, 25)),), rng.standard_normal((4, 25, 8)).astype(np.float32)


@needs_fast
def test_scatter_add_matches_the_reference_bit_for_bit():
    from minitorch import backend, fast
    from minitorch.fast.scatter import scatter_add_flat
    reference = fast.REFERENCES[backend, "scatter_add"]
    assert backend.scatter_add is not reference
    passed_on = []  # the cases the fast path hands to the reference
    faster = scatter_add_flat(lambda *args: passed_on.append(args) or reference(*args))
    cases = 0
    for table, key, values in _scatter_cases():
        fast_table, reference_table = table.copy(), table.copy()
        faster(fast_table, key, values)
        reference(reference_table, key, values)
        assert_same_arrays(fast_table, reference_table)
        bits = f"u{table.itemsize}"  # signed zeros and NaN payloads too
        np.testing.assert_array_equal(fast_table.view(bits), reference_table.view(bits))
        cases += 1
    assert not passed_on, f"{len(passed_on)} of {cases} cases went to the reference"


@needs_fast
def test_scatter_add_leaves_to_the_reference_what_it_cannot_take():
    """An id out of range raises the reference's IndexError (from the array of positions, or
    from the reference for a large table); a negative id into a large table, a target that
    is not one block (its flat view would be a copy), mixed dtypes, and a large table with
    an index that is not a row index go to the reference."""
    from minitorch import backend, fast
    from minitorch.fast.scatter import scatter_add_flat
    reference = fast.REFERENCES[backend, "scatter_add"]
    passed_on = []
    faster = scatter_add_flat(lambda *args: passed_on.append(args) or reference(*args))
    rng = np.random.default_rng(13)
    large = (30000, 3)  # 90,000 numbers: no array of positions for two rows of values
    for shape, ids, taken in [((4, 3), [1, 4], True), (large, [1, 30000], False)]:
        passed_on.clear()
        with pytest.raises(IndexError) as fast_error:
            faster(np.zeros(shape), (np.array(ids),), np.ones((2, 3)))
        with pytest.raises(IndexError) as reference_error:
            reference(np.zeros(shape), (np.array(ids),), np.ones((2, 3)))
        assert (not passed_on) == taken
        assert "out of bounds" in str(fast_error.value) and "out of bounds" in str(reference_error.value)
    for table, key, values in [
            (np.zeros(large), (np.array([1, -1, -1]),), rng.standard_normal((3, 3))),
            (np.zeros((6, 4))[:, :3], (np.array([1, 1, 2]),), rng.standard_normal((3, 3))),
            (np.zeros((4, 3), np.float32), (np.array([1, 1]),), np.ones((2, 3))),
            (np.zeros(large), (np.array([1, 1]), np.array([0, 0])), np.ones(2))]:
        passed_on.clear()
        reference_table = table.copy()
        faster(table, key, values)
        reference(reference_table, key, values)
        assert len(passed_on) == 1
        np.testing.assert_array_equal(table, reference_table)
        assert table.any()


@needs_fast
def test_embedding_backward_matches_pytorch_bit_for_bit():
    rng = np.random.default_rng(12)
    weight = rng.standard_normal((28, 16)).astype(np.float32)
    ids = rng.integers(0, 28, (32, 16))
    upstream = rng.standard_normal((32, 16, 16)).astype(np.float32)
    grads = []
    for lib in (minitorch, torch):
        w = lib.tensor(weight, requires_grad=True)
        lib.nn.functional.embedding(lib.tensor(ids), w).backward(lib.tensor(upstream))
        grads.append(w.grad.numpy())
    assert_same_arrays(*grads)


# --- roll -----------------------------------------------------------------------------------------

@needs_fast
def test_roll_matches_the_reference(monkeypatch):
    """Random dtypes, permuted inputs, shifts and dims: the same array (values, dtype,
    C-contiguous strides), a new one, and np.roll left out where dims are given."""
    from minitorch import fast
    from minitorch.ops.rearrange import Roll
    reference = fast.REFERENCES[Roll, "forward"]
    assert vars(Roll)["forward"] is not reference
    rng = np.random.default_rng(14)
    real_roll = np.roll

    class Ctx:
        pass
    for trial in range(200):
        shape = tuple(int(d) for d in rng.integers(0 if trial % 25 == 0 else 1, 5,
                                                   int(rng.integers(1, 4))))
        dtype = [np.float32, np.float64, np.int64, np.bool_][trial % 4]
        data = (rng.standard_normal(shape) * 3).astype(dtype)
        data = data.transpose(rng.permutation(len(shape)))
        rolled = int(rng.integers(1, 4))
        dims = None if trial % 7 == 0 else tuple(int(d) for d in rng.integers(0, len(shape), rolled))
        shifts = int(rng.integers(-9, 9)) if dims is None else tuple(
            int(s) for s in rng.integers(-9, 9, rolled))
        a = minitorch.tensor(data)
        ours, theirs = Ctx(), Ctx()
        rolls = []
        with monkeypatch.context() as patch:
            patch.setattr(np, "roll", lambda *args: rolls.append(args) or real_roll(*args))
            fast_result = Roll.forward(ours, a, shifts, dims)
        assert len(rolls) == (dims is None)
        reference_result = reference.__func__(theirs, a, shifts, dims)
        assert_same_arrays(fast_result, reference_result)
        assert fast_result.strides == reference_result.strides
        assert not np.shares_memory(fast_result, data)
        assert (ours.shifts, ours.dims) == (theirs.shifts, theirs.dims)


# --- operators ------------------------------------------------------------------------------------

_OPERATORS = ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__matmul__"]


def _operand_pairs():
    rng = np.random.default_rng(5)

    def t(shape, dtype="float32", requires_grad=False):
        return minitorch.tensor(rng.standard_normal(shape).astype(dtype),
                                requires_grad=requires_grad)
    return [
        (t((3, 4)), t((3, 4))),                           # same shape and dtype
        (t((3, 1)), t((4,))),                             # broadcast
        (t((4, 3)).t(), t((3, 4))),                       # permuted
        (t((3, 4)), 2), (t((3, 4)), -1.5),                # Python numbers
        (t((3, 4), "float64"), t((3, 4))),                # promotion: the reference path
        (minitorch.arange(12).reshape(3, 4), 2),           # integers
        (t((3, 4), requires_grad=True), t((3, 4))),       # recorded
        (t((3, 4)), t((5, 3))),                           # shapes that do not fit
        (t((4, 4)), t((4, 4))), (t(()), 3.0),             # square; 0-d
    ]


def _outcome(operator, a, b):
    """What ``a <op> b`` gives: its values, dtype and history, or its error."""
    try:
        out = getattr(type(a), operator)(a, b)
    except (RuntimeError, TypeError, ValueError) as error:
        return type(error).__name__, str(error)
    if out is NotImplemented:
        return "NotImplemented"
    return (out.detach().numpy().tobytes(), out.shape, out.dtype, out.requires_grad,
            None if out.grad_fn is None else out.grad_fn.name())


@needs_fast
@pytest.mark.parametrize("operator", _OPERATORS)
def test_direct_operators_match_the_reference(operator):
    for a, b in _operand_pairs():
        for grad_enabled in (True, False):
            with minitorch.set_grad_enabled(grad_enabled):
                fast, reference = fast_and_reference(
                    minitorch.Tensor, operator, lambda: _outcome(operator, a, b))
            assert fast == reference, (operator, a, b)


@needs_fast
def test_same_dtype_operands_match_the_reference():
    from minitorch.fast import REFERENCES
    pointwise = minitorch.ops.pointwise
    reference, fast = REFERENCES[pointwise, "binary_arrays"], pointwise.binary_arrays
    half = minitorch.ones(3, dtype=minitorch.float16)
    pairs = _operand_pairs() + [(half, 2.5), (half, 3), (minitorch.tensor([True]), 1),
                                (minitorch.arange(3), 2.5), (minitorch.arange(3), True)]
    for a, b in pairs:
        for dtype in (None, minitorch.float64):
            got, expected = fast(a, b, dtype), reference(a, b, dtype)
            assert [type(v) for v in got] == [type(v) for v in expected]
            for g, e in zip(got, expected):
                assert_same_arrays(g, e)


# --- in-place arithmetic ----------------------------------------------------------------------

_RNG = np.random.default_rng(7)
_A, _B, _C = (_RNG.standard_normal((4, 3)) for _ in range(3))
_DIVISOR = np.abs(_RNG.standard_normal(3)) + 0.5

# name -> (the Tensor attribute it calls, the call); t2 of addcmul_/addcdiv_ is a fixed (3,)
_INPLACE_CALLS = {
    "add_": ("add_", lambda s, o: s.add_(o)),
    "add_ alpha": ("add_", lambda s, o: s.add_(o, alpha=-0.3)),
    "add_ int alpha": ("add_", lambda s, o: s.add_(o, alpha=2)),
    "sub_ alpha": ("sub_", lambda s, o: s.sub_(o, alpha=0.7)),
    "mul_": ("mul_", lambda s, o: s.mul_(o)),
    "div_": ("div_", lambda s, o: s.div_(o)),
    "+=": ("__iadd__", lambda s, o: s.__iadd__(o)),
    "-=": ("__isub__", lambda s, o: s.__isub__(o)),
    "*=": ("__imul__", lambda s, o: s.__imul__(o)),
    "/=": ("__itruediv__", lambda s, o: s.__itruediv__(o)),
    "addcmul_": ("addcmul_", lambda s, o: s.addcmul_(o, _t2(s), value=-0.2)),
    "addcmul_ 1": ("addcmul_", lambda s, o: s.addcmul_(o, o)),
    "addcdiv_": ("addcdiv_", lambda s, o: s.addcdiv_(o, _t2(s), value=0.9)),
    "lerp_": ("lerp_", lambda s, o: s.lerp_(o, 0.1)),
    "lerp_ int": ("lerp_", lambda s, o: s.lerp_(o, 1)),
}


def _t2(target):
    return minitorch.tensor(_DIVISOR, dtype=target.dtype)


def _targets(dtype):
    """name -> () -> (the tensor written in place, its base or None), fresh each call."""
    def plain():
        return minitorch.tensor(_A, dtype=dtype), None

    def permuted():
        base = minitorch.tensor(_A.T.copy(), dtype=dtype)
        return base.t(), base

    def sliced():
        base = minitorch.tensor(np.concatenate([_A, _B]), dtype=dtype)
        return base[2:6], base

    def expanded():  # elements share memory: refused
        base = minitorch.tensor(_A[:1], dtype=dtype)
        return base.expand(4, 3), base

    def leaf():  # an optimizer's parameter: refused under grad mode, written under no_grad
        return minitorch.tensor(_A, dtype=dtype, requires_grad=True), None

    def recorded():  # a non-leaf that requires grad: the reference records it
        return minitorch.tensor(_A, dtype=dtype, requires_grad=True) * 1.0, None

    def view_of_recorded():
        base = minitorch.tensor(_A.T.copy(), dtype=dtype, requires_grad=True) * 1.0
        return base.t(), base

    def zero_d():
        return minitorch.tensor(1.5, dtype=dtype), None
    return {f.__name__: f for f in (plain, permuted, sliced, expanded, leaf, recorded,
                                    view_of_recorded, zero_d)}


def _operands(dtype):
    """name -> (target, base) -> the other operand."""
    other = {np.float16: np.float32, np.float32: np.float64, np.float64: np.float32}[dtype]
    return {
        "same shape": lambda t, b: minitorch.tensor(_B, dtype=dtype),
        "broadcast row": lambda t, b: minitorch.tensor(_C[0], dtype=dtype),
        "broadcast column": lambda t, b: minitorch.tensor(_C[:, :1], dtype=dtype),
        "permuted": lambda t, b: minitorch.tensor(_B.T.copy(), dtype=dtype).t(),
        "requires grad": lambda t, b: minitorch.tensor(_B, dtype=dtype, requires_grad=True),
        "itself": lambda t, b: t,
        "partial overlap": lambda t, b: (b if b is not None else t).view(-1)[1:13].view(4, 3),
        "other dtype": lambda t, b: minitorch.tensor(_B, dtype=other),
        "integers": lambda t, b: minitorch.tensor(_B.astype(np.int64)),
        "too large": lambda t, b: minitorch.tensor(_RNG.standard_normal((2, 4, 3)), dtype=dtype),
        "no fit": lambda t, b: minitorch.tensor(_C[:, :2].copy(), dtype=dtype),
        "float": lambda t, b: 2.5,
        "int": lambda t, b: 3,
        "bool": lambda t, b: True,
    }


def _inplace_outcome(call, make_target, make_operand, grad_enabled):
    """What an in-place call did: its values, dtype, versions, graph, or its error."""
    target, base = make_target()
    try:
        operand = make_operand(target, base)
    except RuntimeError:  # (a view that cannot be made of this target)
        return "no operand"
    with minitorch.set_grad_enabled(grad_enabled):
        try:
            out = call(target, operand)
        except Exception as error:  # noqa: BLE001  (the same error is the point)
            return type(error).__name__, str(error)
    seen = [target] + ([] if base is None else [base])
    return [(out is target, t.detach().numpy().tobytes(), t.dtype, tuple(t.shape), t._version,
             t.requires_grad, None if t.grad_fn is None else t.grad_fn.name()) for t in seen]


@needs_fast
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", list(_INPLACE_CALLS))
def test_inplace_arithmetic_matches_the_reference(name, dtype):
    attribute, call = _INPLACE_CALLS[name]
    for target_name, make_target in _targets(dtype).items():
        for operand_name, make_operand in _operands(dtype).items():
            for grad_enabled in (True, False):
                fast, reference = fast_and_reference(
                    minitorch.Tensor, attribute,
                    lambda: _inplace_outcome(call, make_target, make_operand, grad_enabled))
                assert fast == reference, (target_name, operand_name, grad_enabled)


@needs_fast
def test_inplace_arithmetic_takes_the_direct_path_in_an_optimizer_step():
    """The point of the fast piece: an optimizer's update runs no Function."""
    p = minitorch.tensor(_A, requires_grad=True)
    p.grad = minitorch.tensor(_B)
    optimizer = minitorch.optim.Adam([p], lr=0.1)
    optimizer.step()  # creates the state
    calls = []
    original = Function.apply.__func__

    def counting(cls, *args, **kwargs):
        calls.append(cls.__name__)
        return original(cls, *args, **kwargs)
    Function.apply = classmethod(counting)
    try:
        state = optimizer.state[p]
        state["exp_avg"].lerp_(p.grad, 0.1)
        state["exp_avg_sq"].mul_(0.9).addcmul_(p.grad, p.grad, value=0.1)
        with minitorch.no_grad():
            p.addcdiv_(state["exp_avg"], state["exp_avg_sq"] + 1.0, value=-0.1)
            p.add_(p.grad, alpha=-0.1)
    finally:
        Function.apply = classmethod(original)
    assert calls == []


# --- process settings ------------------------------------------------------------------------------

def _run_python(code: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("MINITORCH_MALLOC_TUNING", "MALLOC_MMAP_THRESHOLD_",
                          "MALLOC_TRIM_THRESHOLD_", "MINITORCH_REFERENCE")}
    clean["PYTHONPATH"] = os.pathsep.join([str(ROOT), clean.get("PYTHONPATH", "")])
    result = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


MALLOC_TUNED = "import minitorch, minitorch.fast.malloc as m; print(m.tuned)"


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION")
                    is None, reason="mallopt is glibc's: other C libraries are left alone")
def test_malloc_thresholds_are_raised_on_linux():
    assert _run_python(MALLOC_TUNED) == "True"


def test_opting_out_leaves_malloc_alone():
    assert _run_python(MALLOC_TUNED, MINITORCH_MALLOC_TUNING="0") == "False"


def test_a_malloc_threshold_set_by_the_user_is_respected():
    assert _run_python(MALLOC_TUNED, MALLOC_TRIM_THRESHOLD_="131072") == "False"


# --- reference mode ---------------------------------------------------------------------------------

# An MLP + Adam training step under a profiler that records the file of every Python
# function called, from import on.
PROFILED_STEP = """
import json, sys
files = set()
sys.setprofile(lambda frame, event, arg: files.add(frame.f_code.co_filename))
import minitorch
from minitorch import nn
minitorch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
optimizer = minitorch.optim.Adam(model.parameters(), lr=1e-3)
x, y = minitorch.randn(32, 8), minitorch.randint(0, 4, (32,))
for _ in range(2):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
sys.setprofile(None)
from minitorch.autograd.formulas import operands
with minitorch.no_grad():  # how a backward formula sees its operands when not recorded
    operand_type = type(operands(x)[0]).__name__
print(json.dumps({"files": sorted(files), "fast_imported": "minitorch.fast" in sys.modules,
                  "loss": loss.item(), "operand_type": operand_type}))
"""


def _profiled_step(**env) -> dict:
    return json.loads(_run_python(PROFILED_STEP, **env).splitlines()[-1])


def _under(files, folder) -> list:
    return [f for f in files if Path(f).resolve().is_relative_to(ROOT / folder)]


def test_reference_mode_runs_no_code_from_minitorch_fast():
    step = _profiled_step(MINITORCH_REFERENCE="1")
    assert not step["fast_imported"]
    assert _under(step["files"], "minitorch/fast") == []
    assert _under(step["files"], "minitorch/autograd")  # the profiler did see the library
    assert step["operand_type"] == "Tensor"  # backward formulas are plain Tensor code


def test_default_mode_runs_minitorch_fast_and_trains_alike():
    step = _profiled_step()
    assert step["fast_imported"]
    assert _under(step["files"], "minitorch/fast")
    assert step["operand_type"] == "ndarray"
    reference = _profiled_step(MINITORCH_REFERENCE="1")
    np.testing.assert_allclose(step["loss"], reference["loss"], rtol=1e-5)


# --- both paths give the same bits ----------------------------------------------------------------

_SAME_BITS_PROGRAM = """
import hashlib, numpy as np, minitorch
from minitorch import nn
rng = np.random.default_rng(0)
x = minitorch.tensor(rng.standard_normal((64, 50)).astype(np.float32), requires_grad=True)
norm = nn.LayerNorm(50)
outputs = [x.softmax(-1), x.log_softmax(-1), x.mean(-1), x.sum(-1), norm(x),
           nn.functional.cross_entropy(x, minitorch.tensor(rng.integers(0, 50, 64)))]
sum(((o * o).sum() for o in outputs), minitorch.tensor(0.0)).backward()
digest = hashlib.sha256()
for array in [o.detach().numpy() for o in outputs] + [x.grad.numpy(), norm.weight.grad.numpy()]:
    digest.update(np.ascontiguousarray(array).tobytes())
print(digest.hexdigest())
"""


def test_both_paths_give_the_same_bits():
    """The accelerations change how fast, never what: softmax, sums, means, layer norm and
    cross-entropy over rows (where a faster summation order would change float32's last bits,
    and long trainings would drift apart) give byte-identical values and gradients."""
    def run(reference: str) -> str:
        env = {**os.environ, "MINITORCH_REFERENCE": reference}
        return subprocess.run([sys.executable, "-c", _SAME_BITS_PROGRAM], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
    assert run("0") == run("1")


# --- the Mersenne Twister ----------------------------------------------------------------------

@needs_fast
@pytest.mark.parametrize("seed", [0, 5, 2 ** 40 + 3])
def test_numpy_mersenne_twister_gives_the_reference_words_and_state(seed):
    from minitorch import fast
    from minitorch.random.mt19937 import MT19937
    reference_random = fast.REFERENCES[MT19937, "random"]
    fast_engine, reference_engine = MT19937(seed), MT19937(seed)
    for count in (0, 1, 5, 618, 624, 625, 1300, 1, 3000):  # across and onto block boundaries
        assert_same_arrays(fast_engine.random(count), reference_random(reference_engine, count))
        assert (fast_engine.left, fast_engine.next) == (reference_engine.left, reference_engine.next)
        assert_same_arrays(fast_engine.state, reference_engine.state)
