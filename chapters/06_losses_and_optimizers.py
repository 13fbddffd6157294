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
# into parameter updates. We write both from scratch: mean squared error, a numerically
# stable cross-entropy, then SGD, momentum and Adam, and compare each with minitorch's
# `nn.functional` and `optim` and with PyTorch. Finally, learning-rate schedules.

# %%
# %matplotlib inline
import inspect

import numpy as np

import minitorch
import torch
import viz
from minitorch import nn

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
# class: $-\log \frac{e^{z_y}}{\sum_j e^{z_j}} = -z_y + \log \sum_j e^{z_j}$.
#
# Computed naively, $e^{z}$ overflows for scores around 100 in float32. The fix is the
# *log-sum-exp trick*: $\log \sum_j e^{z_j} = m + \log \sum_j e^{z_j - m}$ with
# $m = \max_j z_j$, so the largest exponent is $e^0 = 1$.

# %%
def cross_entropy_naive(logits, target):
    probs = logits.exp() / logits.exp().sum(1, keepdim=True)
    return -probs[minitorch.arange(len(target)), target].log().mean()


def cross_entropy_stable(logits, target):
    m = logits.max(1, keepdim=True).values
    log_probs = logits - m - (logits - m).exp().sum(1, keepdim=True).log()
    return -log_probs[minitorch.arange(len(target)), target].mean()


logits = minitorch.tensor([[2.0, 1.0, 0.1], [100.0, 0.0, -100.0]])
target = minitorch.tensor([0, 0])
print("naive    ", cross_entropy_naive(logits, target))
print("stable   ", cross_entropy_stable(logits, target))
print("minitorch", nn.functional.cross_entropy(logits, target))
print("PyTorch  ", torch.nn.functional.cross_entropy(torch.tensor(logits.numpy()), torch.tensor(target.numpy())))

# %% [markdown]
# The gradient of cross-entropy w.r.t. the logits is remarkably simple:
# $\frac{\partial L}{\partial z} = \frac1n(\mathrm{softmax}(z) - \mathrm{onehot}(y))$.
# minitorch's `cross_entropy` uses that directly, as one fused operation, instead of
# recording softmax, log, indexing and mean separately.

# %%
z = minitorch.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
y = minitorch.tensor([0, 2, 1, 2])
nn.functional.cross_entropy(z, y).backward()
softmax = z.detach().softmax(1).numpy()
expected_grad = (softmax - np.eye(3, dtype=np.float32)[y.numpy()]) / 4
print("autograd:", np.round(z.grad.numpy()[0], 5), " by hand:", np.round(expected_grad[0], 5))

# %% [markdown]
# ## 3. Optimizers by hand
#
# * **SGD**: $\theta \leftarrow \theta - \eta\, g$.
# * **Momentum**: $v \leftarrow \mu v + g$, $\theta \leftarrow \theta - \eta v$: a running
#   direction that smooths noisy gradients and speeds up along consistent ones.
# * **Adam**: running means of $g$ and $g^2$ ($m$, $v$), bias-corrected for their zero
#   start, and a per-parameter step $\eta\, \hat m / (\sqrt{\hat v} + \epsilon)$.
#
# Each is checked against `minitorch.optim` and `torch.optim` on the same problem: a
# small linear regression, 50 steps from zero weights.

# %%
X = rng.standard_normal((64, 3)).astype(np.float32)
true_w = np.array([[1.5], [-2.0], [0.5]], dtype=np.float32)
Y = X @ true_w + 0.1 * rng.standard_normal((64, 1)).astype(np.float32)
W0 = np.zeros((3, 1), dtype=np.float32)


def gradient(w):
    w = minitorch.tensor(w, requires_grad=True)
    mse(minitorch.tensor(X) @ w, minitorch.tensor(Y)).backward()
    return w.grad.numpy()


def by_hand(rule, steps=50, lr=0.05, momentum=0.9, betas=(0.9, 0.999), eps=1e-8):
    w, v, m, s = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), np.zeros_like(W0)
    for t in range(1, steps + 1):
        g = gradient(w)
        if rule == "sgd":
            w = w - lr * g
        elif rule == "momentum":
            v = momentum * v + g
            w = w - lr * v
        else:  # adam
            m = betas[0] * m + (1 - betas[0]) * g
            s = betas[1] * s + (1 - betas[1]) * g * g
            m_hat, s_hat = m / (1 - betas[0] ** t), s / (1 - betas[1] ** t)
            w = w - lr * m_hat / (np.sqrt(s_hat) + eps)
    return w


def with_optim(lib, make, steps=50):
    """The same regression trained with `lib.optim` (lib is minitorch or PyTorch)."""
    w = lib.tensor(W0.copy(), requires_grad=True)
    optimizer = make(lib, [w])
    inputs, targets = lib.tensor(X), lib.tensor(Y)
    for _ in range(steps):
        optimizer.zero_grad()
        mse(inputs @ w, targets).backward()
        optimizer.step()
    return w.detach().numpy()


optimizers = {
    "sgd": lambda lib, params: lib.optim.SGD(params, lr=0.05),
    "momentum": lambda lib, params: lib.optim.SGD(params, lr=0.05, momentum=0.9),
    "adam": lambda lib, params: lib.optim.Adam(params, lr=0.05),
}
results = {rule: (by_hand(rule), with_optim(minitorch, make), with_optim(torch, make))
           for rule, make in optimizers.items()}
for rule, (hand, ours, theirs) in results.items():
    print(f"{rule:9s} by hand {np.round(hand.ravel(), 4)}   minitorch.optim {np.round(ours.ravel(), 4)}   "
          f"torch.optim {np.round(theirs.ravel(), 4)}")
print(f"true      {true_w.ravel()}")

# %% [markdown]
# minitorch's Adam step, for comparison (the update rule is in its docstring):

# %%
print(inspect.getsource(minitorch.optim.Adam.step))

# %% [markdown]
# ## 4. Learning-rate schedules
#
# The learning rate is often changed during training: warm up, then decay. Schedulers
# wrap an optimizer and set its `lr` at each `step()`.

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
    "OneCycleLR(max 0.1)": schedule(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=100)),
}
viz.plots.plot_lr_schedule(schedules)

# %% [markdown]
# ## Checks

# %%
for rule, (hand, ours, theirs) in results.items():
    np.testing.assert_allclose(hand, ours, rtol=1e-4, atol=1e-6, err_msg=rule)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6, err_msg=rule)
np.testing.assert_allclose(nn.functional.cross_entropy(logits, target).item(),
                           cross_entropy_stable(logits, target).item(), rtol=1e-6)
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
print("all checks passed")

# %% [markdown]
# ## Try next
#
# * Add Nesterov momentum to `by_hand` and compare with `SGD(nesterov=True)`.
# * Implement label smoothing in `cross_entropy_stable` and compare with
#   `nn.functional.cross_entropy(..., label_smoothing=0.1)`.
# * Plot `CosineAnnealingWarmRestarts` and `ReduceLROnPlateau` on a noisy loss.
