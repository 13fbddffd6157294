"""The foundation's acceptance test: a two-layer network trained with raw autograd, written
once in PyTorch style, run on both libraries from the same NumPy weights."""
import numpy as np
import pytest
import torch

import minitorch


def train(lib, weights, data, steps=60, lr=0.1, zero_style="none"):
    W1, b1, W2, b2 = [lib.tensor(w, requires_grad=True) for w in weights]
    X, Y = (lib.tensor(d) for d in data)
    losses = []
    for _ in range(steps):
        hidden = (X @ W1 + b1).tanh()
        out = (hidden @ W2 + b2).sigmoid()
        loss = ((out - Y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            for w in (W1, b1, W2, b2):
                w -= lr * w.grad
                if zero_style == "none":
                    w.grad = None
                else:
                    w.grad.zero_()
        losses.append(loss.item())
    return np.array(losses)


@pytest.mark.parametrize("zero_style", ["none", "zero_"])
def test_two_layer_network_losses_match_torch(zero_style):
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(s).astype(np.float32) * 0.5 for s in [(4, 16), (16,), (16, 1), (1,)]]
    X = rng.standard_normal((64, 4)).astype(np.float32)
    Y = (X[:, :1] * X[:, 1:2] > 0).astype(np.float32)
    ours = train(minitorch, weights, (X, Y), zero_style=zero_style)
    theirs = train(torch, weights, (X, Y), zero_style=zero_style)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    assert ours[-1] < ours[0]  # it actually learns


def test_relu_mlp_with_import_as_torch_runs_unchanged():
    import minitorch as torch_alias  # the README's promise: PyTorch-style code, unchanged
    torch_alias.manual_seed(0)
    x = torch_alias.randn(32, 3)
    y = x.sum(1, keepdim=True)
    w1 = torch_alias.randn(3, 8, requires_grad=True)
    w2 = torch_alias.randn(8, 1, requires_grad=True)
    first = None
    for _ in range(100):
        loss = ((x @ w1).relu() @ w2 - y).pow(2).mean()
        first = loss.item() if first is None else first
        loss.backward()
        with torch_alias.no_grad():
            w1 -= 0.01 * w1.grad
            w2 -= 0.01 * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    assert loss.item() < first / 4
