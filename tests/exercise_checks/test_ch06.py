"""Chapter 06's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes fail with the input and expected vs got."""
import minitorch
from minitorch.course import ch06 as check

from .learner import failed, module

solution, stub = module("06", "solution"), module("06", "stub")


def _pick(log_probs, target):
    return log_probs[minitorch.arange(len(target)), target]


def test_cross_entropy():
    assert check.cross_entropy(solution.cross_entropy)
    assert check.cross_entropy(stub.cross_entropy).status == "unfinished"

    def no_max_subtraction(logits, target):
        return -_pick(logits - logits.exp().sum(1, keepdim=True).log(), target).mean()

    def max_not_added_back(logits, target):
        m = logits.max(dim=1, keepdim=True).values.detach()
        return -_pick(logits - (logits - m).exp().sum(1, keepdim=True).log(), target).mean()

    def max_over_the_batch(logits, target):
        m = logits.max(dim=0, keepdim=True).values.detach()
        return -_pick(logits - m - (logits - m).exp().sum(1, keepdim=True).log(), target).mean()

    def summed(logits, target):
        return solution.cross_entropy(logits, target) * len(target)

    assert failed(check.cross_entropy(no_max_subtraction), "huge logits", "subtract each row's max")
    assert failed(check.cross_entropy(max_not_added_back), "random logits")
    assert failed(check.cross_entropy(max_over_the_batch), "random logits")
    assert failed(check.cross_entropy(summed), "random logits of shape (4, 3)")


def _momentum_buffer(self, i, g):
    """PyTorch's buffer, right: g at the first step, then momentum * buf + g."""
    previous = self.buffers[i]
    self.buffers[i] = g.clone() if previous is None else self.momentum * previous + g
    return self.buffers[i]


def _with_update(Optimizer, update):
    """The solution's optimizer with the per-parameter update replaced: update(self, i, p, grad)."""
    class Wrong(Optimizer):
        def step(self):
            with minitorch.no_grad():
                for i, p in enumerate(self.params):
                    if p.grad is not None:
                        update(self, i, p, p.grad)
    return Wrong


def test_sgd():
    assert check.sgd(solution.SGD)
    assert check.sgd(stub.SGD).status == "unfinished"

    def step_before_buffer(self, i, p, g):        # moves with the old buffer, then updates it
        g = g + self.weight_decay * p
        if self.momentum:
            old = self.buffers[i] if self.buffers[i] is not None else g
            p -= self.lr * old
            self.buffers[i] = self.momentum * old + g
        else:
            p -= self.lr * g

    def dampened(self, i, p, g):                  # an average: buf = mu buf + (1 - mu) g
        g = g + self.weight_decay * p
        if self.momentum:
            previous = self.buffers[i] if self.buffers[i] is not None else minitorch.zeros_like(p)
            self.buffers[i] = self.momentum * previous + (1 - self.momentum) * g
            g = self.buffers[i]
        p -= self.lr * g

    def decay_after_momentum(self, i, p, g):      # weight decay kept out of the buffer
        if self.momentum:
            buffer = _momentum_buffer(self, i, g)
            g = g + self.momentum * buffer if self.nesterov else buffer
        p -= self.lr * (g + self.weight_decay * p)

    def nesterov_ignored(self, i, p, g):
        g = g + self.weight_decay * p
        if self.momentum:
            g = _momentum_buffer(self, i, g)
        p -= self.lr * g

    def wrong(update):
        return check.sgd(_with_update(solution.SGD, update))

    assert failed(wrong(step_before_buffer), "momentum=0.9", "buf = momentum * buf + grad")
    assert failed(wrong(dampened), "momentum=0.9", "after step 1")
    assert failed(wrong(decay_after_momentum), "weight_decay=0.01")
    assert failed(wrong(nesterov_ignored), "nesterov=True")

    class NotInPlace(solution.SGD):               # rebinds the list entry; the model's tensor stays
        def step(self):
            with minitorch.no_grad():
                for i, p in enumerate(self.params):
                    if p.grad is not None:
                        self.params[i] = p - self.lr * p.grad
    assert failed(check.sgd(NotInPlace), "after step 1")


def _moments(self, i, p, g):
    """Adam's part that the wrong answers below get right: weight decay, t and the averages."""
    g = g + self.weight_decay * p
    self.steps[i] += 1
    beta1, beta2 = self.betas
    self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
    self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
    return beta1, beta2, self.steps[i]


def test_adam():
    assert check.adam(solution.Adam)
    assert check.adam(stub.Adam).status == "unfinished"

    def no_bias_correction(self, i, p, g):
        _moments(self, i, p, g)
        p -= self.lr * self.m[i] / (self.v[i].sqrt() + self.eps)

    def eps_inside_sqrt(self, i, p, g):
        beta1, beta2, t = _moments(self, i, p, g)
        m_hat, v_hat = self.m[i] / (1 - beta1**t), self.v[i] / (1 - beta2**t)
        p -= self.lr * m_hat / (v_hat + self.eps).sqrt()

    def t_from_zero(self, i, p, g):               # off by one: t counted from 2
        beta1, beta2, t = _moments(self, i, p, g)
        m_hat, v_hat = self.m[i] / (1 - beta1**(t + 1)), self.v[i] / (1 - beta2**(t + 1))
        p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)

    def wrong(update):
        return check.adam(_with_update(solution.Adam, update))

    assert failed(wrong(no_bias_correction), "Adam(lr=0.1)", "bias-correct")
    assert failed(wrong(eps_inside_sqrt), "eps matters")
    assert failed(wrong(t_from_zero), "after step 1")
