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
# state that carries what came before: a recurrent network. You write the embedding's
# backward, an RNN cell and an LSTM cell, check them against PyTorch's `nn.Embedding`,
# `nn.RNNCell` and `nn.LSTMCell`, run your embedding and LSTM cell inside a character-level
# model that learns to invent first names (US Census names: 4,647 for training, 516 held
# out), and write the loop that samples new names from it.
#
# As in every chapter, cells with `# YOUR CODE HERE` are yours (this page shows the
# solutions), a check follows each, and the cells marked `#@save` go into your package, here
# `mytorch/ch10.py`.

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code

import minitorch
import torch
from minitorch import course, nn
from minitorch.course import ch10 as check
from minitorch.datasets import load_names

course.start("10")

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
# The forward is one indexing operation; the backward is where the work is. The output has
# one row per position, the weight one row per token, so the gradient flows from positions
# back to tokens: every row of the weight's gradient is the sum of the output's gradient
# over the positions holding that token (zero for a token that does not appear). A token
# used twice gets two contributions *added*: chapter 01's `+=`, for rows.
#
# **Exercise 10.1.** Write the backward of `EmbeddingFunction`. `tokens` may have any shape
# (a batch of sequences is (N, T)); `grad` has the output's shape, `tokens.shape + (D,)`.
# `Tensor.index_add_(0, index, source)` adds each row of `source` into the row named by
# `index`, repeated indices included.

# %%
#@save
import minitorch


class EmbeddingFunction(minitorch.autograd.Function):
    """Rows of weight (V, D) picked by integer tokens of any shape: out[..., :] = weight[token]."""

    @staticmethod
    def forward(ctx, weight, tokens):
        ctx.save_for_backward(tokens)
        ctx.vocabulary_size = weight.shape[0]
        return weight[tokens]

    @staticmethod
    def backward(ctx, grad):
        (tokens,) = ctx.saved_tensors
        ### BEGIN SOLUTION
        size = grad.shape[-1]
        grad_weight = minitorch.zeros(ctx.vocabulary_size, size, dtype=grad.dtype)
        grad_weight.index_add_(0, tokens.reshape(-1), grad.reshape(-1, size))
        ### END SOLUTION
        return grad_weight, None


# %%
check.embedding(EmbeddingFunction)

# %% [markdown]
# Your embedding on "anna", with `nn.Embedding`'s weight: the same rows, the same gradients.

# %%
with course.needs("your EmbeddingFunction"):
    weight = embedding.weight.detach().requires_grad_()
    rows = EmbeddingFunction.apply(weight, tokens)
    rows.sum().backward()
    print("same rows:", np.array_equal(rows.detach().numpy(), by_hand.detach().numpy()),
          "  same gradient:", np.array_equal(weight.grad.numpy(), embedding.weight.grad.numpy()))

# %% [markdown]
# ## 3. An RNN cell
#
# An RNN cell updates its state from the input at this step and the state before:
#
# $$h_t = \tanh(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}).$$
#
# The weights are laid out as PyTorch lays them out, (out, in) like `nn.Linear`'s:
# `w_ih` is (H, D) and `w_hh` is (H, H) for inputs of size D and a state of size H, hence
# the transposes; `x` is (N, D) and `h` is (N, H) for a batch of N sequences. Repeated
# multiplication by $W_{hh}$ makes an RNN's gradients vanish or explode over long sequences
# (chapter 09's problem, in time).
#
# **Exercise 10.2.** Write `rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh)`, returning $h_t$.

# %%
#@save
def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """One step of a tanh RNN: the new state (N, H) from x (N, D) and h (N, H), with PyTorch's
    weights w_ih (H, D), w_hh (H, H), b_ih (H,), b_hh (H,)."""
    ### BEGIN SOLUTION
    return (x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh).tanh()
    ### END SOLUTION


# %%
check.rnn_cell(rnn_cell)

# %% [markdown]
# A cell handles one step; a recurrent *layer* runs it along a sequence, feeding each step's
# state to the next. Yours, over a sequence of 5 steps (a batch of 3), with the weights of a
# minitorch `nn.RNN` (tanh is its default nonlinearity), against that `nn.RNN` and PyTorch's.
# PyTorch's gets its input and weights from the same seed: minitorch draws PyTorch's random
# numbers, so nothing has to be copied across.

# %%
minitorch.manual_seed(0)
xs = minitorch.randn(5, 3, 4)                 # (time, batch, features): nn.RNN's default layout
rnn = nn.RNN(input_size=4, hidden_size=6)
rnn_library = rnn(xs)[0].detach().numpy()
torch.manual_seed(0)
real_xs = torch.randn(5, 3, 4)                # the same numbers as xs
real_rnn = torch.nn.RNN(input_size=4, hidden_size=6)
rnn_real = real_rnn(real_xs)[0].detach().numpy()
print("nn.RNN agrees with PyTorch (to 1e-6):",
      np.allclose(rnn_library, rnn_real, rtol=1e-5, atol=1e-6))

with course.needs("your rnn_cell"):
    h = minitorch.zeros(3, 6)
    states = []
    for x in xs:
        h = rnn_cell(x, h, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
        states.append(h)
    print("your cell, run along the sequence, agrees with nn.RNN:",
          np.allclose(minitorch.stack(states).detach().numpy(), rnn_library, rtol=1e-5, atol=1e-6))

# %% [markdown]
# ## 4. An LSTM cell
#
# The LSTM adds a *cell* state $c_t$ that is updated additively, through gates: numbers
# between 0 and 1 (sigmoids) that decide, per unit, how much to keep and how much to write.
# One matrix product gives all four gates' pre-activations at once, stacked in PyTorch's
# order **i, f, g, o** along the $4H$ rows of `w_ih` (4H, D) and `w_hh` (4H, H):
#
# $$\begin{aligned}
# i, f, g, o &= \text{split}_4\!\left(x_t W_{ih}^\top + b_{ih}
#               + h_{t-1} W_{hh}^\top + b_{hh}\right)\\
# c_t &= \sigma(f) \odot c_{t-1} + \sigma(i) \odot \tanh(g) \\
# h_t &= \sigma(o) \odot \tanh(c_t)
# \end{aligned}$$
#
# The input gate $i$ decides how much of the candidate $g$ to write, the forget gate $f$ how
# much of the old cell to keep, the output gate $o$ how much of the cell to show as $h_t$.
# Since $c_t$ is a sum, not a product, the gradient along it is multiplied only by
# $\sigma(f)$ at each step: a residual connection in time (chapter 09).
#
# **Exercise 10.3.** Write `lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh)`: `state` is the
# pair `(h, c)`, and it returns the new pair. Keep PyTorch's gate order, so that your cell
# run with the weights of a `torch.nn.LSTMCell` computes what it computes.

# %%
#@save
def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    """One LSTM step: the new (h, c), each (N, H), from x (N, D) and state = (h, c), with
    PyTorch's weights w_ih (4H, D), w_hh (4H, H), b_ih (4H,), b_hh (4H,), gates i, f, g, o."""
    h, c = state
    ### BEGIN SOLUTION
    gates = x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh
    i, f, g, o = gates.chunk(4, dim=1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    ### END SOLUTION
    return h, c


# %%
check.lstm_cell(lstm_cell)

# %% [markdown]
# Your cell along the same sequence, with the weights of a minitorch `nn.LSTM`, against
# that `nn.LSTM` and PyTorch's:

# %%
def run_lstm(cell, xs, lstm):
    """Run a one-layer LSTM over xs (T, N, D) with `cell` and the weights of `lstm` (an nn.LSTM)."""
    h = c = minitorch.zeros(xs.shape[1], lstm.hidden_size)
    outputs = []
    for x in xs:
        h, c = cell(x, (h, c), lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0,
                    lstm.bias_hh_l0)
        outputs.append(h)
    return minitorch.stack(outputs), (h, c)


minitorch.manual_seed(0)
lstm = nn.LSTM(input_size=4, hidden_size=6)
library_out, (library_h, _) = lstm(xs)
torch.manual_seed(0)                          # the same seed, so the same weights
real = torch.nn.LSTM(input_size=4, hidden_size=6)
real_out, (real_h, _) = real(torch.tensor(xs.numpy()))
print("nn.LSTM agrees with PyTorch (to 1e-6):",
      np.allclose(library_out.detach().numpy(), real_out.detach().numpy(), rtol=1e-5, atol=1e-6))

with course.needs("your lstm_cell"):
    mine_out, _ = run_lstm(lstm_cell, xs, lstm)
    print("your cell, run along the sequence, agrees with nn.LSTM:",
          np.allclose(mine_out.detach().numpy(), library_out.detach().numpy(),
                      rtol=1e-5, atol=1e-6))

# %% [markdown]
# ### How minitorch does it
#
# minitorch's `nn.LSTM` computes the same cell, with two speed-ups worth copying. First,
# the input's contribution $x_t W_{ih}^\top + b_{ih}$ does not depend on the state, so it is
# computed for all time steps at once, in one large matrix product before the loop; only
# $h_{t-1} W_{hh}^\top$ stays inside. Second, the pointwise part of a step (four gates,
# about fifteen small operations) is one fused `Function`, `LSTMGates`, whose backward is
# written out by hand from its docstring's formulas (chapter 13 measures why fusing pays).
# When a graph of the backward itself is asked for (`create_graph=True`, chapter 04), it
# falls back to differentiating the plain definition, the same lines as your `lstm_cell`.

# %%
from minitorch.nn.modules import rnn as rnn_module

Code("\n\n".join(inspect.getsource(piece) for piece in
                 (rnn_module.RNNBase._run_direction, rnn_module._lstm_step, rnn_module.LSTMGates)),
     language="python")

# %% [markdown]
# ## 5. A character-level name generator
#
# The model reads a name one character at a time (starting from `.`) and predicts the
# next character at each step; the loss is the cross-entropy of those predictions.
# Names are padded to the same length; padded positions are ignored by the loss
# (`ignore_index`, -100 by default).

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
    """Embedding (16 per character), a recurrent layer (nn.LSTM or nn.RNN), a linear read-out."""

    def __init__(self, vocab, hidden=64, recurrent=nn.LSTM):
        super().__init__()
        self.embed = nn.Embedding(vocab, 16)
        self.recurrent = recurrent(16, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens, state=None):
        h, state = self.recurrent(self.embed(tokens), state)
        return self.out(h), state


def train(model, steps=120):
    """Adam on batches of 64 names, the same ones in the same order every time; each step's loss."""
    optimizer = minitorch.optim.Adam(model.parameters(), lr=1e-2)
    order = np.random.default_rng(0).permutation(len(names))
    losses = []
    for step in range(steps):
        batch = [names[i] for i in order[(step * 64) % 4600:(step * 64) % 4600 + 64]]
        inputs, targets = encode(batch)
        logits, _ = model(inputs)
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(vocabulary)), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    return losses


models, losses = {}, {}
for recurrent in (nn.RNN, nn.LSTM):
    minitorch.manual_seed(0)
    models[recurrent.__name__] = model = NameModel(len(vocabulary), recurrent=recurrent)
    losses[recurrent.__name__] = train(model)
    curve = losses[recurrent.__name__]
    print(f"{recurrent.__name__:4s} loss: first step {curve[0]:.3f}, last 10 steps "
          f"{np.mean(curve[-10:]):.3f} (uniform guessing: {np.log(len(vocabulary)):.3f})")

# %% [markdown]
# The two loss curves (each point the mean of 10 steps). The plain RNN, with a quarter of the
# LSTM's recurrent weights, learns faster at first; the LSTM catches up and ends slightly
# ahead. Names are short (six letters on average), so the LSTM's long memory matters less
# here than it does on long texts.

# %%
def smooth(values, width=10):
    return np.convolve(values, np.ones(width) / width, mode="valid")


fig, ax = plt.subplots(figsize=(7, 4))
for name, curve in losses.items():
    _ = ax.plot(np.arange(len(curve) - 9) + 10, smooth(curve), label=f"nn.{name}")
_ = ax.axhline(np.log(len(vocabulary)), color="gray", linestyle=":", label="uniform guessing")
_ = ax.set(xlabel="training step (batches of 64 names)", ylabel="cross-entropy, mean of 10 steps",
           title="learning to spell names")
_ = ax.legend()
plt.show()

# %% [markdown]
# ### Your embedding and LSTM cell in the generator
#
# `nn.Embedding` is your lookup, and `nn.LSTM` is your cell in a loop. Replace the model's
# forward by your `EmbeddingFunction` and your `lstm_cell`, stepped along the names, with the
# same weights, and train both versions on the same batches from the same start: the losses
# agree step for step (to float32 rounding).

# %%
class MyNameModel(NameModel):
    """NameModel run by your EmbeddingFunction and your lstm_cell, one time step at a time."""

    def forward(self, tokens, state=None):
        xs = EmbeddingFunction.apply(self.embed.weight, tokens)    # (N, T, 16)
        cell = self.recurrent
        if state is None:
            state = (minitorch.zeros(xs.shape[0], cell.hidden_size),) * 2
        outputs = []
        for t in range(xs.shape[1]):
            state = lstm_cell(xs[:, t], state, cell.weight_ih_l0, cell.weight_hh_l0,
                              cell.bias_ih_l0, cell.bias_hh_l0)
            outputs.append(state[0])
        return self.out(minitorch.stack(outputs, 1)), state


with course.needs("your code for 10.1 and 10.3"):
    minitorch.manual_seed(0)
    mine = train(MyNameModel(len(vocabulary)), steps=20)
    print("loss at steps 1, 10, 20: nn.LSTM",
          " ".join(f"{losses['LSTM'][i]:.3f}" for i in (0, 9, 19)),
          "  yours", " ".join(f"{mine[i]:.3f}" for i in (0, 9, 19)))
    print("the two curves agree to 1e-4:", np.allclose(mine, losses["LSTM"][:20], atol=1e-4))

# %% [markdown]
# ## 6. Sampling new names
#
# To invent a name, run the model one character at a time: feed `.`, turn the predicted
# scores for the next character into probabilities (softmax), draw one character from them,
# feed it back with the state the model returned, and stop when the model draws `.` (the end
# of a name) or the name gets too long. Drawing, rather than taking the most likely
# character, is what makes each name different; a seeded generator makes the draws
# repeatable.
#
# **Exercise 10.4.** Write `sample(model, vocabulary, generator, max_length)`. The model
# takes a (1, 1) tensor of token ids and a state (None at the start) and returns scores of
# shape (1, 1, V) and the new state. Draw with
# `minitorch.multinomial(probabilities, 1, generator=generator)`.

# %%
#@save
import minitorch


def sample(model, vocabulary, generator, max_length=12):
    """A name drawn from model one character at a time: start from token 0 ('.'), draw each
    next token from softmax(scores), stop at '.' (not included) or after max_length characters."""
    name = ""
    with minitorch.no_grad():
        ### BEGIN SOLUTION
        token, state = minitorch.tensor([[0]]), None
        for _ in range(max_length):
            scores, state = model(token, state)
            probabilities = scores[0, -1].softmax(0)
            next_id = minitorch.multinomial(probabilities, 1, generator=generator).item()
            if next_id == 0:
                break
            name += vocabulary[next_id]
            token = minitorch.tensor([[next_id]])
        ### END SOLUTION
    return name


# %%
check.sample(sample)

# %% [markdown]
# Twelve names from each trained model (the same seed for both), and how many of them are
# real names from the training set (the rest are inventions):

# %%
training_names = set(names)
with course.needs("your sample"):
    for name, model in models.items():
        model.eval()
        generator = minitorch.Generator().manual_seed(42)
        samples = [sample(model, vocabulary, generator) for _ in range(12)]
        known = sum(s in training_names for s in samples)
        print(f"{name:4s} {', '.join(samples)}  ({known} of 12 in the training set)")

# %% [markdown]
# ## Checks
#
# minitorch against PyTorch and the training above (none of which needs your code), then
# your exercises once more.

# %%
for ours, theirs in ((library_out, real_out), (library_h, real_h)):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(rnn_library, rnn_real, rtol=1e-5, atol=1e-6)
for curve in losses.values():
    assert np.mean(curve[-10:]) < 0.8 * np.log(len(vocabulary))
assert np.mean(losses["LSTM"][-10:]) < np.mean(losses["RNN"][-10:])
course.summary(check.embedding(EmbeddingFunction), check.rnn_cell(rnn_cell),
               check.lstm_cell(lstm_cell), check.sample(sample))

# %% [markdown]
# ## Try next
#
# * Add `nn.GRU` to the comparison, and train all three for 500 steps: does the order change?
# * Sample with a *temperature*: divide the scores by $T$ before softmax. What do $T = 0.5$
#   and $T = 2$ give?
# * Measure the model's loss on `load_names("test")`: does it generalise?

# %% [markdown]
# **Next:** [11 · Attention and transformers](11_attention_and_transformers.ipynb). The whole path is in [the syllabus](README.md).
