"""RNN, LSTM, GRU and their cells against PyTorch."""
import numpy as np
import pytest
import torch

import minitorch
from module_oracle import compare_modules

RNG = np.random.default_rng(0)
X = RNG.standard_normal((5, 3, 4)).astype(np.float32)   # (L, N, H_in)

LAYER_ARGS = [dict(), dict(num_layers=2, bidirectional=True), dict(batch_first=True, bias=False),
              dict(num_layers=3)]


def _states(kw, batch):
    layers = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
    return RNG.standard_normal((layers, batch, 6)).astype(np.float32)


@pytest.mark.parametrize("kw", LAYER_ARGS + [dict(nonlinearity="relu", num_layers=2)])
def test_rnn_matches_pytorch(kw):
    ours, theirs = minitorch.nn.RNN(4, 6, **kw), torch.nn.RNN(4, 6, **kw)
    compare_modules(ours, theirs, [X])
    h0 = _states(kw, 5 if kw.get("batch_first") else 3)
    compare_modules(ours, theirs, [X, h0], lambda m, x, h: m(x, h))
    compare_modules(ours, theirs, [X[:, 0]])                       # unbatched
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("kw", LAYER_ARGS)
def test_gru_matches_pytorch(kw):
    ours, theirs = minitorch.nn.GRU(4, 6, **kw), torch.nn.GRU(4, 6, **kw)
    compare_modules(ours, theirs, [X])
    h0 = _states(kw, 5 if kw.get("batch_first") else 3)
    compare_modules(ours, theirs, [X, h0], lambda m, x, h: m(x, h))
    compare_modules(ours, theirs, [X[:, 0], h0[:, 0]], lambda m, x, h: m(x, h))


@pytest.mark.parametrize("kw", LAYER_ARGS)
def test_lstm_matches_pytorch(kw):
    ours, theirs = minitorch.nn.LSTM(4, 6, **kw), torch.nn.LSTM(4, 6, **kw)
    compare_modules(ours, theirs, [X])
    h0 = _states(kw, 5 if kw.get("batch_first") else 3)
    c0 = RNG.standard_normal(h0.shape).astype(np.float32)
    compare_modules(ours, theirs, [X, h0, c0], lambda m, x, h, c: m(x, (h, c)))
    compare_modules(ours, theirs, [X[:, 0], h0[:, 0], c0[:, 0]], lambda m, x, h, c: m(x, (h, c)))


def test_parameter_names_and_shapes():
    ours = minitorch.nn.LSTM(4, 6, num_layers=2, bidirectional=True)
    theirs = torch.nn.LSTM(4, 6, num_layers=2, bidirectional=True)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert "weight_hh_l0_reverse" in ours.state_dict()


@pytest.mark.parametrize("name,kw", [("RNNCell", dict()), ("RNNCell", dict(nonlinearity="relu")),
                                     ("GRUCell", dict()), ("GRUCell", dict(bias=False)),
                                     ("LSTMCell", dict()), ("LSTMCell", dict(bias=False))])
def test_cells_match_pytorch(name, kw):
    ours, theirs = getattr(minitorch.nn, name)(4, 6, **kw), getattr(torch.nn, name)(4, 6, **kw)
    h = RNG.standard_normal((3, 6)).astype(np.float32)
    compare_modules(ours, theirs, [X[0]])
    if name == "LSTMCell":
        compare_modules(ours, theirs, [X[0], h, 2 * h], lambda m, x, h, c: m(x, (h, c)))
        compare_modules(ours, theirs, [X[0, 0], h[0], h[1]], lambda m, x, h, c: m(x, (h, c)))
    else:
        compare_modules(ours, theirs, [X[0], h], lambda m, x, h: m(x, h))
        compare_modules(ours, theirs, [X[0, 0]])


def test_lstm_and_gru_cell_gradcheck():
    # central differences w.r.t. the input, both states and every parameter of the cell
    rng = np.random.default_rng(0)
    x, h, c = (minitorch.tensor(rng.standard_normal(s), requires_grad=True) for s in [(2, 3), (2, 2), (2, 2)])
    lstm = minitorch.nn.LSTMCell(3, 2).double()
    assert minitorch.autograd.gradcheck(lambda x, h, c, *params: lstm(x, (h, c)),
                                        (x, h, c, *lstm.parameters()))
    gru = minitorch.nn.GRUCell(3, 2).double()
    assert minitorch.autograd.gradcheck(lambda x, h, *params: gru(x, h), (x, h, *gru.parameters()))


@pytest.mark.parametrize("name", ["LSTM", "GRU", "LSTMCell", "GRUCell"])
def test_double_backward_matches_pytorch(name):
    # create_graph=True makes the fused cells rebuild their backward from Tensor ops
    ours, theirs = getattr(minitorch.nn, name)(4, 3).double(), getattr(torch.nn, name)(4, 3).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = RNG.standard_normal((5, 2, 4) if name in ("LSTM", "GRU") else (2, 4))
    weights = RNG.standard_normal(x.shape)
    results = []
    for lib, module in ((minitorch, ours), (torch, theirs)):
        inp = lib.tensor(x, requires_grad=True)
        out = module(inp)
        out = out[0] if isinstance(out, tuple) else out
        (gx,) = lib.autograd.grad((out * out).sum(), inp, create_graph=True)
        params = list(module.parameters())
        second = lib.autograd.grad((gx * lib.tensor(weights)).sum(), [inp] + params)
        results.append([gx.detach().numpy()] + [g.numpy() for g in second])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_default_init_bounds():
    minitorch.manual_seed(0)
    bound = 1 / np.sqrt(6)
    for module in (minitorch.nn.LSTM(4, 6, 2), minitorch.nn.GRUCell(4, 6), minitorch.nn.RNN(4, 6)):
        for p in module.parameters():
            values = p.detach().numpy()
            assert values.min() >= -bound and values.max() <= bound
            assert values.max() - values.min() > bound


def test_dropout_between_layers_only_in_training():
    lstm = minitorch.nn.LSTM(4, 6, num_layers=2, dropout=0.5)
    x = minitorch.tensor(X)
    lstm.eval()
    a, _ = lstm(x)
    np.testing.assert_array_equal(a.detach().numpy(), lstm(x)[0].detach().numpy())
    lstm.train()
    minitorch.manual_seed(0)
    assert not np.allclose(lstm(x)[0].detach().numpy(), a.detach().numpy())


def test_rnn_errors():
    rnn = minitorch.nn.GRU(4, 6)
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D"):
        rnn(minitorch.randn(1, 2, 3, 4))
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 4, "
                                           "got 5"):
        rnn(minitorch.randn(2, 3, 5))
    with pytest.raises(RuntimeError, match="Expected hidden size \\(1, 3, 6\\)"):
        rnn(minitorch.randn(2, 3, 4), minitorch.randn(2, 3, 6))
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        minitorch.nn.RNN(4, 6, nonlinearity="gelu")
    with pytest.raises(NotImplementedError, match="proj_size"):
        minitorch.nn.LSTM(4, 6, proj_size=2)
