"""The checkers themselves: each must FAIL on a planted disagreement, or passing it proves nothing.

gradcheck (and so every ``check_gradcheck`` in tests/oracle.py) must reject a wrong backward,
as ``torch.autograd.gradcheck`` does; the module oracle must reject a gradient where PyTorch
has none; the fuzz test must draw new programs each run unless its seed is pinned.
"""
import sys

import numpy as np
import pytest
import torch

import minitorch
from module_oracle import compare_modules
from oracle import check_gradcheck


def wrong_backward_functions(lib, wrong_input):
    """f(x, y) = (x * y, x + y) whose backward is wrong for input ``wrong_input`` only
    (d(x*y)/dx is y, not 2y; d(x+y)/dy is 1, not 1.5): the same class body in both libraries."""
    class Planted(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            x, y = ctx.saved_tensors
            gx = g_prod * y * (2.0 if wrong_input == 0 else 1.0) + g_sum
            gy = g_prod * x + g_sum * (1.5 if wrong_input == 1 else 1.0)
            return gx, gy
    return Planted


def _inputs(lib):
    rng = np.random.default_rng(3)
    return tuple(lib.tensor(rng.standard_normal((2, 3)), requires_grad=True) for _ in range(2))


@pytest.mark.parametrize("wrong_input", [0, 1, None])
def test_gradcheck_rejects_a_wrong_backward_as_torch_does(wrong_input):
    for lib in (torch, minitorch):
        planted = wrong_backward_functions(lib, wrong_input)
        expected = wrong_input is None
        result = lib.autograd.gradcheck(planted.apply, _inputs(lib), raise_exception=False)
        assert result is expected, f"{lib.__name__}: gradcheck returned {result}"
        if not expected:
            error = sys.modules["torch.autograd.gradcheck"].GradcheckError if lib is torch \
                else minitorch.autograd.GradcheckError
            with pytest.raises(error, match="Jacobian mismatch"):
                lib.autograd.gradcheck(planted.apply, _inputs(lib))


def test_gradcheck_compares_against_finite_differences_not_itself():
    """A backward that is wrong only where the numbers differ from the true derivative: the
    analytical Jacobian agrees with itself, so only a real numerical comparison catches it."""
    class SlightlyOff(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * (x.cos() + 1e-2)
    x = minitorch.tensor([0.3, -1.1, 2.0], dtype=minitorch.float64, requires_grad=True)
    assert minitorch.autograd.gradcheck(SlightlyOff.apply, (x,), raise_exception=False) is False


def test_check_gradcheck_fails_on_a_wrong_backward():
    planted = wrong_backward_functions(minitorch, 0)
    with pytest.raises(minitorch.autograd.GradcheckError):
        check_gradcheck(lambda lib, x, y: planted.apply(x, y), [(2, 3), (2, 3)])
    correct = wrong_backward_functions(minitorch, None)
    check_gradcheck(lambda lib, x, y: correct.apply(x, y), [(2, 3), (2, 3)])


def _scale_modules(detach_ours, detach_theirs):
    class Ours(minitorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = minitorch.nn.Parameter(minitorch.ones(3))

        def forward(self, x):
            return (x.detach() if detach_ours else x) * self.w

    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(3))

        def forward(self, x):
            return (x.detach() if detach_theirs else x) * self.w
    return Ours(), Theirs()


def test_module_oracle_rejects_a_gradient_pytorch_does_not_have():
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    compare_modules(*_scale_modules(True, True), [x])     # both detach: agrees
    compare_modules(*_scale_modules(False, False), [x])   # neither: agrees
    with pytest.raises(AssertionError, match="PyTorch has no gradient"):
        compare_modules(*_scale_modules(False, True), [x])
    with pytest.raises(AssertionError, match="no gradient"):
        compare_modules(*_scale_modules(True, False), [x])


def test_fuzz_seed_varies_per_run_or_commit_unless_pinned():
    from fuzz_seed import fuzz_seed
    assert fuzz_seed("MINITORCH_FUZZ_SEED", {"MINITORCH_FUZZ_SEED": "17"}, commit="ab" * 20) == 17
    drawn = {fuzz_seed("MINITORCH_FUZZ_SEED", {}) for _ in range(4)}
    assert len(drawn) > 1, "the fuzz seed is the same on every run of uncommitted work"
    per_commit = {fuzz_seed("MINITORCH_FUZZ_SEED", {}, commit=c) for c in ("a1" * 20, "b2" * 20)}
    assert len(per_commit) == 2, "two commits explore the same programs"
    assert fuzz_seed("MINITORCH_FUZZ_SEED", {}, commit="a1" * 20) == \
        fuzz_seed("MINITORCH_FUZZ_SEED", {}, commit="a1" * 20), "a commit's programs change"
