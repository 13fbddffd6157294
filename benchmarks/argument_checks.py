"""The cost of the argument-type check (minitorch/runtime/argument_types.py) per call.

    python benchmarks/argument_checks.py                      # with minitorch/fast
    MINITORCH_REFERENCE=1 python benchmarks/argument_checks.py

For each call: the guarded public function against the function it wraps (same process,
interleaved, best of 40 repeats of 5000 calls; on a loaded machine this difference is mostly
noise), and the check alone (``accepts``: the generated quick test with minitorch/fast; on the
reference path a stub that is never sure, and ``parse`` then runs inside the guarded call).
"""
import os
import sys
import timeit
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minitorch as torch  # noqa: E402
import minitorch.nn.functional as F  # noqa: E402

NUMBER, REPEATS = 5000, 40


def per_call(function) -> float:
    """Microseconds per call: the best of REPEATS runs of NUMBER calls."""
    return min(timeit.repeat(function, number=NUMBER, repeat=REPEATS)) / NUMBER * 1e6


def main() -> None:
    a, b = torch.randn(8, 8), torch.randn(8, 8)
    x, w, bias = torch.randn(16, 32), torch.randn(8, 32), torch.randn(8)
    cases = [
        ("x.sum(1)", torch.Tensor.sum, (x, 1), {}),
        ("x.sum(dim=1, keepdim=True)", torch.Tensor.sum, (x,), {"dim": 1, "keepdim": True}),
        ("F.linear(x, w, b)", F.linear, (x, w, bias), {}),
        ("torch.mean(x, 1)", torch.mean, (x, 1), {}),
        ("x.view(32, 16)", torch.Tensor.view, (x, 32, 16), {}),
        ("x.transpose(0, 1)", torch.Tensor.transpose, (x, 0, 1), {}),
        ("F.relu(x)", F.relu, (x,), {}),
        ("torch.softmax(x, -1)", torch.softmax, (x, -1), {}),
    ]
    empty = per_call(lambda: None)
    print(f"{'call':30s} {'guarded':>8s} {'bare':>8s} {'diff':>7s} {'check':>7s}   (us per call)")
    for name, function, args, kwargs in cases:
        bare = function.__wrapped_for_errors__
        function(*args, **kwargs)  # reads the annotations, builds the quick test
        guarded_times, bare_times = [], []
        for _ in range(REPEATS):  # interleaved, so that a burst of load hits both
            guarded_times.append(timeit.timeit(lambda: function(*args, **kwargs), number=NUMBER))
            bare_times.append(timeit.timeit(lambda: bare(*args, **kwargs), number=NUMBER))
        guarded, unguarded = (min(t) / NUMBER * 1e6 for t in (guarded_times, bare_times))
        types = function.argument_types
        check = per_call(lambda: types.accepts(args, kwargs)) - empty
        print(f"{name:30s} {guarded:8.2f} {unguarded:8.2f} {guarded - unguarded:7.2f} {check:7.3f}")
    print(f"{'a * b (not guarded)':30s} {per_call(lambda: a * b):8.2f}")


if __name__ == "__main__":
    main()
