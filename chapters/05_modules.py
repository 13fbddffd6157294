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
# # 05 · Modules: parameters, registration, state_dict, initialisation
#
# A network is a tree of *modules*. Each module owns some parameters (tensors that
# require grad) and some sub-modules, and knows how to compute its output from its input.
# The framework's job is bookkeeping: find every parameter (for the optimizer), name it
# (for saving and loading), switch train/eval behaviour, move everything to a device.
#
# We build that bookkeeping from scratch, then use minitorch's `nn.Module`, check that its
# parameter names match PyTorch's exactly (so weights move between the two), see why
# initialisation matters, and load weights trained in PyTorch.

# %%
import inspect
import math

import numpy as np

import minitorch
import torch
from minitorch import nn

# %% [markdown]
# ## 1. Registration from scratch
#
# The trick is `__setattr__`: when a `Parameter` or a module is assigned as an attribute,
# remember it in a dictionary. Everything else (listing parameters recursively, naming
# them with dotted paths, building a state dict) follows from those dictionaries.

# %%
class TinyModule:
    def __init__(self):
        object.__setattr__(self, "_params", {})
        object.__setattr__(self, "_children", {})

    def __setattr__(self, name, value):
        if isinstance(value, minitorch.nn.Parameter):
            self._params[name] = value
        elif isinstance(value, TinyModule):
            self._children[name] = value
        object.__setattr__(self, name, value)

    def named_parameters(self, prefix=""):
        for name, p in self._params.items():
            yield prefix + name, p
        for name, child in self._children.items():
            yield from child.named_parameters(prefix + name + ".")

    def state_dict(self):
        return {name: p.detach() for name, p in self.named_parameters()}

    def __call__(self, x):
        return self.forward(x)


class TinyLinear(TinyModule):
    def __init__(self, n_in, n_out):
        super().__init__()
        bound = 1 / math.sqrt(n_in)
        self.weight = nn.Parameter(minitorch.rand(n_out, n_in) * 2 * bound - bound)
        self.bias = nn.Parameter(minitorch.rand(n_out) * 2 * bound - bound)

    def forward(self, x):
        return x @ self.weight.t() + self.bias


class TinyMLP(TinyModule):
    def __init__(self):
        super().__init__()
        self.fc1 = TinyLinear(4, 8)
        self.fc2 = TinyLinear(8, 3)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


minitorch.manual_seed(0)
tiny = TinyMLP()
for name, p in tiny.named_parameters():
    print(f"{name:10s} {tuple(p.shape)}")

# %% [markdown]
# ## 2. minitorch's nn.Module, and PyTorch's names
#
# The real `nn.Module` does the same with more care (buffers, hooks, train/eval, devices).
# Its names and shapes are exactly PyTorch's, which is what lets weights move between them.

# %%
class MLP(minitorch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = minitorch.nn.Linear(4, 8)
        self.norm = minitorch.nn.BatchNorm1d(8)
        self.fc2 = minitorch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.norm(self.fc1(x)).relu())


class TorchMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.norm = torch.nn.BatchNorm1d(8)
        self.fc2 = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.norm(self.fc1(x)).relu())


ours, theirs = MLP(), TorchMLP()
print(ours)
for (k1, v1), (k2, v2) in zip(ours.state_dict().items(), theirs.state_dict().items()):
    print(f"{k1:24s} {str(tuple(v1.shape)):8s} | {k2:24s} {tuple(v2.shape)}")

# %% [markdown]
# Buffers (`running_mean`, `running_var`, `num_batches_tracked`) are state that is saved
# but not trained. The registration that makes all this work:

# %%
print(inspect.getsource(minitorch.nn.Module.__setattr__))

# %% [markdown]
# ## 3. Why initialisation matters
#
# Push a batch through 20 layers of `Linear` + ReLU and watch the spread of the
# activations. With weights drawn from $\mathcal{N}(0, 1)$ the signal explodes; with
# $\mathcal{N}(0, 0.01^2)$ it vanishes. Kaiming (He) initialisation picks the variance
# $2/\text{fan\_in}$ so that, for ReLU (which zeroes half of its input), the variance is
# preserved from layer to layer.

# %%
def activation_stds(init):
    minitorch.manual_seed(0)
    x = minitorch.randn(256, 256)
    stds = []
    with minitorch.no_grad():
        for _ in range(20):
            layer = nn.Linear(256, 256, bias=False)
            init(layer.weight)
            x = layer(x).relu()
            stds.append(x.std().item())
    return stds


for label, init in [("N(0, 1)", lambda w: nn.init.normal_(w, 0.0, 1.0)),
                    ("N(0, 0.01^2)", lambda w: nn.init.normal_(w, 0.0, 0.01)),
                    ("kaiming_normal_", lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"))]:
    stds = activation_stds(init)
    print(f"{label:16s} layer 1: {stds[0]:.3e}   layer 10: {stds[9]:.3e}   layer 20: {stds[19]:.3e}")

# %% [markdown]
# PyTorch's `nn.Linear` default (which minitorch copies) is `kaiming_uniform_` with
# $a = \sqrt 5$: weights uniform in $\pm 1/\sqrt{\text{fan\_in}}$.

# %%
layer = nn.Linear(100, 50)
bound = 1 / math.sqrt(100)
print(f"max |w| = {layer.weight.abs().max().item():.4f} <= bound {bound:.4f}")

# %% [markdown]
# ## 4. Containers

# %%
blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
heads = nn.ModuleDict({"class": nn.Linear(4, 3), "box": nn.Linear(4, 2)})
seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
print(len(list(blocks.parameters())), sorted(heads.keys()), seq[0], seq[1:])

# %% [markdown]
# ## 5. Loading weights trained in PyTorch
#
# Train a small network in PyTorch, then load its `state_dict` into the same architecture
# in minitorch: the predictions agree.

# %%
torch.manual_seed(0)
real = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
inputs = torch.randn(128, 4)
targets = (inputs[:, 0] > 0).long() + (inputs[:, 1] > 0).long()
optimizer = torch.optim.SGD(real.parameters(), lr=0.5)
for _ in range(100):
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(real(inputs), targets).backward()
    optimizer.step()

mine = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
result = mine.load_state_dict({k: v.numpy() for k, v in real.state_dict().items()})
print(result)
with torch.no_grad():
    expected = real(inputs).numpy()
with minitorch.no_grad():
    got = mine(minitorch.tensor(inputs.numpy())).numpy()
print("minitorch gives PyTorch's predictions (to 1e-5):", np.allclose(got, expected, rtol=1e-5, atol=1e-5))

# %% [markdown]
# ## Checks

# %%
assert list(ours.state_dict()) == list(theirs.state_dict())
assert all(tuple(a.shape) == tuple(b.shape) for a, b in zip(ours.state_dict().values(),
                                                           theirs.state_dict().values()))
np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
assert [n for n, _ in tiny.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
# the hand-built module's state dict loads into the same network written for PyTorch
real_tiny = torch.nn.Module()
real_tiny.fc1, real_tiny.fc2 = torch.nn.Linear(4, 8), torch.nn.Linear(8, 3)
real_tiny.load_state_dict({k: torch.tensor(v.numpy()) for k, v in tiny.state_dict().items()})
probe = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
with torch.no_grad():
    expected_tiny = real_tiny.fc2(real_tiny.fc1(torch.tensor(probe)).relu()).numpy()
np.testing.assert_allclose(tiny(minitorch.tensor(probe)).detach().numpy(), expected_tiny, rtol=1e-5, atol=1e-6)
kaiming = activation_stds(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"))
assert 0.3 < kaiming[-1] < 3.0
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Add `buffers` and `train()`/`eval()` to `TinyModule`.
# * Save `mine.state_dict()` with `minitorch.save`, load it into PyTorch, compare.
# * Try `nn.init.xavier_uniform_` with `tanh` layers in the experiment of section 3.
