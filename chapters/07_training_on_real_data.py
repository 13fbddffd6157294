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
# # 07 · Training on real data
#
# Real data comes in more examples than fit in one step, so training walks through it in
# shuffled mini-batches. `Dataset` says how to get example $i$; `DataLoader` shuffles the
# indices, groups them in batches and stacks the examples into tensors. You build that
# loader, the training epoch and the evaluation from scratch, then use them to train
# multi-layer perceptrons on two real datasets that ship with the project (no download): the
# 8x8 digits of scikit-learn and 5,000 MNIST images. Along the way: loss curves, gradient
# flow, overfitting, dropout and weight decay.
#
# Your pieces are saved into `mytorch/ch07.py` as you run them (see chapter 01).

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code, display

import minitorch
import torch
import viz
from minitorch import course, nn
from minitorch.course import ch07 as check
from minitorch.datasets import load_digits, load_mnist_5k
from minitorch.utils.data import random_split

course.start("07")

# %% [markdown]
# ## 1. From samples to a batch
#
# A map-style dataset answers `dataset[i]` with one sample, here a tuple `(image, label)`
# of tensors. A model wants a *batch*: all the images of the batch in one tensor with a new
# first dimension, and all the labels in another. Merging the samples is the loader's
# `collate_fn`; minitorch's and PyTorch's `default_collate` also handle dicts, NumPy arrays
# and plain numbers, but for tuples of tensors it is this:
#
# **Exercise 7.1.** Write `collate(samples)`: a list of B tuples `(x, y, ...)` of tensors
# becomes one tuple of tensors, each stacked along a new first dimension of size B.

# %%
#@save
import minitorch


def collate(samples):
    """[(x0, y0), (x1, y1), ...] -> (stack of the x's, stack of the y's): one tensor per
    position of the tuples, with the batch as its new first dimension."""
    ### BEGIN SOLUTION
    return tuple(minitorch.stack(list(position)) for position in zip(*samples))
    ### END SOLUTION


# %%
check.collate(collate)

# %% [markdown]
# ## 2. A data loader from scratch
#
# A loader does three things each epoch:
#
# 1. an **order** of the indices `0 .. n-1`: as they are, or shuffled (a new permutation
#    every epoch, drawn from a seeded `generator`, so a run can be repeated exactly);
# 2. **batches** of `batch_size` consecutive indices of that order; the last one is shorter
#    when `batch_size` does not divide `n`, and `drop_last=True` drops it (some models want
#    equal batches);
# 3. for each batch, read `dataset[i]` for its indices and **collate** them.
#
# Every index appears exactly once per epoch (once at most with `drop_last`). `len(loader)`
# is the number of batches per epoch.
#
# **Exercise 7.2.** Write `SimpleLoader.__len__` and `SimpleLoader.__iter__`. For the
# shuffled order use `minitorch.randperm(n, generator=self.generator)`: it is the permutation
# minitorch's own `DataLoader` draws, so your first epoch's batches will be exactly its
# batches. (Later epochs differ: like PyTorch's, its sampler draws one more permutation at the
# end of each epoch, a detail we skip.)

# %%
#@save
import minitorch


class SimpleLoader:
    """Batches of a map-style dataset, optionally shuffled every epoch (minitorch's DataLoader
    with one process and the most common options)."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None,
                 collate_fn=collate):
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last = shuffle, drop_last
        self.generator, self.collate_fn = generator, collate_fn

    def __len__(self):
        """The number of batches in one epoch."""
        n = len(self.dataset)
        ### BEGIN SOLUTION
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        ### END SOLUTION

    def __iter__(self):
        """One epoch: collated batches of the dataset, in order or in a fresh random order."""
        n = len(self.dataset)
        # DataLoader (minitorch's and PyTorch's) first draws a seed for its worker processes,
        # even when there are none; drawing it too keeps our shuffle in step with theirs.
        minitorch.randint(0, 2**62, (), generator=self.generator)
        ### BEGIN SOLUTION
        order = (minitorch.randperm(n, generator=self.generator).tolist() if self.shuffle
                 else list(range(n)))
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            batch = order[start:start + self.batch_size]
            yield self.collate_fn([self.dataset[i] for i in batch])
        ### END SOLUTION


# %%
check.simple_loader(SimpleLoader)

# %% [markdown]
# The first batch of the digits, and a comparison with minitorch's `DataLoader` over one
# shuffled epoch from the same seed:

# %%
digits_train, digits_test = load_digits("train", flatten=True), load_digits("test", flatten=True)
print(f"digits: {len(digits_train)} training and {len(digits_test)} test images")
with course.needs("your SimpleLoader"):
    loader = SimpleLoader(digits_train, 8, shuffle=True, generator=minitorch.Generator().manual_seed(0))
    images, labels = next(iter(loader))
    print(f"{len(loader)} batches per epoch; the first: images {tuple(images.shape)}, "
          f"labels {labels.tolist()}")
    ours = [y.tolist() for _, y in SimpleLoader(digits_train, 64, True,
                                                generator=minitorch.Generator().manual_seed(3))]
    theirs = [y.tolist() for _, y in minitorch.utils.data.DataLoader(
        digits_train, 64, shuffle=True, generator=minitorch.Generator().manual_seed(3))]
    print("same batches as minitorch's DataLoader:", ours == theirs)

# %% [markdown]
# ## 3. One epoch of training
#
# The loop every training script contains: for each batch, forward, loss, `zero_grad`,
# backward, step. Two details matter:
#
# * `optimizer.zero_grad()` before `backward()`: gradients *accumulate* in `.grad` (chapter
#   03), so without it every step would also apply all the earlier batches' gradients;
# * `model.train()` first: an evaluation may have left the model in eval mode, where
#   dropout does nothing (section 6).
#
# The loss the epoch reports is the mean over the *examples*: a mean of the batch means
# would count the examples of a short last batch more than the others.
#
# **Exercise 7.3.** Write `train_epoch(model, loader, optimizer, loss_fn)`.

# %%
#@save
def train_epoch(model, loader, optimizer, loss_fn):
    """One pass over loader, one optimizer step per batch (x, y); returns the mean training
    loss per example, as a float (loss_fn gives a batch's mean loss)."""
    ### BEGIN SOLUTION
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / count
    ### END SOLUTION


# %%
check.train_epoch(train_epoch)

# %% [markdown]
# ## 4. Evaluation
#
# To measure a model we run it on data it does not train on, with two switches:
#
# * `model.eval()` puts every module in evaluation mode: dropout stops dropping (and batch
#   norm, chapter 09, uses its running statistics). Put the mode back afterwards, so that
#   training goes on as before;
# * `minitorch.no_grad()`: nothing will call `backward`, so recording the graph would only
#   cost time and memory.
#
# **Exercise 7.4.** Write `evaluate(model, loader, loss_fn)`: the mean loss per example and
# the accuracy (the fraction of examples whose highest score is the label).

# %%
#@save
import minitorch


def evaluate(model, loader, loss_fn):
    """(mean loss per example, accuracy) of model on loader's batches (x, y), computed in
    eval mode without recording; the model's train/eval mode is restored afterwards."""
    was_training = model.training
    ### BEGIN SOLUTION
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with minitorch.no_grad():
        for x, y in loader:
            scores = model(x)
            total_loss += loss_fn(scores, y).item() * len(y)
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
    model.train(was_training)
    return total_loss / count, correct / count
    ### END SOLUTION


# %%
check.evaluate(evaluate)

# %% [markdown]
# ## 5. Your loop on the digits
#
# `fit` puts your pieces together: each epoch, one `train_epoch`, then `evaluate` on the
# training set and on held-out data. It returns the history of both, for plotting.

# %%
def fit(model, train_set, held_out, epochs, lr=1e-3, weight_decay=0.0, batch_size=64, seed=0):
    loss_fn = nn.functional.cross_entropy
    optimizer = minitorch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    loader = SimpleLoader(train_set, batch_size, shuffle=True,
                          generator=minitorch.Generator().manual_seed(seed))
    train_eval, held_out_eval = SimpleLoader(train_set, 1000), SimpleLoader(held_out, 1000)
    history = {"train loss": [], "train accuracy": [], "held-out loss": [], "held-out accuracy": []}
    for _ in range(epochs):
        train_epoch(model, loader, optimizer, loss_fn)
        for name, data in (("train", train_eval), ("held-out", held_out_eval)):
            loss, accuracy = evaluate(model, data, loss_fn)
            history[f"{name} loss"].append(loss)
            history[f"{name} accuracy"].append(accuracy)
    return history


minitorch.manual_seed(0)
digits_model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
with course.needs("your SimpleLoader, train_epoch and evaluate"):
    digits_history = fit(digits_model, digits_train, digits_test, epochs=10, lr=3e-3)
    print(f"digits: test accuracy {digits_history['held-out accuracy'][-1]:.3f}")
    display(viz.plots.plot_curves(
        {"train": digits_history["train loss"], "test": digits_history["held-out loss"]},
        {"train": digits_history["train accuracy"], "test": digits_history["held-out accuracy"]},
        ylabels=["loss", "accuracy"]))

# %% [markdown]
# ## 6. Gradient flow
#
# After a backward pass, the size of the gradient reaching each layer tells whether the
# layer is learning. In a healthy network the layers receive gradients of similar
# magnitude (chapter 09 shows an unhealthy one).

# %%
x, y = digits_train[:256]
digits_model.zero_grad()
nn.functional.cross_entropy(digits_model(x), y).backward()
viz.plots.plot_grad_flow(digits_model)

# %% [markdown]
# ## 7. Overfitting, dropout and weight decay
#
# Now 28x28 MNIST digits (784 inputs). A network *overfits* when it learns its training
# examples by heart instead of what makes a digit a digit: it keeps getting better on them
# while getting worse on examples it has not seen. To see it quickly we give a wide network
# (two hidden layers of 256: 270,000 weights) only **200 training images** (about 20 per
# class), and hold out 500 others to *validate* on: data the network never trains on, used
# to decide when to stop and which settings to keep (the test set stays for the very end).
#
# Two classic remedies, each one line:
#
# * **dropout** zeroes half of the hidden activations at random in every training step, so
#   no unit can rely on one particular other unit being there;
# * **weight decay** shrinks every weight a little in every step (AdamW's decoupled form:
#   $\theta \leftarrow \theta - \eta\lambda\theta$; with $\eta = 2 \cdot 10^{-3}$ and $\lambda = 5$,
#   1% per step), which favours small weights and so smoother, less confident functions.

# %%
mnist_train = load_mnist_5k("train", flatten=True)
small_train, validation, _ = random_split(mnist_train, [200, 500, 3300],
                                          generator=minitorch.Generator().manual_seed(0))
counts = np.bincount([small_train[i][1].item() for i in range(len(small_train))])
print(f"{len(small_train)} training images, per class {counts.tolist()}; "
      f"{len(validation)} validation images")


def wide_mlp(dropout):
    minitorch.manual_seed(0)
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(256, 256), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(256, 10))


settings = {"plain": (0.0, 0.0), "dropout 0.5": (0.5, 0.0), "weight decay 5": (0.0, 5.0)}
runs = {}
with course.needs("your SimpleLoader, train_epoch and evaluate"):
    for name, (dropout, weight_decay) in settings.items():
        runs[name] = fit(wide_mlp(dropout), small_train, validation, epochs=30, lr=2e-3,
                         weight_decay=weight_decay, batch_size=25)
    for name, h in runs.items():
        best = int(np.argmin(h["held-out loss"]))
        print(f"{name:15s} train loss {h['train loss'][-1]:.4f}  validation loss: lowest "
              f"{h['held-out loss'][best]:.3f} (epoch {best + 1}), last {h['held-out loss'][-1]:.3f}  "
              f"validation accuracy {h['held-out accuracy'][-1]:.3f}")

    epochs = np.arange(1, 31)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    plain = runs["plain"]
    _ = left.plot(epochs, plain["train loss"], label="training loss")
    _ = left.plot(epochs, plain["held-out loss"], label="validation loss")
    best = int(np.argmin(plain["held-out loss"]))
    _ = left.axvline(best + 1, color="gray", linestyle=":", label="lowest validation loss")
    _ = left.set(title="plain network: overfitting", xlabel="epoch", ylabel="cross-entropy",
                 ylim=(0, 1.5))
    _ = left.legend()
    for name, h in runs.items():
        line, = right.plot(epochs, h["held-out loss"], label=f"{name}: validation")
        _ = right.plot(epochs, h["train loss"], linestyle="--", color=line.get_color())
    _ = right.set(title="validation (solid) and training (dashed) loss", xlabel="epoch",
                  ylabel="cross-entropy", ylim=(0, 1.5))
    _ = right.legend()
    fig.tight_layout()
    plt.show()

    # What the curves show, asserted so that a change that loses it is noticed:
    plain, dropout, decay = runs["plain"], runs["dropout 0.5"], runs["weight decay 5"]
    assert plain["train accuracy"][-1] == 1.0 and plain["train loss"][-1] < 0.01   # memorised
    assert plain["held-out loss"][-1] > 1.15 * min(plain["held-out loss"])        # and climbing
    assert min(dropout["held-out loss"]) < min(plain["held-out loss"]) - 0.02      # a better best
    climb = lambda h: h["held-out loss"][-1] / min(h["held-out loss"]) - 1  # noqa: E731
    assert climb(decay) < 0.25 * climb(plain)                                     # a small climb,
    assert (decay["held-out loss"][-1] - decay["train loss"][-1]                    # a smaller gap
            < 0.7 * (plain["held-out loss"][-1] - plain["train loss"][-1]))

# %% [markdown]
# Reading the curves: the plain network gets all 200 training images right within a few
# epochs, and its training loss keeps falling towards zero; its validation loss is lowest
# early and then *climbs*, because the network grows ever more confident, including on the
# validation images it gets wrong. Stopping at the lowest validation loss (*early stopping*)
# is the simplest remedy.
#
# Dropout slows the memorising down and reaches a lower best validation loss, but given
# enough epochs this network memorises its 200 images even through dropout, and the climb
# comes back (noisily: every step drops different units). Weight decay keeps the training
# loss away from zero and the validation loss from climbing much: the gap between the two
# stays small. Validation *accuracy* barely moves: regularisers are not magic, and more data helps
# most (try 2,000 training images).
#
# minitorch's `Dropout` is short: in training mode it zeroes each element with probability
# $p$ and scales the rest by $1/(1-p)$ so the expected value is unchanged; in eval mode it
# does nothing (that is why `evaluate` calls `model.eval()`). The mask comes from minitorch's
# seeded generator, and the backward of `_Dropout` multiplies the gradient by the same mask.

# %%
dropout_module = minitorch.nn.functional._dropout
Code(inspect.getsource(dropout_module.dropout) + "\n" + inspect.getsource(dropout_module._apply_mask),
     language="python")

# %% [markdown]
# ## Checks
#
# Your exercises, once more; then minitorch against PyTorch, independently of your code:
# the same batches from the two `DataLoader`s, and the same MLP's loss and gradients. No
# weights are copied across: after the same `manual_seed`, minitorch draws PyTorch's random
# numbers, so both libraries build the same weights and drop the same units.

# %%
features, targets = minitorch.arange(60.0).reshape(20, 3), minitorch.arange(20)
ours = [y.tolist() for _, y in minitorch.utils.data.DataLoader(
    minitorch.utils.data.TensorDataset(features, targets), 6, drop_last=True)]
theirs = [y.tolist() for _, y in torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.tensor(features.numpy()), torch.tensor(targets.numpy())),
    6, drop_last=True)]
assert ours == theirs == [list(range(0, 6)), list(range(6, 12)), list(range(12, 18))]
x, y = mnist_train[::125]                                              # 32 images, all classes
model = wide_mlp(0.5)                      # seeded with 0, in training mode: dropout is on
torch.manual_seed(0)                       # the same seed gives PyTorch the same weights
real = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                           torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                           torch.nn.Linear(256, 10))
ours_loss = nn.functional.cross_entropy(model(x), y)
real_loss = torch.nn.functional.cross_entropy(real(torch.tensor(x.numpy())), torch.tensor(y.numpy()))
ours_loss.backward()
real_loss.backward()
np.testing.assert_allclose(ours_loss.item(), real_loss.item(), rtol=1e-5)
for (name, ours_p), real_p in zip(model.named_parameters(), real.parameters()):
    np.testing.assert_allclose(ours_p.grad.numpy(), real_p.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)
course.summary(check.collate(collate), check.simple_loader(SimpleLoader),
               check.train_epoch(train_epoch), check.evaluate(evaluate))

# %% [markdown]
# ## Try next
#
# * Stop `fit` when the validation loss has not improved for 5 epochs, and keep the best
#   weights (`copy.deepcopy(model.state_dict())`).
# * Give `SimpleLoader` a `sampler` argument: any iterable of indices, such as
#   `minitorch.utils.data.WeightedRandomSampler`.
# * Replace `AdamW` by `SGD(momentum=0.9)` and tune the learning rate.

# %% [markdown]
# **Next:** [08 · Convolutions](08_convolutions.ipynb). The whole path is in [the syllabus](README.md).
