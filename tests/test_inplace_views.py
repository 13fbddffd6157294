"""In-place ops on views while gradients are recorded (autograd/views.py), against PyTorch.

Writing a view gives its base a ``CopySlices`` history; a view whose base changed in place
since it was taken gets an ``AsStridedBackward0`` history on top of the base's. Values,
gradients and second-order gradients are compared with PyTorch on random, broadcast and
permuted inputs, and first gradients with central differences.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from oracle import check, check_gradcheck


def _row_times_tensor(lib, a, w):
    x = a * 1
    x[0].mul_(w)
    return x


def _exp_column(lib, a):
    x = a * 1
    x[:, 1].exp_()           # a non-contiguous view
    return x * 2


def _diagonal_shifted(lib, a):
    x = a * 1
    d = x.diagonal()
    d.add_(x.sum())          # the diagonal, written with a value that reads all of x
    return x * x


def _stale_transpose(lib, a, w):
    x = a * 1
    t = x.T                  # taken before the base changes
    x.add_(w)
    return t * t


def _write_into_constant(lib, a):
    z = lib.zeros(4, 3, dtype=a.dtype, device=a.device)  # no history: the write gives it one
    z[1:3].copy_(a[0] * 2)
    return z.sin()


def _view_of_view(lib, a, w):
    x = a * 1
    v = x[1:][:, ::2]
    v.mul_(w)
    return x * x


def _flat_view_then_rows(lib, a):
    x = a.contiguous() * 1   # (contiguous: a permuted input has no flat view)
    x.view(-1)[2:7].mul_(3)
    y = x[1] * 3             # reads a region the first write touched
    x[0].tanh_()             # overlaps the first write at x[0, 2]
    return x.exp() + y.sum()


def _setitem_through_view(lib, a, w):
    x = a * 1
    row = x[1]
    row[::2] = w[:2] * w[:2]
    return x, row


CASES = {
    "mul_ a row by a tensor": (_row_times_tensor, [(4, 3), (3,)]),
    "exp_ a column": (_exp_column, [(4, 3)]),
    "diagonal written in place": (_diagonal_shifted, [(3, 3)]),
    "view taken before the base changed": (_stale_transpose, [(4, 3), (3,)]),
    "write into a tensor without history": (_write_into_constant, [(4, 3)]),
    "view of a view": (_view_of_view, [(4, 3), (2,)]),
    "overlapping writes through two views": (_flat_view_then_rows, [(4, 3)]),
    "setitem on a view": (_setitem_through_view, [(4, 3), (3,)]),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("permuted", [False, True])
def test_matches_pytorch_to_second_order(name, permuted):
    fn, shapes = CASES[name]
    check(fn, shapes, permuted=permuted, second_order=True, dtype="float64")


@pytest.mark.parametrize("name", list(CASES))
def test_central_differences(name):
    fn, shapes = CASES[name]
    check_gradcheck(lambda lib, *xs: _first(fn(lib, *xs)), shapes)


def _first(result):
    return result[0] if isinstance(result, tuple) else result


def test_graph_nodes_are_pytorch_s():
    names = {}
    for lib in (minitorch, torch):
        a = lib.ones(4, 3, requires_grad=True)
        x = a.clone()
        v = x[0]
        v.mul_(lib.ones(3, requires_grad=True))
        names[lib] = (x.grad_fn.name(), [n.name() if n is not None else None
                                         for n, _ in x.grad_fn.next_functions],
                      v.grad_fn.name(), v.grad_fn.next_functions[0][0] is x.grad_fn)
    assert names[minitorch] == names[torch]
    assert names[minitorch][0] == "torch::autograd::CopySlices"


def test_in_place_on_a_view_of_a_leaf_is_refused():
    for lib in (minitorch, torch):
        leaf = lib.ones(4, requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is "
                                               "being used in an in-place operation"):
            leaf[:2].mul_(2)
        with lib.no_grad():  # (how optimizers and init write parameters)
            leaf[:2].mul_(2)
        assert leaf.detach().numpy().tolist() == [2, 2, 1, 1]


def test_saved_region_changed_through_another_view_is_caught():
    """sigmoid_ saves its result (a view of x); zero_ on another view of x changes x's version,
    so backward refuses, as PyTorch does."""
    errors = {}
    for lib in (minitorch, torch):
        a = lib.ones(2, 3, requires_grad=True)
        x = a.clone()
        x.view(-1)[1:4].sigmoid_()
        x[1, 1:].zero_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation") as err:
            x.sum().backward()
        errors[lib] = str(err.value)
    assert "is at version 2; expected version 1" in errors[minitorch]


def test_second_backward_through_copy_slices_is_refused():
    a = minitorch.ones(4, requires_grad=True)
    x = a * 1
    x[:2].exp_()           # exp_ saves its result: a second backward must fail
    y = x.sum()
    y.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        (x * 1).sum().backward()


def test_base_updated_under_no_grad_then_view_reused():
    """A view taken in one step and used after its base changed under no_grad (an optimizer
    step) gets the base's history, as in PyTorch."""
    grads = {}
    for lib in (minitorch, torch):
        w = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        wt = w.T
        with lib.no_grad():
            w.sub_(0.5)
        (wt * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        grads[lib] = (w.grad.numpy().tolist(), wt.detach().numpy().tolist())
    assert grads[minitorch] == grads[torch]


def test_backward_started_from_a_stale_view_inside_no_grad():
    a = minitorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = a * 2
    head = x[:2]
    x.mul_(3)
    with minitorch.no_grad():
        head.backward(minitorch.ones(2))
    np.testing.assert_allclose(a.grad.numpy(), [6.0, 6.0, 0.0])


def test_graph_of_a_write_through_a_view_is_freed_without_the_garbage_collector():
    """No reference cycle: the op's node is held by CopySlices, and its saved view refers
    back to CopySlices only weakly."""
    import gc
    import weakref
    gc.disable()
    try:
        a = minitorch.ones(3, 4, requires_grad=True)
        x = a * 2
        x[1].exp_()                      # exp_ saves its output: the view
        node = weakref.ref(x.grad_fn)
        assert node().name() == "torch::autograd::CopySlices"
        x.sum().backward()
        del x
        assert node() is None
    finally:
        gc.enable()
    np.testing.assert_allclose(a.grad.numpy()[1], 2 * np.exp(2.0) * np.ones(4), rtol=1e-6)


def _unbind_then_write(lib):
    x = lib.ones(2, 3, requires_grad=True) * 1
    first, _ = x.unbind(0)
    first.mul_(2)


def _split_then_write_a_view_of_a_piece(lib):
    x = lib.ones(2, 3, requires_grad=True) * 1
    first, _ = x.split(1)
    first.view(3).mul_(2)


def _split_piece_used_after_its_base_changed(lib):
    x = lib.ones(2, 3, requires_grad=True) * 1
    first, _ = x.split(1)
    x.mul_(2)
    (first * 1).sum().backward()


def _no_grad_view_written_with_grad(lib):
    x = lib.ones(2, 3, requires_grad=True) * 1
    with lib.no_grad():
        row = x[0]
    row.mul_(2)


def _no_grad_view_of_a_constant_written_with_a_grad_value(lib):
    x = lib.zeros(2, 3)
    with lib.no_grad():
        row = x[0]
    row.copy_(lib.ones(3, requires_grad=True))


def _custom_function_output_written(lib):
    class Rows(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[0]

        @staticmethod
        def backward(ctx, grad):
            return lib.stack([grad, lib.zeros_like(grad)])

    Rows.apply(lib.ones(2, 3, requires_grad=True) * 1).mul_(2)


REFUSED = {
    _unbind_then_write: "Output 0 of Unbind is a view and is being modified inplace. This view "
                        "is the output of a function that returns multiple views",
    _split_then_write_a_view_of_a_piece: "Output 0 of View is a view and is being modified inplace",
    _split_piece_used_after_its_base_changed: "its base or another view of its base has been "
                                              "modified inplace",
    _no_grad_view_written_with_grad: "A view was created in no_grad mode and is being modified "
                                     "inplace with grad mode enabled",
    _no_grad_view_of_a_constant_written_with_a_grad_value: "A view was created in no_grad mode",
    _custom_function_output_written: "This view was created inside a custom Function",
}


@pytest.mark.parametrize("case", list(REFUSED), ids=lambda case: case.__name__.strip("_"))
def test_refused_as_in_pytorch(case):
    for lib in (torch, minitorch):
        with pytest.raises(RuntimeError, match=REFUSED[case]):
            case(lib)


def test_the_same_writes_without_recording_are_allowed():
    """Nothing requires grad, or the write happens under no_grad: nothing to refuse."""
    for lib in (torch, minitorch):
        x = lib.zeros(2, 3)
        first, _ = x.unbind(0)
        first.add_(1)
        y = lib.ones(2, 3, requires_grad=True) * 1
        with lib.no_grad():
            row = y[0]
            row.mul_(2)
        assert x.sum().item() == 3 and y.sum().item() == 9


@pytest.mark.filterwarnings("ignore:Use of index_put_ on expanded tensors is deprecated")
def test_index_put_through_an_expanded_view():
    """The write lands (PyTorch deprecates it but does it); the backward is refused, as in
    PyTorch: two positions of the view are one element of the base."""
    for lib in (torch, minitorch):
        a = lib.tensor([3.0], requires_grad=True)
        x = a * 2
        x.expand(2)[lib.tensor([0])] = 5.0
        assert x.item() == 5.0
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor "
                                               "refers to a single memory location"):
            x.sum().backward()


@pytest.mark.parametrize("base", [np.arange(24.0).reshape(2, 3, 4),           # C-contiguous
                                  np.arange(24.0).reshape(4, 6).T,             # transposed
                                  np.arange(48.0).reshape(4, 12)[:, ::2]])     # strided
def test_positions_in_base(base):
    """Every element of a view is found at its flat (row-major) index in the base."""
    from minitorch.autograd.views import positions_in_base
    views = [base[1], base[..., ::2], base.T, base[::-1], base[(0,) * (base.ndim - 1)][1:2],
             base[..., None, 0], base[(slice(None),) * base.ndim]]
    for view in views:
        positions = positions_in_base(view, base)
        assert positions.shape == view.shape
        np.testing.assert_array_equal(base.reshape(-1)[positions], view)


@pytest.mark.parametrize("equation, shape", [("ij->ji", (2, 3)), ("ij->ij", (2, 3)),
                                             ("...j->j...", (2, 3)), ("ji", (2, 3)),
                                             ("ii->i", (3, 3)), ("iji->ji", (3, 2, 3)),
                                             ("iii->i", (2, 2, 2))])
def test_einsum_that_sums_nothing_is_a_view(equation, shape):
    """As in PyTorch, writing it writes the operand (NumPy's einsum returned an aliasing
    array that autograd did not know about: the gradient came out silently wrong)."""
    def write_through_einsum(lib, a):
        x = a * 1
        lib.einsum(equation, x).mul_(2)
        return x * x
    check(write_through_einsum, [shape], dtype="float64", second_order=True)
