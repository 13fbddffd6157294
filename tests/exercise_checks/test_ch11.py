"""Chapter 11's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes (no or wrong scaling, a mask that hides the diagonal,
softmax without the max subtracted, heads split or merged wrongly, post-norm instead of
pre-norm, a lost residual or causal flag) fail with the input and expected vs got."""
from minitorch.course import ch11 as check

from .learner import failed, mistaken, module

solution, stub = module("11", "solution"), module("11", "stub")

SCORES = "scores = q @ k.transpose(-2, -1) / math.sqrt(d)"
SOFTMAX = "weights = scores.softmax(-1)"


def test_attention():
    assert check.attention(solution.attention)
    assert check.attention(stub.attention).status == "unfinished"
    unscaled = mistaken("11", "scores = q @ k.transpose(-2, -1)", SCORES)
    scaled_by_d = mistaken("11", "scores = q @ k.transpose(-2, -1) / d", SCORES)
    hides_diagonal = mistaken("11", ".triu(0)", ".triu(1)")
    softmax_over_queries = mistaken("11", "weights = scores.softmax(-2)", SOFTMAX)
    overflowing = mistaken("11", "weights = scores.exp() / scores.exp().sum(-1, keepdim=True)",
                           SOFTMAX)
    assert failed(check.attention(unscaled.attention), "(2, 5, 8)", "sqrt(d)")
    assert failed(check.attention(scaled_by_d.attention), "the square root")
    assert failed(check.attention(hides_diagonal.attention), "causal", "itself included")
    assert failed(check.attention(softmax_over_queries.attention), "over the keys")
    assert failed(check.attention(overflowing.attention), "large scores", "maximum")


def test_multi_head_attention():
    assert check.multi_head_attention(solution.MultiHeadAttention)
    assert check.multi_head_attention(stub.MultiHeadAttention).status == "unfinished"
    split = "q, k, v = (z.reshape(n, t, heads, e // heads).transpose(1, 2) for z in (q, k, v))"
    heads_from_positions = mistaken(
        "11", "q, k, v = (z.reshape(n, heads, t, e // heads) for z in (q, k, v))", split)
    merged_without_transpose = mistaken("11", "out = out.reshape(n, t, e)",
                                        "out = out.transpose(1, 2).reshape(n, t, e)")
    keys_first = mistaken("11", "k, q, v = (x @", "q, k, v = (x @")
    no_bias = mistaken("11", "(x @ self.in_proj_weight.t())",
                       "(x @ self.in_proj_weight.t() + self.in_proj_bias)")
    for wrong in (heads_from_positions, merged_without_transpose, keys_first):
        assert failed(check.multi_head_attention(wrong.MultiHeadAttention), "2 heads", "transpose")
    assert failed(check.multi_head_attention(no_bias.MultiHeadAttention), "2 heads")


def test_transformer_block():
    assert check.transformer_block(solution.TransformerBlock)
    assert check.transformer_block(stub.TransformerBlock).status == "unfinished"
    attend = "x = x + self.self_attn(self.norm1(x), causal)"
    mlp = "x = x + self.linear2(self.linear1(self.norm2(x)).relu())"
    post_norm = mistaken("11", "x = self.norm1(x + self.self_attn(x, causal))", attend)
    forgot_causal = mistaken("11", "x = x + self.self_attn(self.norm1(x))", attend)
    normalised_stream = mistaken("11", "x = self.norm1(x); x = x + self.self_attn(x, causal)",
                                 attend)
    no_mlp_residual = mistaken("11", "x = self.linear2(self.linear1(self.norm2(x)).relu())", mlp)
    for wrong in (post_norm, forgot_causal, normalised_stream, no_mlp_residual):
        assert failed(check.transformer_block(wrong.TransformerBlock), "causal", "pre-norm")
