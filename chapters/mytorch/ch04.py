"""Chapter 04 of your framework: the cells marked #@save, as you last ran them."""


#@save
import minitorch


def hvp(f, x, v):
    """The Hessian of f at x times v, by double backward: grad of (grad f(x) . v)."""
    ### BEGIN SOLUTION
    (gradient,) = minitorch.autograd.grad(f(x), x, create_graph=True)
    (product,) = minitorch.autograd.grad((gradient * v).sum(), x)
    return product
    ### END SOLUTION


#@save
import minitorch


def hessian(f, x):
    """The Hessian of the scalar function f at x, shape x.shape + x.shape, from one Hessian-vector
    product per element of x."""
    ### BEGIN SOLUTION
    n = x.numel()
    columns = []
    for i in range(n):
        basis = minitorch.zeros(n, dtype=x.dtype)
        basis[i] = 1.0
        columns.append(hvp(f, x, basis.reshape(x.shape)).reshape(n))
    return minitorch.stack(columns, dim=1).reshape(*x.shape, *x.shape)
    ### END SOLUTION


#@save
import minitorch
import numpy as np


def newton_step(f, x):
    """One step of Newton's method from x (1-D, requires grad): x - H^-1 grad f(x), a new tensor."""
    ### BEGIN SOLUTION
    (gradient,) = minitorch.autograd.grad(f(x), x)
    direction = np.linalg.solve(hessian(f, x).numpy(), gradient.numpy())
    return minitorch.tensor(x.detach().numpy() - direction, dtype=x.dtype)
    ### END SOLUTION


#@save
import minitorch


def gradient_penalty(critic, points, weight=10.0):
    """weight * mean over the batch of (|grad_x critic(x_i)| - 1)**2, differentiable with
    respect to the critic's weights."""
    ### BEGIN SOLUTION
    x = points.detach().requires_grad_(True)
    (gradients,) = minitorch.autograd.grad(critic(x).sum(), x, create_graph=True)
    norms = (gradients**2).sum(dim=1).sqrt()
    return weight * ((norms - 1) ** 2).mean()
    ### END SOLUTION
