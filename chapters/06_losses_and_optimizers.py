# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Losses and optimizers
#
# A loss turns predictions into one number to minimise; an optimizer turns gradients
# into parameter updates. You write the pieces that matter: a numerically stable
# cross-entropy, SGD with momentum exactly as PyTorch defines it, and Adam. Each check feeds
# your code and PyTorch's the same inputs and compares, value by value and step by step.
# Then your loss and optimizer train a network built from your chapter-05 modules, and we
# finish with learning-rate schedules.
#
# As in every chapter: fill in the cells marked `# YOUR CODE HERE` in your copy (in
# `exercises/`) and run the check cell after each; your `#@save` cells become
# `mytorch/ch06.py`.

# %%
# %matplotlib inline
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np

import minitorch
import torch
import viz
from minitorch import course, nn
from minitorch.course import ch06 as check

course.start("06")

# %% [markdown]
# ## 1. Mean squared error
#
# $\mathrm{MSE}(\hat y, y) = \frac1n \sum_i (\hat y_i - y_i)^2$, for regression.

# %%
def mse(prediction, target):
    return ((prediction - target) ** 2).mean()


rng = np.random.default_rng(0)
p0, t0 = rng.standard_normal(5).astype(np.float32), rng.standard_normal(5).astype(np.float32)
print(f"scratch {mse(minitorch.tensor(p0), minitorch.tensor(t0)).item():.6f}  "
      f"minitorch {nn.functional.mse_loss(minitorch.tensor(p0), minitorch.tensor(t0)).item():.6f}  "
      f"PyTorch {torch.nn.functional.mse_loss(torch.tensor(p0), torch.tensor(t0)).item():.6f}")

# %% [markdown]
# ## 2. Cross-entropy, stably
#
# For classification, a network outputs one score (a *logit*) per class; softmax turns
# scores into probabilities, and the loss is the negative log-probability of the right
# class, averaged over the batch:
# $-\log \frac{e^{z_y}}{\sum_j e^{z_j}} = -z_y + \log \sum_j e^{z_j}$.
#
# Computed naively, $e^{z}$ overflows to `inf` for scores around 89 in float32, and
# underflows to 0 for scores below about -104 (then $\log 0 = -\infty$). The fix is the
# *log-sum-exp trick*: $\log \sum_j e^{z_j} = m + \log \sum_j e^{z_j - m}$ with
# $m = \max_j z_j$, so the largest exponent is $e^0 = 1$ and the sum is at least 1. The
# shift $m$ is a constant as far as the result is concerned (its effect cancels), so it
# needs no gradient: `.detach()` it.
#
# **Exercise 6.1.** Write `cross_entropy(logits, target)` for logits of shape `(N, C)` and
# integer targets of shape `(N,)`, with tensor operations (so that autograd gives the
# gradient), stable for any logits. `logits.max(dim=1, keepdim=True).values` is each row's
# max, and `log_probs[minitorch.arange(N), target]` picks each row's target entry.

# %%
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


# %%
check.cross_entropy(cross_entropy)

# %% [markdown]
# The naive formula next to yours, minitorch's and PyTorch's, on a batch whose second row
# has scores of ±100:

# %%
def cross_entropy_naive(logits, target):
    probs = logits.exp() / logits.exp().sum(1, keepdim=True)
    return -probs[minitorch.arange(len(target)), target].log().mean()


logits = minitorch.tensor([[2.0, 1.0, 0.1], [100.0, 0.0, -100.0]])
target = minitorch.tensor([0, 0])
print(f"naive     {cross_entropy_naive(logits, target).item():.6f}")
with course.needs("your cross_entropy"):
    print(f"yours     {cross_entropy(logits, target).item():.6f}")
print(f"minitorch {nn.functional.cross_entropy(logits, target).item():.6f}")
torch_loss = torch.nn.functional.cross_entropy(torch.tensor(logits.numpy()),
                                               torch.tensor(target.numpy()))
print(f"PyTorch   {torch_loss.item():.6f}")

# %% [markdown]
# The gradient of cross-entropy w.r.t. the logits is remarkably simple:
# $\frac{\partial L}{\partial z} = \frac1N(\mathrm{softmax}(z) - \mathrm{onehot}(y))$.
# Your version records max, exp, sum, log, indexing and mean, and autograd multiplies their
# local derivatives together; minitorch's `cross_entropy` records PyTorch's two nodes
# (`LogSoftmaxBackward0`, `NllLossBackward0`), whose backward formulas use that closed form.

# %%
z = minitorch.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
y = minitorch.tensor([0, 2, 1, 2])
nn.functional.cross_entropy(z, y).backward()
softmax = z.detach().softmax(1).numpy()
expected_grad = (softmax - np.eye(3, dtype=np.float32)[y.numpy()]) / 4
print("minitorch:", np.round(z.grad.numpy()[0], 5), " by hand:", np.round(expected_grad[0], 5))
with course.needs("your cross_entropy"):
    z_yours = z.detach().requires_grad_()
    cross_entropy(z_yours, y).backward()
    print("yours:    ", np.round(z_yours.grad.numpy()[0], 5))

# %% [markdown]
# ## 3. Optimizers
#
# An optimizer holds the parameters and, at each `step()`, moves each one using its
# gradient (`p.grad`, which `backward()` filled in). The update happens under `no_grad`
# (it is not part of the model's computation) and **in place** (`p -= ...`), so that the
# model, which holds the same tensors, sees the new values.
#
# * **SGD**: $\theta \leftarrow \theta - \eta\, g$.
# * **Weight decay** $\lambda$ adds $\lambda\theta$ to the gradient first (the gradient of
#   $\frac\lambda2\lVert\theta\rVert^2$): it pulls weights towards zero.
# * **Momentum** $\mu$ keeps a running direction, a *buffer* $b$: $b \leftarrow \mu b + g$
#   (at the first step $b = g$), then $\theta \leftarrow \theta - \eta b$. It smooths noisy
#   gradients and builds up speed along directions where they agree. This is PyTorch's
#   form; some papers write $v \leftarrow \mu v + \eta g$, $\theta \leftarrow \theta - v$,
#   the same for a fixed $\eta$ but not when a schedule changes $\eta$.
# * **Nesterov** momentum steps along $g + \mu b$ (with the buffer already updated): a
#   look at where the momentum is taking us.
#
# **Exercise 6.2.** Write `SGD.step` with PyTorch's rule and order: weight decay, then the
# momentum buffer, then (with `nesterov`) the look-ahead, then the step.

# %%
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


# %%
check.sgd(SGD)

# %% [markdown]
# **Adam** keeps two running averages per parameter: $m$ of the gradient and $v$ of its
# square (element by element). Dividing by $\sqrt v$ gives every weight a step of about
# $\eta$ whatever the scale of its gradient. Both averages start at 0, so early on they are
# too small: after $t$ steps of a constant gradient, $m = (1 - \beta_1^t)\,g$. Dividing by
# $1 - \beta^t$ (*bias correction*) removes that:
#
# $$m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
# \hat m = \frac{m}{1-\beta_1^t},\quad \hat v = \frac{v}{1-\beta_2^t},\quad
# \theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}$$
#
# with $t$ counting this parameter's steps from 1. (PyTorch's Adam with `weight_decay` adds
# $\lambda\theta$ to $g$ first, as SGD does; AdamW decays the weights directly instead.)
#
# **Exercise 6.3.** Write `Adam.step`.

# %%
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


# %%
check.adam(Adam)

# %% [markdown]
# minitorch's `optim.Adam` writes the same rule in its docstring, with the bias corrections
# folded into the step size (the same numbers, fewer operations on whole tensors):

# %%
print(minitorch.optim.Adam.__doc__.split("Args:")[0].rstrip())

# %% [markdown]
# ### Three optimizers on a long, narrow valley
#
# $f(x, y) = 0.05\,x^2 + 2.5\,y^2$ is 50 times steeper across the valley than along it,
# as loss surfaces often are. Plain SGD's learning rate is limited by the steep direction
# (above $2/5$ it diverges), so it zigzags across and crawls along. Momentum averages the
# zigzag away and builds up speed along the valley. Adam divides each coordinate's step by
# that coordinate's gradient size, so both coordinates move at about the same speed: it
# heads diagonally at first, then overshoots the bottom and swings back, since its steps do not
# shrink with the gradient.

# %%
def valley(x, y):
    return 0.05 * x**2 + 2.5 * y**2


def trajectory(make_optimizer, steps=60, start=(-4.5, 1.0)):
    point = minitorch.tensor(start, requires_grad=True)
    optimizer = make_optimizer([point])
    path = [start]
    for _ in range(steps):
        optimizer.zero_grad()
        valley(point[0], point[1]).backward()
        optimizer.step()
        path.append(tuple(point.detach().numpy()))
    return np.array(path)


with course.needs("each of your SGD and Adam"):
    paths = {"SGD(lr=0.35)": trajectory(lambda ps: SGD(ps, lr=0.35)),
             "SGD(lr=0.1, momentum=0.8)": trajectory(lambda ps: SGD(ps, lr=0.1, momentum=0.8)),
             "Adam(lr=0.3)": trajectory(lambda ps: Adam(ps, lr=0.3))}
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(11, 3.6),
                                      gridspec_kw={"width_ratios": [1.7, 1]})
    xs, ys = np.meshgrid(np.linspace(-5, 2, 200), np.linspace(-1.3, 1.3, 200))
    _ = ax.contour(xs, ys, valley(xs, ys), levels=np.geomspace(0.01, 5, 10), colors="0.8",
                   linewidths=0.8)
    for label, path in paths.items():
        _ = ax.plot(path[:, 0], path[:, 1], marker="o", markersize=2, linewidth=1, label=label)
        _ = ax_loss.semilogy([valley(*point) for point in path], label=label)
    _ = ax.plot(0, 0, "k*", markersize=8)
    _ = ax.set(xlabel="x", ylabel="y", title="your optimizers, 60 steps from (-4.5, 1)")
    _ = ax_loss.set(xlabel="step", ylabel="f(x, y)", title="loss")
    _ = ax.legend(fontsize=8, loc="upper right")
    plt.show()

# %% [markdown]
# ### The same steps as torch.optim
#
# A small linear regression, 50 steps from zero weights, trained with your optimizers, with
# `minitorch.optim` and with `torch.optim`:

# %%
X = rng.standard_normal((64, 3)).astype(np.float32)
true_w = np.array([[1.5], [-2.0], [0.5]], dtype=np.float32)
Y = X @ true_w + 0.1 * rng.standard_normal((64, 1)).astype(np.float32)


def train_regression(lib, make_optimizer, steps=50):
    """The regression trained with tensors of `lib` (minitorch or torch) and an optimizer."""
    w = lib.zeros(3, 1, requires_grad=True)
    optimizer = make_optimizer([w])
    inputs, targets = lib.tensor(X), lib.tensor(Y)
    for _ in range(steps):
        optimizer.zero_grad()
        mse(inputs @ w, targets).backward()
        optimizer.step()
    return w.detach().numpy().ravel()


def maker(optim, name, kwargs):
    """Makes `optim.name(params, **kwargs)`: `optim` is minitorch.optim, torch.optim or yours."""
    return lambda params: getattr(optim, name)(params, **kwargs)


settings = {"sgd": ("SGD", dict(lr=0.05)), "momentum": ("SGD", dict(lr=0.05, momentum=0.9)),
            "adam": ("Adam", dict(lr=0.05))}
libraries = {rule: (train_regression(minitorch, maker(minitorch.optim, name, kw)),
                    train_regression(torch, maker(torch.optim, name, kw)))
             for rule, (name, kw) in settings.items()}
yours = {}
with course.needs("each of your SGD and Adam"):
    your_optimizers = SimpleNamespace(SGD=SGD, Adam=Adam)
    for rule, (name, kw) in settings.items():
        yours[rule] = train_regression(minitorch, maker(your_optimizers, name, kw))
for rule, (ours, theirs) in libraries.items():
    mine = f"yours {np.round(yours[rule], 4)}   " if rule in yours else ""
    print(f"{rule:9s} {mine}minitorch.optim {np.round(ours, 4)}   "
          f"torch.optim {np.round(theirs, 4)}")
print(f"true      {true_w.ravel()}")

# %% [markdown]
# ### Your loss and optimizer train a network
#
# Everything together: a network built from your chapter-05 `TinyModule` and `Linear`,
# your `cross_entropy` and your `Adam`, on the two interleaving half-moons (200 points).

# %%
from mytorch.ch05 import Linear, TinyModule


class MoonNet(TinyModule):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(2, 16)
        self.fc2 = Linear(16, 2)

    def forward(self, x):
        return self.fc2(self.fc1(x).tanh())


moons = minitorch.datasets.make_moons(200, noise=0.15,
                                      generator=minitorch.Generator().manual_seed(0))
points, labels = moons.tensors
minitorch.manual_seed(0)
with course.needs("each of your Linear (chapter 05), cross_entropy and Adam"):
    net = MoonNet()
    optimizer = Adam(net.parameters(), lr=0.05)
    for step in range(151):
        optimizer.zero_grad()
        scores = net(points)
        loss = cross_entropy(scores, labels)
        loss.backward()
        optimizer.step()
        if step % 50 == 0:
            accuracy = (scores.argmax(1) == labels).float().mean().item()
            print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy:.1%}")

# %% [markdown]
# ## 4. Learning-rate schedules
#
# The learning rate is often changed during training: warm up, then decay. Schedulers
# wrap an optimizer and set its `lr` at each `step()` (in its `param_groups`, which your
# optimizers do not have: this part uses minitorch's).

# %%
def schedule(make, steps=100):
    optimizer = minitorch.optim.SGD([minitorch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = make(optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return lrs


lr_scheduler = minitorch.optim.lr_scheduler
schedules = {
    "StepLR(30, 0.5)": schedule(lambda o: lr_scheduler.StepLR(o, 30, gamma=0.5)),
    "CosineAnnealingLR(100)": schedule(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=100)),
    "OneCycleLR(max 0.1)": schedule(
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=100)),
}
viz.plots.plot_lr_schedule(schedules)

# %% [markdown]
# ## Checks
#
# Your exercises, once more; then minitorch against PyTorch (independent of your code): the
# optimizers' results, cross-entropy's value and gradient, and a schedule.

# %%
for rule, (ours, theirs) in libraries.items():
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6, err_msg=rule)
np.testing.assert_allclose(nn.functional.cross_entropy(logits, target).item(),
                           torch.nn.functional.cross_entropy(torch.tensor(logits.numpy()),
                                                             torch.tensor(target.numpy())).item(),
                           rtol=1e-6)
assert not np.isfinite(cross_entropy_naive(logits, target).item())
np.testing.assert_allclose(z.grad.numpy(), expected_grad, rtol=1e-5, atol=1e-7)
torch_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
torch_sched = torch.optim.lr_scheduler.OneCycleLR(torch_opt, max_lr=0.1, total_steps=100)
torch_lrs = []
for _ in range(100):
    torch_lrs.append(torch_sched.get_last_lr()[0])
    torch_opt.step()
    torch_sched.step()
np.testing.assert_allclose(schedules["OneCycleLR(max 0.1)"], torch_lrs, rtol=1e-9)
course.summary(check.cross_entropy(cross_entropy), check.sgd(SGD), check.adam(Adam))

# %% [markdown]
# ## Try next
#
# * Add `dampening` to your `SGD` and `amsgrad` to your `Adam`, and check them against
#   `torch.optim` with the same step-by-step comparison.
# * Implement label smoothing in `cross_entropy` and compare with
#   `nn.functional.cross_entropy(..., label_smoothing=0.1)`.
# * Write AdamW (decoupled weight decay: $\theta \leftarrow \theta(1 - \eta\lambda)$ before
#   the Adam step) and compare the two on the valley with `weight_decay=0.1`.
# * Plot `CosineAnnealingWarmRestarts` and `ReduceLROnPlateau` on a noisy loss.

# %% [markdown]
# **Next:** [07 · Training on real data](07_training_on_real_data.ipynb). The whole path is in [the syllabus](README.md).
