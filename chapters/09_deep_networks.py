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
# # 09 · Deep networks: vanishing gradients, normalisation, residual connections
#
# Stack many layers and the gradient reaching the first ones is a product of many local
# derivatives. With sigmoid (whose slope is at most 1/4) the product shrinks
# exponentially with depth: the early layers stop learning. Three ideas fixed this and
# made deep networks trainable: better activations and initialisation (chapter 05),
# **normalisation** (BatchNorm, LayerNorm) and **residual connections**. We make the
# problem visible (vanishing gradients, and their opposite, exploding ones), build
# BatchNorm and LayerNorm from scratch and check them against minitorch and PyTorch, and
# measure how much each idea helps.

# %%
# %matplotlib inline
import inspect

import numpy as np

import minitorch
import torch
import viz
from minitorch import nn
from minitorch.datasets import load_digits

# %% [markdown]
# ## 1. Vanishing gradients, made visible
#
# A 12-layer sigmoid network on the digits. After one backward pass, compare the mean
# absolute gradient of each layer's weights.

# %%
def deep_net(depth, width=32, activation=nn.Sigmoid, norm=None, residual=False):
    minitorch.manual_seed(0)
    return DeepNet(depth, width, activation, norm, residual)


class DeepNet(nn.Module):
    def __init__(self, depth, width, activation, norm, residual):
        super().__init__()
        self.stem = nn.Linear(64, width)
        self.layers = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.norms = nn.ModuleList((norm(width) if norm else nn.Identity()) for _ in range(depth))
        self.act = activation()
        self.head = nn.Linear(width, 10)
        self.residual = residual

    def forward(self, x):
        h = self.act(self.stem(x))
        for layer, norm in zip(self.layers, self.norms):
            update = self.act(norm(layer(h)))
            h = h + update if self.residual else update
        return self.head(h)


x, y = load_digits("train", flatten=True)[:512]


def layer_gradients(model):
    model.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    return [layer.weight.grad.abs().mean().item() for layer in model.layers]


sigmoid_net = deep_net(12)
plain = layer_gradients(sigmoid_net)
print("mean |grad| per layer, first to last:")
print(" ".join(f"{g:.1e}" for g in plain))
weights = {name: p for name, p in sigmoid_net.named_parameters() if name.endswith("weight")}
viz.plots.plot_grad_flow(weights, title="12 sigmoid layers: gradient flow")

# %% [markdown]
# The first layers receive gradients orders of magnitude smaller than the last ones: they
# barely move when we train.
#
# ### Exploding gradients
#
# The opposite happens when each layer *amplifies* the gradient. With ReLU, the weights
# decide: backward multiplies the gradient by each layer's weight matrix (transposed), and
# ReLU passes about half the units. Kaiming initialisation (chapter 05) picks the weights'
# standard deviation $\sqrt{2/\text{fan\_in}}$ exactly so that the gradient keeps its size
# from layer to layer. Scale that by a *gain* and the gradient flowing back shrinks or
# grows by about the gain at every layer: by gain$^{12}$ over twelve layers.
#
# To see it we look at the gradient with respect to each layer's *input* (the hidden
# activations). Those are not leaves, so autograd does not keep their `.grad` unless we
# ask with `retain_grad()`.

# %%
def relu_net(gain, depth=12, width=32):
    model = deep_net(depth, width, activation=nn.ReLU)
    with minitorch.no_grad():
        for layer in model.layers:
            nn.init.normal_(layer.weight, std=gain * (2 / width) ** 0.5)
            layer.bias.zero_()
    return model


def activation_gradients(model):
    """Mean |dL/dh| for the input h of each of the model's layers (DeepNet's forward, unrolled)."""
    hidden = []
    h = model.act(model.stem(x))
    for layer, norm in zip(model.layers, model.norms):
        h.retain_grad()
        hidden.append(h)
        update = model.act(norm(layer(h)))
        h = h + update if model.residual else update
    nn.functional.cross_entropy(model.head(h), y).backward()
    return [t.grad.abs().mean().item() for t in hidden]


growth = {}
for gain in (0.5, 1.0, 2.0):
    grads = activation_gradients(relu_net(gain))
    growth[gain] = grads[0] / grads[-1]
    print(f"gain {gain}: |dL/dh| first layer / last layer = {growth[gain]:.1e}")

# %% [markdown]
# With gain 2 the first layer's input receives a gradient about a thousand times larger
# than the last layer's, and with gain 0.5 thousands of times smaller; Kaiming's gain 1
# keeps them within a small factor. Initialisation alone only fixes the *start* of
# training, though: as the weights change, so does the gain. The next two ideas keep the
# gradient healthy throughout.
#
# ## 2. Batch normalisation from scratch
#
# BatchNorm standardises each feature over the batch, $\hat h = (h - \mu_B)/\sqrt{\sigma^2_B + \epsilon}$,
# then rescales with learned $\gamma, \beta$. During training it also keeps running
# averages of $\mu$ and $\sigma^2$ (with the *unbiased* variance) for use at evaluation time.

# %%
def batch_norm(h, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if training:
        mean = h.mean(0)
        var = h.var(0, unbiased=False)
        n = h.shape[0]
        with minitorch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    return (h - mean) / (var + eps).sqrt() * gamma + beta


h0 = np.random.default_rng(0).standard_normal((16, 5)).astype(np.float32) * 3 + 1
ours_bn = nn.BatchNorm1d(5)
scratch_mean, scratch_var = minitorch.zeros(5), minitorch.ones(5)
scratch = batch_norm(minitorch.tensor(h0), ours_bn.weight, ours_bn.bias, scratch_mean, scratch_var, True)
library = ours_bn(minitorch.tensor(h0))
real_bn = torch.nn.BatchNorm1d(5)
real = real_bn(torch.tensor(h0))
print("outputs agree:", np.allclose(scratch.detach().numpy(), library.detach().numpy(), atol=1e-5),
      np.allclose(library.detach().numpy(), real.detach().numpy(), atol=1e-5))
print("running_var:", np.round(scratch_var.numpy(), 4), np.round(real_bn.running_var.numpy(), 4))

# %% [markdown]
# ## 3. Layer normalisation from scratch
#
# LayerNorm standardises each *example* over its features instead, so it behaves the same
# in training and evaluation and does not depend on the batch: the normalisation of
# transformers (chapter 11).

# %%
def layer_norm(h, gamma, beta, eps=1e-5):
    mean = h.mean(-1, keepdim=True)
    var = h.var(-1, keepdim=True, unbiased=False)
    return (h - mean) / (var + eps).sqrt() * gamma + beta


ln = nn.LayerNorm(5)
scratch_ln = layer_norm(minitorch.tensor(h0), ln.weight, ln.bias)
real_ln = torch.nn.functional.layer_norm(torch.tensor(h0), (5,))
print("layer norm agrees:", np.allclose(scratch_ln.detach().numpy(), real_ln.numpy(), atol=1e-5))

# %% [markdown]
# ## 4. Residual connections
#
# A residual block computes $h + f(h)$ instead of $f(h)$. The derivative of the identity
# path is 1, so the gradient reaches early layers through a chain of additions instead
# of a product of small slopes.

# %%
variants = {
    "plain sigmoid": deep_net(12),
    "+ batch norm": deep_net(12, norm=nn.BatchNorm1d),
    "+ layer norm": deep_net(12, norm=nn.LayerNorm),
    "+ residual": deep_net(12, residual=True),
}
ratios = {}
for name, model in variants.items():
    grads = layer_gradients(model)
    ratios[name] = grads[0] / grads[-1]
    print(f"{name:14s} first/last layer gradient ratio: {ratios[name]:.2e}")

# %% [markdown]
# Batch norm and the residual connection bring the first layer's gradient to within an
# order of magnitude of the last layer's. Layer norm gains five orders of magnitude over
# the plain network here, but not the whole way (try it with `activation=nn.ReLU`).
#
# ## 5. How minitorch does it
#
# Our `batch_norm` above lets autograd differentiate through `mean`, `var`, subtraction,
# `sqrt`, division, the scale and the shift: each a recorded operation that saves tensors
# for backward. minitorch's `nn.functional.batch_norm` (and `layer_norm`, and `group_norm`:
# they differ only in the dimensions they average over) is *one* `Function`, named as
# PyTorch names it, whose backward is the closed-form gradient: with $g_h = g\,\gamma$
# (the incoming gradient times the scale),
# $\frac{\partial L}{\partial x} = \big(g_h - \overline{g_h} - \hat x\,\overline{g_h \hat x}\big)
# / \sqrt{\sigma^2 + \epsilon}$, the bars being means over the normalised dimensions:

# %%
print(inspect.getsource(minitorch.nn.functional._normalization._Normalize))

# %% [markdown]
# The closed form and autograd through the elementary operations agree (and PyTorch too):

# %%
def batch_norm_input_grad(lib, standardize):
    h = lib.tensor(h0, requires_grad=True)
    out = standardize(lib, h)
    (out * lib.tensor(np.arange(80, dtype=np.float32).reshape(16, 5))).sum().backward()
    return h.grad.numpy()


by_autograd = batch_norm_input_grad(minitorch, lambda lib, h: (h - h.mean(0)) / (h.var(0, unbiased=False) + 1e-5).sqrt())
fused = batch_norm_input_grad(minitorch, lambda lib, h: lib.nn.functional.batch_norm(h, None, None, training=True))
pytorch = batch_norm_input_grad(torch, lambda lib, h: lib.nn.functional.batch_norm(h, None, None, training=True))
print("fused agrees with autograd:", np.allclose(fused, by_autograd, rtol=1e-3, atol=1e-4),
      " fused agrees with PyTorch:", np.allclose(fused, pytorch, rtol=1e-3, atol=1e-4))

# %% [markdown]
# ## Checks

# %%
np.testing.assert_allclose(scratch.detach().numpy(), real.detach().numpy(), rtol=1e-4, atol=1e-5)
np.testing.assert_allclose(scratch_var.numpy(), real_bn.running_var.numpy(), rtol=1e-5)
np.testing.assert_allclose(ours_bn.running_var.numpy(), real_bn.running_var.numpy(), rtol=1e-5)
np.testing.assert_allclose(scratch_ln.detach().numpy(), real_ln.numpy(), rtol=1e-4, atol=1e-5)
assert ratios["plain sigmoid"] < 1e-2
assert ratios["+ residual"] > 10 * ratios["plain sigmoid"]
assert ratios["+ batch norm"] > 10 * ratios["plain sigmoid"]
assert ratios["+ layer norm"] > 10 * ratios["plain sigmoid"]
assert growth[0.5] < 1e-2 and growth[2.0] > 1e2 and 0.1 < growth[1.0] < 10
np.testing.assert_allclose(fused, by_autograd, rtol=1e-3, atol=1e-4)
np.testing.assert_allclose(fused, pytorch, rtol=1e-3, atol=1e-4)
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Train the plain and residual networks for a few epochs and compare test accuracy.
# * Replace sigmoid by ReLU with Kaiming initialisation: how much of the problem remains?
# * Put the normalisation *before* the layer (pre-norm) in the residual block.
