"""``minitorch.nn``: modules, layers, losses, initialisation and the functional API."""
from .parameter import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from . import functional, init, parallel, utils  # noqa: F401
from .parallel import DataParallel  # noqa: F401  (torch.nn.DataParallel, as PyTorch exports it)
