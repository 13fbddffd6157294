"""``Optimizer``: the base class that every optimizer in ``minitorch.optim`` builds on.

An optimizer holds ``param_groups`` (a list of dicts: the tensors under ``'params'`` plus
the options that apply to them, such as ``'lr'``) and ``state`` (a dict per parameter, e.g.
Adam's running averages). Subclasses only write ``step``; everything else lives here:
building the groups, ``zero_grad``, ``state_dict`` / ``load_state_dict`` in PyTorch's
layout, and the printed form.

The update rules work on the raw arrays (``p._data``, ``p.grad._data``) with in-place
NumPy ufuncs (``np.multiply(buf, m, out=buf)``): that records nothing, allocates little,
and runs unchanged on CuPy arrays for CUDA parameters.
"""
from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from itertools import chain
from typing import Any, Callable

import numpy as np

from .. import _dtype, backend
from ..autograd import grad_mode
from ..tensor import Tensor


class _RequiredParameter:
    """Marks an option without a default: every group must then give it (e.g. SGD's ``lr``
    in old PyTorch versions)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts each with a
            ``'params'`` entry and per-group options that override ``defaults``.
        defaults: the options (``lr``, ...) used by groups that do not set them.

    Example::

        >>> opt = minitorch.optim.SGD([{'params': body}, {'params': head, 'lr': 1e-2}], lr=1e-3)
    """

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {_typename(params)}")
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own options) to ``param_groups``, e.g. layers
        unfrozen during fine tuning."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names

        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{_typename(p)}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        if len(set(params)) != len(params):
            # PyTorch only warns here (and plans to make it an error); so do we.
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "each duplicate is updated more than once per step", stacklevel=3)
        seen: set[Tensor] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in group) != ("param_names" in param_group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: set ``.grad`` to None (default), or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    grad = p.grad
                    grad.grad_fn, grad.requires_grad = None, False
                    grad._data[...] = 0
                    grad._bump_version()

    def step(self, closure: Callable[[], Any] | None = None):
        """Update the parameters once from their ``.grad``. ``closure``, when given, re-evaluates
        the model (with grad enabled) and returns the loss; ``step`` returns that loss."""
        raise NotImplementedError

    def register_step_pre_hook(self, hook):
        raise NotImplementedError("minitorch optimizers do not implement register_step_pre_hook")

    def register_step_post_hook(self, hook):
        raise NotImplementedError("minitorch optimizers do not implement register_step_post_hook")

    @staticmethod
    def _evaluate(closure):
        """The loss from ``closure`` (run with autograd on, since ``step`` runs under no_grad)."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # --- saving and restoring -----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``: parameters
        are replaced by their position across all groups, so the dict can be loaded into an
        optimizer over other tensors of the same shapes. State tensors are not copied."""
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index_of.setdefault(id(p), len(index_of))
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index_of[id(p)] if isinstance(p, Tensor) else p: s for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore ``state_dict()`` output (ours, or PyTorch's with tensors turned into NumPy
        arrays). State values are copied onto each parameter's device, in its dtype (except
        ``step`` counters, which keep theirs); group options are taken from the dict."""
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the "
                             "size of optimizer's group")
        param_of = dict(zip(chain.from_iterable(s["params"] for s in saved_groups),
                            chain.from_iterable(g["params"] for g in self.param_groups)))
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in param_of:
                param = param_of[key]
                state[param] = {k: _state_value(param, k, v) for k, v in value.items()}
            else:
                state[key] = value
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups

    def __getstate__(self) -> dict[str, Any]:
        # what pickling/deepcopy keeps: not the step wrapper an LR scheduler may have added
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            if i:
                lines.append("")
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"


# --- helpers shared by the optimizers -----------------------------------------------------------

def _typename(obj) -> str:
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


def _check_unsupported(name: str, *, differentiable: bool = False, fused=None,
                       capturable: bool = False) -> None:
    """The implementation switches PyTorch has and minitorch does not (``foreach`` is accepted:
    one loop over the tensors serves every setting and gives the same numbers)."""
    for option, value in (("differentiable", differentiable), ("fused", fused),
                          ("capturable", capturable)):
        if value:
            raise NotImplementedError(f"minitorch's {name} does not implement {option}=True")


def _check_nonnegative(**options) -> None:
    """PyTorch's range checks: each named option must be >= 0."""
    for name, value in options.items():
        if isinstance(value, Tensor):
            raise NotImplementedError(f"minitorch optimizers take {name} as a number, not a Tensor "
                                      f"(use float({name}))")
        if not 0.0 <= value:
            label = {"lr": "learning rate", "eps": "epsilon value"}.get(name, f"{name} value")
            raise ValueError(f"Invalid {label}: {value}")


def _check_betas(betas) -> None:
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def _new_step_counter() -> Tensor:
    """A 0-d CPU tensor counting steps (PyTorch's ``state['step']``: float32, or float64 when
    that is the default dtype)."""
    dtype = np.float64 if _dtype.get_default_dtype() is _dtype.float64 else np.float32
    return Tensor._from_array(np.zeros((), dtype))


def _advance(step: Tensor) -> float:
    """Add one to a step counter in place and return its new value as a float."""
    step._data += 1
    step._bump_version()
    return float(step._data)


def _zeros_like(p: Tensor) -> Tensor:
    """A state buffer of zeros on ``p``'s device, in ``p``'s dtype."""
    return Tensor._from_array(np.zeros_like(p._data))


def _lerp_(start, end, weight: float) -> None:
    """``start += weight * (end - start)`` in place, computed as PyTorch's lerp does: from the
    ``end`` side when ``weight >= 0.5``, which keeps the result exact at ``weight = 1``."""
    diff = end - start
    if weight < 0.5:
        np.multiply(diff, weight, out=diff)
        np.add(start, diff, out=start)
    else:
        # 1 - weight is formed in the array's dtype, after rounding weight to it, as PyTorch does
        np.multiply(diff, 1 - start.dtype.type(weight), out=diff)
        np.subtract(end, diff, out=start)


def _addcmul_(target, a, b, value: float) -> None:
    """``target += value * a * b`` in place, multiplying left to right like PyTorch's addcmul."""
    product = np.multiply(a, value)
    np.multiply(product, b, out=product)
    np.add(target, product, out=target)


def _addcdiv_(target, a, b, value: float) -> None:
    """``target += value * a / b`` in place, in PyTorch's addcdiv order."""
    quotient = np.multiply(a, value)
    np.divide(quotient, b, out=quotient)
    np.add(target, quotient, out=target)


def _state_value(param: Tensor, key, value):
    """A loaded state entry as this optimizer keeps it: arrays and tensors become new tensors
    on ``param``'s device (cast to its dtype when floating; ``step`` keeps its dtype, on the
    CPU), so that stepping never writes into the dict they were loaded from."""
    if key == "step" and not isinstance(value, (Tensor, np.ndarray, np.generic)):
        counter = _new_step_counter()  # an old-style plain number
        counter._data[...] = float(value)
        return counter
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        source = value._data if isinstance(value, Tensor) else np.asarray(value)
        if key == "step":
            return Tensor._from_array(backend.to_numpy(source).copy())
        array = source
        if param.is_floating_point():
            array = array.astype(param._data.dtype, copy=False)
        array = backend.to_device(array, param.device)
        return Tensor._from_array(array.copy() if array is source else array)
    if isinstance(value, dict):
        return {k: _state_value(param, k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_state_value(param, None, v) for v in value)
    return value


def _add_scaled_(target, x, alpha: float) -> None:
    """``target += alpha * x`` in place (PyTorch's ``add_(x, alpha=alpha)``)."""
    if alpha == 1:
        np.add(target, x, out=target)
    else:
        np.add(target, np.multiply(x, alpha), out=target)


def _decay_weights(param, grad, lr: float, weight_decay: float, decoupled: bool):
    """Weight decay, both ways: AdamW's decoupled form shrinks the parameter in place
    (``p *= 1 - lr * wd``); the classic L2 form adds ``wd * p`` to the gradient. Returns the
    gradient to use."""
    if weight_decay == 0:
        return grad
    if decoupled:
        np.multiply(param, 1 - lr * weight_decay, out=param)
        return grad
    return grad + weight_decay * param


def _update_moments(exp_avg, exp_avg_sq, grad, beta1: float, beta2: float) -> None:
    """Adam's running moments, in place: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``."""
    _lerp_(exp_avg, grad, 1 - beta1)
    np.multiply(exp_avg_sq, beta2, out=exp_avg_sq)
    _addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
