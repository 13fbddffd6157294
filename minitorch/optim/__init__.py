"""``minitorch.optim``: optimizers (and ``lr_scheduler``), with PyTorch's names, options,
state names and ``state_dict`` layout.

Each optimizer is one file whose ``_update`` is its whole update rule, in Tensor in-place ops,
with the rule in math in its docstring; the loop that calls it and the shared machinery
(parameter groups, ``zero_grad``, ``state_dict``) are in ``optimizer.py``; the schedules are
in the ``lr_scheduler`` package.
"""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .adadelta import Adadelta
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .rprop import Rprop
from .asgd import ASGD
from .lbfgs import LBFGS
from .sparse_adam import SparseAdam
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "NAdam", "RAdam", "Rprop", "ASGD", "LBFGS", "SparseAdam", "lr_scheduler"]
