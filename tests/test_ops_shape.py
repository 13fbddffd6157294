"""Shape and view ops, joining and splitting, rearranging copies: against PyTorch (values,
gradients, float32/float64, permuted inputs, negative dims, empty and size-1 dims), central
differences, second derivatives, strides, view semantics and PyTorch's errors."""
import numpy as np
import pytest
import torch

import minitorch
from oracle import check, check_gradcheck

# name -> (fn(lib, x), input shape). Each runs on contiguous and permuted inputs.
UNARY_SHAPE_OPS = {
    "reshape": (lambda lib, x: x.reshape(4, -1), (2, 3, 4)),
    "reshape_fn": (lambda lib, x: lib.reshape(x, (-1,)), (2, 3, 4)),
    "reshape_tuple": (lambda lib, x: x.reshape((3, 8)), (2, 3, 4)),
    "view_as_like": (lambda lib, x: x.contiguous().view(6, 4), (2, 3, 4)),
    "flatten": (lambda lib, x: x.flatten(), (2, 3, 4)),
    "flatten_mid": (lambda lib, x: lib.flatten(x, 1, -1), (2, 3, 4)),
    "flatten_same": (lambda lib, x: x.flatten(-2, -2), (2, 3, 4)),
    "unflatten": (lambda lib, x: x.unflatten(-1, (2, -1)), (2, 3, 4)),
    "squeeze_all": (lambda lib, x: x.squeeze(), (2, 1, 3, 1)),
    "squeeze_dim": (lambda lib, x: x.squeeze(-1), (2, 1, 3, 1)),
    "squeeze_tuple": (lambda lib, x: lib.squeeze(x, (1, 3)), (2, 1, 3, 1)),
    "squeeze_noop": (lambda lib, x: x.squeeze(0), (2, 1, 3, 1)),
    "unsqueeze": (lambda lib, x: x.unsqueeze(1), (2, 3)),
    "unsqueeze_neg": (lambda lib, x: lib.unsqueeze(x, -1), (2, 3)),
    "permute": (lambda lib, x: x.permute(2, 0, 1), (2, 3, 4)),
    "permute_neg": (lambda lib, x: lib.permute(x, (-1, -3, -2)), (2, 3, 4)),
    "transpose": (lambda lib, x: x.transpose(0, -1), (2, 3, 4)),
    "swapaxes": (lambda lib, x: lib.swapaxes(x, 1, 2), (2, 3, 4)),
    "swapdims": (lambda lib, x: x.swapdims(0, 1), (2, 3, 4)),
    "t": (lambda lib, x: x.t(), (3, 4)),
    "T": (lambda lib, x: x.T, (3, 4)),
    "mT": (lambda lib, x: x.mT, (2, 3, 4)),
    "mH": (lambda lib, x: x.mH, (2, 3, 4)),
    "adjoint": (lambda lib, x: x.adjoint(), (2, 3, 4)),
    "movedim": (lambda lib, x: x.movedim(0, -1), (2, 3, 4)),
    "moveaxis_multi": (lambda lib, x: lib.moveaxis(x, (0, 1), (2, 0)), (2, 3, 4)),
    "expand": (lambda lib, x: x.expand(2, 3, 4), (3, 1)),
    "expand_keep": (lambda lib, x: x.expand(-1, 5), (3, 1)),
    "broadcast_to": (lambda lib, x: lib.broadcast_to(x, (2, 3, 4)), (1, 4)),
    "contiguous": (lambda lib, x: x.contiguous(), (2, 3, 4)),
    "narrow": (lambda lib, x: x.narrow(1, 1, 2), (2, 3, 4)),
    "narrow_neg": (lambda lib, x: lib.narrow(x, -1, -3, 2), (2, 3, 4)),
    "select": (lambda lib, x: x.select(1, -1), (2, 3, 4)),
    "diagonal": (lambda lib, x: x.diagonal(), (3, 4)),
    "diagonal_offset": (lambda lib, x: lib.diagonal(x, 1, -1, 0), (2, 3, 4)),
    "diagonal_neg": (lambda lib, x: x.diagonal(-1, 1, 2), (2, 3, 4)),
    "diag_matrix": (lambda lib, x: lib.diag(x, 1), (3, 4)),
    "tril": (lambda lib, x: x.tril(), (2, 3, 4)),
    "triu": (lambda lib, x: lib.triu(x, -1), (3, 4)),
    "tril_k": (lambda lib, x: lib.tril(x, 2), (4, 3)),
    "flip": (lambda lib, x: x.flip(0, -1), (2, 3, 4)),
    "fliplr": (lambda lib, x: lib.fliplr(x), (3, 4)),
    "flipud": (lambda lib, x: x.flipud(), (3, 4)),
    "roll": (lambda lib, x: x.roll(2, 1), (2, 3, 4)),
    "roll_multi": (lambda lib, x: lib.roll(x, (1, -2), (0, 2)), (2, 3, 4)),
    "roll_flat": (lambda lib, x: x.roll(5), (2, 3, 4)),
    "repeat": (lambda lib, x: x.repeat(2, 1, 3), (2, 3)),
    "repeat_same": (lambda lib, x: x.repeat(2, 2), (2, 3)),
    "tile": (lambda lib, x: lib.tile(x, (2,)), (2, 3)),
    "repeat_interleave": (lambda lib, x: x.repeat_interleave(2, dim=1), (2, 3)),
    "repeat_interleave_flat": (lambda lib, x: lib.repeat_interleave(x, 3), (2, 3)),
    "unbind": (lambda lib, x: x.unbind(1), (2, 3, 4)),
    "split_int": (lambda lib, x: x.split(2, -1), (2, 3, 5)),
    "split_sizes": (lambda lib, x: lib.split(x, [1, 0, 4], dim=2), (2, 3, 5)),
    "chunk": (lambda lib, x: x.chunk(3, 1), (2, 5, 3)),
    "chunk_fn": (lambda lib, x: lib.chunk(x, 2), (5, 3)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(UNARY_SHAPE_OPS))
def test_shape_ops_match_pytorch(name, dtype):
    fn, shape = UNARY_SHAPE_OPS[name]
    check(fn, [shape], dtype=dtype)
    check(fn, [shape], dtype=dtype, permuted=True)


@pytest.mark.parametrize("name", sorted(UNARY_SHAPE_OPS))
def test_shape_ops_central_differences(name):
    fn, shape = UNARY_SHAPE_OPS[name]
    check_gradcheck(fn, [shape])


@pytest.mark.parametrize("name", ["reshape", "unsqueeze", "permute", "expand", "narrow",
                                  "diagonal_offset", "tril", "roll_multi", "repeat",
                                  "repeat_interleave", "flip", "unbind", "split_sizes"])
def test_shape_ops_second_order(name):
    fn, shape = UNARY_SHAPE_OPS[name]
    check(lambda lib, x: fn(lib, x * x), [shape], dtype="float64", second_order=True)


@pytest.mark.parametrize("fn,shape", [
    (lambda lib, x: x.reshape(0, 5), (0, 5)),
    (lambda lib, x: x.reshape(-1, 1), (0, 3)),
    (lambda lib, x: x.flatten(), ()),
    (lambda lib, x: x.unsqueeze(0), ()),
    (lambda lib, x: x.squeeze(), ()),
    (lambda lib, x: x.squeeze(0), ()),
    (lambda lib, x: x.t(), (3,)),
    (lambda lib, x: x.t(), ()),
    (lambda lib, x: x.transpose(0, -1), ()),
    pytest.param(lambda lib, x: x.T, (2, 3, 4), marks=pytest.mark.filterwarnings("ignore")),
    (lambda lib, x: x.permute(1, 0), (0, 3)),
    (lambda lib, x: x.expand(4, 0, 3), (1, 3)[:0] + (0, 3)),
    (lambda lib, x: x.expand(2, 3), ()),
    (lambda lib, x: x.diagonal(), (0, 3)),
    (lambda lib, x: x.diagonal(5), (3, 3)),
    (lambda lib, x: x.flip(0), (0, 2)),
    (lambda lib, x: x.roll(1, 0), (0, 2)),
    (lambda lib, x: x.repeat(0, 2), (2, 3)),
    (lambda lib, x: x.tril(), (0, 3)),
    (lambda lib, x: x.split(2), (0, 3)),
    (lambda lib, x: x.chunk(2), (0, 3)),
    (lambda lib, x: x.unbind(0), (1, 3)),
    (lambda lib, x: x.narrow(0, 3, 0), (3, 2)),
    (lambda lib, x: x.movedim(0, 0), ()),
    (lambda lib, x: x.flip(()), (2, 2)),
    (lambda lib, x: x.repeat_interleave(0), (2, 2)),
])
def test_edge_shapes(fn, shape):
    check(fn, [shape])


def test_diag_of_vector():
    for k in (0, 2, -1):
        check(lambda lib, x: lib.diag(x, k), [(3,)], second_order=True, dtype="float64")
        check(lambda lib, x: x.diag(k), [(3,)])
    check_gradcheck(lambda lib, x: lib.diag(x, 1), [(3,)])


def test_repeat_interleave_with_counts():
    counts = np.array([1, 0, 3], dtype=np.int64)
    check(lambda lib, x, c: lib.repeat_interleave(x, c, dim=0), [(3, 2), counts],
          requires_grad=[True, False])
    check(lambda lib, x, c: x.repeat_interleave(c), [(3,), counts], requires_grad=[True, False])
    check(lambda lib, c: lib.repeat_interleave(c), [counts], requires_grad=[False])


def test_in_place_triangles():
    check(lambda lib, x: (x * 1).tril_(1), [(3, 4)])
    check(lambda lib, x: (x * 1).triu_(-1), [(3, 4)])


# --- joining -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("permuted", [False, True])
def test_cat_and_stack(dtype, permuted):
    opts = dict(dtype=dtype, permuted=permuted)
    check(lambda lib, a, b: lib.cat([a, b], 1), [(2, 3, 4), (2, 1, 4)], **opts)
    check(lambda lib, a, b: lib.cat((a, b), -1), [(2, 3, 4), (2, 3, 2)], **opts)
    check(lambda lib, a, b, c: lib.concat([a, b, c]), [(1, 3), (2, 3), (0, 3)], **opts)
    check(lambda lib, a, b: lib.concatenate([a, b], dim=0), [(2, 3), (4, 3)], **opts)
    check(lambda lib, a, b: lib.stack([a, b]), [(2, 3), (2, 3)], **opts)
    check(lambda lib, a, b: lib.stack([a, b], -1), [(2, 3), (2, 3)], **opts)
    check(lambda lib, a, b: lib.stack((a, b), 1), [(2, 3), (2, 3)], **opts)
    check(lambda lib, a, b: lib.hstack([a, b]), [(2, 3), (2, 1)], **opts)
    check(lambda lib, a, b: lib.vstack([a, b]), [(3,), (2, 3)], **opts)


def test_cat_second_order_and_central_differences():
    check(lambda lib, a, b: lib.cat([a * a, b], 1), [(2, 3), (2, 2)], dtype="float64",
          second_order=True)
    check(lambda lib, a, b: lib.stack([a * b, b]), [(2, 3), (2, 3)], dtype="float64",
          second_order=True)
    check_gradcheck(lambda lib, a, b: lib.cat([a, b], 0), [(2, 3), (1, 3)])
    check_gradcheck(lambda lib, a, b: lib.stack([a, b], 1), [(2, 3), (2, 3)])


def test_cat_promotes_dtypes():
    a64 = np.random.default_rng(0).standard_normal((2, 3))
    a32 = a64.astype(np.float32)
    ints = np.arange(6, dtype=np.int64).reshape(2, 3)
    out = check(lambda lib, a, b, c: lib.cat([a, b, c]), [a32, a64, ints],
                requires_grad=[True, True, False])
    assert out[0].dtype == minitorch.float64
    out = check(lambda lib, a, c: lib.stack([c, a]), [a32, ints], requires_grad=[True, False])
    assert out[0].dtype == minitorch.float32
    check(lambda lib, c: lib.cat([c, c], 1), [ints], requires_grad=[False])


def test_cat_skips_legacy_empty_vectors():
    check(lambda lib, a, e: lib.cat([a, e, a], 1), [(2, 3), (0,)])
    check(lambda lib, e: lib.cat([e, e]), [(0,)])


def test_cat_and_stack_errors():
    a, b = minitorch.zeros(3, 4), minitorch.zeros(4, 4)
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 1. "
                       "Expected size 3 but got size 4 for tensor number 1 in the list."):
        minitorch.cat([a, b], 1)
    with pytest.raises(RuntimeError, match="Tensors must have same number of dimensions: got 2 and 3"):
        minitorch.cat([a, minitorch.zeros(3, 4, 1)])
    with pytest.raises(ValueError, match="expected a non-empty list of Tensors"):
        minitorch.cat([])
    with pytest.raises(RuntimeError, match="zero-dimensional tensor \\(at position 0\\)"):
        minitorch.cat([minitorch.tensor(1.0)])
    with pytest.raises(IndexError, match="Dimension out of range"):
        minitorch.cat([a, a], 2)
    with pytest.raises(TypeError):
        minitorch.cat(a)
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size, but got "
                       "\\[3, 4\\] at entry 0 and \\[4, 4\\] at entry 1"):
        minitorch.stack([a, b])
    with pytest.raises(RuntimeError, match="stack expects a non-empty TensorList"):
        minitorch.stack([])


def test_split_chunk_unbind_are_views_with_summed_gradients():
    x = minitorch.arange(12.0).reshape(3, 4)
    pieces = x.split([1, 3], dim=1)
    assert [tuple(p.shape) for p in pieces] == [(3, 1), (3, 3)]
    pieces[1][0, 0] = 100.0
    assert x[0, 1].item() == 100.0 and x._version == pieces[0]._version
    assert [tuple(c.shape) for c in x.chunk(3, 1)] == [(3, 2), (3, 2)]  # fewer chunks, as in torch
    check(lambda lib, x: [p * (i + 1) for i, p in enumerate(x.chunk(4, 1))], [(2, 7)],
          dtype="float64", second_order=True)
    with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly to 4"):
        x.split([1, 2], 1)
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0"):
        x.chunk(0)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    check(lambda lib, a, b, c: lib.meshgrid(a, b, c, indexing=indexing), [(3,), (2,), (4,)])
    check(lambda lib, a, b: lib.meshgrid([a, b], indexing=indexing), [(3,), (2,)])
    check(lambda lib, a: lib.meshgrid(a, indexing=indexing), [(3,)])
    with pytest.warns(UserWarning, match="indexing"):
        minitorch.meshgrid(minitorch.zeros(2), minitorch.zeros(3))
    with pytest.raises(RuntimeError, match="indexing must be one of"):
        minitorch.meshgrid(minitorch.zeros(2), indexing="yx")


# --- strides, contiguity, views --------------------------------------------------------------

VIEW_CASES = [
    lambda x: x, lambda x: x.t(), lambda x: x.unsqueeze(1), lambda x: x.unsqueeze(-1),
    lambda x: x[:, None], lambda x: x.t()[:, None], lambda x: x[:, 1:2], lambda x: x.t()[0:1],
    lambda x: x.view(3, 1, 2, 2), lambda x: x.t().reshape(4, 1, 3), lambda x: x[:1].squeeze(),
    lambda x: x[:, :1].expand(3, 5), lambda x: x[:0], lambda x: x[:0].t(), lambda x: x[::2, ::3],
    lambda x: x[:1, :1], lambda x: x.diagonal(), lambda x: x[1], lambda x: x[:, 2],
    lambda x: x.permute(1, 0).unsqueeze(0), lambda x: x.narrow(1, 1, 2), lambda x: x.flatten(),
    lambda x: x[None, :, None], lambda x: x.reshape(12)[3:9].view(2, 3),
]


@pytest.mark.parametrize("case", range(len(VIEW_CASES)))
def test_stride_and_is_contiguous_match_pytorch(case):
    fn = VIEW_CASES[case]
    ours = fn(minitorch.arange(12.0).reshape(3, 4))
    theirs = fn(torch.arange(12.0).reshape(3, 4))
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.stride() == theirs.stride()
    assert ours.is_contiguous() == theirs.is_contiguous()
    if ours.ndim:
        assert ours.stride(-1) == theirs.stride(-1)
    contiguous = ours.contiguous()
    assert contiguous.is_contiguous()
    assert (contiguous is ours) == ours.is_contiguous()


@pytest.mark.parametrize("seed", range(4))
def test_views_of_strided_tensors_match_pytorch(seed):
    """Random permuted and sliced tensors viewed into random shapes of the same size: where
    PyTorch views, minitorch views with PyTorch's strides, sharing the memory (a write
    reaches the base); where PyTorch refuses, the same RuntimeError."""
    rng = np.random.default_rng(seed)
    viewed = 0
    for _ in range(150):
        dims = tuple(int(d) for d in rng.integers(1, 4, int(rng.integers(1, 4))))
        step = int(rng.integers(1, 3))
        order = rng.permutation(len(dims)).tolist()
        size = int(np.prod(dims))
        factors = [d for d in range(1, size + 1) if size % d == 0]
        first = int(rng.choice(factors))
        shape = [first, size // first] + ([1] if rng.random() < 0.3 else [])
        outcomes = []
        for lib in (torch, minitorch):
            base = lib.arange(float(size * step)).reshape(dims[:-1] + (dims[-1] * step,))
            x = base[..., ::step].permute(*order)
            try:
                view = x.view(*shape)
            except RuntimeError as err:
                outcomes.append(("error", type(err)))
                continue
            view.mul_(-1)  # through the view, into the base
            outcomes.append((tuple(view.stride()), view.tolist(), base.tolist()))
        assert outcomes[1] == outcomes[0]
        viewed += outcomes[0][0] != "error"
    assert viewed >= 50


@pytest.mark.parametrize("seed", range(3))
def test_rolls_of_permuted_tensors_match_pytorch(seed):
    """Random permuted and sliced tensors rolled by random shifts (negative, past the size,
    whole turns, a dim named twice, the flattened tensor): PyTorch's values, strides (a new
    contiguous tensor), gradient, and a result that shares no memory with the input."""
    rng = np.random.default_rng(seed)
    for _ in range(60):
        dims = tuple(int(d) for d in rng.integers(0 if rng.random() < 0.1 else 1, 5,
                                                  int(rng.integers(1, 4))))
        order = rng.permutation(len(dims)).tolist()
        rolled = int(rng.integers(1, 3))
        along = None if rng.random() < 0.2 else [int(d) for d in rng.integers(-len(dims), len(dims), rolled)]
        shifts = [int(s) for s in rng.integers(-7, 8, 1 if along is None else rolled)]
        values = rng.standard_normal(dims[:-1] + (2 * dims[-1],))
        outcomes = []
        for lib in (torch, minitorch):
            base = lib.tensor(values, requires_grad=True)
            x = base[..., ::2].permute(*order)
            y = lib.roll(x, shifts, along) if along is not None else lib.roll(x, shifts[0])
            (y * lib.arange(float(y.numel())).reshape(y.shape)).sum().backward()
            y.detach().mul_(0)  # a new tensor: the input keeps its numbers
            # (the strides of an empty tensor are arbitrary: PyTorch clones the input's)
            strides = tuple(y.stride()) if y.numel() else None
            outcomes.append((strides, y.tolist(), x.tolist(), base.grad.tolist()))
        assert outcomes[1] == outcomes[0], (dims, order, shifts, along)


def test_view_needs_compatible_strides():
    x = minitorch.zeros(3, 4)
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size "
                       "and stride"):
        x.t().view(12)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x[:, :1].expand(3, 5).view(15)
    assert not np.shares_memory(x.t().reshape(12)._data, x._data)  # reshape copies instead
    assert x.t().view(4, 1, 3).shape == (4, 1, 3)  # splitting one dim is fine
    assert x[:, 1:3].view(3, 2, 1).shape == (3, 2, 1)
    with pytest.raises(RuntimeError, match="shape '\\[-1, 5\\]' is invalid for input of size 12"):
        x.view(-1, 5)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.view(-1, -1)
    with pytest.raises(RuntimeError, match="invalid for input of size 12"):
        x.reshape(5, 3)
    with pytest.raises(NotImplementedError, match="view\\(dtype\\)"):
        x.view(minitorch.int32)


def test_views_share_memory_and_version_counter():
    base = minitorch.zeros(3, 4)
    views = [base.view(12), base.t(), base[1], base.unsqueeze(0), base.permute(1, 0),
             base.diagonal(), base.narrow(1, 1, 2), base.reshape(2, 6), base.flatten(),
             base.squeeze(), base.split(2)[1], base.unbind(1)[0], base.movedim(0, 1)]
    for i, v in enumerate(views):
        before = base._version
        v.add_(1.0)  # an in-place op on each view writes through to the base
        assert base._version == before + 1 and v._version == base._version
        assert v._base is base
    expected = torch.zeros(3, 4)
    for fn in (lambda t: t.view(12), lambda t: t.t(), lambda t: t[1], lambda t: t.unsqueeze(0),
               lambda t: t.permute(1, 0), lambda t: t.diagonal(), lambda t: t.narrow(1, 1, 2),
               lambda t: t.reshape(2, 6), lambda t: t.flatten(), lambda t: t.squeeze(),
               lambda t: t.split(2)[1], lambda t: t.unbind(1)[0], lambda t: t.movedim(0, 1)):
        fn(expected).add_(1.0)
    np.testing.assert_array_equal(base.numpy(), expected.numpy())
    # copies are not views
    for copy in (base.flip(0), base.roll(1), base.repeat(1, 1), base.tril(), minitorch.cat([base]),
                 base.t().reshape(12), base.diag()):
        copy.add_(1.0)
    np.testing.assert_array_equal(base.numpy(), expected.numpy())


def test_saved_tensor_modified_through_a_view_raises_in_backward():
    x = minitorch.randn(3, requires_grad=True)
    w = minitorch.ones(3)
    y = (x * w).sum()  # Mul saves w for x's gradient
    w[:2].mul_(2.0)    # through a view
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    # and through the base, for a saved view
    x = minitorch.randn(3, requires_grad=True)
    base = minitorch.ones(2, 3)
    y = (x * base[0]).sum()
    base.zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_transpose_of_a_transpose_is_still_a_view_without_copies():
    x = minitorch.randn(3, 4)
    assert np.shares_memory(x.t().t()._data, x._data)
    assert np.shares_memory(x.mT._data, x._data)
    assert np.shares_memory(x.expand(2, 3, 4)._data, x._data)


def test_node_names_follow_pytorch():
    x = minitorch.zeros(3, 3, requires_grad=True)
    assert x.t().grad_fn.name() == "TBackward0"
    assert x.unsqueeze(0).grad_fn.name() == "UnsqueezeBackward0"
    assert x.permute(1, 0).grad_fn.name() == "PermuteBackward0"
    assert x.reshape(9).grad_fn.name() == "ViewBackward0"
    assert x.t().reshape(9).grad_fn.name() == "UnsafeViewBackward0"
    assert x.expand(2, 3, 3).grad_fn.name() == "ExpandBackward0"
    assert x.flip(0).grad_fn.name() == "FlipBackward0"
    assert x.diagonal().grad_fn.name() == "DiagonalBackward0"
    assert x.tril().grad_fn.name() == "TrilBackward0"
    assert minitorch.cat([x, x]).grad_fn.name() == "CatBackward0"
    assert x[0].grad_fn.name() == "SelectBackward0"
    assert x[0:1].grad_fn.name() == "SliceBackward0"


def test_shape_errors_follow_pytorch():
    x = minitorch.zeros(2, 3, 4)
    with pytest.raises(IndexError, match="Dimension out of range \\(expected to be in range of "
                       "\\[-3, 2\\], but got 3\\)"):
        x.transpose(0, 3)
    with pytest.raises(RuntimeError, match="number of dimensions in the tensor input does not match"):
        x.permute(0, 1)
    with pytest.raises(RuntimeError, match="duplicate dims"):
        x.permute(0, 1, 1)
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D"):
        x.t()
    with pytest.raises(RuntimeError, match="tensor.mT is only supported on matrices"):
        minitorch.zeros(3).mT
    with pytest.raises(RuntimeError, match="The expanded size of the tensor \\(5\\) must match the "
                       "existing size \\(4\\) at non-singleton dimension 2"):
        x.expand(2, 3, 5)
    with pytest.raises(RuntimeError, match="must be greater or equal to the number of dimensions"):
        x.expand(3, 4)
    with pytest.raises(RuntimeError, match="start \\(2\\) \\+ length \\(3\\) exceeds dimension size \\(4\\)"):
        x.narrow(2, 2, 3)
    with pytest.raises(IndexError, match="start out of range"):
        x.narrow(2, 5, 0)
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims can not be smaller"):
        x.repeat(2, 2)
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        minitorch.zeros(3).tril()
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical"):
        x.diagonal(0, 1, -2)
    with pytest.raises(RuntimeError, match="diag\\(\\): Supports 1D or 2D tensors"):
        x.diag()
    with pytest.raises(RuntimeError, match="movedim: Invalid source or destination dims"):
        x.movedim((0, 1), 2)
    with pytest.raises(RuntimeError, match="dims has duplicates"):
        x.flip(0, -3)
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        x.roll((1, 2), 0)
    with pytest.raises(RuntimeError, match="unflatten: Provided sizes \\[3, 2\\] don't multiply up"):
        x.unflatten(2, (3, 2))
    with pytest.raises(RuntimeError, match="flatten\\(\\) has invalid args"):
        x.flatten(2, 1)


def test_keyword_forms_of_the_shape_arguments():
    check(lambda lib, x: lib.flip(x, dims=[0]), [(2, 3)])
    check(lambda lib, x: x.flip(dims=(0, 1)), [(2, 3)])
    check(lambda lib, x: lib.permute(x, dims=(1, 0)), [(2, 3)])
    check(lambda lib, x: lib.reshape(x, shape=(3, 2)), [(2, 3)])
    check(lambda lib, x: x.view(size=(3, 2)), [(2, 3)])
    check(lambda lib, x: x.expand(size=(2, 2, 3)), [(2, 3)])
    check(lambda lib, x: x.repeat(repeats=(2, 1)), [(2, 3)])
    with pytest.raises(TypeError, match="unexpected keyword argument 'shap'"):
        minitorch.zeros(2, 3).reshape(shap=(3, 2))
