"""Chapter 05 of your framework: the cells marked #@save, as you last ran them."""


#@save
import minitorch
from minitorch.nn import Parameter


class TinyModule:
    """The bookkeeping of nn.Module: Parameters and sub-modules are registered as they are
    assigned (self.fc1 = ...), so that the whole tree can be listed, named, saved and loaded.
    (state_dict and load_state_dict are added in Exercise 5.3.)"""

    def __init__(self):
        # object.__setattr__ bypasses our own __setattr__, which needs these two to exist
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})

    def __setattr__(self, name, value):
        """Register a Parameter in self._parameters, a TinyModule in self._modules."""
        ### BEGIN SOLUTION
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, TinyModule):
            self._modules[name] = value
        ### END SOLUTION
        object.__setattr__(self, name, value)       # self.fc1 still reads back as usual

    def named_parameters(self, prefix=""):
        """(dotted name, Parameter) pairs: this module's own Parameters in the order they were
        assigned, then each sub-module's (recursively), named prefix + "<sub-module>." + name."""
        ### BEGIN SOLUTION
        for name, parameter in self._parameters.items():
            yield prefix + name, parameter
        for name, module in self._modules.items():
            yield from module.named_parameters(prefix + name + ".")
        ### END SOLUTION

    def parameters(self):
        for _, parameter in self.named_parameters():
            yield parameter

    def zero_grad(self):
        for parameter in self.parameters():
            parameter.grad = None

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)


#@save
import math

import minitorch
from minitorch.nn import Parameter


class Linear(TinyModule):
    """y = x @ weight.T + bias, with PyTorch's nn.Linear parameters and initialisation."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        ### BEGIN SOLUTION
        a = math.sqrt(5)                               # kaiming_uniform_'s a in nn.Linear
        gain = math.sqrt(2 / (1 + a**2))
        bound = gain * math.sqrt(3 / in_features)      # = 1 / sqrt(in_features)
        self.weight = Parameter(minitorch.empty(out_features, in_features).uniform_(-bound, bound))
        if bias:
            bias_bound = 1 / math.sqrt(in_features)
            self.bias = Parameter(minitorch.empty(out_features).uniform_(-bias_bound, bias_bound))
        else:
            self.bias = None
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias
        ### END SOLUTION


#@save
import minitorch
import numpy as np


def state_dict(self):
    """{dotted name: parameter detached}, in named_parameters() order."""
    ### BEGIN SOLUTION
    return {name: parameter.detach() for name, parameter in self.named_parameters()}
    ### END SOLUTION


def load_state_dict(self, state_dict):
    """Copy state_dict's values into the parameters of the same names, in place; first raise
    RuntimeError naming every missing key, unexpected key and shape mismatch, as PyTorch does."""
    ### BEGIN SOLUTION
    parameters = dict(self.named_parameters())
    arrays = {key: np.asarray(value) for key, value in state_dict.items()}
    problems = [f"missing key {key!r}" for key in parameters if key not in arrays]
    problems += [f"unexpected key {key!r}" for key in arrays if key not in parameters]
    problems += [f"size mismatch for {key!r}: {arrays[key].shape} in the state dict, "
                 f"{tuple(p.shape)} in the model"
                 for key, p in parameters.items()
                 if key in arrays and arrays[key].shape != tuple(p.shape)]
    if problems:
        raise RuntimeError("Error(s) in loading state_dict: " + "; ".join(problems))
    with minitorch.no_grad():
        for key, parameter in parameters.items():
            parameter.copy_(minitorch.tensor(arrays[key]))
    ### END SOLUTION


TinyModule.state_dict = state_dict
TinyModule.load_state_dict = load_state_dict
