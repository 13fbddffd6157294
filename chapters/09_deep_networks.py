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
# BatchNorm (forward and a hand-written backward), LayerNorm and a residual block, check
# them against PyTorch, and measure how much each idea helps: the gradient each layer
# receives, and what a few epochs of training make of it.
#
# As in every chapter, cells with `# YOUR CODE HERE` are yours (this page shows the
# solutions), a check follows each, and the cells marked `#@save` go into your package, here
# `mytorch/ch09.py`.

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code

import minitorch
import torch
import viz
from minitorch import course, nn
from minitorch.course import ch09 as check
from minitorch.datasets import load_digits

course.start("09")

# %% [markdown]
# ## 1. Vanishing gradients, made visible
#
# A 12-layer sigmoid network on the digits: a stem (64 pixels to 32 units), twelve blocks
# of `Linear` then activation, and a head (32 units to 10 classes). After one backward pass,
# compare the mean absolute gradient of each block's weights.

# %%
class PlainBlock(nn.Module):
    """One layer of the deep network: act(norm(linear(h)))."""

    def __init__(self, in_features, out_features, activation=nn.Sigmoid, norm=None):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.norm = norm(out_features) if norm else nn.Identity()
        self.act = activation()

    def forward(self, h):
        return self.act(self.norm(self.linear(h)))


class DeepNet(nn.Module):
    """stem (64 -> width), `depth` blocks (width -> width), head (width -> 10 classes)."""

    def __init__(self, depth, width, block, activation, norm):
        super().__init__()
        self.stem = nn.Linear(64, width)
        self.act = activation()
        self.blocks = nn.ModuleList(block(width, width, activation, norm) for _ in range(depth))
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        h = self.act(self.stem(x))
        for block in self.blocks:
            h = block(h)
        return self.head(h)


def deep_net(depth=12, width=32, block=PlainBlock, activation=nn.Sigmoid, norm=None):
    minitorch.manual_seed(0)
    return DeepNet(depth, width, block, activation, norm)


x, y = load_digits("train", flatten=True)[:512]


def layer_gradients(model):
    """Mean |dL/dW| of each block's weight matrix after one backward pass, first to last."""
    model.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    return [block.linear.weight.grad.abs().mean().item() for block in model.blocks]


sigmoid_net = deep_net()
plain = layer_gradients(sigmoid_net)
print("mean |grad| per layer, first to last:")
print(" ".join(f"{g:.1e}" for g in plain))
weights = {name: p for name, p in sigmoid_net.named_parameters() if name.endswith("weight")}
viz.plots.plot_grad_flow(weights, title="12 sigmoid layers: gradient flow")

# %% [markdown]
# The first layers receive gradients orders of magnitude smaller than the last ones: they
# barely move when we train (section 6 measures how little).
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
# To see it we look at the gradient with respect to each block's *input* (the hidden
# activations). Those are not leaves, so autograd does not keep their `.grad` unless we
# ask with `retain_grad()`.

# %%
def relu_net(gain, depth=12, width=32):
    model = deep_net(depth, width, activation=nn.ReLU)
    with minitorch.no_grad():
        for block in model.blocks:
            nn.init.normal_(block.linear.weight, std=gain * (2 / width) ** 0.5)
            block.linear.bias.zero_()
    return model


def activation_gradients(model):
    """Mean |dL/dh| for the input h of each of the model's blocks (DeepNet's forward, unrolled)."""
    hidden = []
    h = model.act(model.stem(x))
    for block in model.blocks:
        h.retain_grad()
        hidden.append(h)
        h = block(h)
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
# ## 2. Batch normalisation
#
# BatchNorm standardises each feature (column) over the batch,
# $\hat x = (x - \mu_B)/\sqrt{\sigma^2_B + \epsilon}$, with the batch's mean $\mu_B$ and
# *biased* variance $\sigma^2_B$ (divided by $N$), then rescales with learned $\gamma$ and
# shifts with learned $\beta$: $y = \gamma \hat x + \beta$. Whatever the layer before did to
# the scale of its outputs, the next layer sees numbers of size about 1.
#
# At evaluation time there may be a single example, so there is no batch to average over.
# During training BatchNorm therefore keeps *running* averages of $\mu_B$ and $\sigma^2_B$,
# moved a fraction `momentum` towards each batch's value:
# $\text{running} \leftarrow (1 - \text{momentum})\,\text{running}
#  + \text{momentum}\cdot\text{batch}$.
# PyTorch keeps the *unbiased* variance there ($\frac{N}{N-1}\sigma^2_B$), an estimate of
# the whole data's variance, while it normalises with the biased one. These buffers are
# not trained: they change in place and must not enter the autograd graph.
#
# **Exercise 9.1.** Write `batch_norm_train(x, gamma, beta, running_mean, running_var)`
# for `x` of shape (N, C): return the normalised, scaled and shifted `x`, computed with
# minitorch operations so that autograd differentiates it, and update the two running
# tensors in place (`mul_`, `add_`) under `minitorch.no_grad()`.

# %%
#@save
import minitorch


def batch_norm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """Batch norm of x (N, C) in training mode: normalise each column with the batch's mean
    and biased variance, then gamma * xhat + beta. Also moves running_mean and running_var
    (shape (C,)) towards the batch's mean and *unbiased* variance, in place, unrecorded."""
    ### BEGIN SOLUTION
    n = x.shape[0]
    mean = x.mean(0)
    var = x.var(0, unbiased=False)
    with minitorch.no_grad():
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    return (x - mean) / (var + eps).sqrt() * gamma + beta
    ### END SOLUTION


# %%
check.batch_norm_train(batch_norm_train)

# %% [markdown]
# Your function, minitorch's `nn.BatchNorm1d` and PyTorch's, on the same batch of 16
# examples with 5 features (the columns have mean about 1 and standard deviation about 3):

# %%
h0 = np.random.default_rng(0).standard_normal((16, 5)).astype(np.float32) * 3 + 1
ours_bn = nn.BatchNorm1d(5)
library = ours_bn(minitorch.tensor(h0))
real_bn = torch.nn.BatchNorm1d(5)
real = real_bn(torch.tensor(h0))
print("nn.BatchNorm1d agrees with PyTorch:",
      np.allclose(library.detach().numpy(), real.detach().numpy(), atol=1e-5),
      "  running_var:", np.round(ours_bn.running_var.numpy(), 4))

with course.needs("your batch_norm_train"):
    mine_mean, mine_var = minitorch.zeros(5), minitorch.ones(5)
    mine = batch_norm_train(minitorch.tensor(h0), ours_bn.weight, ours_bn.bias, mine_mean, mine_var)
    print("yours agrees with nn.BatchNorm1d:",
          np.allclose(mine.detach().numpy(), library.detach().numpy(), atol=1e-5),
          "  running_var:", np.round(mine_var.numpy(), 4))
    print("each column of your output: mean", np.round(mine.detach().numpy().mean(0), 4) + 0.0,
          " std", np.round(mine.detach().numpy().std(0), 4))

# %% [markdown]
# The running statistics start at mean 0 and variance 1 and only move 10% of the way per
# batch. Feed 40 batches drawn from the same data and they settle near its mean and variance:

# %%
with course.needs("your batch_norm_train"):
    data = np.random.default_rng(1).standard_normal((40, 32, 2)) * [3.0, 0.5] + [1.0, -2.0]
    running_mean = minitorch.zeros(2, dtype=minitorch.float64)
    running_var = minitorch.ones(2, dtype=minitorch.float64)
    for step, batch in enumerate(data):
        batch_norm_train(minitorch.tensor(batch), 1.0, 0.0, running_mean, running_var)
        if step in (0, 9, 39):
            print(f"after {step + 1:2d} batches: running mean {np.round(running_mean.numpy(), 2)}, "
                  f"running var {np.round(running_var.numpy(), 2)}")
    print(f"the data's mean {np.round(data.reshape(-1, 2).mean(0), 2)}, "
          f"variance {np.round(data.reshape(-1, 2).var(0, ddof=1), 2)}")

# %% [markdown]
# ## 3. Batch norm's backward, by hand
#
# Autograd differentiated your `batch_norm_train` through every operation it used: `mean`,
# `var`, subtraction, `sqrt`, division, the scale and the shift, each one node that saves
# tensors for backward. The whole thing has a short closed-form gradient, so libraries write
# batch norm as *one* operation with a hand-written backward. With $g$ the incoming gradient,
# $g_h = g\,\gamma$, and bars for means over the batch:
#
# $$\frac{\partial L}{\partial x}
#   = \frac{g_h - \overline{g_h} - \hat x\,\overline{g_h\,\hat x}}{\sqrt{\sigma^2_B + \epsilon}},
# \qquad \frac{\partial L}{\partial \gamma} = \sum_{\text{batch}} g\,\hat x,
# \qquad \frac{\partial L}{\partial \beta} = \sum_{\text{batch}} g.$$
#
# The first term is what we would get if $\mu_B$ and $\sigma_B$ were constants. The other two
# are there because they are not: moving one example moves the batch's mean (which takes
# $\overline{g_h}$ away) and its variance (which takes away the part of $g_h$ along $\hat x$).
# One consequence: if $g$ is the same for every example, $\partial L/\partial x$ is zero.
#
# **Exercise 9.2.** Write the `backward` of `BatchNormFunction`, a
# `minitorch.autograd.Function` (chapter 03) whose `forward` is given: it saves $\hat x$,
# $1/\sqrt{\sigma^2_B + \epsilon}$ and $\gamma$. Return one gradient per input of `forward`
# (None for `eps`).

# %%
#@save
import minitorch


class BatchNormFunction(minitorch.autograd.Function):
    """Batch norm of x (N, C) with the batch's statistics, as one recorded operation."""

    @staticmethod
    def forward(ctx, x, gamma, beta, eps=1e-5):
        mean = x.mean(0)
        invstd = 1 / (x.var(0, unbiased=False) + eps).sqrt()
        xhat = (x - mean) * invstd
        ctx.save_for_backward(xhat, invstd, gamma)
        return xhat * gamma + beta

    @staticmethod
    def backward(ctx, grad):
        xhat, invstd, gamma = ctx.saved_tensors
        ### BEGIN SOLUTION
        gh = grad * gamma
        grad_x = (gh - gh.mean(0) - xhat * (gh * xhat).mean(0)) * invstd
        grad_gamma = (grad * xhat).sum(0)
        grad_beta = grad.sum(0)
        ### END SOLUTION
        return grad_x, grad_gamma, grad_beta, None


# %%
check.batch_norm_backward(BatchNormFunction)

# %% [markdown]
# The same batch, differentiated both ways: through your `batch_norm_train` (autograd over
# the elementary operations) and through your `BatchNormFunction` (your formula). Same
# gradients, but one recorded node instead of many:

# %%
def recorded_nodes(tensor):
    """How many operations autograd recorded to compute `tensor` (leaves not counted)."""
    seen, stack = set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen and not hasattr(node, "variable"):  # leaves
            seen.add(node)
            stack.extend(next_node for next_node, _ in node.next_functions)
    return len(seen)


upstream = minitorch.tensor(np.random.default_rng(2).standard_normal((16, 5)).astype(np.float32))
ones, zeros = minitorch.ones(5), minitorch.zeros(5)
with course.needs("your code for 9.1 and 9.2"):
    gradients = {}
    for name, normalise in [
            ("batch_norm_train", lambda h: batch_norm_train(h, ones, zeros, zeros.clone(),
                                                            ones.clone())),
            ("BatchNormFunction", lambda h: BatchNormFunction.apply(h, ones, zeros))]:
        h = minitorch.tensor(h0, requires_grad=True)
        out = normalise(h)
        out.backward(upstream)
        gradients[name] = h.grad.numpy()
        count = recorded_nodes(out)
        print(f"{name:18s} {count:2d} recorded operation{'s' if count > 1 else ''}")
    print("same gradient for x:", np.allclose(gradients["batch_norm_train"],
                                               gradients["BatchNormFunction"],
                                               rtol=1e-4, atol=1e-5))

# %% [markdown]
# ## 4. Layer normalisation
#
# LayerNorm standardises each *example* over its features instead (the last dimension), so
# it needs no running statistics, behaves the same in training and evaluation, and does not
# depend on what else is in the batch: the normalisation of transformers (chapter 11),
# whose inputs are (batch, positions, features).
#
# **Exercise 9.3.** Write `layer_norm(x, gamma, beta)`: normalise over the last dimension
# (biased variance, `eps` inside the square root), then scale and shift. `x` may have any
# number of leading dimensions.

# %%
#@save
def layer_norm(x, gamma, beta, eps=1e-5):
    """Normalise each row of x (over its last dim) to mean 0 and variance 1, then
    gamma * xhat + beta (gamma and beta have x's last dimension)."""
    ### BEGIN SOLUTION
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return (x - mean) / (var + eps).sqrt() * gamma + beta
    ### END SOLUTION


# %%
check.layer_norm(layer_norm)

# %% [markdown]
# What "does not depend on the batch" means: normalise the first example alone, then in the
# batch of 16. LayerNorm gives it the same output both times; BatchNorm gives it a different
# output depending on its batch-mates (and cannot normalise a batch of one at all).

# %%
with course.needs("your code for 9.1 and 9.3"):
    gamma, beta = minitorch.ones(5), minitorch.zeros(5)
    alone = layer_norm(minitorch.tensor(h0[:1]), gamma, beta)
    in_batch = layer_norm(minitorch.tensor(h0), gamma, beta)[:1]
    print("layer norm, example 0 alone:   ", np.round(alone.numpy()[0], 3))
    print("layer norm, example 0 in batch:", np.round(in_batch.numpy()[0], 3))
    for batch_size in (2, 16):
        out = batch_norm_train(minitorch.tensor(h0[:batch_size]), gamma, beta,
                               minitorch.zeros(5), minitorch.ones(5))
        print(f"batch norm, in a batch of {batch_size:2d}:", np.round(out.numpy()[0], 3))

# %% [markdown]
# ## 5. Residual connections
#
# A residual block computes $h + f(h)$ instead of $f(h)$. The derivative of the identity
# path is 1, so $\frac{\partial L}{\partial h}
# = \frac{\partial L}{\partial \text{out}}\,(1 + f'(h))$:
# the gradient reaches early layers through a chain of additions instead of a product of
# small slopes. Here $f$ is one of our layers, `act(norm(linear(h)))`, and the identity is
# added *after* the activation.
#
# The identity only works when input and output have the same width. Where they differ,
# ResNet's *projection shortcut* maps $h$ to the new width with a matrix (no bias):
# `nn.Linear(in_features, out_features, bias=False)`.
#
# **Exercise 9.4.** Finish `ResidualBlock`: a `shortcut` (`nn.Identity()` when the widths
# agree, the projection otherwise) and `forward`, which returns
# `shortcut(h) + act(norm(linear(h)))`.

# %%
#@save
from minitorch import nn


class ResidualBlock(nn.Module):
    """shortcut(h) + act(norm(linear(h))): a layer whose input skips ahead to its output."""

    def __init__(self, in_features, out_features, activation=nn.Sigmoid, norm=None):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.norm = norm(out_features) if norm else nn.Identity()
        self.act = activation()
        ### BEGIN SOLUTION
        if in_features == out_features:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Linear(in_features, out_features, bias=False)
        ### END SOLUTION

    def forward(self, h):
        ### BEGIN SOLUTION
        return self.shortcut(h) + self.act(self.norm(self.linear(h)))
        ### END SOLUTION


# %%
check.residual_block(ResidualBlock)

# %% [markdown]
# ## 6. How much each idea helps
#
# Four versions of the 12-layer sigmoid network, the same weights at the start: plain, with
# batch norm or layer norm in every block (minitorch's `nn.BatchNorm1d` and `nn.LayerNorm`,
# which compute what your functions do), and built from your `ResidualBlock`. First, the
# gradient each layer's weights receive at initialisation:

# %%
variants = {
    "plain sigmoid": deep_net(),
    "+ batch norm": deep_net(norm=nn.BatchNorm1d),
    "+ layer norm": deep_net(norm=nn.LayerNorm),
}
with course.needs("your ResidualBlock"):
    variants["+ residual"] = deep_net(block=ResidualBlock)
at_start = {name: layer_gradients(model) for name, model in variants.items()}
for name, grads in at_start.items():
    print(f"{name:14s} first/last layer gradient ratio: {grads[0] / grads[-1]:.2e}")

# %% [markdown]
# Then training: eight epochs of SGD with momentum on the 1,442 training digits, the same
# batches in the same order for every version. We record the loss of each epoch, the test
# accuracy (355 held-out digits), and how far the first and the last block's weights moved
# from where they started, relative to their size: $\lVert W - W_0 \rVert / \lVert W_0 \rVert$.

# %%
train_x, train_y = load_digits("train", flatten=True).tensors
test_x, test_y = load_digits("test", flatten=True).tensors


def train(model, epochs=8, batch_size=64):
    """SGD with momentum; returns the mean training loss of each epoch."""
    optimizer = minitorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    epoch_losses = []
    for _ in range(epochs):
        order = rng.permutation(len(train_y))
        losses = []
        for start in range(0, len(order), batch_size):
            rows = minitorch.tensor(order[start:start + batch_size])
            loss = nn.functional.cross_entropy(model(train_x[rows]), train_y[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        epoch_losses.append(np.mean(losses))
    return epoch_losses


def test_accuracy(model):
    model.eval()
    with minitorch.no_grad():
        accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
    model.train()
    return accuracy


def relative_change(start, now):
    return ((now - start).norm() / start.norm()).item()


curves, results = {}, {}
for name, model in variants.items():
    first, last = (model.blocks[i].linear.weight.detach().clone() for i in (0, -1))
    curves[name] = train(model)
    results[name] = (test_accuracy(model), relative_change(first, model.blocks[0].linear.weight),
                     relative_change(last, model.blocks[-1].linear.weight))

print(f"{'':14s} {'last loss':>9s} {'test acc':>8s} {'first moved':>11s} {'last moved':>10s}")
for name, (accuracy, first_moved, last_moved) in results.items():
    print(f"{name:14s} {curves[name][-1]:9.3f} {accuracy:8.1%} {first_moved:11.1e} "
          f"{last_moved:10.1e}")

# %% [markdown]
# The two measurements side by side: on the left the gradient each layer receives at the
# start, on the right the training loss, epoch by epoch (both on log scales; the dotted line,
# $\ln 10 \approx 2.30$, is what guessing gives).

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for name, grads in at_start.items():
    _ = left.semilogy(range(1, len(grads) + 1), grads, marker="o", label=name)
    _ = right.semilogy(range(1, len(curves[name]) + 1), curves[name], marker="o", label=name)
_ = left.set(xlabel="layer (1 = nearest the input)", ylabel="mean |dL/dW| at the start",
             title="gradient reaching each layer")
_ = right.axhline(np.log(10), color="gray", linestyle=":")
_ = right.set(xlabel="epoch", ylabel="training loss", title="training")
_ = left.legend()
plt.show()

# %% [markdown]
# The plain network's first layer gets a gradient about $10^{-10}$ times the last layer's;
# in training it does not move at all (to the printed precision), the layers above it learn
# from features that carry nothing, and the loss stays at guessing. Batch norm restores the
# gradient (every layer gets about the same) and the network learns. The residual network
# learns too, its identity paths carrying the gradient past the sigmoids, after a rough first
# epoch: its hidden vector is a sum over twelve blocks, so its first predictions are large
# and confidently wrong. Layer norm lifts the first layer's gradient by five orders of
# magnitude, not enough here: the first layers still barely move, and the network stays at
# guessing for these eight epochs (try it with `activation=nn.ReLU`, or with residual blocks
# *and* layer norm, the transformer's recipe).
#
# ## 7. How minitorch does it
#
# minitorch's `nn.functional.batch_norm` (and `layer_norm`, and `group_norm`: they differ
# only in the dimensions they average over) is one `Function` with your formula as its
# backward, named as PyTorch names it (`NativeBatchNormBackward0`). Its backward, in the form
# it takes when a graph of the backward itself is asked for (`create_graph=True`, chapter 04):
# it recomputes the statistics from `x` with Tensor operations so that they can be
# differentiated again. (Without `create_graph`, it runs the same formula on NumPy arrays.)

# %%
normalize = minitorch.nn.functional._normalization._Normalize
class_and_docstring = inspect.getsource(normalize).split("    node_name")[0]
Code(class_and_docstring + inspect.getsource(normalize.backward), language="python")

# %% [markdown]
# The closed form and autograd through the elementary operations agree (and PyTorch too):

# %%
def batch_norm_input_grad(lib, standardize):
    h = lib.tensor(h0, requires_grad=True)
    out = standardize(lib, h)
    (out * lib.tensor(np.arange(80, dtype=np.float32).reshape(16, 5))).sum().backward()
    return h.grad.numpy()


def elementary(lib, h):
    return (h - h.mean(0)) / (h.var(0, unbiased=False) + 1e-5).sqrt()


def fused_batch_norm(lib, h):
    return lib.nn.functional.batch_norm(h, None, None, training=True)


by_autograd = batch_norm_input_grad(minitorch, elementary)
fused = batch_norm_input_grad(minitorch, fused_batch_norm)
pytorch = batch_norm_input_grad(torch, fused_batch_norm)
print("fused agrees with autograd:", np.allclose(fused, by_autograd, rtol=1e-3, atol=1e-4),
      " fused agrees with PyTorch:", np.allclose(fused, pytorch, rtol=1e-3, atol=1e-4))

# %% [markdown]
# ## Checks
#
# minitorch against PyTorch and the measurements above (none of which needs your code), then
# your exercises once more.

# %%
ln = nn.LayerNorm(5)
np.testing.assert_allclose(library.detach().numpy(), real.detach().numpy(), rtol=1e-4, atol=1e-5)
np.testing.assert_allclose(ours_bn.running_var.numpy(), real_bn.running_var.numpy(), rtol=1e-5)
np.testing.assert_allclose(ln(minitorch.tensor(h0)).detach().numpy(),
                           torch.nn.functional.layer_norm(torch.tensor(h0), (5,)).numpy(),
                           rtol=1e-4, atol=1e-5)
ratio = {name: grads[0] / grads[-1] for name, grads in at_start.items()}
assert ratio["plain sigmoid"] < 1e-2
assert ratio["+ batch norm"] > 10 * ratio["plain sigmoid"]
assert ratio["+ layer norm"] > 10 * ratio["plain sigmoid"]
assert results["plain sigmoid"][1] < 1e-6 < results["+ batch norm"][1]
assert results["+ batch norm"][0] > 0.8 and results["plain sigmoid"][0] < 0.2
assert growth[0.5] < 1e-2 and growth[2.0] > 1e2 and 0.1 < growth[1.0] < 10
np.testing.assert_allclose(fused, by_autograd, rtol=1e-3, atol=1e-4)
np.testing.assert_allclose(fused, pytorch, rtol=1e-3, atol=1e-4)
course.summary(check.batch_norm_train(batch_norm_train),
               check.batch_norm_backward(BatchNormFunction),
               check.layer_norm(layer_norm),
               check.residual_block(ResidualBlock))

# %% [markdown]
# ## Try next
#
# * Replace sigmoid by ReLU with Kaiming initialisation in section 6: how much of the
#   problem remains, and which version trains best now?
# * Put the normalisation *before* the layer (pre-norm, as transformers do) in your
#   `ResidualBlock`, and train residual blocks with layer norm.
# * Use your `BatchNormFunction` in a module of your own (with running statistics from
#   `batch_norm_train`'s update) and train the network with it instead of `nn.BatchNorm1d`.

# %% [markdown]
# **Next:** [10 · Sequences: embeddings, RNNs and LSTMs](10_sequences.ipynb). The whole path is in [the syllabus](README.md).
