"""Chapter 03 of your framework: the cells marked #@save, as you last ran them."""


#@save
from minitorch.autograd import Function


class SiLU(Function):
    """x * sigmoid(x); d/dx = s (1 + x (1 - s)) with s = sigmoid(x); saves x and s."""

    @staticmethod
    def forward(ctx, x):
        s = x.sigmoid()
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        ### BEGIN SOLUTION
        return grad_output * s * (1 + x * (1 - s))
        ### END SOLUTION


#@save
import numpy as np


def unbroadcast(grad, shape):
    """Reduce `grad` (a NumPy array) to `shape` by summing what broadcasting added."""
    ### BEGIN SOLUTION
    while grad.ndim > len(shape):                 # dimensions added in front
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):           # dimensions stretched from 1
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad
    ### END SOLUTION


#@save
import numpy as np

from mytorch.ch01 import topological_order


class Tensor:
    """An array that remembers how it was computed: chapter 01's Value, for arrays."""

    def __init__(self, data, children=(), op=""):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = 0.0              # becomes an array of data's shape during backward
        self._backward = lambda: None
        self._children = children
        self.op = op

    @property
    def shape(self):
        return self.data.shape

    def __add__(self, other):
        other = other if isinstance(other, Tensor) else Tensor(other)
        out = Tensor(self.data + other.data, (self, other), "+")

        def backward():
            ### BEGIN SOLUTION
            self.grad += unbroadcast(out.grad, self.shape)
            other.grad += unbroadcast(out.grad, other.shape)
            ### END SOLUTION
        out._backward = backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Tensor) else Tensor(other)
        out = Tensor(self.data * other.data, (self, other), "*")

        def backward():
            ### BEGIN SOLUTION
            self.grad += unbroadcast(other.data * out.grad, self.shape)
            other.grad += unbroadcast(self.data * out.grad, other.shape)
            ### END SOLUTION
        out._backward = backward
        return out

    def __matmul__(self, other):     # 2-D @ 2-D
        out = Tensor(self.data @ other.data, (self, other), "@")

        def backward():
            ### BEGIN SOLUTION
            self.grad += out.grad @ other.data.T
            other.grad += self.data.T @ out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def sum(self):
        out = Tensor(self.data.sum(), (self,), "sum")

        def backward():              # every element contributed once
            ### BEGIN SOLUTION
            self.grad += np.ones_like(self.data) * out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def tanh(self):
        t = np.tanh(self.data)
        out = Tensor(t, (self,), "tanh")

        def backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        """Seed d(self)/d(self) = 1 (an array of ones), then run each node's local backward."""
        ### BEGIN SOLUTION
        self.grad = np.ones_like(self.data)
        for node in reversed(topological_order(self)):
            node._backward()
        ### END SOLUTION

    def __repr__(self):
        return f"Tensor(shape={self.shape}, op={self.op!r})"
