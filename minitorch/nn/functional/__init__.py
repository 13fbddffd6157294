"""``minitorch.nn.functional``: the functional form of every layer, activation and loss."""
from ._activation import *  # noqa: F401,F403
from ._shrink import *  # noqa: F401,F403
from ._glu import *  # noqa: F401,F403
from ._prelu import *  # noqa: F401,F403
from ._loss import *  # noqa: F401,F403
from ._robust_losses import *  # noqa: F401,F403
from ._cross_entropy import *  # noqa: F401,F403
from ._binary_cross_entropy import *  # noqa: F401,F403
from ._linear import *  # noqa: F401,F403
from ._normalization import *  # noqa: F401,F403
from ._dropout import *  # noqa: F401,F403
from ._embedding import *  # noqa: F401,F403
from ._padding import *  # noqa: F401,F403
from ._conv import *  # noqa: F401,F403
from ._pooling import *  # noqa: F401,F403
from ._attention import *  # noqa: F401,F403
from ._sampling import *  # noqa: F401,F403

import sys as _sys  # noqa: E402

from ...runtime.wrong_arguments import guard_public_functions as _guard  # noqa: E402

_guard(_sys.modules[__name__])  # PyTorch's exception types for wrong arguments
