"""The strong-Wolfe line search that ``LBFGS(line_search_fn="strong_wolfe")`` uses.

Along a descent direction ``d`` from ``x``, look for a step ``t`` whose loss ``f(x + t d)``
has gone down enough (sufficient decrease, constant ``c1``) and whose slope ``g·d`` has
flattened enough (curvature, constant ``c2``): first widen ``t`` until a bracket holds a
point, then shrink the bracket by cubic interpolation (Nocedal and Wright, algorithms 3.5
and 3.6; PyTorch's port of minFunc, so the same trial steps in the same order).

Losses are Python floats; slopes are 0-d tensors, as in PyTorch, so that the same roundings
happen in float32.
"""
from __future__ import annotations


def cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through ``(x1, f1)`` and ``(x2, f2)`` with slopes ``g1``
    and ``g2``, clamped to ``bounds`` (default: between ``x1`` and ``x2``); the middle of the
    bounds when the cubic has no minimum."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = d2_square.sqrt()
    if x1 <= x2:
        at = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        at = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(at, low), high)


class _Point:
    """One trial step: its ``t``, loss ``f``, flat gradient ``g`` and slope ``gtd = g·d``."""

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                 max_ls=25):
    """Search along ``d`` from the current point (loss ``f``, gradient ``g``, slope ``gtd``),
    starting with step ``t``; ``evaluate(t)`` returns ``(loss, flat gradient)`` at ``x + t d``.
    Returns ``(loss, gradient, t, evaluations)`` of the step found."""
    d_norm = d.abs().max()
    start = _Point(0, f, g.clone(), gtd)

    def trial(step):
        loss, grad = evaluate(step)
        return _Point(step, loss, grad, grad.dot(d))

    def too_high(point, compare_to):
        # fails the sufficient-decrease test, or is no better than ``compare_to``
        return point.f > f + c1 * point.t * gtd or point.f >= compare_to

    def flat_enough(point):
        return abs(point.gtd) <= -c2 * gtd

    # 1. widen the step until [previous, new] brackets an acceptable point
    prev, new = start, trial(t)
    evaluations, ls_iter = 1, 0
    bracket, done = None, False
    while ls_iter < max_ls:
        if new.f > f + c1 * new.t * gtd or (ls_iter > 1 and new.f >= prev.f):
            bracket = [prev, new]
            break
        if flat_enough(new):
            bracket, done = [new], True
            break
        if new.gtd >= 0:  # the slope turned: the minimum lies behind
            bracket = [prev, new]
            break
        step = cubic_minimum(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd,
                             bounds=(new.t + 0.01 * (new.t - prev.t), new.t * 10))
        prev, new = new, trial(step)
        evaluations += 1
        ls_iter += 1
    if ls_iter == max_ls:  # ran out of evaluations while widening
        bracket = [start, new]

    # 2. shrink the bracket (zoom) until a point satisfies both conditions
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    insufficient_progress = False
    while not done and ls_iter < max_ls:
        if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
            break
        step = cubic_minimum(bracket[0].t, bracket[0].f, bracket[0].gtd,
                             bracket[1].t, bracket[1].f, bracket[1].gtd)
        # keep the trial away from the bracket's ends, or the bracket would not shrink
        left, right = min(bracket[0].t, bracket[1].t), max(bracket[0].t, bracket[1].t)
        margin = 0.1 * (right - left)
        if min(right - step, step - left) < margin:
            if insufficient_progress or step >= right or step <= left:
                step = right - margin if abs(step - right) < abs(step - left) else left + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        new = trial(step)
        evaluations += 1
        ls_iter += 1
        if too_high(new, bracket[low].f):
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if flat_enough(new):
                done = True
            elif new.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new

    best = bracket[low]
    return best.f, best.g, best.t, evaluations
