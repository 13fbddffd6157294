"""``minitorch.optim.lr_scheduler``: learning-rate schedules, with PyTorch's numbers.

A scheduler rewrites ``group['lr']`` of its optimizer's parameter groups each time its
``step()`` is called (once per epoch, or per batch for ``OneCycleLR``), after the
optimizer's ``step()``. ``last_epoch`` counts those calls; ``base_lrs`` are the groups'
``initial_lr``. Most schedules are written *recursively* (the new lr from the current one)
exactly as PyTorch writes them, so that they chain with other schedulers and round like
PyTorch's, to the last bit; ``step(epoch)`` uses the closed form where one exists.
"""
from .base import LRScheduler
from .decay import (ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR,
                    MultiplicativeLR, MultiStepLR, PolynomialLR, StepLR)
from .plateau import ReduceLROnPlateau
from .composite import ChainedScheduler, SequentialLR
from .cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR",
           "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "SequentialLR",
           "ChainedScheduler", "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts",
           "OneCycleLR"]
