"""Checks for chapter 09: deep networks.

Batch norm (forward with running statistics, and a hand-written backward), layer norm and a
residual block, each run on several inputs (float32 and float64, non-contiguous views) and
compared with PyTorch's ``torch.nn.functional``: values, running statistics and gradients.
The hand-written backward is also compared with central differences.
"""
from __future__ import annotations

import numpy as np

import minitorch

from .checking import pytorch as _torch, run

_FLOAT64 = {"rtol": 1e-7, "atol": 1e-9}
_FLOAT32 = {"rtol": 2e-4, "atol": 2e-5}


def _tolerance(dtype) -> dict:
    return _FLOAT64 if dtype == np.float64 else _FLOAT32


def _random(shape, seed, dtype=np.float32, scale=3.0, shift=1.0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale + shift).astype(dtype)


def _leaf(array: np.ndarray, contiguous: bool = True):
    """A minitorch leaf holding ``array`` that requires grad; with ``contiguous=False``, a
    view with reversed strides (the learner's code must not assume a contiguous input)."""
    if contiguous or array.ndim < 2:
        return minitorch.tensor(array, requires_grad=True)
    flipped = minitorch.tensor(np.ascontiguousarray(array.T))
    return flipped.permute(*reversed(range(array.ndim))).detach().requires_grad_()


def _describe(array: np.ndarray, contiguous: bool = True) -> str:
    layout = "" if contiguous else ", a non-contiguous view"
    return f"x {tuple(array.shape)} {array.dtype}{layout}"


def _torch_leaf(array: np.ndarray):
    return _torch().tensor(array, requires_grad=True)


class _Inputs:
    """x, gamma and beta (x's last dim) and an upstream gradient for the output, drawn from
    ``seed``: as arrays, as minitorch leaves (``ours``) and as PyTorch leaves (``theirs``)."""

    def __init__(self, shape, seed, dtype, contiguous=True, scale=3.0):
        self.x = _random(shape, seed, dtype, scale)
        self.gamma = _random(shape[-1:], 10 + seed, dtype, 1.0, 1.0)
        self.beta = _random(shape[-1:], 20 + seed, dtype, 1.0, 0.0)
        self.upstream = _random(shape, 30 + seed, dtype, 1.0, 0.0)
        self.ours = (_leaf(self.x, contiguous), _leaf(self.gamma), _leaf(self.beta))
        self.theirs = tuple(_torch_leaf(a) for a in (self.x, self.gamma, self.beta))


def _same_gradients(expect, name, inputs, out, expected, tol, hints) -> None:
    """Backpropagate the upstream gradient through ``out`` and PyTorch's ``expected``, and
    compare the gradients of x, gamma and beta (``hints``: one per input name)."""
    out.backward(minitorch.tensor(inputs.upstream))
    expected.backward(_torch().tensor(inputs.upstream))
    for label, ours, theirs in zip(("x", "gamma", "beta"), inputs.ours, inputs.theirs):
        expect.close(f"the gradient of {label} for {name}", ours.grad, theirs.grad, **tol,
                     hint=hints[label])


# ---------------------------------------------------------------- Exercise 9.1: batch norm

_DIFFERENTIABLE_HINTS = dict.fromkeys(
    ("x", "gamma", "beta"), "compute the output with minitorch operations on x, gamma and beta, "
                            "so that autograd differentiates all of them")

# (x shape, dtype, contiguous, momentum, starting running mean, starting running var, calls)
_BATCH_NORM_CASES = [
    ((8, 3), np.float32, True, 0.1, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], 1),
    ((6, 4), np.float64, True, 0.3, [1.5, -2.0, 0.5, 0.0], [2.0, 0.5, 3.0, 1.0], 1),
    ((5, 3), np.float32, False, 0.1, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], 1),
    ((2, 3), np.float64, True, 0.1, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], 1),
    ((7, 2), np.float64, True, 0.2, [0.0, 0.0], [1.0, 1.0], 3),
]


def batch_norm_train(fn):
    """``fn(x, gamma, beta, running_mean, running_var, momentum, eps)``: output, gradients and
    the running statistics after the call(s), against ``torch.nn.functional.batch_norm``."""
    torch = _torch()

    def cases(expect):
        for seed, case in enumerate(_BATCH_NORM_CASES):
            shape, dtype, contiguous, momentum, mean0, var0, calls = case
            inputs = _Inputs(shape, seed, dtype, contiguous)
            running = [minitorch.tensor(np.array(v, dtype=dtype)) for v in (mean0, var0)]
            torch_running = [torch.tensor(np.array(v, dtype=dtype)) for v in (mean0, var0)]
            name = _describe(inputs.x, contiguous)
            if momentum != 0.1:
                name += f", momentum={momentum}"
            if calls > 1:
                name += f", {calls} calls in a row"
            for _ in range(calls):
                out = fn(*inputs.ours, *running, momentum=momentum, eps=1e-5)
                expected = torch.nn.functional.batch_norm(inputs.theirs[0], *torch_running,
                                                          *inputs.theirs[1:], training=True,
                                                          momentum=momentum, eps=1e-5)
            tol = _tolerance(dtype)
            expect.close(f"the output for {name}", out, expected.detach(), **tol,
                         hint="normalise each column with the batch's mean and *biased* variance "
                              "(unbiased=False), eps inside the square root, then "
                              "gamma * xhat + beta")
            expect.close(f"running_mean after the call for {name}", running[0], torch_running[0],
                         **tol,
                         hint="running_mean becomes (1 - momentum) * running_mean + momentum * "
                              "batch mean, changed in place (mul_, add_) so the caller sees it")
            expect.close(f"running_var after the call for {name}", running[1], torch_running[1],
                         **tol,
                         hint="running_var moves towards the *unbiased* batch variance, "
                              "var * N / (N - 1), as PyTorch's does")
            expect.true(f"running_mean and running_var record no history for {name}",
                        all(t.grad_fn is None and not t.requires_grad for t in running),
                        hint="update the running statistics under minitorch.no_grad(): they are "
                             "buffers, not part of the graph")
            _same_gradients(expect, name, inputs, out, expected, tol, _DIFFERENTIABLE_HINTS)
    return run("batch_norm_train", cases)


# ------------------------------------------------------- Exercise 9.2: batch norm's backward

_BACKWARD_HINTS = {
    "x": "dL/dx = (gh - mean(gh) - xhat * mean(gh * xhat)) * invstd with gh = grad * gamma and "
         "means over the batch (dim 0): the batch's mean and variance depend on x too",
    "gamma": "dL/dgamma = (grad * xhat) summed over the batch (dim 0)",
    "beta": "dL/dbeta = grad summed over the batch (dim 0)",
}


def _central_difference_x(function, array, gamma, beta, upstream, h=1e-6) -> np.ndarray:
    """d(sum(out * upstream))/dx by central differences, one element of x at a time."""
    def loss(values):
        with minitorch.no_grad():
            out = function.apply(*(minitorch.tensor(a) for a in (values, gamma, beta)))
        return float((out.numpy() * upstream).sum())

    numeric = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        step = np.zeros_like(array)
        step[index] = h
        numeric[index] = (loss(array + step) - loss(array - step)) / (2 * h)
    return numeric


def batch_norm_backward(Function):
    """``Function.apply(x, gamma, beta)``: gradients of x, gamma and beta against PyTorch's
    ``batch_norm`` (training mode), and the gradient of x against central differences."""
    torch = _torch()

    def cases(expect):
        for seed, (shape, dtype, contiguous) in enumerate([((8, 3), np.float32, True),
                                                           ((5, 4), np.float64, True),
                                                           ((6, 2), np.float32, False)]):
            inputs = _Inputs(shape, seed, dtype, contiguous)
            out = Function.apply(*inputs.ours)
            x, gamma, beta = inputs.theirs
            expected = torch.nn.functional.batch_norm(x, None, None, gamma, beta, training=True,
                                                      eps=1e-5)
            _same_gradients(expect, _describe(inputs.x, contiguous), inputs, out, expected,
                            _tolerance(dtype), _BACKWARD_HINTS)

        inputs = _Inputs((4, 3), 7, np.float64)
        Function.apply(*inputs.ours).backward(minitorch.tensor(inputs.upstream))
        numeric = _central_difference_x(Function, inputs.x, inputs.gamma, inputs.beta,
                                        inputs.upstream)
        expect.close("the gradient of x (4, 3) float64 against central differences",
                     inputs.ours[0].grad, numeric, rtol=1e-5, atol=1e-7, hint=_BACKWARD_HINTS["x"])
    return run("BatchNormFunction.backward", cases)


# ---------------------------------------------------------------- Exercise 9.3: layer norm

# (x shape, dtype, contiguous, scale of x): the second case has rows of nearly equal numbers,
# whose variance (about 1e-6) is smaller than eps, so where eps goes matters
_LAYER_NORM_CASES = [
    ((4, 5), np.float32, True, 3.0),
    ((3, 4), np.float64, True, 1e-3),
    ((2, 3, 6), np.float32, True, 3.0),
    ((3, 4), np.float64, True, 3.0),
    ((2, 4, 5), np.float64, False, 3.0),
]


def layer_norm(fn):
    """``fn(x, gamma, beta, eps)``: output and gradients against PyTorch's ``layer_norm``."""
    torch = _torch()

    def cases(expect):
        for seed, (shape, dtype, contiguous, scale) in enumerate(_LAYER_NORM_CASES):
            inputs = _Inputs(shape, seed, dtype, contiguous, scale)
            out = fn(*inputs.ours, eps=1e-5)
            x, gamma, beta = inputs.theirs
            expected = torch.nn.functional.layer_norm(x, shape[-1:], gamma, beta, eps=1e-5)
            name = _describe(inputs.x, contiguous)
            if scale < 1:
                name += ", rows of nearly equal numbers"
            tol = _tolerance(dtype)
            expect.close(f"the output for {name}", out, expected.detach(), **tol,
                         hint="normalise each row over the last dim (mean and var with dim=-1, "
                              "keepdim=True, unbiased=False), divide by sqrt(var + eps), then "
                              "gamma * xhat + beta")
            _same_gradients(expect, name, inputs, out, expected, tol, _DIFFERENTIABLE_HINTS)
    return run("layer_norm", cases)


# ------------------------------------------------------------ Exercise 9.4: residual block

def _torch_block(state: dict, h, activation: str, norm: bool):
    """What the block must compute, in PyTorch, from the learner's block's weights."""
    F = _torch().nn.functional
    z = F.linear(h, state["linear.weight"], state["linear.bias"])
    if norm:
        z = F.layer_norm(z, z.shape[-1:], state["norm.weight"], state["norm.bias"])
    z = F.relu(z) if activation == "ReLU" else z.sigmoid()
    shortcut = F.linear(h, state["shortcut.weight"]) if "shortcut.weight" in state else h
    return shortcut + z


def residual_block(Block):
    """``Block(in_features, out_features, activation, norm)``: its parameters' names, output
    and gradients (input and parameters) against the same block written in PyTorch."""
    torch = _torch()

    def cases(expect):
        for seed, (n_in, n_out, activation, norm) in enumerate([(5, 5, "Sigmoid", False),
                                                                (4, 6, "Sigmoid", False),
                                                                (5, 5, "ReLU", True),
                                                                (6, 3, "ReLU", True)]):
            minitorch.manual_seed(seed)
            block = Block(n_in, n_out, getattr(minitorch.nn, activation),
                          minitorch.nn.LayerNorm if norm else None)
            name = (f"ResidualBlock({n_in}, {n_out}, nn.{activation}"
                    f"{', nn.LayerNorm' if norm else ''})")
            expected_names = ["linear.bias", "linear.weight"]
            expected_names += ["norm.bias", "norm.weight"] if norm else []
            expected_names += [] if n_in == n_out else ["shortcut.weight"]
            expect.equal(f"the names of the parameters of {name}", sorted(block.state_dict()),
                         expected_names,
                         hint="self.shortcut is nn.Identity() (no parameters) when the widths "
                              "agree, else nn.Linear(in_features, out_features, bias=False)")
            params = dict(block.named_parameters())
            torch_params = {key: _torch_leaf(p.detach().numpy()) for key, p in params.items()}
            array = _random((3, n_in), seed, np.float32, 1.0, 0.0)
            h, th = _leaf(array), _torch_leaf(array)
            out, expected = block(h), _torch_block(torch_params, th, activation, norm)
            expect.close(f"the output of {name} for h (3, {n_in})", out, expected.detach(),
                         **_FLOAT32,
                         hint="return shortcut(h) + act(norm(linear(h))): the input is added after "
                              "the activation, through the shortcut")
            upstream = _random((3, n_out), 10 + seed, np.float32, 1.0, 0.0)
            out.backward(minitorch.tensor(upstream))
            expected.backward(torch.tensor(upstream))
            expect.close(f"the gradient of h for {name}", h.grad, th.grad, **_FLOAT32,
                         hint="the gradient reaches h along two paths: the shortcut and the layer")
            for key, p in params.items():
                expect.close(f"the gradient of {key} for {name}", p.grad, torch_params[key].grad,
                             **_FLOAT32, hint="use every submodule in forward, each once")
    return run("ResidualBlock", cases)
