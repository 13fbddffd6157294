"""The PyTorch oracle: run the same computation in minitorch and in PyTorch and compare.

A test writes the computation once, as a function of the library module and its input
tensors, so that exactly the same code runs on both sides:

    check(lambda lib, a, b: (a * b).sum(1), [(3, 4), (4,)])

`check` builds both sides' inputs from the same NumPy arrays, compares forward values,
then backpropagates the same random output gradient and compares every input gradient.
Options cover dtypes, non-contiguous (permuted) inputs and second derivatives.
"""
from __future__ import annotations

import os

import numpy as np
import torch

import minitorch

# The device the minitorch side runs on: every oracle test also runs on the GPU when
# MINITORCH_TEST_DEVICE=cuda (scripts/gpu_check sets it), and on 'cuda' backed by the strict
# CuPy stand-in when it is 'strict' (tests/conftest.py installs it); PyTorch stays on the CPU.
_REQUESTED = os.environ.get("MINITORCH_TEST_DEVICE", "cpu")
DEVICE = "cuda" if _REQUESTED == "strict" else _REQUESTED

TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-7, atol=1e-9)}


def _leaf(lib, array, requires_grad, permuted):
    """A leaf tensor holding `array`; when `permuted`, the leaf stores the transposed data and
    the function sees a non-contiguous permuted view of it with the requested shape."""
    order = tuple(range(array.ndim - 1, -1, -1))
    base = array.transpose(order).copy() if permuted else array  # copy(): C order, keeps 0-d
    if lib is torch:
        leaf = torch.tensor(base, requires_grad=requires_grad)
    else:
        leaf = minitorch.tensor(base, requires_grad=requires_grad, device=DEVICE)
    view = leaf.permute(order) if permuted and array.ndim > 1 else leaf
    return leaf, view


def _to_numpy(t):
    return t.detach().cpu().numpy()


def _outputs(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def random_arrays(shapes, dtype="float32", seed=0, low=None, high=None):
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        if isinstance(shape, np.ndarray):
            arrays.append(shape)
        elif low is not None:
            arrays.append(rng.uniform(low, high, size=shape).astype(dtype))
        else:
            arrays.append(rng.standard_normal(shape).astype(dtype))
    return arrays


def check(fn, shapes, *, dtype="float32", requires_grad=None, permuted=False, seed=0,
          low=None, high=None, rtol=None, atol=None, grad=True, second_order=False):
    """Compare ``fn(lib, *inputs)`` between minitorch and PyTorch: values and gradients.

    Args:
        shapes: input shapes (or ready NumPy arrays, used as given).
        requires_grad: per-input flags; default: float inputs require grad.
        permuted: feed non-contiguous permuted views instead of contiguous inputs.
        low, high: draw inputs uniformly from [low, high) (e.g. positive for log/sqrt).
        second_order: also compare the gradient of (sum of first gradients * random weights).
    Returns the minitorch outputs (for extra assertions).
    """
    arrays = random_arrays(shapes, dtype, seed, low, high)
    if requires_grad is None:
        requires_grad = [a.dtype.kind == "f" for a in arrays]
    tol = dict(TOLERANCE.get(str(arrays[0].dtype) if arrays else dtype, TOLERANCE["float32"]))
    if rtol is not None:
        tol["rtol"] = rtol
    if atol is not None:
        tol["atol"] = atol

    results = {}
    for lib in (minitorch, torch):
        leaves, views = zip(*[_leaf(lib, a, bool(rg), permuted) for a, rg in zip(arrays, requires_grad)]) \
            if arrays else ((), ())
        outputs = _outputs(fn(lib, *views))
        results[lib] = (leaves, outputs)

    (mt_leaves, mt_out), (th_leaves, th_out) = results[minitorch], results[torch]
    assert len(mt_out) == len(th_out), "different number of outputs"
    for i, (m, t) in enumerate(zip(mt_out, th_out)):
        assert tuple(m.shape) == tuple(t.shape), f"output {i}: shape {tuple(m.shape)} != {tuple(t.shape)}"
        assert str(m.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], \
            f"output {i}: dtype {m.dtype} != {t.dtype}"
        np.testing.assert_allclose(_to_numpy(m), _to_numpy(t), **tol,
                                   err_msg=f"output {i} differs from PyTorch")

    if not grad or not any(requires_grad):
        return mt_out
    rng = np.random.default_rng(seed + 1)
    differentiable = [i for i, t in enumerate(th_out) if t.requires_grad]
    seeds = [rng.standard_normal(tuple(th_out[i].shape)).astype(_to_numpy(th_out[i]).dtype)
             for i in differentiable]
    grads = {}
    for lib, (leaves, outs) in results.items():
        wanted = [leaf for leaf, rg in zip(leaves, requires_grad) if rg]
        g_out = [torch.tensor(s) if lib is torch else minitorch.tensor(s, device=outs[i].device)
                 for i, s in zip(differentiable, seeds)]
        first = lib.autograd.grad([outs[i] for i in differentiable], wanted, g_out,
                                  create_graph=second_order, allow_unused=True)
        grads[lib] = (wanted, first)
    for k, (m, t) in enumerate(zip(grads[minitorch][1], grads[torch][1])):
        if t is None:
            assert m is None or np.allclose(_to_numpy(m), 0), f"gradient {k}: PyTorch has none"
            continue
        assert m is not None, f"gradient {k}: minitorch has none, PyTorch does"
        np.testing.assert_allclose(_to_numpy(m), _to_numpy(t), **tol,
                                   err_msg=f"gradient of input {k} differs from PyTorch")

    if second_order:
        weights = [rng.standard_normal(tuple(g.shape)).astype(_to_numpy(g).dtype)
                   for g in grads[torch][1] if g is not None]
        second = {}
        for lib, (wanted, first) in grads.items():
            make = torch.tensor if lib is torch else (lambda a: minitorch.tensor(a, device=DEVICE))
            pairs = [(g, w) for g, w in zip([g for g in first if g is not None], weights)]
            total = sum((g * make(w)).sum() for g, w in pairs if g.requires_grad)
            if not getattr(total, "requires_grad", False):
                second[lib] = [None] * len(wanted)
                continue
            second[lib] = lib.autograd.grad(total, wanted, allow_unused=True)
        for k, (m, t) in enumerate(zip(second[minitorch], second[torch])):
            if t is None:
                assert m is None or np.allclose(_to_numpy(m), 0), f"2nd-order gradient {k}: PyTorch has none"
                continue
            assert m is not None, f"2nd-order gradient {k}: minitorch has none"
            np.testing.assert_allclose(_to_numpy(m), _to_numpy(t), **tol,
                                       err_msg=f"second-order gradient of input {k} differs")
    return mt_out


def check_gradcheck(fn, shapes, *, seed=0, low=None, high=None):
    """Central differences in float64 on minitorch alone (so a mistake shared with the oracle
    comparison cannot pass both)."""
    arrays = random_arrays(shapes, "float64", seed, low, high)
    inputs = [minitorch.tensor(a, requires_grad=a.dtype.kind == "f", device=DEVICE) for a in arrays]
    assert minitorch.autograd.gradcheck(lambda *xs: fn(minitorch, *xs), tuple(inputs))
