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
# # 00 · A tour of minitorch
#
# minitorch is a deep-learning framework you can read end to end: tensors on NumPy,
# a tape that records operations, backpropagation through that tape, layers, losses,
# optimizers and data loading, all with PyTorch's names and PyTorch's numbers. This course
# builds each piece from first principles and then shows minitorch's real code for it.
#
# Here is the destination: PyTorch-style code, unchanged, training a small network on
# minitorch. We import minitorch *as* `torch`.

# %%
import numpy as np

import minitorch as torch
from minitorch import nn
from minitorch.datasets import make_moons

torch.manual_seed(0)
X, y = make_moons(200, noise=0.15).tensors            # 200 points in 2-D, two classes
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
for step in range(150):
    loss = nn.functional.cross_entropy(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
accuracy = (model(X).argmax(1) == y).float().mean().item()
print(f"loss {loss.item():.4f}  training accuracy {accuracy:.3f}")

# %% [markdown]
# What happened, piece by piece (and the chapter that builds it):
#
# | line | piece | chapter |
# |---|---|---|
# | `X, y = ...` | tensors: shape, dtype, strides | 02 |
# | `nn.Sequential(nn.Linear ...)` | modules and parameters | 05 |
# | `cross_entropy(model(X), y)` | a recorded graph of operations | 01, 03 |
# | `loss.backward()` | backpropagation through that graph | 01, 03 |
# | `optimizer.step()` | Adam's update rule | 06 |
#
# The model's decision regions after training:

# %%
# %matplotlib inline
import viz

with torch.no_grad():
    figure = viz.plots.plot_decision_boundary(lambda points: model(points).argmax(1), X, y)
figure

# %% [markdown]
# `loss.backward()` walked back through the graph that the last forward pass recorded.
# Each box is one operation (named as PyTorch names it), and each parameter shows its
# shape and the gradient it received:

# %%
loss = nn.functional.cross_entropy(model(X), y)
optimizer.zero_grad()
loss.backward()
viz.draw(loss, params=model)

# %% [markdown]
# ## Same code, same numbers
#
# The promise of minitorch is that this code also runs on PyTorch, with the same numbers.
# Even the random numbers are the same: after the same `manual_seed`, minitorch draws
# PyTorch's random streams bit for bit, so both libraries build the same initial weights
# without copying anything across. Let us check: seed both, build and train the same model.

# %%
import torch as real_torch


def train(lib, seed=1, steps=20):
    lib.manual_seed(seed)
    model = lib.nn.Sequential(lib.nn.Linear(2, 16), lib.nn.Tanh(), lib.nn.Linear(16, 2))
    optimizer = lib.optim.Adam(model.parameters(), lr=0.05)
    inputs, targets = lib.tensor(X.numpy()), lib.tensor(y.numpy())
    losses = []
    for _ in range(steps):
        loss = lib.nn.functional.cross_entropy(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.array(losses)


ours, theirs = train(torch), train(real_torch)
for step in (0, 9, 19):
    print(f"step {step:2d}: minitorch {ours[step]:.5f}   PyTorch {theirs[step]:.5f}")

# %% [markdown]
# ## Checks

# %%
np.testing.assert_allclose(ours, theirs, rtol=1e-4)
assert accuracy > 0.95
print("all checks passed")

# %% [markdown]
# ## Where to go next
#
# Chapter 01 starts from the beginning: what a derivative is, and an autodiff engine in
# sixty lines.
