"""Layers against PyTorch: same weights (copied through state_dict), same input; outputs,
input gradients, parameter gradients and buffers must agree."""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn as nn

TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-7, atol=1e-9)}


def _numpy(t):
    return t.detach().numpy()


def compare_module(build, inputs, *, train=True, dtype=np.float32, steps=1, seed=0, tol=None):
    """Build the layer with both libraries, copy PyTorch's state into ours, run ``steps``
    forward/backward passes on the same inputs and compare everything observable."""
    tol = tol or TOL[dtype]
    rng = np.random.default_rng(seed)
    theirs = build(torch)
    ours = build(minitorch)
    if dtype == np.float64:
        theirs.double()
        ours.double()
    with torch.no_grad():  # make parameters less trivial than PyTorch's ones/zeros defaults
        for p in theirs.parameters():
            p.add_(torch.tensor(rng.uniform(-0.3, 0.3, tuple(p.shape)), dtype=p.dtype))
    result = ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    theirs.train(train)
    ours.train(train)
    arrays = [a if isinstance(a, np.ndarray) and a.dtype.kind in "iub" else
              rng.standard_normal(a).astype(dtype) if isinstance(a, tuple) else a.astype(dtype)
              for a in inputs]
    for step in range(steps):
        outs = {}
        for lib, module in ((minitorch, ours), (torch, theirs)):
            tensors = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
            out = module(*tensors)
            outs[lib] = (tensors, out)
        (m_in, m_out), (t_in, t_out) = outs[minitorch], outs[torch]
        assert tuple(m_out.shape) == tuple(t_out.shape)
        np.testing.assert_allclose(_numpy(m_out), _numpy(t_out), **tol, err_msg="output")
        if t_out.requires_grad:
            seed_grad = rng.standard_normal(tuple(t_out.shape)).astype(_numpy(t_out).dtype)
            m_out.backward(minitorch.tensor(seed_grad))
            t_out.backward(torch.tensor(seed_grad))
            for i, (m, t) in enumerate(zip(m_in, t_in)):
                if t.grad is not None:
                    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), **tol,
                                               err_msg=f"gradient of input {i}")
            their_params = dict(theirs.named_parameters())
            for name, p in ours.named_parameters():
                t = their_params[name]
                if t.grad is None:
                    assert p.grad is None or not np.any(p.grad.numpy()), name
                    continue
                np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), **tol,
                                           err_msg=f"gradient of {name} (step {step})")
            ours.zero_grad()
            theirs.zero_grad()
        their_buffers = dict(theirs.named_buffers())
        for name, b in ours.named_buffers():
            np.testing.assert_allclose(_numpy(b), _numpy(their_buffers[name]), **tol,
                                       err_msg=f"buffer {name} (step {step})")
    return ours, theirs


# --- Linear / Bilinear -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (3,), (0, 3)])
def test_linear(shape, dtype):
    compare_module(lambda lib: lib.nn.Linear(3, 2), [shape], dtype=dtype)


def test_linear_without_bias_and_non_contiguous_input():
    compare_module(lambda lib: lib.nn.Linear(3, 4, bias=False), [(5, 3)])
    x = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    ours, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    ours.load_state_dict(theirs.state_dict())
    np.testing.assert_allclose(_numpy(ours(minitorch.tensor(x).t())), _numpy(theirs(torch.tensor(x).t())),
                               rtol=1e-5, atol=1e-6)


def test_linear_node_and_second_order():
    layer = nn.Linear(3, 2)
    x = minitorch.randn(4, 3, requires_grad=True)
    out = layer(x)
    assert out.grad_fn.name() == "AddmmBackward0"
    assert nn.Linear(3, 2, bias=False)(x).grad_fn.name() == "MmBackward0"
    (gx,) = minitorch.autograd.grad((out ** 2).sum(), x, create_graph=True)
    (gw,) = minitorch.autograd.grad(gx.sum(), layer.weight)
    t_layer = torch.nn.Linear(3, 2)
    with torch.no_grad():
        t_layer.weight.copy_(torch.tensor(_numpy(layer.weight)))
        t_layer.bias.copy_(torch.tensor(_numpy(layer.bias)))
    tx = torch.tensor(_numpy(x), requires_grad=True)
    (tgx,) = torch.autograd.grad((t_layer(tx) ** 2).sum(), tx, create_graph=True)
    (tgw,) = torch.autograd.grad(tgx.sum(), t_layer.weight)
    np.testing.assert_allclose(_numpy(gw), tgw.numpy(), rtol=1e-4, atol=1e-5)


def test_linear_wrong_width_message_matches_pytorch():
    with pytest.raises(RuntimeError) as ours:
        nn.Linear(5, 2)(minitorch.randn(4, 3))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(5, 2)(torch.randn(4, 3))
    assert str(ours.value) == str(theirs.value) == "mat1 and mat2 shapes cannot be multiplied (4x3 and 5x2)"
    with pytest.raises(RuntimeError, match="same dtype"):
        nn.Linear(3, 2)(minitorch.randn(4, 3, dtype=minitorch.float64))


def test_linear_default_init_within_pytorch_bounds():
    minitorch.manual_seed(0)
    layer = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    w, b = _numpy(layer.weight), _numpy(layer.bias)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-bound, bound): std = bound / sqrt(3); 2000 samples pin it to a few percent
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert abs(w.mean()) < 0.05 * bound
    assert layer.weight.dtype == minitorch.float32
    assert nn.Linear(2, 2, dtype=minitorch.float64).weight.dtype == minitorch.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bilinear(dtype):
    compare_module(lambda lib: lib.nn.Bilinear(3, 4, 2), [(5, 3), (5, 4)], dtype=dtype)
    compare_module(lambda lib: lib.nn.Bilinear(3, 4, 2, bias=False), [(2, 5, 3), (2, 5, 4)], dtype=dtype)


def test_bilinear_init_bounds():
    layer = nn.Bilinear(16, 3, 8)
    assert np.abs(_numpy(layer.weight)).max() <= 1 / 4 and np.abs(_numpy(layer.bias)).max() <= 1 / 4


# --- BatchNorm ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False},
                                    {"track_running_stats": False}, {"eps": 1e-3, "momentum": 0.3},
                                    {"bias": False}])
def test_batchnorm1d_train(shape, kwargs):
    compare_module(lambda lib: lib.nn.BatchNorm1d(3, **kwargs), [shape], steps=3)


@pytest.mark.parametrize("kwargs", [{}, {"track_running_stats": False}])
def test_batchnorm_eval(kwargs):
    theirs = torch.nn.BatchNorm1d(3, **kwargs)
    theirs(torch.randn(16, 3) * 2 + 1)  # running statistics away from 0 and 1
    ours = nn.BatchNorm1d(3, **kwargs)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    compare_module(lambda lib: ours if lib is minitorch else theirs, [(6, 3)], train=False, steps=2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm2d(dtype):
    compare_module(lambda lib: lib.nn.BatchNorm2d(4), [(3, 4, 5, 2)], steps=2, dtype=dtype)
    compare_module(lambda lib: lib.nn.BatchNorm2d(4, momentum=None), [(2, 4, 3, 3)], steps=3)
    compare_module(lambda lib: lib.nn.BatchNorm2d(4), [(3, 4, 5, 2)], train=False)


def test_batchnorm_counts_batches_and_checks_input():
    bn = nn.BatchNorm1d(3)
    for _ in range(3):
        bn(minitorch.randn(4, 3))
    assert bn.num_batches_tracked.item() == 3 and bn.num_batches_tracked.dtype == minitorch.int64
    bn.eval()
    bn(minitorch.randn(4, 3))
    assert bn.num_batches_tracked.item() == 3
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        bn(minitorch.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(minitorch.randn(2, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(minitorch.randn(1, 3))
    for kwargs in ({}, {"track_running_stats": False}):
        with pytest.raises(RuntimeError) as ours:
            nn.BatchNorm1d(3, **kwargs)(minitorch.randn(2, 4))
        with pytest.raises(RuntimeError) as theirs:
            torch.nn.BatchNorm1d(3, **kwargs)(torch.randn(2, 4))
        assert str(ours.value) == str(theirs.value)
    bn.reset_running_stats()
    assert bn.num_batches_tracked.item() == 0 and bn.running_var.tolist() == [1.0] * 3


def test_batchnorm_second_order():
    x = np.random.default_rng(0).standard_normal((6, 3))
    grads = {}
    for lib in (minitorch, torch):
        bn = lib.nn.BatchNorm1d(3).double()
        xt = lib.tensor(x, requires_grad=True)
        (g,) = lib.autograd.grad((bn(xt) ** 3).sum(), xt, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), xt)
        grads[lib] = _numpy(gg)
    np.testing.assert_allclose(grads[minitorch], grads[torch], rtol=1e-6, atol=1e-8)


# --- LayerNorm / GroupNorm -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("normalized, shape, kwargs", [
    (4, (3, 4), {}),
    ((5, 4), (2, 3, 5, 4), {}),
    (4, (2, 6, 4), {"elementwise_affine": False}),
    (4, (2, 6, 4), {"bias": False, "eps": 1e-3}),
])
def test_layer_norm(normalized, shape, kwargs, dtype):
    compare_module(lambda lib: lib.nn.LayerNorm(normalized, **kwargs), [shape], dtype=dtype)


def test_layer_norm_shape_error_matches_pytorch():
    with pytest.raises(RuntimeError) as ours:
        nn.LayerNorm(4)(minitorch.randn(2, 3))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.LayerNorm(4)(torch.randn(2, 3))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("groups, channels, shape, kwargs", [
    (2, 4, (3, 4, 5), {}),
    (1, 6, (2, 6, 3, 3), {}),
    (3, 3, (2, 3, 4, 2), {"affine": False}),
    (2, 4, (5, 4), {"eps": 1e-2, "bias": False}),
])
def test_group_norm(groups, channels, shape, kwargs):
    compare_module(lambda lib: lib.nn.GroupNorm(groups, channels, **kwargs), [shape])
    compare_module(lambda lib: lib.nn.GroupNorm(groups, channels, **kwargs), [shape], dtype=np.float64)


def test_group_norm_checks_channels():
    with pytest.raises(ValueError):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError) as ours:
        nn.GroupNorm(2, 4)(minitorch.randn(2, 5, 3))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.GroupNorm(2, 4)(torch.randn(2, 5, 3))
    assert str(ours.value) == str(theirs.value)


# --- Dropout ----------------------------------------------------------------------------------------

def test_dropout_p0_and_eval_are_identity():
    compare_module(lambda lib: lib.nn.Dropout(0.0), [(4, 5)])
    compare_module(lambda lib: lib.nn.Dropout(0.5), [(4, 5)], train=False)
    compare_module(lambda lib: lib.nn.Dropout2d(0.0), [(2, 3, 4, 4)])
    compare_module(lambda lib: lib.nn.Dropout2d(0.7), [(2, 3, 4, 4)], train=False)
    x = minitorch.randn(3, 3)
    assert nn.Dropout(0.5).eval()(x) is x


def test_dropout_statistics_and_gradient():
    minitorch.manual_seed(0)
    x = minitorch.ones(200, 100, requires_grad=True)
    out = nn.Dropout(0.3)(x)
    values = out.detach().numpy()
    kept = values != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(values[kept], 1 / 0.7, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), values, rtol=1e-6)  # d out / dx = the mask
    assert out.grad_fn.name() == "MulBackward0"  # as PyTorch records it on the CPU
    assert not np.any(nn.Dropout(1.0)(minitorch.ones(5, 5)).numpy())
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.functional.dropout(minitorch.ones(2), p=-0.1)


def test_dropout_uses_the_default_generator():
    minitorch.manual_seed(3)
    first = nn.Dropout(0.5)(minitorch.ones(50)).numpy()
    minitorch.manual_seed(3)
    second = nn.Dropout(0.5)(minitorch.ones(50)).numpy()
    np.testing.assert_array_equal(first, second)


def test_dropout_inplace():
    x = minitorch.ones(20, 20)
    out = nn.Dropout(0.5, inplace=True)(x)
    assert out is x and np.any(x.numpy() == 0)


def test_dropout2d_zeroes_whole_channels():
    minitorch.manual_seed(1)
    out = nn.Dropout2d(0.5)(minitorch.ones(8, 16, 3, 3)).numpy()
    per_channel = out.reshape(8, 16, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out3 = nn.Dropout2d(0.5)(minitorch.ones(4, 6, 5)).numpy()
    assert np.all((out3 == 0).all(-1) | (out3 == 2).all(-1))


# --- Embedding ----------------------------------------------------------------------------------------

def test_embedding_matches_pytorch():
    idx = np.array([[1, 2, 0, 4], [4, 3, 2, 9]], dtype=np.int64)
    compare_module(lambda lib: lib.nn.Embedding(10, 3), [idx])
    compare_module(lambda lib: lib.nn.Embedding(10, 3, padding_idx=2), [idx])
    compare_module(lambda lib: lib.nn.Embedding(10, 3, padding_idx=-1), [idx], dtype=np.float64)


def test_embedding_padding_row_starts_at_zero_and_gets_no_gradient():
    emb = nn.Embedding(5, 4, padding_idx=1)
    assert not np.any(_numpy(emb.weight)[1])
    assert np.all(np.abs(_numpy(emb.weight)[[0, 2, 3, 4]]) > 0)
    emb(minitorch.tensor([1, 1, 2])).sum().backward()
    assert not np.any(emb.weight.grad.numpy()[1])
    np.testing.assert_array_equal(emb.weight.grad.numpy()[2], np.ones(4))
    assert repr(emb) == repr(torch.nn.Embedding(5, 4, padding_idx=1))


def test_embedding_from_pretrained_and_errors():
    table = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    assert frozen(minitorch.tensor([1, 0])).tolist() == [[3.0, 4.0], [1.0, 2.0]]
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(IndexError, match="index out of range"):
        frozen(minitorch.tensor([2]))
    with pytest.raises(IndexError):
        torch.nn.Embedding(2, 2)(torch.tensor([2]))
    with pytest.raises(RuntimeError, match="Long, Int"):
        frozen(minitorch.tensor([0.0]))
    with pytest.raises(NotImplementedError, match="max_norm"):
        nn.Embedding(3, 2, max_norm=1.0)(minitorch.tensor([0]))
    with pytest.raises(AssertionError):
        nn.Embedding(3, 2, padding_idx=3)
    init_stats = _numpy(nn.Embedding(1000, 10).weight)
    assert abs(init_stats.std() - 1) < 0.05 and abs(init_stats.mean()) < 0.05  # N(0, 1)


# --- activations ---------------------------------------------------------------------------------------

ACTIVATIONS = [
    lambda lib: lib.nn.ReLU(), lambda lib: lib.nn.ReLU6(), lambda lib: lib.nn.LeakyReLU(0.2),
    lambda lib: lib.nn.PReLU(), lambda lib: lib.nn.PReLU(4, init=0.1), lambda lib: lib.nn.ELU(0.7),
    lambda lib: lib.nn.SELU(), lambda lib: lib.nn.CELU(1.3), lambda lib: lib.nn.GELU(),
    lambda lib: lib.nn.GELU("tanh"), lambda lib: lib.nn.SiLU(), lambda lib: lib.nn.Mish(),
    lambda lib: lib.nn.Softplus(), lambda lib: lib.nn.Softplus(beta=2.0, threshold=1.0),
    lambda lib: lib.nn.Tanh(), lambda lib: lib.nn.Sigmoid(), lambda lib: lib.nn.Hardtanh(-0.5, 0.8),
    lambda lib: lib.nn.Hardswish(), lambda lib: lib.nn.Hardsigmoid(), lambda lib: lib.nn.Softmax(1),
    lambda lib: lib.nn.LogSoftmax(-1), lambda lib: lib.nn.Softmin(0), lambda lib: lib.nn.LogSigmoid(),
    lambda lib: lib.nn.Softsign(), lambda lib: lib.nn.Tanhshrink(), lambda lib: lib.nn.Threshold(0.1, -2.0),
    lambda lib: lib.nn.GLU(1), lambda lib: lib.nn.Hardshrink(0.3), lambda lib: lib.nn.Softshrink(0.3),
]


@pytest.mark.parametrize("index", range(len(ACTIVATIONS)))
def test_activation_modules(index):
    x = np.random.default_rng(index).uniform(-4, 4, (3, 4, 2))
    compare_module(ACTIVATIONS[index], [x])
    compare_module(ACTIVATIONS[index], [x], dtype=np.float64)
    assert repr(ACTIVATIONS[index](minitorch)) == repr(ACTIVATIONS[index](torch))


@pytest.mark.parametrize("name, kwargs", [("ReLU", {}), ("ReLU6", {}), ("LeakyReLU", {}),
                                          ("ELU", {}), ("SELU", {}), ("CELU", {}), ("SiLU", {}),
                                          ("Mish", {}), ("Hardtanh", {}), ("Hardswish", {}),
                                          ("Hardsigmoid", {}), ("Threshold", {"threshold": 0.0, "value": 1.0})])
def test_inplace_activations(name, kwargs):
    x = np.random.default_rng(0).uniform(-4, 4, (4, 5)).astype(np.float32)
    results = {}
    for lib in (minitorch, torch):
        layer = getattr(lib.nn, name)(inplace=True, **kwargs)
        leaf = lib.tensor(x, requires_grad=True)
        hidden = leaf * 1.5
        out = layer(hidden)
        assert out is hidden
        out.sum().backward()
        results[lib] = (_numpy(out), leaf.grad.numpy(), repr(layer))
        plain = lib.tensor(x.copy())
        layer(plain)
        results[lib] += (plain.numpy(),)
    for m, t in zip(results[minitorch], results[torch]):
        if isinstance(m, str):
            assert m == t
        else:
            np.testing.assert_allclose(m, t, rtol=1e-5, atol=1e-6)


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = nn.Softmax()(minitorch.randn(2, 3))
    np.testing.assert_allclose(out.sum(1).numpy(), np.ones(2), rtol=1e-6)


# --- Flatten / Unflatten / Identity / a model ------------------------------------------------------

def test_flatten_unflatten_identity():
    compare_module(lambda lib: lib.nn.Flatten(), [(2, 3, 4, 5)])
    compare_module(lambda lib: lib.nn.Flatten(0, 2), [(2, 3, 4, 5)])
    compare_module(lambda lib: lib.nn.Unflatten(1, (3, 4)), [(2, 12, 5)])
    compare_module(lambda lib: lib.nn.Unflatten(-1, (2, -1)), [(2, 12)])
    compare_module(lambda lib: lib.nn.Identity(54, unused="x"), [(2, 3)])


def test_mlp_with_everything_matches_pytorch():
    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(6, 8), lib.nn.BatchNorm1d(8), lib.nn.GELU(),
                                 lib.nn.Dropout(0.0), lib.nn.Linear(8, 8), lib.nn.LayerNorm(8),
                                 lib.nn.SiLU(), lib.nn.Linear(8, 3), lib.nn.LogSoftmax(1))
    compare_module(build, [(10, 6)], steps=2)
    compare_module(build, [(10, 6)], train=False)


def test_normalization_layers_are_one_node_named_like_pytorch():
    for build, shape in [(lambda lib: lib.nn.BatchNorm1d(3), (4, 3)),
                         (lambda lib: lib.nn.BatchNorm2d(3).eval(), (2, 3, 2, 2)),
                         (lambda lib: lib.nn.LayerNorm(3), (4, 3)),
                         (lambda lib: lib.nn.GroupNorm(1, 3), (4, 3))]:
        ours = build(minitorch)(minitorch.randn(*shape, requires_grad=True)).grad_fn
        theirs = build(torch)(torch.randn(*shape, requires_grad=True)).grad_fn
        assert ours.name() == theirs.name()
        assert [n.name() for n, _ in ours.next_functions if n is not None] == \
            [n.name() for n, _ in theirs.next_functions if n is not None]
