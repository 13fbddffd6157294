"""``minitorch.nn``: modules, layers, losses, initialisation and the functional API."""
from .parameter import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401
