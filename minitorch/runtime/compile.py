"""``minitorch.compile``: PyTorch's ``torch.compile``, as far as minitorch has a compiler.

A function (a whole training step) is traced into a flat program of NumPy calls and
replayed (``minitorch/compiler``, chapter 15). A module is returned as it is and runs
eagerly: PyTorch compiles its forward and differentiates the compiled graph, and minitorch
replays only whole steps. One visible difference for modules (see docs/deviations.md):
PyTorch wraps a compiled module in an ``OptimizedModule`` whose ``state_dict`` keys start
with ``_orig_mod.``; here the model is returned itself, keys unchanged.
"""
from __future__ import annotations


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor",  # noqa: A001
            mode=None, options=None, disable: bool = False):
    """``compile(step)`` returns a ``CompiledFunction`` that replays ``step``'s traced program;
    ``compile(module)`` returns the module; ``compile(**options)`` returns a decorator, as in
    ``@torch.compile(mode=...)``."""
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                  mode=mode, options=options, disable=disable)
    if not callable(model):  # PyTorch's check and wording
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    from ..nn.modules.module import Module
    if disable or isinstance(model, Module):
        return model
    from ..compiler import CompiledFunction
    return CompiledFunction(model)
