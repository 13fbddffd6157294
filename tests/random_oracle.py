"""Helpers for the same-seed tests: seed PyTorch and minitorch alike, draw in both, and
compare bit for bit (``test_random_streams.py``, ``test_random_init.py``)."""
import numpy as np
import torch

import minitorch


def seed_both(seed):
    torch.manual_seed(seed)
    minitorch.manual_seed(seed)


def assert_identical(expected: torch.Tensor, actual: minitorch.Tensor):
    want, got = expected.numpy(), actual.numpy(force=True)
    assert got.dtype == want.dtype and got.shape == want.shape
    same_bits = np.ascontiguousarray(want).view(np.uint8) == np.ascontiguousarray(got).view(np.uint8)
    assert same_bits.all(), f"{np.count_nonzero(want != got)} of {want.size} elements differ"


def rand_both(*shape, dtype="float32"):
    """The same uniform tensor drawn in both libraries (keeping the streams in step)."""
    expected = torch.rand(*shape, dtype=getattr(torch, dtype))
    actual = minitorch.rand(*shape, dtype=getattr(minitorch, dtype))
    assert_identical(expected, actual)
    return expected, actual


def assert_same_stream_after():
    """The next draw agrees too: both generators were advanced by the same amount."""
    assert_identical(torch.rand(3, dtype=torch.float64), minitorch.rand(3, dtype=minitorch.float64))
