"""``Optimizer``: the base class that every optimizer in ``minitorch.optim`` builds on.

An optimizer holds ``param_groups`` (a list of dicts: the tensors under ``'params'`` plus
the options that apply to them, such as ``'lr'``) and ``state`` (a dict per parameter, e.g.
Adam's running averages). ``step`` is one loop shared by all of them: for each parameter
that has a gradient it negates the gradient for ``maximize``, applies weight decay, creates
the state at the first step, and hands the rest to the optimizer's ``_update``: its update
rule, written with in-place Tensor ops (``p.add_(grad, alpha=-lr)``) and nothing else.
Building the groups, ``zero_grad``, ``state_dict`` / ``load_state_dict`` in PyTorch's layout
and the printed form live here too.
"""
from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from itertools import chain
from typing import Any, Callable

import numpy as np

from ..types import dtypes as _dtype
from ..creation.factories import as_tensor, tensor
from ..autograd import grad_mode
from ..tensor import Tensor
from ._checks import typename


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

    A subclass gives its update rule as ``_update`` (and its initial state as ``_init_state``)
    and inherits ``step``; a subclass written for PyTorch, with its own ``step``, works too.

    Example::

        >>> opt = minitorch.optim.SGD([{'params': body}, {'params': head, 'lr': 1e-2}], lr=1e-3)
    """

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {typename(params)}")
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
                                f"{typename(p)}")
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
                else:  # zeros that are no longer part of any graph
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    @grad_mode.no_grad()
    def step(self, closure: Callable[[], Any] | None = None):
        """Update the parameters once from their ``.grad``. ``closure``, when given, re-evaluates
        the model (with grad enabled) and returns the loss; ``step`` returns that loss.

        What every optimizer does alike is done here, once; what differs is its ``_update``.
        Parameters without a gradient are left alone (and get no state).
        """
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p)
                if not state:  # p's first step
                    state = self._init_state(p, group)
                    if state is not None:
                        self.state[p] = state
                grad = -p.grad if group.get("maximize", False) else p.grad
                grad = decay_weights(p, grad, group)
                self._update(p, grad, state, group)
        return loss

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any] | None:
        """The state of parameter ``p`` before its first step; None (the default) for an
        optimizer that keeps none, so that ``self.state`` stays empty, as in PyTorch."""
        return None

    def _update(self, p: Tensor, grad: Tensor, state: dict[str, Any] | None,
                group: dict[str, Any]) -> None:
        """Update parameter ``p`` in place from ``grad`` (already negated for ``maximize``, with
        weight decay applied) and advance its ``state``; called under no_grad."""
        raise NotImplementedError(f"{type(self).__name__} defines neither step nor _update")

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
                state[param] = {k: loaded_state_value(param, k, v) for k, v in value.items()}
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

def decay_weights(p: Tensor, grad: Tensor, group: dict[str, Any]) -> Tensor:
    """Weight decay ``λ``, both ways; returns the gradient to use. The classic L2 penalty adds
    ``λ θ`` to the gradient; the decoupled form (AdamW's) shrinks the parameter itself,
    ``θ ← θ (1 - γ λ)``, so that the decay is not rescaled by an adaptive denominator."""
    weight_decay = group.get("weight_decay", 0)
    if weight_decay == 0:
        return grad
    if group.get("decoupled_weight_decay", False):
        p.mul_(1 - group["lr"] * weight_decay)
        return grad
    return grad.add(p, alpha=weight_decay)


def step_counter(value: float = 0.0) -> Tensor:
    """A 0-d CPU tensor counting steps: PyTorch's ``state['step']``, float32 (float64 when that
    is the default dtype), advanced in place by ``step.add_(1)``."""
    float64 = _dtype.get_default_dtype() is _dtype.float64
    return tensor(value, dtype=_dtype.float64 if float64 else _dtype.float32)


def loaded_state_value(param: Tensor, key, value):
    """A loaded state entry as this optimizer keeps it: arrays and tensors become new tensors
    (so that stepping never writes into the dict they were loaded from) on ``param``'s
    device, cast to its dtype when floating; ``step`` keeps its dtype, on the CPU."""
    if isinstance(value, dict):
        return {k: loaded_state_value(param, k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(loaded_state_value(param, None, v) for v in value)
    if key == "step" and isinstance(value, (int, float)):  # an old-style plain number
        return step_counter(float(value))
    if not isinstance(value, (Tensor, np.ndarray, np.generic)):
        return value
    value = as_tensor(np.asarray(value) if isinstance(value, np.generic) else value)
    if key == "step":
        return value.to("cpu", copy=True)
    return value.to(param.device, param.dtype if param.is_floating_point() else None, copy=True)
