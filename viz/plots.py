"""Plots people expect while training, with matplotlib (imported when this module is).

Every function builds a new ``Figure`` (not pyplot's current one) and returns it without
showing it: a notebook displays the returned figure once, a script calls ``fig.savefig``.
Nothing is random, so the same data gives the same picture. Works with minitorch and PyTorch
tensors, NumPy arrays and lists.
"""
from __future__ import annotations

import importlib
import warnings

import numpy as np
from matplotlib.figure import Figure

from .graph import to_numpy

__all__ = ["plot_curves", "plot_grad_flow", "plot_decision_boundary", "plot_histograms",
           "plot_lr_schedule"]


def _array(x) -> np.ndarray:
    if hasattr(x, "detach") and hasattr(x, "shape"):
        return to_numpy(x)
    return np.asarray(x)


def _named_tensors(source) -> list[tuple[str, object]]:
    if hasattr(source, "named_parameters"):
        return list(source.named_parameters())
    if isinstance(source, dict):
        return list(source.items())
    return list(source)


def plot_curves(*panels, xlabel: str = "epoch", ylabels=None, title: str | None = None) -> Figure:
    """Training curves: one axes per panel, one line per named series.

    Each panel is a dict name -> values (or a bare list, named "loss"). Series whose name
    mentions validation or test ("val", "valid", "test") are dashed, so train and validation
    read apart at a glance. x runs 1, 2, ... (epochs by default).

    Example::

        >>> fig = plot_curves({"train": train_losses, "validation": val_losses},
        ...                   {"train": train_acc, "validation": val_acc}, ylabels=["loss", "accuracy"])
    """
    if not panels:
        raise ValueError("plot_curves needs at least one panel (a dict name -> values)")
    panels = [dict(p) if isinstance(p, dict) else {"loss": p} for p in panels]
    if ylabels is not None and len(ylabels) != len(panels):
        raise ValueError(f"ylabels has {len(ylabels)} entries for {len(panels)} panels")
    fig = Figure(figsize=(4.5 * len(panels), 3.2), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for k, (ax, panel) in enumerate(zip(axes, panels)):
        for name, series in panel.items():
            y = _array(series).astype(float).ravel()
            dashed = any(word in name.lower() for word in ("val", "test"))
            ax.plot(np.arange(1, len(y) + 1), y, "--" if dashed else "-", label=name)
        ax.set_xlabel(xlabel)
        if ylabels is not None:
            ax.set_ylabel(ylabels[k])
        elif len(panel) == 1:
            ax.set_ylabel(next(iter(panel)))
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig


def plot_grad_flow(model_or_named_params, *, title: str = "gradient flow") -> Figure:
    """Mean and max |grad| of every parameter (layers in order), on a log scale.

    Parameters without a gradient are marked "no grad" (not drawn as zero).
    """
    named = [(n, p) for n, p in _named_tensors(model_or_named_params)
             if getattr(p, "requires_grad", True)]
    names, means, maxes, missing = [], [], [], []
    for i, (name, p) in enumerate(named):
        names.append(name)
        g = getattr(p, "grad", None)
        if g is None:
            means.append(np.nan)
            maxes.append(np.nan)
            missing.append(i)
            continue
        a = np.abs(_array(g).astype(np.float64))
        means.append(float(a.mean()) if a.size else np.nan)
        maxes.append(float(a.max()) if a.size else np.nan)
    fig = Figure(figsize=(max(4.0, 0.6 * len(names) + 2), 3.5), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(names))
    ax.plot(x, maxes, "o-", label="max |grad|")
    ax.plot(x, means, "s-", label="mean |grad|")
    finite = [v for v in maxes + means if np.isfinite(v) and v > 0]
    if finite:
        ax.set_yscale("log")
    for i in missing:
        ax.annotate("no grad", (i, 0), xycoords=("data", "axes fraction"), ha="center",
                    va="bottom", fontsize=8, color="#cc0000")
    ax.set_xticks(x, names, rotation=45, ha="right")
    ax.set_ylabel("|grad|")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def _like(grid: np.ndarray, example):
    """``grid`` as the same kind of object as ``example``: a minitorch/PyTorch tensor or array."""
    if not (hasattr(example, "detach") and hasattr(example, "shape")):
        return grid
    lib = importlib.import_module(type(example).__module__.split(".")[0])
    dtype = example.dtype if example.dtype.is_floating_point else None
    out = lib.tensor(grid) if dtype is None else lib.tensor(grid, dtype=dtype)
    return out.to(example.device)


def plot_decision_boundary(predict_fn, X, y, *, resolution: int = 200, margin: float = 0.5,
                           title: str | None = None) -> Figure:
    """Regions a 2-D classifier assigns to each class, with the data points on top.

    Args:
        predict_fn: maps (N, 2) points to class scores (N, C), probabilities (N,) for two
            classes, or labels (N,). The points come as the same kind of object as ``X``
            (a minitorch or PyTorch tensor, or a float32 NumPy array); results may be tensors.
        X: (N, 2) points; y: (N,) integer labels.
    """
    like = X
    X, y = _array(X).astype(np.float64), _array(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    scores = _array(predict_fn(_like(grid, like)))
    if scores.ndim == 2 and scores.shape[1] > 1:
        labels = scores.argmax(axis=1)
    elif scores.dtype.kind == "f":
        labels = (scores.ravel() > (0.5 if scores.min() >= 0 and scores.max() <= 1 else 0)).astype(int)
    else:
        labels = scores.ravel().astype(int)
    fig = Figure(figsize=(4.5, 4.0), layout="constrained")
    ax = fig.subplots()
    n_classes = int(max(labels.max(initial=0), y.max(initial=0))) + 1
    ax.contourf(gx, gy, labels.reshape(gx.shape), levels=np.arange(n_classes + 1) - 0.5,
                alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolors="k", s=18)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)
    return fig


def plot_histograms(tensors, *, bins: int = 40, kind: str = "values",
                    title: str | None = None) -> Figure:
    """One histogram per tensor: weights, activations (``kind="values"``) or ``kind="grads"``.

    Args:
        tensors: an nn.Module (its parameters), a dict name -> tensor/array, or (name, tensor)
            pairs.
        kind: "values" or "grads" (uses each tensor's ``.grad``; missing ones say "no grad").
    """
    if kind not in ("values", "grads"):
        raise ValueError(f"kind must be 'values' or 'grads', got {kind!r}")
    named = _named_tensors(tensors)
    if not named:
        raise ValueError("plot_histograms needs at least one tensor")
    cols = min(3, len(named))
    rows = (len(named) + cols - 1) // cols
    fig = Figure(figsize=(3.6 * cols, 2.6 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, (name, t) in zip(axes, named):
        source = getattr(t, "grad", None) if kind == "grads" else t
        ax.set_title(name if kind == "values" else f"{name}.grad", fontsize=9)
        if source is None:
            ax.text(0.5, 0.5, "no grad", ha="center", va="center", transform=ax.transAxes)
            continue
        data = _array(source).astype(np.float64).ravel()
        data = data[np.isfinite(data)]
        ax.hist(data, bins=bins, color="#3d85c6")
    for ax in axes[len(named):]:
        ax.set_axis_off()
    if title:
        fig.suptitle(title)
    return fig


def plot_lr_schedule(scheduler_or_lrs, steps: int | None = None, *,
                     title: str = "learning rate") -> Figure:
    """The learning rate per step.

    Args:
        scheduler_or_lrs: a list of learning rates, an LR scheduler (minitorch or PyTorch), or
            a dict name -> either of those (one line each, with a legend). A scheduler is
            stepped ``steps`` times and then restored, so a training loop is not disturbed.
        steps: how many steps to simulate for a scheduler.
    """
    named = (dict(scheduler_or_lrs) if isinstance(scheduler_or_lrs, dict)
             else {None: scheduler_or_lrs})
    fig = Figure(figsize=(4.5, 3.0), layout="constrained")
    ax = fig.subplots()
    for name, source in named.items():
        if hasattr(source, "step") and hasattr(source, "optimizer"):
            if steps is None:
                raise ValueError("plot_lr_schedule needs steps= for a scheduler")
            lrs = _simulate_schedule(source, steps)
        else:
            lrs = [float(v) for v in source]
        ax.plot(np.arange(len(lrs)), lrs, "-", label=name)
    if None not in named:
        ax.legend()
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return fig


def _simulate_schedule(scheduler, steps: int) -> list[float]:
    optimizer = scheduler.optimizer
    saved_sched = scheduler.state_dict()
    saved_lrs = [g["lr"] for g in optimizer.param_groups]
    lrs = []
    try:
        with warnings.catch_warnings():  # PyTorch warns: scheduler.step() before optimizer.step()
            warnings.simplefilter("ignore")
            for _ in range(steps):
                lrs.append(float(optimizer.param_groups[0]["lr"]))
                scheduler.step()
    finally:
        scheduler.load_state_dict(saved_sched)
        for group, lr in zip(optimizer.param_groups, saved_lrs):
            group["lr"] = lr
    return lrs
