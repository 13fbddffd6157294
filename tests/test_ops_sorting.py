"""sort, argsort, topk and unique against PyTorch. Random normal inputs have no ties; the
tests with ties use stable=True, where PyTorch's order of equal elements is defined."""
import numpy as np
import pytest
import torch

import minitorch
from oracle import check, check_gradcheck

TIES = np.array([[3.0, 1.0, 3.0, 2.0, 1.0, 3.0], [0.0, 0.0, -1.0, 5.0, 5.0, 0.0]], dtype=np.float32)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_sort(dim, descending, dtype):
    out = check(lambda lib, x: tuple(lib.sort(x, dim, descending)), [(3, 4, 5)], dtype=dtype)
    assert out[1].dtype == minitorch.int64
    check(lambda lib, x: tuple(x.sort(dim=dim, descending=descending)), [(3, 4, 5)], dtype=dtype,
          permuted=True)
    check(lambda lib, x: lib.argsort(x, dim, descending=descending), [(3, 4, 5)], dtype=dtype)


def test_sort_gradients():
    check_gradcheck(lambda lib, x: lib.sort(x, 1).values, [(3, 4)])
    check_gradcheck(lambda lib, x: lib.sort(x, 0, descending=True).values, [(3, 4)])
    check(lambda lib, x: lib.sort(x, 1).values, [(3, 4)], dtype="float64", second_order=True)
    check(lambda lib, x: lib.sort(x ** 2, 1).values, [(3, 4)], dtype="float64", second_order=True)


def test_sort_ties_are_stable():
    for descending in (False, True):
        check(lambda lib, x: tuple(lib.sort(x, dim=1, descending=descending, stable=True)), [TIES])
        check(lambda lib, x: lib.argsort(x, dim=1, descending=descending, stable=True), [TIES])
        check(lambda lib, x: tuple(x.sort(dim=0, descending=descending, stable=True)),
              [TIES.T.copy()])


def test_sort_special_values_and_dtypes():
    nan = np.array([3.0, np.nan, -np.inf, 1.0, np.inf, 0.0], dtype=np.float32)
    for descending in (False, True):
        check(lambda lib, x: tuple(lib.sort(x, descending=descending, stable=True)), [nan], grad=False)
    ints = np.array([[5, -3, 9, 0], [7, 7, -128, 127]], dtype=np.int8)
    for descending in (False, True):
        check(lambda lib, x: tuple(lib.sort(x, descending=descending, stable=True)), [ints])
        check(lambda lib, x: tuple(lib.sort(x, descending=descending, stable=True)),
              [ints.astype(np.int64)])
        check(lambda lib, x: tuple(lib.sort(x, descending=descending, stable=True)),
              [ints.astype(np.uint8)])
        check(lambda lib, x: tuple(lib.sort(x, descending=descending, stable=True)),
              [np.array([True, False, True, False])])


def test_sort_edge_shapes():
    check(lambda lib, x: tuple(lib.sort(x, 0)), [(0, 3)])
    check(lambda lib, x: tuple(lib.sort(x, 1)), [(0, 3)])
    check(lambda lib, x: tuple(lib.sort(x)), [()])
    check(lambda lib, x: tuple(lib.sort(x, 1)), [(3, 1)])
    check(lambda lib, x: lib.argsort(x), [()])
    with pytest.raises(IndexError, match="Dimension out of range"):
        minitorch.sort(minitorch.ones(2, 3), 2)
    result = minitorch.sort(minitorch.tensor([2.0, 1.0]))
    assert type(result).__name__ == "sort" and result.values.tolist() == [1.0, 2.0]
    assert result.indices.tolist() == [1, 0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [0, -1])
def test_topk(dim, largest, dtype):
    for k in (1, 3):
        out = check(lambda lib, x: tuple(lib.topk(x, k, dim, largest)), [(4, 5)], dtype=dtype)
        assert out[1].dtype == minitorch.int64
        check(lambda lib, x: tuple(x.topk(k, dim=dim, largest=largest)), [(3, 4, 5)],
              dtype=dtype, permuted=True)
    check_gradcheck(lambda lib, x: lib.topk(x, 2, dim, largest).values, [(3, 4)])


def test_topk_unsorted_and_edges():
    # sorted=False lets both libraries return any order: compare after sorting the values
    def unsorted(lib, x):
        values, indices = lib.topk(x, 3, sorted=False)
        return values.sort().values, indices.sort().values
    check(unsorted, [(4, 6)])
    check(lambda lib, x: tuple(lib.topk(x, 0)), [(2, 3)])
    check(lambda lib, x: tuple(lib.topk(x, 3)), [(2, 3)])
    check(lambda lib, x: tuple(lib.topk(x, 1)), [()])
    check(lambda lib, x: lib.topk(x, 2, 1).values, [(3, 4)], dtype="float64", second_order=True)
    with pytest.raises(RuntimeError, match="out of range"):
        minitorch.topk(minitorch.ones(2, 3), 4)
    assert type(minitorch.topk(minitorch.ones(3), 1)).__name__ == "topk"


def test_topk_distinct_ties():
    """With ties, PyTorch's choice among equal elements is unspecified (so are the gradients,
    which follow the chosen indices); the values agree."""
    check(lambda lib, x: lib.topk(x, 4, 1).values, [TIES], grad=False)
    check(lambda lib, x: lib.topk(x, 2, 1, largest=False).values, [TIES], grad=False)


@pytest.mark.parametrize("return_inverse", [False, True])
@pytest.mark.parametrize("return_counts", [False, True])
def test_unique(return_inverse, return_counts):
    data = np.array([[3, 1, 2], [1, 3, 7]], dtype=np.int64)
    fn = lambda lib, x: lib.unique(x, return_inverse=return_inverse,  # noqa: E731
                                   return_counts=return_counts)
    check(fn, [data])
    check(fn, [data.astype(np.float32)], requires_grad=[False])
    check(lambda lib, x: x.unique(sorted=True), [np.array([True, False, True])])
    check(lambda lib, x: lib.unique(x), [np.zeros((0, 2), dtype=np.float32)], requires_grad=[False])
    with pytest.raises(NotImplementedError, match="dim"):
        minitorch.unique(minitorch.tensor(data), dim=0)


def test_sort_node_names_match_pytorch():
    x, tx = minitorch.tensor([2.0, 1.0], requires_grad=True), torch.tensor([2.0, 1.0], requires_grad=True)
    assert minitorch.sort(x).values.grad_fn.name() == torch.sort(tx).values.grad_fn.name()
    assert minitorch.topk(x, 1).values.grad_fn.name() == torch.topk(tx, 1).values.grad_fn.name()
    assert not minitorch.sort(x).indices.requires_grad
