"""``detach_()`` on a tensor a node saved: backward refuses it, as PyTorch does (found by the
program fuzzer, seed 2359470312), and only where PyTorch does."""
from __future__ import annotations

import pytest

from outcome_oracle import same_outcome


def _max_saves_its_input(x):
    v3 = x.exp()
    return v3.max(), v3


def _product_saves_both_inputs(x):
    v3 = x * 1
    return (v3 * x).sum(), v3


def _sum_saves_nothing(x):
    v3 = x.exp()
    return v3.sum(), v3


def _exp_saves_its_output(x):
    v3 = x * 1
    return v3.exp().sum(), v3


def _a_constant_factor(x):
    v3 = x.exp()
    return (v3 * 2).sum(), v3


def _a_leaf(x):
    return (x * x).sum(), x


CASES = [_max_saves_its_input, _product_saves_both_inputs, _sum_saves_nothing,
         _exp_saves_its_output, _a_constant_factor, _a_leaf]


@pytest.mark.parametrize("build", CASES, ids=lambda f: f.__name__.strip("_"))
def test_backward_after_detach_in_place(build):
    """A saved input with a history, detached in place, is refused in backward (RuntimeError);
    nothing saved of it, saved as an output, or a leaf: backward runs."""
    def case(lib):
        leaf = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        loss, detached = build(leaf)
        detached.detach_()
        loss.backward()
        return leaf.grad
    same_outcome(case)
