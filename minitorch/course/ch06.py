"""Checks for chapter 06: losses and optimizers.

The learner's cross-entropy is compared with ``torch.nn.functional.cross_entropy`` (values and
gradients, on logits as large as 1000); the learner's SGD and Adam take the same steps as
``torch.optim.SGD`` and ``torch.optim.Adam``, fed the same gradients, step by step.
"""
from __future__ import annotations

import numpy as np

import minitorch

from .checking import pytorch as _torch, run


# --- cross-entropy --------------------------------------------------------------------------

_OVERFLOW_HINT = ("exp(1000) overflows (and exp(-1000) is 0): subtract each row's max m first, "
                  "log(sum(exp(z))) = m + log(sum(exp(z - m)))")


def _logit_cases():
    """(description, logits, targets, hint) with logits as a float array."""
    rng = np.random.default_rng(0)
    return [
        ("random logits of shape (4, 3), float32", rng.standard_normal((4, 3)).astype(np.float32),
         [0, 2, 1, 2], ""),
        ("random logits of shape (6, 10), float64", rng.standard_normal((6, 10)) * 3,
         [9, 0, 3, 3, 7, 1], ""),
        ("one sample, shape (1, 5)", rng.standard_normal((1, 5)).astype(np.float32), [4], ""),
        ("equal logits (the loss is log 4)", np.zeros((2, 4), np.float32), [1, 3], ""),
        ("huge logits [[1000, 0, -1000], [-1000, 1000, 0]], float32",
         np.array([[1000, 0, -1000], [-1000, 1000, 0]], np.float32), [0, 2], _OVERFLOW_HINT),
        ("very negative logits [[-1000, -1000, -999]], float32",
         np.array([[-1000, -1000, -999]], np.float32), [0], _OVERFLOW_HINT),
        ("random logits + 500, float32", rng.standard_normal((3, 4)).astype(np.float32) + 500,
         [3, 0, 1], _OVERFLOW_HINT),
    ]


def cross_entropy(fn):
    """``fn(logits, target)``: the mean over the batch of -log softmax(logits)[target], stable
    for huge logits, with PyTorch's values and gradients."""
    torch = _torch()

    def cases(expect):
        for text, logits, targets, hint in _logit_cases():
            ours = minitorch.tensor(logits, requires_grad=True)
            theirs = torch.tensor(logits, requires_grad=True)
            loss = fn(ours, minitorch.tensor(targets))
            reference = torch.nn.functional.cross_entropy(theirs, torch.tensor(targets))
            expect.close(f"{text}: the loss", loss, reference, rtol=1e-5, atol=1e-6, hint=hint,
                         check_dtype=True)
            loss.backward()
            reference.backward()
            expect.close(f"{text}: the gradient of the logits", ours.grad, theirs.grad,
                         rtol=1e-5, atol=1e-6,
                         hint=hint or "the gradient is (softmax - onehot) / N: mean, not sum")
        base = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
        ours_base = minitorch.tensor(base, requires_grad=True)
        theirs_base = torch.tensor(base, requires_grad=True)
        loss = fn(ours_base.T, minitorch.tensor([0, 4, 2]))       # a transposed view: (3, 5)
        reference = torch.nn.functional.cross_entropy(theirs_base.T, torch.tensor([0, 4, 2]))
        expect.close("transposed logits (a non-contiguous view of shape (3, 5)): the loss", loss,
                     reference, rtol=1e-5, atol=1e-6)
        loss.backward()
        reference.backward()
        expect.close("transposed logits: the gradient of the tensor it is a view of",
                     ours_base.grad, theirs_base.grad, rtol=1e-5, atol=1e-6)
    return run("cross_entropy", cases,
               hint="log_softmax(z) = z - (m + log(sum(exp(z - m)))) with m each row's max (over "
                    "dim 1); pick each row's target entry and take minus the mean")


# --- optimizers: the same gradients into the learner's optimizer and into torch.optim ----------

def _step_by_step(expect, make_ours, make_theirs, text: str, dtype, steps: int,
                  gradient_scale: float = 1.0, hint: str = "") -> None:
    """Feed both optimizers the same random gradients and compare the parameters after each
    step. The third parameter never gets a gradient and must not move."""
    torch = _torch()
    rng = np.random.default_rng(0)
    starts = [rng.standard_normal((2, 3)).astype(dtype), rng.standard_normal(3).astype(dtype),
              rng.standard_normal(2).astype(dtype)]
    ours = [minitorch.tensor(x, requires_grad=True) for x in starts]
    theirs = [torch.tensor(x, requires_grad=True) for x in starts]
    ours_optimizer, theirs_optimizer = make_ours(ours), make_theirs(theirs)
    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    for step in range(1, steps + 1):
        for p, q, x in zip(ours[:2], theirs[:2], starts[:2]):
            g = (rng.standard_normal(x.shape) * gradient_scale).astype(dtype)
            p.grad, q.grad = minitorch.tensor(g), torch.tensor(g)
        ours_optimizer.step()
        theirs_optimizer.step()
        for i, (p, q) in enumerate(zip(ours, theirs)):
            expect.close(f"{text}: parameter {i} (shape {tuple(q.shape)}) after step {step}", p,
                         q, check_dtype=True, hint=hint, **tolerance)


_SGD_CONFIGS = [  # keyword arguments, hint
    (dict(lr=0.1), "plain SGD: p -= lr * grad"),
    (dict(lr=0.1, momentum=0.9),
     "PyTorch's order: buf = momentum * buf + grad (buf = grad at the first step, no (1 - "
     "momentum) factor), then p -= lr * buf"),
    (dict(lr=0.1, momentum=0.9, nesterov=True),
     "Nesterov: update buf as usual, then step along grad + momentum * buf"),
    (dict(lr=0.1, weight_decay=0.1),
     "weight decay adds weight_decay * p to the gradient, before anything else"),
    (dict(lr=0.1, momentum=0.9, weight_decay=0.01),
     "weight decay adds weight_decay * p to the gradient before the momentum buffer sees it"),
]


def _call(kwargs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


def sgd(SGD):
    """``SGD(params, lr, momentum=0, weight_decay=0, nesterov=False)`` takes the steps
    torch.optim.SGD takes."""
    torch = _torch()

    def cases(expect):
        def compare(kwargs, text, dtype, hint):
            _step_by_step(expect, lambda ps: SGD(ps, **kwargs),
                          lambda ps: torch.optim.SGD(ps, **kwargs), text, dtype, steps=4, hint=hint)
        for kwargs, hint in _SGD_CONFIGS:
            compare(kwargs, f"SGD({_call(kwargs)})", np.float32, hint)
        kwargs = dict(lr=0.1, momentum=0.5, nesterov=True)
        compare(kwargs, f"SGD({_call(kwargs)}), float64 parameters", np.float64,
                "update the parameters in place, keeping their dtype")
    return run("SGD", cases)


_ADAM_HINT = ("m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g², then bias-correct both "
              "(m / (1 - b1**t), v / (1 - b2**t), t counting from 1) and step "
              "p -= lr * m_hat / (sqrt(v_hat) + eps)")


def adam(Adam):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)`` takes
    torch.optim.Adam's steps."""
    torch = _torch()
    configs = [  # keyword arguments, what the text adds, gradient scale, dtype
        (dict(lr=0.1), "", 1.0, np.float32),
        (dict(lr=0.05, betas=(0.5, 0.9)), "", 1.0, np.float32),
        (dict(lr=0.1, weight_decay=0.1), "", 1.0, np.float32),
        (dict(lr=0.01), " with gradients near 1e-6 (where eps matters)", 1e-6, np.float32),
        (dict(lr=0.1, betas=(0.8, 0.99)), ", float64 parameters", 1.0, np.float64),
    ]

    def cases(expect):
        for kwargs, more, scale, dtype in configs:
            hint = _ADAM_HINT
            if "weight_decay" in kwargs:
                hint = "weight decay (L2) adds weight_decay * p to the gradient first; " + hint
            _step_by_step(expect, lambda ps: Adam(ps, **kwargs),
                          lambda ps: torch.optim.Adam(ps, **kwargs), f"Adam({_call(kwargs)}){more}",
                          dtype, steps=6, gradient_scale=scale, hint=hint)
    return run("Adam", cases)
