"""One direction of one LSTM layer over the whole sequence, as one fused op.

The reference (nn/modules/rnn.py) runs the recurrence step by step: per step it records
``linear(h, W_hh, b_hh)`` and an ``LSTMGates`` node, so its backward computes W_hh's gradient
once per step (32 small matrix products and 32 accumulations for 32 steps) and pays ~40 NumPy
calls of bookkeeping per step. Here the forward keeps the activations of every step in arrays
and the backward is backpropagation through time on those arrays, with W_hh's gradient made
once at the end from all steps together, as PyTorch's LSTM does.

It computes what the reference computes: the forward, and the gradients of the projected
input and of the initial states (so also W_ih's, b_ih's and the one handed to the layer
below), with the same operations in the same order (the same bits); W_hh's and b_hh's
gradients are sums over the steps taken in another order (equal to rounding). In float32,
where the C steps of lstm_steps.py are built, each step's elementwise part is one call (the
same arithmetic with glibc's exp and tanh: equal to rounding, not to the bit). It is used
only where the reference's per-step graph is not needed: a backward that records a graph
(create_graph=True) differentiates the reference recurrence instead, and CuPy arrays, mixed
dtypes and an ONNX export take the reference path.
"""
from __future__ import annotations

import functools

import numpy as np

from ..autograd import function, grad_mode
from ..autograd.function import Function
from ..ops.unary import sigmoid_array
from ..ops.joining import stack
from ..tensor import Tensor
from . import lstm_steps


def _stepwise(projected, h, c, w_hh, b_hh=None, *, reverse: bool):
    """The reference recurrence (``RNNBase._run_direction``'s loop) as recorded Tensor ops:
    what a backward that records a graph differentiates."""
    inputs = rnn._Unbind.apply(projected)
    steps = range(len(inputs) - 1, -1, -1) if reverse else range(len(inputs))
    outputs = [None] * len(inputs)
    for t in steps:
        h, c = rnn._lstm_step(inputs[t], h, c, w_hh, b_hh)
        outputs[t] = h
    return stack(outputs), h, c


class LSTMSequence(Function):
    """The recurrence of one LSTM direction over L steps, from the projected inputs
    gi_t = x_t W_ih^T + b_ih (L, N, 4H) and the initial states h_0, c_0 (N, H):
        gates_t = gi_t + h_{t-1} W_hh^T + b_hh = [i | f | g | o],
        c_t = s(i) tanh(g) + s(f) c_{t-1},   h_t = s(o) tanh(c_t)      (s = sigmoid);
    outputs (h_1 ... h_L) (L, N, H), h_L and c_L (the steps run from L to 1 when reversed).
    Backward, through time (last step first), with dh_t = dL/dh_t from the outputs plus the
    carry dgates_{t+1} W_hh, and dc_t = dc carried + dh_t s(o) (1 - tanh(c_t)^2):
        dgates_t = LSTMGates' formulas,  d c_{t-1} (carried) = dc_t s(f),
        d gi_t = dgates_t,   d h_0 = dgates_1 W_hh,   d c_0 = the carry after step 1,
        d W_hh = sum_t dgates_t^T h_{t-1}  (one (4H, L N) @ (L N, H) product),
        d b_hh = sum_t of dgates_t summed over the batch.
    """

    node_name = "LSTMSequenceBackward"

    @staticmethod
    def forward(ctx, projected, h0, c0, w_hh, b_hh=None, *, reverse: bool):
        gi = projected._data
        steps, batch, hidden = gi.shape[0], gi.shape[1], w_hh.shape[1]
        # h and c before and after every step, in one array each: step t finds its states at
        # t + before and leaves the new ones at t + after (no copies of the states per step)
        before, after = (1, 0) if reverse else (0, 1)
        h_states = np.empty_like(gi, shape=(steps + 1, batch, hidden))
        c_states = np.empty_like(h_states)
        h_states[steps * before], c_states[steps * before] = h0._data, c0._data
        activations = np.empty_like(gi)              # s(i), s(f), tanh(g), s(o) of each step
        tanh_c = np.empty_like(gi, shape=(steps, batch, hidden))
        gates = np.empty_like(gi[0])
        w_hh_t = w_hh._data.T
        # b_hh repeated for every row once (adding a row to every row costs twice a plain add)
        bias = None if b_hh is None else np.broadcast_to(b_hh._data, gates.shape).copy()
        in_c = lstm_steps.usable(gi.dtype)  # a float32 step in one C call (lstm_steps.py)
        if in_c:
            gi = np.ascontiguousarray(gi)
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            np.matmul(h_states[t + before], w_hh_t, out=gates)
            if in_c:  # the rest of the step in one pass
                lstm_steps.forward_step(t, gates, bias, gi, c_states, activations, tanh_c,
                                        h_states, before)
                continue
            if bias is not None:  # linear(h, W_hh, b_hh) as Addmm computes it, then + gi_t
                gates += bias
            gates += gi[t]
            sigmoid_array(gates, out=activations[t])   # one call for three gates, as LSTMGates
            np.tanh(gates[:, 2 * hidden:3 * hidden], out=activations[t, :, 2 * hidden:3 * hidden])
            i, f, g, o = rnn._blocks(activations[t], 4)
            c = c_states[t + after]
            np.multiply(f, c_states[t + before], out=c)
            c += i * g
            np.tanh(c, out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=h_states[t + after])
        ctx.save_for_backward(projected, h0, c0, w_hh, *(() if b_hh is None else (b_hh,)))
        ctx.reverse = reverse
        ctx.activations = (activations, h_states[before:steps + before],
                           c_states[before:steps + before], tanh_c)
        # the outputs are arrays of their own: changing one in place must not reach the states
        # the backward reads
        h_n, c_n = h_states[steps * after], c_states[steps * after]
        return h_states[after:steps + after].copy(), h_n.copy(), c_n.copy()

    @staticmethod
    def backward(ctx, grad_output, grad_h_n, grad_c_n):
        saved = ctx.saved_tensors
        if grad_mode.is_grad_enabled():  # a graph of the backward is asked for
            reference = functools.partial(_stepwise, reverse=ctx.reverse)
            return rnn._reference_gradients(ctx, reference, saved, (grad_output, grad_h_n, grad_c_n))
        activations, h_before, c_before, tanh_c = ctx.activations
        w_hh = saved[3]._data
        if lstm_steps.usable(activations.dtype):
            d_gates, dh_carry, dc = _backward_in_c(ctx.activations, w_hh, grad_output._data,
                                                   grad_h_n._data, grad_c_n._data, ctx.reverse)
            return _weight_gradients(ctx.needs_input_grad, d_gates, dh_carry, dc, h_before)
        # the local derivatives of every step, computed for all steps at once (LSTMGates'
        # formulas, bracketed as it brackets them); the loop through time is then 7 calls a step
        i, f, g, o = rnn._blocks(activations, 4)
        dc_per_dh = o * (1 - tanh_c * tanh_c)
        ifg_per_dc = np.empty_like(tanh_c, shape=tanh_c.shape[:2] + (3, tanh_c.shape[2]))
        np.multiply(g * i, 1 - i, out=ifg_per_dc[:, :, 0])         # (written in place: no
        np.multiply(c_before * f, 1 - f, out=ifg_per_dc[:, :, 1])  # np.stack copying them)
        np.multiply(i, 1 - g * g, out=ifg_per_dc[:, :, 2])
        o_per_dh = tanh_c * o * (1 - o)
        d_gates = np.empty_like(activations)
        d_gate_blocks = d_gates.reshape(d_gates.shape[:2] + (4, -1))  # (L, N, 4, H)
        dh_carry, dc = grad_h_n._data, grad_c_n._data
        for t in (range(len(activations)) if ctx.reverse else range(len(activations) - 1, -1, -1)):
            dh = grad_output._data[t] + dh_carry
            dc = dc + dh * dc_per_dh[t]
            np.multiply(dc[:, None, :], ifg_per_dc[t], out=d_gate_blocks[t, :, :3])
            np.multiply(dh, o_per_dh[t], out=d_gate_blocks[t, :, 3])
            dc = dc * f[t]
            dh_carry = d_gates[t] @ w_hh
        return _weight_gradients(ctx.needs_input_grad, d_gates, dh_carry, dc, h_before)


def _backward_in_c(saved, w_hh, grad_output, grad_h_n, grad_c_n, reverse: bool):
    """The loop through time of LSTMSequence.backward with each step's elementwise part one
    C call (lstm_steps.backward_step), given the forward's ``ctx.activations``: d gates of
    every step, dh_0 and dc_0."""
    activations, _, c_before, tanh_c = saved
    item = grad_output.itemsize
    if grad_output.strides[2] != item or any(stride % item for stride in grad_output.strides):
        grad_output = np.ascontiguousarray(grad_output)  # (rows of contiguous numbers)
    dh_carry = np.ascontiguousarray(grad_h_n)
    dc = np.array(grad_c_n, order="C")  # (written over at every step)
    d_gates = np.empty_like(activations)
    dh_next = np.empty_like(dh_carry)
    for t in (range(len(activations)) if reverse else range(len(activations) - 1, -1, -1)):
        lstm_steps.backward_step(t, grad_output, dh_carry, dc, activations, tanh_c, c_before,
                                 d_gates)
        np.matmul(d_gates[t], w_hh, out=dh_next)
        dh_carry, dh_next = dh_next, dh_carry
    return d_gates, dh_carry, dc


def _weight_gradients(needs, d_gates, dh_carry, dc, h_before) -> tuple:
    """LSTMSequence.backward's gradients, given every step's d gates, dh_0 and dc_0: W_hh's in
    one product over all steps, b_hh's one sum."""
    rows = d_gates.reshape(-1, d_gates.shape[-1])  # (needs: 4 entries without a bias, 5 with)
    d_w_hh = rows.T @ h_before.reshape(-1, h_before.shape[-1]) if needs[3] else None
    d_b_hh = rows.sum(0) if len(needs) == 5 and needs[4] else None
    grads = (d_gates, dh_carry, dc, d_w_hh, d_b_hh)[:len(needs)]
    return tuple(None if d is None else Tensor._from_array(d) for d in grads)


def _fusable(projected, *tensors) -> bool:
    """Whether LSTMSequence may run: a sequence of one step or more, NumPy arrays (CuPy's take
    the reference path) of one floating dtype (else the reference raises its error), and no
    ONNX export tracing the ops (its converters know LSTMGates, not this op)."""
    dtype = projected._data.dtype
    return (function.tracer is None and len(projected) > 0 and dtype.kind == "f"
            and all(isinstance(t._data, np.ndarray) and t._data.dtype == dtype
                    for t in (projected, *tensors)))


def fused_direction(reference):
    """``rnn.fused_direction``: LSTMSequence for an LSTM direction where it may run (else
    ``reference``, which hands the direction back to the loop over the steps)."""

    def fused(mode, projected, state, w_hh, b_hh, reverse):
        if mode != "LSTM":  # (state: h alone)
            return reference(mode, projected, state, w_hh, b_hh, reverse)
        tensors = (projected, *state, w_hh) + (() if b_hh is None else (b_hh,))
        if not _fusable(*tensors):
            return reference(mode, projected, state, w_hh, b_hh, reverse)
        output, h_n, c_n = LSTMSequence.apply(*tensors, reverse=reverse)
        return output, (h_n, c_n)

    return fused


# Last, after fused_direction exists: loading rnn (when this module is imported before it) puts
# fused_direction in (fast/__init__.py's load hook imports this module and reads it), and the
# functions above look rnn up only when they run.
from ..nn.modules import rnn  # noqa: E402
