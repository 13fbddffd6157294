"""Optimizers on 0-d and 1-element parameters, ``nn.Parameter(torch.tensor(1.5))``, the shape
PyTorch's own tutorials use: step by step against PyTorch from the same values."""
import numpy as np
import pytest
import torch

import minitorch

# Every optimizer minitorch has, with options that reach each branch of its update.
OPTIMIZERS = [
    ("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.1}), ("Adam", {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.1}), ("Adamax", {"lr": 0.1}), ("NAdam", {"lr": 0.1}),
    ("NAdam", {"lr": 0.1, "decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.1}), ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}), ("Adadelta", {"lr": 1.0}),
    ("Rprop", {"lr": 0.05}), ("ASGD", {"lr": 0.1, "t0": 2, "weight_decay": 0.1}),
]


def run(lib, name, options, initial, dtype, steps=6):
    """The parameter's value after each step of minimising (p - 0.3)^2 * p."""
    p = lib.nn.Parameter(lib.tensor(initial, dtype=getattr(lib, dtype)))
    optimizer = getattr(lib.optim, name)([p], **options)
    values = []
    for _ in range(steps):
        optimizer.zero_grad()
        ((p - 0.3) ** 2 * p).sum().backward()
        optimizer.step()
        values.append(np.array(p.detach().tolist(), dtype=np.float64))
    return np.array(values)


@pytest.mark.parametrize("name,options", OPTIMIZERS, ids=lambda v: str(v))
@pytest.mark.parametrize("initial", [1.5, [1.5]], ids=["0d", "1-element"])
@pytest.mark.parametrize("dtype,rtol", [("float32", 1e-5), ("float64", 1e-12)])
def test_optimizer_on_tiny_parameter_matches_pytorch(name, options, initial, dtype, rtol):
    ours = run(minitorch, name, options, initial, dtype)
    theirs = run(torch, name, options, initial, dtype)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol)
