"""Indexing (``x[key]``, ``x[key] = v``) and the gather/scatter family against PyTorch:
values, gradients (repeated indices accumulate), float32/float64, permuted inputs, second
derivatives, central differences, in-place semantics and PyTorch's errors."""
import warnings

import numpy as np
import pytest
import torch

import minitorch
from oracle import check, check_gradcheck


def _lib_tensor(lib, values, dtype=None):
    return lib.tensor(values, dtype=getattr(lib, dtype) if dtype else None)


# fn(lib, x) with x of shape (3, 4, 5)
GETITEM = {
    "int": lambda lib, x: x[1],
    "neg_int": lambda lib, x: x[-1, -2],
    "all_ints": lambda lib, x: x[0, 1, 2],
    "slice": lambda lib, x: x[1:],
    "slice_step": lambda lib, x: x[::2, 1::2, :4:3],
    "slice_neg": lambda lib, x: x[-2:, :-1],
    "slice_past_end": lambda lib, x: x[1:10, 7:],
    "none": lambda lib, x: x[None, :, None],
    "ellipsis": lambda lib, x: x[..., 1],
    "ellipsis_none": lambda lib, x: x[1, ..., None, 2:],
    "list": lambda lib, x: x[[0, 2, 2]],
    "tensor": lambda lib, x: x[_lib_tensor(lib, [2, 0, 2, 2])],
    "tensor_2d": lambda lib, x: x[:, _lib_tensor(lib, [[0, 1], [3, 3]])],
    "two_tensors": lambda lib, x: x[_lib_tensor(lib, [0, 2]), :, _lib_tensor(lib, [4, 4])],
    "adjacent_tensors": lambda lib, x: x[:, [1, 1, 0], [0, 4, 4]],
    "broadcast_tensors": lambda lib, x: x[_lib_tensor(lib, [[0], [2]]), _lib_tensor(lib, [1, 3])],
    "int_and_list": lambda lib, x: x[1, :, [0, 0, 3]],
    "int_then_list_apart": lambda lib, x: x[:, 0, [1, 2]],
    "neg_tensor": lambda lib, x: x[_lib_tensor(lib, [-1, -3])],
    "mask": lambda lib, x: x[x > 0],
    "mask_row": lambda lib, x: x[_lib_tensor(lib, [True, False, True])],
    "mask_2d": lambda lib, x: x[x[..., 0] > 0],
    "mask_then_slice": lambda lib, x: x[_lib_tensor(lib, [True, False, True]), 1:],
    "mask_and_list": lambda lib, x: x[_lib_tensor(lib, [True, False, True]), :, [1, 2]],
    "none_and_tensor": lambda lib, x: x[None, [0, 1]],
    "tensor_none_tensor": lambda lib, x: x[[0, 1], None, [1, 2]],
    "bool_true": lambda lib, x: x[True],
    "bool_false": lambda lib, x: x[False],
    "zero_dim_index": lambda lib, x: x[_lib_tensor(lib, 1)],
    "int32_index": lambda lib, x: x[_lib_tensor(lib, [2, 2], "int32")],
    "empty_list": lambda lib, x: x[_lib_tensor(lib, [], "int64")],
    "empty_slice": lambda lib, x: x[2:1],
    "full_slice": lambda lib, x: x[:],
    "only_ellipsis": lambda lib, x: x[...],
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem_matches_pytorch(name, dtype):
    check(GETITEM[name], [(3, 4, 5)], dtype=dtype)
    check(GETITEM[name], [(3, 4, 5)], dtype=dtype, permuted=True)


@pytest.mark.parametrize("name", ["int", "slice_step", "tensor", "two_tensors", "mask",
                                  "int_and_list", "ellipsis_none", "broadcast_tensors"])
def test_getitem_second_order_and_central_differences(name):
    fn = GETITEM[name]
    check(lambda lib, x: fn(lib, x * x), [(3, 4, 5)], dtype="float64", second_order=True)
    check_gradcheck(fn, [(3, 4, 5)])


def test_repeated_indices_accumulate_gradients():
    out = check(lambda lib, x: x[[0, 0, 0, 1]] * 2, [(3,)])
    x = minitorch.ones(3, requires_grad=True)
    x[[0, 0, 2]].sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 1.0]
    assert out[0].grad_fn.name() == "MulBackward0"


def test_getitem_on_scalar_and_edge_shapes():
    check(lambda lib, x: x[...], [()])
    check(lambda lib, x: x[None], [()])
    check(lambda lib, x: x[True], [()])
    check(lambda lib, x: x[0], [(1,)])
    check(lambda lib, x: x[:, 0], [(0, 3)])
    check(lambda lib, x: x[x > 0], [(0, 3)])


def test_basic_index_is_a_view_advanced_is_a_copy():
    x = minitorch.zeros(3, 4)
    x[1][2:].add_(1.0)
    x[:, 0][None].fill_(5.0)
    assert x.tolist() == [[5, 0, 0, 0], [5, 0, 1, 1], [5, 0, 0, 0]]
    x[[0, 1]].add_(100.0)
    x[minitorch.tensor(1)].add_(100.0)  # PyTorch copies for a 0-d index tensor too
    x[x > 2].add_(100.0)
    assert x.tolist() == [[5, 0, 0, 0], [5, 0, 1, 1], [5, 0, 0, 0]]


# --- setitem -----------------------------------------------------------------------------

SETITEM = {
    "int_scalar": (lambda lib, x: x.__setitem__(1, 2.5)),
    "slice_tensor": (lambda lib, x: x.__setitem__((slice(None), slice(1, 3)), lib.ones(3, 2, 5))),
    "broadcast_row": (lambda lib, x: x.__setitem__(0, lib.arange(5.0))),
    "mask_scalar": (lambda lib, x: x.__setitem__(x > 0, 0.0)),
    "mask_values": (lambda lib, x: x.__setitem__(x[..., 0] > 0, -1.0)),
    "list": (lambda lib, x: x.__setitem__([0, 2], lib.zeros(4, 5, dtype=x.dtype))),
    "int_and_list": (lambda lib, x: x.__setitem__((0, slice(None), [1, 2]),
                                                  lib.arange(8.0, dtype=x.dtype).reshape(4, 2))),
    "ellipsis": (lambda lib, x: x.__setitem__((Ellipsis, 1), 7.0)),
    "none": (lambda lib, x: x.__setitem__((None, 1), 3.0)),
}


@pytest.mark.parametrize("name", sorted(SETITEM))
@pytest.mark.parametrize("permuted", [False, True])
def test_setitem_without_grad_matches_pytorch(name, permuted):
    def fn(lib, x):
        with lib.no_grad():
            y = x.detach().clone() if not permuted else x.detach()
            SETITEM[name](lib, y)
        return y
    check(fn, [(3, 4, 5)], permuted=permuted, requires_grad=[False])


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_is_recorded_in_the_graph(name):
    def fn(lib, x):
        y = x * 2
        SETITEM[name](lib, y)
        return y
    check(fn, [(3, 4, 5)], dtype="float64", second_order=True)


def test_setitem_gradient_flows_to_the_value():
    def fn(lib, x, v):
        y = x * 1
        y[1:, [0, 2]] = v
        return y * y
    check(fn, [(3, 4), (1, 2)], dtype="float64", second_order=True)
    check_gradcheck(fn, [(3, 4), (1, 2)])

    def into_zeros(lib, v):
        out = lib.zeros(2, 3, dtype=v.dtype, device=v.device)
        out[0] = v
        out[1, 1:] = v[:2] * 3
        return out
    check(into_zeros, [(3,)], second_order=True)


def test_setitem_casts_the_value_and_keeps_its_dtype_gradient():
    x = minitorch.zeros(2, 3, dtype=minitorch.int64)
    x[0] = 1.7
    assert x.tolist() == [[1, 1, 1], [0, 0, 0]]
    check(lambda lib, v: _put_into_float32(lib, v), [(3,)], dtype="float64")


def _put_into_float32(lib, v):
    out = lib.zeros(2, 3, device=v.device)
    out[1] = v
    return out


def test_setitem_bumps_version_and_is_seen_by_views():
    x = minitorch.zeros(3, 4)
    row = x[1]
    before = x._version
    x[1, 2] = 5.0
    assert x._version == before + 1 and row._version == x._version and row[2].item() == 5.0
    row[0] = 3.0
    assert x[1, 0].item() == 3.0 and x._version == before + 2
    w = minitorch.ones(3)
    a = minitorch.randn(3, requires_grad=True)
    y = (a * w).sum()
    w[0] = 2.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_setitem_errors():
    leaf = minitorch.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf[0] = 1.0
    with minitorch.no_grad():
        leaf[0] = 1.0  # allowed without recording, as in PyTorch
    assert leaf[0].item() == 1.0
    x = minitorch.zeros(3, 4)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x[[0, 1]] = minitorch.ones(3, 4)
    with pytest.raises(RuntimeError):
        x[0] = minitorch.ones(5)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x[5] = 1.0
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[0, 0, 0] = 1.0


def test_getitem_errors():
    x = minitorch.zeros(3, 4)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x[5]
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 1 with size 4"):
        x[:, 7]
    with pytest.raises(IndexError, match="index -4 is out of bounds for dimension 0 with size 3"):
        x[-4]
    with pytest.raises(IndexError, match="out of bounds for dimension 0 with size 3"):
        x[minitorch.tensor([0, 5])]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        x[minitorch.tensor([0.0])]
    with pytest.raises(IndexError, match="The shape of the mask \\[3, 5\\] at index 1 does not "
                       "match the shape of the indexed tensor \\[3, 4\\] at index 1"):
        x[minitorch.zeros(3, 5, dtype=minitorch.bool)]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[0, 0, 0]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]
    with pytest.raises(IndexError, match="only integers, slices"):
        x[1.5]


# --- gather / scatter family ------------------------------------------------------------------

def _index(values):
    return np.array(values, dtype=np.int64)


IDX_3x2 = _index([[0, 3], [2, 2], [1, 0]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("permuted", [False, True])
def test_gather_family(dtype, permuted):
    opts = dict(dtype=dtype, permuted=permuted)
    check(lambda lib, x, i: lib.gather(x, 1, i), [(3, 4), IDX_3x2], **opts)
    check(lambda lib, x, i: x.gather(-1, i), [(3, 4), IDX_3x2[:2]], **opts)  # smaller index
    check(lambda lib, x, i: x.gather(0, i), [(4, 3), IDX_3x2.T.copy() % 3], **opts)
    check(lambda lib, x, i: lib.take_along_dim(x, i, 1), [(3, 4), IDX_3x2], **opts)
    check(lambda lib, x, i: x.take_along_dim(i, dim=0), [(3, 4), _index([[0, 2, 2, 1]])], **opts)
    # (PyTorch itself fails on permuted inputs here: it flattens with view)
    check(lambda lib, x, i: lib.take_along_dim(x, i), [(3, 4), _index([11, 0, 0])], dtype=dtype)
    check(lambda lib, x, i: x.index_select(1, i), [(3, 4), _index([3, 0, 3])], **opts)
    check(lambda lib, x, i: lib.index_select(x, -2, i), [(3, 4), _index([2])], **opts)
    check(lambda lib, x, m: x.masked_select(m), [(3, 4), np.eye(3, 4, dtype=bool)], **opts)
    check(lambda lib, x, m: lib.masked_select(x, m), [(3, 1), np.eye(3, 4, dtype=bool)], **opts)
    check(lambda lib, x, m: x.masked_fill(m, -1.5), [(3, 4), np.eye(3, 4, dtype=bool)], **opts)
    check(lambda lib, x, m: lib.masked_fill(x, m, 2), [(3, 1), np.eye(3, 4, dtype=bool)], **opts)
    check(lambda lib, x, m: x.masked_fill(m, 0.0), [(3, 4), np.array([True, False, False, True])],
          **opts)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("permuted", [False, True])
def test_scatter_family(dtype, permuted):
    opts = dict(dtype=dtype, permuted=permuted)
    unique = _index([[0, 3], [2, 1], [1, 0]])  # scatter with repeats is order-dependent
    # a source larger than the index: PyTorch has no gradient for it then
    check(lambda lib, x, i, s: x.scatter(1, i, s), [(3, 4), unique, (3, 3)], **opts,
          requires_grad=[True, False, False])
    check(lambda lib, x, i, s: lib.scatter(x, 1, i, s), [(3, 4), unique, (3, 2)], **opts)
    check(lambda lib, x, i: x.scatter(1, i, 5.0), [(3, 4), unique], **opts)
    check(lambda lib, x, i: lib.scatter(x, 1, i, value=-1.0), [(3, 4), unique], **opts)
    check(lambda lib, x, i, s: x.scatter_add(1, i, s), [(3, 4), IDX_3x2, (3, 2)], **opts)
    check(lambda lib, x, i, s: x.scatter_add(1, i, s), [(3, 4), IDX_3x2, (3, 3)], **opts,
          requires_grad=[True, False, False])
    check(lambda lib, x, i, s: lib.scatter_add(x, 0, i, s), [(4, 2), IDX_3x2, (3, 2)], **opts)
    with warnings.catch_warnings():  # PyTorch deprecates reduce= (and has no derivative for it)
        warnings.simplefilter("ignore")
        check(lambda lib, x, i, s: x.scatter(1, i, s, reduce="add"), [(3, 4), IDX_3x2, (3, 2)],
              **opts, requires_grad=[False, False, False])
    check(lambda lib, x, i, s: x.index_add(1, i, s), [(3, 4), _index([0, 0, 3]), (3, 3)], **opts)
    check(lambda lib, x, i, s: lib.index_add(x, 0, i, s, alpha=2.5), [(3, 4), _index([2, 2]),
                                                                      (2, 4)], **opts)
    check(lambda lib, x, i: x.index_fill(1, i, -2.0), [(3, 4), _index([0, 2])], **opts)
    # 0-d value tensors (the oracle's `permuted` would turn them into 1-D ones)
    check(lambda lib, x, i, v: x.index_fill(0, i, v), [(3, 4), _index([1]), ()], dtype=dtype)
    check(lambda lib, x, m, v: x.masked_fill(m, v), [(3, 4), np.eye(3, 4, dtype=bool), ()],
          dtype=dtype)


def _ix(lib, values, like):
    """An index tensor on the device of ``like`` (the oracle may run minitorch on a GPU)."""
    return lib.tensor(values, device=like.device)


UNIQUE = [[0, 3], [2, 1], [1, 0]]  # scatter with repeated indices is order-dependent


def test_gather_scatter_second_order_and_central_differences():
    i = IDX_3x2
    cases = [
        (lambda lib, x: (x * x).gather(1, _ix(lib, i, x)), [(3, 4)]),
        (lambda lib, x, s: (x * x).scatter_add(1, _ix(lib, i, x), s * s), [(3, 4), (3, 2)]),
        (lambda lib, x, s: (x * s[:, :1]).scatter(1, _ix(lib, UNIQUE, x), s * s),
         [(3, 4), (3, 2)]),
        (lambda lib, x: (x * x).index_select(0, _ix(lib, [2, 2, 0], x)), [(3, 4)]),
        (lambda lib, x, s: (x * x).index_add(1, _ix(lib, [3, 3], x), s * s), [(3, 4), (3, 2)]),
        (lambda lib, x, v: (x * x).masked_fill(x > 0, v * v), [(3, 4), ()]),
        (lambda lib, x: (x * x).masked_select(x > 0), [(3, 4)]),
        (lambda lib, x: (x * x).take_along_dim(_ix(lib, [[1], [0], [3]], x), 1), [(3, 4)]),
        (lambda lib, x, v: (x * x).index_fill(1, _ix(lib, [0, 3], x), v * v), [(3, 4), ()]),
    ]
    for fn, shapes in cases:
        check(fn, shapes, dtype="float64", second_order=True)
        check_gradcheck(fn, shapes)


def test_in_place_variants():
    i = IDX_3x2
    mask = np.eye(3, 4, dtype=bool)
    check(lambda lib, x, s: (x * 1).scatter_(1, _ix(lib, UNIQUE, x), s), [(3, 4), (3, 2)])
    check(lambda lib, x: (x * 1).scatter_(1, _ix(lib, UNIQUE, x), 3.0), [(3, 4)])
    check(lambda lib, x, s: (x * 1).scatter_add_(1, _ix(lib, i, x), s), [(3, 4), (3, 2)])
    check(lambda lib, x, s: (x * 1).index_add_(0, _ix(lib, [0, 0], x), s), [(3, 4), (2, 4)])
    check(lambda lib, x: (x * 1).index_fill_(1, _ix(lib, [1], x), 0.5), [(3, 4)])
    check(lambda lib, x, m: (x * 1).masked_fill_(m, 0.25), [(3, 4), mask])
    x = minitorch.zeros(3, 4)
    before = x._version
    assert x.masked_fill_(minitorch.tensor(mask), 1.0) is x and x._version == before + 1
    assert x.sum().item() == 3.0
    x.index_add_(1, minitorch.tensor([0, 0]), minitorch.ones(3, 2))
    assert x[:, 0].tolist() == [3.0, 2.0, 2.0]


def test_nonzero():
    values = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]], dtype=np.float32)
    for as_tuple in (False, True):
        check(lambda lib, x: lib.nonzero(x, as_tuple=as_tuple), [values], requires_grad=[False])
        check(lambda lib, x: x.nonzero(as_tuple=as_tuple), [np.zeros((0, 3), np.float32)],
              requires_grad=[False])
        check(lambda lib, x: x.nonzero(as_tuple=as_tuple), [np.array(3.0, np.float32)],
              requires_grad=[False])
    check(lambda lib, x: lib.argwhere(x), [values], requires_grad=[False])


def test_gather_scatter_on_edge_shapes():
    check(lambda lib, x: x.gather(0, lib.zeros(0, 3, dtype=lib.int64, device=x.device)), [(2, 3)])
    check(lambda lib, x: x.index_select(0, lib.zeros(0, dtype=lib.int64, device=x.device)), [(2, 3)])
    check(lambda lib, x: x.gather(0, _ix(lib, 0, x)), [()])
    check(lambda lib, x: x.masked_fill(x > 0, 0.0), [(0, 3)])
    check(lambda lib, x: x.index_select(0, _ix(lib, 1, x)), [(3, 2)])


def test_gather_scatter_errors():
    x = minitorch.zeros(3, 4)
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 1 with size 4"):
        x.gather(1, minitorch.tensor([[5]]))
    with pytest.raises(RuntimeError, match="out of bounds for dimension 1 with size 4"):
        x.gather(1, minitorch.tensor([[-1]]))
    with pytest.raises(RuntimeError, match="gather\\(\\): Expected dtype int32/int64 for index"):
        x.gather(1, minitorch.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions"):
        x.gather(1, minitorch.tensor([0]))
    with pytest.raises(RuntimeError, match="Size does not match at dimension 0 expected index"):
        x.gather(1, minitorch.zeros(4, 4, dtype=minitorch.int64))
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        x.scatter(1, minitorch.zeros(2, 2, dtype=minitorch.int64), minitorch.ones(3, 3).double())
    with pytest.raises(RuntimeError, match="to be no larger than self"):
        x.scatter(1, minitorch.zeros(2, 5, dtype=minitorch.int64), minitorch.ones(3, 3))
    with pytest.raises(RuntimeError, match="index 4 is out of bounds for dimension 1 with size 4"):
        x.scatter_add(1, minitorch.full((2, 2), 4), minitorch.ones(3, 3))
    with pytest.raises(IndexError, match="index out of range in self"):
        x.index_select(0, minitorch.tensor([0, 9]))
    with pytest.raises(RuntimeError, match="index 9 is out of bounds for dimension 1 with size 4"):
        x.index_add(1, minitorch.tensor([0, 9]), minitorch.ones(3, 2))
    with pytest.raises(IndexError, match="index out of range in self"):
        minitorch.zeros(3).index_add(0, minitorch.tensor([0, 9]), minitorch.ones(2))
    with pytest.raises(IndexError, match="index 9 is out of bounds for dimension 1 with size 4"):
        x.index_fill(1, minitorch.tensor([0, 9]), 1.0)
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_select(1, minitorch.tensor([[1]]))
    with pytest.raises(RuntimeError, match="Expected dtype int32 or int64 for index"):
        x.index_select(1, minitorch.tensor([0.0]))
    with pytest.raises(RuntimeError, match="Number of indices \\(2\\) should be equal to "
                       "source.size\\(dim\\): \\(3\\), for dim: 1"):
        x.index_add(1, minitorch.tensor([0, 0]), minitorch.ones(3, 3))
    with pytest.raises(RuntimeError, match="must have the same scalar type"):
        x.index_add(1, minitorch.tensor([0, 0]), minitorch.ones(3, 2).double())
    with pytest.raises(RuntimeError, match="masked_fill_ only supports boolean masks"):
        x.masked_fill(minitorch.zeros(3, 4), 1.0)
    with pytest.raises(RuntimeError, match="only supports a 0-dimensional value tensor"):
        x.masked_fill(minitorch.zeros(3, 4, dtype=minitorch.bool), minitorch.ones(2))
    with pytest.raises(RuntimeError, match="output with shape \\[3, 1\\] doesn't match the "
                       "broadcast shape \\[3, 4\\]"):
        minitorch.zeros(3, 1).masked_fill_(minitorch.zeros(3, 4, dtype=minitorch.bool), 1.0)
    with pytest.raises(RuntimeError, match="masked_select: expected BoolTensor for mask"):
        x.masked_select(minitorch.ones(4))
    with pytest.raises(RuntimeError, match="should have the same number of dimensions"):
        x.take_along_dim(minitorch.zeros(2, dtype=minitorch.int64), 0)
    with pytest.raises(NotImplementedError, match="reduce='multiply'"):
        x.scatter(1, minitorch.zeros(3, 1, dtype=minitorch.int64), 2.0, reduce="multiply")
