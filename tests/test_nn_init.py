"""nn.init: PyTorch's distributions and bounds (statistics), in-place semantics, and PyTorch's
errors. The values themselves are compared with PyTorch's in test_random_init.py."""
import math

import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn as nn
from minitorch.nn import init


def _values(t):
    return t.detach().numpy()


@pytest.mark.parametrize("name, param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                         ("tanh", None), ("relu", None), ("leaky_relu", None),
                                         ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)])
def test_calculate_gain_matches_pytorch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fan_in_and_fan_out():
    assert init._calculate_fan_in_and_fan_out(minitorch.empty(4, 3)) == (3, 4)
    assert init._calculate_fan_in_and_fan_out(minitorch.empty(8, 2, 3, 3)) == (18, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(minitorch.empty(3))


def test_init_is_in_place_and_unrecorded():
    w = nn.Parameter(minitorch.empty(30, 20))
    version = w._version
    out = init.uniform_(w, -0.5, 0.5)
    assert out is w and w.grad_fn is None and w.requires_grad and w._version > version
    assert w.dtype == minitorch.float32
    v = init.normal_(minitorch.empty(3, dtype=minitorch.float64))
    assert v.dtype == minitorch.float64


def test_uniform_normal_constant():
    minitorch.manual_seed(0)
    u = _values(init.uniform_(minitorch.empty(100, 100), -2.0, 3.0))
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.05
    n = _values(init.normal_(minitorch.empty(100, 100), mean=1.0, std=2.0))
    assert abs(n.mean() - 1) < 0.05 and abs(n.std() - 2) < 0.05
    assert np.all(_values(init.constant_(minitorch.empty(2, 2), 0.3)) == np.float32(0.3))
    assert np.all(_values(init.ones_(minitorch.empty(3))) == 1)
    assert np.all(_values(init.zeros_(minitorch.empty(3))) == 0)


def test_trunc_normal_stays_in_bounds():
    t = _values(init.trunc_normal_(minitorch.empty(200, 100), mean=0.5, std=1.0, a=-0.5, b=1.0))
    assert t.min() >= -0.5 and t.max() <= 1.0
    reference = torch.nn.init.trunc_normal_(torch.empty(200, 100), mean=0.5, std=1.0, a=-0.5, b=1.0)
    assert abs(t.mean() - reference.mean().item()) < 0.02
    assert abs(t.std() - reference.std().item()) < 0.02


@pytest.mark.parametrize("shape", [(64, 32), (16, 8, 3, 3)])
def test_xavier(shape):
    fan_in = shape[1] * int(np.prod(shape[2:]))
    fan_out = shape[0] * int(np.prod(shape[2:]))
    std = 1.5 * math.sqrt(2.0 / (fan_in + fan_out))
    u = _values(init.xavier_uniform_(minitorch.empty(*shape), gain=1.5))
    assert np.abs(u).max() <= math.sqrt(3) * std
    assert abs(u.std() - std) < 0.06 * std
    n = _values(init.xavier_normal_(minitorch.empty(*shape), gain=1.5))
    assert abs(n.std() - std) < 0.06 * std


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("relu", 0), ("leaky_relu", math.sqrt(5)), ("tanh", 0)])
def test_kaiming(mode, nonlinearity, a):
    shape = (48, 24, 2, 2)
    fan = (24 if mode == "fan_in" else 48) * 4
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    u = _values(init.kaiming_uniform_(minitorch.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity))
    assert np.abs(u).max() <= math.sqrt(3) * std + 1e-7
    assert abs(u.std() - std) < 0.05 * std
    n = _values(init.kaiming_normal_(minitorch.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity))
    assert abs(n.std() - std) < 0.05 * std
    # PyTorch's own sample has the same spread
    reference = torch.nn.init.kaiming_normal_(torch.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    assert abs(n.std() - reference.std().item()) < 0.08 * std


def test_kaiming_errors_and_empty_tensor():
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(minitorch.empty(3, 3), mode="fan_avg")
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(minitorch.empty(0, 3))


def test_generator_argument_makes_init_reproducible():
    g = minitorch.Generator().manual_seed(7)
    first = _values(init.kaiming_uniform_(minitorch.empty(5, 5), generator=g)).copy()
    g.manual_seed(7)
    second = _values(init.kaiming_uniform_(minitorch.empty(5, 5), generator=g))
    np.testing.assert_array_equal(first, second)
    minitorch.manual_seed(3)
    a = _values(nn.Linear(4, 4).weight).copy()
    minitorch.manual_seed(3)
    np.testing.assert_array_equal(a, _values(nn.Linear(4, 4).weight))


def test_eye_and_dirac_match_pytorch():
    np.testing.assert_array_equal(_values(init.eye_(minitorch.empty(3, 5))), torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    for shape, groups in [((4, 4, 3), 1), ((6, 2, 3, 3), 2), ((2, 3, 3, 3, 3), 1)]:
        np.testing.assert_array_equal(_values(init.dirac_(minitorch.empty(*shape), groups)),
                                      torch.nn.init.dirac_(torch.empty(*shape), groups).numpy())
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(minitorch.empty(2, 2, 2))
    with pytest.raises(ValueError, match="3, 4, or 5"):
        init.dirac_(minitorch.empty(2, 2))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (8, 2, 3)])
def test_orthogonal(shape):
    q = _values(init.orthogonal_(minitorch.empty(*shape, dtype=minitorch.float64), gain=2.0))
    flat = q.reshape(shape[0], -1)
    if flat.shape[0] <= flat.shape[1]:
        np.testing.assert_allclose(flat @ flat.T, 4 * np.eye(flat.shape[0]), atol=1e-10)
    else:
        np.testing.assert_allclose(flat.T @ flat, 4 * np.eye(flat.shape[1]), atol=1e-10)
    with pytest.raises(ValueError):
        init.orthogonal_(minitorch.empty(3))


def test_sparse():
    s = _values(init.sparse_(minitorch.empty(10, 6), sparsity=0.3, std=0.5))
    assert np.all((s == 0).sum(0) >= 3)


def test_layer_defaults_follow_pytorch_distributions():
    """Every layer's reset_parameters: same bounds / constants as PyTorch's layer."""
    minitorch.manual_seed(0)
    bilinear = nn.Bilinear(9, 4, 100)
    assert np.abs(_values(bilinear.weight)).max() <= 1 / 3
    assert _values(bilinear.weight).std() == pytest.approx((1 / 3) / math.sqrt(3), rel=0.05)
    assert np.all(_values(nn.PReLU(3).weight) == np.float32(0.25))
    bn, theirs = nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4)
    for name, value in theirs.state_dict().items():
        np.testing.assert_array_equal(_values(bn.state_dict()[name]), value.numpy())
    ln, theirs = nn.LayerNorm((2, 3)), torch.nn.LayerNorm((2, 3))
    for name, value in theirs.state_dict().items():
        np.testing.assert_array_equal(_values(ln.state_dict()[name]), value.numpy())
    gn, theirs = nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4)
    for name, value in theirs.state_dict().items():
        np.testing.assert_array_equal(_values(gn.state_dict()[name]), value.numpy())
    lin = nn.Linear(1000, 3)
    assert np.abs(_values(lin.bias)).max() <= 1 / math.sqrt(1000)
