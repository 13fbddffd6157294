"""Checks for chapter 11: attention and transformers.

Each check runs the learner's code and PyTorch's on the same inputs (and, for modules, the same
weights, moved with ``load_state_dict``) and compares outputs and gradients: of the inputs and,
for modules, of the parameters.
"""
from __future__ import annotations

import numpy as np

from .checking import pytorch as _torch, run


def _tolerance(dtype: str) -> dict:
    return {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-8, "atol": 1e-10}


def _causal_mask(length: int, source: int):
    """PyTorch's boolean mask for nn.MultiheadAttention: True where query i may NOT see key j."""
    return _torch().ones(length, source, dtype=_torch().bool).triu(1)


# (description, shapes of q, k, v, causal, dtype, hint for what this input tests)
_ATTENTION_CASES = [
    ("q, k, v (2, 5, 8)", [(2, 5, 8)] * 3, False, "float32", ""),
    ("q, k, v (2, 5, 8), causal", [(2, 5, 8)] * 3, True, "float32",
     "with causal=True, query i sees keys 0..i (itself included): mask the scores above the "
     "diagonal, triu(1), with -inf before the softmax"),
    ("3 queries (2, 3, 4) attending over 7 keys (2, 7, 4) with values of 6 features (2, 7, 6)",
     [(2, 3, 4), (2, 7, 4), (2, 7, 6)], False, "float64",
     "scores are q @ k^T, (L, S): transpose the last two dims of k; softmax over the keys, dim -1"),
    ("4-d: 2 sequences x 3 heads, q, k, v (2, 3, 6, 4), causal", [(2, 3, 6, 4)] * 3, True,
     "float64", "transpose(-2, -1), not .T or .t(): only the last two dims are the matrix"),
    ("broadcast: q (2, 2, 5, 4) against k and v (5, 4) shared by every batch",
     [(2, 2, 5, 4), (5, 4), (5, 4)], False, "float64",
     "k.transpose(-2, -1) broadcasts in the matmul like any other batch dims"),
]


def attention(fn):
    """``fn(q, k, v, causal)`` returns (output, weights) as scaled_dot_product_attention."""
    import minitorch
    torch = _torch()

    def compare(expect, description, arrays, causal, hint, transposed=False):
        dtype = str(arrays[0].dtype)
        tolerance = _tolerance(dtype)
        ours = [minitorch.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        if transposed:     # the leaves hold the transposed data; attention sees views
            ours_in = [t.transpose(-2, -1) for t in ours]
            theirs_in = [t.transpose(-2, -1) for t in theirs]
        else:
            ours_in, theirs_in = ours, theirs
        out, weights = fn(*ours_in, causal=causal)
        expected = torch.nn.functional.scaled_dot_product_attention(*theirs_in, is_causal=causal)
        expect.close(f"{description}: the output", out, expected, hint=hint, **tolerance)
        q, k = theirs_in[0], theirs_in[1]
        scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
        if causal:
            scores = scores.masked_fill(_causal_mask(*scores.shape[-2:]), float("-inf"))
        expect.close(f"{description}: the weights", weights, scores.softmax(-1), hint=hint,
                     **tolerance)
        upstream = np.random.default_rng(1).standard_normal(tuple(expected.shape)).astype(dtype)
        (out * minitorch.tensor(upstream)).sum().backward()
        (expected * torch.tensor(upstream)).sum().backward()
        for name, a, b in zip("qkv", ours, theirs):
            expect.close(f"{description}: the gradient of {name}", a.grad, b.grad, hint=hint,
                         **tolerance)

    def cases(expect):
        rng = np.random.default_rng(0)
        for description, shapes, causal, dtype, hint in _ATTENTION_CASES:
            arrays = [rng.standard_normal(shape).astype(dtype) for shape in shapes]
            compare(expect, description, arrays, causal, hint)
        arrays = [rng.standard_normal((2, 8, 5)).astype("float32") for _ in range(3)]
        compare(expect, "non-contiguous: q, k, v (2, 5, 8) transposed views of (2, 8, 5) tensors, "
                "causal", arrays, True, "", transposed=True)
        arrays = [30 * rng.standard_normal((1, 4, 8)).astype("float32") for _ in range(3)]
        compare(expect, "large scores: q, k, v (1, 4, 8) with entries about 30 (scores in the "
                "hundreds)", arrays, True,
                "exp of a score in the hundreds overflows: use Tensor.softmax(-1), which "
                "subtracts each row's maximum first")
    return run("attention", cases,
               hint="scores = q @ k^T / sqrt(d) with d = q.shape[-1] (the square root, not d), "
                    "softmax along the last dim (over the keys), then weights @ v")


def _randomise(module, seed: int) -> None:
    """Give every parameter of a PyTorch module random values (its default biases are zeros and
    LayerNorm's weights ones, which would hide a forgotten bias or a misplaced norm)."""
    torch = _torch()
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in sorted(module.named_parameters()):
            noise = torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype)
            if name.startswith("norm"):
                parameter.copy_(1 + 0.3 * noise if name.endswith("weight") else 0.3 * noise)
            else:
                parameter.copy_(noise / parameter.shape[-1] ** 0.5)


def _load(ours, theirs, dtype: str):
    """The learner's module in ``dtype`` with the PyTorch module's weights."""
    ours = ours.double() if dtype == "float64" else ours
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours


def _compare_module(expect, description, ours, theirs, reference_output, x_array, causal, dtype,
                    parameters, hint):
    """Forward and backward of the learner's module against PyTorch's: output, then the
    gradients of the input and of the named parameters."""
    import minitorch
    torch = _torch()
    tolerance = _tolerance(dtype)
    x_ours = minitorch.tensor(x_array, requires_grad=True)
    x_theirs = torch.tensor(x_array, requires_grad=True)
    out = ours(x_ours, causal=causal)
    expected = reference_output(x_theirs)
    expect.close(f"{description}: the output", out, expected, hint=hint, **tolerance)
    upstream = np.random.default_rng(1).standard_normal(x_array.shape).astype(dtype)
    (out * minitorch.tensor(upstream)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    expect.close(f"{description}: the gradient of x", x_ours.grad, x_theirs.grad, hint=hint,
                 **tolerance)
    ours_parameters, their_parameters = dict(ours.named_parameters()), dict(theirs.named_parameters())
    for name in parameters:
        expect.close(f"{description}: the gradient of {name}", ours_parameters[name].grad,
                     their_parameters[name].grad, hint=hint, **tolerance)
    return out


# (embed_dim, heads, batch, length, causal, dtype)
_MHA_CASES = [(8, 2, 2, 5, False, "float32"), (8, 2, 2, 5, True, "float32"),
              (12, 3, 3, 4, True, "float64"), (6, 1, 2, 3, False, "float64"),
              (8, 4, 2, 6, True, "float32")]


def multi_head_attention(MultiHeadAttention):
    """``MultiHeadAttention(E, heads)`` reproduces torch.nn.MultiheadAttention(E, heads,
    batch_first=True) on self-attention, loaded with the same weights."""
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(0)
        for seed, (embed, heads, batch, length, causal, dtype) in enumerate(_MHA_CASES):
            theirs = torch.nn.MultiheadAttention(embed, heads, batch_first=True,
                                                 dtype=getattr(torch, dtype))
            _randomise(theirs, seed)
            ours = _load(MultiHeadAttention(embed, heads), theirs, dtype)
            mask = _causal_mask(length, length) if causal else None
            x = rng.standard_normal((batch, length, embed)).astype(dtype)
            description = (f"{heads} head{'s' * (heads > 1)} of {embed // heads} features, "
                           f"x ({batch}, {length}, {embed}) {dtype}{', causal' * causal}")

            def reference(x_theirs):
                return theirs(x_theirs, x_theirs, x_theirs, attn_mask=mask, need_weights=False)[0]
            _compare_module(expect, description, ours, theirs, reference, x, causal, dtype,
                            ["in_proj_weight", "in_proj_bias", "out_proj.weight"], hint="")
            with torch.no_grad():
                xt = torch.tensor(x)
                _, weights = theirs(xt, xt, xt, attn_mask=mask, average_attn_weights=False)
            expect.close(f"{description}: the weights of each head (N, heads, T, T)",
                         ours.last_weights, weights, **_tolerance(dtype))
    return run("MultiHeadAttention", cases,
               hint="chunk the projection into q, k, v (in that order); split the LAST dim into "
                    "heads, reshape(n, t, heads, e // heads), then transpose(1, 2) to put the "
                    "heads before the positions; merge back with transpose(1, 2) before "
                    "reshape(n, t, e)")


# (embed_dim, heads, hidden, batch, length, causal, dtype)
_BLOCK_CASES = [(8, 2, 16, 2, 5, True, "float32"), (8, 2, 16, 2, 5, False, "float32"),
                (12, 3, 20, 3, 4, True, "float64")]


def transformer_block(TransformerBlock):
    """``TransformerBlock(E, heads, hidden)`` reproduces torch.nn.TransformerEncoderLayer(E,
    heads, hidden, dropout=0, batch_first=True, norm_first=True) loaded with the same weights."""
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(0)
        for seed, (embed, heads, hidden, batch, length, causal, dtype) in enumerate(_BLOCK_CASES):
            theirs = torch.nn.TransformerEncoderLayer(embed, heads, hidden, dropout=0.0,
                                                      batch_first=True, norm_first=True,
                                                      dtype=getattr(torch, dtype))
            _randomise(theirs, seed)
            ours = _load(TransformerBlock(embed, heads, hidden), theirs, dtype)
            mask = _causal_mask(length, length) if causal else None
            x = rng.standard_normal((batch, length, embed)).astype(dtype)
            description = (f"{heads} heads, MLP of {hidden}, x ({batch}, {length}, {embed}) "
                           f"{dtype}{', causal' * causal}")
            _compare_module(expect, description, ours, theirs,
                            lambda x_theirs: theirs(x_theirs, src_mask=mask), x, causal, dtype,
                            ["norm1.weight", "self_attn.in_proj_weight", "norm2.weight",
                             "linear1.weight", "linear2.bias"],
                            hint="pre-norm: x = x + attention(norm1(x)), then x = x + "
                                 "linear2(relu(linear1(norm2(x)))); the stream x itself is "
                                 "never normalised, and attention gets the causal flag")
    return run("TransformerBlock", cases)
