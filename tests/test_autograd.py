"""The autograd engine and the Function protocol, against PyTorch where behaviour is observable."""
import gc
import sys
import weakref

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd import Function


def mt(a, requires_grad=False):
    return minitorch.tensor(np.asarray(a, dtype=np.float32), requires_grad=requires_grad)


# --- accumulation, fan-out, retain_graph ------------------------------------------------------

def test_fan_out_gradients_are_summed():
    for lib in (minitorch, torch):
        x = lib.tensor(3.0, requires_grad=True)
        y = x * x + x * 2 + x  # x used four times
        y.backward()
        assert abs(x.grad.item() - (2 * 3.0 + 2 + 1)) < 1e-6


def test_grad_accumulates_across_backward_calls_and_zero_resets():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])
    x.grad.zero_()
    (x * 5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])


def test_leaf_grads_do_not_alias_each_other():
    # a + b sends the same gradient tensor to both leaves: an in-place step on one .grad
    # must not change the other.
    a = minitorch.tensor([1.0, 2.0], requires_grad=True)
    b = minitorch.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.mul_(10)
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])


def test_second_backward_through_freed_graph_raises():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_non_scalar_backward_needs_gradient():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(minitorch.tensor([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 20.0])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        minitorch.tensor(1.0).backward()


def test_gradient_shape_mismatch_raises():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(minitorch.tensor([1.0, 2.0, 3.0]))


def test_long_chain_does_not_hit_recursion_limit():
    x = minitorch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(max(10_000, sys.getrecursionlimit() + 10)):
        y = y * 1.0001
    y.backward()
    assert abs(x.grad.item() - 1.0001 ** max(10_000, sys.getrecursionlimit() + 10)) < 1e-2


def test_backward_inputs_accumulates_only_into_named_leaves():
    a = minitorch.tensor(2.0, requires_grad=True)
    b = minitorch.tensor(3.0, requires_grad=True)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 3.0
    assert b.grad is None


# --- autograd.grad and higher order ---------------------------------------------------------------

def test_grad_returns_without_accumulating():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = minitorch.autograd.grad((x ** 2).sum(), x)
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])
    assert x.grad is None


def test_grad_unused_input():
    x = minitorch.tensor(1.0, requires_grad=True)
    z = minitorch.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        minitorch.autograd.grad(x * 2, [x, z])
    gx, gz = minitorch.autograd.grad(x * 2, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None


@pytest.mark.parametrize("power", [2, 3, 4])
def test_second_and_third_derivatives_match_torch(power):
    results = []
    for lib in (minitorch, torch):
        x = lib.tensor(1.5, requires_grad=True, dtype=lib.float64)
        y = x ** power * x.exp()
        (d1,) = lib.autograd.grad(y, x, create_graph=True)
        (d2,) = lib.autograd.grad(d1, x, create_graph=True)
        (d3,) = lib.autograd.grad(d2, x)
        results.append([d1.item(), d2.item(), d3.item()])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10)


def test_hessian_vector_product_matches_torch():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    v = rng.standard_normal(4)
    x0 = rng.standard_normal(4)
    out = []
    for lib in (minitorch, torch):
        x = lib.tensor(x0, requires_grad=True)
        f = (x @ lib.tensor(A) @ x).tanh() + (x * x).sum().sqrt()
        (g,) = lib.autograd.grad(f, x, create_graph=True)
        (hv,) = lib.autograd.grad((g * lib.tensor(v)).sum(), x)
        out.append(hv.detach().numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-9)


def test_create_graph_gradient_is_differentiable_and_recorded():
    x = minitorch.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    (d2,) = minitorch.autograd.grad(x.grad, x)
    assert d2.item() == pytest.approx(12.0)


# --- in-place checks and versions ---------------------------------------------------------------

def test_saved_tensor_modified_in_place_raises_naming_the_op():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    e = x.exp()
    y = e * e
    e.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*MulBackward0"):
        y.sum().backward()


def test_saved_tensor_modified_through_a_view_is_detected():
    x = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (x * 1).exp()  # ExpBackward saves its output
    z = y.sum()
    y.view(4).detach().add_(1)  # views and detach share the version counter, as in PyTorch
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_inplace_on_leaf_requiring_grad_raises_but_not_under_no_grad():
    w = minitorch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(1)
    with minitorch.no_grad():
        w.add_(1)
    assert w.item() == 2.0 and w._version == 1


def test_inplace_on_non_leaf_is_recorded_like_torch():
    out = []
    for lib in (minitorch, torch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.mul_(x)
        y.add_(1)
        y.sum().backward()
        out.append(x.grad.numpy().copy())
    np.testing.assert_allclose(out[0], out[1])


def test_version_counter_bumps():
    t = minitorch.zeros(3)
    v0 = t._version
    t.add_(1)
    t[0] = 5
    t.zero_()
    assert t._version == v0 + 3


# --- Function protocol ------------------------------------------------------------------------------

class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_custom_function_forward_backward_and_name():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"
    assert not y.grad_fn.next_functions[0][0].variable is None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])
    assert minitorch.autograd.gradcheck(Cube.apply, (minitorch.tensor([0.5, -1.2], dtype=minitorch.float64,
                                                                         requires_grad=True),))


def test_custom_function_second_order():
    x = minitorch.tensor(2.0, requires_grad=True)
    (g,) = minitorch.autograd.grad(Cube.apply(x), x, create_graph=True)
    (h,) = minitorch.autograd.grad(g, x)
    assert h.item() == pytest.approx(12.0)


class SplitHalves(Function):
    @staticmethod
    def forward(ctx, x):
        n = x.shape[0] // 2
        return x[:n] * 1, x[n:] * 1

    @staticmethod
    def backward(ctx, ga, gb):
        return minitorch.tensor(np.concatenate([ga.numpy(), gb.numpy()]))


def test_multi_output_function_materializes_missing_grads():
    x = minitorch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a, b = SplitHalves.apply(x)
    (a * 5).sum().backward()  # b unused: its gradient arrives as zeros
    np.testing.assert_allclose(x.grad.numpy(), [5, 5, 0, 0])


class WrongCount(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        return grad


class WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x.sum()

    @staticmethod
    def backward(ctx, grad):
        return minitorch.ones(7)


def test_function_returning_wrong_number_or_shape_of_grads_raises():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        WrongCount.apply(x, x).sum().backward()
    with pytest.raises(RuntimeError, match="invalid gradient at index 0"):
        WrongShape.apply(x).backward()


def test_save_for_backward_rejects_non_tensors():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x * 1

    with pytest.raises(TypeError, match="save_for_backward can only save variables"):
        Bad.apply(minitorch.tensor(1.0, requires_grad=True))


def test_mark_non_differentiable_and_needs_input_grad():
    class ArgmaxAndValue(Function):
        @staticmethod
        def forward(ctx, x, flag):
            assert ctx.needs_input_grad == (True, False)
            idx = minitorch.tensor(int(np.argmax(x.detach().numpy())))
            ctx.mark_non_differentiable(idx)
            return x.sum(), idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * minitorch.ones(2), None

    x = minitorch.tensor([1.0, 3.0], requires_grad=True)
    value, idx = ArgmaxAndValue.apply(x, 7)
    assert not idx.requires_grad and value.requires_grad


def test_setup_context_style():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    x = minitorch.tensor(3.0, requires_grad=True)
    Square.apply(x).backward()
    assert x.grad.item() == 6.0


# --- grad modes --------------------------------------------------------------------------------------

def test_no_grad_context_and_decorator():
    x = minitorch.tensor(1.0, requires_grad=True)
    with minitorch.no_grad():
        assert not (x * 2).requires_grad
        with minitorch.enable_grad():
            assert (x * 2).requires_grad

    @minitorch.no_grad()
    def f(t):
        return t * 2
    assert not f(x).requires_grad
    assert minitorch.is_grad_enabled()


def test_grad_mode_regions_restore_the_mode_they_found():
    """Leaving a region restores the mode it was entered in (nested, decorated, after an
    exception), as PyTorch does; recorded or not is compared with torch in each place."""
    def recorded(lib):
        x = lib.tensor(1.0, requires_grad=True)
        seen = []
        with lib.no_grad():
            with lib.no_grad():
                seen.append((x * 2).requires_grad)
            seen.append((x * 2).requires_grad)        # still inside the outer no_grad
            with lib.enable_grad():
                seen.append((x * 2).requires_grad)
            seen.append((x * 2).requires_grad)
            lib.no_grad()(lambda: None)()
            seen.append((x * 2).requires_grad)
            with pytest.raises(ValueError):
                with lib.enable_grad():
                    raise ValueError
            seen.append((x * 2).requires_grad)
        seen.append((x * 2).requires_grad)
        return seen
    assert recorded(minitorch) == recorded(torch)


def test_set_grad_enabled_and_inference_mode():
    x = minitorch.tensor(1.0, requires_grad=True)
    with minitorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minitorch.is_grad_enabled()
    minitorch.set_grad_enabled(False)
    assert not minitorch.is_grad_enabled()
    minitorch.set_grad_enabled(True)
    with minitorch.inference_mode():
        assert not (x * 2).requires_grad
    with minitorch.inference_mode(False):
        assert (x * 2).requires_grad

    @minitorch.inference_mode()
    def g(t):
        return t * 2
    assert not g(x).requires_grad


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with minitorch.no_grad():
            raise ValueError
    assert minitorch.is_grad_enabled()


# --- graph protocol, hooks, retain_grad ---------------------------------------------------------------

def test_graph_protocol_matches_torch_shape():
    for lib in (minitorch, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        x = lib.tensor([3.0, 4.0])
        y = (w * x).sum()
        node = y.grad_fn
        assert node.name() == "SumBackward0"
        mul = node.next_functions[0][0]
        assert mul.name() == "MulBackward0"
        acc, nr = mul.next_functions[0]
        assert "AccumulateGrad" in acc.name() and acc.variable is w and nr == 0
        assert mul.next_functions[1] == (None, 0)


def test_sequence_numbers_increase_in_creation_order():
    x = minitorch.tensor(1.0, requires_grad=True)
    a = x * 2
    b = a.exp()
    assert b.grad_fn.sequence_nr() > a.grad_fn.sequence_nr()


def test_saved_tensors_accessible_then_freed():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    (saved,) = y.grad_fn.saved_tensors
    np.testing.assert_allclose(saved.numpy() if not saved.requires_grad else saved.detach().numpy(),
                               np.exp([1.0, 2.0]), rtol=1e-6)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="freed"):
        y.grad_fn.saved_tensors


def test_retain_grad_and_hooks_match_torch():
    out = []
    for lib in (minitorch, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.retain_grad()
        seen = []
        h.register_hook(lambda g: seen.append(g.detach().numpy().copy()))
        x.register_hook(lambda g: g * 10)  # replaces the leaf's gradient
        (h * h).sum().backward()
        out.append((h.grad.numpy().copy(), x.grad.numpy().copy(), seen[0]))
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b)


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minitorch.tensor(1.0).register_hook(lambda g: g)


# --- memory ------------------------------------------------------------------------------------------

def test_saved_arrays_released_after_backward():
    x = minitorch.randn(100, requires_grad=True)
    h = x * 2
    e = h.exp()
    y = (e * h).sum()
    ref = weakref.ref(h._data)
    del h, e
    y.backward()
    gc.collect()
    assert ref() is None, "the intermediate array is still referenced after backward"


def test_no_reference_cycle_through_grad_fn():
    x = minitorch.randn(10, requires_grad=True)
    y = x.exp()  # saves its own output: must not form output -> node -> output
    ref = weakref.ref(y)
    gc.disable()
    try:
        del y
        assert ref() is None, "output tensor kept alive by a cycle"
    finally:
        gc.enable()


def test_training_loop_memory_does_not_grow():
    w = minitorch.randn(64, 64, requires_grad=True)
    x = minitorch.randn(32, 64)
    gc.collect()
    counts = []
    for step in range(1000):
        loss = ((x @ w).tanh() ** 2).mean()
        loss.backward()
        with minitorch.no_grad():
            w -= 0.01 * w.grad
        w.grad = None
        if step in (100, 999):
            gc.collect()
            counts.append(sum(type(o) is minitorch.Tensor for o in gc.get_objects()))
    assert counts[1] <= counts[0] + 5, f"tensor count grew: {counts}"


# --- anomaly mode ------------------------------------------------------------------------------------

def test_detect_anomaly_names_the_backward_and_the_forward_line():
    x = minitorch.tensor([0.0, 1.0], requires_grad=True)
    with minitorch.autograd.detect_anomaly():
        y = x.sqrt()  # d sqrt / dx at 0 is inf; times 0 below gives NaN
        z = (y * 0).sum()
        with pytest.raises(RuntimeError) as info:
            z.backward()
    message = str(info.value)
    assert "SqrtBackward0" in message and "returned nan values" in message
    assert "test_autograd.py" in message and "x.sqrt()" in message
    assert not minitorch.autograd.is_anomaly_enabled()


def test_without_anomaly_mode_nan_passes_silently_like_torch():
    for lib in (minitorch, torch):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        (x.sqrt() * 0).sum().backward()
        assert np.isnan(x.grad.numpy()[0])


def test_set_detect_anomaly_as_a_switch():
    minitorch.autograd.set_detect_anomaly(True)
    try:
        assert minitorch.autograd.is_anomaly_enabled()
    finally:
        minitorch.autograd.set_detect_anomaly(False)
    assert not minitorch.autograd.is_anomaly_enabled()


def test_accumulate_grad_node_hooks_like_torch():
    calls = {}
    for lib in (minitorch, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 3).sum()
        acc = y.grad_fn.next_functions[0][0].next_functions[0][0]
        seen = []
        acc.register_prehook(lambda grads: seen.append(("pre", grads[0].tolist())))
        acc.register_hook(lambda grad_inputs, grad_outputs: seen.append(("post", len(grad_inputs))))
        y.backward()
        calls[lib] = seen
    assert calls[minitorch] == calls[torch]


def test_shape_and_dtype_of_a_freed_intermediate_are_on_its_consumer():
    x = minitorch.randn(3, 4, requires_grad=True)
    h = (x * 2).sum(1)
    gone = weakref.ref(h)
    y = h.double().sum()
    del h
    assert gone() is None  # the graph keeps no reference to an intermediate it did not save
    to_double = y.grad_fn.next_functions[0][0]
    # (one entry per argument of the op; only the first is a tensor)
    assert y.grad_fn._input_shapes[0] == (3,) and y.grad_fn._input_dtypes[0] == np.float64
    assert to_double._input_shapes[0] == (3,) and to_double._input_dtypes[0] == np.float32


def test_metadata_tuples_keep_their_types():
    # needs_input_grad must stay bools (minitorch/fast shares equal tuples between nodes,
    # although (True,) == (1,))
    x = minitorch.randn(4, requires_grad=True)
    second = x.split(2)[1]
    y = second * 2
    assert y.grad_fn._next_nrs == (1, 0) and y.grad_fn.next_functions[0][1] == 1
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a):
            seen["needs"] = ctx.needs_input_grad
            return a * 1

        @staticmethod
        def backward(ctx, grad):
            return grad

    Probe.apply(second)
    assert seen["needs"] == (True,) and type(seen["needs"][0]) is bool
