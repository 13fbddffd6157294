"""Checks for chapter 14, the capstone: a CNN and a GPT built from the learner's own pieces.

The layers are compared with PyTorch (values and gradients). The assembled models are compared
with the same networks built twice more, from minitorch.nn and from PyTorch, loaded with the
learner's weights: same logits, same gradient for every parameter on one batch. The trained
models must also reach the chapter's goals (95% test accuracy; chapter 10's names loss).
"""
from __future__ import annotations

import math

import numpy as np

import minitorch

from .checking import as_array, pytorch as _torch, run, UNFINISHED, Verdict


def _library_name(lib) -> str:
    return "minitorch.nn" if lib is minitorch else "PyTorch"


def _seeded(cases):
    """Run ``cases(expect)`` from seed 0 and leave the notebook's random stream as it was."""
    def seeded_cases(expect):
        state = minitorch.get_rng_state()
        minitorch.manual_seed(0)
        try:
            cases(expect)
        finally:
            minitorch.set_rng_state(state)
    return seeded_cases


def _not_trained(name: str, what: str) -> Verdict:
    return Verdict(name, UNFINISHED, f"… {name}: not done yet: {what}")


# --- the reference networks, written once for both libraries (their APIs are the same) ------

def reference_cnn(lib):
    """The chapter's CNN from ``lib.nn`` (lib is minitorch or torch)."""
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(16 * 5 * 5, 10))


def reference_gpt(lib, vocab, d_model, heads, layers, context):
    """The chapter's GPT from ``lib.nn``: each of its blocks is nn.TransformerEncoderLayer
    (pre-norm, no dropout), whose parameters have the names of the learner's TransformerBlock."""
    nn = lib.nn

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(vocab, d_model)
            self.positions = nn.Embedding(context, d_model)
            self.blocks = nn.ModuleList([
                nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=0.0,
                                           batch_first=True, norm_first=True)
                for _ in range(layers)])
            self.norm = nn.LayerNorm(d_model)
            self.head = nn.Linear(d_model, vocab)

        def forward(self, tokens):
            t = tokens.shape[1]
            h = self.tokens(tokens) + self.positions(lib.arange(t))
            future = lib.ones(t, t, dtype=lib.bool).triu(1)
            for block in self.blocks:
                h = block(h, src_mask=future, is_causal=True)
            return self.head(self.norm(h))

    return GPT()


def _weights(model) -> dict:
    return {name: as_array(p).copy() for name, p in model.named_parameters()}


def _loaded(reference, weights: dict, lib):
    reference.load_state_dict({name: lib.tensor(value) for name, value in weights.items()})
    return reference


def agree(expect, text, model, reference_of, inputs, targets, hint, rtol=1e-4, atol=1e-5):
    """The learner's ``model`` and ``reference_of(lib)`` (for minitorch and PyTorch) loaded with
    the model's weights: same parameter names, same logits, same gradient of the cross-entropy
    (padded targets, -100, ignored) for every parameter."""
    torch = _torch()
    ours = dict(model.named_parameters())
    expect.equal(f"{text}: the parameters' names", list(ours),
                 [name for name, _ in reference_of(minitorch).named_parameters()], hint=hint)
    for p in ours.values():
        p.grad = None
    logits = model(minitorch.tensor(inputs))
    minitorch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                          minitorch.tensor(targets).reshape(-1)).backward()
    weights = _weights(model)
    for lib in (minitorch, torch):
        reference = _loaded(reference_of(lib), weights, lib)
        expected = reference(lib.tensor(inputs))
        lib.nn.functional.cross_entropy(expected.reshape(-1, expected.shape[-1]),
                                        lib.tensor(targets).reshape(-1)).backward()
        against = _library_name(lib)
        expect.close(f"{text}: the logits, against {against}", logits, expected, rtol=rtol,
                     atol=atol, hint=hint)
        for name, p in reference.named_parameters():
            expect.close(f"{text}: the gradient of {name}, against {against}", ours[name].grad,
                         p.grad, rtol=rtol, atol=atol, hint=hint)


def _shapes(named) -> list:
    return [(name, tuple(p.shape)) for name, p in named]


# --- Exercise 14.1: Conv2d ------------------------------------------------------------------

def _uniform_spread(expect, what: str, values: np.ndarray, bound: float, hint: str) -> None:
    """``values`` look like draws from U(-bound, bound): the largest |value| within 2% of the
    bound, and the standard deviation of a uniform draw."""
    expect.close(f"{what}: the largest |value| (the bound, nearly reached)", np.abs(values).max(),
                 bound, rtol=0.02, hint=hint)
    expect.close(f"{what}: the standard deviation (bound / sqrt(3) for a uniform draw)",
                 values.std(), bound / math.sqrt(3), rtol=0.06, hint=hint)


def _compare_layer(expect, text, layer, theirs, x: np.ndarray, hint, transposed=False) -> None:
    """Output and gradients (input, then each parameter) of the learner's ``layer`` and of
    PyTorch's function ``theirs(x, **parameters)`` on ``x``; with ``transposed`` the learner's
    layer gets x as a non-contiguous view (a transpose of the tensor that stores it)."""
    torch = _torch()
    parameters = dict(layer.named_parameters())
    torch_parameters = {name: torch.tensor(as_array(p), requires_grad=True)
                        for name, p in parameters.items()}
    theirs_x = torch.tensor(x, requires_grad=True)
    if transposed:
        stored = minitorch.tensor(np.ascontiguousarray(x.swapaxes(-1, -2)), requires_grad=True)
        ours_x = stored.transpose(-1, -2)
        text += " (given as a transposed view)"
    else:
        stored = ours_x = minitorch.tensor(x, requires_grad=True)
    out, expected = layer(ours_x), theirs(theirs_x, **torch_parameters)
    expect.close(f"{text}: the output", out, expected, rtol=1e-4, atol=1e-5, hint=hint)
    upstream = np.random.default_rng(1).standard_normal(tuple(expected.shape)).astype(np.float32)
    (out * minitorch.tensor(upstream)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    expected_grad = theirs_x.grad.numpy()
    expect.close(f"{text}: the gradient of the input", stored.grad,
                 expected_grad.swapaxes(-1, -2) if transposed else expected_grad,
                 rtol=1e-4, atol=1e-5, hint=hint)
    for name, p in parameters.items():
        expect.close(f"{text}: the gradient of the {name}", p.grad, torch_parameters[name].grad,
                     rtol=1e-4, atol=1e-5, hint=hint)


def conv2d(Conv2d, TinyModule):
    """``Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0)``: nn.Conv2d's
    parameters, initialisation and output (through the learner's Conv2dFunction)."""
    torch = _torch()

    def cases(expect):
        layer = Conv2d(3, 4, 3)
        expect.true("Conv2d(3, 4, 3) is a TinyModule", isinstance(layer, TinyModule))
        expect.equal("Conv2d(3, 4, 3): named_parameters() (name, shape)",
                     _shapes(layer.named_parameters()), [("weight", (4, 3, 3, 3)), ("bias", (4,))],
                     hint="weight is (out_channels, in_channels, k, k), bias is (out_channels,)")
        big = Conv2d(16, 512, 3)
        hint = ("nn.Conv2d draws weight and bias uniform in ±1/sqrt(fan_in), and fan_in counts "
                "every input a filter sees: in_channels * k * k")
        bound = 1 / math.sqrt(16 * 3 * 3)
        _uniform_spread(expect, "Conv2d(16, 512, 3)'s weight", as_array(big.weight), bound, hint)
        _uniform_spread(expect, "Conv2d(16, 512, 3)'s bias", as_array(big.bias), bound, hint)
        rng = np.random.default_rng(0)
        for c_in, c_out, k, stride, padding, shape, transposed in [
                (1, 8, 3, 1, 0, (2, 1, 9, 9), False), (3, 4, 3, 2, 1, (2, 3, 8, 7), False),
                (2, 5, 2, 1, 1, (1, 2, 6, 5), True)]:
            def theirs(x, weight, bias, stride=stride, padding=padding):
                return torch.nn.functional.conv2d(x, weight, bias, stride=stride, padding=padding)
            _compare_layer(expect, f"Conv2d({c_in}, {c_out}, {k}, stride={stride}, "
                                   f"padding={padding}) on an input of shape {shape}",
                           Conv2d(c_in, c_out, k, stride=stride, padding=padding), theirs,
                           rng.standard_normal(shape).astype(np.float32),
                           hint="pass the layer's weight, bias, stride and padding to "
                                "Conv2dFunction.apply", transposed=transposed)
    return run("Conv2d", _seeded(cases))


# --- Exercise 14.2: MaxPool2d ---------------------------------------------------------------

def max_pool2d(MaxPool2d):
    """``MaxPool2d(k)(x)``: the maximum of each k x k window (stride k, leftover rows and
    columns dropped), values and gradient, against torch.nn.functional.max_pool2d."""
    torch = _torch()

    def cases(expect):
        rng = np.random.default_rng(2)
        for k, shape, transposed in [(2, (2, 3, 8, 8), False), (2, (1, 2, 7, 9), False),
                                     (3, (2, 1, 9, 12), False), (2, (2, 2, 6, 4), True)]:
            def theirs(x, k=k):
                return torch.nn.functional.max_pool2d(x, k)
            _compare_layer(expect, f"MaxPool2d({k}) on an input of shape {shape}", MaxPool2d(k),
                           theirs, rng.standard_normal(shape).astype(np.float32),
                           hint="give each window its own axes: reshape to (N, C, H/k, k, W/k, k), "
                                "then bring the two window axes together (permute) before "
                                "flattening them and taking the max", transposed=transposed)
    return run("MaxPool2d", cases,
               hint="crop H and W to multiples of k first: PyTorch drops the leftover rows")


# --- Exercise 14.3: Sequential --------------------------------------------------------------

def sequential(Sequential, TinyModule, Linear):
    """``Sequential(*layers)`` registers its layers under "0", "1", ... (nn.Sequential's names,
    so state dicts match) and applies them in order."""
    torch = _torch()

    class Tanh(TinyModule):
        def forward(self, x):
            return x.tanh()

    def build(lib_sequential, linear, tanh, nested):
        if nested:
            return lib_sequential(lib_sequential(linear(4, 6), tanh()), tanh(), linear(6, 3))
        return lib_sequential(linear(4, 5), tanh(), linear(5, 3))

    hint = ("register layer i as a sub-module named str(i) (setattr(self, str(i), layer)), and "
            "feed each layer's output to the next")

    def cases(expect):
        for nested in (False, True):
            ours = build(Sequential, Linear, Tanh, nested)
            theirs = build(torch.nn.Sequential, torch.nn.Linear, torch.nn.Tanh, nested)
            text = "Sequential(Sequential(Linear, Tanh), Tanh, Linear)" if nested else \
                "Sequential(Linear, Tanh, Linear)"
            expect.true(f"{text} is a TinyModule", isinstance(ours, TinyModule))
            expect.equal(f"{text}: named_parameters() (name, shape)",
                         _shapes(ours.named_parameters()), _shapes(theirs.named_parameters()),
                         hint=hint)
            with torch.no_grad():
                for (_, mine), (_, p) in zip(ours.named_parameters(), theirs.named_parameters()):
                    p.copy_(torch.tensor(as_array(mine)))
            x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32)
            expect.close(f"{text} on a (5, 4) input: the output", ours(minitorch.tensor(x)),
                         theirs(torch.tensor(x)), rtol=1e-5, atol=1e-6, hint=hint)
    return run("Sequential", _seeded(cases))


# --- Exercise 14.4: GPT ---------------------------------------------------------------------

def gpt(GPT):
    """``GPT(vocab, d_model, heads, layers, context)``: the same logits and gradients as the
    network built from minitorch.nn and from PyTorch with the same weights."""
    def cases(expect):
        rng = np.random.default_rng(4)
        for vocab, d_model, heads, layers, context, shape in [
                (7, 8, 2, 2, 6, (3, 5)), (7, 8, 2, 2, 6, (2, 6)), (11, 12, 3, 1, 4, (2, 4))]:
            model = GPT(vocab, d_model, heads, layers, context)
            tokens = rng.integers(0, vocab, shape)
            targets = rng.integers(0, vocab, shape)
            targets[:, -1] = -100                      # a padded position, ignored by the loss
            agree(expect, f"GPT({vocab}, d_model={d_model}, heads={heads}, layers={layers}, "
                          f"context={context}) on tokens of shape {shape}", model,
                  lambda lib: reference_gpt(lib, vocab, d_model, heads, layers, context),
                  tokens, targets,
                  hint="h = token embeddings + position embeddings of 0 .. T-1; each block "
                       "with the causal mask; then the final LayerNorm and the head")
    return run("GPT", _seeded(cases))


# --- Exercise 14.5: generate ----------------------------------------------------------------

def _reference_generate(model, vocabulary, generator, context, max_length):
    tokens, name = [0], ""
    with minitorch.no_grad():
        for _ in range(max_length):
            logits = model(minitorch.tensor([tokens[-context:]]))
            next_id = minitorch.multinomial(logits[0, -1].softmax(0), 1, generator=generator).item()
            if next_id == 0:
                break
            name += vocabulary[next_id]
            tokens.append(next_id)
    return name


def generate(generate_fn):
    """``generate(model, vocabulary, generator, context, max_length)`` draws the same names as
    the reference with the same generator, on a model that stops early and on one that does not
    (so the context window must slide)."""
    def cases(expect):
        vocabulary = list(".abcde")
        for context, stop_bias, max_length in [(4, 3.0, 12), (4, -3.0, 9), (8, 0.0, 6)]:
            model = reference_gpt(minitorch, len(vocabulary), 8, 2, 1, context)
            with minitorch.no_grad():
                model.head.bias[0] = stop_bias          # how likely '.' (the end) is
            names = [generate_fn(model, vocabulary, minitorch.Generator().manual_seed(seed),
                                 context, max_length) for seed in range(6)]
            expected = [_reference_generate(model, vocabulary,
                                            minitorch.Generator().manual_seed(seed), context,
                                            max_length) for seed in range(6)]
            expect.equal(f"six names (seeds 0-5) from a model with context {context}, "
                         f"max_length {max_length} and bias {stop_bias:+.0f} on '.'",
                         names, expected)
    return run("generate", _seeded(cases),
               hint="start from [0]; each step feed the last `context` tokens, draw the next one "
                    "with minitorch.multinomial(softmax of the LAST position's logits, 1, "
                    "generator=generator); stop at 0 ('.', not included) or after max_length")


# --- the trained models ---------------------------------------------------------------------

def _with_result(verdict: Verdict, measured: dict) -> Verdict:
    """A passed verdict also says what the model reached (a failed one says it in its label)."""
    if verdict and "result" in measured:
        verdict.message += f"; {measured['result']}"
    return verdict


def trained_cnn(model, test_set, goal=0.95):
    """The learner's trained CNN: the same logits and gradients as minitorch.nn's and PyTorch's
    CNN with its weights, and a test accuracy of at least ``goal``."""
    name = "the trained CNN"
    if model is None:
        return _not_trained(name, "train the CNN (it needs Conv2d, MaxPool2d and Sequential)")
    torch = _torch()
    measured = {}

    def cases(expect):
        images, labels = (as_array(t) for t in test_set[:])
        agree(expect, "the CNN on the first 64 test images", model, reference_cnn,
              images[:64], labels[:64], hint="build the chapter's CNN, layer for layer")
        reference = _loaded(reference_cnn(torch), _weights(model), torch)
        with torch.no_grad():
            predictions = reference(torch.tensor(images)).argmax(1).numpy()
        accuracy = float((predictions == labels).mean())
        measured["result"] = f"test accuracy {accuracy:.1%} (goal {goal:.0%})"
        expect.true(f"test accuracy {accuracy:.1%} (of PyTorch's CNN with your weights) is at "
                    f"least {goal:.0%}", accuracy >= goal,
                    hint="train longer, or check the learning rate")
    return _with_result(run(name, cases), measured)


def trained_gpt(model, inputs, targets, to_beat):
    """The learner's trained GPT: the same logits and gradients as minitorch.nn's and PyTorch's
    GPT with its weights, and a loss on the held-out names (computed by PyTorch) no higher than
    ``to_beat``."""
    name = "the trained GPT"
    if model is None:
        return _not_trained(name, "train the GPT (it needs GPT and chapter 11's blocks)")
    torch = _torch()
    measured = {}

    def cases(expect):
        vocab, d_model = model.tokens.weight.shape
        context = model.positions.weight.shape[0]
        heads = model.blocks[0].self_attn.num_heads

        def reference_of(lib):
            return reference_gpt(lib, vocab, d_model, heads, len(model.blocks), context)
        x, y = as_array(inputs), as_array(targets)
        agree(expect, "the GPT on the first 32 held-out names", model, reference_of, x[:32],
              y[:32], hint="build the chapter's GPT")
        reference = _loaded(reference_of(torch), _weights(model), torch)
        with torch.no_grad():
            logits = reference(torch.tensor(x))
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab),
                                                     torch.tensor(y).reshape(-1)).item()
        measured["result"] = f"held-out loss {loss:.3f} (goal: at most {to_beat:.3f})"
        expect.true(f"held-out loss {loss:.3f} (of PyTorch's GPT with your weights) is at most "
                    f"{to_beat:.3f}", loss <= to_beat, hint="train longer")
    return _with_result(run(name, cases), measured)
