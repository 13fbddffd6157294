"""The PyTorch oracle for whole layers: same weights, same inputs, compare everything.

``compare_modules(ours, theirs, arrays, call)`` checks that both modules have the same
state_dict keys and shapes, copies PyTorch's weights into ours, runs ``call(module, *inputs)``
on both, compares every output, then backpropagates the same random output gradients and
compares the gradients of every input and every parameter. Our module and inputs live on the
oracle's DEVICE (MINITORCH_TEST_DEVICE: 'cuda', or the strict CuPy stand-in); PyTorch's on the CPU.
"""
from __future__ import annotations

import numpy as np
import torch

import minitorch
from oracle import DEVICE


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def _host(tensor):
    return tensor.detach().cpu().numpy()


def lib_of(tensor):
    """The library (minitorch or torch) a tensor belongs to; for writing `call` once."""
    return torch if isinstance(tensor, torch.Tensor) else minitorch


def compare_modules(ours, theirs, arrays, call=lambda m, *xs: m(*xs), *, rtol=1e-4, atol=1e-5,
                    requires_grad=None, seed=1):
    """Returns our outputs after asserting they (and all gradients) match PyTorch's."""
    ours_shapes = [(k, tuple(v.shape)) for k, v in ours.state_dict().items()]
    theirs_shapes = [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert ours_shapes == theirs_shapes, f"state_dict differs:\n{ours_shapes}\n{theirs_shapes}"
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    ours.to(DEVICE)
    ours.zero_grad()
    theirs.zero_grad()
    flags = requires_grad or [a.dtype.kind == "f" for a in arrays]
    results = {}
    for lib, module in ((minitorch, ours), (torch, theirs)):
        place = {} if lib is torch else {"device": DEVICE}
        inputs = [lib.tensor(a, requires_grad=bool(f), **place) for a, f in zip(arrays, flags)]
        outputs = [o for o in _flat(call(module, *inputs)) if o is not None]
        results[lib] = (inputs, outputs, module)
    (m_in, m_out, _), (t_in, t_out, _) = results[minitorch], results[torch]
    assert len(m_out) == len(t_out), "different number of outputs"
    for i, (m, t) in enumerate(zip(m_out, t_out)):
        assert tuple(m.shape) == tuple(t.shape), f"output {i}: {tuple(m.shape)} != {tuple(t.shape)}"
        np.testing.assert_allclose(_host(m), _host(t), rtol=rtol, atol=atol,
                                   err_msg=f"output {i} differs from PyTorch")
    rng = np.random.default_rng(seed)
    seeds = [rng.standard_normal(tuple(t.shape)).astype(t.detach().numpy().dtype)
             if t.requires_grad else None for t in t_out]
    if not any(s is not None for s in seeds):
        return m_out
    for lib, (_, outputs, _) in results.items():
        loss = sum((o * lib.tensor(s, device=o.device)).sum() for o, s in zip(outputs, seeds)
                   if s is not None)
        loss.backward()
    for i, (m, t) in enumerate(zip(m_in, t_in)):
        if t.grad is None:  # PyTorch has none: a gradient minitorch invented must fail
            assert m.grad is None or not np.any(_host(m.grad)), \
                f"input {i}: PyTorch has no gradient"
            continue
        assert m.grad is not None, f"input {i}: no gradient"
        np.testing.assert_allclose(_host(m.grad), _host(t.grad), rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i} differs")
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        expected = theirs_params[name].grad
        if expected is None:
            assert p.grad is None or not np.any(_host(p.grad)), f"{name}: PyTorch has no gradient"
            continue
        assert p.grad is not None, f"{name}: no gradient"
        np.testing.assert_allclose(_host(p.grad), _host(expected), rtol=rtol, atol=atol,
                                   err_msg=f"gradient of parameter {name} differs")
    return m_out
