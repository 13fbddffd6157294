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
def accuracy(model, dataset):
    model.eval()
    with minitorch.no_grad():
        x, y = dataset[:]
        result = (model(x).argmax(1) == y).float().mean().item()
    model.train()
    return result


def fit(model, train_set, test_set, epochs, lr=1e-3, weight_decay=0.0, batch_size=64, seed=0):
    optimizer = minitorch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    loader = DataLoader(train_set, batch_size, shuffle=True, generator=minitorch.Generator().manual_seed(seed))
    history = {"train loss": [], "train accuracy": [], "test accuracy": []}
    for _ in range(epochs):
        total = 0.0
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        history["train loss"].append(total / len(train_set))
        history["train accuracy"].append(accuracy(model, train_set))
        history["test accuracy"].append(accuracy(model, test_set))
    return history


minitorch.manual_seed(0)
digits_model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
digits_history = fit(digits_model, digits_train, digits_test, epochs=15, lr=3e-3)
print(f"digits: test accuracy {digits_history['test accuracy'][-1]:.3f}")
viz.plots.plot_curves({"train loss": digits_history["train loss"]},
                      {"train": digits_history["train accuracy"], "test": digits_history["test accuracy"]})

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
# With 4,000 training images and a wide network, the model can memorise the training set:
# training accuracy climbs to 100% while test accuracy stalls. Dropout (randomly zeroing
# activations during training) and weight decay (pulling weights towards zero) are two
# classic remedies. We train on a 1,000-image subset to make the effect quick to see.

# %%
mnist_train, mnist_test = load_mnist_5k("train", flatten=True), load_mnist_5k("test", flatten=True)
small_train = minitorch.utils.data.Subset(mnist_train, list(range(0, 4000, 4)))


def mnist_model(dropout):
    minitorch.manual_seed(0)
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(dropout), nn.Linear(256, 10))


runs = {
    "plain": fit(mnist_model(0.0), small_train, mnist_test, epochs=12),
    "dropout 0.5": fit(mnist_model(0.5), small_train, mnist_test, epochs=12),
    "weight decay 0.1": fit(mnist_model(0.0), small_train, mnist_test, epochs=12, weight_decay=0.1),
}
for name, history in runs.items():
    print(f"{name:17s} train {history['train accuracy'][-1]:.3f}  test {history['test accuracy'][-1]:.3f}")

# %%
viz.plots.plot_curves({name: h["train loss"] for name, h in runs.items()},
                      {name: h["test accuracy"] for name, h in runs.items()})

# %% [markdown]
# minitorch's `Dropout` is short: in training mode it zeroes each element with probability
# $p$ and scales the rest by $1/(1-p)$ so the expected value is unchanged; in eval mode it
# does nothing.

# %%
print(inspect.getsource(minitorch.nn.functional.dropout))

# %% [markdown]
# ## Checks

# %%
assert ours == theirs
assert digits_history["test accuracy"][-1] > 0.95
assert runs["plain"]["train accuracy"][-1] > 0.99          # it memorises
assert runs["plain"]["test accuracy"][-1] > 0.85
# the same MLP step in PyTorch, from the same weights, gives the same loss
x, y = mnist_train[:32]
model = mnist_model(0.0).eval()
real = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Dropout(0.0),
                           torch.nn.Linear(256, 10))
real.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
ours_loss = nn.functional.cross_entropy(model(x), y).item()
real_loss = torch.nn.functional.cross_entropy(real(torch.tensor(x.numpy())), torch.tensor(y.numpy())).item()
np.testing.assert_allclose(ours_loss, real_loss, rtol=1e-5)
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Add a validation split of the training set and stop when its accuracy stops improving.
# * Use `DataLoader(..., num_workers=2)` and check the batches are unchanged.
# * Replace `AdamW` by `SGD(momentum=0.9)` and tune the learning rate.
