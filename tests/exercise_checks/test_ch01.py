"""Chapter 01's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes fail with the input and expected vs got."""
from minitorch.course import ch01 as check

from .learner import failed, module

solution, stub = module("01", "solution"), module("01", "stub")


def test_central_difference():
    assert check.central_difference(solution.central_difference)
    assert check.central_difference(stub.central_difference).status == "unfinished"
    one_sided = lambda f, x, h=1e-5: (f(x + h) - f(x)) / h            # noqa: E731
    no_halving = lambda f, x, h=1e-5: (f(x + h) - f(x - h)) / h       # noqa: E731
    assert failed(check.central_difference(one_sided), "x = ")
    assert failed(check.central_difference(no_halving), "hint")


def test_topological_order():
    Value = solution.Value
    assert check.topological_order(solution.topological_order, Value)
    assert check.topological_order(stub.topological_order, Value).status == "unfinished"

    def recursive(root):          # correct on small graphs, too deep for the long chain
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for child in node._children:
                    visit(child)
                order.append(node)
        visit(root)
        return order

    def no_memory(root):          # lists shared nodes twice
        order, stack = [], [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in node._children)
        return order

    verdict = check.topological_order(recursive, Value)
    assert verdict.status == "error" and "RecursionError" in verdict.message
    assert failed(check.topological_order(no_memory, Value), "diamond")
    reverse = lambda root: list(reversed(solution.topological_order(root)))  # noqa: E731
    assert check.topological_order(reverse, Value).status == "failed"


def _value_with(name, backward_of):
    """The solution's Value with one operation's backward replaced by a wrong one."""
    class Wrong(solution.Value):
        pass

    def op(self, *args):
        out = getattr(solution.Value, name)(self, *args)
        out.__class__ = Wrong
        out._backward = backward_of(self, args, out)
        return out
    setattr(Wrong, name, op)
    return Wrong


def test_value():
    assert check.value(solution.Value)
    assert check.value(stub.Value).status == "unfinished"

    def overwrite(self, args, out):      # '=' instead of '+=': fan-out loses a path
        other = args[0] if isinstance(args[0], solution.Value) else solution.Value(args[0])

        def backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        return backward

    def tanh_without_square(self, args, out):
        def backward():
            self.grad += (1 - out.data) * out.grad
        return backward

    def pow_without_minus_one(self, args, out):
        (k,) = args

        def backward():
            self.grad += k * self.data ** k * out.grad
        return backward

    assert failed(check.value(_value_with("__mul__", overwrite)), "a * a", "+=")
    assert failed(check.value(_value_with("tanh", tanh_without_square)), "tanh")
    assert failed(check.value(_value_with("__pow__", pow_without_minus_one)), "a ** 3")
