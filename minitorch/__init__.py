"""minitorch: a readable deep-learning framework with PyTorch's API, on NumPy and CuPy.

``import minitorch as torch`` runs PyTorch-style code for everything implemented here.
The public functions come from the op families in ``minitorch/ops/`` (each lists its own
in ``__all__``) and from the modules imported below.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .tensor import Tensor  # first: everything below builds on it
from ._dtype import (bool_ as bool, dtype, float16, float32, float64, get_default_dtype,  # noqa: A001
                     int8, int16, int32, int64, promote_types, result_type, set_default_dtype,
                     uint8)
from ._dtype import float16 as half, float32 as float, float64 as double  # noqa: A001
from ._dtype import int16 as short, int32 as int, int64 as long  # noqa: A001
from ._device import device
from ._size import Size
from . import autograd
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from ._creation import (arange, as_tensor, empty, empty_like, from_numpy, full, full_like,
                        get_default_device, ones, ones_like, set_default_device, tensor, zeros,
                        zeros_like)
from ._random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed,
                      rand, randint, randn, randperm, seed, set_rng_state)
from ._printing import set_printoptions
from ._conversion import clone
from .ops.pointwise import *  # noqa: F401,F403
from .ops.comparison import *  # noqa: F401,F403
from .ops.reduce import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


from . import cuda, nn, optim, utils  # noqa: E402  (they build on the tensor API above)
