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
