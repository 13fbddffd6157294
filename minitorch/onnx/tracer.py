"""The tracer: run a model once and note every operation it performs.

Every operation goes through ``Function.apply`` (autograd/function.py). While a ``Tracer`` is
active, ``apply`` hands each call to ``Tracer.observe``, which runs it and keeps a ``Call``:
which Function, its arguments (tensors and the rest: dims, shapes, a convolution's geometry),
and its outputs. The Function's ``forward`` runs with the tracer switched off, so an operation
built from other operations (``F.gelu`` calls ``erf`` inside its forward) is noted once, as
itself: a composite op becomes one ONNX node where ONNX has one.

Like PyTorch's tracer (``torch.jit.trace``), this sees the operations of one run: Python
control flow is unrolled and sizes read with ``x.shape`` become constants.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass

from ..autograd import function
from ..tensor import Tensor
from .errors import OnnxExporterError


@dataclass
class Call:
    """One operation as the model performed it: ``cls.apply(*args, **kwargs)`` gave ``outputs``
    (a Tensor, or a tuple of them)."""

    cls: type
    args: tuple
    kwargs: dict
    outputs: object

    @property
    def output_list(self) -> tuple:
        return self.outputs if type(self.outputs) is tuple else (self.outputs,)

    @functools.cached_property
    def arguments(self) -> dict:
        """Every argument by the name ``forward`` gives it: ops pass some positionally and
        some by keyword (``LeakyRelu.apply(x, slope=0.1)``)."""
        signature = inspect.signature(self.cls.forward)
        ctx = (None,) if self.cls._ctx_style else ()
        return dict(signature.bind(*ctx, *self.args, **self.kwargs).arguments)

    def tensor_inputs(self) -> list:
        """The tensors the op read, positional or keyword (Embedding's ``indices=``)."""
        values = list(self.args) + list(self.kwargs.values())
        return [v for v in values if isinstance(v, Tensor)]


@dataclass
class SameValue:
    """Not an operation: from here on, ``tensor`` holds the value ``source`` holds (an
    in-place op gave ``tensor`` a new value, or ``tensor`` is a copy of ``source``)."""

    tensor: Tensor
    source: Tensor


class Tracer:
    """``with Tracer() as tracer: model(*args)`` leaves the model's operations in
    ``tracer.calls``, in the order they ran."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def observe(self, cls, args: tuple, kwargs: dict):
        """Run one operation (called by ``Function.apply``) and note it."""
        function.tracer = None  # the ops inside its forward are part of this one
        try:
            outputs = cls.apply(*args, **kwargs)
        finally:
            function.tracer = self
        self.calls.append(Call(cls, args, dict(kwargs), outputs))
        return outputs

    def observe_inplace(self, target: Tensor, source: Tensor, result: Tensor) -> None:
        """``target`` was overwritten with ``result``, which the last noted call computed from
        ``source``: ``target`` itself, or a copy of its old value (made when the write is
        recorded for autograd; Tensor._apply_inplace)."""
        if target._base is not None:
            raise OnnxExporterError(
                "minitorch.onnx.export: an in-place operation writes into a view (a slice or "
                "reshape of another tensor), which changes that tensor too; the exporter follows "
                "values, not memory. Use the out-of-place operation instead")
        call = self.calls.pop()
        self.calls += [SameValue(source, target), call, SameValue(target, result)]

    def __enter__(self) -> "Tracer":
        if function.tracer is not None:
            raise RuntimeError("minitorch.onnx: a model is already being traced (export is "
                               "not reentrant)")
        function.tracer = self
        return self

    def __exit__(self, *exc) -> None:
        function.tracer = None
