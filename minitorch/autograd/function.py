"""``Function``: the one mechanism that records operations on the tape.

Every differentiable operation, built-in or user-written, is a ``Function`` subclass with a
static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``. ``Function.apply``
runs ``forward`` with recording switched off and, when any input requires grad, leaves
behind a ``Node``: PyTorch's ``grad_fn``. The node is also the ``ctx`` that ``forward`` saw,
so whatever ``forward`` stored on it (``ctx.save_for_backward(...)``, ``ctx.dim = 1``) is
there for ``backward``.

Built-in forwards work on raw arrays for speed and may return arrays; ``apply`` wraps them
in Tensors. Backwards are written with Tensor operations, so running them with recording
on (``create_graph=True``) records the backward pass itself: higher-order gradients.
"""
from __future__ import annotations

import itertools
import sys

from . import anomaly_mode, grad_mode
from ..types import dtypes as _dtype
from .. import tensor as _tensor

# Creation order of nodes; the engine runs ready nodes newest first, as PyTorch does, and
# viz uses it for ids that do not depend on memory addresses.
_sequence = itertools.count()

# The nn.Module scope active while an op runs (a tuple of module names), set by
# nn.Module.__call__ and stored on each node for the graph renderer.
current_scope: tuple = ()

# An observer of every operation (minitorch.onnx's tracer, while it exports a model): when set,
# ``apply`` hands each call to ``tracer.observe(cls, args, kwargs)``, which runs it (with the
# tracer unset, so that the ops inside a forward are part of that one operation) and notes it.
tracer = None


class _GraphNode:
    """What every node of the recorded graph offers (PyTorch's protocol): a name, a sequence
    number, a metadata dict, and hooks around its backward."""

    __slots__ = ()
    # Hooks, as class-level "none" defaults: registering one makes an instance list, so the
    # engine's per-node check is three attribute reads and allocates nothing.
    _pre_hooks = _post_hooks = _tensor_hooks = ()

    def name(self) -> str:
        raise NotImplementedError

    def sequence_nr(self) -> int:
        return self._seq

    @property
    def metadata(self) -> dict:
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node's backward; may return new grad_inputs."""
        self.__dict__.setdefault("_post_hooks", []).append(hook)
        return _RemovableHandle(self._post_hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node's backward; may return new grad_outputs."""
        self.__dict__.setdefault("_pre_hooks", []).append(hook)
        return _RemovableHandle(self._pre_hooks, hook)


class Node(_GraphNode):
    """A recorded operation (``tensor.grad_fn``), and the ``ctx`` of its Function.

    Graph protocol (shared with PyTorch, read by ``viz``): ``name()``, ``next_functions``
    (pairs of node-or-None and the input's output index), ``metadata``, plus minitorch's
    ``sequence_nr()``, ``saved_tensors`` and ``scope``.
    """

    # Every op creates a Node, so it is kept lean: slots for what each recorded op sets, a
    # __dict__ (made on first use) for what a forward stores on ctx, and class attributes
    # as defaults for what most ops never change.
    __slots__ = ("_function", "needs_input_grad", "_seq", "_next_nodes", "_next_nrs",
                 "_input_shapes", "_input_dtypes", "_to_save", "_saved", "_saved_versions",
                 "_output_meta", "__dict__", "__weakref__")
    materialize_grads = True
    _freed = False           # saved tensors released by a backward without retain_graph
    _non_differentiable = ()
    _dirty = ()
    _num_outputs = 1

    def __init__(self, function, needs_input_grad):
        self._function = function
        self.needs_input_grad = needs_input_grad
        self._seq = next(_sequence)
        # the edges to the inputs' nodes, set when the op is recorded: the node (None for an
        # input without history) and which of its outputs the input is. Two flat tuples, not
        # pairs: a recorded graph is thousands of nodes, and the garbage collector walks
        # every container in it
        self._next_nodes = self._next_nrs = ()
        self._input_shapes = self._input_dtypes = ()  # what the inputs were (shape checks)
        self._to_save = None      # what forward passed to save_for_backward
        # once recorded: what was saved, each an input Tensor, a _SavedOutput or None, and
        # the version each had then (checked when backward reads them)
        self._saved = None

    # --- the ctx API that Function.forward / backward use -------------------------------
    def save_for_backward(self, *tensors) -> None:
        """Keep tensors for backward; they are checked for in-place changes when read back."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, _tensor.Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is "
                                f"of type {type(t).__name__}")
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is None:
            if self._freed:
                raise RuntimeError(
                    "Trying to backward through the graph a second time (or directly access "
                    "saved tensors after they have already been freed). Saved intermediate "
                    "values of the graph are freed when you call .backward() or "
                    "autograd.grad(). Specify retain_graph=True if you need to backward through "
                    "the graph a second time or if you need to access saved tensors after "
                    "calling backward.")
            return self._to_save or ()  # forward ran without recording: tensors as given
        unpacked = []
        for entry, version in zip(saved, self._saved_versions):
            if type(entry) is _SavedOutput:
                entry = entry.unpack(self, version)
            elif entry is not None:  # an input: check it was not changed in place since
                box = entry._shared_version
                if box is not None and box[0] != version:
                    raise _modified_error(self, box[0], version, entry.dtype,
                                          entry._data.shape, _origin(entry))
                if entry._history_detached_at > self._seq:  # x.detach_() took its history
                    raise RuntimeError(
                        "Trying to use a saved tensor that has been detached in-place, i.e. "
                        "with .detach_().This is not supported, please use out-of-place "
                        "`.detach()` instead")
            unpacked.append(entry)
        return tuple(unpacked)

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that forward modified in place (their version is bumped)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that carry no gradient (for example integer indices)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """When False, backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = value

    # --- the graph protocol ---------------------------------------------------------------
    def name(self) -> str:
        return self._function._node_name()

    @property
    def next_functions(self) -> tuple:
        """One (node, output index) pair per argument of the op, as in PyTorch."""
        return tuple(zip(self._next_nodes, self._next_nrs))

    @property
    def scope(self) -> tuple:
        """Names of the nn.Modules whose forward was running when this op was recorded."""
        return self.__dict__.get("_scope", ())

    def _save_output_again(self, tensor) -> None:
        """An in-place op made ``tensor`` this node's output (``x.exp_()``): what the node
        saved of its output must now be ``tensor``'s, so that a later in-place change of
        ``tensor`` is caught."""
        if self._saved is not None:
            versions = list(self._saved_versions)
            for i, entry in enumerate(self._saved):
                if type(entry) is _SavedOutput:
                    entry.data, entry.version_box = tensor._data, tensor._version_box
                    versions[i] = tensor._version_box[0]
            self._saved_versions = tuple(versions)

    def _release(self) -> None:
        """Free saved tensors (called by the engine unless retain_graph)."""
        if self._saved is not None or self._to_save is not None:
            self._saved = self._to_save = None
            self._freed = True

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad(_GraphNode):
    """The node for a leaf tensor: adds the gradient that reaches it into ``variable.grad``."""

    next_functions = _next_nodes = _next_nrs = ()
    _seq = sys.maxsize  # leaves are accumulated as soon as they are ready, as in PyTorch
    _num_outputs = 1

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def accumulate(self, grad, create_graph: bool) -> None:
        """``variable.grad += grad``, in place when possible (the engine calls this)."""
        variable = self.variable
        if not variable._requires_grad:  # switched off after the forward pass: PyTorch skips it
            return
        if variable._grad is None:
            variable._grad = grad if create_graph else gradient_to_keep(grad)
        elif create_graph or variable._grad.requires_grad:
            variable._grad = variable._grad + grad
        else:
            variable._grad._data += grad._data
            variable._grad._bump_version()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def gradient_to_keep(grad):
    """What a leaf keeps as its first ``.grad``: a copy of the gradient that reached it. The
    gradient may be shared (``a + b`` sends one tensor to both leaves; a hook kept it), and a
    later in-place step on one ``.grad`` must not move the other. (minitorch/fast keeps the
    gradient itself when nothing else holds it.)"""
    return _tensor.Tensor._from_array(grad._data.copy())


class _RemovableHandle:
    def __init__(self, hooks: list, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class _SavedOutput:
    """An output of the node itself, saved for backward. It is kept as its data and version
    counter: holding the output Tensor would make a reference cycle (output -> grad_fn ->
    saved output). (A saved input is kept as the Tensor itself.)"""

    __slots__ = ("data", "version_box", "output_nr", "requires_grad", "history")

    def __init__(self, tensor, output_nr):
        self.data = tensor._data
        self.version_box = tensor._version_box
        self.output_nr = output_nr
        self.requires_grad = tensor.requires_grad
        # None: the unpacked output's history is the node itself. An in-place op on a view
        # sets a function giving the view's history instead (autograd/views.py)
        self.history = None

    def unpack(self, node, version):
        if self.version_box[0] != version:
            raise _modified_error(node, self.version_box[0], version,
                                  _dtype.from_numpy_dtype(self.data.dtype), self.data.shape,
                                  f"output {self.output_nr} of {node.name()}")
        out = _tensor.Tensor._from_array(self.data)
        out._version_box = self.version_box
        if self.requires_grad:
            out._requires_grad = True
            if self.history is None:
                out.grad_fn, out._output_nr = node, self.output_nr
            else:
                out.grad_fn, out._output_nr = self.history(), 0
        return out


def _origin(tensor) -> str:
    return (f"output {tensor._output_nr} of {tensor.grad_fn.name()}"
            if tensor.grad_fn is not None else "a leaf or detached tensor")


def _modified_error(node, version, expected, dtype, shape, origin) -> RuntimeError:
    """PyTorch's error for a saved tensor changed in place before backward read it."""
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{dtype} {list(shape)}], which is {origin}, is at version "
        f"{version}; expected version {expected} instead. (It was saved by {node.name()}.) "
        "Hint: replace the in-place operation by an out-of-place one, or clone() the tensor "
        "before modifying it.")


class Function:
    """Base class for differentiable operations; subclass it with static forward and backward.

    Example::

        >>> class Exp(minitorch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         result = x.exp()
        ...         ctx.save_for_backward(result)
        ...         return result
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (result,) = ctx.saved_tensors
        ...         return grad * result
        >>> y = Exp.apply(x)
    """

    # Built-in ops set this to PyTorch's node name ("MulBackward0"); custom ones get
    # "<ClassName>Backward", as in PyTorch.
    node_name: str | None = None
    # True for ops whose output is a view of their first input (reshape, transpose,
    # slicing): the output shares the input's version counter, so an in-place change
    # through either is seen by saved-tensor checks on both.
    is_view: bool = False
    # forward(ctx, ...), unless the class defines setup_context (PyTorch 2 style); set for
    # each subclass when it is defined, so that apply need not compare methods every call
    _ctx_style: bool = True

    @classmethod
    def _node_name(cls) -> str:
        return cls.node_name or f"{cls.__name__}Backward"

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def setup_context(ctx, inputs: tuple, output):
        """Optional (PyTorch 2 style): when overridden, forward takes no ctx and this fills it."""

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on ``args``; when some input requires grad (and grad mode is on),
        record a node that ``backward`` will run, and make it the outputs' ``grad_fn``."""
        if tracer is not None:
            return tracer.observe(cls, args, kwargs)
        needs_input_grad = tuple(isinstance(a, _tensor.Tensor) and a.requires_grad for a in args)
        ctx = Node(cls, needs_input_grad)
        record = grad_mode.is_grad_enabled() and any(needs_input_grad)
        if record:
            # before forward runs: an in-place forward (mark_dirty) changes its input's
            # grad_fn, and the node must point at the old one
            _connect_to_inputs(ctx, args)
        outputs = _as_tensors(_run_forward(cls, ctx, args, kwargs))
        for t in ctx._dirty:  # inputs forward changed in place
            t._bump_version()
        if cls.is_view:
            _share_version_with_base(args[0], outputs)
        if record:
            _record(ctx, outputs)
            if ctx._to_save:
                _save(ctx, outputs)
        return outputs

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._ctx_style = cls.setup_context is Function.setup_context


def broadcast_error(args) -> Exception:
    """PyTorch's RuntimeError for the first two tensor arguments whose shapes do not broadcast."""
    shapes = [a._data.shape for a in args if isinstance(a, _tensor.Tensor)]
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            ndim = max(len(a), len(b))
            # aligned from the right and checked from the last dim, numbered in the result's dims
            for dim in reversed(range(ndim)):
                sa = a[dim - ndim + len(a)] if dim >= ndim - len(a) else 1
                sb = b[dim - ndim + len(b)] if dim >= ndim - len(b) else 1
                if sa != sb and sa != 1 and sb != 1:
                    return RuntimeError(f"The size of tensor a ({sa}) must match the size of "
                                        f"tensor b ({sb}) at non-singleton dimension {dim}")
    return RuntimeError(f"shapes {[list(s) for s in shapes]} cannot be broadcast together")


def _connect_to_inputs(ctx: Node, args) -> None:
    """The node's edges to its inputs' history, and what each input looked like (the engine
    checks each gradient against its input's shape and dtype)."""
    Tensor = _tensor.Tensor
    edges = [a._edge() if isinstance(a, Tensor) else (None, 0) for a in args]
    ctx._next_nodes = tuple(node for node, _ in edges)
    ctx._next_nrs = tuple(nr for _, nr in edges)
    ctx._input_shapes = tuple(a._data.shape if isinstance(a, Tensor) else None for a in args)
    ctx._input_dtypes = tuple(a._data.dtype if isinstance(a, Tensor) else None for a in args)
    if anomaly_mode.is_anomaly_enabled():
        ctx._creation_stack = anomaly_mode.creation_stack()


def _run_forward(cls, ctx: Node, args, kwargs):
    """``forward`` with recording off: the ops inside a forward are not part of the graph."""
    previous_mode = grad_mode.is_grad_enabled()
    grad_mode._enabled = False
    try:
        if cls._ctx_style:
            return cls.forward(ctx, *args, **kwargs)
        result = cls.forward(*args, **kwargs)  # PyTorch 2 style: no ctx, then setup_context
        cls.setup_context(ctx, args, result)
        return result
    except ValueError as err:
        # NumPy's broadcasting error, in PyTorch's type and words
        if str(err).startswith("operands could not be broadcast"):
            raise broadcast_error(args) from None
        raise
    finally:
        grad_mode._enabled = previous_mode


def _as_tensors(result):
    """Built-in forwards may return arrays: each becomes a Tensor (in a tuple of outputs,
    None stays None)."""
    Tensor = _tensor.Tensor
    if type(result) is tuple:
        return tuple(o if o is None or isinstance(o, Tensor) else Tensor._from_array(o)
                     for o in result)
    return result if isinstance(result, Tensor) else Tensor._from_array(result)


def _record(ctx: Node, outputs) -> None:
    """Attach ``ctx`` as the grad_fn of the op's output, or of each of its outputs."""
    if type(outputs) is tuple:
        _record_outputs(ctx, outputs)
    else:
        _record_output(ctx, outputs)


def _share_version_with_base(base, outputs) -> None:
    """A view op's outputs (split gives several) share their input's version counter."""
    root = base if base._base is None else base._base
    # views that PyTorch forbids writing in place while recording (autograd/views.py), and
    # every view of them
    creation = base._view_creation
    if creation is None:
        if not grad_mode._enabled:
            creation = "no_grad"
        elif type(outputs) is tuple:
            creation = "multiple outputs"
    for out in (outputs if type(outputs) is tuple else (outputs,)):
        out._version_box = base._version_box
        out._base = root
        if creation is not None:
            out._view_creation = creation
        # the version its history (recorded now, or regenerated once its base requires grad)
        # belongs to (see Tensor._edge)
        out._view_version = base._version_box[0]


def _record_output(ctx: Node, out) -> None:
    """Attach ``ctx`` as the grad_fn of its one output (nearly every op)."""
    # Nothing about the output is kept here: its shape and dtype are on its consumers' nodes
    # (their _input_shapes), and a node keeps no reference to it, not even a weak one (one
    # more object per node for the garbage collector to walk; see chapter 13).
    non_differentiable = ctx._non_differentiable
    if not non_differentiable or not any(out is t for t in non_differentiable):
        out._requires_grad = True
        out.grad_fn = ctx
        out._output_nr = 0  # (an in-place op's output may have been output 2 of a split)
    if current_scope:
        ctx._scope = current_scope


def _record_outputs(ctx: Node, outputs: tuple) -> None:
    """Attach ``ctx`` as the grad_fn of several outputs, keeping what each looked like (the
    engine gives zeros to those that get no gradient)."""
    ctx._num_outputs = len(outputs)
    ctx._output_meta = tuple([None if o is None else (o._data.shape, o._data.dtype)
                              for o in outputs])
    non_differentiable = ctx._non_differentiable
    for i, out in enumerate(outputs):
        if out is None or any(out is t for t in non_differentiable):
            continue
        out._requires_grad = True
        out.grad_fn = ctx
        out._output_nr = i
    if current_scope:
        ctx._scope = current_scope


def _save(ctx: Node, outputs) -> None:
    """Turn what forward passed to save_for_backward into checked entries: each input with
    its version now, each output of the node as a _SavedOutput (no reference cycle)."""
    if type(outputs) is not tuple:
        outputs = (outputs,)
    saved, versions = [], []
    for t in ctx._to_save:
        if t is None:
            saved.append(None)
            versions.append(0)
            continue
        box = t._shared_version
        versions.append(0 if box is None else box[0])
        output_nr = None
        for i, out in enumerate(outputs):
            if out is t:
                output_nr = i
        saved.append(t if output_nr is None else _SavedOutput(t, output_nr))
    ctx._saved, ctx._saved_versions = tuple(saved), tuple(versions)
    ctx._to_save = None
