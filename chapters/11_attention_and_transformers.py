# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 11 · Attention and transformers
#
# An RNN passes information along a sequence one step at a time. *Attention* lets every
# position look at every other position directly: each position asks a question (a
# *query*), every position offers a *key* and a *value*, and the answer is the average of
# the values weighted by how well each key matches the query. We build scaled dot-product
# attention and multi-head attention from scratch, check them against minitorch and
# PyTorch, and train a small transformer language model that invents names.

# %%
import inspect
import math

import numpy as np

import minitorch
import torch
from minitorch import nn
from minitorch.datasets import load_names

# %% [markdown]
# ## 1. Scaled dot-product attention
#
# $$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d}} + M\right) V$$
#
# Dividing by $\sqrt d$ keeps the scores' variance near 1 so the softmax does not saturate.
# A *causal* mask $M$ puts $-\infty$ above the diagonal, so position $t$ only sees positions
# $\le t$: what a language model needs, since it must not peek at the next character.

# %%
def attention(q, k, v, causal=False):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    if causal:
        t = scores.shape[-1]
        mask = minitorch.ones(t, t, dtype=minitorch.bool).triu(1)
        scores = scores.masked_fill(mask, float("-inf"))
    weights = scores.softmax(-1)
    return weights @ v, weights


rng = np.random.default_rng(0)
q0, k0, v0 = (rng.standard_normal((2, 5, 8)).astype(np.float32) for _ in range(3))
ours, weights = attention(minitorch.tensor(q0), minitorch.tensor(k0), minitorch.tensor(v0), causal=True)
library = nn.functional.scaled_dot_product_attention(minitorch.tensor(q0), minitorch.tensor(k0),
                                                     minitorch.tensor(v0), is_causal=True)
real = torch.nn.functional.scaled_dot_product_attention(torch.tensor(q0), torch.tensor(k0),
                                                        torch.tensor(v0), is_causal=True)
print("attention weights of the first sequence (causal):")
print(np.round(weights[0].numpy(), 3))
print("agree (to 1e-6): scratch with minitorch", np.allclose(ours.numpy(), library.numpy(), rtol=1e-5, atol=1e-6),
      " minitorch with PyTorch", np.allclose(library.numpy(), real.numpy(), rtol=1e-5, atol=1e-6))

# %% [markdown]
# minitorch's version is the same few lines, plus PyTorch's options: a boolean or additive
# mask, dropout on the weights, a custom scale. The causal mask is *added* as $-\infty$
# scores, which softmax turns into exact zeros:

# %%
print(inspect.getsource(nn.functional.scaled_dot_product_attention))

# %% [markdown]
# ## 2. Multi-head attention
#
# Several attention "heads" run in parallel on different learned projections of the
# input, each free to attend to something different; their outputs are concatenated and
# projected back. PyTorch stores the three input projections stacked in one
# `in_proj_weight`; we split it the same way so that weights can be copied.

# %%
def multi_head_attention(x, mha, causal=False):
    n, t, d = x.shape
    h = mha.num_heads
    q, k, v = (x @ mha.in_proj_weight.t() + mha.in_proj_bias).chunk(3, dim=-1)
    split = lambda z: z.reshape(n, t, h, d // h).transpose(1, 2)          # (N, heads, T, d/h)
    out, _ = attention(split(q), split(k), split(v), causal)
    out = out.transpose(1, 2).reshape(n, t, d)
    return mha.out_proj(out)


minitorch.manual_seed(0)
mha = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True)
x = minitorch.tensor(rng.standard_normal((2, 5, 8)).astype(np.float32))
scratch_mha = multi_head_attention(x, mha)
library_mha, _ = mha(x, x, x)
real_mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
real_mha.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mha.state_dict().items()})
real_out, _ = real_mha(*(torch.tensor(x.numpy()),) * 3)
print("agree (to 1e-6): scratch with nn.MultiheadAttention",
      np.allclose(scratch_mha.detach().numpy(), library_mha.detach().numpy(), rtol=1e-5, atol=1e-6),
      " minitorch with PyTorch", np.allclose(library_mha.detach().numpy(), real_out.detach().numpy(), rtol=1e-5, atol=1e-6))

# %% [markdown]
# ## 3. A small transformer language model
#
# Token embeddings plus learned position embeddings, two `TransformerEncoderLayer`s with a
# causal mask (so it is really a decoder-only model, like GPT), and a linear head that
# predicts the next character. Same data and padding scheme as chapter 10.

# %%
names = load_names("train").names
vocabulary = ["."] + sorted(set("".join(names)))
index_of = {ch: i for i, ch in enumerate(vocabulary)}
CONTEXT = 12


def encode(batch_names):
    inputs = np.zeros((len(batch_names), CONTEXT), dtype=np.int64)
    targets = np.full((len(batch_names), CONTEXT), -100, dtype=np.int64)
    for row, name in enumerate(batch_names):
        ids = [index_of[c] for c in name][:CONTEXT - 1]
        inputs[row, 1:len(ids) + 1] = ids
        targets[row, :len(ids) + 1] = ids + [0]
    return minitorch.tensor(inputs), minitorch.tensor(targets)


class TinyGPT(nn.Module):
    def __init__(self, vocab, d_model=48, heads=4, layers=2):
        super().__init__()
        self.tokens = nn.Embedding(vocab, d_model)
        self.positions = nn.Embedding(CONTEXT, d_model)
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=4 * d_model, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.head = nn.Linear(d_model, vocab)
        self.register_buffer("mask", minitorch.ones(CONTEXT, CONTEXT, dtype=minitorch.bool).triu(1))

    def forward(self, tokens):
        t = tokens.shape[1]
        h = self.tokens(tokens) + self.positions(minitorch.arange(t))
        h = self.blocks(h, mask=self.mask[:t, :t])
        return self.head(h)


minitorch.manual_seed(0)
model = TinyGPT(len(vocabulary))
optimizer = minitorch.optim.AdamW(model.parameters(), lr=3e-3)
order = np.random.default_rng(0).permutation(len(names))
losses = []
for step in range(100):
    batch = [names[i] for i in order[(step * 64) % 4600:(step * 64) % 4600 + 64]]
    inputs, targets = encode(batch)
    loss = nn.functional.cross_entropy(model(inputs).reshape(-1, len(vocabulary)), targets.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(f"loss: first step {losses[0]:.3f}, last 10 steps {np.mean(losses[-10:]):.3f}")

# %%
def sample(model, generator):
    model.eval()
    ids = [0]
    with minitorch.no_grad():
        while len(ids) < CONTEXT:
            logits = model(minitorch.tensor([ids]))[0, -1]
            next_id = minitorch.multinomial(logits.softmax(0), 1, generator=generator).item()
            if next_id == 0:
                break
            ids.append(next_id)
    model.train()
    return "".join(vocabulary[i] for i in ids[1:])


generator = minitorch.Generator().manual_seed(7)
samples = [sample(model, generator) for _ in range(12)]
print(", ".join(samples))

# %% [markdown]
# ## Checks

# %%
np.testing.assert_allclose(ours.numpy(), real.numpy(), rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(library.numpy(), real.numpy(), rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(scratch_mha.detach().numpy(), real_out.detach().numpy(), rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(library_mha.detach().numpy(), real_out.detach().numpy(), rtol=1e-5, atol=1e-6)
assert np.allclose(np.triu(weights[0].numpy(), 1), 0)  # causal: nothing above the diagonal
# one transformer block (the kind TinyGPT stacks), from the same weights, gives PyTorch's output
block = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True, norm_first=True)
real_block = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True,
                                              norm_first=True)
real_block.load_state_dict({k: torch.tensor(v.numpy()) for k, v in block.state_dict().items()})
causal = minitorch.ones(5, 5, dtype=minitorch.bool).triu(1)
np.testing.assert_allclose(block(x, src_mask=causal).detach().numpy(),
                           real_block(torch.tensor(x.numpy()), src_mask=torch.tensor(causal.numpy())).detach().numpy(),
                           rtol=1e-4, atol=1e-5)
assert np.mean(losses[-10:]) < 0.8 * losses[0]
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Remove the causal mask and watch the training loss collapse: why is that cheating?
# * Plot the attention weights of each head for one name.
# * Compare with chapter 10's LSTM at the same number of parameters.
