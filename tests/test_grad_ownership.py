"""A leaf's ``.grad`` never shares memory with a gradient something else can still see.
(minitorch/fast/ownership.py keeps an unshared gradient without a copy: tests/test_fast.py.)"""
import numpy as np
import pytest

import minitorch


def _shares(a, b) -> bool:
    return np.shares_memory(a._data, b._data)


def test_one_gradient_sent_to_two_leaves_is_copied():
    a = minitorch.randn(3, requires_grad=True)
    b = minitorch.randn(3, requires_grad=True)
    (a + b).backward(minitorch.ones(3))
    assert not _shares(a.grad, b.grad)
    a.grad.add_(1.0)
    np.testing.assert_array_equal(b.grad.numpy(), np.ones(3, np.float32))


def test_the_gradient_passed_to_backward_is_not_kept():
    a = minitorch.randn(3, requires_grad=True)
    g = minitorch.ones(3)
    a.backward(g)
    assert not _shares(a.grad, g)
    (a * 1.0).backward(g)  # accumulates in place: g must not change
    np.testing.assert_array_equal(g.numpy(), np.ones(3, np.float32))


def test_a_gradient_a_hook_kept_is_copied():
    a = minitorch.randn(3, requires_grad=True)
    seen = []
    a.register_hook(lambda grad: seen.append(grad))
    (a * 2.0).sum().backward()
    assert not _shares(a.grad, seen[0])
    a.grad.zero_()
    np.testing.assert_array_equal(seen[0].numpy(), np.full(3, 2.0, np.float32))


def test_a_view_returned_as_gradient_is_copied():
    class FirstThree(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            big = minitorch.ones(6) * 5.0
            return big[:3]  # a view of a larger array

    a = minitorch.randn(3, requires_grad=True)
    FirstThree.apply(a).sum().backward()
    assert a.grad._data.base is None
    np.testing.assert_array_equal(a.grad.numpy(), np.full(3, 5.0, np.float32))


def test_a_gradient_that_is_a_live_tensor_is_copied():
    keep = minitorch.full((3,), 7.0)

    class ReturnsKeep(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            return keep

    a = minitorch.randn(3, requires_grad=True)
    ReturnsKeep.apply(a).sum().backward()
    assert not _shares(a.grad, keep)
    a.grad.add_(1.0)
    np.testing.assert_array_equal(keep.numpy(), np.full(3, 7.0, np.float32))


@pytest.mark.parametrize("retain", [True, False])
def test_accumulating_twice_matches_pytorch(retain):
    import torch
    results = {}
    for lib in (minitorch, torch):
        w = lib.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
        x = lib.tensor([[2.0, 1.0], [-1.0, 4.0]])
        y = (x @ w).tanh().sum()
        y.backward(retain_graph=retain)
        if retain:
            y.backward()
        else:
            (x @ w).tanh().sum().backward()
        results[lib] = w.grad.detach().numpy()
    np.testing.assert_allclose(results[minitorch], results[torch], rtol=1e-6)


def test_the_first_backward_of_a_process_may_run_inside_no_grad():
    import subprocess
    import sys
    code = ("import minitorch\n"
            "x = minitorch.ones(3, requires_grad=True)\n"
            "y = (x * 3.0).sum()\n"
            "with minitorch.no_grad():\n"
            "    y.backward()\n"
            "print(x.grad.tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[3.0, 3.0, 3.0]"
