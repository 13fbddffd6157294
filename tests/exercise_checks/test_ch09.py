"""Chapter 09's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes in batch norm, its backward, layer norm and the residual
block fail with the input and expected vs got."""
import minitorch
from minitorch import nn
from minitorch.course import ch09 as check

from .learner import failed, module

solution, stub = module("09", "solution"), module("09", "stub")


# ---------------------------------------------------------------- batch_norm_train

def _batch_norm(update_running, normalise_var=lambda x: x.var(0, unbiased=False)):
    """A batch norm whose running-statistics update (or normalising variance) is given."""
    def batch_norm(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
        mean, var = x.mean(0), x.var(0, unbiased=False)
        update_running(x, mean, var, running_mean, running_var, momentum)
        return (x - mean) / (normalise_var(x) + eps).sqrt() * gamma + beta
    return batch_norm


def _right_update(x, mean, var, running_mean, running_var, momentum):
    n = x.shape[0]
    with minitorch.no_grad():
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))


def test_batch_norm_train():
    assert check.batch_norm_train(solution.batch_norm_train)
    assert check.batch_norm_train(_batch_norm(_right_update))   # the helper itself is right
    assert check.batch_norm_train(stub.batch_norm_train).status == "unfinished"

    def biased_running_var(x, mean, var, running_mean, running_var, momentum):
        with minitorch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var)

    def momentum_swapped(x, mean, var, running_mean, running_var, momentum):
        n = x.shape[0]
        with minitorch.no_grad():
            running_mean.mul_(momentum).add_((1 - momentum) * mean)
            running_var.mul_(momentum).add_((1 - momentum) * var * n / (n - 1))

    def rebinds_names(x, mean, var, running_mean, running_var, momentum):
        running_mean = (1 - momentum) * running_mean + momentum * mean   # noqa: F841
        running_var = (1 - momentum) * running_var + momentum * var       # noqa: F841

    def recorded(x, mean, var, running_mean, running_var, momentum):
        n = x.shape[0]
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))

    assert failed(check.batch_norm_train(_batch_norm(biased_running_var)), "running_var", "N - 1")
    assert failed(check.batch_norm_train(_batch_norm(momentum_swapped)), "running_mean", "momentum")
    assert failed(check.batch_norm_train(_batch_norm(rebinds_names)), "running_mean", "in place")
    assert check.batch_norm_train(_batch_norm(recorded)).status == "failed"
    unbiased_normalising = _batch_norm(_right_update, lambda x: x.var(0))
    assert failed(check.batch_norm_train(unbiased_normalising), "the output", "biased")


# ---------------------------------------------------------------- BatchNormFunction

def _function_with(backward):
    """The solution's BatchNormFunction with another backward."""
    return type("WrongBatchNorm", (solution.BatchNormFunction,),
                {"backward": staticmethod(backward)})


def test_batch_norm_backward():
    assert check.batch_norm_backward(solution.BatchNormFunction)
    assert check.batch_norm_backward(stub.BatchNormFunction).status == "unfinished"

    def statistics_as_constants(ctx, grad):
        xhat, invstd, gamma = ctx.saved_tensors
        return grad * gamma * invstd, (grad * xhat).sum(0), grad.sum(0), None

    def no_variance_term(ctx, grad):
        xhat, invstd, gamma = ctx.saved_tensors
        gh = grad * gamma
        return (gh - gh.mean(0)) * invstd, (grad * xhat).sum(0), grad.sum(0), None

    def forgets_gamma(ctx, grad):
        xhat, invstd, gamma = ctx.saved_tensors
        grad_x = (grad - grad.mean(0) - xhat * (grad * xhat).mean(0)) * invstd
        return grad_x, (grad * xhat).sum(0), grad.sum(0), None

    def gamma_without_xhat(ctx, grad):
        xhat, invstd, gamma = ctx.saved_tensors
        gh = grad * gamma
        grad_x = (gh - gh.mean(0) - xhat * (gh * xhat).mean(0)) * invstd
        return grad_x, grad.sum(0), grad.sum(0), None

    for wrong in (statistics_as_constants, no_variance_term, forgets_gamma):
        assert failed(check.batch_norm_backward(_function_with(wrong)), "gradient of x", "mean(gh)")
    assert failed(check.batch_norm_backward(_function_with(gamma_without_xhat)),
                  "gradient of gamma")


def test_central_differences_agree_with_pytorch():
    """The check's second oracle (central differences through the given forward) is itself
    right: it matches PyTorch's gradient of x."""
    import numpy as np
    import torch
    x, gamma, beta = (np.random.default_rng(seed).standard_normal(shape)
                      for seed, shape in ((0, (4, 3)), (1, (3,)), (2, (3,))))
    upstream = np.random.default_rng(3).standard_normal((4, 3))
    numeric = check._central_difference_x(solution.BatchNormFunction, x, gamma, beta, upstream)
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.batch_norm(tx, None, None, torch.tensor(gamma), torch.tensor(beta),
                                   training=True).backward(torch.tensor(upstream))
    np.testing.assert_allclose(numeric, tx.grad.numpy(), rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- layer_norm

def test_layer_norm():
    assert check.layer_norm(solution.layer_norm)
    assert check.layer_norm(stub.layer_norm).status == "unfinished"

    def over_the_batch(x, gamma, beta, eps=1e-5):
        mean, var = x.mean(0, keepdim=True), x.var(0, keepdim=True, unbiased=False)
        return (x - mean) / (var + eps).sqrt() * gamma + beta

    def unbiased(x, gamma, beta, eps=1e-5):
        mean, var = x.mean(-1, keepdim=True), x.var(-1, keepdim=True)
        return (x - mean) / (var + eps).sqrt() * gamma + beta

    def eps_outside_the_root(x, gamma, beta, eps=1e-5):
        mean, var = x.mean(-1, keepdim=True), x.var(-1, keepdim=True, unbiased=False)
        return (x - mean) / (var.sqrt() + eps) * gamma + beta

    assert failed(check.layer_norm(over_the_batch), "the output", "dim=-1")
    assert failed(check.layer_norm(unbiased), "unbiased=False")
    assert failed(check.layer_norm(eps_outside_the_root), "nearly equal", "sqrt(var + eps)")


# ---------------------------------------------------------------- ResidualBlock

def _block_with(forward, init=None):
    """The solution's ResidualBlock with another forward (and __init__)."""
    body = {"forward": forward}
    if init is not None:
        body["__init__"] = init
    return type("WrongBlock", (solution.ResidualBlock,), body)


def test_residual_block():
    assert check.residual_block(solution.ResidualBlock)
    assert check.residual_block(stub.ResidualBlock).status == "unfinished"

    no_skip = _block_with(lambda self, h: self.act(self.norm(self.linear(h))))
    activation_after_the_sum = _block_with(
        lambda self, h: self.act(self.shortcut(h) + self.norm(self.linear(h))))

    def shortcut_with_bias(self, in_features, out_features, activation=nn.Sigmoid, norm=None):
        nn.Module.__init__(self)
        self.linear = nn.Linear(in_features, out_features)
        self.norm = norm(out_features) if norm else nn.Identity()
        self.act = activation()
        self.shortcut = (nn.Identity() if in_features == out_features
                         else nn.Linear(in_features, out_features))
    with_bias = _block_with(solution.ResidualBlock.forward, shortcut_with_bias)

    assert failed(check.residual_block(no_skip), "output", "shortcut(h) +")
    assert failed(check.residual_block(activation_after_the_sum), "output", "after the activation")
    assert failed(check.residual_block(with_bias), "names of the parameters", "bias=False")
