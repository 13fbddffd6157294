"""Checks for chapter 10: sequences.

The learner's embedding backward must give ``torch.nn.functional.embedding``'s gradient
(repeated tokens, tokens of any shape, float32 and float64). The learner's RNN and LSTM cells
run with the weights of PyTorch's ``nn.RNNCell`` and ``nn.LSTMCell`` (float32 and float64,
square and non-square weights, a non-contiguous state) and must give their outputs and the
gradients of every input and weight. The sampling loop
runs on small stand-in models whose next-character scores are known, and must draw the same
names as the reference loop from the same seed.
"""
from __future__ import annotations

import numpy as np

import minitorch

from .checking import pytorch as _torch, run

_FLOAT64 = {"rtol": 1e-7, "atol": 1e-9}
_FLOAT32 = {"rtol": 2e-4, "atol": 2e-5}

# (batch N, input size D, hidden size H, dtype, state contiguous): the first case has D == H,
# so that a missing transpose gives wrong numbers rather than a shape error
_CELL_CASES = [
    (3, 4, 4, np.float32, True),
    (2, 3, 5, np.float32, True),
    (4, 2, 3, np.float64, True),
    (3, 5, 4, np.float32, False),
]
_WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _random(shape, rng, dtype) -> np.ndarray:
    return rng.standard_normal(shape).astype(dtype)


def _leaf(array: np.ndarray, contiguous: bool = True):
    """A minitorch leaf holding ``array``; with ``contiguous=False``, a transposed view."""
    if contiguous:
        return minitorch.tensor(array, requires_grad=True)
    return minitorch.tensor(np.ascontiguousarray(array.T)).t().detach().requires_grad_()


# ------------------------------------------------------------------------------ embedding

# (vocabulary size V, width D, tokens, dtype): repeated tokens, rows no token picks, a batch
# of sequences (2-D tokens) and a 3-D one
_EMBEDDING_CASES = [
    (6, 3, [0, 2, 2, 5], np.float32),
    (5, 4, [[1, 1, 3, 1], [0, 4, 4, 1]], np.float32),
    (4, 2, [[[3, 3], [0, 3]], [[2, 2], [2, 3]]], np.float64),
    (7, 5, [6, 6, 6], np.float64),
]


def embedding(Function):
    """``Function.apply(weight, tokens)``: the rows picked and the gradient of weight, against
    ``torch.nn.functional.embedding``."""
    torch = _torch()

    def cases(expect):
        for seed, (size, width, tokens, dtype) in enumerate(_EMBEDDING_CASES):
            rng = np.random.default_rng(seed)
            weight, index = _random((size, width), rng, dtype), np.array(tokens)
            upstream = _random(index.shape + (width,), rng, dtype)
            ours, theirs = _leaf(weight), torch.tensor(weight, requires_grad=True)
            name = f"weight ({size}, {width}) {np.dtype(dtype).name}, tokens {tokens}"
            tol = _FLOAT64 if dtype == np.float64 else _FLOAT32
            out = Function.apply(ours, minitorch.tensor(index))
            expected = torch.nn.functional.embedding(torch.tensor(index), theirs)
            expect.close(f"the rows picked for {name}", out, expected.detach(), **tol)
            out.backward(minitorch.tensor(upstream))
            expected.backward(torch.tensor(upstream))
            expect.close(f"the gradient of weight for {name}", ours.grad, theirs.grad, **tol,
                         hint="start from zeros of weight's shape and *add* each "
                              "position's gradient into its token's row (index_add_ with tokens "
                              "and grad flattened to one row per position): a repeated token "
                              "gets the sum")
    return run("EmbeddingFunction.backward", cases)


# -------------------------------------------------------------------------- RNN and LSTM

def _cell_inputs(torch_cell_class, gates, n, d, h, dtype, seed, contiguous):
    """A PyTorch cell with random weights; the same weights, the input x and the state h, c
    (an RNN uses only h) as minitorch leaves (``ours``) and PyTorch leaves (``theirs``); and
    upstream gradients for the new h and c."""
    torch = _torch()
    rng = np.random.default_rng(seed)
    weights = [_random((gates * h, d), rng, dtype) * 0.5, _random((gates * h, h), rng, dtype) * 0.5,
               _random((gates * h,), rng, dtype) * 0.5, _random((gates * h,), rng, dtype) * 0.5]
    cell = torch_cell_class(d, h, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        for name, array in zip(_WEIGHT_NAMES, weights):
            getattr(cell, name).copy_(torch.tensor(array))
    x, state = _random((n, d), rng, dtype), [_random((n, h), rng, dtype) for _ in range(2)]
    ours = {"x": _leaf(x), "h": _leaf(state[0], contiguous), "c": _leaf(state[1], contiguous)}
    ours.update((name, _leaf(array)) for name, array in zip(_WEIGHT_NAMES, weights))
    theirs = {key: torch.tensor(array, requires_grad=True)
              for key, array in (("x", x), ("h", state[0]), ("c", state[1]))}
    theirs.update((name, getattr(cell, name)) for name in _WEIGHT_NAMES)
    upstream = [_random((n, h), rng, dtype) for _ in range(2)]
    return cell, ours, theirs, upstream


def _describe(n, d, h, dtype, contiguous) -> str:
    layout = "" if contiguous else ", the state a non-contiguous view"
    return f"x ({n}, {d}), hidden size {h}, {np.dtype(dtype).name}{layout}"


def _compare_gradients(expect, name, inputs, ours, theirs, tol, hint) -> None:
    for key in inputs:
        argument = key.replace("weight", "w").replace("bias", "b")     # weight_ih -> w_ih
        expect.close(f"the gradient of {argument} for {name}", ours[key].grad, theirs[key].grad,
                     **tol, hint=hint)


def rnn_cell(fn):
    """``fn(x, h, w_ih, w_hh, b_ih, b_hh)``: the new state and every gradient, against
    ``torch.nn.RNNCell`` holding the same weights."""
    torch = _torch()

    def cases(expect):
        for seed, (n, d, h, dtype, contiguous) in enumerate(_CELL_CASES):
            cell, ours, theirs, (upstream, _) = _cell_inputs(torch.nn.RNNCell, 1, n, d, h, dtype,
                                                             seed, contiguous)
            name = _describe(n, d, h, dtype, contiguous)
            tol = _FLOAT64 if dtype == np.float64 else _FLOAT32
            out = fn(ours["x"], ours["h"], *(ours[k] for k in _WEIGHT_NAMES))
            expected = cell(theirs["x"], theirs["h"])
            expect.close(f"h' for {name}", out, expected.detach(), **tol,
                         hint="h' = tanh(x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh): PyTorch's "
                              "weights are (out, in), hence the transposes")
            out.backward(minitorch.tensor(upstream))
            expected.backward(torch.tensor(upstream))
            _compare_gradients(expect, name, ("x", "h", *_WEIGHT_NAMES), ours, theirs, tol,
                               hint="compute h' with minitorch operations on every input")
    return run("rnn_cell", cases)


def lstm_cell(fn):
    """``fn(x, (h, c), w_ih, w_hh, b_ih, b_hh)``: the new (h, c) and every gradient, against
    ``torch.nn.LSTMCell`` holding the same weights."""
    torch = _torch()

    def cases(expect):
        for seed, (n, d, h, dtype, contiguous) in enumerate(_CELL_CASES):
            cell, ours, theirs, upstream = _cell_inputs(torch.nn.LSTMCell, 4, n, d, h, dtype,
                                                        seed, contiguous)
            name = _describe(n, d, h, dtype, contiguous)
            tol = _FLOAT64 if dtype == np.float64 else _FLOAT32
            result = fn(ours["x"], (ours["h"], ours["c"]), *(ours[k] for k in _WEIGHT_NAMES))
            expected = cell(theirs["x"], (theirs["h"], theirs["c"]))
            expect.equal(f"what it returns for {name}", _shape_of_pair(result),
                         f"a pair of ({n}, {h})", hint="return the pair (h, c), new state first")
            expect.close(f"c' for {name}", result[1], expected[1].detach(), **tol,
                         hint="gates = x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh split into "
                              "i, f, g, o in that order (chunk(4, dim=1)); "
                              "c' = sigmoid(f) * c + sigmoid(i) * tanh(g)")
            expect.close(f"h' for {name}", result[0], expected[0].detach(), **tol,
                         hint="h' = sigmoid(o) * tanh(c'), with the new cell state c'")
            sum(((r * minitorch.tensor(u)).sum() for r, u in zip(result, upstream))).backward()
            sum(((e * torch.tensor(u)).sum() for e, u in zip(expected, upstream))).backward()
            _compare_gradients(expect, name, ("x", "h", "c", *_WEIGHT_NAMES), ours, theirs, tol,
                               hint="compute h' and c' with minitorch operations on every input")
    return run("lstm_cell", cases)


def _shape_of_pair(result) -> str:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return f"{type(result).__name__}, not a pair"
    shapes = [tuple(getattr(t, "shape", ())) for t in result]
    return f"a pair of {shapes[0]}" if shapes[0] == shapes[1] else f"a pair of shapes {shapes}"


# ------------------------------------------------------------------------- sampling names

VOCABULARY = ["."] + list("abcdefghijklmnopqrstuvwxyz")


class _BigramModel:
    """Scores for the next character that depend only on the character fed in, from a fixed
    random table; the state is passed through untouched."""

    def __init__(self, seed: int, never_stop: bool = False):
        table = np.random.default_rng(seed).standard_normal((len(VOCABULARY), len(VOCABULARY))) * 2
        table[:, 0] += 1.0                     # '.' likely enough that names end
        if never_stop:
            table[:, 0] = -1e9
        self.table = minitorch.tensor(table.astype(np.float32))

    def __call__(self, token, state=None):
        return self.table[token], state       # token (1, 1) -> scores (1, 1, V)


class _SpellingModel:
    """Spells one word, then '.': its state counts the steps, and the scores make the next
    letter all but certain. A loop that does not pass the state back repeats the first letter."""

    def __init__(self, word: str):
        self.word = word

    def __call__(self, token, state=None):
        step = 0 if state is None else state
        letter = self.word[step] if step < len(self.word) else "."
        scores = np.full(len(VOCABULARY), -50.0, dtype=np.float32)
        scores[VOCABULARY.index(letter)] = 50.0
        return minitorch.tensor(scores).reshape(1, 1, -1), step + 1


def _reference_sample(model, vocabulary, generator, max_length=12) -> str:
    token, state, name = minitorch.tensor([[0]]), None, ""
    with minitorch.no_grad():
        for _ in range(max_length):
            scores, state = model(token, state)
            next_id = minitorch.multinomial(scores[0, -1].softmax(0), 1, generator=generator).item()
            if next_id == 0:
                break
            name += vocabulary[next_id]
            token = minitorch.tensor([[next_id]])
    return name


def _names(sampler, model, seed: int, count: int, **kwargs) -> list:
    generator = minitorch.Generator().manual_seed(seed)
    return [sampler(model, VOCABULARY, generator, **kwargs) for _ in range(count)]


def sample(fn):
    """``fn(model, vocabulary, generator, max_length)``: the names drawn from stand-in models,
    against the reference loop with the same seed."""
    def cases(expect):
        spelled = fn(_SpellingModel("minitorch"), VOCABULARY, minitorch.Generator().manual_seed(0))
        expect.equal("the name spelled by a model whose state counts the steps ('minitorch')",
                     spelled, "minitorch",
                     hint="feed back the character you drew *and* the state the model returned; "
                          "stop at '.' without adding it to the name")
        endless = _names(fn, _BigramModel(2, never_stop=True), 2, 3, max_length=5)
        expect.equal("the lengths of 3 names from a model that never predicts '.', max_length=5",
                     [len(name) for name in endless], [5, 5, 5],
                     hint="stop after max_length characters")
        for seed in (0, 1):
            expect.equal(f"8 names drawn from a bigram model (generator seeded with {seed})",
                         _names(fn, _BigramModel(seed), seed, 8),
                         _names(_reference_sample, _BigramModel(seed), seed, 8),
                         hint="draw one token per step with minitorch.multinomial(softmax of the "
                              "last scores, 1, generator=generator): not the most likely one; "
                              "feed it back as a (1, 1) tensor")
    return run("sample", cases)
