"""Chapter 01 of your framework: the cells marked #@save, as you last ran them."""


#@save
def central_difference(f, x, h=1e-5):
    """The slope of f at x, measured: (f(x + h) - f(x - h)) / 2h."""
    ### BEGIN SOLUTION
    return (f(x + h) - f(x - h)) / (2 * h)
    ### END SOLUTION


#@save
def topological_order(root):
    """Every node reachable from root, each listed after all of its children (root last)."""
    ### BEGIN SOLUTION
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:            # second visit: everything below is listed
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))   # come back to it after its children
        stack.extend((child, False) for child in node._children)
    return order
    ### END SOLUTION


#@save
import math


class Value:
    """A number that remembers how it was computed, so gradients can flow back."""

    def __init__(self, data, children=(), op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._children = children
        self.op = op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def backward():              # d(a+b)/da = 1, d(a+b)/db = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def backward():              # d(ab)/da = b, d(ab)/db = a
            ### BEGIN SOLUTION
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def __pow__(self, k):
        out = Value(self.data**k, (self,), f"**{k}")

        def backward():              # d(a^k)/da = k a^(k-1)
            ### BEGIN SOLUTION
            self.grad += k * self.data ** (k - 1) * out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def backward():              # d tanh(a)/da = 1 - tanh(a)^2
            ### BEGIN SOLUTION
            self.grad += (1 - t * t) * out.grad
            ### END SOLUTION
        out._backward = backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def backward():              # d relu(a)/da = 1 where a > 0, else 0
            self.grad += (self.data > 0) * out.grad
        out._backward = backward
        return out

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        """Seed d(self)/d(self) = 1, then run each node's local backward, outputs first."""
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"
