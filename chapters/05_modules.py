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
# You build that bookkeeping yourself: a `TinyModule` base class that registers what is
# assigned to it, a `Linear` layer initialised exactly as PyTorch's, and `state_dict` /
# `load_state_dict` with PyTorch's keys, so that weights trained in PyTorch load into your
# modules. Then we look at minitorch's `nn.Module`, which does the same with more care.
#
# As in every chapter: fill in the cells marked `# YOUR CODE HERE` in your copy (in
# `exercises/`), run the check cell after each, and your `#@save` cells become
# `mytorch/ch05.py`. Chapter 06 trains with optimizers you write, and the capstone builds its
# models from your `TinyModule` and `Linear`.

# %%
# %matplotlib inline
import inspect
import io
import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code

import minitorch
import torch
import viz
from minitorch import course, nn
from minitorch.course import ch05 as check

course.start("05")

# %% [markdown]
# ## 1. Registration
#
# A model is written as attribute assignments: `self.fc1 = Linear(4, 8)`. The trick is
# `__setattr__`, which Python calls for every such assignment: when the value is a
# `Parameter` or a module, remember it in a dictionary (one for parameters, one for
# sub-modules). Python's dictionaries keep insertion order, so the registration order is
# remembered for free, and assigning to an existing key keeps its place.
#
# Everything else follows from those two dictionaries. `named_parameters()` walks the tree:
# the module's own parameters first, then each sub-module's, whose names get the sub-module's
# name and a dot in front: `fc1.weight`, `encoder.block.fc.bias`. These dotted names are
# PyTorch's, and they are the keys of a saved model, so getting them exactly right is what
# lets weights move between frameworks.
#
# **Exercise 5.1.** Write `TinyModule.__setattr__` (register `Parameter`s in
# `self._parameters` and `TinyModule`s in `self._modules`) and `named_parameters`. A plain
# tensor or a number is an ordinary attribute, not a parameter.

# %%
#@save
import minitorch
from minitorch.nn import Parameter


class TinyModule:
    """The bookkeeping of nn.Module: Parameters and sub-modules are registered as they are
    assigned (self.fc1 = ...), so that the whole tree can be listed, named, saved and loaded.
    (state_dict and load_state_dict are added in Exercise 5.3.)"""

    def __init__(self):
        # object.__setattr__ bypasses our own __setattr__, which needs these two to exist
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})

    def __setattr__(self, name, value):
        """Register a Parameter in self._parameters, a TinyModule in self._modules."""
        ### BEGIN SOLUTION
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, TinyModule):
            self._modules[name] = value
        ### END SOLUTION
        object.__setattr__(self, name, value)       # self.fc1 still reads back as usual

    def named_parameters(self, prefix=""):
        """(dotted name, Parameter) pairs: this module's own Parameters in the order they were
        assigned, then each sub-module's (recursively), named prefix + "<sub-module>." + name."""
        ### BEGIN SOLUTION
        for name, parameter in self._parameters.items():
            yield prefix + name, parameter
        for name, module in self._modules.items():
            yield from module.named_parameters(prefix + name + ".")
        ### END SOLUTION

    def parameters(self):
        for _, parameter in self.named_parameters():
            yield parameter

    def zero_grad(self):
        for parameter in self.parameters():
            parameter.grad = None

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)


# %%
check.tiny_module(TinyModule)

# %% [markdown]
# The check built five small architectures from your `TinyModule` and the same ones from
# `torch.nn.Module`, and compared the names. One of them shows why the order rule matters:
# a module's own parameter is listed before its sub-modules' even when it was assigned after
# them.

# %%
class Scaled(TinyModule):
    def __init__(self):
        super().__init__()
        self.offset = minitorch.zeros(3)                     # a plain tensor: not a parameter
        self.inner = TinyModule()
        self.inner.weight = Parameter(minitorch.ones(3, 2))
        self.scale = Parameter(minitorch.ones(3))


with course.needs("your TinyModule"):
    for name, parameter in Scaled().named_parameters():
        print(f"{name:14s} {tuple(parameter.shape)}")

# %% [markdown]
# ## 2. A Linear layer, and why initialisation matters
#
# Before writing a layer, decide how its weights start. Push a batch through 20 layers of
# `Linear` + ReLU and watch the spread (standard deviation) of the activations. With weights
# drawn from $\mathcal{N}(0, 1)$ the signal explodes; with $\mathcal{N}(0, 0.01^2)$ it
# vanishes, and so do the gradients that would train the early layers. Kaiming (He)
# initialisation picks the variance $2/\text{fan\_in}$ so that, for ReLU (which zeroes half
# of its input), the variance is preserved from layer to layer.

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


initialisations = {
    "N(0, 1)": lambda w: nn.init.normal_(w, 0.0, 1.0),
    "N(0, 0.01²)": lambda w: nn.init.normal_(w, 0.0, 0.01),
    "kaiming_normal_ (ReLU)": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "nn.Linear's default": lambda w: w,
}
spreads = {label: activation_stds(init) for label, init in initialisations.items()}

fig, ax = plt.subplots(figsize=(7, 3.5))
for label, stds in spreads.items():
    _ = ax.semilogy(range(1, 21), stds, marker="o", markersize=3, label=label)
_ = ax.set(xlabel="layer", ylabel="std of the activations", xticks=range(2, 21, 2),
           title="20 × (Linear(256, 256) + ReLU)")
_ = ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# PyTorch's `nn.Linear` default is `kaiming_uniform_` with $a = \sqrt 5$. The Kaiming uniform
# bound is $\text{gain}\cdot\sqrt{3/\text{fan\_in}}$ with $\text{gain} = \sqrt{2/(1+a^2)}$;
# for $a=\sqrt5$ that is exactly $1/\sqrt{\text{fan\_in}}$. The bias is uniform in the same
# $\pm 1/\sqrt{\text{fan\_in}}$. Its variance is $1/(3\,\text{fan\_in})$, six times less
# than Kaiming's for ReLU, so (as the figure shows) a deep ReLU stack's signal shrinks by
# about $\sqrt 6 \approx 2.4$ per layer. PyTorch keeps this default for compatibility with
# old models; deep networks choose their initialisation explicitly, or rely on
# normalisation layers and residual connections (chapter 09).
#
# `fan_in` is the number of inputs each output sums over: `in_features`.
#
# **Exercise 5.2.** Write `Linear`: `weight` of shape `(out_features, in_features)` and
# `bias` of shape `(out_features,)` (or `self.bias = None` when `bias=False`), both drawn
# uniformly from $\pm 1/\sqrt{\text{in\_features}}$ as PyTorch does
# (`minitorch.empty(...).uniform_(low, high)` draws in place), and `forward`:
# $y = x W^\top + b$ for an input of shape `(..., in_features)`.

# %%
#@save
import math

import minitorch
from minitorch.nn import Parameter


class Linear(TinyModule):
    """y = x @ weight.T + bias, with PyTorch's nn.Linear parameters and initialisation."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        ### BEGIN SOLUTION
        a = math.sqrt(5)                               # kaiming_uniform_'s a in nn.Linear
        gain = math.sqrt(2 / (1 + a**2))
        bound = gain * math.sqrt(3 / in_features)      # = 1 / sqrt(in_features)
        self.weight = Parameter(minitorch.empty(out_features, in_features).uniform_(-bound, bound))
        if bias:
            bias_bound = 1 / math.sqrt(in_features)
            self.bias = Parameter(minitorch.empty(out_features).uniform_(-bias_bound, bias_bound))
        else:
            self.bias = None
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias
        ### END SOLUTION


# %%
check.linear(Linear, TinyModule)

# %% [markdown]
# With your two pieces, a network is a few lines, and its parameter names are PyTorch's:

# %%
class TinyMLP(TinyModule):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(4, 8)
        self.fc2 = Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


torch_mlp = torch.nn.Sequential()
torch_mlp.fc1, torch_mlp.fc2 = torch.nn.Linear(4, 8), torch.nn.Linear(8, 3)
minitorch.manual_seed(0)
with course.needs("each of your TinyModule and Linear"):
    tiny = TinyMLP()
    for (name, p), (torch_name, q) in zip(tiny.named_parameters(), torch_mlp.named_parameters()):
        print(f"yours {name:10s} {str(tuple(p.shape)):8s} | "
              f"PyTorch {torch_name:10s} {tuple(q.shape)}")

# %% [markdown]
# ## 3. minitorch's nn.Module, and PyTorch's names
#
# The real `nn.Module` does the same with more care: buffers (state that is saved but not
# trained, like BatchNorm's running statistics), hooks, train/eval, devices. Its names and
# shapes are exactly PyTorch's, which is what lets weights move between them.

# %%
class MLP(minitorch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = minitorch.nn.Linear(4, 8, bias=False)   # BatchNorm follows: see below
        self.norm = minitorch.nn.BatchNorm1d(8)
        self.fc2 = minitorch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.norm(self.fc1(x)).relu())


class TorchMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8, bias=False)
        self.norm = torch.nn.BatchNorm1d(8)
        self.fc2 = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.norm(self.fc1(x)).relu())


minitorch.manual_seed(0)
ours, theirs = MLP(), TorchMLP()
print(ours)
for (k1, v1), (k2, v2) in zip(ours.state_dict().items(), theirs.state_dict().items()):
    print(f"{k1:24s} {str(tuple(v1.shape)):8s} | {k2:24s} {tuple(v2.shape)}")

# %% [markdown]
# `running_mean`, `running_var` and `num_batches_tracked` are buffers. The registration that
# makes all this work is your `__setattr__`, with PyTorch's checks and error messages (this
# is its first half; the rest handles assigning `None` or a plain value to a registered name):

# %%
setattr_source = inspect.getsource(minitorch.nn.Module.__setattr__).splitlines()
cut = next((i for i, line in enumerate(setattr_source) if 'elif "_modules" in d' in line),
           len(setattr_source))
Code("\n".join(setattr_source[:cut] + ["        ..."]), language="python")

# %% [markdown]
# `nn.Module.__call__` also records which module each operation ran in, so a drawing of the
# recorded graph can show the module tree: each box below is a module (`fc1`, `norm`, `fc2`),
# each parameter carries its `named_parameters()` name, and the gradients come from one
# backward pass of a squared-error loss on a batch of 5. `fc1` has no bias: BatchNorm
# subtracts the batch mean right after it, so a bias added there could not change the output
# (its gradient would be zero), which is why layers followed by BatchNorm usually have
# `bias=False`.

# %%
minitorch.manual_seed(0)
model = MLP()
loss = (model(minitorch.randn(5, 4)) ** 2).mean()
loss.backward()
viz.draw(loss, params=model, show_values=False)

# %% [markdown]
# ## 4. state_dict and load_state_dict
#
# A *state dict* is the model's data by name: `{"fc1.weight": tensor, ...}`, with
# `named_parameters()`' names in the same order, the values detached (data, not a graph).
# Saving a model is saving its state dict; loading copies each value into the parameter of
# the same name, **in place** (an optimizer created earlier holds the parameter objects, so
# they must stay the same objects) and **keeping the parameter's dtype**.
#
# PyTorch's `load_state_dict` is strict: before it accepts a state dict it compares it with
# the model, and raises a `RuntimeError` naming every *missing* key (a parameter the dict
# does not have), every *unexpected* key (a name the model does not have) and every *size
# mismatch*. Loading a checkpoint into the wrong architecture fails loudly instead of
# leaving half the weights random.
#
# **Exercise 5.3.** Write `state_dict` and `load_state_dict`; the cell adds them to
# `TinyModule` as methods. Values may be minitorch tensors, PyTorch tensors or NumPy
# arrays: `np.asarray(value)` turns each into an array.

# %%
#@save
import minitorch
import numpy as np


def state_dict(self):
    """{dotted name: parameter detached}, in named_parameters() order."""
    ### BEGIN SOLUTION
    return {name: parameter.detach() for name, parameter in self.named_parameters()}
    ### END SOLUTION


def load_state_dict(self, state_dict):
    """Copy state_dict's values into the parameters of the same names, in place; first raise
    RuntimeError naming every missing key, unexpected key and shape mismatch, as PyTorch does."""
    ### BEGIN SOLUTION
    parameters = dict(self.named_parameters())
    arrays = {key: np.asarray(value) for key, value in state_dict.items()}
    problems = [f"missing key {key!r}" for key in parameters if key not in arrays]
    problems += [f"unexpected key {key!r}" for key in arrays if key not in parameters]
    problems += [f"size mismatch for {key!r}: {arrays[key].shape} in the state dict, "
                 f"{tuple(p.shape)} in the model"
                 for key, p in parameters.items()
                 if key in arrays and arrays[key].shape != tuple(p.shape)]
    if problems:
        raise RuntimeError("Error(s) in loading state_dict: " + "; ".join(problems))
    with minitorch.no_grad():
        for key, parameter in parameters.items():
            parameter.copy_(minitorch.tensor(arrays[key]))
    ### END SOLUTION


TinyModule.state_dict = state_dict
TinyModule.load_state_dict = load_state_dict

# %%
check.state_dict(TinyModule)

# %% [markdown]
# ### Loading weights trained in PyTorch
#
# Train a small network in PyTorch, then load its `state_dict` into the same architecture
# built from your modules, and into minitorch's `nn.Sequential`: the predictions agree.

# %%
torch.manual_seed(0)
real = torch.nn.Sequential()
real.fc1, real.relu, real.fc2 = torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
inputs = torch.randn(128, 4)
targets = (inputs[:, 0] > 0).long() + (inputs[:, 1] > 0).long()
optimizer = torch.optim.SGD(real.parameters(), lr=0.5)
for _ in range(100):
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(real(inputs), targets).backward()
    optimizer.step()
with torch.no_grad():
    expected = real(inputs).numpy()

mine = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
print(mine.load_state_dict({k.replace("fc1", "0").replace("fc2", "2"): v.numpy()
                            for k, v in real.state_dict().items()}))
with minitorch.no_grad():
    got = mine(minitorch.tensor(inputs.numpy())).numpy()
print("minitorch's nn.Sequential gives PyTorch's predictions (to 1e-5):",
      np.allclose(got, expected, rtol=1e-5, atol=1e-5))

with course.needs("each of your TinyModule, Linear and state_dict"):
    tiny = TinyMLP()
    tiny.load_state_dict(real.state_dict())
    with minitorch.no_grad():
        yours = tiny(minitorch.tensor(inputs.numpy())).numpy()
    print("your TinyMLP gives PyTorch's predictions (to 1e-5):",
          np.allclose(yours, expected, rtol=1e-5, atol=1e-5))
    try:
        tiny.load_state_dict(mine.state_dict())     # keys 0.weight, ...: another architecture
    except RuntimeError as err:
        print(f"loading nn.Sequential's keys into TinyMLP: RuntimeError: {str(err)[:90]}...")

# %% [markdown]
# ### Saving to a file
#
# `minitorch.save(model.state_dict(), path)` and `minitorch.load(path)` write and read a
# checkpoint. Be aware that **the file is not PyTorch's format**: minitorch writes a zip of
# NumPy `.npy` arrays plus a JSON description (data only, so loading can never run code),
# and `torch.load` cannot read it today (an open issue will make minitorch write PyTorch's
# format). To move weights to PyTorch now, go through arrays, as above:
# `torch_model.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in sd.items()})`.

# %%
buffer = io.BytesIO()
minitorch.save(mine.state_dict(), buffer)
buffer.seek(0)
restored = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
restored.load_state_dict(minitorch.load(buffer))
back_in_torch = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
back_in_torch.load_state_dict({k: torch.from_numpy(v.numpy())
                               for k, v in restored.state_dict().items()})
with torch.no_grad():
    round_trip = back_in_torch(inputs).numpy()
print("weights through a minitorch file and back into PyTorch give exactly the same predictions:",
      np.array_equal(round_trip, expected))

# %% [markdown]
# ## 5. Containers
#
# A Python list of layers is invisible to `__setattr__` (the list is not a module), so its
# parameters would be lost. `nn.ModuleList`, `nn.ModuleDict` and `nn.Sequential` are modules
# that register their items under the names `0`, `1`, ... (or the dict's keys).

# %%
blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
heads = nn.ModuleDict({"class": nn.Linear(4, 3), "box": nn.Linear(4, 2)})
seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
print(len(list(blocks.parameters())), sorted(heads.keys()), seq[0], seq[1:])
print([name for name, _ in seq.named_parameters()])

# %% [markdown]
# ## Checks
#
# Your exercises, once more; then minitorch against PyTorch (independent of your code):
# the same names and shapes, and the same predictions from PyTorch's trained weights.

# %%
assert list(ours.state_dict()) == list(theirs.state_dict())
assert all(tuple(a.shape) == tuple(b.shape) for a, b in zip(ours.state_dict().values(),
                                                           theirs.state_dict().values()))
np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
np.testing.assert_array_equal(round_trip, expected)
layer = nn.Linear(100, 50)
assert layer.weight.abs().max().item() <= 1 / math.sqrt(100)
kaiming = spreads["kaiming_normal_ (ReLU)"]
assert 0.3 < kaiming[-1] < 3.0
course.summary(check.tiny_module(TinyModule), check.linear(Linear, TinyModule),
               check.state_dict(TinyModule))

# %% [markdown]
# ## Try next
#
# * Add buffers (`register_buffer`) and `train()` / `eval()` to `TinyModule`, and include the
#   buffers in `state_dict`.
# * PyTorch lists a parameter shared by two modules (weight tying) once in
#   `named_parameters()` but under both names in `state_dict()`. Make `TinyModule` do the
#   same, and check against `torch.nn.Module`.
# * Try `nn.init.xavier_uniform_` with `tanh` layers in the experiment of section 2.

# %% [markdown]
# **Next:** [06 · Losses and optimizers](06_losses_and_optimizers.ipynb). The whole path is in [the syllabus](README.md).
