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
# # 08 · Convolutions
#
# A convolution slides a small filter over an image and takes a dot product at every
# position. Written as loops it is slow in Python; written as *im2col* (unfold every
# window into a column, then one matrix product) it runs at the speed of the BLAS matrix
# multiply. We build conv2d both ways, check them against minitorch and PyTorch, add max
# pooling, and train a small CNN on real MNIST digits.

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np

import minitorch
import torch
from minitorch import nn
from minitorch.datasets import load_mnist_5k
from minitorch.utils.data import DataLoader

rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Convolution as loops
#
# For input $x$ of shape (N, C, H, W) and weights $w$ of shape (O, C, k, k), output pixel
# $(n, o, i, j)$ is $\sum_{c, a, b} x_{n, c, i+a, j+b}\, w_{o, c, a, b}$ (no padding,
# stride 1; deep learning's "convolution" is really a cross-correlation).

# %%
def conv2d_loops(x, w):
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    out = np.zeros((n, o, h - k + 1, wd - k + 1), dtype=x.dtype)
    for i in range(h - k + 1):
        for j in range(wd - k + 1):
            window = x[:, :, i:i + k, j:j + k]                    # (N, C, k, k)
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    return out


# %% [markdown]
# ## 2. Convolution as one matrix product (im2col)
#
# Unfold every k x k window of every channel into a column: the input becomes a matrix of
# shape (N, C·k·k, L) with L output positions. The weights are a (O, C·k·k) matrix, and
# the whole convolution is one matrix product. NumPy's `sliding_window_view` builds the
# windows as a *view* (no copy) by playing with strides, as in chapter 02.

# %%
def im2col(x, k):
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))  # N,C,H',W',k,k
    n, c, h_out, w_out = windows.shape[:4]
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * k * k, h_out * w_out), (h_out, w_out)


def conv2d_im2col(x, w):
    o, c, k, _ = w.shape
    columns, (h_out, w_out) = im2col(x, k)
    out = w.reshape(o, c * k * k) @ columns                     # (N, O, L)
    return out.reshape(x.shape[0], o, h_out, w_out)


x0 = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
w0 = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
loops, im2col_out = conv2d_loops(x0, w0), conv2d_im2col(x0, w0)
ours = nn.functional.conv2d(minitorch.tensor(x0), minitorch.tensor(w0)).numpy()
theirs = torch.nn.functional.conv2d(torch.tensor(x0), torch.tensor(w0)).numpy()
for name, value in [("im2col", im2col_out), ("minitorch", ours), ("PyTorch", theirs)]:
    print(f"{name:9s} agrees with the loops (to 1e-5): {np.allclose(value, loops, rtol=1e-5, atol=1e-5)}")

# %% [markdown]
# The backward pass of im2col is its transpose, *col2im*: each column's gradient is added
# back to the window it came from, and windows overlap, so contributions accumulate.
#
# minitorch's `conv2d` is a `Function` named `ConvolutionBackward0`, as in PyTorch. Its
# forward is im2col and one matrix product; its backward gives the input's gradient as a
# *transposed* convolution (the weight matrix transposed, then col2im) and the weights'
# gradient as another matrix product with the same columns. Both are Functions themselves,
# so a convolution can be differentiated twice (chapter 04).

# %%
conv = minitorch.nn.functional._conv
print(inspect.getsource(conv.Convolution))
for helper in (conv.conv_forward, conv.conv_input_grad, conv.conv_weight_grad):
    print(inspect.getsource(helper))

# %% [markdown]
# ## 3. Pooling
#
# Max pooling keeps the largest value of each window; its gradient goes only to that
# position (the *argmax*). For non-overlapping k x k windows it is one reshape (a view, as
# in chapter 02: each window gets its own two axes) and a max over those axes:

# %%
def max_pool2d_scratch(x, k):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // k, k, w // k, k).max(axis=(3, 5))


pool_scratch = max_pool2d_scratch(x0, 2)
pool_ours = nn.functional.max_pool2d(minitorch.tensor(x0), 2).numpy()
pool_theirs = torch.nn.functional.max_pool2d(torch.tensor(x0), 2).numpy()
print("pooling agrees: scratch with minitorch", np.array_equal(pool_scratch, pool_ours),
      " minitorch with PyTorch", np.array_equal(pool_ours, pool_theirs))

# %% [markdown]
# The gradient, on a small image: each 2x2 window's maximum receives the output's gradient
# (here 1), the other positions receive nothing.

# %%
image = minitorch.tensor([[[[1.0, 3.0, 2.0, 0.0],
                            [4.0, 2.0, 1.0, 5.0],
                            [0.0, 1.0, 2.0, 2.0],
                            [3.0, 0.0, 1.0, 4.0]]]], requires_grad=True)
pooled = nn.functional.max_pool2d(image, 2)
pooled.sum().backward()
print(pooled)
print(image.grad)

# %% [markdown]
# ## 4. A CNN on real MNIST
#
# Two convolution blocks and a linear classifier, trained for two epochs on 4,000
# MNIST images and tested on the 1,000 held out.

# %%
train_set, test_set = load_mnist_5k("train"), load_mnist_5k("test")
minitorch.manual_seed(0)
cnn = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(16 * 5 * 5, 10))
optimizer = minitorch.optim.Adam(cnn.parameters(), lr=3e-3)
loader = DataLoader(train_set, 64, shuffle=True, generator=minitorch.Generator().manual_seed(0))
for epoch in range(2):
    for x, y in loader:
        loss = nn.functional.cross_entropy(cnn(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with minitorch.no_grad():
        x_test, y_test = test_set[:]
        test_accuracy = (cnn(x_test).argmax(1) == y_test).float().mean().item()
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}, test accuracy {test_accuracy:.3f}")

# %% [markdown]
# ## 5. What the network learned
#
# The eight filters of the first layer (red: positive weights, blue: negative) and the
# eight feature maps they produce for one test digit. Several respond to edges of one
# orientation, others to the stroke itself or to the background around it.

# %%
filters = cnn[0].weight.detach().numpy()[:, 0]
limit = np.abs(filters).max()               # one colour scale for all filters, white = 0
digit, label = test_set[250]                # the test set is sorted by label: this is a 2
with minitorch.no_grad():
    maps = nn.functional.relu(cnn[0](digit[None])).numpy()[0]
figure, axes = plt.subplots(2, 8, figsize=(10, 2.8))
for k in range(8):
    axes[0, k].imshow(filters[k], cmap="RdBu_r", vmin=-limit, vmax=limit)
    axes[1, k].imshow(maps[k], cmap="gray")
for axis in axes.ravel():
    axis.set_xticks([])
    axis.set_yticks([])
axes[0, 0].set_ylabel("filter")
axes[1, 0].set_ylabel(f"maps of a {label.item()}")
figure.tight_layout()

# %% [markdown]
# ## Checks

# %%
np.testing.assert_allclose(im2col_out, loops, rtol=1e-4, atol=1e-4)
np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
np.testing.assert_array_equal(pool_scratch, pool_ours)
np.testing.assert_array_equal(pool_ours, pool_theirs)
expected_grad = np.array([[0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 0, 0], [1, 0, 0, 1]], dtype=np.float32)
np.testing.assert_array_equal(image.grad.numpy()[0, 0], expected_grad)
assert test_accuracy > 0.9
x = minitorch.tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
w = minitorch.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
assert minitorch.autograd.gradcheck(nn.functional.conv2d, (x, w))
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Add padding and stride to `conv2d_im2col` and compare with `F.conv2d(padding=1, stride=2)`.
# * Time `conv2d_loops` against `conv2d_im2col` on a 64x3x32x32 batch.
# * Replace max pooling by `stride=2` convolutions: does accuracy change?
