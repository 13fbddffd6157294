"""minitorch: a readable deep-learning framework with PyTorch's API, on NumPy and CuPy.

``import minitorch as torch`` runs PyTorch-style code for everything implemented here.
The public functions come from the op families in ``minitorch/ops/`` (each lists its own
in ``__all__``) and from the modules imported below.
"""
from __future__ import annotations

__version__ = "0.1.0"

import os as _os
import sys as _sys

import numpy as _np

# PyTorch computes inf/nan silently (1/0, log(0), exp overflow); NumPy warns by default.
# minitorch follows PyTorch, so it switches NumPy's floating-point warnings off when
# imported (a process-wide NumPy setting: see docs/deviations.md).
_np.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")

from .tensor import Tensor  # first: everything below builds on it
from . import tensor_methods  # x.exp() & co. (the op functions, as methods)
from .types.dtypes import (bool_ as bool, dtype, float16, float32, float64, get_default_dtype,  # noqa: A001
                           int8, int16, int32, int64, promote_types, result_type, set_default_dtype,
                           uint8)
from .types.dtypes import float16 as half, float32 as float, float64 as double  # noqa: A001
from .types.dtypes import int16 as short, int32 as int, int64 as long  # noqa: A001
from .types.devices import device
from .types.size import Size
from . import autograd
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation.factories import (arange, as_tensor, asarray, empty, empty_like, eye, from_numpy, full,
                                 full_like, get_default_device, linspace, logspace, ones, ones_like,
                                 scalar_tensor, set_default_device, tensor, zeros, zeros_like)
from .random.generator import (Generator, bernoulli, default_generator, get_rng_state, initial_seed,
                               manual_seed, multinomial, normal, poisson, rand, rand_like, randint,
                               randint_like, randn, randn_like, randperm, seed, set_rng_state)
from .runtime.printing import set_printoptions
from .creation.conversion import clone
from .creation.conversion import from_dlpack
from .serialization import load, load_safetensors, save, save_safetensors
from .ops.pointwise import *  # noqa: F401,F403
from .ops.unary import *  # noqa: F401,F403
from .ops.rounding import *  # noqa: F401,F403
from .ops.comparison import *  # noqa: F401,F403
from .ops.reduce import *  # noqa: F401,F403
from .ops.softmax import *  # noqa: F401,F403
from .ops.sorting import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.einsum import *  # noqa: F401,F403
from .ops.joining import *  # noqa: F401,F403
from .ops.rearrange import *  # noqa: F401,F403
from .ops.gather_scatter import *  # noqa: F401,F403
from .ops.composite import *  # noqa: F401,F403
from .ops.math_composite import *  # noqa: F401,F403
from .ops.inverse_trig import *  # noqa: F401,F403
from .ops.order_statistics import *  # noqa: F401,F403
from .ops.counting import *  # noqa: F401,F403
from .ops.cumulative import *  # noqa: F401,F403
from .ops.statistics import *  # noqa: F401,F403
# Names real PyTorch scripts touch at the top (each module says what it does and does not do).
from math import e, inf, nan, pi  # noqa: E402,F401
from .types.bfloat16 import bfloat16  # noqa: E402
from .types.legacy_tensor_types import (BFloat16Tensor, BoolTensor, ByteTensor, CharTensor,  # noqa: E402
                                        DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor)
from .runtime.settings import (are_deterministic_algorithms_enabled,  # noqa: E402
                               get_deterministic_debug_mode, get_float32_matmul_precision,
                               get_num_threads, is_deterministic_algorithms_warn_only_enabled,
                               set_deterministic_debug_mode, set_float32_matmul_precision,
                               set_num_threads, use_deterministic_algorithms)
from .types.type_info import finfo, iinfo  # noqa: E402
newaxis = None  # x[:, newaxis], as NumPy's
from .runtime.compile import compile  # noqa: E402,A001
from .amp import GradScaler, autocast, is_autocast_enabled  # noqa: E402

# A string or a list where a tensor belongs raises PyTorch's exception type (TypeError...),
# not whatever Python or NumPy said deep inside (runtime/wrong_arguments.py).
from .runtime.wrong_arguments import guard_public_functions as _guard  # noqa: E402
_guard(Tensor)
_guard(_sys.modules[__name__])

# minitorch/fast swaps faster versions of some of the pieces above in (its __init__ lists
# them). MINITORCH_REFERENCE=1 keeps the reference path only: no code from minitorch/fast runs.
REFERENCE_MODE = _os.environ.get("MINITORCH_REFERENCE", "0") not in ("", "0")
if not REFERENCE_MODE:
    from .fast import install as _install_accelerations
    _install_accelerations()


# Files pickled before the loose top-level modules were grouped into packages name them by
# their old paths (``minitorch._dtype._dtype_by_name``): keep those paths importable.
def _register_old_module_names():
    import importlib
    import sys
    for old, new in (("_dtype", "types.dtypes"), ("_device", "types.devices"), ("_size", "types.size"),
                     ("_creation", "creation.factories"), ("_random", "random.generator")):
        sys.modules[f"{__name__}.{old}"] = importlib.import_module(f".{new}", __name__)


_register_old_module_names()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


# Sub-packages load on first use (``minitorch.nn``, ``from minitorch import optim``,
# ``import minitorch.nn as nn`` all work): importing minitorch stays fast.
_SUBMODULES = ("accelerator", "amp", "backends", "cuda", "datasets", "distributed", "nn", "onnx",
               "optim", "utils", "version")


def __getattr__(name: str):
    if name in _SUBMODULES:
        import importlib
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'minitorch' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))


_guard(_sys.modules[__name__])  # (again, for the functions defined in this file)
