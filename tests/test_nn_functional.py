"""nn.functional against PyTorch through the oracle: values and gradients on random,
permuted (non-contiguous) and float64 inputs, central differences, second order for a
representative subset, and PyTorch's errors."""
import warnings

import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn.functional as F
from oracle import DEVICE, check, check_gradcheck

# (name, function of (lib, x)); each runs the same code on both libraries
ACTIVATIONS = [
    ("relu", lambda lib, x: lib.nn.functional.relu(x)),
    ("relu6", lambda lib, x: lib.nn.functional.relu6(x * 4)),
    ("leaky_relu", lambda lib, x: lib.nn.functional.leaky_relu(x, 0.1)),
    ("elu", lambda lib, x: lib.nn.functional.elu(x, 0.8)),
    ("selu", lambda lib, x: lib.nn.functional.selu(x)),
    ("celu", lambda lib, x: lib.nn.functional.celu(x, 0.5)),
    ("gelu", lambda lib, x: lib.nn.functional.gelu(x)),
    ("gelu_tanh", lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh")),
    ("silu", lambda lib, x: lib.nn.functional.silu(x)),
    ("mish", lambda lib, x: lib.nn.functional.mish(x)),
    ("softplus", lambda lib, x: lib.nn.functional.softplus(x * 10, beta=0.5, threshold=3)),
    ("tanh", lambda lib, x: lib.nn.functional.tanh(x)),
    ("sigmoid", lambda lib, x: lib.nn.functional.sigmoid(x)),
    ("hardtanh", lambda lib, x: lib.nn.functional.hardtanh(x, -0.5, 0.5)),
    ("hardswish", lambda lib, x: lib.nn.functional.hardswish(x * 4)),
    ("hardsigmoid", lambda lib, x: lib.nn.functional.hardsigmoid(x * 4)),
    ("logsigmoid", lambda lib, x: lib.nn.functional.logsigmoid(x * 5)),
    ("softsign", lambda lib, x: lib.nn.functional.softsign(x)),
    ("tanhshrink", lambda lib, x: lib.nn.functional.tanhshrink(x)),
    ("threshold", lambda lib, x: lib.nn.functional.threshold(x, 0.2, -1.0)),
    ("hardshrink", lambda lib, x: lib.nn.functional.hardshrink(x, 0.4)),
    ("softshrink", lambda lib, x: lib.nn.functional.softshrink(x, 0.4)),
    ("glu", lambda lib, x: lib.nn.functional.glu(x, 1)),
    ("softmax", lambda lib, x: lib.nn.functional.softmax(x, dim=1)),
    ("softmax_neg", lambda lib, x: lib.nn.functional.softmax(x * 30, dim=-1)),
    ("log_softmax", lambda lib, x: lib.nn.functional.log_softmax(x, dim=0)),
    ("log_softmax_big", lambda lib, x: lib.nn.functional.log_softmax(x * 1000, dim=1)),
    ("softmin", lambda lib, x: lib.nn.functional.softmin(x, dim=2)),
]
# (piecewise-linear ones have a zero second derivative that PyTorch reports as zeros and we as
# "no gradient", which the oracle cannot compare, so they are left out here)
SECOND_ORDER = {"gelu", "gelu_tanh", "silu", "elu", "selu", "celu", "softplus", "softmax",
                "log_softmax", "mish", "logsigmoid", "softsign", "tanhshrink", "glu", "softmin"}


@pytest.mark.parametrize("name, fn", ACTIVATIONS, ids=[n for n, _ in ACTIVATIONS])
def test_activation_against_pytorch(name, fn):
    check(fn, [(3, 4, 2)], permuted=True)
    check(fn, [(3, 4, 2)], dtype="float64", second_order=name in SECOND_ORDER)
    check_gradcheck(fn, [(2, 4, 3)])


def test_activations_on_edge_shapes():
    for _, fn in ACTIVATIONS[:22]:
        check(fn, [(0, 4, 2)])
        check(fn, [(1, 2, 1)])
    check(lambda lib, x: lib.nn.functional.softmax(x, 0), [()])
    check(lambda lib, x: lib.nn.functional.log_softmax(x, -1), [(5,)])


def test_prelu_against_pytorch():
    check(lambda lib, x, w: lib.nn.functional.prelu(x, w), [(3, 4, 5), (4,)])
    check(lambda lib, x, w: lib.nn.functional.prelu(x, w), [(3, 4), (1,)], dtype="float64")
    # the cross derivative d2y/dx dw (1 where x <= 0) survives to second order
    check(lambda lib, x, w: lib.nn.functional.prelu(x, w), [(3, 4, 5), (4,)], dtype="float64",
          second_order=True)
    check_gradcheck(lambda lib, x, w: lib.nn.functional.prelu(x, w), [(3, 4, 5), (4,)])
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        F.prelu(minitorch.randn(2, 3), minitorch.ones(2))


def test_softmax_dtype_and_errors():
    x = minitorch.randn(2, 3)
    out = F.softmax(x, 1, dtype=minitorch.float64)
    assert out.dtype == minitorch.float64
    assert F.log_softmax(x, 1).grad_fn is None
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(x, 2)
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(x, approximate="fast")
    with pytest.raises(RuntimeError):
        F.gelu(minitorch.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        torch.nn.functional.gelu(torch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(minitorch.randn(2, 3))


def test_activation_node_names_match_pytorch():
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    names = ["leaky_relu", "elu", "gelu", "silu", "softplus", "mish", "hardtanh", "hardswish",
             "hardsigmoid", "softmax", "log_softmax", "relu6", "selu", "threshold"]
    for name in names:
        args = (1,) if name in ("softmax", "log_softmax") else (0.0, 1.0) if name == "threshold" else ()
        ours = getattr(F, name)(minitorch.tensor(x, requires_grad=True), *args).grad_fn.name()
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x, requires_grad=True), *args).grad_fn.name()
        assert ours == theirs, name


# --- linear -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shapes", [[(4, 3), (2, 3), (2,)], [(2, 5, 3), (4, 3), (4,)], [(3,), (2, 3), (2,)],
                                    [(4, 3), (2, 3)], [(4, 3), (2, 3), ()], [(4, 3), (1, 3), (1,)]])
def test_linear_against_pytorch(shapes):
    fn = lambda lib, *t: lib.nn.functional.linear(*t)  # noqa: E731
    check(fn, shapes)
    check(fn, shapes, permuted=True)
    check(fn, shapes, dtype="float64", second_order=True)
    check_gradcheck(fn, shapes)


def test_bilinear_against_pytorch():
    fn = lambda lib, a, b, w, bias: lib.nn.functional.bilinear(a, b, w, bias)  # noqa: E731
    check(fn, [(4, 3), (4, 2), (5, 3, 2), (5,)], permuted=True)
    check_gradcheck(fn, [(2, 3), (2, 2), (2, 3, 2), (2,)])


# --- normalization --------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 4)])
def test_batch_norm_training_functional(shape):
    running = {}
    for lib in (minitorch, torch):
        running[lib] = (lib.zeros(3), lib.ones(3)) if lib is torch else \
            (lib.zeros(3, device=DEVICE), lib.ones(3, device=DEVICE))

    def fn(lib, x, w, b):
        mean, var = running[lib]
        return lib.nn.functional.batch_norm(x, mean, var, w, b, training=True, momentum=0.2, eps=1e-4)
    check(fn, [shape, (3,), (3,)], permuted=True)
    for m, t in zip(running[minitorch], running[torch]):
        np.testing.assert_allclose(m.cpu().numpy(), t.numpy(), rtol=1e-5, atol=1e-6)
    check(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, training=True),
          [shape, (3,), (3,)], dtype="float64", second_order=True)
    check_gradcheck(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, True),
                    [shape, (3,), (3,)])


def test_batch_norm_eval_functional():
    rm = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    rv = np.array([1.5, 0.5, 2.0], dtype=np.float32)
    check(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, lib.tensor(rm, device=x.device),
                                                                  lib.tensor(rv, device=x.device), w, b),
          [(4, 3, 2), (3,), (3,)], permuted=True)
    check(lambda lib, x: lib.nn.functional.batch_norm(x, lib.tensor(rm, device=x.device),
                                                     lib.tensor(rv, device=x.device)), [(4, 3)])


@pytest.mark.parametrize("shape, normalized", [((3, 4), (4,)), ((2, 3, 4), (3, 4)), ((5,), (5,))])
def test_layer_norm_functional(shape, normalized):
    fn = lambda lib, x, w, b: lib.nn.functional.layer_norm(x, normalized, w, b, eps=1e-3)  # noqa: E731
    check(fn, [shape, normalized, normalized], permuted=True)
    check(fn, [shape, normalized, normalized], dtype="float64", second_order=True)
    check_gradcheck(fn, [shape, normalized, normalized])
    check(lambda lib, x: lib.nn.functional.layer_norm(x, normalized), [shape])


def test_group_norm_functional():
    fn = lambda lib, x, w, b: lib.nn.functional.group_norm(x, 2, w, b)  # noqa: E731
    check(fn, [(3, 4, 5), (4,), (4,)], permuted=True)
    check(fn, [(2, 4, 3, 2), (4,), (4,)], dtype="float64", second_order=True)
    check_gradcheck(fn, [(2, 4, 3), (4,), (4,)])
    check(lambda lib, x: lib.nn.functional.group_norm(x, 4), [(2, 4, 3)])


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize(p, dim):
    fn = lambda lib, x: lib.nn.functional.normalize(x, p=p, dim=dim)  # noqa: E731
    check(fn, [(3, 4)], permuted=True)
    check_gradcheck(fn, [(3, 4)])
    out = F.normalize(minitorch.zeros(2, 3))
    assert not np.any(out.numpy())


# --- dropout, embedding, one_hot --------------------------------------------------------------------------

def test_dropout_functional_edge_cases():
    x = minitorch.randn(4, 4, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    check(lambda lib, x: lib.nn.functional.dropout(x, 0.0), [(3, 4)])
    check(lambda lib, x: lib.nn.functional.dropout(x, 1.0), [(3, 4)])
    check(lambda lib, x: lib.nn.functional.dropout2d(x, 0.5, training=False), [(2, 3, 4, 4)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, x: lib.nn.functional.dropout1d(x, 0.0), [(2, 3, 4)])
        check(lambda lib, x: lib.nn.functional.dropout3d(x, 0.3, training=False), [(2, 3, 2, 2, 2)])
    with pytest.raises(ValueError):
        F.dropout2d(x, 2.0)


def test_embedding_functional():
    idx = np.array([[0, 2], [3, 2]], dtype=np.int64)
    check(lambda lib, w: lib.nn.functional.embedding(lib.tensor(idx, device=w.device), w), [(4, 3)])
    check(lambda lib, w: lib.nn.functional.embedding(lib.tensor(idx, device=w.device), w, padding_idx=2), [(4, 3)],
          dtype="float64", second_order=True)
    check(lambda lib, w: lib.nn.functional.embedding(lib.tensor(np.array(1), device=w.device), w), [(4, 3)])
    # (no padding_idx here: its row deliberately gets no gradient, unlike the finite difference)
    check_gradcheck(lambda lib, w: F.embedding(minitorch.tensor(idx, device=w.device), w), [(4, 3)])
    with pytest.raises(IndexError):
        F.embedding(minitorch.tensor([4]), minitorch.randn(4, 3))


def test_one_hot_matches_pytorch():
    for values, classes in [([0, 2, 1], -1), ([[1, 0], [3, 3]], 5), ([], 3)]:
        ours = F.one_hot(minitorch.tensor(values, dtype=minitorch.int64), classes)
        theirs = torch.nn.functional.one_hot(torch.tensor(values, dtype=torch.int64), classes)
        assert ours.dtype == minitorch.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for bad, classes in [([0, 3], 3), ([-1], 3)]:
        with pytest.raises(RuntimeError):
            F.one_hot(minitorch.tensor(bad), classes)
        with pytest.raises(RuntimeError):
            torch.nn.functional.one_hot(torch.tensor(bad), classes)
    with pytest.raises(RuntimeError):
        F.one_hot(minitorch.tensor([0.0, 1.0]))


def test_functional_namespace_has_the_listed_names():
    for name in ["linear", "bilinear", "relu", "relu_", "relu6", "leaky_relu", "prelu", "elu", "selu",
                 "celu", "gelu", "silu", "mish", "softplus", "tanh", "sigmoid", "hardtanh",
                 "hardswish", "hardsigmoid", "softmax", "log_softmax", "softmin", "cross_entropy",
                 "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
                 "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
                 "cosine_embedding_loss", "margin_ranking_loss", "batch_norm", "layer_norm",
                 "group_norm", "dropout", "dropout2d", "embedding", "one_hot", "normalize"]:
        assert callable(getattr(F, name)), name


@pytest.mark.parametrize("shapes, dim", [([(4, 3), (4, 3)], 1), ([(2, 3, 4), (3, 4)], -1), ([(5,), (5,)], 0)])
def test_cosine_similarity(shapes, dim):
    fn = lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=dim)  # noqa: E731
    check(fn, shapes, permuted=True)
    check_gradcheck(fn, shapes)
    zero = F.cosine_similarity(minitorch.zeros(2, 3), minitorch.ones(2, 3))
    np.testing.assert_array_equal(zero.numpy(), np.zeros(2))


@pytest.mark.parametrize("p, keepdim", [(2.0, False), (1.0, True), (3.0, False)])
def test_pairwise_distance(p, keepdim):
    fn = lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p=p, keepdim=keepdim)  # noqa: E731
    check(fn, [(4, 3), (4, 3)], permuted=True)
    check(fn, [(4, 3), (3,)], dtype="float64")
    check_gradcheck(fn, [(4, 3), (4, 3)])


def test_relu_backward_passes_inf_and_nan_gradients_as_pytorch_does():
    # the mask multiplication would make inf * 0 = NaN where PyTorch gives exactly 0
    grads = {}
    for lib in (minitorch, torch):
        x = lib.tensor([1.0, -1.0, 0.0, float("nan"), 2.0, -3.0], requires_grad=True)
        lib.relu(x).backward(lib.tensor([float("inf"), float("inf"), 1.0, 5.0, float("nan"), -float("inf")]))
        grads[lib] = x.grad.numpy()
    np.testing.assert_array_equal(grads[minitorch], grads[torch])
    assert grads[minitorch][1] == 0 and grads[minitorch][5] == 0


def test_relu_backward_recorded_under_create_graph():
    """A plain backward runs on arrays; under create_graph ReLU records a where() instead, so
    gradients of gradients (through x * x) match PyTorch, also for a NaN input."""
    check(lambda lib, x: (x * x - 0.5).relu(), [(3, 4)], dtype="float64", second_order=True)
    grads = {}
    for lib in (minitorch, torch):
        x = lib.tensor([1.0, -1.0, float("nan"), 2.0], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(lib.relu(x * x * x).sum(), x, create_graph=True)
        grads[lib] = (g.detach().numpy(), lib.autograd.grad(g.sum(), x)[0].numpy())
    for ours, theirs in zip(grads[minitorch], grads[torch]):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name,options", [("celu", {"alpha": 1.3}), ("celu", {"alpha": 0.3}),
                                          ("hardsigmoid", {}), ("elu", {"alpha": 0.7})])
def test_float64_gradients_carry_pytorchs_float32_constants(name, options):
    # PyTorch's backward of celu rounds alpha to float32 (1 / alpha.toFloat()) and hardsigmoid's
    # multiplies by the float32 1/6, in every dtype; minitorch gives the same float64 numbers
    # (found by tests/fuzz_models.py)
    x = np.random.default_rng(7).normal(size=(5, 4)) * 3
    grads = []
    for lib in (minitorch, torch):
        t = lib.tensor(x, requires_grad=True)
        getattr(lib.nn.functional, name)(t, **options).sum().backward()
        grads.append(t.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-15, atol=0)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_sigmoid_of_fused_cells_is_tensor_sigmoid_and_pytorchs(dtype):
    """The sigmoid inside silu, GLU and the fused LSTM/GRU cells (``sigmoid_array``, also
    written into a given buffer) is Tensor.sigmoid's bit for bit, PyTorch's formula
    1 / (1 + exp(-x)) (float16 computed in float32 and rounded once), with PyTorch's values."""
    from minitorch.ops.unary import sigmoid_array
    rng = np.random.default_rng(21)
    x = (rng.standard_normal(5000) * 10.0 ** rng.integers(-3, 3, 5000)).astype(dtype)
    x[:7] = [np.nan, np.inf, -np.inf, 0.0, -0.0, -30.0, -100.0]
    got = sigmoid_array(x)
    into = np.empty_like(x)
    assert sigmoid_array(x, out=into) is into
    wide = x.astype(np.float32) if dtype == "float16" else x
    definition = (1 / (1 + np.exp(-wide))).astype(dtype)
    tensor_sigmoid = minitorch.tensor(x).sigmoid().numpy()
    assert got.dtype == into.dtype == x.dtype
    for other in (into, definition, tensor_sigmoid):
        np.testing.assert_array_equal(got.view(f"u{x.itemsize}"), other.view(f"u{x.itemsize}"))
    expected = torch.sigmoid(torch.from_numpy(x.astype(np.float64))).numpy().astype(dtype)
    tolerance = {"float16": 1e-3, "float32": 1e-6, "float64": 1e-12}[dtype]
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)
    same_dtype = torch.sigmoid(torch.from_numpy(x)).numpy()  # (its exp may differ in the last bit)
    np.testing.assert_allclose(got, same_dtype, rtol=tolerance, atol=tolerance)
