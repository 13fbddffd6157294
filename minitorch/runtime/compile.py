"""``minitorch.compile``: PyTorch's graph compiler, which minitorch does not have.

A compiled model computes what the eager model computes, so ``compile`` returns its argument
unchanged and minitorch runs it eagerly. One visible difference (see docs/deviations.md):
PyTorch wraps a compiled module in an ``OptimizedModule`` whose ``state_dict`` keys start
with ``_orig_mod.``; here the model is returned itself, keys unchanged.
"""
from __future__ import annotations


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor",  # noqa: A001
            mode=None, options=None, disable: bool = False):
    """``compile(model)`` returns ``model``; ``compile(**options)`` returns a decorator that
    does the same, as in ``@torch.compile(mode=...)``."""
    if model is None:
        return lambda fn: fn
    if not callable(model):  # PyTorch's check and wording
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model
