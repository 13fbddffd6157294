"""Chapter 02's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes with strides, broadcasting and the map/zip/reduce loops fail
with the input and expected vs got."""
import itertools
import math

from minitorch.course import ch02 as check

from .learner import failed, module

solution, stub = module("02", "solution"), module("02", "stub")
StridedView = solution.StridedView


def test_contiguous_strides():
    assert check.contiguous_strides(solution.contiguous_strides)
    assert check.contiguous_strides(stub.contiguous_strides).status == "unfinished"

    def column_major(shape):               # the first dimension gets stride 1
        return tuple(math.prod(shape[:d]) for d in range(len(shape)))

    def own_size_included(shape):          # (2, 3, 4) -> (24, 12, 4)
        return tuple(math.prod(shape[d:]) for d in range(len(shape)))

    assert failed(check.contiguous_strides(column_major), "shape (2, 3)")
    assert failed(check.contiguous_strides(own_size_included), "shape (5,)", "not its own size")


def _view_with(name, method):
    """The solution's StridedView with one method replaced by a wrong one."""
    return type("Wrong", (StridedView,), {name: method})


def test_strided_view():
    assert check.strided_view(StridedView)
    assert check.strided_view(stub.StridedView).status == "unfinished"

    def position_without_offset(self, index):
        return sum(i * s for i, s in zip(index, self.strides))

    def permute_inverse(self, *dims):       # dims.index(k) instead of dims[k]
        order = [dims.index(k) for k in range(len(dims))]
        return StridedView(self.storage, [self.shape[d] for d in order],
                           [self.strides[d] for d in order], self.offset)

    def permute_sizes_only(self, *dims):     # the strides stay in the old order
        return StridedView(self.storage, [self.shape[d] for d in dims], self.strides, self.offset)

    def permute_dropping_offset(self, *dims):
        return StridedView(self.storage, [self.shape[d] for d in dims],
                           [self.strides[d] for d in dims])

    assert failed(check.strided_view(_view_with("position", position_without_offset)),
                  "offset 7", "offset")
    assert failed(check.strided_view(_view_with("permute", permute_inverse)), "permute(2, 0, 1)")
    assert failed(check.strided_view(_view_with("permute", permute_sizes_only)), "strides")
    assert failed(check.strided_view(_view_with("permute", permute_dropping_offset)), "offset 7")


def _pairs_from_the_right(a, b):
    width = max(len(a), len(b))
    return zip((1,) * (width - len(a)) + tuple(a), (1,) * (width - len(b)) + tuple(b))


def test_broadcast_shape():
    assert check.broadcast_shape(solution.broadcast_shape)
    assert check.broadcast_shape(stub.broadcast_shape).status == "unfinished"

    def aligned_from_the_left(a, b):
        result = []
        for x, y in itertools.zip_longest(a, b, fillvalue=1):
            if x != y and 1 not in (x, y):
                raise RuntimeError("not broadcastable")
            result.append(y if x == 1 else x)
        return tuple(result)

    def larger_size(a, b):                  # max(1, 0) is 1, but broadcasting gives 0
        for x, y in _pairs_from_the_right(a, b):
            if x != y and 1 not in (x, y):
                raise RuntimeError("not broadcastable")
        return tuple(max(x, y) for x, y in _pairs_from_the_right(a, b))

    def never_raises(a, b):
        return tuple(y if x == 1 else x for x, y in _pairs_from_the_right(a, b))

    def value_error(a, b):
        if any(x != y and 1 not in (x, y) for x, y in _pairs_from_the_right(a, b)):
            raise ValueError("not broadcastable")
        return solution.broadcast_shape(a, b)

    assert failed(check.broadcast_shape(aligned_from_the_left), "(3, 1) and (4,)", "right")
    assert failed(check.broadcast_shape(larger_size), "(1,) and (0,)", "size 0")
    assert failed(check.broadcast_shape(never_raises), "(3, 2) and (4,)", "RuntimeError")
    assert failed(check.broadcast_shape(value_error), "raises ValueError")


def test_expand():
    assert check.expand(solution.expand, StridedView)
    assert check.expand(stub.expand, StridedView).status == "unfinished"

    def old_stride_kept(view, shape):       # a size-1 dimension keeps its (meaningless) stride
        lead = len(shape) - len(view.shape)
        return StridedView(view.storage, shape, (0,) * lead + view.strides, view.offset)

    def aligned_from_the_left(view, shape):  # new dimensions added at the end
        strides = [s if n == size else 0 for n, size, s in zip(shape, view.shape, view.strides)]
        strides += [0] * (len(shape) - len(view.shape))
        return StridedView(view.storage, shape, strides, view.offset)

    assert failed(check.expand(old_stride_kept, StridedView), "column (3, 1)", "stride 0")
    assert failed(check.expand(aligned_from_the_left, StridedView), "row (4,)")


def test_zip_views():
    assert check.zip_views(solution.zip_views, StridedView)
    assert check.zip_views(stub.zip_views, StridedView).status == "unfinished"

    def without_broadcasting(fn, a, b):
        return StridedView([fn(a[index], b[index]) for index in a.indices()], a.shape)

    def in_memory_order(fn, a, b):          # reads storage positions one after another
        shape = solution.broadcast_shape(a.shape, b.shape)
        a, b = solution.expand(a, shape), solution.expand(b, shape)
        return StridedView([fn(a.storage[a.offset + k], b.storage[b.offset + k])
                            for k in range(math.prod(shape))], shape)

    assert failed(check.zip_views(without_broadcasting, StridedView), "column (3, 1)", "shape")
    assert failed(check.zip_views(in_memory_order, StridedView), "permuted", "strides")


def test_reduce_view():
    assert check.reduce_view(solution.reduce_view, StridedView)
    assert check.reduce_view(stub.reduce_view, StridedView).status == "unfinished"

    def from_zero(fn, a, dim, start):       # ignores start: every product is 0
        return solution.reduce_view(fn, a, dim, 0.0)

    def keeps_the_dimension(fn, a, dim, start):
        result = solution.reduce_view(fn, a, dim, start)
        shape = a.shape[:dim] + (1,) + a.shape[dim + 1:]
        return StridedView(result.storage, shape)

    def in_memory_order(fn, a, dim, start):  # folds runs of the storage, not dimension dim
        shape = a.shape[:dim] + a.shape[dim + 1:]
        out = []
        for n in range(math.prod(shape)):
            total = start
            for k in range(a.shape[dim]):
                total = fn(total, a.storage[a.offset + n * a.shape[dim] + k])
            out.append(total)
        return StridedView(out, shape)

    assert failed(check.reduce_view(from_zero, StridedView), "product", "start")
    assert failed(check.reduce_view(keeps_the_dimension, StridedView), "shape", "drops")
    assert failed(check.reduce_view(in_memory_order, StridedView), "strides")
