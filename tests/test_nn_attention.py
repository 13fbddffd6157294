"""scaled_dot_product_attention, MultiheadAttention and the Transformer layers against PyTorch."""
import numpy as np
import pytest
import torch

import minitorch
from module_oracle import compare_modules, lib_of
from oracle import check, check_gradcheck

RNG = np.random.default_rng(0)
X = RNG.standard_normal((5, 2, 8)).astype(np.float32)      # (L, N, E)
MEMORY = RNG.standard_normal((6, 2, 8)).astype(np.float32)  # (S, N, E)


def test_sdpa_matches_pytorch():
    q, k, v = (RNG.standard_normal(s) for s in [(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 7)])
    sdpa = lambda lib: lib.nn.functional.scaled_dot_product_attention  # noqa: E731
    check(lambda lib, q, k, v: sdpa(lib)(q, k, v), [q, k, v], second_order=True)
    check(lambda lib, q, k, v: sdpa(lib)(q, k, v, is_causal=True, scale=0.3), [q, k[:, :, :5], v[:, :, :5]])
    allowed = RNG.standard_normal((5, 6)) > 0
    allowed[:, 0] = True
    check(lambda lib, q, k, v: sdpa(lib)(q, k, v, attn_mask=lib.tensor(allowed, device=q.device)), [q, k, v])
    check(lambda lib, q, k, v, m: sdpa(lib)(q, k, v, attn_mask=m), [q, k, v, RNG.standard_normal((5, 6))])
    check(lambda lib, q, k, v: sdpa(lib)(q, k, v), [q[0, 0], k[0, 0], v[0, 0]], dtype="float32")


def test_sdpa_gradcheck_and_errors():
    check_gradcheck(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, is_causal=True), [(1, 2, 3, 2), (1, 2, 3, 2), (1, 2, 3, 3)])
    q = minitorch.randn(1, 2, 3, 4)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
        minitorch.nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=minitorch.ones(3, 3),
                                                             is_causal=True)


def test_sdpa_dropout_zeroes_weights():
    minitorch.manual_seed(0)
    q = minitorch.randn(2, 4, 6, 8)
    v = minitorch.ones(2, 4, 6, 8)
    out = minitorch.nn.functional.scaled_dot_product_attention(q, q, v, dropout_p=0.5)
    # each output row is (kept weights summing to about 1) / (1 - p); without dropout it is exactly 1
    assert not np.allclose(out.numpy(), 1.0)


@pytest.mark.parametrize("kw", [dict(), dict(bias=False)])
def test_multihead_attention_matches_pytorch(kw):
    ours, theirs = minitorch.nn.MultiheadAttention(8, 2, **kw), torch.nn.MultiheadAttention(8, 2, **kw)
    compare_modules(ours, theirs, [X], lambda m, q: m(q, q, q))
    compare_modules(ours, theirs, [X, MEMORY], lambda m, q, k: m(q, k, k, average_attn_weights=False))
    causal = np.triu(np.ones((5, 5), bool), 1)
    compare_modules(ours, theirs, [X], lambda m, q: m(
        q, q, q, attn_mask=lib_of(q).tensor(causal, device=q.device)))
    padding = np.array([[False] * 5, [False] * 3 + [True] * 2])
    compare_modules(ours, theirs, [X], lambda m, q: m(
        q, q, q, need_weights=False, key_padding_mask=lib_of(q).tensor(padding, device=q.device)))
    float_mask = RNG.standard_normal((4, 5, 5)).astype(np.float32)
    compare_modules(ours, theirs, [X, float_mask], lambda m, q, mask: m(q, q, q, attn_mask=mask))
    compare_modules(ours, theirs, [X[:, 0]], lambda m, q: m(q, q, q))


def test_multihead_attention_kdim_vdim_and_batch_first():
    ours = minitorch.nn.MultiheadAttention(8, 4, kdim=5, vdim=3)
    theirs = torch.nn.MultiheadAttention(8, 4, kdim=5, vdim=3)
    k = RNG.standard_normal((6, 2, 5)).astype(np.float32)
    v = RNG.standard_normal((6, 2, 3)).astype(np.float32)
    compare_modules(ours, theirs, [X, k, v], lambda m, q, k, v: m(q, k, v))
    ours = minitorch.nn.MultiheadAttention(8, 2, batch_first=True)
    theirs = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    compare_modules(ours, theirs, [X], lambda m, q: m(q, q, q))
    compare_modules(ours, theirs, [X, MEMORY[:5]], lambda m, q, k: m(q, k, k))


def test_multihead_attention_init_and_errors():
    mha = minitorch.nn.MultiheadAttention(8, 2)
    assert [k for k in mha.state_dict()] == ["in_proj_weight", "in_proj_bias", "out_proj.weight",
                                             "out_proj.bias"]
    assert not np.any(mha.in_proj_bias.detach().numpy()) and not np.any(mha.out_proj.bias.detach().numpy())
    bound = np.sqrt(6 / (8 + 24))  # xavier_uniform_ on (3E, E)
    assert np.abs(mha.in_proj_weight.detach().numpy()).max() <= bound
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        minitorch.nn.MultiheadAttention(8, 3)
    x = minitorch.randn(5, 2, 8)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        mha(x, x, x, is_causal=True)


def test_multihead_attention_dropout_only_in_training():
    mha = minitorch.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = minitorch.randn(5, 2, 8)
    mha.eval()
    a, _ = mha(x, x, x)
    b, _ = mha(x, x, x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    mha.train()
    minitorch.manual_seed(0)
    c, _ = mha(x, x, x)
    assert not np.allclose(c.detach().numpy(), a.detach().numpy())


ENCODER_ARGS = [dict(), dict(norm_first=True), dict(activation="gelu", batch_first=True), dict(bias=False)]


@pytest.mark.parametrize("kw", ENCODER_ARGS)
def test_transformer_encoder_matches_pytorch(kw):
    ours = minitorch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw)
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw)
    compare_modules(ours, theirs, [X])
    steps = 2 if kw.get("batch_first") else 5
    stack_ours = minitorch.nn.TransformerEncoder(ours, 2, norm=minitorch.nn.LayerNorm(8))
    stack_theirs = torch.nn.TransformerEncoder(theirs, 2, norm=torch.nn.LayerNorm(8),
                                               enable_nested_tensor=False)
    compare_modules(stack_ours, stack_theirs, [X], lambda m, s: m(
        s, mask=lib_of(s).nn.Transformer.generate_square_subsequent_mask(steps, device=s.device)))
    padding = np.zeros((5, 2) if kw.get("batch_first") else (2, 5), bool)
    padding[-1, -1] = True
    compare_modules(stack_ours, stack_theirs, [X], lambda m, s: m(
        s, src_key_padding_mask=lib_of(s).tensor(padding, device=s.device)))


@pytest.mark.parametrize("kw", ENCODER_ARGS)
def test_transformer_decoder_matches_pytorch(kw):
    memory = MEMORY[:5] if kw.get("batch_first") else MEMORY
    ours = minitorch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw)
    theirs = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw)
    compare_modules(ours, theirs, [X, memory])
    compare_modules(minitorch.nn.TransformerDecoder(ours, 2), torch.nn.TransformerDecoder(theirs, 2),
                    [X, memory])


def test_full_transformer_matches_pytorch():
    ours = minitorch.nn.Transformer(8, 2, 1, 1, 16, dropout=0.0)
    theirs = torch.nn.Transformer(8, 2, 1, 1, 16, dropout=0.0)
    compare_modules(ours, theirs, [MEMORY, X], lambda m, s, t: m(
        s, t, tgt_mask=lib_of(s).nn.Transformer.generate_square_subsequent_mask(5, device=s.device)))


def test_transformer_custom_activation_and_train_mode_dropout():
    layer = minitorch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5, activation=minitorch.nn.GELU())
    x = minitorch.randn(5, 2, 8)
    layer.eval()
    np.testing.assert_array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.train()
    assert not np.allclose(layer(x).detach().numpy(), layer(x).detach().numpy())
