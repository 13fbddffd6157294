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
# # 10 · Sequences: embeddings, RNNs and LSTMs
#
# Text is a sequence of discrete symbols. To feed it to a network we map each symbol to a
# learned vector (an *embedding*), then process the sequence one step at a time with a
# state that carries what came before: a recurrent network. We build an embedding, an RNN
# cell and an LSTM from scratch, check the LSTM against `nn.LSTM` and PyTorch, and train a
# character-level model that invents new first names, on US Census first names (4,647
# for training, 516 held out).

# %%
import inspect

import numpy as np

import minitorch
import torch
from minitorch import nn
from minitorch.datasets import load_names

# %% [markdown]
# ## 1. Characters to numbers
#
# The vocabulary is the sorted set of characters (sorted, so it is the same in every run),
# plus a `.` that marks the start and the end of a name.

# %%
names = load_names("train").names
vocabulary = ["."] + sorted(set("".join(names)))
index_of = {ch: i for i, ch in enumerate(vocabulary)}
print(len(names), "names, vocabulary:", "".join(vocabulary))
print(names[:8])

# %% [markdown]
# ## 2. An embedding is a lookup
#
# `nn.Embedding(V, D)` holds a (V, D) matrix; embedding token $t$ means taking row $t$.
# Indexing is differentiable: the gradient of each row is the sum of the gradients of the
# positions where that token appeared.

# %%
minitorch.manual_seed(0)
embedding = nn.Embedding(len(vocabulary), 4)
tokens = minitorch.tensor([index_of[c] for c in "anna"])
by_hand = embedding.weight[tokens]
print(by_hand)
by_hand.sum().backward()
for ch in ".an":  # 'a' and 'n' each appear twice in "anna": their rows get 2.0 per element
    print(f"gradient of row {ch!r}: {embedding.weight.grad[index_of[ch]].tolist()}")

# %% [markdown]
# ## 3. An RNN cell and an LSTM cell from scratch
#
# An RNN cell updates its state as $h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$.
# Repeated multiplication by $W_{hh}$ makes its gradients vanish or explode over long
# sequences (chapter 09's problem, in time). The LSTM adds a *cell* $c_t$ updated
# additively through gates: input $i$, forget $f$, candidate $g$, output $o$:
#
# $$c_t = f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t).$$
#
# PyTorch stacks the four gates' weights in the order i, f, g, o; we do the same so that
# weights can be copied between the implementations.

# %%
def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return (x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh).tanh()


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    gates = x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh
    i, f, g, o = gates.chunk(4, dim=1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return h, c


def lstm_scratch(xs, lstm):
    """Run a one-layer LSTM over xs (T, N, D) with the weights of `lstm` (an nn.LSTM)."""
    n = xs.shape[1]
    h = c = minitorch.zeros(n, lstm.hidden_size)
    outputs = []
    for x in xs:
        h, c = lstm_cell(x, (h, c), lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0)
        outputs.append(h)
    return minitorch.stack(outputs), (h, c)


minitorch.manual_seed(0)
lstm = nn.LSTM(input_size=4, hidden_size=6)
xs = minitorch.randn(5, 3, 4)
scratch_out, (scratch_h, _) = lstm_scratch(xs, lstm)
library_out, (library_h, _) = lstm(xs)

real = torch.nn.LSTM(input_size=4, hidden_size=6)
real.load_state_dict({k: torch.tensor(v.numpy()) for k, v in lstm.state_dict().items()})
real_out, (real_h, _) = real(torch.tensor(xs.numpy()))
print("LSTM agrees (to 1e-6): scratch with nn.LSTM",
      np.allclose(scratch_out.detach().numpy(), library_out.detach().numpy(), rtol=1e-5, atol=1e-6),
      " nn.LSTM with PyTorch", np.allclose(library_out.detach().numpy(), real_out.detach().numpy(), rtol=1e-5, atol=1e-6))

# %% [markdown]
# The plain RNN cell, the same way, against `nn.RNN` (tanh is its default nonlinearity):

# %%
rnn = nn.RNN(input_size=4, hidden_size=6)
h = minitorch.zeros(3, 6)
rnn_scratch = []
for x in xs:
    h = rnn_cell(x, h, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
    rnn_scratch.append(h)
rnn_scratch = minitorch.stack(rnn_scratch).detach().numpy()
rnn_library = rnn(xs)[0].detach().numpy()
real_rnn = torch.nn.RNN(input_size=4, hidden_size=6)
real_rnn.load_state_dict({k: torch.tensor(v.numpy()) for k, v in rnn.state_dict().items()})
rnn_real = real_rnn(torch.tensor(xs.numpy()))[0].detach().numpy()
print("RNN agrees (to 1e-6): scratch with nn.RNN", np.allclose(rnn_scratch, rnn_library, rtol=1e-5, atol=1e-6),
      " nn.RNN with PyTorch", np.allclose(rnn_library, rnn_real, rtol=1e-5, atol=1e-6))

# %% [markdown]
# minitorch's `nn.LSTM` computes the same cell, with two speed-ups worth copying. First,
# the input's contribution $W_{ih} x_t + b_{ih}$ does not depend on the state, so it is
# computed for all time steps at once, in one large matrix product before the loop; only
# $W_{hh} h_{t-1}$ stays inside. Second, the pointwise part of a step (four gates, about
# fifteen small operations) is one fused `Function`, `LSTMGates`, whose backward is
# written out by hand in its docstring's formulas (chapter 13 measures why fusing pays).
# When a graph of the backward itself is asked for (`create_graph=True`, chapter 04), it
# falls back to differentiating the plain definition, the same lines as our `lstm_cell`.

# %%
from minitorch.nn.modules import rnn as rnn_module

print(inspect.getsource(rnn_module.RNNBase._run_direction))
print(inspect.getsource(rnn_module._lstm_step))
print(inspect.getsource(rnn_module.LSTMGates))

# %% [markdown]
# ## 4. A character-level name generator
#
# The model reads a name one character at a time (starting from `.`) and predicts the
# next character at each step; the loss is the cross-entropy of those predictions.
# Names are padded to the same length; padded positions are ignored by the loss
# (`ignore_index`).

# %%
def encode(batch_names):
    longest = max(len(n) for n in batch_names) + 1
    inputs = np.zeros((len(batch_names), longest), dtype=np.int64)
    targets = np.full((len(batch_names), longest), -100, dtype=np.int64)
    for row, name in enumerate(batch_names):
        ids = [index_of[c] for c in name]
        inputs[row, 1:len(ids) + 1] = ids                # "." then the name
        targets[row, :len(ids) + 1] = ids + [0]           # the name then "."
    return minitorch.tensor(inputs), minitorch.tensor(targets)


class NameModel(nn.Module):
    def __init__(self, vocab, hidden=64):
        super().__init__()
        self.embed = nn.Embedding(vocab, 16)
        self.lstm = nn.LSTM(16, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens, state=None):
        h, state = self.lstm(self.embed(tokens), state)
        return self.out(h), state


minitorch.manual_seed(0)
model = NameModel(len(vocabulary))
optimizer = minitorch.optim.Adam(model.parameters(), lr=1e-2)
order = np.random.default_rng(0).permutation(len(names))
losses = []
for step in range(120):
    batch = [names[i] for i in order[(step * 64) % 4600:(step * 64) % 4600 + 64]]
    inputs, targets = encode(batch)
    logits, _ = model(inputs)
    loss = nn.functional.cross_entropy(logits.reshape(-1, len(vocabulary)), targets.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    losses.append(loss.item())
print(f"loss: first step {losses[0]:.3f}, last 10 steps {np.mean(losses[-10:]):.3f} "
      f"(uniform guessing: {np.log(len(vocabulary)):.3f})")

# %% [markdown]
# Sampling: feed `.`, draw the next character from the predicted distribution, feed it
# back, until the model predicts `.` again.

# %%
def sample(model, generator, max_length=12):
    model.eval()
    token, state, name = minitorch.tensor([[0]]), None, ""
    with minitorch.no_grad():
        for _ in range(max_length):
            logits, state = model(token, state)
            probs = logits[0, -1].softmax(0)
            next_id = minitorch.multinomial(probs, 1, generator=generator).item()
            if next_id == 0:
                break
            name += vocabulary[next_id]
            token = minitorch.tensor([[next_id]])
    model.train()
    return name


generator = minitorch.Generator().manual_seed(42)
samples = [sample(model, generator) for _ in range(12)]
print(", ".join(samples))

# %% [markdown]
# ## Checks

# %%
np.testing.assert_allclose(scratch_out.detach().numpy(), library_out.detach().numpy(), rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(library_out.detach().numpy(), real_out.detach().numpy(), rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(library_h.detach().numpy(), real_h.detach().numpy(), rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(rnn_scratch, rnn_library, rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(rnn_library, rnn_real, rtol=1e-5, atol=1e-6)
assert np.mean(losses[-10:]) < 0.8 * np.log(len(vocabulary))
assert all(set(s) <= set(vocabulary[1:]) for s in samples)
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Replace the LSTM by `nn.GRU` or by your `rnn_cell`, and compare the loss after 120 steps.
# * Sample with a *temperature*: divide the logits by $T$ before softmax.
# * Measure the model's loss on `load_names("test")`: does it generalise?
