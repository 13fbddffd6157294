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
# indices, groups them in batches and stacks the examples into tensors. We build a tiny
# loader from scratch, then train multi-layer perceptrons on two real datasets that ship
# with the project (no download): the 8x8 digits of scikit-learn and 5,000 MNIST images.
# Along the way: loss curves, gradient flow, overfitting, dropout and weight decay.

# %%
# %matplotlib inline
import inspect

import numpy as np

import minitorch
import torch
import viz
from minitorch import nn
from minitorch.datasets import load_digits, load_mnist_5k
from minitorch.utils.data import DataLoader

# %% [markdown]
# ## 1. A data loader from scratch
#
# A loader needs three things: an order of indices (shuffled each epoch by a seeded
# generator), batches of those indices, and a way to stack examples into one tensor.

# %%
class TinyLoader:
    def __init__(self, dataset, batch_size, shuffle, generator):
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.generator = shuffle, generator

    def __iter__(self):
        n = len(self.dataset)
        # DataLoader (minitorch's and PyTorch's) first draws a seed for its worker processes,
        # even when there are none; drawing it too keeps our shuffle in step with theirs.
        minitorch.randint(0, 2**62, (), generator=self.generator)
        order = minitorch.randperm(n, generator=self.generator).tolist() if self.shuffle else range(n)
        order = list(order)
        for start in range(0, n, self.batch_size):
            examples = [self.dataset[i] for i in order[start:start + self.batch_size]]
            images, labels = zip(*examples)
            yield minitorch.stack(images), minitorch.stack(labels)

    def __len__(self):
        return (len(self.dataset) + self.batch_size - 1) // self.batch_size


digits_train, digits_test = load_digits("train", flatten=True), load_digits("test", flatten=True)
print(f"digits: {len(digits_train)} training and {len(digits_test)} test images")
images, labels = next(iter(TinyLoader(digits_train, 8, True, minitorch.Generator().manual_seed(0))))
print(images.shape, labels.tolist())

# %% [markdown]
# minitorch's `DataLoader` does the same (and more: samplers, `drop_last`, worker
# processes, collating dicts and tuples). With the same generator seed it produces the
# same batches as our loader:

# %%
ours = [l.tolist() for _, l in TinyLoader(digits_train, 64, True, minitorch.Generator().manual_seed(3))]
theirs = [l.tolist() for _, l in DataLoader(digits_train, 64, shuffle=True,
                                            generator=minitorch.Generator().manual_seed(3))]
print("same batches:", ours == theirs)

# %% [markdown]
# ## 2. An MLP on the digits
#
# A training loop: for each epoch, for each batch, forward, loss, backward, step. After
# each epoch we measure accuracy on the held-out test images, which the model never trains on.

# %%
def evaluate(model, dataset):
    """Loss and accuracy on a whole dataset, in eval mode (dropout off), without recording."""
    model.eval()
    with minitorch.no_grad():
        x, y = dataset[:]
        scores = model(x)
        loss = nn.functional.cross_entropy(scores, y).item()
        accuracy = (scores.argmax(1) == y).float().mean().item()
    model.train()
    return loss, accuracy


def fit(model, train_set, test_set, epochs, lr=1e-3, weight_decay=0.0, batch_size=64, seed=0):
    optimizer = minitorch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    loader = DataLoader(train_set, batch_size, shuffle=True, generator=minitorch.Generator().manual_seed(seed))
    history = {"train loss": [], "train accuracy": [], "test loss": [], "test accuracy": []}
    for _ in range(epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        for split, dataset in (("train", train_set), ("test", test_set)):
            loss, accuracy = evaluate(model, dataset)
            history[f"{split} loss"].append(loss)
            history[f"{split} accuracy"].append(accuracy)
    return history


minitorch.manual_seed(0)
digits_model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
digits_history = fit(digits_model, digits_train, digits_test, epochs=10, lr=3e-3)
print(f"digits: test accuracy {digits_history['test accuracy'][-1]:.3f}")
viz.plots.plot_curves({"train": digits_history["train loss"], "test": digits_history["test loss"]},
                      {"train": digits_history["train accuracy"], "test": digits_history["test accuracy"]},
                      ylabels=["loss", "accuracy"])

# %% [markdown]
# ## 3. Gradient flow
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
# ## 4. Real MNIST, overfitting, dropout and weight decay
#
# Now 28x28 MNIST digits (784 inputs). To make overfitting quick to see we train on only
# 500 of the 4,000 training images (50 per class: the file is sorted by label, so we take
# every 8th) with a network of 100,000 weights, 200 per training image: enough to memorise
# them. Signs of overfitting: training accuracy reaches 100% and training loss heads to
# zero, while test loss stops improving and starts to climb, because the network grows
# ever more confident, including on the test images it gets wrong.
#
# Two classic remedies, each one line:
#
# * **dropout** zeroes half of the hidden activations at random in every training step, so
#   no unit can rely on one particular other unit being there;
# * **weight decay** shrinks every weight a little in every step (AdamW's decoupled form:
#   $\theta \leftarrow \theta - \eta\lambda\theta$), which favours small weights.

# %%
mnist_train, mnist_test = load_mnist_5k("train", flatten=True), load_mnist_5k("test", flatten=True)
small_train = minitorch.utils.data.TensorDataset(*mnist_train[::8])
print(f"{len(small_train)} training images, labels {np.bincount(small_train[:][1].numpy()).tolist()}")


def mnist_model(dropout):
    minitorch.manual_seed(0)
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Dropout(dropout), nn.Linear(128, 10))


models = {"plain": mnist_model(0.0), "dropout 0.5": mnist_model(0.5), "weight decay 1.0": mnist_model(0.0)}
runs = {name: fit(model, small_train, mnist_test, epochs=15, lr=3e-3, batch_size=50,
                  weight_decay=1.0 if name.startswith("weight") else 0.0)
        for name, model in models.items()}
for name, h in runs.items():
    print(f"{name:17s} train accuracy {h['train accuracy'][-1]:.3f}  test accuracy {h['test accuracy'][-1]:.3f}  "
          f"test loss {h['test loss'][-1]:.3f} (lowest {min(h['test loss']):.3f})  "
          f"|W1| {models[name][0].weight.norm().item():.2f}")

# %%
viz.plots.plot_curves({name: h["train loss"] for name, h in runs.items()},
                      {name: h["test loss"] for name, h in runs.items()},
                      ylabels=["training loss", "test loss"])

# %% [markdown]
# Reading the numbers: the plain network memorises its 500 images (100% training accuracy)
# but gets about 89% of the test images right, and its test loss is past its lowest point.
# Dropout makes training harder (higher training loss) and gives the lowest test loss;
# weight decay keeps the first layer's weights smaller. On a problem this small the test
# *accuracy* barely moves: regularisers are not magic, and more data helps most (try
# `mnist_train[::2]`).
#
# %% [markdown]
# minitorch's `Dropout` is short: in training mode it zeroes each element with probability
# $p$ and scales the rest by $1/(1-p)$ so the expected value is unchanged; in eval mode it
# does nothing (`model.eval()` puts every `Dropout` of a model in eval mode: that is why
# `evaluate` calls it). The mask comes from minitorch's seeded generator, and the backward
# of `_Dropout` multiplies the gradient by the same mask.

# %%
dropout_module = minitorch.nn.functional._dropout
print(inspect.getsource(dropout_module.dropout))
print(inspect.getsource(dropout_module._apply_mask))

# %% [markdown]
# ## Checks

# %%
assert ours == theirs
assert digits_history["test accuracy"][-1] > 0.95
plain, dropout, decay = runs["plain"], runs["dropout 0.5"], runs["weight decay 1.0"]
assert plain["train accuracy"][-1] == 1.0                              # it memorises,
assert plain["test accuracy"][-1] < 0.95                               # but does not generalise as well
assert plain["test loss"][-1] > min(plain["test loss"])               # test loss is climbing again
assert dropout["train loss"][-1] > 2 * plain["train loss"][-1]         # dropout makes training harder
assert dropout["test loss"][-1] < plain["test loss"][-1] - 0.01        # and generalises better
assert models["weight decay 1.0"][0].weight.norm().item() < 0.9 * models["plain"][0].weight.norm().item()
assert decay["train loss"][-1] > 2 * plain["train loss"][-1]           # it holds the weights back too
# the same MLP in PyTorch, from the same weights, gives the same loss and gradients
x, y = mnist_train[::125]                                              # 32 images, all classes
model = mnist_model(0.0)
real = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Dropout(0.0),
                           torch.nn.Linear(128, 10))
real.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
ours_loss = nn.functional.cross_entropy(model(x), y)
real_loss = torch.nn.functional.cross_entropy(real(torch.tensor(x.numpy())), torch.tensor(y.numpy()))
ours_loss.backward()
real_loss.backward()
np.testing.assert_allclose(ours_loss.item(), real_loss.item(), rtol=1e-5)
for (name, ours_p), real_p in zip(model.named_parameters(), real.parameters()):
    np.testing.assert_allclose(ours_p.grad.numpy(), real_p.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Add a validation split of the training set and stop when its accuracy stops improving.
# * Use `DataLoader(..., num_workers=2)` and check the batches are unchanged.
# * Replace `AdamW` by `SGD(momentum=0.9)` and tune the learning rate.
