"""Where composite layers apply dropout, and that they scale what they keep by 1/(1-p).

Masks are random, so these tests compare properties that do not depend on the mask, computed in
PyTorch and in minitorch within the same test: which Dropout modules run, that the kept entries
are scaled by exactly 1/(1-p), that about a fraction p is zeroed. p is 0.2 or 0.7, never 0.5,
where 1/p and 1/(1-p) are the same number.
"""
import numpy as np
import pytest
import torch

import minitorch

LIBS = (minitorch, torch)
PROBABILITIES = (0.2, 0.7)


def _numpy(t):
    return t.detach().numpy()


def kept_scale_and_zero_fraction(before, after):
    """(the distinct ratios after/before where an entry was kept, the fraction zeroed), over the
    entries that were not zero before dropout."""
    live = before != 0
    kept = live & (after != 0)
    ratios = np.unique(np.round(after[kept] / before[kept], 5))
    return ratios, 1 - kept.sum() / live.sum()


def assert_dropout_statistics(before, after, p, where):
    ratios, zeroed = kept_scale_and_zero_fraction(before, after)
    np.testing.assert_allclose(ratios, [1 / (1 - p)], rtol=1e-4, err_msg=f"{where}: kept scale")
    assert abs(zeroed - p) < 0.1, f"{where}: zeroed {zeroed:.2f}, expected about {p}"


# --- recurrent layers: dropout between layers, never after the last -------------------------------

def _relu_rnn_passing_layer0_through(lib, p):
    """A 2-layer ReLU RNN whose second layer is relu(dropout(h1)) = dropout(h1) (h1 >= 0):
    input weights the identity, no recurrence, no bias."""
    lib.manual_seed(0)
    rnn = lib.nn.RNN(6, 6, num_layers=2, nonlinearity="relu", dropout=p)
    with lib.no_grad():
        rnn.weight_ih_l1.copy_(lib.eye(6))
        for name in ("weight_hh_l1", "bias_ih_l1", "bias_hh_l1"):
            getattr(rnn, name).zero_()
    return rnn


@pytest.mark.parametrize("p", PROBABILITIES)
def test_rnn_dropout_scales_between_layers_by_one_over_keep(p):
    x = np.random.default_rng(1).standard_normal((20, 8, 6)).astype(np.float32)
    for lib in LIBS:
        rnn = _relu_rnn_passing_layer0_through(lib, p)
        evaluated, h_eval = rnn.eval()(lib.tensor(x))
        trained, h_train = rnn.train()(lib.tensor(x))
        # the output is layer 0's output through one dropout: not two, not none
        assert_dropout_statistics(_numpy(evaluated), _numpy(trained), p, lib.__name__)
        # layer 0's final state is before any dropout
        np.testing.assert_array_equal(_numpy(h_train[0]), _numpy(h_eval[0]))


@pytest.mark.parametrize("p", PROBABILITIES)
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_rnn_output_is_not_dropped_after_the_last_layer(kind, p):
    x = np.random.default_rng(2).standard_normal((10, 4, 5)).astype(np.float32)
    zero_fractions = {}
    for lib in LIBS:
        lib.manual_seed(0)
        stacked = getattr(lib.nn, kind)(5, 6, num_layers=2, dropout=p).train()
        zero_fractions[lib] = float((_numpy(stacked(lib.tensor(x))[0]) == 0).mean())
        with pytest.warns(UserWarning, match="dropout"):
            single = getattr(lib.nn, kind)(5, 6, num_layers=1, dropout=p)
        np.testing.assert_array_equal(_numpy(single.train()(lib.tensor(x))[0]),
                                      _numpy(single.eval()(lib.tensor(x))[0]))
    assert zero_fractions[minitorch] == zero_fractions[torch] == 0.0


# --- transformer layers: which Dropout modules run, and what each does ----------------------------

def _dropout_calls(lib, layer, inputs):
    """Run ``layer`` in train mode; return [(module name, input, output)] for each Dropout run."""
    calls = []
    handles = [module.register_forward_hook(
        lambda m, args, out, name=name: calls.append((name, _numpy(args[0]), _numpy(out))))
        for name, module in layer.named_modules() if isinstance(module, lib.nn.Dropout)]
    layer.train()(*[lib.tensor(a) for a in inputs])
    for handle in handles:
        handle.remove()
    return calls


@pytest.mark.parametrize("p", PROBABILITIES)
@pytest.mark.parametrize("kind", ["TransformerEncoderLayer", "TransformerDecoderLayer"])
def test_transformer_layers_run_the_same_dropouts_as_pytorch(kind, p):
    rng = np.random.default_rng(3)
    inputs = [rng.standard_normal((7, 4, 8)).astype(np.float32)]
    if kind == "TransformerDecoderLayer":
        inputs.append(rng.standard_normal((6, 4, 8)).astype(np.float32))
    names = {}
    for lib in LIBS:
        lib.manual_seed(0)
        calls = _dropout_calls(lib, getattr(lib.nn, kind)(8, 2, 64, dropout=p), inputs)
        names[lib] = [name for name, _, _ in calls]
        for name, before, after in calls:
            assert_dropout_statistics(before, after, p, f"{lib.__name__} {name}")
    assert names[minitorch] == names[torch]


# --- attention weights: dropped and rescaled -------------------------------------------------------

@pytest.mark.parametrize("p", PROBABILITIES)
def test_sdpa_dropout_rescales_the_attention_weights(p):
    """q = 0 makes every weight 1/S; v = I makes the output the (dropped) weights themselves."""
    S = 16
    for lib in LIBS:
        lib.manual_seed(0)
        q = lib.zeros(2, 3, 12, 4)
        v = lib.eye(S).expand(2, 3, S, S)
        out = lib.nn.functional.scaled_dot_product_attention(q, lib.zeros(2, 3, S, 4), v,
                                                             dropout_p=p)
        assert_dropout_statistics(np.full(out.shape, 1 / S), _numpy(out), p, lib.__name__)


@pytest.mark.parametrize("p", PROBABILITIES)
def test_multihead_attention_returns_the_dropped_weights_rescaled(p):
    x = np.random.default_rng(4).standard_normal((12, 3, 8)).astype(np.float32)
    for lib in LIBS:
        lib.manual_seed(0)
        mha = lib.nn.MultiheadAttention(8, 2, dropout=p)
        with lib.no_grad():  # q = k = 0: every weight is 1/S before dropout
            mha.in_proj_weight.zero_()
            mha.in_proj_bias.zero_()
        query = lib.tensor(x)
        _, weights = mha.train()(query, query, query, average_attn_weights=False)
        assert_dropout_statistics(np.full(weights.shape, 1 / 12), _numpy(weights), p, lib.__name__)
        _, weights = mha.eval()(query, query, query, average_attn_weights=False)
        np.testing.assert_allclose(_numpy(weights), 1 / 12, rtol=1e-6)
