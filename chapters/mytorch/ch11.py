"""Chapter 11 of your framework: the cells marked #@save, as you last ran them."""


#@save
import math

import minitorch


def attention(q, k, v, causal=False):
    """Scaled dot-product attention over the last two dims of q (..., L, d), k (..., S, d) and
    v (..., S, dv). Returns (output (..., L, dv), weights (..., L, S)).

    weights = softmax(q @ k^T / sqrt(d)), each row summing to 1; with causal=True, query i
    gives weight 0 to every key j > i (build a boolean (L, S) mask, True above the diagonal,
    and fill those scores with -inf before the softmax)."""
    ### BEGIN SOLUTION
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    if causal:
        future = minitorch.ones(scores.shape[-2], scores.shape[-1], dtype=minitorch.bool).triu(1)
        scores = scores.masked_fill(future, float("-inf"))
    weights = scores.softmax(-1)
    return weights @ v, weights
    ### END SOLUTION


#@save
import minitorch
from minitorch import nn


class MultiHeadAttention(nn.Module):
    """Self-attention with num_heads heads, laid out like torch.nn.MultiheadAttention
    (batch_first=True): in_proj_weight (3E, E) stacks W_q, W_k, W_v; out_proj is a Linear."""

    def __init__(self, embed_dim, num_heads):
        super().__init__()
        assert embed_dim % num_heads == 0, "each head gets embed_dim / num_heads features"
        self.num_heads = num_heads
        self.in_proj_weight = nn.Parameter(minitorch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(minitorch.zeros(3 * embed_dim))
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        nn.init.xavier_uniform_(self.in_proj_weight)     # PyTorch's initialisation
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x, causal=False):
        """x (N, T, E) -> (N, T, E). Compute `out` (N, T, E), the heads' outputs merged, and
        `weights` (N, heads, T, T), the attention weights of every head."""
        n, t, e = x.shape
        heads = self.num_heads
        ### BEGIN SOLUTION
        q, k, v = (x @ self.in_proj_weight.t() + self.in_proj_bias).chunk(3, dim=-1)
        q, k, v = (z.reshape(n, t, heads, e // heads).transpose(1, 2) for z in (q, k, v))
        out, weights = attention(q, k, v, causal)
        out = out.transpose(1, 2).reshape(n, t, e)
        ### END SOLUTION
        self.last_weights = weights.detach()             # kept for plotting
        return self.out_proj(out)


#@save
from minitorch import nn


class TransformerBlock(nn.Module):
    """A pre-norm transformer block: self-attention, then a two-layer ReLU MLP, each added to
    the residual stream. Its state_dict matches torch.nn.TransformerEncoderLayer(embed_dim,
    num_heads, hidden_dim, dropout=0.0, batch_first=True, norm_first=True)."""

    def __init__(self, embed_dim, num_heads, hidden_dim):
        super().__init__()
        self.self_attn = MultiHeadAttention(embed_dim, num_heads)
        self.linear1 = nn.Linear(embed_dim, hidden_dim)
        self.linear2 = nn.Linear(hidden_dim, embed_dim)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.norm2 = nn.LayerNorm(embed_dim)

    def forward(self, x, causal=True):
        """x (N, T, E) -> (N, T, E)."""
        ### BEGIN SOLUTION
        x = x + self.self_attn(self.norm1(x), causal)
        x = x + self.linear2(self.linear1(self.norm2(x)).relu())
        ### END SOLUTION
        return x
