"""Programs the program fuzzer (scripts/fuzz.py) found disagreeing with PyTorch, kept as
tests once fixed: the expected outcome is learned from PyTorch in each test."""
from __future__ import annotations

import pytest

from outcome_oracle import same_outcome


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_writing_into_a_reductions_gradient(reduction):
    """A mean's gradient is an array of its own (writable); a sum's is a broadcast view, which
    an in-place write refuses (seed 808: ``v3 = grad(v2 ** 2, v0)[0]; v3[0] = v2 * 0.5``)."""
    def case(lib):
        v0 = lib.tensor([[0.5, -1.5]], requires_grad=True)
        v2 = getattr(v0 + 2, reduction)()
        v3 = lib.autograd.grad((v2 ** 2).sum(), v0, retain_graph=True)[0]
        v3[0] = v2 * 0.5
        return v3
    same_outcome(case)


@pytest.mark.parametrize("probability", [0.3, 4.78e-25, 1e-30, 1 - 1e-7])
@pytest.mark.parametrize("target", [0.0, 1.0])
def test_binary_cross_entropy_of_tiny_probabilities(probability, target):
    """log(1 - x) is log1p(-x): a probability of 4.8e-25 with target 0 costs 4.8e-25, not 0
    (seed 909, reference mode: ``v3[v3 > 0]`` kept one element fewer than PyTorch's)."""
    def case(lib):
        x = lib.tensor([probability], dtype=lib.float64, requires_grad=True)
        t = lib.tensor([target], dtype=lib.float64, requires_grad=True)
        loss = lib.nn.functional.binary_cross_entropy(x, t, reduction="none")
        loss.sum().backward()
        return loss, x.grad, t.grad
    same_outcome(case)  # (rtol 1e-6: 0 against 4.8e-25 is off by all of it)


def test_float16_sigmoid_is_computed_in_float32_and_rounded_once():
    """PyTorch's half-precision sigmoid (and its backward) runs in float32 and rounds once;
    in float16 alone exp(-a) is off by up to an ulp of the result (seed 909, reference mode:
    ``v1 = x.to(float16).cumsum(0); v2 = v1.sigmoid()``, gradients differed)."""
    import numpy as np

    values = np.linspace(-12, 12, 97).astype(np.float16)
    weights = np.linspace(-1, 1, 97).astype(np.float16)

    def case(lib):
        x = lib.tensor(values, requires_grad=True)
        y = x.sigmoid()
        (y * lib.tensor(weights)).sum().backward()
        return y, x.grad
    same_outcome(case, rtol=0, atol=0)


@pytest.mark.parametrize("values", [[5.0], [float("nan")], [float("inf")], [3.0, float("nan")]])
@pytest.mark.parametrize("correction", [1, 2])
def test_variance_without_degrees_of_freedom_backward(values, correction):
    """A full variance with no degrees of freedom left: PyTorch's gradient is NaN where an
    element equals the mean and inf elsewhere, a NaN element included (seed 606:
    ``v7 = (v3.flatten() @ v3.flatten() + 2).var()`` of a NaN gave NaN, PyTorch inf)."""
    import warnings

    def case(lib):
        x = lib.tensor(values, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (PyTorch's degrees-of-freedom warning)
            x.var(correction=correction).backward()
        return x.grad
    same_outcome(case)


def test_cumprod_backward_beside_a_zero_and_a_nan():
    """cumprod's first-order backward with zeros follows PyTorch's first-zero rule: before the
    first zero only the running products before it count, after it the gradient is 0, even
    where a NaN sits later in the slice (seed 606: ``v1.masked_fill(v1 > 0.5, nan).cumprod(1)``
    of ``[0.3, 0, 0.9, 0.4]`` gave NaN gradients where PyTorch gives 1 and 0)."""
    def case(lib):
        v0 = lib.tensor([0.3, -0.2, 0.9, 0.4]).reshape(1, 4, 1, 1).requires_grad_()
        v1 = lib.where(v0 > 0, v0, lib.zeros_like(v0))
        v2 = v1.masked_fill(v1 > 0.5, float("nan")).cumprod(1)
        v2.sum().backward()
        return v2, v0.grad
    same_outcome(case)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_cumprod_backward_with_zeros_nans_and_infs(seed, create_graph):
    """Random slices (permuted, a middle dim) holding zeros, NaNs and infs, first order (the
    first-zero rule) and recorded for a second order (the O(n²) rule): PyTorch's gradients."""
    import numpy as np

    rng = np.random.default_rng(seed)
    values = rng.choice([0.0, 0.0, float("nan"), float("inf"), -2.0, 0.5, 1.5, 3.0], size=(3, 5, 4))
    upstream = rng.choice([0.0, 1.0, -0.5, float("nan")], size=(3, 4, 5)) if seed % 2 else \
        rng.standard_normal((3, 4, 5))

    def case(lib):
        x = lib.tensor(values, requires_grad=True)
        y = x.permute(0, 2, 1).cumprod(2)
        (grad,) = lib.autograd.grad(y, x, lib.tensor(upstream), create_graph=create_graph)
        return y, grad
    same_outcome(case)
