"""Chapter 09 of your framework: the cells marked #@save, as you last ran them."""


#@save
import minitorch


def batch_norm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """Batch norm of x (N, C) in training mode: normalise each column with the batch's mean
    and biased variance, then gamma * xhat + beta. Also moves running_mean and running_var
    (shape (C,)) towards the batch's mean and *unbiased* variance, in place, unrecorded."""
    ### BEGIN SOLUTION
    n = x.shape[0]
    mean = x.mean(0)
    var = x.var(0, unbiased=False)
    with minitorch.no_grad():
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    return (x - mean) / (var + eps).sqrt() * gamma + beta
    ### END SOLUTION


#@save
import minitorch


class BatchNormFunction(minitorch.autograd.Function):
    """Batch norm of x (N, C) with the batch's statistics, as one recorded operation."""

    @staticmethod
    def forward(ctx, x, gamma, beta, eps=1e-5):
        mean = x.mean(0)
        invstd = 1 / (x.var(0, unbiased=False) + eps).sqrt()
        xhat = (x - mean) * invstd
        ctx.save_for_backward(xhat, invstd, gamma)
        return xhat * gamma + beta

    @staticmethod
    def backward(ctx, grad):
        xhat, invstd, gamma = ctx.saved_tensors
        ### BEGIN SOLUTION
        gh = grad * gamma
        grad_x = (gh - gh.mean(0) - xhat * (gh * xhat).mean(0)) * invstd
        grad_gamma = (grad * xhat).sum(0)
        grad_beta = grad.sum(0)
        ### END SOLUTION
        return grad_x, grad_gamma, grad_beta, None


#@save
def layer_norm(x, gamma, beta, eps=1e-5):
    """Normalise each row of x (over its last dim) to mean 0 and variance 1, then
    gamma * xhat + beta (gamma and beta have x's last dimension)."""
    ### BEGIN SOLUTION
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return (x - mean) / (var + eps).sqrt() * gamma + beta
    ### END SOLUTION


#@save
from minitorch import nn


class ResidualBlock(nn.Module):
    """shortcut(h) + act(norm(linear(h))): a layer whose input skips ahead to its output."""

    def __init__(self, in_features, out_features, activation=nn.Sigmoid, norm=None):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.norm = norm(out_features) if norm else nn.Identity()
        self.act = activation()
        ### BEGIN SOLUTION
        if in_features == out_features:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Linear(in_features, out_features, bias=False)
        ### END SOLUTION

    def forward(self, h):
        ### BEGIN SOLUTION
        return self.shortcut(h) + self.act(self.norm(self.linear(h)))
        ### END SOLUTION
