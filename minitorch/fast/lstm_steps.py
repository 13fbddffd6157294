"""The kernels of native/lstm_steps.c as functions on arrays: one LSTM time step, forward or
backward, in one call and one pass over its numbers (float32), for LSTMSequence
(lstm_sequence.py), which runs its NumPy loop where ``usable`` says no.

Why C: per step the NumPy loop makes ~12 calls of a few thousand numbers each, and NumPy's
calls alone cost more than PyTorch's whole step. Timed on char_lstm's step (batch 16, hidden
128, float32, one thread): the product h W_hh^T 36 us, NumPy's exp over the gates 11.6 us
and its tanh of g and of c 13.4 us, against 44 us for a whole step of PyTorch's oneDNN
layer; this kernel does the step's elementwise part in ~10 us instead of ~40.

The compiler (minitorch/compiler) records each call as one line of its program, which
writes into the arrays listed in ``WRITES``.
"""
from __future__ import annotations

import ctypes

import numpy as np

from . import native

_library = None

# the positions of the arrays each kernel writes into (for the compiler's trace)
WRITES = {"forward_step": (1, 4, 5, 6, 7), "backward_step": (3, 7)}


def usable(dtype) -> bool:
    """Whether the kernels run for arrays of ``dtype``: float32 only, once the library is
    built and loaded (native.unavailable["lstm_steps"] says why not)."""
    global _library
    if dtype != np.float32:
        return False
    if _library is None:
        _library = native.load("lstm_steps")
        if _library is None:
            return False
        arrays, size = ctypes.py_object, ctypes.c_ssize_t
        _library.lstm_forward_step.argtypes = [size] + [arrays] * 7 + [size] * 4
        _library.lstm_backward_step.argtypes = [size] + [arrays] * 7 + [size] * 3
        _library.lstm_forward_step.restype = _library.lstm_backward_step.restype = None
    return True


def forward_step(t, gates, bias, gi, c_states, activations, tanh_c, h_states, before) -> None:
    """Step t of the sequence: from ``gates`` = h_{t-1} W_hh^T (N, 4H), overwritten with the
    gates, ``bias`` (b_hh repeated for every row, or None) and gi[t] (gi: (L, N, 4H)), writes
    activations[t] (L, N, 4H), tanh_c[t] (L, N, H) and the states after the step; the states
    (c_states, h_states: (L + 1, N, H)) before step t are at t + before, after it at
    t + 1 - before (before = 1 for a reversed direction). Every array C-contiguous float32
    (else ValueError, from the kernel's checks)."""
    steps, batch, gate_width = gi.shape
    _library.lstm_forward_step(t, gates, bias, gi, c_states, activations, tanh_c, h_states,
                               steps, batch, gate_width // 4, before)


def backward_step(t, grad_output, dh_carry, dc, activations, tanh_c, c_before, d_gates) -> None:
    """Step t's gate gradients into d_gates[t] (d_gates: (L, N, 4H)), and dc (N, H) carried to
    the step before (written over dc), from the gradient of h_t: grad_output[t] (grad_output:
    (L, N, H), any layout whose last dim is contiguous) plus dh_carry (N, H)."""
    steps, batch, hidden = tanh_c.shape
    _library.lstm_backward_step(t, grad_output, dh_carry, dc, activations, tanh_c, c_before,
                                d_gates, steps, batch, hidden)
