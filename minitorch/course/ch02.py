"""Checks for chapter 02: tensors as strided views of one flat storage.

Each check builds views of a flat storage the way PyTorch does (``torch.as_strided``:
contiguous, transposed, sliced with an offset and a step, expanded with stride 0) and
compares the learner's ``StridedView`` with PyTorch's tensor, and with minitorch's where
minitorch has the same operation: shape, strides and every element.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .checking import pytorch as _torch, run


def _minitorch():
    import minitorch
    return minitorch


def contiguous_strides(fn):
    """``fn(shape)`` gives the row-major strides of ``shape``, as PyTorch and minitorch do."""
    torch, minitorch = _torch(), _minitorch()

    def cases(expect):
        for shape in [(5,), (2, 3), (2, 3, 4), (4, 1, 3), (2, 2, 2, 5), ()]:
            expect.equal(f"shape {shape}", tuple(fn(shape)), torch.empty(shape).stride())
            expect.equal(f"shape {shape} (minitorch's strides)", tuple(fn(shape)),
                         minitorch.empty(shape).stride())
    return run("contiguous_strides", cases,
               hint="the last dimension has stride 1; going left, each stride is the one to its "
                    "right times the size of the dimension to its right (not its own size)")


# Views of the storage 0, 1, ..., 59: (description, shape, strides, offset). Each element's
# value is its position, so a wrong answer shows which positions were read.
_VIEWS = [
    ("a contiguous 3x4 matrix", (3, 4), (4, 1), 0),
    ("its transpose, shape (4, 3), strides (1, 4)", (4, 3), (1, 4), 0),
    ("rows 1: and columns 2: of a 4x5 matrix: offset 7", (3, 3), (5, 1), 7),
    ("every second column of a 3x6 matrix from column 1: strides (6, 2), offset 1",
     (3, 3), (6, 2), 1),
    ("a (2, 3, 4) block permuted to (4, 2, 3): strides (1, 12, 4)", (4, 2, 3), (1, 12, 4), 0),
    ("a row of 4 read 3 times: strides (0, 1), offset 5", (3, 4), (0, 1), 5),
    ("a 0-d view of position 9", (), (), 9),
]
_PERMUTES = [  # (shape, strides, offset, dims)
    ((3, 4), (4, 1), 0, (1, 0)),
    ((2, 3, 4), (12, 4, 1), 0, (2, 0, 1)),
    ((2, 3, 4), (12, 4, 1), 0, (1, 2, 0)),
    ((2, 3, 4), (12, 4, 1), 0, (0, 2, 1)),
    ((3, 3), (5, 1), 7, (1, 0)),
]


def _as_strided(shape, strides, offset, values=None):
    torch = _torch()
    base = torch.arange(60) if values is None else torch.tensor(values, dtype=torch.float64)
    return torch.as_strided(base, shape, strides, offset)


def strided_view(StridedView):
    """``StridedView.position`` and ``StridedView.permute``, against PyTorch's views of the same
    storage and minitorch's permute."""
    minitorch = _minitorch()

    def cases(expect):
        storage = list(range(60))
        for text, shape, strides, offset in _VIEWS:
            view = StridedView(storage, shape, strides, offset)
            reference = _as_strided(shape, strides, offset)
            last = tuple(size - 1 for size in shape)
            expect.equal(f"{text}: position of element {last}", view.position(last),
                         reference[last].item(),
                         hint="offset + the sum of index[d] * strides[d] over the dimensions")
            expect.close(f"{text}: its elements (each one's value is its position)", view.tolist(),
                         reference, hint="start from the view's offset")
        for shape, strides, offset, dims in _PERMUTES:
            label = f"permute{dims} of a view of shape {shape}, strides {strides}, offset {offset}"
            result = StridedView(storage, shape, strides, offset).permute(*dims)
            expect.equal(f"{label}: shape", tuple(result.shape), tuple(_as_strided(
                shape, strides, offset).permute(*dims).shape),
                hint="dimension k of the result is dimension dims[k] of the input")
            if offset == 0:
                expect.equal(f"{label}: strides (minitorch's permute)", tuple(result.strides),
                             minitorch.arange(60)[:math.prod(shape)].reshape(shape)
                             .permute(*dims).stride(),
                             hint="each dimension keeps its own stride: reorder the strides "
                                  "exactly as the sizes")
            expect.close(f"{label}: its elements", result.tolist(),
                         _as_strided(shape, strides, offset).permute(*dims),
                         hint="reorder sizes and strides the same way, and keep the offset")
    return run("StridedView", cases)


def _outcome(fn, a, b):
    """What ``fn(a, b)`` gives: the shape as a tuple, or the name of the exception it raised."""
    try:
        return tuple(fn(a, b))
    except NotImplementedError:
        raise
    except Exception as err:  # noqa: BLE001 - the exception's type is the answer
        return f"raises {type(err).__name__}"


_SHAPE_PAIRS = [((3, 1), (4,)), ((2, 1, 5), (3, 1)), ((4, 3), (3,)), ((), (2, 3)), ((5,), ()),
                ((6, 1, 4), (7, 1)), ((1,), (0,)), ((2, 0, 1), (1, 3)), ((3, 2), (4,)),
                ((2, 3), (3, 2)), ((0,), (2,)), ((2, 1), (8, 4, 3))]


def _broadcast_hint(a, b, expected):
    if isinstance(expected, str):
        return "sizes that differ, neither of them 1, cannot broadcast: raise RuntimeError"
    if 0 in a + b:
        return "size 1 against size 0 gives 0: take the size that is not 1, not the larger"
    if len(a) != len(b):
        return "align the shapes from the right; a missing leading size counts as 1"
    return "in each position, the result takes the size that is not 1"


def broadcast_shape(fn):
    """``fn(a, b)`` gives ``torch.broadcast_shapes(a, b)``, or raises RuntimeError as it does."""
    torch = _torch()

    def cases(expect):
        for a, b in _SHAPE_PAIRS:
            expected = _outcome(torch.broadcast_shapes, a, b)
            expect.equal(f"shapes {a} and {b}", _outcome(fn, a, b), expected,
                         hint=_broadcast_hint(a, b, expected))
    return run("broadcast_shape", cases)


_EXPANDS = [  # (description, shape, strides, offset, target)
    ("a column (3, 1), strides (1, 1)", (3, 1), (1, 1), 0, (3, 4)),
    ("a row (4,) from offset 2", (4,), (1,), 2, (3, 4)),
    ("a (2, 1, 3) block", (2, 1, 3), (3, 3, 1), 0, (5, 2, 4, 3)),
    ("a (3, 1) view with strides (2, 7), offset 1", (3, 1), (2, 7), 1, (3, 5)),
    ("a transposed (3, 2) view", (3, 2), (1, 3), 0, (2, 3, 2)),
    ("a (2, 3) matrix to its own shape", (2, 3), (3, 1), 0, (2, 3)),
]


def expand(fn, StridedView):
    """``fn(view, shape)`` is PyTorch's ``expand``: same elements, stride 0 where broadcast."""
    def cases(expect):
        storage = list(range(60))
        for text, shape, strides, offset, target in _EXPANDS:
            result = fn(StridedView(storage, shape, strides, offset), target)
            reference = _as_strided(shape, strides, offset).expand(target)
            label = f"{text} expanded to {target}"
            expect.equal(f"{label}: shape", tuple(result.shape), tuple(reference.shape))
            expect.equal(f"{label}: strides", tuple(result.strides), reference.stride(),
                         hint="new leading dimensions and size-1 dimensions that grow get "
                              "stride 0; the others keep their stride (align from the right)")
            expect.close(f"{label}: its elements (each one's value is its position)",
                         result.tolist(), reference, hint="keep the storage and the offset")
    return run("expand", cases)


def _random_storage():
    return [float(v) for v in np.round(np.random.default_rng(2).uniform(-5, 5, 60), 2)]


# Pairs of views of the random storage: (description, (shape, strides, offset) of a, of b)
_ZIPS = [
    ("two contiguous 3x4 matrices", ((3, 4), (4, 1), 0), ((3, 4), (4, 1), 12)),
    ("a permuted (4, 2, 3) view and a contiguous one", ((4, 2, 3), (1, 12, 4), 0),
     ((4, 2, 3), (6, 3, 1), 24)),
    ("a column (3, 1) and a row (4,)", ((3, 1), (1, 1), 0), ((4,), (1,), 10)),
    ("a (2, 1, 3) block and a strided (4, 1) column", ((2, 1, 3), (3, 3, 1), 5),
     ((4, 1), (3, 1), 20)),
    ("a stride-0 (3, 4) view and a transposed (4, 3) view, transposed back", ((3, 4), (0, 1), 30),
     ((3, 4), (1, 3), 40)),
    ("a 0-d view and a (2, 3) matrix", ((), (), 7), ((2, 3), (3, 1), 0)),
]
_BINARY = [("add", operator.add, "add"), ("mul", operator.mul, "mul"),
           ("sub", operator.sub, "sub"), ("max", max, "maximum")]


def zip_views(fn, StridedView):
    """``fn(op, a, b)`` is ``op`` elementwise over a and b broadcast together, against PyTorch."""
    torch = _torch()

    def cases(expect):
        storage = _random_storage()
        for i, (text, a_spec, b_spec) in enumerate(_ZIPS):
            name, op, torch_name = _BINARY[i % len(_BINARY)]
            result = fn(op, StridedView(storage, *a_spec), StridedView(storage, *b_spec))
            reference = getattr(torch, torch_name)(_as_strided(*a_spec, values=storage),
                                                   _as_strided(*b_spec, values=storage))
            expect.equal(f"{name} of {text}: shape", tuple(result.shape), tuple(reference.shape),
                         hint="the result has the broadcast shape of the two inputs")
            expect.close(f"{name} of {text}: values", result.tolist(), reference,
                         rtol=1e-12, hint="expand both inputs to the result's shape and read each "
                                         "element through its strides, index by index")
    return run("zip_views", cases)


_REDUCE_VIEWS = [  # (description, shape, strides, offset)
    ("a contiguous (2, 3, 4) block", (2, 3, 4), (12, 4, 1), 0),
    ("that block permuted to (4, 2, 3)", (4, 2, 3), (1, 12, 4), 0),
    ("a (3, 4) view with strides (0, 2): one strided row read 3 times", (3, 4), (0, 2), 3),
    ("a 1-D view of 5 elements with stride 3", (5,), (3,), 1),
]
_FOLDS = [("sum", operator.add, 0.0, "sum"), ("product", operator.mul, 1.0, "prod"),
          ("maximum", max, -math.inf, "amax")]


def reduce_view(fn, StridedView):
    """``fn(op, a, dim, start)`` folds ``op`` over dimension dim, as torch.sum/prod/amax do."""
    torch, minitorch = _torch(), _minitorch()

    def cases(expect):
        storage = _random_storage()
        for text, shape, strides, offset in _REDUCE_VIEWS:
            for dim in range(len(shape)):
                for name, op, start, torch_name in _FOLDS:
                    label = f"{name} over dim {dim} of {text}"
                    result = fn(op, StridedView(storage, shape, strides, offset), dim, start)
                    reference = getattr(torch, torch_name)(
                        _as_strided(shape, strides, offset, values=storage), dim)
                    expect.equal(f"{label}: shape", tuple(result.shape), tuple(reference.shape),
                                 hint="the result drops dimension dim (no size-1 dimension kept)")
                    expect.close(f"{label}: values", result.tolist(), reference,
                                 rtol=1e-12, hint=f"start each fold from start ({start} for a "
                                 f"{name}), and read elements through the strides")
        block = minitorch.tensor(storage[:24], dtype=minitorch.float64).reshape(2, 3, 4)
        for dim in range(3):
            result = fn(operator.add, StridedView(storage, (4, 2, 3), (1, 12, 4), 0), dim, 0.0)
            expect.close(f"sum over dim {dim} of the permuted block (minitorch's sum)",
                         result.tolist(), block.permute(2, 0, 1).sum(dim), rtol=1e-12)
    return run("reduce_view", cases)
