"""Chapter 03's checks tell right from wrong: solution passes, stub unfinished, typical
mistakes (forgotten unbroadcast, missing transpose, overwritten gradients, wrong order) fail."""
import numpy as np

from minitorch.course import ch03 as check

from .learner import failed, mistaken, module

solution, stub = module("03", "solution"), module("03", "stub")


def test_silu():
    assert check.silu(solution.SiLU)
    assert check.silu(stub.SiLU).status == "unfinished"

    class ForgotProductRule(solution.SiLU):
        @staticmethod
        def backward(ctx, grad_output):
            x, s = ctx.saved_tensors
            return grad_output * s

    assert failed(check.silu(ForgotProductRule), "gradient at x")


def test_unbroadcast():
    assert check.unbroadcast(solution.unbroadcast)
    assert check.unbroadcast(stub.unbroadcast).status == "unfinished"

    def only_leading(grad, shape):       # forgets dimensions stretched from size 1
        while grad.ndim > len(shape):
            grad = grad.sum(axis=0)
        return grad

    def drops_kept_dims(grad, shape):    # sums the size-1 dimensions away
        while grad.ndim > len(shape):
            grad = grad.sum(axis=0)
        axes = tuple(a for a, size in enumerate(shape) if size == 1 and grad.shape[a] != 1)
        return grad.sum(axis=axes)

    assert failed(check.unbroadcast(only_leading), "(4, 1)", "shape")
    assert failed(check.unbroadcast(drops_kept_dims), "shape")


def _tensor_with(name, backward_of):
    """The solution's Tensor with one operation's local backward replaced."""
    class Wrong(solution.Tensor):
        pass

    def op(self, *args):
        out = getattr(solution.Tensor, name)(self, *args)
        out._backward = backward_of(self, args, out)
        return out
    setattr(Wrong, name, op)
    return Wrong


def no_unbroadcast(self, args, out):
    other = args[0] if isinstance(args[0], solution.Tensor) else solution.Tensor(args[0])

    def backward():
        self.grad = self.grad + out.grad
        other.grad = other.grad + out.grad
    return backward


def no_transpose(self, args, out):
    (other,) = args

    def backward():
        self.grad += out.grad @ other.data
        other.grad += self.data @ out.grad
    return backward


def test_tensor_ops():
    assert check.tensor_ops(solution.Tensor)
    assert check.tensor_ops(stub.Tensor).status == "unfinished"
    assert failed(check.tensor_ops(_tensor_with("__add__", no_unbroadcast)), "(3,)", "unbroadcast")
    assert failed(check.tensor_ops(_tensor_with("__matmul__", no_transpose)), "square", "B.T")


def test_tensor_backward():
    assert check.tensor_backward(solution.Tensor)
    assert check.tensor_backward(stub.Tensor).status == "unfinished"

    wrong_order = mistaken("03", "for node in topological_order(self):",
                           "for node in reversed(topological_order(self)):")
    no_seed = mistaken("03", "self.grad = self.grad", "self.grad = np.ones_like(self.data)")
    verdict = check.tensor_backward(wrong_order.Tensor)   # inputs run before their gradient exists
    assert verdict.status == "error" and "reversed topological order" in verdict.message
    assert failed(check.tensor_backward(no_seed.Tensor))
