"""Chapter 02 of your framework: the cells marked #@save, as you last ran them."""


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


#@save
def map_view(fn, a):
    """fn applied to every element of view a: a new contiguous view of a's shape."""
    return StridedView([fn(a[index]) for index in a.indices()], a.shape)


#@save
def zip_views(fn, a, b):
    """fn(x, y) for the elements of a and b broadcast to a common shape: a new contiguous view."""
    ### BEGIN SOLUTION
    shape = broadcast_shape(a.shape, b.shape)
    a, b = expand(a, shape), expand(b, shape)
    return StridedView([fn(a[index], b[index]) for index in a.indices()], shape)
    ### END SOLUTION


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
