"""The exceptions ``minitorch.load`` raises for files it will not or cannot read.

Every one is a RuntimeError, so ``except RuntimeError`` catches any bad checkpoint. The two
that PyTorch raises as ``pickle.UnpicklingError`` (a file the weights-only unpickler refuses,
a file that is no checkpoint at all) are that too, so code written for either library works.
"""
from __future__ import annotations

import pickle


class CheckpointError(RuntimeError):
    """The file is damaged, truncated, or describes data it does not hold."""


class UnpicklingError(pickle.UnpicklingError, RuntimeError):
    """The pickle inside the file asks for something the weights-only unpickler refuses, or
    is not a well-formed pickle."""


class NotACheckpointError(UnpicklingError):
    """The file is neither a PyTorch/minitorch zip checkpoint nor a pickle."""
