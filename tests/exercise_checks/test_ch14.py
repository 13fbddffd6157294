"""Chapter 14's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes fail with the input and expected vs got. The trained-model
checks are proven on models trained here as in the chapter (about half a minute)."""
import numpy as np
import pytest

import minitorch
from minitorch.course import ch14 as check
from minitorch.datasets import load_mnist_5k, load_names

from .learner import failed, mistaken, module

solution, stub = module("14", "solution"), module("14", "stub")
ch06 = module("06", "solution")
MEAN_POOL = (".mean(dim=-1)", ".max(dim=-1).values")                 # (wrong, right)
NOT_CAUSAL = ("h = block(h, causal=False)", "h = block(h, causal=True)")


def test_conv2d():
    assert check.conv2d(solution.Conv2d, solution.TinyModule)
    assert check.conv2d(stub.Conv2d, stub.TinyModule).status == "unfinished"
    fan_in_without_kernel = mistaken(
        "14", "bound = 1 / math.sqrt(in_channels)",
        "bound = 1 / math.sqrt(in_channels * kernel_size * kernel_size)")
    assert failed(check.conv2d(fan_in_without_kernel.Conv2d, fan_in_without_kernel.TinyModule),
                  "Conv2d(16, 512, 3)", "fan_in")
    no_stride = mistaken(
        "14", "return Conv2dFunction.apply(x, self.weight, self.bias)",
        "return Conv2dFunction.apply(x, self.weight, self.bias, self.stride, self.padding)")
    assert failed(check.conv2d(no_stride.Conv2d, no_stride.TinyModule), "stride=2, padding=1")
    swapped = mistaken("14", "shape = (in_channels, out_channels, kernel_size, kernel_size)",
                       "shape = (out_channels, in_channels, kernel_size, kernel_size)")
    assert failed(check.conv2d(swapped.Conv2d, swapped.TinyModule), "named_parameters")


def test_max_pool2d():
    assert check.max_pool2d(solution.MaxPool2d)
    assert check.max_pool2d(stub.MaxPool2d).status == "unfinished"
    no_permute = mistaken("14", "", ".permute(0, 1, 2, 4, 3, 5)")     # windows' axes apart
    assert failed(check.max_pool2d(no_permute.MaxPool2d), "MaxPool2d(2)", "permute")
    assert failed(check.max_pool2d(mistaken("14", *MEAN_POOL).MaxPool2d), "the output")
    no_crop = mistaken("14", "x = x[:, :, :h, :w]", "x = x[:, :, :h // k * k, :w // k * k]")
    verdict = check.max_pool2d(no_crop.MaxPool2d)
    assert verdict.status == "error" and "crop" in verdict.message


def test_sequential():
    assert check.sequential(solution.Sequential, solution.TinyModule, solution.Linear)
    assert check.sequential(stub.Sequential, stub.TinyModule, stub.Linear).status == "unfinished"
    for wrong, right in [("enumerate(layers, 1)", "enumerate(layers)"),   # PyTorch counts from 0
                         ("object.__setattr__(self, str(i), layer)",     # kept, not registered
                          "setattr(self, str(i), layer)")]:
        mutant = mistaken("14", wrong, right)
        assert failed(check.sequential(mutant.Sequential, mutant.TinyModule, mutant.Linear),
                      "named_parameters", "str(i)")
    first_layer_only = mistaken("14", "x = layer(x)\n            return x",   # return in the loop
                                "x = layer(x)\n        return x")
    assert failed(check.sequential(first_layer_only.Sequential, first_layer_only.TinyModule,
                                   first_layer_only.Linear), "the output")


def test_gpt():
    assert check.gpt(solution.GPT)
    assert check.gpt(stub.GPT).status == "unfinished"
    no_positions = mistaken("14", "h = self.tokens(tokens)\n", "h = self.tokens(tokens) + "
                            "self.positions(minitorch.arange(tokens.shape[1]))\n")
    not_causal = mistaken("14", *NOT_CAUSAL)
    no_final_norm = mistaken("14", "return self.head(h)", "return self.head(self.norm(h))")
    for mutant in (no_positions, not_causal, no_final_norm):
        assert failed(check.gpt(mutant.GPT), "the logits, against minitorch.nn", "causal mask")
    renamed = mistaken("14", "self.embed = nn.Embedding(vocab, d_model)\n"
                             "        self.tokens = self.embed",
                       "self.tokens = nn.Embedding(vocab, d_model)")
    assert failed(check.gpt(renamed.GPT), "the parameters' names")


def test_generate():
    assert check.generate(solution.generate)
    assert check.generate(stub.generate).status == "unfinished"
    first_position = mistaken("14", "probabilities = logits[0, 0].softmax(0)",
                              "probabilities = logits[0, -1].softmax(0)")
    assert failed(check.generate(first_position.generate), "six names", "LAST")
    not_fed_back = mistaken("14", "pass", "tokens.append(next_id)")
    assert failed(check.generate(not_fed_back.generate), "context 4")
    no_window = mistaken("14", "model(minitorch.tensor([tokens]))",
                         "model(minitorch.tensor([tokens[-context:]]))")
    assert check.generate(no_window.generate).status == "error"   # positions beyond the table


def _cnn(learner, epochs):
    """The chapter's CNN from ``learner``'s layers, trained as in the chapter."""
    minitorch.manual_seed(0)
    model = learner.Sequential(learner.Conv2d(1, 8, 3), learner.ReLU(), learner.MaxPool2d(2),
                               learner.Conv2d(8, 16, 3), learner.ReLU(), learner.MaxPool2d(2),
                               learner.Flatten(), learner.Linear(16 * 5 * 5, 10))
    images, labels = load_mnist_5k("train")[:]
    order = np.random.default_rng(0).permutation(len(labels))
    optimizer = ch06.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        for start in range(0, len(order), 128):
            batch = minitorch.tensor(order[start:start + 128])
            loss = ch06.cross_entropy(model(images[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


def test_trained_cnn():
    test_set = load_mnist_5k("test")
    assert check.trained_cnn(None, test_set).status == "unfinished"
    assert check.trained_cnn(_cnn(solution, epochs=4), test_set)
    untrained = check.trained_cnn(_cnn(solution, epochs=0), test_set)
    assert untrained.status == "failed" and "test accuracy" in untrained.message
    assert failed(check.trained_cnn(_cnn(mistaken("14", *MEAN_POOL), epochs=0), test_set),
                  "the logits")


NAMES, HELD_OUT = load_names("train").names, load_names("test").names
VOCABULARY = ["."] + sorted(set("".join(NAMES)))


def _encode(names):
    inputs = np.zeros((len(names), 12), dtype=np.int64)
    targets = np.full((len(names), 12), -100, dtype=np.int64)
    for row, name in enumerate(names):
        ids = [VOCABULARY.index(c) for c in name]
        inputs[row, 1:len(ids) + 1] = ids
        targets[row, :len(ids) + 1] = ids + [0]
    return minitorch.tensor(inputs), minitorch.tensor(targets)


def _gpt(learner, steps):
    minitorch.manual_seed(0)
    model = learner.GPT(len(VOCABULARY), d_model=64, heads=4, layers=1, context=12)
    optimizer = ch06.Adam(model.parameters(), lr=1e-2)
    order = np.random.default_rng(0).permutation(len(NAMES))
    for step in range(steps):
        start = (step % (len(NAMES) // 64)) * 64
        inputs, targets = _encode([NAMES[i] for i in order[start:start + 64]])
        real = targets >= 0
        loss = ch06.cross_entropy(model(inputs)[real], targets[real])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def test_trained_gpt():
    held_out = _encode(HELD_OUT)
    assert check.trained_gpt(None, *held_out, to_beat=2.079).status == "unfinished"
    assert check.trained_gpt(_gpt(solution, steps=250), *held_out, to_beat=2.079)
    untrained = check.trained_gpt(_gpt(solution, steps=0), *held_out, to_beat=2.079)
    assert untrained.status == "failed" and "held-out loss" in untrained.message
    assert failed(check.trained_gpt(_gpt(mistaken("14", *NOT_CAUSAL), steps=0), *held_out,
                                    to_beat=2.079),
                  "the logits")
