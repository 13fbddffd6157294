"""The history of a view and its base when one of them is written in place.

A view (``x[:2]``, ``x.T``, ``x.view(4)``) shares its base's memory, so an in-place op on the
view changes the base too, and the other way round. Autograd must follow, as PyTorch does:

* **Writing a view** (``x[:2].mul_(2)``): the base's new history is a ``CopySlices`` node.
  Its backward takes the base's gradient, hands the written region's part of it to the
  in-place op's own backward, and puts what comes back (the gradient of the region's old
  values) in the region's place; the rest of the base's gradient passes through unchanged.
  The op's other inputs (the ``2``, or a tensor) get their gradients from the op as usual.
* **Reading a view after its base changed** (a view taken before ``x.add_(1)``, or the view
  just written): its history is regenerated as an ``AsStridedBackward0`` node on top of the
  base's current history; its backward adds the view's gradient into a base-shaped zero.

Both need to know where each element of the view lives in the base. Every element has a
memory address, and so does every element of the base, so the view's positions in the base
are found by looking its addresses up among the base's (``positions_in_base``): one
mechanism for every kind of view (slices, transposes, reshapes, diagonals, and views of views).
"""
from __future__ import annotations

import weakref

import numpy as np

from . import engine
from .function import Function, Node, _SavedOutput
from .. import backend
from ..tensor import Tensor


def _addresses(array, xp):
    """The memory address of each element of ``array`` (an int64 array of its shape)."""
    addresses = xp.full(array.shape, backend.data_address(array), dtype=np.int64)
    for axis, (size, stride) in enumerate(zip(array.shape, array.strides)):
        along_axis = (xp.arange(size, dtype=np.int64) * stride).reshape(
            (size,) + (1,) * (array.ndim - axis - 1))
        addresses += along_axis
    return addresses


def positions_in_base(view, base):
    """For each element of the array ``view``, its flat (row-major) index in ``base``."""
    xp = backend.namespace(base)
    view_addresses = _addresses(view, xp)
    if base.flags.c_contiguous:  # (nearly always) the offset from the start is the index
        return (view_addresses - backend.data_address(base)) // base.itemsize
    base_addresses = _addresses(base, xp).reshape(-1)
    order = xp.argsort(base_addresses)
    return order[xp.searchsorted(base_addresses[order], view_addresses)]


class CopySlices(Function):
    """The base's history after an in-place op ``fn`` on one of its views."""

    node_name = "torch::autograd::CopySlices"  # (PyTorch's name for it)

    @staticmethod
    def backward(ctx, grad):
        positions = ctx.positions
        if backend.namespace(positions).unique(positions).size != positions.size:
            # an expanded view written through index_put: which write's old value reached the
            # base is not defined, and PyTorch refuses here too
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")
        flat = grad.reshape(-1)
        index = Tensor._from_array(positions)
        # the op's gradients: for the region's old values (first), then for its other inputs
        grads = engine._call_backward(ctx.fn, [flat[index]])
        base_grad = None
        if ctx.needs_input_grad[0]:
            base_grad = flat.clone()
            base_grad[index] = 0 if grads[0] is None else grads[0]
            base_grad = base_grad.reshape(ctx._input_shapes[0])
        return (base_grad, *grads[1:])


class _CopySlicesNode(Node):
    __slots__ = ()

    def _release(self) -> None:
        super()._release()
        self.fn._release()  # the op's saved tensors live on its own node


class AsStrided(Function):
    """A view's history regenerated from its base's: its elements are those at
    ``positions`` of the base (repeated positions, as in an expanded view, add up)."""

    node_name = "AsStridedBackward0"
    is_view = True  # (never applied; marks its nodes as view histories for check_writable_view)

    @staticmethod
    def backward(ctx, grad):
        shape, dtype = ctx._input_shapes[0], ctx._input_dtypes[0]
        xp = backend.namespace(ctx.positions)
        zeros = Tensor._from_array(xp.zeros(int(np.prod(shape)), dtype=dtype))
        index = Tensor._from_array(ctx.positions.reshape(-1))
        return zeros.index_add(0, index, grad.reshape(-1)).reshape(shape)


def _as_strided_node(base_edge, base_shape, base_dtype, positions) -> Node:
    node = Node(AsStrided, (True,))
    node._next_nodes, node._next_nrs = (base_edge[0],), (base_edge[1],)
    node._input_shapes, node._input_dtypes = (base_shape,), (base_dtype,)
    node.positions = positions
    return node


_NO_GRAD_VIEW = ("Given that this use case is ambiguous and error-prone, it is forbidden. You "
                 "can clarify your code by moving both the view and the inplace either both "
                 "inside the no_grad block (if you don't want the inplace to be tracked) or both "
                 "outside (if you want the inplace to be tracked).")
_MULTIPLE_VIEWS = ("This view is the output of a function that returns multiple views. Such "
                   "functions do not allow the output views to be modified inplace. You should "
                   "replace the inplace operation by an out-of-place one.")


def _made_by(view: Tensor) -> str:
    """PyTorch's words for the op that made ``view``: "Output 0 of Unbind"."""
    return f"Output {view._output_nr} of {view.grad_fn.name().removesuffix('Backward0')}"


def check_writable_view(view: Tensor) -> None:
    """Before an in-place op on ``view`` is recorded: refuse the cases PyTorch refuses, and
    bring the view's history up to date."""
    if view.grad_fn is not None and not view.grad_fn._function.is_view:
        raise RuntimeError(
            f"{_made_by(view)} is a view and is being modified inplace. This view was created "
            "inside a custom Function (or because an input was returned as-is) and the "
            "autograd logic to handle view+inplace would override the custom backward "
            "associated with the custom Function, leading to incorrect gradients. This behavior "
            "is forbidden. You can fix this by cloning the output of the custom Function.")
    if view._view_creation == "multiple outputs":
        if view.grad_fn is None:
            raise RuntimeError("A view was created in no_grad mode and is being modified inplace "
                               f"with grad mode enabled. {_MULTIPLE_VIEWS}")
        raise RuntimeError(f"{_made_by(view)} is a view and is being modified inplace. "
                           f"{_MULTIPLE_VIEWS}")
    if view._view_creation == "no_grad":
        raise RuntimeError("A view was created in no_grad mode and is being modified inplace "
                           f"with grad mode enabled. {_NO_GRAD_VIEW}")
    if view._base.requires_grad and view.grad_fn is None:
        refresh_view(view)  # its base gained a history after the view was taken


def refresh_stale_view(view: Tensor) -> None:
    """A view whose base changed in place since its history was recorded is about to be used."""
    if view._view_creation == "multiple outputs":
        raise RuntimeError(f"{_made_by(view)} is a view and its base or another view of its base "
                           f"has been modified inplace. {_MULTIPLE_VIEWS}")
    if view._view_creation == "no_grad":
        raise RuntimeError("A view was created in no_grad mode and its base or another view of "
                           f"its base has been modified inplace with grad mode enabled. {_NO_GRAD_VIEW}")
    refresh_view(view)


def refresh_view(view: Tensor, positions=None) -> None:
    """Give ``view`` (whose base requires grad) a history on top of its base's current one
    (``positions``: its positions in the base, when already known)."""
    base = view._base
    if positions is None:
        positions = positions_in_base(view._data, base._data)
    view._requires_grad = True
    view.grad_fn = _as_strided_node(base._edge(), base._data.shape, base._data.dtype, positions)
    view._output_nr = 0
    view._view_version = base._version_box[0]


def write_through_view(view: Tensor, fn: Node) -> None:
    """After the in-place op whose node is ``fn`` wrote ``view``'s memory: give the base the
    history of that write, and the view a history on top of the base's."""
    base = view._base
    base_node, base_nr = base._edge()
    # the base as it was, then the op's inputs other than the view's old values
    node = _CopySlicesNode(CopySlices, (base.requires_grad, *fn.needs_input_grad[1:]))
    node._next_nodes = (base_node, *fn._next_nodes[1:])
    node._next_nrs = (base_nr, *fn._next_nrs[1:])
    node._input_shapes = (base._data.shape, *fn._input_shapes[1:])
    node._input_dtypes = (base._data.dtype, *fn._input_dtypes[1:])
    node.fn, node.positions = fn, positions_in_base(view._data, base._data)
    base._requires_grad = True
    base.grad_fn, base._output_nr = node, 0
    refresh_view(view, node.positions)
    _saved_view_gets_view_history(fn, node)


def _saved_view_gets_view_history(fn: Node, copy_slices: Node) -> None:
    """If ``fn`` saved its output (the view, as ``x[0].exp_()`` does), the saved view must
    come back with the view's history, as PyTorch's does: ``fn`` itself is not in the graph,
    only inside ``copy_slices``, which runs its backward. (Held weakly: ``fn`` is held by
    ``copy_slices``, so a strong reference back would be a cycle.)"""
    outputs = [entry for entry in fn._saved or () if isinstance(entry, _SavedOutput)]
    if not outputs:
        return
    copy_slices_ref = weakref.ref(copy_slices)
    shape, dtype = copy_slices._input_shapes[0], copy_slices._input_dtypes[0]
    positions = copy_slices.positions
    for entry in outputs:
        entry.history = lambda: _as_strided_node((copy_slices_ref(), 0), shape, dtype, positions)
