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
# # 02 · Tensors: storage, shape, strides, views
#
# A tensor is a block of memory plus a rule for finding element $(i, j, k, \ldots)$ in it.
# The rule is the *strides*: how many elements to skip in memory to move one step along
# each dimension. Views (transpose, slicing, reshape, expand) change the rule, not the
# memory, which is why they are free, and why they can surprise you.
#
# In this chapter you build a strided view over a flat list by hand: its strides, its
# indexing, permutes, broadcasting with stride 0, and the three loops every tensor library
# is made of (map, zip, reduce). Then we meet the same ideas in minitorch (which stores
# data in NumPy arrays) and check them against PyTorch, and end with dtype promotion.
#
# As in chapter 01, cells with `# YOUR CODE HERE` are yours (this page shows the solutions),
# a check cell follows each exercise, and the `#@save` cells become your `mytorch/ch02.py`.

# %%
import inspect
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code

import minitorch
import torch
from minitorch import course
from minitorch.course import ch02 as check

course.start("02")

# %% [markdown]
# ## 1. A strided view, by hand
#
# Six numbers in a flat list can be read as a 2x3 matrix: element $(i, j)$ lives at
# position $i \cdot 3 + j$, so the strides are $(3, 1)$: one step down a column skips a
# whole row of 3, one step along a row skips 1. In general, for a *contiguous* (row-major,
# no gaps) layout, the last dimension has stride 1 and each stride is the next one times
# the next dimension's size: shape $(2, 3, 4)$ has strides $(12, 4, 1)$.
#
# **Exercise 2.1.** Write `contiguous_strides(shape)`, the strides of a row-major layout of
# `shape`, as a tuple.

# %%
#@save
def contiguous_strides(shape):
    """The strides (in elements) of a row-major layout of `shape`: the last dimension has
    stride 1, each earlier one the next stride times the next size."""
    ### BEGIN SOLUTION
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))
    ### END SOLUTION


# %%
check.contiguous_strides(contiguous_strides)

# %% [markdown]
# A view is a storage (here a plain Python list), a shape, strides and an *offset*, the
# position of element $(0, 0, \ldots)$. Element `index` lives at
# $\text{offset} + \sum_d \text{index}_d \cdot \text{stride}_d$.
#
# Reordering the dimensions (a *permute*; a transpose is the 2-D case) moves no data: the
# result's dimension $k$ is the input's dimension `dims[k]`, with its size and its stride.
# Reading the list `[0, 1, 2, 3, 4, 5]` with shape $(2, 3)$ and strides $(3, 1)$ gives a
# matrix; with shape $(3, 2)$ and strides $(1, 3)$ it gives the transpose.
#
# **Exercise 2.2.** Fill in `StridedView.position` (where an element lives in the storage) and
# `StridedView.permute` (a view with reordered dimensions). The rest of the class is given:
# it reads elements through `position`.

# %%
#@save
import itertools


class StridedView:
    """Read a flat storage as an n-dimensional array through (shape, strides, offset)."""

    def __init__(self, storage, shape, strides=None, offset=0):
        self.storage, self.shape, self.offset = storage, tuple(shape), offset
        self.strides = tuple(strides) if strides is not None else contiguous_strides(shape)

    def position(self, index):
        """Where element `index` (a tuple, one entry per dimension) sits in the storage."""
        ### BEGIN SOLUTION
        return self.offset + sum(i * s for i, s in zip(index, self.strides))
        ### END SOLUTION

    def permute(self, *dims):
        """The same storage with reordered dimensions: the result's dimension k is dims[k]."""
        ### BEGIN SOLUTION
        return StridedView(self.storage, [self.shape[d] for d in dims],
                           [self.strides[d] for d in dims], self.offset)
        ### END SOLUTION

    def __getitem__(self, index):
        return self.storage[self.position(index)]

    def transpose(self):
        return self.permute(1, 0)

    def row(self, i):
        """Select one row: a view with one dimension fewer and a moved offset."""
        return StridedView(self.storage, self.shape[1:], self.strides[1:],
                           self.offset + i * self.strides[0])

    def indices(self):
        """Every index of the view, in row-major order: (0, 0), (0, 1), ..."""
        return itertools.product(*(range(size) for size in self.shape))

    def tolist(self):
        """The elements as nested lists (a number for a 0-d view)."""
        if not self.shape:
            return self[()]
        return [self.row(i).tolist() for i in range(self.shape[0])]

    def is_contiguous(self):
        """Row-major without gaps (size-1 dimensions' strides do not matter, as in PyTorch)."""
        expected = 1
        for size, stride in zip(reversed(self.shape), reversed(self.strides)):
            if size != 1 and stride != expected:
                return False
            expected *= size
        return True


# %%
check.strided_view(StridedView)

# %% [markdown]
# The views share the list: change one number and every view sees it.

# %%
buffer = [0, 1, 2, 3, 4, 5]
with course.needs("your StridedView"):
    m = StridedView(buffer, (2, 3))
    print("matrix   ", m.tolist(), "strides", m.strides, "contiguous:", m.is_contiguous())
    print("transpose", m.transpose().tolist(), "strides", m.transpose().strides,
          "contiguous:", m.transpose().is_contiguous())
    print("row 1    ", m.row(1).tolist(), "offset", m.row(1).offset)
    buffer[4] = 40
    print("after buffer[4] = 40:", m.tolist(), m.transpose().tolist())
    buffer[4] = 4

# %% [markdown]
# The picture: each cell of the matrix (top) and of its transpose (bottom) shows the storage
# position it reads, in that cell's colour. The transpose reads the same six cells in a
# different order; the arrows follow one element through its strides.

# %%
def draw_view(ax, shape, strides, top, colors, title, follow):
    """A 2-D view's cells at height `top`, each showing the storage position it reads; an
    arrow from element `follow` to its storage cell."""
    rows, cols = shape
    left = (6 - cols) / 2
    for i in range(rows):
        for j in range(cols):
            position = i * strides[0] + j * strides[1]
            x, y = left + j, top - i
            ax.add_patch(plt.Rectangle((x, y), 0.9, 0.9, color=colors[position]))
            ax.text(x + 0.45, y + 0.45, f"({i},{j})\n→ {position}", ha="center", va="center",
                    fontsize=8)
            if (i, j) == follow:
                start = (x + 0.45, y) if top > 0 else (x + 0.9, y + 0.45)
                end = (position + 0.45, 0.9 if top > 0 else 0.0)
                ax.annotate("", xy=end, xytext=start,
                            arrowprops=dict(arrowstyle="->", color="0.2", lw=1.2))
                ax.text((start[0] + end[0]) / 2 + 0.15, (start[1] + end[1]) / 2,
                        f"{i}·{strides[0]} + {j}·{strides[1]} = {position}", fontsize=8)
    ax.text(-0.5, top - (rows - 1) / 2 + 0.45, title, ha="right", va="center", fontsize=9)


colors = plt.cm.Pastel1(np.arange(6) / 6)
fig, ax = plt.subplots(figsize=(8, 5.5))
for position in range(6):
    ax.add_patch(plt.Rectangle((position, 0), 0.9, 0.9, color=colors[position]))
    ax.text(position + 0.45, 0.45, str(position), ha="center", va="center", fontsize=11)
ax.text(-0.5, 0.45, "storage", ha="right", va="center", fontsize=9)
draw_view(ax, (2, 3), (3, 1), top=2.6, colors=colors, follow=(1, 2),
          title="matrix: shape (2, 3)\nstrides (3, 1)")
draw_view(ax, (3, 2), (1, 3), top=-1.6, colors=colors, follow=(2, 1),
          title="transpose: shape (3, 2)\nstrides (1, 3)")
ax.set_xlim(-4, 7.5)
ax.set_ylim(-3.8, 3.7)
ax.set_aspect("equal")
ax.axis("off")
plt.show()

# %% [markdown]
# ## 2. The same in minitorch and PyTorch
#
# minitorch reports strides in elements, as PyTorch does (NumPy reports bytes).
# `view` needs a layout that allows it; `reshape` copies when it must.

# %%
for lib in (minitorch, torch):
    a = lib.arange(6).reshape(2, 3)
    t = a.t()
    print(f"{lib.__name__:9s} a.stride()={a.stride()}  a.t().stride()={t.stride()}  "
          f"contiguous: {a.is_contiguous()} / {t.is_contiguous()}")

# %%
a = minitorch.arange(6).reshape(2, 3)
row = a[1]           # a view: writing through it changes `a`
row[0] = 30
print(a)
try:
    a.t().view(6)    # the transpose cannot be flattened without copying
except RuntimeError as err:
    print("RuntimeError:", str(err)[:60], "...")
print(a.t().reshape(6))  # reshape copies when a view is impossible

# %% [markdown]
# When *can* `view` flatten? It merges neighbouring dimensions $d, d+1$ into one when
# stepping off the end of dimension $d+1$ lands exactly on the next element of dimension
# $d$: $\text{stride}_d = \text{stride}_{d+1} \cdot \text{size}_{d+1}$. A contiguous tensor
# satisfies that everywhere, but so does a tensor that is *not* contiguous because its last
# stride is not 1: every second column of a $3 \times 4$ matrix has strides $(4, 2)$, and
# $4 = 2 \cdot 2$, so `view(-1)` gives a 1-D view with stride 2, no copy.
#
# A permutation alone cannot do this: permuting a contiguous tensor either moves only
# size-1 dimensions (and the result counts as contiguous) or breaks the rule above.

# %%
for lib in (minitorch, torch):
    every_second = lib.arange(12).reshape(3, 4)[:, ::2]
    flat = every_second.view(-1)
    print(f"{lib.__name__:9s} strides {every_second.stride()}, contiguous: "
          f"{every_second.is_contiguous()}; view(-1): {flat.tolist()} with stride {flat.stride()}")

# %% [markdown]
# Views share memory *and* a version counter: autograd uses it to notice when a tensor
# it saved for backward was modified in place (chapter 03).

# %%
base = minitorch.zeros(3)
view = base[1:]
view.add_(1)
print(base, "version of base:", base._version)

# %% [markdown]
# ## 3. Broadcasting
#
# Two shapes are compatible when, aligned from the right, each pair of sizes is equal or
# one of them is 1; missing leading dimensions count as 1. The result takes, in each
# position, the size that is not 1 (a size 1 against a size 0 gives 0: broadcasting never
# invents elements). PyTorch raises a `RuntimeError` for incompatible shapes.
#
# **Exercise 2.3.** Write `broadcast_shape(a, b)`, the shape (a tuple) of the result of an
# operation between tensors of shapes `a` and `b`; raise `RuntimeError` when they are not
# broadcastable.

# %%
#@save
def broadcast_shape(a, b):
    """The shape of broadcasting shapes a and b (PyTorch's and NumPy's rule); RuntimeError
    when they are incompatible."""
    ### BEGIN SOLUTION
    result = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"shapes {tuple(a)} and {tuple(b)} are not broadcastable: "
                               f"size {x} vs {y} at dimension -{i}")
        result.append(y if x == 1 else x)
    return tuple(reversed(result))
    ### END SOLUTION


# %%
check.broadcast_shape(broadcast_shape)

# %%
with course.needs("your broadcast_shape"):
    for a_shape, b_shape in [((3, 1), (4,)), ((2, 1, 5), (3, 1)), ((4, 3), (3,))]:
        ours = broadcast_shape(a_shape, b_shape)
        mt = tuple((minitorch.zeros(*a_shape) + minitorch.zeros(*b_shape)).shape)
        th = tuple((torch.zeros(*a_shape) + torch.zeros(*b_shape)).shape)
        print(f"{str(a_shape):10s} + {str(b_shape):7s} -> {ours}   minitorch {mt}   PyTorch {th}")
    try:
        broadcast_shape((3, 2), (4,))
    except RuntimeError as err:
        print("RuntimeError:", err)

# %% [markdown]
# The operation itself copies nothing: each operand is *expanded* to the result's shape by a
# view in which a broadcast dimension has stride 0, so every step along it reads the same
# element again. Leading dimensions that the operand lacks are new dimensions of stride 0.
#
# **Exercise 2.4.** Write `expand(view, shape)`: a `StridedView` of `shape` over the same
# storage and offset, reading `view` broadcast to `shape` (assume `shape` is a valid target).

# %%
#@save
def expand(view, shape):
    """`view` broadcast to `shape`: stride 0 for dimensions that are new or of size 1 in
    `view` and larger in `shape`; the same storage and offset."""
    ### BEGIN SOLUTION
    lead = len(shape) - len(view.shape)
    strides = [0] * lead
    for size, old_size, old_stride in zip(shape[lead:], view.shape, view.strides):
        strides.append(old_stride if size == old_size else 0)
    return StridedView(view.storage, shape, strides, view.offset)
    ### END SOLUTION


# %%
check.expand(expand, StridedView)

# %%
with course.needs("your expand"):
    column = StridedView([10, 20, 30], (3, 1))
    wide = expand(column, (2, 3, 4))
    print("strides", wide.strides, "shape", wide.shape)
    print(wide.tolist()[0])
print("minitorch:", minitorch.tensor([[10], [20], [30]]).expand(2, 3, 4).stride(),
      " PyTorch:", torch.tensor([[10], [20], [30]]).expand(2, 3, 4).stride())

# %% [markdown]
# Broadcasting a column $(3, 1)$ against a row $(4,)$: both are expanded to $(3, 4)$. The
# solid cells are the ones in memory; the faded ones are the same cells read again through
# a stride of 0.

# %%
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
column_values, row_values = np.array([1, 2, 3]), np.array([10, 20, 30, 40])
panels = [("column (3, 1) expanded\nstrides (1, 0)", np.repeat(column_values[:, None], 4, 1),
           lambda i, j: j == 0),
          ("row (4,) expanded\nstrides (0, 1)", np.repeat(row_values[None, :], 3, 0),
           lambda i, j: i == 0),
          ("sum (3, 4)\na new contiguous tensor", column_values[:, None] + row_values[None, :],
           lambda i, j: True)]
for ax, (title, values, in_memory) in zip(axes, panels):
    for i in range(3):
        for j in range(4):
            ax.add_patch(plt.Rectangle((j, 2 - i), 0.9, 0.9, color="tab:blue",
                                       alpha=0.6 if in_memory(i, j) else 0.15))
            ax.text(j + 0.45, 2 - i + 0.45, str(values[i, j]), ha="center", va="center")
    ax.set_title(title, fontsize=9)
    ax.set_xlim(-0.1, 4)
    ax.set_ylim(-0.1, 3)
    ax.set_aspect("equal")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 4. Map, zip, reduce: the loops under every operation
#
# With views in hand, three loops compute every elementwise operation and every reduction
# (this is MiniTorch's `tensor_map`, `tensor_zip` and `tensor_reduce`). Each walks the
# *indices* of the result and reads the inputs through their strides, so it works the same
# on contiguous, permuted, sliced and broadcast (stride 0) inputs, and writes a new
# contiguous result. Map is given:

# %%
#@save
def map_view(fn, a):
    """fn applied to every element of view a: a new contiguous view of a's shape."""
    return StridedView([fn(a[index]) for index in a.indices()], a.shape)


# %% [markdown]
# **Exercise 2.5.** Write `zip_views(fn, a, b)`: `fn(x, y)` for each pair of elements of `a`
# and `b` broadcast together (use your `broadcast_shape` and `expand`), as a new contiguous
# view. Walk the result's indices; never read `storage` in memory order, which is a different
# order as soon as a view is permuted.

# %%
#@save
def zip_views(fn, a, b):
    """fn(x, y) for the elements of a and b broadcast to a common shape: a new contiguous view."""
    ### BEGIN SOLUTION
    shape = broadcast_shape(a.shape, b.shape)
    a, b = expand(a, shape), expand(b, shape)
    return StridedView([fn(a[index], b[index]) for index in a.indices()], shape)
    ### END SOLUTION


# %%
check.zip_views(zip_views, StridedView)

# %% [markdown]
# A reduction folds one dimension away: `fn(...fn(fn(start, x0), x1)..., xn)` along
# dimension `dim`, for every index of the other dimensions. A sum starts from 0, a product
# from 1, a maximum from $-\infty$.
#
# **Exercise 2.6.** Write `reduce_view(fn, a, dim, start)`. The result drops dimension `dim`,
# as `torch.sum(a, dim)` does.

# %%
#@save
import itertools


def reduce_view(fn, a, dim, start):
    """Fold fn over dimension dim of view a, from start; a new contiguous view without dim."""
    shape = a.shape[:dim] + a.shape[dim + 1:]
    ### BEGIN SOLUTION
    out = []
    for index in itertools.product(*(range(size) for size in shape)):
        total = start
        for k in range(a.shape[dim]):
            total = fn(total, a[index[:dim] + (k,) + index[dim:]])
        out.append(total)
    return StridedView(out, shape)
    ### END SOLUTION


# %%
check.reduce_view(reduce_view, StridedView)

# %% [markdown]
# Zip and reduce together make a matrix product, with no loop of its own: view $A$ $(2, 3)$
# as $(2, 3, 1)$ (a new size-1 dimension, any stride), broadcast it against $B$ $(3, 4)$, so
# that element $(i, k, j)$ of the product is $A_{ik} B_{kj}$, and sum over $k$. Here $B$ is
# itself a transposed, non-contiguous view.

# %%
import operator

A_values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
B_values = [float(v) for v in range(12)]
with course.needs("each of your zip_views and reduce_view"):
    A = StridedView(A_values, (2, 3, 1), (3, 1, 0))
    B = StridedView(B_values, (4, 3)).transpose()
    products = zip_views(operator.mul, A, B)
    print("products: shape", products.shape)
    ours = reduce_view(operator.add, products, 1, 0.0)
    print("yours    ", ours.tolist())
print("minitorch", (minitorch.tensor(A_values).reshape(2, 3) @
                    minitorch.tensor(B_values).reshape(4, 3).t()).tolist())
print("PyTorch  ", (torch.tensor(A_values).reshape(2, 3) @
                    torch.tensor(B_values).reshape(4, 3).t()).tolist())

# %% [markdown]
# That is how a library can be built from three loops, and it is correct; it is also slow
# (the $(2, 3, 4)$ intermediate grows as $n^3$), which is why real libraries, minitorch
# included, hand matrix products to a dedicated kernel (BLAS, through NumPy).
#
# ## 5. Dtypes and promotion
#
# Python floats become `float32` (the default dtype), Python ints `int64`. When dtypes
# meet in an operation, PyTorch promotes by *category* (bool < integer < floating), and a
# Python number or 0-d tensor only matters when its category is higher. NumPy's rules
# differ (an int64 array times 2.5 gives float64 there), so minitorch computes the result
# dtype itself.

# %%
cases = [
    ("int64 tensor * 2.5", lambda lib: lib.tensor([1, 2]) * 2.5),
    ("float32 tensor * 2.5", lambda lib: lib.tensor([1.0, 2.0]) * 2.5),
    ("int32 + int64", lambda lib: lib.tensor([1], dtype=lib.int32) + lib.tensor([1])),
    ("float16 + float32 0-d", lambda lib: lib.tensor([1.0], dtype=lib.float16) + lib.tensor(1.0)),
    ("uint8 + int8", lambda lib: lib.tensor([1], dtype=lib.uint8) + lib.tensor([1], dtype=lib.int8)),
    ("int / int", lambda lib: lib.tensor([3]) / lib.tensor([2])),
    ("bool & bool", lambda lib: lib.tensor([True]) & lib.tensor([False])),
]
for text, make in cases:
    mt, th = make(minitorch), make(torch)
    print(f"{text:22s} minitorch {str(mt.dtype):18s} PyTorch {th.dtype}")
    assert str(mt.dtype).split(".")[1] == str(th.dtype).split(".")[1]

# %% [markdown]
# The rule keeps a tensor's dtype when a Python number of the same category joins it, even
# when the number does not fit: `uint8 + 300` stays `uint8` in PyTorch, and 300 wraps
# around modulo 256, so $1 + 300$ gives 45. minitorch **deviates** here: NumPy 2 refuses to
# turn 300 into a `uint8` and minitorch passes on its `OverflowError`. (Wrapping is rarely
# what anyone wants; the lesson is that the dtype, not the value, decides.)

# %%
for lib in (minitorch, torch):
    small = lib.tensor([1, 2], dtype=lib.uint8)
    try:
        result = small + 300
        print(f"{lib.__name__:9s} {result.tolist()}, dtype {result.dtype}")
    except OverflowError as err:
        print(f"{lib.__name__:9s} OverflowError: {err}")

# %% [markdown]
# ## 6. How minitorch does it
#
# minitorch keeps each tensor's elements in a NumPy array, which already is a strided view
# (NumPy counts strides in bytes), so `Tensor.stride` only converts the units:

# %%
stride_source = textwrap.dedent(inspect.getsource(minitorch.Tensor.stride))
Code(stride_source.split("    if dim is None")[0], language="python")

# %% [markdown]
# The promotion rule is one short function:

# %%
Code(inspect.getsource(minitorch.types.dtypes.result_type), language="python")

# %% [markdown]
# ## Checks
#
# Your exercises, once more; then minitorch's strides, layouts and promotion against
# PyTorch (independent of your code).

# %%
rng = np.random.default_rng(0)
data = rng.standard_normal((2, 3, 4)).astype(np.float32)
for perm in [(0, 1, 2), (2, 0, 1), (1, 2, 0)]:
    mt, th = minitorch.tensor(data).permute(*perm), torch.tensor(data).permute(*perm)
    assert mt.stride() == th.stride() and mt.is_contiguous() == th.is_contiguous()
    np.testing.assert_array_equal(mt.reshape(-1).numpy(), th.reshape(-1).numpy())
for shape, target in [((3, 1), (2, 3, 4)), ((1, 4), (3, 4)), ((2, 1, 3), (5, 2, 4, 3))]:
    assert minitorch.zeros(*shape).expand(*target).stride() == \
        torch.zeros(*shape).expand(*target).stride()
assert minitorch.arange(12).reshape(3, 4)[:, ::2].view(-1).stride() == (2,)
course.summary(check.contiguous_strides(contiguous_strides),
               check.strided_view(StridedView),
               check.broadcast_shape(broadcast_shape),
               check.expand(expand, StridedView),
               check.zip_views(zip_views, StridedView),
               check.reduce_view(reduce_view, StridedView))

# %% [markdown]
# ## Try next
#
# * Add `StridedView.slice(dim, start, stop, step)`: which of shape, strides and offset
#   change? Check it against `torch.arange(24).reshape(4, 6)[1:, ::2]`.
# * Write `StridedView.view(shape)` for a 2-D to 1-D flatten that refuses (with PyTorch's
#   `RuntimeError`) when $\text{stride}_0 \ne \text{stride}_1 \cdot \text{size}_1$, and try it on
#   every second column of a matrix.
# * Time your `zip_views` on two $100 \times 100$ views against minitorch's `+`: how much
#   does walking indices in Python cost?

# %% [markdown]
# **Next:** [03 · Autograd on tensors](03_autograd_on_tensors.ipynb). The whole path is in [the syllabus](README.md).
