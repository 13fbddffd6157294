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
# In this chapter we build a strided view over a flat buffer by hand, then meet the same
# ideas in minitorch (which stores data in NumPy arrays) and check them against PyTorch:
# strides and contiguity, broadcasting, and dtype promotion.

# %%
import inspect

import numpy as np

import minitorch
import torch

# %% [markdown]
# ## 1. A strided view, by hand
#
# Six numbers in a flat list can be read as a 2x3 matrix: element $(i, j)$ lives at
# position $i \cdot 3 + j$, so the strides are $(3, 1)$. Reading the *same* list with
# shape $(3, 2)$ and strides $(1, 3)$ gives the transpose, without moving anything.

# %%
class StridedView:
    """Read a flat buffer as an n-dimensional array through (offset, shape, strides)."""

    def __init__(self, buffer, shape, strides, offset=0):
        self.buffer, self.shape, self.strides, self.offset = buffer, shape, strides, offset

    def __getitem__(self, index):
        position = self.offset + sum(i * s for i, s in zip(index, self.strides))
        return self.buffer[position]

    def transpose(self):
        return StridedView(self.buffer, self.shape[::-1], self.strides[::-1], self.offset)

    def row(self, i):
        """Select one row: a view with one dimension fewer and a moved offset."""
        return StridedView(self.buffer, self.shape[1:], self.strides[1:], self.offset + i * self.strides[0])

    def tolist(self):
        if len(self.shape) == 1:
            return [self[(i,)] for i in range(self.shape[0])]
        return [[self[(i, j)] for j in range(self.shape[1])] for i in range(self.shape[0])]

    def is_contiguous(self):
        expected = 1
        for size, stride in zip(reversed(self.shape), reversed(self.strides)):
            if size != 1 and stride != expected:
                return False
            expected *= size
        return True


buffer = [0, 1, 2, 3, 4, 5]
m = StridedView(buffer, (2, 3), (3, 1))
print("matrix   ", m.tolist(), "contiguous:", m.is_contiguous())
print("transpose", m.transpose().tolist(), "contiguous:", m.transpose().is_contiguous())
print("row 1    ", m.row(1).tolist())
buffer[4] = 40  # the views share the buffer: all of them see the change
print("after buffer[4] = 40:", m.tolist(), m.transpose().tolist())

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
# one of them is 1; missing leading dimensions count as 1. The size-1 dimensions are
# *expanded* with stride 0, so no memory is copied.

# %%
def broadcast_shape(a, b):
    """The result shape of broadcasting shapes a and b (PyTorch's and NumPy's rule)."""
    result = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and 1 not in (x, y):
            raise ValueError(f"shapes {a} and {b} are not broadcastable (dim -{i}: {x} vs {y})")
        result.append(max(x, y))
    return tuple(reversed(result))


for a_shape, b_shape in [((3, 1), (4,)), ((2, 1, 5), (3, 1)), ((4, 3), (3,))]:
    ours = broadcast_shape(a_shape, b_shape)
    mt = tuple((minitorch.zeros(*a_shape) + minitorch.zeros(*b_shape)).shape)
    th = tuple((torch.zeros(*a_shape) + torch.zeros(*b_shape)).shape)
    print(f"{str(a_shape):10s} + {str(b_shape):7s} -> {ours}   minitorch {mt}   PyTorch {th}")
    assert ours == mt == th

e = minitorch.tensor([1.0, 2.0, 3.0]).expand(4, 3)
print("expand(4, 3) strides:", e.stride())

# %% [markdown]
# ## 4. Dtypes and promotion
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
# ## 5. How minitorch does it
#
# The promotion rule is one short function:

# %%
print(inspect.getsource(minitorch._dtype.result_type))

# %% [markdown]
# ## Checks

# %%
rng = np.random.default_rng(0)
data = rng.standard_normal((2, 3, 4)).astype(np.float32)
for perm in [(0, 1, 2), (2, 0, 1), (1, 2, 0)]:
    mt, th = minitorch.tensor(data).permute(*perm), torch.tensor(data).permute(*perm)
    assert mt.stride() == th.stride() and mt.is_contiguous() == th.is_contiguous()
    np.testing.assert_array_equal(mt.reshape(-1).numpy(), th.reshape(-1).numpy())
hand = StridedView(list(range(24)), (4, 6), (6, 1))
assert hand.transpose().tolist() == minitorch.arange(24).reshape(4, 6).t().tolist()
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Add `StridedView.expand` (stride 0 for the expanded dimensions) and `slice(start, stop, step)`.
# * Find a permutation whose `view(-1)` works even though the tensor is not contiguous.
# * Predict, then check, the dtype of `torch.tensor([1, 2], dtype=torch.uint8) + 300`.
