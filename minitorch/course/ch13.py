"""Checks for chapter 13: under the hood.

The learner's fused Functions are compared with PyTorch's composite ops (values and gradients,
float32 and float64, with an upstream gradient other than 1) and must record one node; the
learner's ``saved_bytes`` is compared with the bytes PyTorch's nodes save for the same graphs.
"""
from __future__ import annotations

import numpy as np

import minitorch

from .checking import pytorch as _torch, run


def recorded_operations(output) -> list:
    """The names of the nodes recorded behind output, leaves' AccumulateGrad left out."""
    names, seen, stack = [], set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if "AccumulateGrad" not in node.name():
            names.append(node.name())
        stack.extend(next_node for next_node, _ in node.next_functions)
    return names


def _pair(array, dtype_name):
    """The same data as a minitorch and a PyTorch leaf that require grad."""
    torch = _torch()
    array = array.astype(dtype_name)
    return (minitorch.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True))


# --- 13.1 fused softmax cross-entropy --------------------------------------------------------

_STABILITY_HINT = ("exp of a few hundred overflows in float32: subtract each row's max before "
                   "exp (log-sum-exp = m + log(sum(exp(z - m))))")


def _logit_cases():
    """(description, logits, targets, upstream gradient, hint)."""
    rng = np.random.default_rng(13)
    return [
        ("random logits (8, 5)", rng.standard_normal((8, 5)), rng.integers(0, 5, 8), 1.0, ""),
        ("one sample (1, 4)", rng.standard_normal((1, 4)), np.array([2]), 1.0, ""),
        ("random logits (6, 3), upstream gradient 2.5", rng.standard_normal((6, 3)),
         rng.integers(0, 3, 6), 2.5, "multiply by the upstream gradient `grad`"),
        ("logits of size ~300 (4, 6)", rng.standard_normal((4, 6)) * 300,
         rng.integers(0, 6, 4), 1.0, _STABILITY_HINT),
    ]


def softmax_cross_entropy(SoftmaxCrossEntropy):
    """``SoftmaxCrossEntropy.apply(logits, target)``: torch's cross_entropy, in one node."""
    torch = _torch()

    def cases(expect):
        for dtype_name in ("float32", "float64"):
            for text, logits, targets, upstream, hint in _logit_cases():
                label = f"{text}, {dtype_name}"
                ours, theirs = _pair(logits, dtype_name)
                loss = SoftmaxCrossEntropy.apply(ours, minitorch.tensor(targets))
                reference = torch.nn.functional.cross_entropy(theirs, torch.tensor(targets))
                tolerance = dict(rtol=1e-5, atol=1e-6) if dtype_name == "float32" else dict(rtol=1e-10)
                expect.close(f"{label}: the loss", loss, reference, hint=hint, check_dtype=True,
                             **tolerance)
                expect.equal(f"{label}: the recorded nodes", len(recorded_operations(loss)), 1,
                             hint="compute everything inside forward, in NumPy: one node")
                loss.backward(minitorch.tensor(upstream, dtype=loss.dtype))
                reference.backward(torch.tensor(upstream, dtype=reference.dtype))
                expect.close(f"{label}: the gradient of the logits", ours.grad, theirs.grad,
                             hint=hint or "softmax - onehot, divided by the batch size N",
                             **tolerance)
    return run("SoftmaxCrossEntropy", cases)


# --- 13.2 fused linear + ReLU ----------------------------------------------------------------

# (description, (N, in_features, out_features)); the square layer comes first because with
# it a transposed weight gradient has the right shape and wrong values
_LAYERS = [("a square layer: x (4, 3), weight (3, 3)", (4, 3, 3)),
           ("x (5, 4), weight (2, 4): 4 inputs, 2 outputs", (5, 4, 2)),
           ("a batch of one: x (1, 6), weight (3, 6)", (1, 6, 3))]


def linear_relu(LinearReLU):
    """``LinearReLU.apply(x, weight, bias)``: relu(linear(x, weight, bias)) in one node."""
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(13)
        for dtype_name in ("float32", "float64"):
            tolerance = dict(rtol=1e-5, atol=1e-6) if dtype_name == "float32" else dict(rtol=1e-10)
            for text, (n, n_in, n_out) in _LAYERS:
                label = f"{text}, {dtype_name}"
                arrays = [rng.standard_normal(s) for s in ((n, n_in), (n_out, n_in), (n_out,))]
                ours, theirs = zip(*(_pair(a, dtype_name) for a in arrays))
                out = LinearReLU.apply(*ours)
                reference = torch.relu(torch.nn.functional.linear(*theirs))
                expect.close(f"{label}: the output", out, reference, check_dtype=True, **tolerance)
                expect.equal(f"{label}: the recorded nodes", len(recorded_operations(out)), 1,
                             hint="compute the whole layer inside forward: one node")
                upstream = rng.standard_normal(out.shape).astype(dtype_name)
                out.backward(minitorch.tensor(upstream))
                reference.backward(torch.tensor(upstream))
                for name, mine, torchs, hint in (
                        ("x", ours[0], theirs[0], "d/dx = G' @ weight, G' the gradient with "
                                                  "zeros where the output is 0"),
                        ("weight", ours[1], theirs[1], "d/dweight = G'.T @ x: (out, N) @ (N, in)"),
                        ("bias", ours[2], theirs[2], "d/dbias = G' summed over the rows")):
                    expect.close(f"{label}: the gradient of {name}", mine.grad, torchs.grad,
                                 hint=hint + "; zero the upstream gradient where relu cut "
                                             "(output 0) first", **tolerance)
    return run("LinearReLU", cases, hint="each gradient has its input's shape: x (N, in), "
                                         "weight (out, in), bias (out,)")


# --- 13.3 saved bytes --------------------------------------------------------------------------

def _torch_saved_bytes(output) -> int:
    """Bytes PyTorch's nodes behind output saved (their ``_saved_*`` tensor attributes)."""
    torch = _torch()
    total, seen, stack = 0, set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        for attribute in dir(node):
            saved = getattr(node, attribute) if attribute.startswith("_saved_") else None
            if isinstance(saved, torch.Tensor):
                total += saved.numel() * saved.element_size()
        stack.extend(next_node for next_node, _ in node.next_functions)
    return total


def _graphs(lib, x, w, b):
    """Graphs built the same way in minitorch and PyTorch, on leaves x (4, 3), w (5, 3), b (5,)."""
    y = x.exp()
    return [
        ("x.exp().sum()", y.sum()),
        ("y = x.exp(); (y * y + y).sum(): y's node is reached by three paths", (y * y + y).sum()),
        ("(x.sigmoid() * x).sum()", (x.sigmoid() * x).sum()),
        ("relu(linear(x, w, b)).sum()", lib.nn.functional.linear(x, w, b).relu().sum()),
    ]


def saved_bytes(fn):
    """``fn(output)``: bytes of saved_tensors over the distinct nodes behind output."""
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(13)
        arrays = [rng.standard_normal(s) for s in ((4, 3), (5, 3), (5,))]
        for dtype_name in ("float32", "float64"):
            ours, theirs = zip(*(_pair(a, dtype_name) for a in arrays))
            for (text, output), (_, reference) in zip(_graphs(minitorch, *ours),
                                                      _graphs(torch, *theirs)):
                expect.equal(f"{text}, {dtype_name}: bytes saved", fn(output),
                             _torch_saved_bytes(reference),
                             hint="count each node once (remember the ones you have seen), and "
                                  "bytes, not elements: numel() * element_size()")
        with minitorch.no_grad():
            expect.equal("an output computed under no_grad (no grad_fn)",
                         fn(minitorch.ones(3) * 2), 0, hint="grad_fn is None: nothing is kept")
    return run("saved_bytes", cases)
