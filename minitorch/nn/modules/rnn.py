"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step ``*Cell`` versions.

A recurrent layer runs one *cell* along the sequence, carrying a hidden state. The part of
each step that only depends on the input, ``x_t W_ih^T + b_ih``, is computed for all time
steps at once (one matrix product); the loop then only does ``h W_hh^T + b_hh`` and the
gates. Everything is built from differentiable Tensor ops, so backpropagation through time
is just autograd over the unrolled loop.

Gate layouts and parameter names follow PyTorch exactly so that state dicts load both ways:
LSTM rows are (input, forget, cell, output) gates, GRU rows (reset, update, new).
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ...creation import factories as _creation
from ...autograd import grad as autograd_grad
from ...autograd import grad_mode
from ...autograd.function import Function
from ...ops.joining import cat, stack
from ...tensor import Tensor
from .. import init
from ...ops.unary import sigmoid_array
from ..functional._dropout import dropout as _dropout
from ..functional._linear import linear
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# --- one time step of each cell (gi = the input's projection x W_ih^T + b_ih) --------------
#
# Each cell is written twice: as Tensor ops (the definition, short and differentiable to any
# order) and as one fused Function whose forward and backward work on arrays. A step of an
# LSTM is ~15 small ops; run through autograd one by one, their bookkeeping costs far more
# than their arithmetic. The fused Functions fall back to the Tensor definition when a graph
# of the backward pass is asked for (create_graph=True), so higher-order gradients stay right.

def _rnn_step(gi, h, w_hh, b_hh, relu: bool):
    """h' = act(gi + h W_hh^T + b_hh) with act = tanh or relu."""
    pre = gi + linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def _lstm_gates_reference(gates, c):
    """i, f, o = sigmoid(...), g = tanh(...);  c' = f * c + i * g,  h' = o * tanh(c')."""
    i, f, g, o = gates.chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def _gru_gates_reference(gi, gh, h):
    """r, z = sigmoid(...);  n = tanh(gi_n + r * gh_n);  h' = (1 - z) * n + z * h.
    (The reset gate multiplies the hidden projection *including* its bias, as in PyTorch.)"""
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return n + z * (h - n)


def _reference_gradients(ctx, reference, inputs, grads):
    """The backward of a fused cell as a recorded graph: differentiate the Tensor definition.

    Each input is first aliased by a fresh view: the inputs may depend on one another (the
    gates on the previous state), and only the paths through this cell's own formula count.
    """
    inputs = tuple(t.view(t.shape) for t in inputs)
    wanted = [t for t, need in zip(inputs, ctx.needs_input_grad) if need]
    outputs = reference(*inputs)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    found = iter(autograd_grad(outputs, wanted, grads, create_graph=True, allow_unused=True))
    return tuple(next(found) if need else None for need in ctx.needs_input_grad)


def _blocks(array, count: int) -> list:
    """The ``count`` equal blocks of the last axis, as views (what ``np.split`` gives, without
    its general Python loop: 10 us a call, a few times in every step of a cell)."""
    size = array.shape[-1] // count
    return [array[..., k * size:(k + 1) * size] for k in range(count)]


class LSTMGates(Function):
    """The pointwise part of an LSTM step, fused: from the gate pre-activations
    gates = [i | f | g | o] (N, 4H) and the cell state c,
        c' = s(f) c + s(i) tanh(g),   h' = s(o) tanh(c')      (s = sigmoid).
    With dh', dc' incoming and dc = dc' + dh' s(o) (1 - tanh(c')^2):
        d i = dc tanh(g) s(i)(1 - s(i)),   d f = dc c s(f)(1 - s(f)),
        d g = dc s(i) (1 - tanh(g)^2),     d o = dh' tanh(c') s(o)(1 - s(o)),   d c = dc s(f).
    """

    node_name = "LSTMGatesBackward"

    @staticmethod
    def forward(ctx, gates, c):
        i, f, _, o = _blocks(sigmoid_array(gates._data), 4)  # one call for three gates
        g = np.tanh(_blocks(gates._data, 4)[2])
        c_next = f * c._data + i * g
        tanh_c = np.tanh(c_next)
        ctx.save_for_backward(gates, c)
        ctx.activations = (i, f, g, o, tanh_c)
        return o * tanh_c, c_next

    @staticmethod
    def backward(ctx, grad_h, grad_c):
        gates, c = ctx.saved_tensors
        if grad_mode.is_grad_enabled():
            return _reference_gradients(ctx, _lstm_gates_reference, (gates, c), (grad_h, grad_c))
        i, f, g, o, tanh_c = ctx.activations
        dh = grad_h._data
        # each incoming gradient times its local derivative, in brackets: the whole-sequence
        # op (minitorch/fast/lstm_sequence.py) computes those for all steps at once
        dc = grad_c._data + dh * (o * (1 - tanh_c * tanh_c))
        d_gates = np.concatenate([dc * (g * i * (1 - i)), dc * (c._data * f * (1 - f)),
                                  dc * (i * (1 - g * g)), dh * (tanh_c * o * (1 - o))], axis=-1)
        return Tensor._from_array(d_gates), Tensor._from_array(dc * f)


class GRUGates(Function):
    """The pointwise part of a GRU step, fused: from gi = x W_ih^T + b_ih and
    gh = h W_hh^T + b_hh (each [r | z | n], (N, 3H)) and h,
        r = s(gi_r + gh_r), z = s(gi_z + gh_z), n = tanh(gi_n + r gh_n), h' = n + z (h - n).
    With dh' incoming and dn = dh' (1 - z)(1 - n^2):
        d gi = [dr, dz, dn],  d gh = [dr, dz, dn r],  d h = dh' z,
        where dr = dn gh_n r(1 - r) and dz = dh' (h - n) z(1 - z).
    """

    node_name = "GRUGatesBackward"

    @staticmethod
    def forward(ctx, gi, gh, h):
        hidden = gi.shape[-1] // 3
        r, z = _blocks(sigmoid_array(gi._data[..., :2 * hidden] + gh._data[..., :2 * hidden]), 2)
        h_n = gh._data[..., 2 * hidden:]
        n = np.tanh(gi._data[..., 2 * hidden:] + r * h_n)
        ctx.save_for_backward(gi, gh, h)
        ctx.activations = (r, z, n, h_n)
        return n + z * (h._data - n)

    @staticmethod
    def backward(ctx, grad):
        gi, gh, h = ctx.saved_tensors
        if grad_mode.is_grad_enabled():
            return _reference_gradients(ctx, _gru_gates_reference, (gi, gh, h), (grad,))
        r, z, n, h_n = ctx.activations
        dh = grad._data
        dn = dh * (1 - z) * (1 - n * n)
        dr = dn * h_n * r * (1 - r)
        dz = dh * (h._data - n) * z * (1 - z)
        return (Tensor._from_array(np.concatenate([dr, dz, dn], axis=-1)),
                Tensor._from_array(np.concatenate([dr, dz, dn * r], axis=-1)),
                Tensor._from_array(dh * z))


def _lstm_step(gi, h, c, w_hh, b_hh):
    return LSTMGates.apply(gi + linear(h, w_hh, b_hh), c)


def _gru_step(gi, h, w_hh, b_hh):
    return GRUGates.apply(gi, linear(h, w_hh, b_hh), h)


class _Unbind(Function):
    """The slices x[0], x[1], ... of the first dim, as one node;  the gradient stacks theirs.
    (Indexing L times would make L nodes, each scattering into a zero tensor of x's size.)"""

    node_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx, input):
        return tuple(input._data[t] for t in range(input.shape[0]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads)


def fused_direction(mode, projected, state, w_hh, b_hh, reverse: bool):
    """One direction's whole recurrence as one fused op, or None: run the steps one by one.
    The reference has no fused op; minitorch/fast puts LSTM's in (fast/lstm_sequence.py)."""
    return None


class RNNBase(Module):
    """Shared set-up of RNN, LSTM and GRU: parameters ``weight_ih_l{k}``, ``weight_hh_l{k}``,
    ``bias_ih_l{k}``, ``bias_hh_l{k}`` (``_reverse`` for the backward direction), all
    initialised U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None) -> None:
        super().__init__()
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability "
                             "of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero "
                          f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}")
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be an integer greater than zero")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError("num_layers must be an integer greater than zero")
        if proj_size:
            raise NotImplementedError("LSTM(proj_size > 0) is not implemented in minitorch")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (gate_size, layer_input), "weight_hh": (gate_size, hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                for name, shape in shapes.items():
                    setattr(self, name + suffix,
                            Parameter(_creation.empty(shape, device=device, dtype=dtype)))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self) -> None:
        """A no-op (PyTorch packs weights for cuDNN here)."""

    @property
    def all_weights(self) -> list:
        return [[getattr(self, name) for name in self._flat_weights_names[i:i + (4 if self.bias else 2)]]
                for i in range(0, len(self._flat_weights_names), 4 if self.bias else 2)]

    def _layer_weights(self, layer: int, direction: int):
        """(weight_ih, weight_hh, bias_ih, bias_hh) of one layer and direction (biases may be None)."""
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        w_ih, w_hh = getattr(self, "weight_ih" + suffix), getattr(self, "weight_hh" + suffix)
        if not self.bias:
            return w_ih, w_hh, None, None
        return w_ih, w_hh, getattr(self, "bias_ih" + suffix), getattr(self, "bias_hh" + suffix)

    def _check_input(self, input: Tensor) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D "
                             "tensor instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def _check_hidden(self, hx: Tensor, expected: tuple, what: str = "hidden") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(hx.shape)}")

    def _run_direction(self, x, state, layer: int, direction: int):
        """Run one direction of one layer over x (L, N, in); returns (outputs (L, N, H), state)."""
        w_ih, w_hh, b_ih, b_hh = self._layer_weights(layer, direction)
        projected = linear(x, w_ih, b_ih)  # every step's input term at once
        fused = fused_direction(self.mode, projected, state, w_hh, b_hh, bool(direction))
        if fused is not None:
            return fused
        projected = _Unbind.apply(projected)
        steps = range(x.shape[0] - 1, -1, -1) if direction else range(x.shape[0])
        outputs = [None] * x.shape[0]
        for t in steps:
            gi = projected[t]
            if self.mode == "LSTM":
                h, c = _lstm_step(gi, state[0], state[1], w_hh, b_hh)
                state = (h, c)
            elif self.mode == "GRU":
                h = state = _gru_step(gi, state, w_hh, b_hh)
            else:
                h = state = _rnn_step(gi, state, w_hh, b_hh, self.mode == "RNN_RELU")
            outputs[t] = h
        return stack(outputs), state

    def _forward(self, input: Tensor, hx):
        """Shared by RNN / GRU (hx a tensor) and LSTM (hx a pair); returns (output, final states)."""
        self._check_input(input)
        batched = input.dim() == 3
        x = input
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        batch = x.shape[1]
        directions = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        expected = (self.num_layers * directions, batch, self.hidden_size)
        if hx is None:
            zeros = _creation.zeros(expected, dtype=input.dtype, device=input.device)
            hx = (zeros, zeros) if lstm else zeros
        else:
            if lstm:
                h0, c0 = hx
                if not batched:
                    h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
                self._check_hidden(h0, expected)
                self._check_hidden(c0, expected, "cell")
                hx = (h0, c0)
            else:
                if not batched:
                    hx = hx.unsqueeze(1)
                self._check_hidden(hx, expected)
        finals_h, finals_c = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(directions):
                k = layer * directions + direction
                state = (hx[0][k], hx[1][k]) if lstm else hx[k]
                out, state = self._run_direction(x, state, layer, direction)
                outs.append(out)
                if lstm:
                    finals_h.append(state[0])
                    finals_c.append(state[1])
                else:
                    finals_h.append(state)
            x = outs[0] if directions == 1 else cat(outs, dim=-1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, training=True)
        h_n = stack(finals_h)
        c_n = stack(finals_c) if lstm else None
        if not batched:
            x, h_n = x.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else None
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, ((h_n, c_n) if lstm else h_n)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act = tanh or relu.

    Args:
        input_size, hidden_size: features of x_t and h_t.
        num_layers: stacked layers (each layer's outputs are the next one's inputs).
        nonlinearity: ``'tanh'`` (default) or ``'relu'``.
        bias, batch_first, dropout (between layers, training only), bidirectional.

    ``forward(input, h0=None)`` takes (L, N, H_in) (or (N, L, H_in) with batch_first, or
    unbatched (L, H_in)) and returns (output (L, N, D * H), h_n (D * num_layers, N, H)).

    Example::

        >>> rnn = nn.RNN(3, 5, num_layers=2)
        >>> output, h_n = rnn(minitorch.randn(7, 4, 3))
        >>> output.shape, h_n.shape
        (minitorch.Size([7, 4, 5]), minitorch.Size([2, 4, 5]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None):
        return self._forward(input, hx)


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, o = sigmoid, g = tanh of (x W_ih^T + b_ih + h W_hh^T + b_hh);
    c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t). Arguments as RNN (without nonlinearity).

    ``forward(input, (h0, c0)=None)`` returns (output, (h_n, c_n)).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)

    def forward(self, input: Tensor, hx=None):
        return self._forward(input, hx)


class GRU(RNNBase):
    """Gated recurrent unit: r, z = sigmoid(...), n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)),
    h_t = (1 - z) * n + z * h_{t-1}. Arguments as RNN (without nonlinearity)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None):
        return self._forward(input, hx)


# --- single steps ------------------------------------------------------------------------

class RNNCellBase(Module):
    """Parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` of one cell."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        kw = dict(device=device, dtype=dtype)
        self.weight_ih = Parameter(_creation.empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(_creation.empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _prepare(self, input: Tensor, hx, pair: bool = False):
        """(batched input, initial state(s), whether the input was unbatched)."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected "
                               f"{self.input_size}")
        unbatched = input.dim() == 1
        x = input.unsqueeze(0) if unbatched else input
        if hx is None:
            zeros = _creation.zeros((x.shape[0], self.hidden_size), dtype=input.dtype,
                                    device=input.device)
            return x, ((zeros, zeros) if pair else zeros), unbatched
        states = hx if pair else (hx,)
        if unbatched:
            states = tuple(s.unsqueeze(0) for s in states)
        for s in states:
            if tuple(s.shape) != (x.shape[0], self.hidden_size):
                raise RuntimeError(f"Expected hidden size {(x.shape[0], self.hidden_size)}, got "
                                   f"{list(s.shape)}")
        return x, (states if pair else states[0]), unbatched

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, unbatched = self._prepare(input, hx)
        h = _rnn_step(linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh,
                      self.nonlinearity == "relu")
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, (h, c)=None)`` returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx=None):
        x, (h, c), unbatched = self._prepare(input, hx, pair=True)
        h, c = _lstm_step(linear(x, self.weight_ih, self.bias_ih), h, c, self.weight_hh, self.bias_hh)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """One GRU step; ``forward(input, h=None)`` returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, unbatched = self._prepare(input, hx)
        h = _gru_step(linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h.squeeze(0) if unbatched else h
