"""Chapter 13 of your framework: the cells marked #@save, as you last ran them."""


#@save
import numpy as np

import minitorch
from minitorch.autograd import Function


class SoftmaxCrossEntropy(Function):
    """cross_entropy(logits, target) as ONE recorded node: the mean over the batch of
    -log(softmax(logits)[i, target[i]]); backward: grad * (softmax - onehot) / N."""

    @staticmethod
    def forward(ctx, logits, target):
        z = logits.detach().numpy()            # (N, C) floats
        rows, labels = np.arange(z.shape[0]), target.numpy()
        # set `loss` (the mean cross-entropy, a number) and `probs` (softmax(z), shape (N, C))
        ### BEGIN SOLUTION
        shifted = z - z.max(axis=1, keepdims=True)          # exp cannot overflow
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        loss = -(shifted[rows, labels] - np.log(sums[:, 0])).mean()
        probs = exps / sums
        ### END SOLUTION
        ctx.save_for_backward(minitorch.from_numpy(probs))  # softmax(logits), for backward
        ctx.labels = labels
        return np.asarray(loss, dtype=z.dtype)

    @staticmethod
    def backward(ctx, grad):
        (probs,) = ctx.saved_tensors
        # return the gradient of the logits (a Tensor of z's shape and dtype) and None
        ### BEGIN SOLUTION
        d_logits = probs.detach().numpy().copy()
        rows = np.arange(d_logits.shape[0])
        d_logits[rows, ctx.labels] -= 1                     # softmax - onehot
        d_logits /= d_logits.shape[0]
        return grad * minitorch.from_numpy(d_logits), None
        ### END SOLUTION


#@save
from minitorch.autograd import Function


class LinearReLU(Function):
    """relu(x @ weight.T + bias) as ONE recorded node. x: (N, in), weight: (out, in),
    bias: (out,). Backward returns the gradients of x, weight and bias."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        # set `out`, with Tensor operations (nothing is recorded inside forward)
        ### BEGIN SOLUTION
        out = (x @ weight.T + bias).relu()
        ### END SOLUTION
        ctx.save_for_backward(x, weight, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight, out = ctx.saved_tensors
        # return the gradients of x, weight and bias, each of its input's shape
        ### BEGIN SOLUTION
        grad = grad * (out > 0)                  # the ReLU: no gradient where it cut
        return grad @ weight, grad.T @ x, grad.sum(0)
        ### END SOLUTION


#@save
def saved_bytes(output):
    """Bytes of the tensors saved for backward by the nodes recorded behind output."""
    ### BEGIN SOLUTION
    total, seen, stack = 0, set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        for saved in getattr(node, "saved_tensors", ()):
            if saved is not None:
                total += saved.numel() * saved.element_size()
        stack.extend(next_node for next_node, _ in node.next_functions)
    return total
    ### END SOLUTION
