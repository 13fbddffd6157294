"""Chapter 04's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes with double backward, Hessians, Newton steps and gradient
penalties fail with the input and expected vs got."""
import minitorch
import numpy as np

from minitorch.course import ch04 as check

from .learner import failed, module

solution, stub = module("04", "solution"), module("04", "stub")


def test_hvp():
    assert check.hvp(solution.hvp)
    assert check.hvp(stub.hvp).status == "unfinished"

    def without_v(f, x, v):                  # H times a vector of ones
        (gradient,) = minitorch.autograd.grad(f(x), x, create_graph=True)
        return minitorch.autograd.grad(gradient.sum(), x)[0]

    def gradient_not_recorded(f, x, v):      # the second grad sees only the explicit x in g * x
        (gradient,) = minitorch.autograd.grad(f(x), x)
        return minitorch.autograd.grad((gradient * v).sum(), x)[0]

    def gradient_times_v(f, x, v):           # elementwise, no second derivative at all
        return minitorch.autograd.grad(f(x), x)[0] * v

    assert failed(check.hvp(without_v), "0.5 x.Ax", "(gradient * v).sum()")
    verdict = check.hvp(gradient_not_recorded)
    assert verdict.status in ("failed", "error") and "create_graph=True" in verdict.message
    assert failed(check.hvp(gradient_times_v), "float64")


def test_hessian():
    assert check.hessian(solution.hessian)
    assert check.hessian(stub.hessian).status == "unfinished"

    def flat(f, x):                          # (n, n) even when x is a matrix
        return solution.hessian(f, x).reshape(x.numel(), x.numel())

    def diagonal_only(f, x):                 # H e_i read only at i
        return minitorch.tensor(np.diag(np.diag(solution.hessian(f, x).numpy())))

    assert failed(check.hessian(flat), "2x3 matrix", "shape")
    assert failed(check.hessian(diagonal_only), "0.5 x.Ax")


def _newton_with(direction):
    """A Newton step x - direction(gradient, Hessian), as NumPy arrays."""
    def step(f, x):
        (gradient,) = minitorch.autograd.grad(f(x), x)
        hessian = solution.hessian(f, x).numpy()
        return minitorch.tensor(x.detach().numpy() - direction(gradient.numpy(), hessian),
                                dtype=x.dtype)
    return step


def test_newton_step():
    assert check.newton_step(solution.newton_step)
    assert check.newton_step(stub.newton_step).status == "unfinished"
    uphill = _newton_with(lambda g, h: -np.linalg.solve(h, g))
    times_hessian = _newton_with(lambda g, h: h @ g)
    diagonal_newton = _newton_with(lambda g, h: g / np.diag(h))
    assert failed(check.newton_step(uphill), "A^-1 b")
    assert failed(check.newton_step(times_hessian), "solve")
    assert failed(check.newton_step(diagonal_newton), "diagonal")

    def in_place(f, x):                      # moves the caller's x
        new = solution.newton_step(f, x)
        with minitorch.no_grad():
            x.copy_(new)
        return new
    assert failed(check.newton_step(in_place), "left unchanged")


def test_gradient_penalty():
    assert check.gradient_penalty(solution.gradient_penalty)
    assert check.gradient_penalty(stub.gradient_penalty).status == "unfinished"

    def penalty_from(norms_of, reduce="mean", create_graph=True):
        def penalty(critic, points, weight=10.0):
            x = points.detach().requires_grad_(True)
            (gradients,) = minitorch.autograd.grad(critic(x).sum(), x, create_graph=create_graph)
            squares = (norms_of(gradients) - 1) ** 2
            return weight * (squares.mean() if reduce == "mean" else squares.sum())
        return penalty

    norm = lambda g: (g**2).sum(dim=1).sqrt()    # noqa: E731
    squared_norm = lambda g: (g**2).sum(dim=1)   # noqa: E731
    assert failed(check.gradient_penalty(penalty_from(squared_norm)), "tanh MLP", "norm")
    assert failed(check.gradient_penalty(penalty_from(norm, reduce="sum")), "the penalty")
    verdict = check.gradient_penalty(penalty_from(norm, create_graph=False))
    assert verdict.status == "failed" and "depends on the critic's weights" in verdict.message \
        and "create_graph=True" in verdict.message, verdict.message
