"""``minitorch.compile``: record one training step as a flat program of NumPy calls, replay it.

Read in this order: ``traced.py`` (how NumPy reports every operation on an array),
``symbolic.py`` (numbers read back into Python), ``trace.py`` (writing the program),
``program.py`` (the program as Python source), ``compiled.py`` (when to trace, check and
replay). Chapter 15 builds it step by step.
"""
from .compiled import CompiledFunction
from .program import GuardFailed, Program

__all__ = ["CompiledFunction", "GuardFailed", "Program"]
