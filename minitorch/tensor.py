"""``minitorch.Tensor``: an n-dimensional array that can record the operations applied to it.

A Tensor holds:

* ``_data``: the values, a NumPy array (CPU) or a CuPy array (CUDA); dtype, device and
  shape are read from it, so they can never disagree with the data;
* ``requires_grad`` / ``grad_fn`` / ``grad``: its place in autograd (``grad_fn`` is the
  Node that produced it, None for leaves);
* ``_version_box``: a one-element list counting in-place changes, shared with every view
  of the same memory, so that a saved tensor modified in place is detected in backward.
  Most tensors are never changed in place, viewed or saved as an output, so the list is
  only made when one of those first needs it (``_version`` reads 0 until then).

The operations themselves live in ``minitorch/ops/`` grouped by family, and they import
this module; the methods that are exactly those functions (``x.exp()`` is
``minitorch.exp(x)``) are attached in ``tensor_methods.py``, one line each.
"""
from __future__ import annotations

import warnings
import weakref

import numpy as np

from . import backend
from .types import dtypes as _dtype
from .types.devices import device as _device_cls
from .types.size import Size
from .autograd import engine as _engine, function as _autograd_function, grad_mode
from .autograd.function import AccumulateGrad


_NO_EDGE = (None, 0)  # next_functions entry of an input without history


class Tensor:
    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_output_nr", "_shared_version",
                 "_base", "_accumulator", "__dict__", "__weakref__")

    _tensor_hooks = ()  # register_hook on a leaf makes an instance list (see the engine)
    # when detach_() took this tensor's history away (a node number): a node recorded
    # before then that saved it refuses it in backward, as PyTorch does
    _history_detached_at = -1
    # how a view was made, when that forbids writing it in place while recording (set per
    # view by Function.apply; see autograd/views.py): None, "no_grad" or "multiple outputs"
    _view_creation = None

    # NumPy must leave `ndarray (op) Tensor` to our reflected operators.
    __array_ufunc__ = None
    __array_priority__ = 1000

    def __init__(self, *args, dtype=None, device=None):
        """Legacy constructor: ``Tensor([1, 2])`` copies data as float32, ``Tensor(2, 3)``
        allocates an uninitialised 2x3 tensor. Prefer ``minitorch.tensor``."""
        from .creation.factories import _array_from_data
        dtype = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            array = _array_from_data(args[0], dtype)
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            array = np.empty(tuple(int(s) for s in shape), dtype=dtype.numpy)
        if device is not None:
            array = backend.to_device(array, _device_cls(device))
        self._init(array)

    def _init(self, array, requires_grad=False):
        self._data = array
        self._requires_grad = requires_grad
        self._grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._shared_version = None
        self._base = None

    @classmethod
    def _from_array(cls, array, requires_grad=False) -> "Tensor":
        """Wrap an array without copying (the fast path every op uses)."""
        if isinstance(array, np.generic):  # NumPy turns 0-d results into scalars
            array = np.asarray(array)
        t = object.__new__(cls)
        # the fields of _init, inlined: this runs for every result of every operation
        t._data = array
        t._requires_grad = requires_grad
        t._grad = None
        t.grad_fn = None
        t._output_nr = 0
        t._shared_version = None
        t._base = None
        return t

    # --- what the data looks like ------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        from .ops._helpers import normalize_dim
        return self._data.shape[normalize_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def ndimension(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> _device_cls:
        return backend.device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def _xp(self):
        return backend.namespace(self._data)

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def stride(self, dim: int | None = None):
        """Strides in elements, as PyTorch reports them (NumPy's are in bytes).

        NumPy gives a new size-1 axis (``x[:, None]``) stride 0; PyTorch gives it the stride
        it would have in a row-major layout of the dims after it, so that is reported instead.
        """
        itemsize = self._data.itemsize
        shape = self._data.shape
        strides = [s // itemsize for s in self._data.strides]
        for d in range(len(shape) - 1, -1, -1):
            if shape[d] == 1 and strides[d] == 0:
                strides[d] = strides[d + 1] * max(shape[d + 1], 1) if d + 1 < len(shape) else 1
        strides = tuple(strides)
        if dim is None:
            return strides
        from .ops._helpers import normalize_dim
        return strides[normalize_dim(dim, self._data.ndim)]

    def is_contiguous(self, *, memory_format=None) -> bool:
        """True when the elements are laid out row-major without gaps (PyTorch's rule: size-1
        dims are ignored, and a tensor without elements is contiguous)."""
        if self._data.size == 0:
            return True
        itemsize = self._data.itemsize
        expected = 1
        for size, stride in zip(reversed(self._data.shape), reversed(self._data.strides)):
            if size != 1 and stride != expected * itemsize:
                return False
            expected *= size
        return True

    def data_ptr(self) -> int:
        return backend.data_address(self._data)

    # --- autograd state ------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Set on this tensor, or, for a view, on its base (as in PyTorch: a view taken before
        its base required grad requires grad too, though no history links the two until one
        of them is written in place; see ``_edge``)."""
        if self._requires_grad:
            return True
        base = self._base
        return base is not None and base._requires_grad

    @requires_grad.setter
    def requires_grad(self, requires_grad: bool) -> None:
        """``x.requires_grad = flag``: leaves only, and only floating dtypes can require grad."""
        if self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. To "
                               "use a computed value without gradient, use value.detach().")
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(f"only Tensors of floating point dtype (or complex) can require "
                               f"gradients, got {self.dtype}")
        self._requires_grad = bool(requires_grad)

    @property
    def grad(self):
        """The gradient accumulated by backward (None until one reaches this tensor)."""
        if self._grad is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: expected "
                                   f"{list(self._data.shape)}, got {list(value._data.shape)}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: expected "
                                   f"{self.dtype}, got {value.dtype}")
            if value.device != self.device:
                raise RuntimeError(f"assigned grad has data located on a different device: "
                                   f"expected {self.device}, got {value.device}")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def is_leaf(self) -> bool:
        if self._base is not None:  # a view whose base was written in place since: PyTorch
            self._edge()  # regenerates its history when this is read (not when grad_fn is)
        return self.grad_fn is None

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def _version(self) -> int:
        box = self._shared_version
        return 0 if box is None else box[0]

    def _bump_version(self) -> None:
        box = self._shared_version
        if box is None:
            self._shared_version = [1]
        else:
            box[0] += 1

    @property
    def _version_box(self) -> list:
        """The version counter itself, made on first use, to be shared (views, saved outputs)."""
        box = self._shared_version
        if box is None:
            box = self._shared_version = [0]
        return box

    @_version_box.setter
    def _version_box(self, box: list) -> None:
        self._shared_version = box

    @property
    def retains_grad(self) -> bool:
        return bool(self.__dict__.get("_retains_grad"))

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place (leaves only, floating dtypes only)."""
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you "
                               "want to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if self.grad_fn is None:  # (a non-leaf already requires grad)
            self.requires_grad = requires_grad
        return self

    def _edge(self):
        """(node, output index) that a consumer's ``next_functions`` entry points to."""
        grad_fn = self.grad_fn
        base = self._base
        if base is not None and (grad_fn is not None or base._requires_grad) and \
                self._version_box[0] != self.__dict__.get("_view_version", self._version_box[0]):
            # a view whose base changed in place since the view's history was recorded (or,
            # with none, since the view was taken): its history is regenerated on top of the
            # base's (autograd/views.py)
            from .autograd.views import refresh_stale_view
            refresh_stale_view(self)
            return self.grad_fn, 0
        if grad_fn is not None:
            return grad_fn, self._output_nr
        if self._requires_grad:  # (a view that requires grad through its base alone has no edge)
            try:  # the leaf's accumulator, when one is alive (_grad_accumulator, inlined)
                accumulator = self._accumulator()
            except AttributeError:
                accumulator = None
            return accumulator or self._grad_accumulator(), 0
        return _NO_EDGE

    def _grad_accumulator(self) -> AccumulateGrad:
        """The leaf's AccumulateGrad node, shared by every graph that uses this leaf.

        The tensor holds it weakly (the graph holds it strongly), so it lives as long as some
        recorded graph needs it and no cycle tensor -> node -> tensor is formed.
        """
        try:
            node = self._accumulator()
        except AttributeError:  # never made
            node = None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)
        return node

    def backward(self, gradient: Tensor | None = None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Compute the gradient of this tensor w.r.t. the graph leaves, into their ``.grad``.

        Args:
            gradient: d(something)/d(self); may be omitted only for a single-element tensor.
            retain_graph: keep saved tensors so backward can run again (defaults to create_graph).
            create_graph: record the backward pass, making gradients differentiable.
            inputs: accumulate only into these leaves.
        """
        if isinstance(inputs, Tensor):
            inputs = (inputs,)
        if inputs is not None and len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        _engine.run_backward((self,), (gradient,), retain_graph, create_graph,
                     inputs=None if inputs is None else tuple(inputs), accumulate=True)

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self.__dict__.get("_retains_grad"):
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def store(grad):
            tensor = ref()
            if tensor is not None:
                if tensor._grad is None:
                    tensor._grad = grad.detach().clone() if not grad.requires_grad else grad
                else:
                    tensor._grad = tensor._grad + grad
        self.grad_fn.__dict__.setdefault("_tensor_hooks", []).append((self._output_nr, store))

    def register_hook(self, hook):
        """``hook(grad)`` runs when the gradient w.r.t. this tensor is computed; it may return a
        replacement gradient. Returns a handle with ``remove()``."""
        from .autograd.function import _RemovableHandle
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            hooks = self.__dict__.setdefault("_tensor_hooks", [])
            hooks.append(hook)
            return _RemovableHandle(hooks, hook)
        hooks = self.grad_fn.__dict__.setdefault("_tensor_hooks", [])
        entry = (self._output_nr, hook)
        hooks.append(entry)
        return _RemovableHandle(hooks, entry)

    def detach(self) -> "Tensor":
        """A new tensor over the same data, outside the graph (shares the version counter)."""
        out = Tensor._from_array(self._data)
        out._version_box = self._version_box
        return out

    def detach_(self) -> "Tensor":
        if self._base is not None:  # (any view, as in PyTorch)
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        if self.grad_fn is not None:
            from .autograd.function import _sequence
            self._history_detached_at = next(_sequence)
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> "Tensor":
        """The values as a tensor outside the graph (PyTorch's ``.data``; prefer ``detach()``).
        Unlike ``detach()`` it has its own version counter, as in PyTorch: ``x.data.mul_(10)``
        between forward and backward goes unnoticed, and the gradient uses the new values."""
        return Tensor._from_array(self._data)

    @data.setter
    def data(self, value: "Tensor") -> None:
        if self.requires_grad and value._data.dtype.kind not in "fc":
            raise RuntimeError(f"data set to a tensor that requires gradients must be floating "
                               f"point or complex dtype (got {value.dtype})")
        self._data = value._data

    # --- in-place ops ------------------------------------------------------------------------
    def _check_inplace(self) -> None:
        if grad_mode._enabled:
            base = self._base
            if base is not None and (base.requires_grad or self._requires_grad) and base.grad_fn is None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                                   "an in-place operation.")
            # (a view requiring grad through its base alone is checked when the op is recorded)
            if self._requires_grad and self.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")

    def _inplace_is_recorded(self, args) -> bool:
        """Must an in-place op on this tensor with ``args`` be recorded? (A view of a tensor
        that requires grad is, as in PyTorch, even when the view itself does not.)"""
        base = self._base
        return grad_mode._enabled and (
            self.requires_grad or (base is not None and base.requires_grad)
            or any(isinstance(a, Tensor) and a.requires_grad for a in args))

    def _apply_inplace(self, function, *args) -> "Tensor":
        """Run ``function(self, *args)`` and write the result into this tensor's memory.

        When the graph must record it, the op is applied to a copy of the old value (which
        the node may save) and this tensor takes over the result's history, as PyTorch's
        in-place ops do. When this tensor is a view, its base changed too, and both get new
        histories (``autograd/views.py``).
        """
        self._check_inplace()
        if function.__name__ not in _WRITES_ONE_VALUE:  # setitem and copy_ check their region
            check_no_internal_overlap(self._data)
            for a in args:
                if isinstance(a, Tensor):
                    check_no_partial_overlap(self._data, a._data)
        record = self._inplace_is_recorded(args)
        if record:
            if self._base is not None:
                from .autograd.views import check_writable_view
                check_writable_view(self)
            old = Tensor._from_array(self._data.copy(), self.requires_grad)
            if self.requires_grad:
                old.grad_fn, old._output_nr = self._edge()
            result = function.apply(old, *args)
        else:
            with grad_mode.no_grad():
                result = function.apply(self, *args)
        _check_inplace_dtype(result, self)
        if result._data.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(result._data.shape)}")
        write_back = getattr(function, "write_back", None)  # (index_put writes a region only)
        if write_back is None:
            self._data[...] = result._data
        else:
            write_back(self._data, result._data, *args)
        self._bump_version()
        if _autograd_function.tracer is not None:  # minitorch.onnx: this tensor has a new value
            _autograd_function.tracer.observe_inplace(self, old if record else self, result)
        if record:
            self.grad_fn, self._output_nr = result.grad_fn, 0
            self.grad_fn._save_output_again(self)
            if self._base is None:
                self._requires_grad = True
            else:  # the base changed too: it and the view get new histories (autograd/views.py)
                from .autograd.views import write_through_view
                write_through_view(self, result.grad_fn)
        return self

    def add_(self, other, *, alpha=1) -> "Tensor":
        from .ops.pointwise import Add, times_alpha
        return self._apply_inplace(Add, other if type(alpha) is int and alpha == 1
                                   else times_alpha(self, other, alpha))

    def sub_(self, other, *, alpha=1) -> "Tensor":
        from .ops.pointwise import Sub, _check_no_bool_subtraction, times_alpha
        _check_no_bool_subtraction(self, other, self, other)
        return self._apply_inplace(Sub, other if type(alpha) is int and alpha == 1
                                   else times_alpha(self, other, alpha))

    def mul_(self, other) -> "Tensor":
        from .ops.pointwise import Mul
        return self._apply_inplace(Mul, other)

    def div_(self, other) -> "Tensor":
        from .ops.pointwise import Div
        return self._apply_inplace(Div, other)

    def pow_(self, exponent) -> "Tensor":
        from .ops.pointwise import Pow
        return self._apply_inplace(Pow, exponent)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ipow__ = pow_

    def zero_(self) -> "Tensor":
        """Set every element to zero in place."""
        from .creation.factories import Zero
        return self._apply_inplace(Zero, 0)

    def fill_(self, value: Tensor | Number) -> "Tensor":
        """Set every element to ``value`` (a number or a 0-d tensor) in place; the value is
        cast to this tensor's dtype (``int_tensor.fill_(2.7)`` holds 2)."""
        from .creation.factories import Fill, FillWithTensor
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                                   f"with {value.ndim} dimensions.")
            return self._apply_inplace(FillWithTensor, value)
        return self._apply_inplace(Fill, value)

    # random fills: values drawn on the CPU (see minitorch/random/distributions.py), written in place
    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator=None) -> "Tensor":
        """Fill with samples from the uniform distribution on [from_, to)."""
        from .random.distributions import uniform_
        return uniform_(self, from_, to, generator=generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> "Tensor":
        """Fill with samples from the normal distribution N(mean, std**2)."""
        from .random.distributions import normal_
        return normal_(self, mean, std, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None) -> "Tensor":
        """Fill with 0/1 samples, 1 with probability ``p`` (a number or a tensor)."""
        from .random.distributions import bernoulli_
        return bernoulli_(self, p, generator=generator)

    def random_(self, from_: int = 0, to: int | None = None, *, generator=None) -> "Tensor":
        """Fill with integers drawn uniformly from [from_, to) (see ``minitorch.random.distributions.random_``)."""
        from .random.distributions import random_
        return random_(self, from_, to, generator=generator)

    def exponential_(self, lambd: float = 1.0, *, generator=None) -> "Tensor":
        """Fill with samples from the exponential distribution of rate ``lambd``."""
        from .random.distributions import exponential_
        return exponential_(self, lambd, generator=generator)

    def copy_(self, src, non_blocking=False) -> "Tensor":
        """Copy ``src`` (broadcast, cast, moved across devices) into this tensor in place."""
        from .ops.indexing import IndexPut
        if not isinstance(src, Tensor):
            raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
        if src.device != self.device:
            src = src.to(self.device)
        try:
            np.broadcast_shapes(src._data.shape, self._data.shape)
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self.ndim else 1}) "
                               f"must match the size of tensor b ({src._data.shape[-1]}) at "
                               "non-singleton dimension 0") from None
        check_no_internal_overlap(self._data)
        check_no_partial_overlap(self._data, src._data)
        if src._data.dtype != self._data.dtype:
            src = src.to(self.dtype)
        return self._apply_inplace(IndexPut, src, (Ellipsis,))

    # x[key] and x[key] = value: indexing.getitem / setitem (attached in tensor_methods.py)

    # --- conversions -----------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a NumPy array sharing memory (CPU tensors that do not require grad);
        ``force=True`` detaches and copies from the GPU instead of refusing."""
        if force:
            return backend.to_numpy(self._data)
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if not isinstance(self._data, np.ndarray):
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __dlpack__(self, **kwargs):
        """Export the data as a DLPack capsule (consumers: ``torch.from_dlpack``,
        ``np.from_dlpack``, ``minitorch.from_dlpack``); no copy is made."""
        if self.requires_grad:  # BufferError: the exception the DLPack protocol specifies
            raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
        return self._data.__dlpack__(**{k: v for k, v in kwargs.items() if v is not None})

    def __dlpack_device__(self) -> tuple:
        return self._data.__dlpack_device__()

    def item(self):
        """The single value as a Python number (copies from the GPU when needed)."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item() if isinstance(self._data, np.ndarray) else \
            backend.to_numpy(self._data).reshape(()).item()

    def tolist(self):
        """The values as (nested lists of) Python numbers; a 0-d tensor gives a number."""
        return backend.to_numpy(self._data).tolist()

    def _python_scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self) -> float:
        return float(self._python_scalar())

    def __int__(self) -> int:
        return int(self._python_scalar())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def to(self, *args, **kwargs) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``, each with
        ``copy=``; returns ``self`` when nothing changes; differentiable."""
        from .creation.conversion import to
        return to(self, *args, **kwargs)

    def clone(self, *, memory_format=None) -> "Tensor":
        from .creation.conversion import clone
        return clone(self)

    def pin_memory(self, device: device | None = None) -> "Tensor":
        """A copy in memory a GPU can read directly, for faster ``.to('cuda', non_blocking=True)``.

        PyTorch refuses when no GPU is present, and so does minitorch. With a GPU the copy is
        ordinary memory (NumPy cannot page-lock it): the transfer just takes the usual path,
        and ``is_pinned()`` stays False (see docs/deviations.md).
        """
        from . import cuda
        if not cuda.is_available():
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if self.is_cuda:
            raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
        return self.clone()

    def is_pinned(self, device: device | None = None) -> bool:
        """Always False: minitorch never page-locks memory (see ``pin_memory``)."""
        return False

    def type(self, dtype=None, non_blocking: bool = False):
        """Without ``dtype``, the type name (``'minitorch.FloatTensor'``); with a dtype or such a
        name, the tensor cast to it."""
        if dtype is None:
            cuda = ".cuda" if self.is_cuda else ""
            return f"minitorch{cuda}.{self.dtype._torch_name}Tensor"
        if isinstance(dtype, str):
            by_name = {f"{prefix}.{d._torch_name}Tensor": d for d in _dtype.ALL_DTYPES
                       for prefix in ("minitorch", "torch")}
            if dtype not in by_name:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = by_name[dtype]
        return self.to(_dtype.to_dtype(dtype))

    def float(self, *, memory_format=None):
        return self.to(_dtype.float32)

    def double(self, *, memory_format=None):
        return self.to(_dtype.float64)

    def half(self, *, memory_format=None):
        return self.to(_dtype.float16)

    def long(self, *, memory_format=None):
        return self.to(_dtype.int64)

    def int(self, *, memory_format=None):
        return self.to(_dtype.int32)

    def short(self, *, memory_format=None):
        return self.to(_dtype.int16)

    def char(self, *, memory_format=None):
        return self.to(_dtype.int8)

    def bool(self, *, memory_format=None):
        return self.to(_dtype.bool_)

    def byte(self, *, memory_format=None):
        return self.to(_dtype.uint8)

    def cpu(self, *, memory_format=None):
        return self.to("cpu")

    def cuda(self, device: device | None = None, non_blocking: bool = False, *, memory_format=None):
        """A copy on a GPU (``self`` if already there); RuntimeError saying why when no GPU
        can be used."""
        return self.to("cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))

    # new tensors with this tensor's dtype and device unless given
    def new_tensor(self, data, *, dtype=None, device=None, requires_grad: bool = False) -> "Tensor":
        from .creation.factories import tensor
        return tensor(data, dtype=self.dtype if dtype is None else dtype,
                      device=self.device if device is None else device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False) -> "Tensor":
        from .creation.factories import zeros
        return zeros(*size, dtype=self.dtype if dtype is None else dtype,
                     device=self.device if device is None else device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False) -> "Tensor":
        from .creation.factories import ones
        return ones(*size, dtype=self.dtype if dtype is None else dtype,
                    device=self.device if device is None else device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False) -> "Tensor":
        from .creation.factories import empty
        return empty(*size, dtype=self.dtype if dtype is None else dtype,
                     device=self.device if device is None else device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None,
                 requires_grad: bool = False) -> "Tensor":
        from .creation.factories import full
        return full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                    device=self.device if device is None else device, requires_grad=requires_grad)

    def __repr__(self) -> str:
        from .runtime.printing import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        # As PyTorch: a 0-d tensor formats as its Python number (f"{loss}" prints 32.0, not
        # tensor(32.)); any other tensor accepts only the empty spec, like a plain object
        # (object.__format__ raises TypeError naming Tensor.__format__ for the rest).
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        # pickling (DataLoader workers, copy.deepcopy): values and requires_grad, never the graph
        return (_rebuild_tensor, (backend.to_numpy(self._data), str(self.device), self.requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.")
        out = type(self).__new__(type(self))
        out._init(self._data.copy(), self.requires_grad)
        if self._grad is not None:
            out._grad = Tensor._from_array(self._grad._data.copy())
        out.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")})
        memo[id(self)] = out
        return out


def _dense(array) -> bool:
    """Whether the elements fill their memory span exactly once (some order of dims is C order)."""
    step = array.itemsize
    for stride, size in sorted((abs(st), sz) for st, sz in zip(array.strides, array.shape) if sz != 1):
        if stride != step:
            return False
        step *= size
    return True


# In-place ops that write one value everywhere (or index_put): PyTorch lets them write into a
# tensor whose elements share memory (an expand()ed tensor); the others it refuses.
_WRITES_ONE_VALUE = frozenset({"IndexPut", "Fill", "FillWithTensor", "Zero"})


def check_no_internal_overlap(written) -> None:
    """PyTorch's refusal to compute in place into a tensor whose elements share memory (a
    stride-0 dim of size > 1, as ``expand`` makes): the result would depend on write order."""
    if not written.size:  # no elements, nothing shared (NumPy may give such dims stride 0)
        return
    for stride, size in zip(written.strides, written.shape):
        if stride == 0 and size > 1:
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")


def check_no_partial_overlap(written, source) -> None:
    """PyTorch's refusal of an in-place write whose input shares some, but not exactly the same,
    memory with the written elements (the result would depend on the order of the writes).
    Like PyTorch, only decided when both are dense; checked for CPU arrays only."""
    if written is source or type(written) is not np.ndarray or type(source) is not np.ndarray \
            or not written.size or not source.size or not np.may_share_memory(written, source):
        return
    if not backend.same_elements(written, source) and _dense(written) and _dense(source):
        raise RuntimeError("unsupported operation: some elements of the input tensor and the "
                           "written-to tensor refer to a single memory location. Please clone() "
                           "the tensor before performing the operation.")


def _check_inplace_dtype(result: Tensor, target: Tensor) -> None:
    """In-place results must fit the target's dtype without changing category (PyTorch's rule)."""
    r, t = result.dtype, target.dtype
    if r is not t and r._category > t._category:
        raise RuntimeError(f"result type {r._torch_name} can't be cast to the desired "
                           f"output type {t._torch_name}")


def _rebuild_tensor(array, device_name, requires_grad):
    t = Tensor._from_array(backend.to_device(array, _device_cls(device_name)))
    t.requires_grad = requires_grad
    return t

