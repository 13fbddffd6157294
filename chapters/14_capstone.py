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
# # 14 · Capstone: your framework trains a CNN and a GPT
#
# Over thirteen chapters you wrote a framework, one piece at a time, into your package
# `mytorch`. This chapter assembles those pieces into two real models and trains them:
#
# 1. a **convolutional network** that reads handwritten digits (MNIST, 4,000 training images)
#    and must get at least **95%** of the 1,000 test digits right;
# 2. a small **GPT** that learns to write first names, and must reach a loss on names it never
#    saw that is no worse than chapter 10's LSTM.
#
# What runs is yours:
#
# | piece | written in |
# |---|---|
# | `TinyModule`, `Linear` (PyTorch's initialisation), `state_dict` | chapter 05 |
# | `cross_entropy` with log-sum-exp, `Adam` | chapter 06 |
# | `SimpleLoader` (batches, seeded shuffle), `train_epoch`, `evaluate` | chapter 07 |
# | `Conv2dFunction`: im2col forward, col2im backward | chapter 08 |
# | `attention`, `MultiHeadAttention`, `TransformerBlock` | chapter 11 |
# | `Conv2d`, `MaxPool2d`, `Sequential`, `GPT`, `generate` | this chapter |
#
# minitorch supplies the tensor and its autograd underneath, and the GPT's embeddings, layer
# norms and linear layers (chapter 11 built your blocks on minitorch's `nn.Module`). Each model is checked twice: against the same network built from
# minitorch.nn and from PyTorch and loaded with *your* weights (same logits, same gradient
# for every parameter), and against its goal.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minitorch
import torch
from minitorch import course
from minitorch.course import ch14 as check
from minitorch.datasets import load_mnist_5k, load_names

course.start("14")

# %% [markdown]
# ## 1. A CNN from your pieces
#
# Chapter 08's `Conv2dFunction` is a function: it takes the weights as arguments. A *layer*
# owns its weights, as `Parameter`s registered in a module, so that an optimizer can find
# them and a state dict can name them.
#
# **Exercise 14.1.** Write `Conv2d`, a `TinyModule` (chapter 05) with nn.Conv2d's parameters:
# `weight` of shape (out_channels, in_channels, k, k) and `bias` of shape (out_channels,),
# both drawn uniform in $\pm 1/\sqrt{\text{fan\_in}}$ as PyTorch does (weight first). A
# filter sees in_channels × k × k inputs: that is its fan-in. `forward` applies your
# `Conv2dFunction` with the layer's stride and padding.

# %%
#@save
import math

import minitorch
from minitorch.nn import Parameter
from mytorch.ch05 import Linear, TinyModule
from mytorch.ch08 import Conv2dFunction


class Conv2d(TinyModule):
    """nn.Conv2d's parameters and initialisation: weight (out_channels, in_channels, k, k),
    then bias (out_channels,), both uniform in ±1/sqrt(in_channels * k * k). forward(x) is your
    Conv2dFunction with this layer's weight, bias, stride and padding."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.stride, self.padding = stride, padding
        ### BEGIN SOLUTION
        bound = 1 / math.sqrt(in_channels * kernel_size * kernel_size)
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = Parameter(minitorch.empty(*shape).uniform_(-bound, bound))
        self.bias = Parameter(minitorch.empty(out_channels).uniform_(-bound, bound))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return Conv2dFunction.apply(x, self.weight, self.bias, self.stride, self.padding)
        ### END SOLUTION


# %%
check.conv2d(Conv2d, TinyModule)

# %% [markdown]
# Max pooling keeps the largest value of each k × k window. Chapter 08 did it for NumPy
# arrays with one reshape; here it must run on tensors, so that autograd records it and
# the gradient flows back to each window's maximum. A reshape of (N, C, H, W) to
# (N, C, H/k, k, W/k, k) gives each window two axes of its own, but they are not next to each
# other: `permute` brings them together, and one more reshape makes each window a row of
# k × k values whose `max` is the answer. (`amax` over the two window axes at once would do
# too, but NumPy reduces that strided layout more slowly: about a second more per epoch here.)
#
# **Exercise 14.2.** Write `MaxPool2d.forward`. Like PyTorch, drop the rows and columns that
# do not fill a whole window (a 13 × 13 map pools to 6 × 6).
#
# `ReLU` and `Flatten` have no parameters and nothing to learn about; they are given.

# %%
#@save
from mytorch.ch05 import TinyModule


class MaxPool2d(TinyModule):
    """x (N, C, H, W) -> (N, C, H // k, W // k): the maximum of each k x k window, windows side
    by side (stride k); rows and columns that do not fill a window are dropped."""

    def __init__(self, kernel_size):
        super().__init__()
        self.kernel_size = kernel_size

    def forward(self, x):
        n, c, h, w = x.shape
        k = self.kernel_size
        ### BEGIN SOLUTION
        x = x[:, :, :h // k * k, :w // k * k]
        windows = x.reshape(n, c, h // k, k, w // k, k).permute(0, 1, 2, 4, 3, 5)
        return windows.reshape(n, c, h // k, w // k, k * k).max(dim=-1).values
        ### END SOLUTION


class ReLU(TinyModule):
    def forward(self, x):
        return x.relu()


class Flatten(TinyModule):
    """(N, ...) -> (N, everything else), like nn.Flatten()."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)


# %%
check.max_pool2d(MaxPool2d)

# %% [markdown]
# A network is layers applied one after the other. `nn.Sequential` registers its layers as
# sub-modules named `"0"`, `"1"`, ..., which is where the names in a state dict such as
# `"3.weight"` come from; with the same names, your model's state dict loads into PyTorch's.
#
# **Exercise 14.3.** Write `Sequential`: register each layer under its position, as a string,
# and apply them in order. (Chapter 07's `train_epoch` and `evaluate` switch a model between
# training and evaluation mode; `train` and `eval` are given, since nothing here behaves
# differently in the two modes.)

# %%
#@save
from mytorch.ch05 import TinyModule


class Sequential(TinyModule):
    """Layers applied in order: layer i is registered as the sub-module named str(i), like
    nn.Sequential's "0", "1", ...; forward feeds each layer's output to the next."""

    def __init__(self, *layers):
        super().__init__()
        ### BEGIN SOLUTION
        for i, layer in enumerate(layers):
            setattr(self, str(i), layer)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        for layer in self._modules.values():
            x = layer(x)
        return x
        ### END SOLUTION

    training = True

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)


# %%
check.sequential(Sequential, TinyModule, Linear)

# %% [markdown]
# ### The network, trained with your loop
#
# Chapter 08's CNN, now made of your layers: two blocks of convolution, ReLU and pooling
# (28 × 28 → 26 → 13 → 11 → 5), then a linear classifier on the 16 × 5 × 5 features.
#
# Your `SimpleLoader` shuffles the 4,000 training images into batches of 128, your
# `cross_entropy` scores each batch, your `Conv2dFunction.backward` and the rest of autograd
# give the gradients, your `Adam` steps, and your `train_epoch` and `evaluate` run the
# epochs. We record every batch's loss on the way, for the picture below.

# %%
from mytorch.ch06 import Adam, cross_entropy
from mytorch.ch07 import SimpleLoader, evaluate, train_epoch

train_set, test_set = load_mnist_5k("train"), load_mnist_5k("test")
cnn, cnn_losses = None, []


def recorded_cross_entropy(scores, labels):
    loss = cross_entropy(scores, labels)
    cnn_losses.append(loss.item())
    return loss


with course.needs("your Conv2d, MaxPool2d, Sequential and chapters 05-08's pieces"):
    minitorch.manual_seed(0)
    model = Sequential(Conv2d(1, 8, 3), ReLU(), MaxPool2d(2),
                       Conv2d(8, 16, 3), ReLU(), MaxPool2d(2),
                       Flatten(), Linear(16 * 5 * 5, 10))
    print(", ".join(f"{name} {tuple(p.shape)}" for name, p in model.named_parameters()))
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters")
    loader = SimpleLoader(train_set, batch_size=128, shuffle=True,
                          generator=minitorch.Generator().manual_seed(0))
    test_loader = SimpleLoader(test_set, batch_size=500)
    optimizer = Adam(model.parameters(), lr=1e-2)
    for epoch in range(5):
        train_loss = train_epoch(model, loader, optimizer, recorded_cross_entropy)
        test_loss, test_accuracy = evaluate(model, test_loader, cross_entropy)
        print(f"epoch {epoch + 1}: training loss {train_loss:.3f}, test loss {test_loss:.3f}, "
              f"test accuracy {test_accuracy:.1%}")
    cnn = model

# %% [markdown]
# Is it right? The check loads your weights into the same CNN built from minitorch.nn and
# from PyTorch: the logits and every parameter's gradient must agree on a batch of test
# images, and PyTorch's copy must get at least 95% of the test digits right.

# %%
check.trained_cnn(cnn, test_set)

# %% [markdown]
# The first digit of each class in the test set, then the first ten the network gets wrong,
# each with the network's answer (in red where wrong, with the true label in brackets). Several
# of the mistakes are digits a person would hesitate over too.

# %%
if cnn is not None:
    images, labels = test_set[:]
    with minitorch.no_grad():
        predictions = cnn.eval()(images).argmax(1).numpy()
    labels = labels.numpy()
    firsts = [int(np.flatnonzero(labels == digit)[0]) for digit in range(10)]
    wrong = [int(i) for i in np.flatnonzero(predictions != labels)]
    print(f"{len(wrong)} of {len(labels)} test digits wrong")
    shown = np.array(firsts + wrong[:10])
    tiles = np.pad(images[shown, 0].numpy(), ((0, 0), (12, 0), (2, 2)))   # room for a label
    mosaic = tiles.reshape(2, 10, 40, 32).transpose(0, 2, 1, 3).reshape(80, 320)
    fig, ax = plt.subplots(figsize=(10, 2.8))
    _ = ax.imshow(mosaic, cmap="gray_r")
    for place, i in enumerate(shown):   # the answer above each digit, the truth if it differs
        correct = predictions[i] == labels[i]
        _ = ax.text(32 * (place % 10) + 16, 40 * (place // 10) + 6,
                    f"{predictions[i]}" + ("" if correct else f" ({labels[i]})"), ha="center",
                    va="center", fontsize=10, color="tab:blue" if correct else "tab:red")
    ax.set_xticks([])
    ax.set_yticks([26, 66], ["one of each", "wrong"])
    plt.show()

# %% [markdown]
# ## 2. A GPT from your pieces
#
# The data is chapter 10's: US first names, `.` then the name as input, the name then `.`
# as the target at each position, padded positions marked -100. The longest name has 11
# letters, so a context of 12 positions holds every name whole.

# %%
names, held_out_names = load_names("train").names, load_names("test").names
vocabulary = ["."] + sorted(set("".join(names)))
index_of = {ch: i for i, ch in enumerate(vocabulary)}
CONTEXT = 12


def encode(batch_names):
    inputs = np.zeros((len(batch_names), CONTEXT), dtype=np.int64)
    targets = np.full((len(batch_names), CONTEXT), -100, dtype=np.int64)
    for row, name in enumerate(batch_names):
        ids = [index_of[c] for c in name]
        inputs[row, 1:len(ids) + 1] = ids                # "." then the name
        targets[row, :len(ids) + 1] = ids + [0]           # the name then "."
    return minitorch.tensor(inputs), minitorch.tensor(targets)


print(f"{len(names)} training names, {len(held_out_names)} held out; vocabulary "
      f"{''.join(vocabulary)}")

# %% [markdown]
# GPT's architecture is chapter 11's `TinyGPT`, which you now write yourself: a learned
# embedding for each token and one for each *position* (attention alone cannot tell positions
# apart), added; your transformer blocks, each with the causal mask so that position t sees
# only positions up to t; a last LayerNorm; and a linear head that scores the next token at
# every position.
#
# Your `TransformerBlock` is an `nn.Module` (chapter 11 built it on minitorch's), and a
# module registers only modules of its own kind, so the GPT is an `nn.Module` too, with
# minitorch's `nn.Embedding`, `nn.LayerNorm` and `nn.Linear` around your blocks. The
# attribute names are the ones the check (and PyTorch's copy) expects.
#
# **Exercise 14.4.** Write `GPT`: `tokens` (vocab × d_model) and `positions` (context ×
# d_model) embeddings, `blocks` (an `nn.ModuleList` of `layers` of your
# `TransformerBlock(d_model, heads, 4 * d_model)`), `norm`, `head`; and `forward(tokens)` for
# token ids of shape (N, T), T ≤ context, returning logits (N, T, vocab).

# %%
#@save
import minitorch
from minitorch import nn
from mytorch.ch11 import TransformerBlock


class GPT(nn.Module):
    """tokens (N, T) -> logits (N, T, vocab): token embeddings + position embeddings (0..T-1),
    then each of `layers` TransformerBlock(d_model, heads, 4 * d_model) with the causal mask,
    a final LayerNorm, and a Linear head. Attributes: tokens, positions, blocks (a ModuleList),
    norm, head."""

    def __init__(self, vocab, d_model, heads, layers, context):
        super().__init__()
        ### BEGIN SOLUTION
        self.tokens = nn.Embedding(vocab, d_model)
        self.positions = nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList([TransformerBlock(d_model, heads, 4 * d_model)
                                     for _ in range(layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)
        ### END SOLUTION

    def forward(self, tokens):
        ### BEGIN SOLUTION
        h = self.tokens(tokens) + self.positions(minitorch.arange(tokens.shape[1]))
        for block in self.blocks:
            h = block(h, causal=True)
        return self.head(self.norm(h))
        ### END SOLUTION


# %%
check.gpt(GPT)

# %% [markdown]
# ### Training it
#
# Your `cross_entropy` takes one row of scores per target; it knows nothing of padding.
# Selecting the positions whose target is not -100 (a boolean mask) and scoring only those
# is exactly what `ignore_index=-100` does in PyTorch's. One block of width 64 with four
# heads (on this CPU, time goes into the number of operations more than their size, and one
# wide block reached the goal sooner than chapter 11's two narrow ones), batches of 64 names
# in a fixed shuffled order, your `Adam` at a learning rate of 0.01, 250 steps (about three
# and a half passes over the names).
#
# Chapter 10's LSTM ended at a loss of **2.093** (the mean of its last 10 training batches,
# as committed; it did not measure held-out names). The goal is to do at least as well **on
# the 516 held-out names**, which is the harder test: a model fits the names it trains on
# better than new ones.

# %%
LSTM_LOSS = 2.093                      # chapter 10's LSTM, last 10 training batches
STEPS, BATCH = 250, 64


def gpt_loss(model, batch_names):
    inputs, targets = encode(batch_names)
    logits = model(inputs)
    real = targets >= 0                # not padding
    return cross_entropy(logits[real], targets[real])


order = np.random.default_rng(0).permutation(len(names))
gpt, gpt_losses = None, []
with course.needs("your GPT, TransformerBlock, cross_entropy and Adam"):
    minitorch.manual_seed(0)
    model = GPT(len(vocabulary), d_model=64, heads=4, layers=1, context=CONTEXT)
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters")
    optimizer = Adam(model.parameters(), lr=1e-2)
    batches_per_pass = len(names) // BATCH
    for step in range(STEPS):
        start = (step % batches_per_pass) * BATCH
        loss = gpt_loss(model, [names[i] for i in order[start:start + BATCH]])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        gpt_losses.append(loss.item())
    with minitorch.no_grad():
        held_out_loss = gpt_loss(model, held_out_names).item()
    gpt = model
    print(f"training loss (last 10 batches) {np.mean(gpt_losses[-10:]):.3f}, held-out loss "
          f"{held_out_loss:.3f}; chapter 10's LSTM {LSTM_LOSS:.3f} (training batches)")

# %%
check.trained_gpt(gpt, *encode(held_out_names), to_beat=LSTM_LOSS)

# %% [markdown]
# Both training runs, batch by batch (faint) and as a running mean of 10 batches:

# %%
def running_mean(values, width=10):
    return np.convolve(values, np.ones(width) / width, mode="valid")


if cnn is not None and gpt is not None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    for axis, losses, color in ((left, cnn_losses, "tab:blue"), (right, gpt_losses, "tab:green")):
        _ = axis.plot(losses, color=color, alpha=0.3, linewidth=0.8)
        _ = axis.plot(np.arange(9, len(losses)), running_mean(losses), color=color)
    _ = right.axhline(LSTM_LOSS, color="tab:red", linestyle="--", label="chapter 10's LSTM")
    _ = right.axhline(held_out_loss, color="black", linestyle=":", label="GPT, held-out names")
    left.set(xlabel="batch (128 images)", ylabel="cross-entropy", yscale="log",
             title="CNN on MNIST (5 epochs)")
    right.set(xlabel="batch (64 names)", ylabel="cross-entropy per character",
              ylim=(1.8, 3.4), title="GPT on the names")
    _ = right.legend()
    fig.tight_layout()
    plt.show()

# %% [markdown]
# ### Writing names
#
# A language model writes by drawing one token at a time from its own predictions, each
# draw fed back as input. Unlike chapter 10's LSTM, the GPT keeps no state between steps:
# it reads the whole name so far again at every step (the last `context` tokens, since its
# position table has only that many rows).
#
# **Exercise 14.5.** Write `generate`: start from the token list `[0]` (`.`); at each step
# run the model on the last `context` tokens (shape (1, T)), turn the logits at the **last**
# position into probabilities with softmax, draw the next token with
# `minitorch.multinomial(probabilities, 1, generator=generator)`, and stop at `.` (not part of
# the name) or after `max_length` characters.

# %%
#@save
import minitorch


def generate(model, vocabulary, generator, context, max_length=12):
    """A name drawn from model one character at a time: from the tokens [0] ('.'), run model on
    the last `context` tokens, draw the next token from the softmax of the last position's
    logits with minitorch.multinomial(..., 1, generator=generator), append it; stop at '.'
    (not part of the name) or after max_length characters."""
    tokens, name = [0], ""
    with minitorch.no_grad():
        ### BEGIN SOLUTION
        for _ in range(max_length):
            logits = model(minitorch.tensor([tokens[-context:]]))
            probabilities = logits[0, -1].softmax(0)
            next_id = minitorch.multinomial(probabilities, 1, generator=generator).item()
            if next_id == 0:
                break
            name += vocabulary[next_id]
            tokens.append(next_id)
        ### END SOLUTION
    return name


# %%
check.generate(generate)

# %% [markdown]
# Twenty names from the trained GPT; those marked `*` are in the training list, the others
# it made up:

# %%
known = set(names) | set(held_out_names)
with course.needs("your generate"):
    if gpt is not None:
        generator = minitorch.Generator().manual_seed(0)
        samples = [generate(gpt, vocabulary, generator, CONTEXT) for _ in range(20)]
        print("  ".join(f"{s}*" if s in names else s for s in samples))
        new = sum(s not in known for s in samples)
        print(f"{new} of 20 are not among the {len(known):,} names we have")

# %% [markdown]
# What does the model draw from? Its first prediction, after `.` alone, is its idea of how
# names begin. Next to the real first letters of the training names:

# %%
if gpt is not None:
    with minitorch.no_grad():
        first_letter = gpt(minitorch.tensor([[0]]))[0, -1].softmax(0).numpy()
    counts = np.bincount([index_of[n[0]] for n in names], minlength=len(vocabulary))
    letters = np.arange(1, len(vocabulary))
    fig, ax = plt.subplots(figsize=(10, 3))
    _ = ax.bar(letters - 0.2, counts[1:] / counts.sum(), width=0.4, color="tab:gray",
               label="training names")
    _ = ax.bar(letters + 0.2, first_letter[1:], width=0.4, color="tab:green",
               label="GPT's probability")
    ax.set_xticks(letters, vocabulary[1:])
    ax.set(ylabel="share of first letters")
    _ = ax.legend()
    plt.show()

# %% [markdown]
# ## Checks
#
# Your exercises and trained models, once more; before them, the two reference networks the
# checks use (minitorch.nn's and PyTorch's, with the same weights) agree with each other,
# independently of your code.

# %%
def references_agree(name, build, inputs, targets):
    """build(minitorch) against itself reloaded and against build(torch), all with the same
    weights: the same logits and the same gradient for every parameter (check.agree)."""
    minitorch.manual_seed(1)
    return course.run(name, lambda expect: check.agree(expect, name, build(minitorch), build,
                                                       inputs, targets, hint=""))


tokens, targets = encode(held_out_names[:8])
assert references_agree("the reference GPT", lambda lib: check.reference_gpt(
    lib, len(vocabulary), 16, 2, 2, CONTEXT), tokens.numpy(), targets.numpy())
images, labels = test_set[:16]
assert references_agree("the reference CNN", check.reference_cnn, images.numpy(), labels.numpy())
course.summary(check.conv2d(Conv2d, TinyModule), check.max_pool2d(MaxPool2d),
               check.sequential(Sequential, TinyModule, Linear), check.gpt(GPT),
               check.generate(generate), check.trained_cnn(cnn, test_set),
               check.trained_gpt(gpt, *encode(held_out_names), to_beat=LSTM_LOSS))

# %% [markdown]
# ## Try next
#
# * Save your CNN with your `state_dict`, load it into `torch.nn.Sequential` (the names
#   match) and run PyTorch's model on the test set: the same 95%+.
# * Give `generate` a `temperature`: divide the logits by it before the softmax. What do
#   names look like at 0.5, and at 2?
# * Train the GPT with two blocks of width 32 (chapter 11's) for the same time: which
#   reaches the lower held-out loss?
# * Replace `MaxPool2d` by convolutions with `stride=2`: is the CNN still above 95%?

# %% [markdown]
# **The end of the path.** [The syllabus](README.md) lists what you built, chapter by chapter.
# One more chapter looks back at speed: [15 · Compiling a training step](15_compiling_a_training_step.ipynb)
# traces a whole step into a flat program of NumPy calls and replays it.
