"""Checks for chapter 01: derivatives and the chain rule.

Each check calls the learner's code on several inputs and compares with the exact answer:
analytic derivatives for central differences, PyTorch's autograd (float64) for ``Value``.
"""
from __future__ import annotations

import math

from .checking import pytorch as _torch, run

_FUNCTIONS = [  # (name, f, exact derivative, point)
    ("x**3 - 2x", lambda x: x**3 - 2 * x, lambda x: 3 * x**2 - 2, 1.5),
    ("sin(x)", math.sin, math.cos, 0.5),
    ("exp(x)", math.exp, math.exp, -1.0),
    ("1/x", lambda x: 1 / x, lambda x: -1 / x**2, 0.25),
]


def central_difference(fn):
    """``fn(f, x, h=1e-5)`` estimates f'(x) as (f(x+h) - f(x-h)) / 2h."""
    def cases(expect):
        for name, f, df, x in _FUNCTIONS:
            expect.close(f"f(x) = {name} at x = {x}", fn(f, x), df(x), rtol=1e-6, atol=1e-6)
        expect.close("f(x) = x**3 at x = 1 with h = 0.1 (the error of the central difference "
                     "is h**2 = 0.01 here)", fn(lambda x: x**3, 1.0, h=0.1), 3.01, rtol=1e-9)
    return run("central_difference", cases,
               hint="evaluate f on both sides of x, at x + h and x - h, and divide the change by "
                    "the distance between them, 2h")


# Expressions built the same way from the learner's Value and from PyTorch tensors:
# (description, inputs, expression, hint when it fails)
_EXPRESSIONS = [
    ("a * b", (2.0, -3.0), lambda a, b: a * b,
     "d(a*b)/da is b and d(a*b)/db is a, each times out.grad"),
    ("a + b", (2.0, -3.0), lambda a, b: a + b, "d(a+b)/da = d(a+b)/db = 1, times out.grad"),
    ("a * a (a used twice)", (3.0,), lambda a: a * a,
     "a value used twice gets both contributions: add to .grad with +=, do not overwrite it"),
    ("a ** 3", (1.5,), lambda a: a**3, "d(a**k)/da = k * a**(k-1)"),
    ("tanh(a)", (0.7,), lambda a: a.tanh(),
     "d tanh(a)/da = 1 - tanh(a)**2: use the output t, squared"),
    ("a - b", (2.0, 5.0), lambda a, b: a - b, "a - b is a + (-1 * b)"),
    ("2 * a + 1 (constants on the left)", (0.5,), lambda a: 2 * a + 1,
     "__radd__ and __rmul__ let a plain number stand on the left"),
    ("tanh(w1*x1 + w2*x2 + b) then squared error", (2.0, -1.0, -0.5, 1.5, 0.3),
     lambda x1, x2, w1, w2, b: ((w1 * x1 + w2 * x2 + b).tanh() - x1 * 0.1) ** 2,
     "check each local derivative above first"),
]


def value(Value):
    """The learner's ``Value``: forward values and gradients of every input, against PyTorch."""
    torch = _torch()

    def cases(expect):
        for text, numbers, expression, hint in _EXPRESSIONS:
            ours = [Value(x) for x in numbers]
            theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in numbers]
            out, reference = expression(*ours), expression(*theirs)
            expect.close(f"{text}: the value", out.data, reference.item(), hint=hint)
            out.backward()
            reference.backward()
            for i, (a, t) in enumerate(zip(ours, theirs)):
                expect.close(f"{text}: the gradient of input {i} (= {numbers[i]})", a.grad,
                             t.grad.item(), hint=hint)
    return run("Value", cases)


def _graph(Value, kind):
    """Small graphs to sort: a chain, a diamond (shared node), and a long chain."""
    a = Value(1.0)
    if kind == "chain":
        return (a * 2 + 1).tanh()
    if kind == "diamond":
        b = a * 3
        return b * b + b
    out = a
    for _ in range(3000):      # longer than Python's default recursion limit
        out = out * 1.0
    return out


def topological_order(fn, Value):
    """``fn(root)`` lists every node reachable from root (through ``_children``) exactly once,
    each after all of its children."""
    def cases(expect):
        for kind in ("chain", "diamond", "long"):
            root = _graph(Value, kind)
            reachable, stack = {}, [root]
            while stack:
                node = stack.pop()
                if id(node) not in reachable:
                    reachable[id(node)] = node
                    stack.extend(node._children)
            order = fn(root)
            positions = {id(node): i for i, node in enumerate(order)}
            expect.equal(f"the {kind} graph: number of nodes listed", len(order), len(reachable),
                         hint="list each node once: remember which ones you have visited")
            expect.true(f"the {kind} graph: every reachable node is listed",
                        set(positions) == set(reachable))
            expect.equal(f"the {kind} graph: the last node", order[-1] is root, True,
                         hint="the root depends on everything, so it comes last")
            late = [n for n in order for c in n._children if positions[id(c)] > positions[id(n)]]
            expect.true(f"the {kind} graph: each node after its children", not late,
                        hint="append a node only once all of its children are in the list")
    return run("topological_order", cases,
               hint="use an explicit stack, not recursion: the long chain is 3,000 nodes deep")
