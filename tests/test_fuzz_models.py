"""Differential fuzzing of training: random small models, losses and optimizers trained for a
few steps in minitorch and PyTorch from the same weights, compared after every step (see
tests/fuzz_models.py; scripts/fuzz_models.py runs thousands).

The programs change from run to run of uncommitted work and from commit to commit (see
tests/fuzz_seed.py): the first seed is printed, and ``MINITORCH_FUZZ_MODELS_SEED=<seed>`` runs
the same programs again.
"""
from __future__ import annotations

import pytest

from fuzz_models import Mismatch, check_program, describe, draw_program
from fuzz_seed import clean_commit, fuzz_seed

PROGRAMS = 200


def first_seed() -> int:
    # (tests/fuzz_seed.py: new on each run of uncommitted work, fixed per commit otherwise)
    return fuzz_seed("MINITORCH_FUZZ_MODELS_SEED", commit=clean_commit(), bits=30) // 1000 * 1000


def test_random_training_runs_agree_with_pytorch():
    start = first_seed()
    print(f"fuzz_models: programs {start}..{start + PROGRAMS - 1} "
          f"(MINITORCH_FUZZ_MODELS_SEED={start} reruns them)")
    for seed in range(start, start + PROGRAMS):
        program = draw_program(seed)
        try:
            check_program(program)
        except Exception as error:  # an Unsupported fails too: every layer drawn is implemented
            raise AssertionError(f"MINITORCH_FUZZ_MODELS_SEED={start}: {error}") from error


def test_programs_are_replayable_from_their_seed():
    assert draw_program(12345) == draw_program(12345) != draw_program(12346)
    assert "optimizer" in describe(draw_program(12345))


def test_the_checker_catches_a_disagreement(monkeypatch):
    """A planted difference (minitorch's SGD stepping 1% further) must be reported."""
    import minitorch
    program = draw_program(7)
    program["optimizer"] = ("SGD", {"lr": 0.1})
    check_program(program)
    original = minitorch.optim.SGD.__init__

    def further(self, params, lr=1e-3, **options):
        original(self, params, lr=lr * 1.01, **options)

    monkeypatch.setattr(minitorch.optim.SGD, "__init__", further)
    with pytest.raises(Mismatch, match="after the step differs"):
        check_program(program)
