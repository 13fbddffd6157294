"""Matrix products and einsum against PyTorch: values, gradients, float32/float64, permuted
(transposed) inputs, broadcasting batch dims, 1-D operands, empty dims, central differences,
second derivatives and PyTorch's errors."""
import numpy as np
import pytest
import torch

import minitorch
from oracle import check, check_gradcheck

MATMUL_SHAPES = [
    ((3, 4), (4, 2)),          # mm
    ((4,), (4,)),              # dot
    ((3, 4), (4,)),            # mv
    ((4,), (4, 2)),            # vector @ matrix
    ((2, 3, 4), (2, 4, 5)),    # bmm
    ((2, 3, 4), (4, 5)),       # batch @ matrix
    ((4,), (2, 4, 5)),         # vector @ batch
    ((2, 3, 4), (4,)),         # batch @ vector
    ((2, 1, 3, 4), (5, 4, 2)),  # broadcast batch dims
    ((1, 3, 4), (2, 4, 5)),
    ((3, 0), (0, 2)),          # empty inner dim
    ((0, 3), (3, 2)),
    ((1, 1), (1, 1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("permuted", [False, True])
@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_matches_pytorch(shapes, permuted, dtype):
    out = check(lambda lib, a, b: a @ b, list(shapes), dtype=dtype, permuted=permuted)
    assert out[0].dtype == getattr(minitorch, dtype)  # float32 stays float32
    check(lambda lib, a, b: lib.matmul(a, b), list(shapes), dtype=dtype, permuted=permuted)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4,)), ((3, 4), (4,)),
                                    ((4,), (4, 2)), ((2, 1, 3, 4), (5, 4, 2))], ids=str)
def test_matmul_second_order_and_central_differences(shapes):
    check(lambda lib, a, b: (a * a) @ b, list(shapes), dtype="float64", second_order=True)
    check_gradcheck(lambda lib, a, b: a @ b, list(shapes))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_named_products(dtype):
    opts = dict(dtype=dtype)
    check(lambda lib, a, b: lib.mm(a, b), [(3, 4), (4, 2)], permuted=True, **opts)
    check(lambda lib, a, b: a.mm(b), [(3, 4), (4, 2)], **opts)
    check(lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 4, 5)], permuted=True, **opts)
    check(lambda lib, a, b: lib.mv(a, b), [(3, 4), (4,)], permuted=True, **opts)
    check(lambda lib, a, b: a.dot(b), [(4,), (4,)], **opts)
    check(lambda lib, a, b: lib.vdot(a, b), [(4,), (4,)], **opts)
    check(lambda lib, a, b: lib.outer(a, b), [(3,), (4,)], **opts)
    check(lambda lib, a, b: a.ger(b), [(3,), (4,)], **opts)
    check(lambda lib, a, b: lib.inner(a, b), [(2, 4), (3, 4)], permuted=True, **opts)
    check(lambda lib, a, b: lib.inner(a, b), [(), (3, 4)], **opts)
    check(lambda lib, c, a, b: lib.addmm(c, a, b), [(3, 2), (3, 4), (4, 2)], **opts)
    check(lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=-2), [(2,), (3, 4), (4, 2)],
          **opts)
    check(lambda lib, c, a, b: c.addmm(a, b, beta=0), [(3, 2), (3, 4), (4, 2)], **opts)
    check(lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=3), [(2, 3, 5), (2, 3, 4), (2, 4, 5)],
          permuted=True, **opts)
    check(lambda lib, a, b: lib.tensordot(a, b), [(2, 3, 4), (3, 4, 5)], permuted=True, **opts)
    check(lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [2, 0])), [(2, 3, 4), (4, 3, 2)],
          **opts)
    check(lambda lib, a, b: lib.tensordot(a, b, dims=0), [(2, 3), (2,)], **opts)
    check(lambda lib, a, b: lib.tensordot(a, b, dims=([1], [0])), [(2, 3), (3,)], **opts)


def test_named_products_second_order():
    check(lambda lib, a, b: lib.bmm(a * a, b), [(2, 3, 4), (2, 4, 5)], dtype="float64",
          second_order=True)
    check(lambda lib, c, a, b: lib.addmm(c, a * a, b, alpha=2), [(3, 2), (3, 4), (4, 2)],
          dtype="float64", second_order=True)
    check(lambda lib, a, b: lib.tensordot(a * a, b, dims=([0], [1])), [(3, 4), (2, 3)],
          dtype="float64", second_order=True)
    check_gradcheck(lambda lib, a, b: lib.outer(a, b), [(3,), (2,)])
    check_gradcheck(lambda lib, a, b: lib.bmm(a, b), [(2, 3, 2), (2, 2, 3)])
    check_gradcheck(lambda lib, a, b: lib.mv(a, b), [(3, 2), (2,)])
    check_gradcheck(lambda lib, a, b: lib.dot(a, b), [(3,), (3,)])
    check_gradcheck(lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2), [(2,), (3, 2),
                                                                                 (2, 2)])
    check_gradcheck(lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [1, 0])),
                    [(2, 3, 2), (2, 2, 3)])
    check_gradcheck(lambda lib, a, b: lib.inner(a, b), [(2, 3), (2, 3)])
    check_gradcheck(lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=2), [(2, 3, 1), (2, 3, 2),
                                                                         (2, 2, 1)])


def test_integer_matmul():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    b = np.arange(12, dtype=np.int64).reshape(3, 4)
    out = check(lambda lib, a, b: a @ b, [a, b], requires_grad=[False, False])
    assert out[0].dtype == minitorch.int64
    check(lambda lib, a: a[0].dot(a[1]), [a], requires_grad=[False])


def test_transposed_operands_reach_matmul_without_copies():
    a = minitorch.randn(64, 32)
    b = minitorch.randn(64, 16)
    x = a.t()
    assert np.shares_memory(x._data, a._data) and not x.is_contiguous()
    np.testing.assert_allclose((x @ b).numpy(), a.numpy().T @ b.numpy(), rtol=1e-5, atol=1e-5)
    w = minitorch.randn(16, 32, requires_grad=True)
    y = (b @ w).sum()  # the backward multiplies by w.mT, a view
    y.backward()
    assert w.grad.dtype == minitorch.float32


EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 2)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (2,)]),
    ("ij->ji", [(3, 4)]),
    ("ij->i", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(2, 2, 3)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ij,kj->ik", [(3, 4), (2, 4)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)]),
    ("i...->...", [(3, 2, 4)]),
    ("ij,jk->ik", [(3, 1), (4, 2)]),      # size-1 dims broadcast, as in PyTorch
    ("Ab,bA->", [(2, 3), (3, 2)]),
    ("ij,jk->ik", [(0, 4), (4, 2)]),
    (" i j , j k -> i k ", [(3, 4), (4, 2)]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_matches_pytorch(equation, shapes, dtype):
    check(lambda lib, *xs: lib.einsum(equation, *xs), shapes, dtype=dtype)
    check(lambda lib, *xs: lib.einsum(equation, *xs), shapes, dtype=dtype, permuted=True)


@pytest.mark.parametrize("equation,shapes", [e for e in EINSUM if "0" not in str(e[1])][:18],
                         ids=[e for e, s in EINSUM if "0" not in str(s)][:18])
def test_einsum_second_order_and_central_differences(equation, shapes):
    check(lambda lib, *xs: lib.einsum(equation, *[x * x for x in xs]), shapes, dtype="float64",
          second_order=True)
    check_gradcheck(lambda lib, *xs: lib.einsum(equation, *xs), shapes)


def test_einsum_operand_list_and_integers():
    check(lambda lib, a, b: lib.einsum("ij,jk->ik", [a, b]), [(3, 4), (4, 2)])
    ints = np.arange(12, dtype=np.int64).reshape(3, 4)
    out = check(lambda lib, a: lib.einsum("ij->j", a), [ints], requires_grad=[False])
    assert out[0].dtype == minitorch.int64


def test_einsum_errors():
    a = minitorch.zeros(3, 4)
    with pytest.raises(RuntimeError, match="fewer operands were provided"):
        minitorch.einsum("ij,jk", a)
    with pytest.raises(RuntimeError, match="more operands were provided"):
        minitorch.einsum("ij", a, a)
    with pytest.raises(RuntimeError, match="invalid subscript given at index 1"):
        minitorch.einsum("i1", a)
    with pytest.raises(RuntimeError, match="number of subscripts in the equation \\(1\\) does not "
                       "match the number of dimensions \\(2\\) for operand 0"):
        minitorch.einsum("i", a)
    with pytest.raises(RuntimeError, match="subscript i is repeated for operand 0 but the sizes "
                       "don't match, 4 != 3"):
        minitorch.einsum("ii->i", a)
    with pytest.raises(RuntimeError, match="output subscript i appears more than once"):
        minitorch.einsum("ij->ii", a)
    with pytest.raises(RuntimeError, match="output subscript k does not appear"):
        minitorch.einsum("ij->k", a)
    with pytest.raises(RuntimeError, match="subscript j has size 5 for operand 1 which does not "
                       "broadcast with previously seen size 4"):
        minitorch.einsum("ij,jk->ik", a, minitorch.zeros(5, 2))
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        minitorch.einsum("ij,jk->ik", a, minitorch.zeros(4, 2, dtype=minitorch.float64))
    with pytest.raises(NotImplementedError, match="sublist"):
        minitorch.einsum(a, [0, 1])


def test_product_errors():
    x = minitorch.zeros(3, 4)
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied \\(3x4 and 5x2\\)"):
        minitorch.mm(x, minitorch.zeros(5, 2))
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied \\(3x4 and 5x2\\)"):
        x @ minitorch.zeros(5, 2)
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied \\(6x4 and 5x2\\)"):
        minitorch.zeros(2, 3, 4) @ minitorch.zeros(5, 2)
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied \\(1x3 and 4x2\\)"):
        minitorch.zeros(3) @ minitorch.zeros(4, 2)
    with pytest.raises(RuntimeError, match="mat2 must be a matrix"):
        minitorch.mm(x, minitorch.zeros(4))
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        minitorch.mm(minitorch.zeros(4), x)
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: "
                       "float != double"):
        x @ minitorch.zeros(4, 2, dtype=minitorch.float64)
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        minitorch.bmm(x, x)
    with pytest.raises(RuntimeError, match="Expected size for first two dimensions of batch2 tensor "
                       "to be: \\[2, 4\\] but got: \\[3, 4\\]."):
        minitorch.bmm(minitorch.zeros(2, 3, 4), minitorch.zeros(3, 4, 5))
    with pytest.raises(RuntimeError, match="Expected size for first two dimensions of batch2 tensor "
                       "to be: \\[2, 4\\] but got: \\[2, 5\\]."):
        minitorch.zeros(2, 3, 4) @ minitorch.zeros(2, 5, 2)
    with pytest.raises(RuntimeError, match="The size of tensor a \\(2\\) must match the size of "
                       "tensor b \\(3\\) at non-singleton dimension 0"):
        minitorch.zeros(2, 3, 4) @ minitorch.zeros(3, 4, 2)
    with pytest.raises(RuntimeError, match="The size of tensor a \\(6\\) must match the size of "
                       "tensor b \\(2\\) at non-singleton dimension 1"):
        minitorch.zeros(0, 6, 0, 1) @ minitorch.zeros(0, 2, 0, 1)  # before the inner sizes
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 2D tensors"):
        minitorch.dot(x, x)
    with pytest.raises(RuntimeError, match="inconsistent tensor size, expected tensor \\[3\\] and "
                       "src \\[4\\]"):
        minitorch.zeros(3) @ minitorch.zeros(4)
    with pytest.raises(RuntimeError, match="dot : expected both vectors to have same dtype, but "
                       "found Float and Double"):
        minitorch.dot(minitorch.zeros(3), minitorch.zeros(3, dtype=minitorch.float64))
    with pytest.raises(RuntimeError, match="size mismatch, got input \\(3\\), mat \\(3x4\\), vec \\(3\\)"):
        x @ minitorch.zeros(3)
    with pytest.raises(RuntimeError, match="vector \\+ matrix @ vector expected, got 1, 2, 2"):
        minitorch.mv(x, minitorch.zeros(4, 1))
    with pytest.raises(RuntimeError, match="both arguments to matmul need to be at least 1D"):
        minitorch.matmul(minitorch.tensor(1.0), minitorch.zeros(3))
    with pytest.raises(TypeError, match="argument 'other' \\(position 2\\) must be Tensor, not int"):
        minitorch.matmul(x, 5)
    with pytest.raises(TypeError):
        x @ 5
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument self, but got 2-D"):
        minitorch.outer(x, minitorch.zeros(3))
    with pytest.raises(RuntimeError, match="contracted dimensions need to match, but first has "
                       "size 3 in dim 0 and second has size 4 in dim 0"):
        minitorch.tensordot(x, minitorch.zeros(4, 2), dims=([0], [0]))
    with pytest.raises(RuntimeError, match="tensordot expects dims >= 0"):
        minitorch.tensordot(x, x, dims=-1)


def test_node_names_follow_pytorch():
    a = minitorch.zeros(3, 4, requires_grad=True)
    assert (a @ minitorch.zeros(4, 2)).grad_fn.name() == "MmBackward0"
    assert (a @ minitorch.zeros(4)).grad_fn.name() == "MvBackward0"
    assert (a[0] @ minitorch.zeros(4)).grad_fn.name() == "DotBackward0"
    assert minitorch.bmm(a[None], minitorch.zeros(1, 4, 2)).grad_fn.name() == "BmmBackward0"
    assert minitorch.einsum("ij->j", a).grad_fn.name() == "EinsumBackward0"
    assert minitorch.outer(a[0], a[1]).grad_fn.name() == "MulBackward0"


def test_matmul_saved_operand_modified_in_place_raises():
    a = minitorch.randn(3, 4, requires_grad=True)
    b = minitorch.randn(4, 2)
    y = (a @ b).sum()
    b.t()[0].mul_(2.0)  # through a view of the saved operand
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_operator_without_recording_matches_pytorch(shapes):
    # `@` computes directly (no Function) when nothing is recorded: same values and shapes
    rng = np.random.default_rng(3)
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    with minitorch.no_grad():
        ours = minitorch.tensor(a) @ minitorch.tensor(b)
    theirs = torch.tensor(a) @ torch.tensor(b)
    assert type(ours) is minitorch.Tensor and ours.shape == theirs.shape
    assert ours.dtype == minitorch.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [lambda lib: lib.ones(2, 3) @ lib.ones(2, 3),
                                  lambda lib: lib.tensor(2.0) @ lib.tensor(3.0),
                                  lambda lib: lib.ones(3) @ 3.0], ids=["shapes", "0-d", "number"])
def test_operator_without_recording_raises_pytorch_errors(make):
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(type(theirs.value)) as ours:
        make(minitorch)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("dtypes, recorded", [
    (("float32", "int64"), False), (("int64", "float32"), False), (("float64", "float32"), False),
    (("float32", "float64"), False), (("int64", "int32"), False),
    (("float32", "int64"), True), (("float64", "float32"), True), (("float32", "float64"), True)])
def test_empty_batched_matmul_of_two_dtypes_as_pytorch(dtypes, recorded):
    """PyTorch's batched product returns early for an empty batch, before its dtype check:
    the empty result takes `other`'s dtype, and recording an integer result is an error.
    (`recorded` makes the first operand require grad; when only the second one does,
    PyTorch's choice between this and its dtype error depends on the shapes in ways not
    modelled here.)"""
    a_dtype, b_dtype = dtypes
    results = {}
    for lib in (minitorch, torch):
        a = lib.zeros((0, 3, 2), dtype=getattr(lib, a_dtype), requires_grad=recorded)
        b = lib.zeros((1, 2, 4), dtype=getattr(lib, b_dtype))
        try:
            out = a @ b
            results[lib] = (str(out.dtype).split(".")[-1], tuple(out.shape), out.requires_grad)
        except RuntimeError as error:
            results[lib] = str(error)
    assert results[minitorch] == results[torch]
