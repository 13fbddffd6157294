"""Checks for chapter 05: modules.

The learner's ``TinyModule``, ``Linear`` and ``state_dict``/``load_state_dict`` are compared
with PyTorch's ``nn.Module`` and ``nn.Linear`` built for the same architecture: parameter
names and their order, shapes, initial bounds, outputs and gradients, and which state dicts
loading refuses.
"""
from __future__ import annotations

import math

import numpy as np

import minitorch

from .checking import pytorch as _torch, run


# --- the same architectures, built from the learner's TinyModule and from torch.nn ---------------
# Each builder takes a "kit": (Module, Layer(n_in, n_out), Parameter, ones(*shape)).

def _two_layers(Module, Layer, Parameter, ones):
    net = Module()
    net.fc1 = Layer(4, 8)
    net.fc2 = Layer(8, 3)
    return net


def _parameter_between_layers(Module, Layer, Parameter, ones):
    net = Module()
    net.fc1 = Layer(2, 3)
    net.scale = Parameter(ones(3))      # assigned after fc1, yet listed first: own ones come first
    net.fc2 = Layer(3, 1)
    return net


def _nested(Module, Layer, Parameter, ones):
    net = Module()
    net.encoder = Module()
    net.encoder.embed = Layer(5, 4)
    net.encoder.block = Module()
    net.encoder.block.fc = Layer(4, 4)
    net.head = Layer(4, 2)
    return net


def _plain_attributes(Module, Layer, Parameter, ones):
    net = Module()
    net.fc = Layer(2, 2)
    net.mask = ones(2) * 1.0            # a tensor, not a Parameter: not trained, not listed
    net.width = 2
    return net


def _reassigned(Module, Layer, Parameter, ones):
    net = Module()
    net.a = Parameter(ones(2))
    net.b = Parameter(ones(3))
    net.a = Parameter(ones(4))          # replaces a, which keeps its place before b
    return net


ARCHITECTURES = {
    "two layers (fc1, fc2)": _two_layers,
    "fc1, then a Parameter 'scale', then fc2": _parameter_between_layers,
    "nested modules (encoder.block.fc)": _nested,
    "a plain tensor and an int as attributes": _plain_attributes,
    "Parameter 'a' assigned again after 'b'": _reassigned,
}


def _learner_kit(TinyModule, seed=0):
    """Layers made of the learner's TinyModule, with random weights (values to tell apart)."""
    rng = np.random.default_rng(seed)

    def random_parameter(*shape):
        values = minitorch.tensor(rng.standard_normal(shape), dtype=minitorch.float32)
        return minitorch.nn.Parameter(values)

    class Layer(TinyModule):
        def __init__(self, n_in, n_out):
            super().__init__()
            self.weight = random_parameter(n_out, n_in)
            self.bias = random_parameter(n_out)

    return TinyModule, Layer, minitorch.nn.Parameter, minitorch.ones


def _torch_kit():
    torch = _torch()
    return torch.nn.Module, torch.nn.Linear, torch.nn.Parameter, torch.ones


def _shapes(named):
    return [(name, tuple(p.shape)) for name, p in named]


def tiny_module(TinyModule):
    """``TinyModule`` registers Parameters and sub-modules as they are assigned, and
    ``named_parameters()`` gives PyTorch's dotted names in PyTorch's order."""
    def cases(expect):
        for text, build in ARCHITECTURES.items():
            ours, theirs = build(*_learner_kit(TinyModule)), build(*_torch_kit())
            named = list(ours.named_parameters())
            expect.equal(f"{text}: named_parameters() (name, shape)", _shapes(named),
                         _shapes(theirs.named_parameters()))
            expect.true(f"{text}: each value named_parameters() gives is a Parameter",
                        all(isinstance(p, minitorch.nn.Parameter) for _, p in named),
                        hint="yield the Parameters themselves, not detached copies")
            expect.true(f"{text}: parameters() lists the same objects as named_parameters()",
                        [id(p) for p in ours.parameters()] == [id(p) for _, p in named])
        net = _two_layers(*_learner_kit(TinyModule))
        attributes = [net.fc1.weight, net.fc1.bias, net.fc2.weight, net.fc2.bias]
        listed = [id(p) for _, p in net.named_parameters()]
        expect.true("two layers: named_parameters() gives the very objects that net.fc1.weight, "
                    "... read back", listed == [id(p) for p in attributes],
                    hint="register the value itself, and keep it as an ordinary attribute too")
    return run("TinyModule", cases,
               hint="a module's own Parameters come first, then each sub-module's, named "
                    "prefix + name, with the sub-module's name and a dot added to the prefix "
                    "on the way down; only Parameters (not plain tensors) are registered")


# --- Linear ---------------------------------------------------------------------------------

def _outside(values: np.ndarray, bound: float) -> int:
    return int(np.count_nonzero(np.abs(values) > bound * (1 + 1e-6)))


def _spread(expect, what: str, values: np.ndarray, bound: float, hint: str) -> None:
    """``values`` look like draws from U(-bound, bound): none outside, the bound nearly reached,
    std bound/sqrt(3), mean 0."""
    expect.equal(f"{what}: how many values lie outside ±{bound:.4f}", _outside(values, bound), 0,
                 hint=hint)
    expect.close(f"{what}: the largest |value| (the bound, nearly reached)",
                 np.abs(values).max(), bound, rtol=0.02, hint=hint)
    expect.close(f"{what}: the standard deviation (bound / sqrt(3) for a uniform draw)",
                 values.std(), bound / math.sqrt(3), rtol=0.06, hint=hint)
    expect.close(f"{what}: the mean", values.mean(), 0.0, atol=bound * 0.05, hint=hint)


def _compare_forward(expect, layer, torch_layer, x: np.ndarray, text: str) -> None:
    torch = _torch()
    ours_x = minitorch.tensor(x, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    ours, theirs = layer(ours_x), torch_layer(theirs_x)
    hint = ("y = x @ weight.T + bias: weight is (out_features, in_features), so it is "
            "transposed; bias adds to every row")
    expect.close(f"{text}: the output", ours, theirs, rtol=1e-5, atol=1e-6, hint=hint)
    upstream = np.random.default_rng(1).standard_normal(tuple(theirs.shape)).astype(np.float32)
    (ours * minitorch.tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    expect.close(f"{text}: the gradient of the input", ours_x.grad, theirs_x.grad,
                 rtol=1e-5, atol=1e-6, hint=hint)
    expect.close(f"{text}: the gradient of the weight", layer.weight.grad, torch_layer.weight.grad,
                 rtol=1e-5, atol=1e-6, hint=hint)
    if torch_layer.bias is not None:
        expect.close(f"{text}: the gradient of the bias", layer.bias.grad, torch_layer.bias.grad,
                     rtol=1e-5, atol=1e-6, hint=hint)


def linear(Linear, TinyModule):
    """``Linear(in_features, out_features, bias=True)``: PyTorch's parameters and names, its
    default initialisation (weight and bias uniform in ±1/sqrt(in_features)), its output."""
    torch = _torch()

    def cases(expect):
        state = minitorch.get_rng_state()   # leave the notebook's random stream as it was
        minitorch.manual_seed(0)
        try:
            layer = Linear(3, 5)
            expect.true("Linear(3, 5) is a TinyModule", isinstance(layer, TinyModule))
            expect.equal("Linear(3, 5): named_parameters() (name, shape)",
                         _shapes(layer.named_parameters()), [("weight", (5, 3)), ("bias", (5,))],
                         hint="weight is (out_features, in_features), bias is (out_features,)")
            expect.equal("Linear(3, 5): the weight's dtype", layer.weight.dtype, minitorch.float32)
            expect.equal("Linear(4, 2, bias=False): named_parameters() (name, shape)",
                         _shapes(Linear(4, 2, bias=False).named_parameters()), [("weight", (2, 4))],
                         hint="with bias=False set self.bias = None (no Parameter)")
            big = Linear(400, 1000)
            bound = 1 / math.sqrt(400)
            hint = ("kaiming_uniform_ with a = sqrt(5): gain = sqrt(2 / (1 + a**2)), bound = "
                    "gain * sqrt(3 / fan_in), which is 1 / sqrt(in_features); fan_in is "
                    "in_features, not out_features")
            _spread(expect, "Linear(400, 1000)'s weight", big.weight.detach().numpy(), bound, hint)
            _spread(expect, "Linear(400, 1000)'s bias", big.bias.detach().numpy(), bound,
                    "the bias is not zero in PyTorch: uniform in ±1/sqrt(in_features) too")
            for (n_in, n_out, bias, shape) in [(3, 3, True, (4, 3)), (4, 2, True, (2, 5, 4)),
                                               (4, 2, False, (6, 4))]:
                layer = Linear(n_in, n_out, bias=bias)
                torch_layer = torch.nn.Linear(n_in, n_out, bias=bias)
                with torch.no_grad():
                    torch_layer.weight.copy_(torch.tensor(layer.weight.detach().numpy()))
                    if bias:
                        torch_layer.bias.copy_(torch.tensor(layer.bias.detach().numpy()))
                x = np.random.default_rng(n_in + n_out).standard_normal(shape).astype(np.float32)
                text = f"Linear({n_in}, {n_out}, bias={bias}) on an input of shape {shape}"
                _compare_forward(expect, layer, torch_layer, x, text)
        finally:
            minitorch.set_rng_state(state)
    return run("Linear", cases)


# --- state_dict and load_state_dict ----------------------------------------------------------

def _outcome(load, state: dict, key: str) -> str:
    """What loading ``state`` did, in words: raising RuntimeError naming ``key`` is PyTorch's."""
    try:
        load(state)
    except RuntimeError as err:
        return f"RuntimeError naming {key!r}" if key in str(err) else f"RuntimeError: {err}"
    except Exception as err:  # noqa: BLE001  (any other outcome is reported, not raised)
        return f"{type(err).__name__}: {err}"
    return "no error"


def state_dict(TinyModule):
    """``state_dict()`` holds every parameter, detached, under PyTorch's keys in PyTorch's order;
    ``load_state_dict()`` copies a real PyTorch model's state dict into the parameters in place
    and refuses missing keys, unexpected keys and wrong shapes with a RuntimeError."""
    torch = _torch()

    def cases(expect):
        for text in ("two layers (fc1, fc2)", "fc1, then a Parameter 'scale', then fc2",
                     "nested modules (encoder.block.fc)"):
            build = ARCHITECTURES[text]
            ours, theirs = build(*_learner_kit(TinyModule)), build(*_torch_kit())
            saved = ours.state_dict()
            expect.equal(f"{text}: the keys of state_dict()", list(saved),
                         list(theirs.state_dict()),
                         hint="the keys are named_parameters()' dotted names, in that order")
            for name, p in ours.named_parameters():
                expect.close(f"{text}: state_dict()[{name!r}]", saved[name], p.detach())
                expect.equal(f"{text}: state_dict()[{name!r}].requires_grad",
                             saved[name].requires_grad, False,
                             hint="detach() the values: a state dict holds data, not a graph")
            before = {name: p for name, p in ours.named_parameters()}
            ours.load_state_dict(theirs.state_dict())
            for name, p in ours.named_parameters():
                expect.close(f"{text}: {name} after loading a PyTorch model's state_dict()", p,
                             theirs.state_dict()[name],
                             hint="copy each value into the parameter of the same name")
                expect.true(f"{text}: {name} is still the same Parameter object after loading",
                            p is before[name],
                            hint="copy into the existing Parameter (under no_grad, with copy_): "
                                 "an optimizer holds the old objects")
        ours = _two_layers(*_learner_kit(TinyModule))
        torch_state = _two_layers(*_torch_kit()).state_dict()
        as_float64 = {k: v.double().numpy() for k, v in torch_state.items()}
        ours.load_state_dict(as_float64)
        expect.equal("two layers, loading float64 NumPy arrays: fc1.weight's dtype after loading",
                     ours.fc1.weight.dtype, minitorch.float32,
                     hint="copy_ into the parameter keeps its dtype; a new tensor would not")
        without_fc2_bias = {k: v for k, v in torch_state.items() if k != "fc2.bias"}
        refusals = {  # what the state dict is like: (state dict, the key the error must name)
            "without 'fc2.bias' (missing key)": (without_fc2_bias, "fc2.bias"),
            "with an extra key 'fc3.weight' (unexpected key)":
                ({**torch_state, "fc3.weight": torch.ones(2, 3)}, "fc3.weight"),
            "with 'fc1.weight' of shape (1, 4) instead of (8, 4)":
                ({**torch_state, "fc1.weight": torch.ones(1, 4)}, "fc1.weight"),
        }
        for text, (state, key) in refusals.items():
            ours = _two_layers(*_learner_kit(TinyModule))
            expect.equal(f"two layers, loading a state dict {text}",
                         _outcome(ours.load_state_dict, state, key), f"RuntimeError naming {key!r}",
                         hint="compare the keys and shapes first, as PyTorch does, and raise "
                              "RuntimeError naming every missing, unexpected or mis-shaped key")
    return run("state_dict", cases)
