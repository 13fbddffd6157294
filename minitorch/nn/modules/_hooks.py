"""The machinery behind Module hooks: removable handles, and the module backward hooks.

A full backward hook needs the gradients w.r.t. a module's inputs and outputs, which no
single node of the graph holds. So the module's tensor inputs, and then its outputs, each
pass through one identity node (``_BackwardHookIdentity``): in backward, the output node
sees ``grad_output`` first, then the input node sees ``grad_input`` and calls the hooks.
"""
from __future__ import annotations

import itertools
import warnings

from ...autograd import grad_mode
from ...autograd.function import Function
from ...tensor import Tensor


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods: ``handle.remove()`` unregisters the hook."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict: dict):
        self.hooks_dict = hooks_dict
        self.id = next(RemovableHandle._next_id)

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class _BackwardHookState:
    """One call's backward hooks: wraps the inputs and outputs, and later hands the
    gradients that pass through to the module's hooks (which may replace them)."""

    def __init__(self, module):
        self.module = module
        self.grad_output = None
        self.n_inputs = 0
        self.tracked = []
        self.fill = []
        self.inputs_require_grad = False

    def wrap_inputs(self, args: tuple) -> tuple:
        # only inputs that require grad pass through the node (others must stay as they are);
        # the hooks get zeros for the other tensor inputs and None for non-tensor ones
        self.tracked = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        self.fill = [a.detach() if isinstance(a, Tensor) else None for a in args]
        self.n_inputs = len(args)
        self.inputs_require_grad = bool(self.tracked)
        if not self.module._backward_hooks or not self.tracked or not grad_mode.is_grad_enabled():
            return args
        wrapped = _BackwardHookIdentity.apply(self._on_grad_input, *(args[i] for i in self.tracked))
        if not isinstance(wrapped, tuple):
            wrapped = (wrapped,)
        args = list(args)
        for i, t in zip(self.tracked, wrapped):
            args[i] = t
        return tuple(args)

    def wrap_outputs(self, output):
        single = isinstance(output, Tensor)
        outputs = (output,) if single else output
        if not isinstance(outputs, tuple) or not grad_mode.is_grad_enabled():
            return output
        positions = [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.requires_grad]
        if not positions:
            return output
        wrapped = _BackwardHookIdentity.apply(self._on_grad_output, *(outputs[i] for i in positions))
        if not isinstance(wrapped, tuple):
            wrapped = (wrapped,)
        outputs = list(outputs)
        for i, t in zip(positions, wrapped):
            outputs[i] = t
        return outputs[0] if single else tuple(outputs)

    def _on_grad_output(self, grads: tuple) -> tuple:
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grads)
            if result is not None:
                grads = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        self.grad_output = grads
        if not self.inputs_require_grad and self.module._backward_hooks:
            # no input gradient will ever be computed: the hooks see None for grad_input
            warnings.warn("Full backward hook is firing when gradients are computed with respect "
                          "to module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html#torch."
                          "nn.Module.register_full_backward_hook for more details.")
            for hook in list(self.module._backward_hooks.values()):
                hook(self.module, (None,) * self.n_inputs, grads)
        return grads

    def _on_grad_input(self, grads: tuple) -> tuple:
        from ...creation.factories import zeros_like
        full = [None if t is None else zeros_like(t) for t in self.fill]
        for i, g in zip(self.tracked, grads):
            full[i] = g
        full = tuple(full)
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, full, self.grad_output)
            if result is not None:
                result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
                if len(result) != len(full):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                       f"got {len(result)}, but expected {len(full)}")
                full = result
        return tuple(full[i] for i in self.tracked)


class _BackwardHookIdentity(Function):
    """Passes its tensors through unchanged; in backward, hands their gradients to a callback
    that may replace them (the mechanism behind the module backward hooks)."""

    node_name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx, callback, *tensors):
        ctx.callback = callback
        outputs = []
        for t in tensors:
            alias = Tensor._from_array(t._data)
            alias._version_box = t._version_box
            outputs.append(alias)
        return tuple(outputs) if len(outputs) != 1 else outputs[0]

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.callback(tuple(grads)))
