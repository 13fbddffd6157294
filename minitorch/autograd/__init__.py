"""``minitorch.autograd``: Function, the backward engine, grad modes and gradcheck."""
from __future__ import annotations

from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .function import AccumulateGrad, Function, Node
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck


def _tuple(x):
    if x is None:
        return None
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate into the leaves' ``.grad`` the gradients of ``tensors`` (a sum over them)."""
    from .engine import run_backward
    tensors = _tuple(tensors)
    grad_tensors = _tuple(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) < len(tensors):  # (extra gradients are ignored, as in PyTorch)
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grad_tensors)} gradients")
    grad_tensors = grad_tensors[:len(tensors)]
    if inputs is not None and len(_tuple(inputs)) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    run_backward(tensors, grad_tensors, retain_graph, create_graph,
                 inputs=_tuple(inputs), accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` w.r.t. ``inputs``, returned (not accumulated into ``.grad``).

    Example::

        >>> x = minitorch.tensor(3.0, requires_grad=True)
        >>> (dx,) = minitorch.autograd.grad(x ** 3, x, create_graph=True)
        >>> minitorch.autograd.grad(dx, x)   # d2/dx2 x^3 = 6x
        (tensor(18.),)
    """
    from .engine import run_backward
    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) is not implemented in minitorch")
    outputs = _tuple(outputs)
    inputs = _tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grad_outputs = _tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grad_outputs)} "
                           f"grad_outputs and {len(outputs)} outputs")
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=inputs,
                         accumulate=False, allow_unused=allow_unused)
    if materialize_grads:
        from ..creation.factories import zeros_like
        grads = [zeros_like(t) if g is None else g for g, t in zip(grads, inputs)]
    return tuple(grads)


__all__ = ["Function", "Node", "AccumulateGrad", "backward", "grad", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "gradcheck", "gradgradcheck",
           "GradcheckError", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]
