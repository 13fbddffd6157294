"""Grad modes: whether operations are recorded on the tape.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work as context
managers and as decorators, exactly like PyTorch's. The switch is one module-level flag
read by ``Function.apply`` on every operation, so it must stay a plain global.
"""
from __future__ import annotations

import functools

_enabled = True


def is_grad_enabled() -> bool:
    return _enabled


def _set(mode: bool) -> None:
    global _enabled
    _enabled = bool(mode)


class _GradModeContext:
    """Base: sets the flag on enter, restores the previous value on exit; also a decorator."""

    _mode = True

    def __enter__(self):
        self._previous = _enabled
        _set(self._mode)
        return self

    def __exit__(self, *exc_info):
        _set(self._previous)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradModeContext):
    """Do not record operations: results have ``requires_grad=False``.

    Example::

        >>> with minitorch.no_grad():
        ...     w -= lr * w.grad
    """

    _mode = False


class enable_grad(_GradModeContext):
    """Record operations again inside a ``no_grad`` region."""

    _mode = True


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (minitorch has no separate inference tensors); ``inference_mode(False)`` is a no-op."""

    def __init__(self, mode: bool = True):
        self._mode = not mode
        self._active = mode

    def __enter__(self):
        self._previous = _enabled
        if self._active:
            _set(False)
        return self

    def __call__(self, func):
        if not callable(func):  # inference_mode(True) used as @inference_mode(True)
            raise TypeError("inference_mode expects a function to decorate")
        active = self._active

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(active):
                return func(*args, **kwargs)
        return wrapper


class set_grad_enabled(_GradModeContext):
    """Turn recording on or off: as a function call, a context manager, or a decorator."""

    def __init__(self, mode: bool):
        self._previous = _enabled
        self._mode = bool(mode)
        _set(mode)  # takes effect immediately, like torch.set_grad_enabled(False)

    def __enter__(self):
        return self

    def __call__(self, func):
        _set(self._previous)  # used as a decorator: the call above must not stick
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper
