"""Random numbers, as ``torch.random``: the seedable ``Generator`` and the draws
(``generator``), and sampling from given parameters (``distributions``)."""
from .generator import (Generator, default_generator, get_rng_state, initial_seed, manual_seed,  # noqa: F401
                        seed, set_rng_state)
from .fork import fork_rng  # noqa: F401
