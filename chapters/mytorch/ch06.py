"""Chapter 06 of your framework: the cells marked #@save, as you last ran them."""


#@save
import minitorch


def cross_entropy(logits, target):
    """Mean over the batch of -log softmax(logits)[i, target[i]], computed with log-sum-exp."""
    ### BEGIN SOLUTION
    m = logits.max(dim=1, keepdim=True).values.detach()
    log_sum_exp = m + (logits - m).exp().sum(dim=1, keepdim=True).log()
    log_probs = logits - log_sum_exp
    return -log_probs[minitorch.arange(len(target)), target].mean()
    ### END SOLUTION


#@save
import minitorch


class SGD:
    """torch.optim.SGD without parameter groups or dampening."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
        self.params = list(params)
        self.lr, self.momentum, self.nesterov = lr, momentum, nesterov
        self.weight_decay = weight_decay
        self.buffers = [None] * len(self.params)     # momentum buffers, made at the first step

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        with minitorch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:                   # not used by this loss: leave it alone
                    continue
                ### BEGIN SOLUTION
                g = p.grad + self.weight_decay * p
                if self.momentum:
                    if self.buffers[i] is None:
                        self.buffers[i] = g.clone()
                    else:
                        self.buffers[i] = self.momentum * self.buffers[i] + g
                    g = g + self.momentum * self.buffers[i] if self.nesterov else self.buffers[i]
                p -= self.lr * g
                ### END SOLUTION


#@save
import minitorch


class Adam:
    """torch.optim.Adam without parameter groups, amsgrad or maximize."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.m = [minitorch.zeros_like(p) for p in self.params]    # running mean of g
        self.v = [minitorch.zeros_like(p) for p in self.params]    # running mean of g²
        self.steps = [0] * len(self.params)                         # t, per parameter

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        beta1, beta2 = self.betas
        with minitorch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                ### BEGIN SOLUTION
                g = p.grad + self.weight_decay * p
                self.steps[i] += 1
                t = self.steps[i]
                self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
                self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
                m_hat = self.m[i] / (1 - beta1**t)
                v_hat = self.v[i] / (1 - beta2**t)
                p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)
                ### END SOLUTION
