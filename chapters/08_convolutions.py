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
# multiply. You build conv2d that way, with stride and padding, then its backward pass
# (*col2im*, the transpose of im2col) inside an autograd `Function`, and max pooling on the
# same two pieces, checking each against PyTorch. Then a small CNN trained on real MNIST
# digits, which your functions run too.
#
# Your pieces are saved into `mytorch/ch08.py` as you run them (see chapter 01).

# %%
# %matplotlib inline
import inspect

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code

import minitorch
import torch
from minitorch import course, nn
from minitorch.course import ch08 as check
from minitorch.datasets import load_mnist_5k
from minitorch.utils.data import DataLoader

course.start("08")
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
# ## 2. Unfolding the windows: im2col
#
# Unfold every k x k window of every channel into a column: the input becomes a matrix of
# shape (N, C·k·k, L), one column per output position. Two more knobs:
#
# * **padding** $p$ adds $p$ rows and columns of zeros around the image (so that a 3x3
#   filter with $p = 1$ keeps the image's size);
# * **stride** $s$ moves the window $s$ pixels at a time (so $s = 2$ halves the size).
#
# The output has $H_{out} = \lfloor (H + 2p - k) / s \rfloor + 1$ rows (and likewise
# $W_{out}$ columns), so $L = H_{out} W_{out}$ (`conv_output_size` below). The layout is PyTorch's `F.unfold`'s: row
# $(c, a, b)$ is channel $c$, kernel offset $(a, b)$, in that order; column $(i, j)$ is the
# window whose top-left corner is at $(i s, j s)$ of the padded image, rows of windows first.
#
# You do not need a loop over the L windows: kernel offset $(a, b)$ sees the same pixel of
# every window, and those pixels form a strided slice of the padded image,
# `padded[:, :, a : a + s*H_out : s, b : b + s*W_out : s]`. So k·k slices fill the matrix.
#
# **Exercise 8.1.** Write `im2col(x, kernel_size, stride, padding)` for NumPy arrays.

# %%
#@save
import numpy as np


def conv_output_size(size, kernel_size, stride=1, padding=0):
    """How many windows fit along a side of `size` pixels (the +1 counts the first one)."""
    return (size + 2 * padding - kernel_size) // stride + 1


def im2col(x, kernel_size, stride=1, padding=0):
    """Every kernel_size x kernel_size window of x (N, C, H, W), after zero padding, as a
    column: an array (N, C * k * k, H_out * W_out) laid out like torch.nn.functional.unfold."""
    n, c, h, w = x.shape
    k = kernel_size
    h_out, w_out = conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding)
    ### BEGIN SOLUTION
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    columns = np.empty((n, c, k, k, h_out, w_out), dtype=x.dtype)
    for a in range(k):
        for b in range(k):
            columns[:, :, a, b] = padded[:, :, a:a + stride * h_out:stride, b:b + stride * w_out:stride]
    return columns.reshape(n, c * k * k, h_out * w_out)
    ### END SOLUTION


# %%
check.im2col(im2col)

# %% [markdown]
# What im2col does, on one 4x4 image numbered 0 to 15 with a 3x3 kernel: four windows, so
# four columns of nine. Neighbouring windows overlap, so most pixels appear in several
# columns (pixel 5 in all four): im2col trades memory for one big matrix product.

# %%
with course.needs("your im2col"):
    image = np.arange(16.0).reshape(1, 1, 4, 4)
    columns = im2col(image, 3)[0]
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.6), width_ratios=[1, 1.1])
    _ = left.imshow(image[0, 0], cmap="Blues", vmin=-4, vmax=20)
    _ = left.add_patch(plt.Rectangle((-0.45, -0.45), 2.9, 2.9, fill=False, color="tab:red", lw=2))
    _ = left.add_patch(plt.Rectangle((0.55, 0.55), 2.9, 2.9, fill=False, color="tab:orange", lw=2,
                                     linestyle="--"))
    _ = left.set_title("image; windows 0 (red) and 3 (orange)")
    _ = right.imshow(columns, cmap="Blues", vmin=-4, vmax=20, aspect="auto")
    _ = right.add_patch(plt.Rectangle((-0.45, -0.45), 0.9, 8.9, fill=False, color="tab:red", lw=2))
    _ = right.add_patch(plt.Rectangle((2.55, -0.45), 0.9, 8.9, fill=False, color="tab:orange", lw=2,
                                      linestyle="--"))
    for axis, values in ((left, image[0, 0]), (right, columns)):
        for (row, col), value in np.ndenumerate(values):
            _ = axis.text(col, row, f"{value:.0f}", ha="center", va="center", fontsize=9)
    _ = right.set_title("im2col: one column per window")
    _ = right.set(xticks=range(4), xlabel="window", yticks=range(9),
                  yticklabels=[f"({a},{b})" for a in range(3) for b in range(3)],
                  ylabel="kernel offset (a, b)")
    _ = left.set(xticks=[], yticks=[])
    fig.tight_layout()
    plt.show()

# %% [markdown]
# ## 3. Convolution as one matrix product
#
# The weights (O, C, k, k) reshape to a matrix (O, C·k·k) whose columns are in the same
# (c, a, b) order as im2col's rows. One product, (O, C·k·k) @ (N, C·k·k, L) → (N, O, L),
# computes every output pixel of every image; a reshape to (N, O, H_out, W_out) and the bias
# (one number per output channel) finish the job.
#
# **Exercise 8.2.** Write `conv2d_forward(x, weight, bias, stride, padding)` with your im2col.

# %%
#@save
def conv2d_forward(x, weight, bias=None, stride=1, padding=0):
    """conv2d on NumPy arrays: x (N, C, H, W), weight (O, C, k, k), bias (O,) or None ->
    (N, O, H_out, W_out), as im2col and one matrix product."""
    n, h, w = x.shape[0], x.shape[2], x.shape[3]
    o, k = weight.shape[0], weight.shape[2]
    h_out, w_out = conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding)
    ### BEGIN SOLUTION
    out = weight.reshape(o, -1) @ im2col(x, k, stride, padding)       # (N, O, L)
    if bias is not None:
        out = out + bias.reshape(1, o, 1)
    return out.reshape(n, o, h_out, w_out)
    ### END SOLUTION


# %%
check.conv2d_forward(conv2d_forward)

# %% [markdown]
# The loops, your im2col version, minitorch and PyTorch on the same batch:

# %%
x0 = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
w0 = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
loops = conv2d_loops(x0, w0)
ours = nn.functional.conv2d(minitorch.tensor(x0), minitorch.tensor(w0)).numpy()
theirs = torch.nn.functional.conv2d(torch.tensor(x0), torch.tensor(w0)).numpy()
with course.needs("your conv2d_forward"):
    print(f"yours     agrees with the loops (to 1e-5): "
          f"{np.allclose(conv2d_forward(x0, w0), loops, rtol=1e-5, atol=1e-5)}")
for name, value in [("minitorch", ours), ("PyTorch", theirs)]:
    print(f"{name:9s} agrees with the loops (to 1e-5): {np.allclose(value, loops, rtol=1e-5, atol=1e-5)}")

# %% [markdown]
# ## 4. The backward pass: col2im
#
# Write the forward pass as $Y = W \cdot \text{cols}(x)$ (per image, $W$ the (O, C·k·k) weight
# matrix). Chapter 03's rules for a matrix product give the gradients:
#
# * $\partial L/\partial W = \sum_n \partial L/\partial Y_n \cdot \text{cols}(x_n)^T$ (summed
#   over the batch, since every image uses the same weights);
# * $\partial L/\partial \text{cols} = W^T \cdot \partial L/\partial Y$, one gradient per entry of
#   the column matrix;
# * $\partial L/\partial b$: the output gradient summed over the batch and all positions.
#
# The last step takes the columns' gradient back to the image. Each pixel was copied into
# several columns (im2col is a fan-out, chapter 01), so its gradient is the **sum** of the
# gradients of all its copies. That sum is *col2im*: walk the same k·k strided slices as
# im2col, and **add** each slice of the columns back onto the (padded) image; then cut the
# padding away (it is not part of the input). col2im is the *adjoint* (the transpose) of
# im2col: for any image $x$ and columns $c$, $\langle \text{im2col}(x), c \rangle = \langle
# x, \text{col2im}(c) \rangle$. PyTorch calls it `F.fold`.
#
# **Exercise 8.3.** Write `col2im(columns, input_shape, kernel_size, stride, padding)`.

# %%
#@save
import numpy as np


def col2im(columns, input_shape, kernel_size, stride=1, padding=0):
    """The adjoint of im2col: columns (N, C * k * k, H_out * W_out) -> an image of
    input_shape (N, C, H, W) in which every entry of the columns is added onto the pixel it
    came from (entries that came from the zero padding are dropped)."""
    n, c, h, w = input_shape
    k = kernel_size
    h_out, w_out = conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding)
    ### BEGIN SOLUTION
    columns = columns.reshape(n, c, k, k, h_out, w_out)
    padded = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=columns.dtype)
    for a in range(k):
        for b in range(k):
            padded[:, :, a:a + stride * h_out:stride, b:b + stride * w_out:stride] += columns[:, :, a, b]
    return padded[:, :, padding:padding + h, padding:padding + w]
    ### END SOLUTION


# %%
check.col2im(col2im)

# %% [markdown]
# Now the three pieces become one differentiable operation. The forward of a `Function`
# (chapter 03) receives tensors; ours computes on their arrays with `conv2d_forward` and
# keeps what backward needs: the columns (so that backward does not unfold again), the
# weights and the geometry. Backward returns one gradient per input of `forward`, `None`
# for stride and padding.
#
# **Exercise 8.4.** Write `Conv2dFunction.backward` with the formulas above and your `col2im`.

# %%
#@save
import numpy as np

import minitorch
from minitorch.autograd import Function


class Conv2dFunction(Function):
    """y = conv2d(x, weight, bias, stride, padding) on your im2col; backward by col2im."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride=1, padding=0):
        x, weight, bias = x.detach().numpy(), weight.detach().numpy(), bias.detach().numpy()
        ctx.columns = im2col(x, weight.shape[2], stride, padding)   # (N, C k k, L)
        ctx.weight, ctx.input_shape, ctx.stride, ctx.padding = weight, x.shape, stride, padding
        return conv2d_forward(x, weight, bias, stride, padding)

    @staticmethod
    def backward(ctx, grad_output):
        """(dL/dx, dL/dweight, dL/dbias, None, None) from dL/dy (N, O, H_out, W_out)."""
        n, o = grad_output.shape[:2]
        grad = grad_output.detach().numpy().reshape(n, o, -1)       # (N, O, L)
        k = ctx.weight.shape[2]
        ### BEGIN SOLUTION
        weight_matrix = ctx.weight.reshape(o, -1)                   # (O, C k k)
        grad_columns = weight_matrix.T @ grad                       # (N, C k k, L)
        grad_x = col2im(grad_columns, ctx.input_shape, k, ctx.stride, ctx.padding)
        grad_weight = (grad @ ctx.columns.transpose(0, 2, 1)).sum(0).reshape(ctx.weight.shape)
        grad_bias = grad.sum(axis=(0, 2))
        ### END SOLUTION
        return (minitorch.from_numpy(np.ascontiguousarray(grad_x)),
                minitorch.from_numpy(grad_weight), minitorch.from_numpy(grad_bias), None, None)


# %%
check.conv2d_function(Conv2dFunction)

# %% [markdown]
# minitorch's `conv2d` is a `Function` too, named `ConvolutionBackward0` as in PyTorch. Its
# forward is im2col and one matrix product; its backward computes the input's gradient as a
# *transposed convolution* (the weight matrix transposed, then col2im) and the weights'
# gradient as another matrix product with the same columns. Each of those is a `Function`
# itself, so a convolution can be differentiated twice (chapter 04). Its im2col orders the
# rows (kernel offset, channel) rather than (channel, kernel offset): any order works, as
# long as the weight matrix's columns use the same one.

# %%
conv = minitorch.nn.functional._conv
Code("\n".join(inspect.getsource(piece) for piece in
               (conv.Convolution, conv.conv_forward, conv.conv_input_grad, conv.conv_weight_grad)),
     language="python")

# %% [markdown]
# ## 5. Pooling
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
# The reshape trick needs windows that do not overlap. im2col takes any kernel size and
# stride: unfold each channel on its own (reshape the input to (N·C, 1, H, W)), and each
# column is one window, so the maximum of each column is the pooled value. Backward is
# chapter 01's rule for `max`: the gradient of each output goes to the position that won,
# the *argmax* of its column; the other entries of the column get zero. Then col2im takes the
# columns back to the image, and where windows overlap, a pixel that won in two windows
# receives the sum of both gradients.
#
# **Exercise 8.5.** Write the key lines of `MaxPool2dFunction`: in `forward`, the argmax of
# each column (kept on `ctx` for backward) and the maxima; in `backward`, the columns'
# gradient (`np.put_along_axis` puts values at given positions along an axis) and col2im.

# %%
#@save
import numpy as np

import minitorch
from minitorch.autograd import Function


class MaxPool2dFunction(Function):
    """max_pool2d(x, kernel_size, stride) without padding, on your im2col; backward by col2im."""

    @staticmethod
    def forward(ctx, x, kernel_size, stride):
        x = x.detach().numpy()
        n, c, h, w = x.shape
        k = kernel_size
        columns = im2col(x.reshape(n * c, 1, h, w), k, stride)      # (N C, k k, L): one channel each
        ctx.input_shape, ctx.kernel_size, ctx.stride = x.shape, k, stride
        h_out, w_out = conv_output_size(h, k, stride), conv_output_size(w, k, stride)
        ### BEGIN SOLUTION
        ctx.argmax = columns.argmax(axis=1)                          # (N C, L)
        maxima = np.take_along_axis(columns, ctx.argmax[:, None], axis=1)
        ### END SOLUTION
        return maxima.reshape(n, c, h_out, w_out)

    @staticmethod
    def backward(ctx, grad_output):
        """(dL/dx, None, None): each output's gradient goes to its window's argmax."""
        n, c, h, w = ctx.input_shape
        k = ctx.kernel_size
        grad = grad_output.detach().numpy().reshape(n * c, 1, -1)   # (N C, 1, L)
        ### BEGIN SOLUTION
        grad_columns = np.zeros((n * c, k * k, grad.shape[2]), dtype=grad.dtype)
        np.put_along_axis(grad_columns, ctx.argmax[:, None], grad, axis=1)
        grad_x = col2im(grad_columns, (n * c, 1, h, w), k, ctx.stride)
        ### END SOLUTION
        return minitorch.from_numpy(np.ascontiguousarray(grad_x).reshape(n, c, h, w)), None, None


# %%
check.max_pool2d_function(MaxPool2dFunction)

# %% [markdown]
# Your pooling on the same image, with 2x2 windows at stride 1: they overlap, and the 4 on
# the left and the 5 on the right each win two windows, so their gradient is 2.

# %%
with course.needs("your MaxPool2dFunction"):
    overlapping = minitorch.tensor(image.detach().numpy(), requires_grad=True)
    your_pooled = MaxPool2dFunction.apply(overlapping, 2, 1)
    your_pooled.sum().backward()
    print(your_pooled)
    print(overlapping.grad)

# %% [markdown]
# ## 6. A CNN on real MNIST
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
        test_scores = cnn(x_test)
        test_accuracy = (test_scores.argmax(1) == y_test).float().mean().item()
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}, test accuracy {test_accuracy:.3f}")

# %% [markdown]
# Your functions run the trained network too: the same layers, with each `nn.Conv2d` and
# `nn.MaxPool2d` replaced by your function (on the layer's own weights), give the same scores.

# %%
def cnn_with_your_functions(x):
    for layer in cnn:
        if isinstance(layer, nn.Conv2d):
            x = Conv2dFunction.apply(x, layer.weight, layer.bias)
        elif isinstance(layer, nn.MaxPool2d):
            x = MaxPool2dFunction.apply(x, layer.kernel_size, layer.stride)
        else:
            x = layer(x)
    return x


with course.needs("your Conv2dFunction and MaxPool2dFunction"), minitorch.no_grad():
    your_scores = cnn_with_your_functions(x_test)
    your_accuracy = (your_scores.argmax(1) == y_test).float().mean().item()
    same_scores = (your_scores - test_scores).abs().max().item() < 1e-4
    print(f"test accuracy with your functions {your_accuracy:.3f}; "
          f"scores equal to minitorch's layers' (to 1e-4): {same_scores}")

# %% [markdown]
# ## 7. Taking the network out of Python: ONNX
#
# A trained network is a graph of operations and a set of weights. ONNX (the Open Neural
# Network Exchange) is a file format for exactly that, which onnxruntime, phones, browsers
# and Netron read without Python, PyTorch or minitorch. `minitorch.onnx.export` works like
# `torch.onnx.export`: it runs the model once on an example input while a *tracer* notes
# every operation (each `Function.apply` call, the same calls that build the autograd graph),
# turns each into an ONNX node, and stores the weights as *initializers* named as in
# `state_dict()`. `dynamic_axes` says which sizes may change: here the batch.

# %%
import io

import onnx
import onnxruntime

buffer = io.BytesIO()
exported = minitorch.onnx.export(cnn, (x_test[:1],), buffer, input_names=["image"],
                                 output_names=["scores"],
                                 dynamic_axes={"image": {0: "batch"}, "scores": {0: "batch"}})
onnx.checker.check_model(exported)
print(f"{len(buffer.getvalue()) / 1024:.1f} KiB, opset {exported.opset_import[0].version}")

# %% [markdown]
# The graph, listed as Netron would draw it: one line per node, its operation and the values
# it reads and writes. `F.linear` is a single `Gemm` node (matrix product plus bias, reading
# the weight as stored, transposed on the fly), `nn.Flatten` a `Flatten`: the same nodes
# `torch.onnx.export` writes for this network.

# %%
def list_graph(model: onnx.ModelProto) -> None:
    """Inputs, initializers (with their shapes) and nodes of an ONNX graph, as text."""
    graph = model.graph
    for value in graph.input:
        dims = [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
        print(f"input        {value.name} {dims}")
    for weight in graph.initializer:
        print(f"initializer  {weight.name} {list(weight.dims)}")
    for node in graph.node:
        print(f"{node.op_type:<12} {', '.join(node.input)} -> {', '.join(node.output)}")


list_graph(exported)

# %% [markdown]
# onnxruntime runs the file with its own kernels. With the batch axis dynamic it takes the
# whole test set at once, although the export saw one image, and gives minitorch's scores.

# %%
session = onnxruntime.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
(onnx_scores,) = session.run(None, {"image": x_test.numpy()})
print(f"onnxruntime scores for {onnx_scores.shape[0]} images equal minitorch's (to 1e-4): "
      f"{np.allclose(onnx_scores, test_scores.numpy(), atol=1e-4)}")
print(f"same predictions: {bool((onnx_scores.argmax(1) == test_scores.argmax(1).numpy()).all())}")


# %% [markdown]
# ## 8. What the network learned
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
#
# Your exercises, once more; then minitorch against the loops and PyTorch, independently of
# your code.

# %%
np.testing.assert_allclose(ours, loops, rtol=1e-4, atol=1e-4)
np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
np.testing.assert_array_equal(pool_scratch, pool_ours)
np.testing.assert_array_equal(pool_ours, pool_theirs)
expected_grad = np.array([[0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 0, 0], [1, 0, 0, 1]], dtype=np.float32)
np.testing.assert_array_equal(image.grad.numpy()[0, 0], expected_grad)
assert test_accuracy > 0.9
x = minitorch.tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
w = minitorch.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
assert minitorch.autograd.gradcheck(lambda x, w: nn.functional.conv2d(x, w, stride=2, padding=1), (x, w))
course.summary(check.im2col(im2col), check.conv2d_forward(conv2d_forward), check.col2im(col2im),
               check.conv2d_function(Conv2dFunction), check.max_pool2d_function(MaxPool2dFunction))

# %% [markdown]
# ## Try next
#
# * Add padding to `MaxPool2dFunction` (PyTorch pads max pooling with $-\infty$, not zeros: why?).
# * Time `conv2d_loops` against `conv2d_forward` on a 64x3x32x32 batch.
# * Replace max pooling by `stride=2` convolutions: does accuracy change?

# %% [markdown]
# **Next:** [09 · Deep networks: vanishing gradients, normalisation, residual connections](09_deep_networks.ipynb). The whole path is in [the syllabus](README.md).
