import os

import matplotlib
from hypothesis import HealthCheck, settings

# Tests draw figures without a display. Only this process: the notebooks' kernels (nbval,
# the learner notebooks) start without MPLBACKEND and use Jupyter's inline backend.
matplotlib.use("Agg")

# Deterministic property tests: the same examples on every run and machine (CI must not
# flake), no per-example deadline (shared 2-core machines are noisy).
settings.register_profile("default", derandomize=True, deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# MINITORCH_TEST_DEVICE=strict: 'cuda' runs on the strict CuPy stand-in (tests/strict_cupy.py),
# so CuPy's rules are checked on machines without a GPU; the oracle tests run on 'cuda'.
if os.environ.get("MINITORCH_TEST_DEVICE") == "strict":
    import strict_cupy
    strict_cupy.install()


def pytest_addoption(parser):
    # An option, not an environment variable: it cannot leak from a shell into a later run.
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files under tests/golden/ (then read the diff)")
