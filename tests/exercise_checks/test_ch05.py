"""Chapter 05's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes fail with the input and expected vs got."""
import math

import numpy as np

import minitorch
from minitorch.course import ch05 as check
from minitorch.nn import Parameter

from .learner import failed, module

solution, stub = module("05", "solution"), module("05", "stub")


# --- Exercise 5.1: TinyModule ---------------------------------------------------------------

class OneRegistry(solution.TinyModule):
    """Parameters and sub-modules in one dict, in assignment order (own ones not first)."""

    def __setattr__(self, name, value):
        if isinstance(value, (Parameter, solution.TinyModule)):
            self._parameters[name] = value
        object.__setattr__(self, name, value)

    def named_parameters(self, prefix=""):
        for name, value in self._parameters.items():
            if isinstance(value, Parameter):
                yield prefix + name, value
            else:
                yield from value.named_parameters(prefix + name + ".")


class EveryTensor(solution.TinyModule):
    """Registers plain tensors too."""

    def __setattr__(self, name, value):
        if isinstance(value, minitorch.Tensor):
            self._parameters[name] = value
        elif isinstance(value, solution.TinyModule):
            self._modules[name] = value
        object.__setattr__(self, name, value)


class NoDot(solution.TinyModule):
    """Forgets the dot between a sub-module's name and its parameters' names."""

    def named_parameters(self, prefix=""):
        yield from ((prefix + n, p) for n, p in self._parameters.items())
        for name, child in self._modules.items():
            yield from child.named_parameters(prefix + name)


class NotRecursive(solution.TinyModule):
    """Lists the children's own parameters but not the grandchildren's."""

    def named_parameters(self, prefix=""):
        yield from ((prefix + n, p) for n, p in self._parameters.items())
        for name, child in self._modules.items():
            yield from ((f"{prefix}{name}.{n}", p) for n, p in child._parameters.items())


class Copies(solution.TinyModule):
    """Right names, but detached copies instead of the Parameters an optimizer must update."""

    def named_parameters(self, prefix=""):
        for name, p in solution.TinyModule.named_parameters(self, prefix):
            yield name, p.detach()


def test_tiny_module():
    assert check.tiny_module(solution.TinyModule)
    assert check.tiny_module(stub.TinyModule).status == "unfinished"
    assert failed(check.tiny_module(OneRegistry), "Parameter 'scale'")
    assert failed(check.tiny_module(EveryTensor), "plain tensor")
    assert failed(check.tiny_module(NoDot), "fc1.weight")
    assert failed(check.tiny_module(NotRecursive), "nested")
    copies = check.tiny_module(Copies)
    assert copies.status == "failed" and "is a Parameter" in copies.message, copies.message


# --- Exercise 5.2: Linear -------------------------------------------------------------------

def _linear_with(init_bound=None, bias_values=None, forward=None):
    """The solution's Linear with its weight bound, bias or forward replaced by a wrong one."""
    class Wrong(solution.Linear):
        def __init__(self, in_features, out_features, bias=True):
            super().__init__(in_features, out_features, bias)
            if init_bound is not None:
                b = init_bound(in_features, out_features)
                self.weight = Parameter(minitorch.empty(out_features, in_features).uniform_(-b, b))
            if bias_values is not None and bias:
                self.bias = Parameter(bias_values(out_features))

    if forward is not None:
        Wrong.forward = forward
    return Wrong


def test_linear():
    TinyModule = solution.TinyModule
    assert check.linear(solution.Linear, TinyModule)
    assert check.linear(stub.Linear, stub.TinyModule).status == "unfinished"
    relu_kaiming = _linear_with(init_bound=lambda n_in, n_out: math.sqrt(6 / n_in))
    fan_out = _linear_with(init_bound=lambda n_in, n_out: 1 / math.sqrt(n_out))
    zero_bias = _linear_with(bias_values=minitorch.zeros)
    no_transpose = _linear_with(forward=lambda self, x: x @ self.weight + self.bias)
    assert failed(check.linear(relu_kaiming, TinyModule), "weight", "fan_in")
    assert failed(check.linear(fan_out, TinyModule), "weight")
    assert failed(check.linear(zero_bias, TinyModule), "bias", "not zero")
    assert failed(check.linear(no_transpose, TinyModule), "Linear(3, 3", "transposed")

    class Normal(solution.Linear):          # right spread, wrong distribution: no bound
        def __init__(self, in_features, out_features, bias=True):
            super().__init__(in_features, out_features, bias)
            std = 1 / math.sqrt(3 * in_features)
            self.weight = Parameter(minitorch.randn(out_features, in_features) * std)
    assert failed(check.linear(Normal, TinyModule), "outside")


def test_linear_check_leaves_the_random_stream_alone():
    minitorch.manual_seed(3)
    expected = minitorch.rand(4)
    minitorch.manual_seed(3)
    check.linear(solution.Linear, solution.TinyModule)
    np.testing.assert_array_equal(minitorch.rand(4).numpy(), expected.numpy())


# --- Exercise 5.3: state_dict and load_state_dict ---------------------------------------------

def _module_with(**methods):
    """The solution's TinyModule with some methods replaced by wrong ones."""
    return type("Wrong", (solution.TinyModule,), methods)


def test_state_dict():
    assert check.state_dict(solution.TinyModule)
    assert check.state_dict(stub.TinyModule).status == "unfinished"

    def not_detached(self):
        return dict(self.named_parameters())

    def sorted_keys(self):
        return {n: p.detach() for n, p in sorted(self.named_parameters())}

    def no_checks(self, state):                 # copies what matches, complains about nothing
        with minitorch.no_grad():
            for name, p in self.named_parameters():
                if name in state:
                    p.copy_(minitorch.tensor(np.asarray(state[name])))

    def replaces(self, state):                  # new Parameter objects: an optimizer loses them
        for name, p in list(self.named_parameters()):
            *path, last = name.split(".")
            owner = self
            for part in path:
                owner = getattr(owner, part)
            setattr(owner, last, Parameter(minitorch.tensor(np.asarray(state[name]))))

    def new_tensors(self, state):               # same objects, but float64 data from the arrays
        solution.load_state_dict(self, state)
        for name, p in self.named_parameters():
            p.data = minitorch.tensor(np.asarray(state[name]))

    assert failed(check.state_dict(_module_with(state_dict=not_detached)), "requires_grad",
                  "detach")
    assert failed(check.state_dict(_module_with(state_dict=sorted_keys)), "keys")
    assert failed(check.state_dict(_module_with(load_state_dict=no_checks)),
                  "RuntimeError naming", "no error")
    assert check.state_dict(_module_with(load_state_dict=replaces)).status == "failed"
    assert failed(check.state_dict(_module_with(load_state_dict=new_tensors)), "dtype", "float32")
