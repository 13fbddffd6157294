"""Anomaly detection: find the forward operation whose backward produced NaN.

With anomaly mode on, every recorded node keeps the Python stack of the forward call that
created it, and the engine checks every gradient a backward function returns. The first
NaN raises a RuntimeError naming the backward function and showing where its forward op
was created: the line of *your* code to look at. It costs time on every op; use it to debug.
"""
from __future__ import annotations

import functools
import traceback

_enabled = False


def is_anomaly_enabled() -> bool:
    return _enabled


class set_detect_anomaly:
    """Turn anomaly detection on or off: a call, a context manager, or a decorator."""

    def __init__(self, mode: bool):
        global _enabled
        self._previous = _enabled
        _enabled = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        global _enabled
        _enabled = self._previous
        return False

    def __call__(self, func):
        global _enabled
        mode, _enabled = _enabled, self._previous  # as a decorator: apply per call

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_detect_anomaly(mode):
                return func(*args, **kwargs)
        return wrapper


class detect_anomaly(set_detect_anomaly):
    """``with minitorch.autograd.detect_anomaly(): loss.backward()``."""

    def __init__(self, check_nan: bool = True):
        super().__init__(check_nan)


def creation_stack() -> list:
    """The caller's stack (minus minitorch's own frames), recorded on nodes in anomaly mode."""
    frames = traceback.extract_stack()[:-1]
    user = [f for f in frames if "/minitorch/" not in f.filename.replace("\\", "/")]
    return traceback.format_list(user or frames)


def check_gradients(node, grad_inputs) -> None:
    """Raise if a backward function returned NaN, showing where its forward op was created."""
    from ..backend import namespace
    for i, g in enumerate(grad_inputs):
        if g is None or g._data.dtype.kind != "f":
            continue
        if bool(namespace(g._data).isnan(g._data).any()):
            where = "".join(node.__dict__.get("_creation_stack", ["  (created before anomaly mode was enabled)\n"]))
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output.\n"
                f"The forward operation that created {node.name()} was called from:\n{where}")
