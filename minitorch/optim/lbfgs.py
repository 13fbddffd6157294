"""``LBFGS``: limited-memory BFGS, a quasi-Newton method that re-evaluates the loss itself."""
from __future__ import annotations

from ..autograd import grad_mode
from ..creation.factories import zeros
from ..ops.joining import cat
from ._checks import check_nonnegative
from ._line_search import strong_wolfe
from .optimizer import Optimizer


class LBFGS(Optimizer):
    r"""L-BFGS (PyTorch's port of minFunc). All parameters are seen as one flat vector ``x``.

    One ``step(closure)`` runs up to ``max_iter`` iterations; each one::

        d ← -H g                     the two-loop recursion: H, an approximation of the
                                     inverse Hessian, built from the last ``history_size``
                                     pairs  s = x_new - x_old,  y = g_new - g_old  (a pair
                                     is kept only if y·s > 1e-10), scaled by y·s / y·y
        t ← lr  (at the very first iteration:  min(1, 1 / Σ|g|) · lr)
        t ← a strong-Wolfe line search along d  (when ``line_search_fn="strong_wolfe"``)
        x ← x + t d

    and stops early when the gradient is small (``max|g| <= tolerance_grad``), the step or
    the loss change is tiny (``tolerance_change``), or ``max_eval`` evaluations are spent.
    The directions, steps and history are kept in ``state`` so that the next ``step`` goes on.

    ``closure`` must clear the gradients, compute the loss, call ``backward`` and return the
    loss; ``step`` calls it as often as it needs and returns the first loss.

    Args:
        params: tensors to optimize (one group only).
        lr: learning rate (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: closure calls per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when ``max|g|`` is at most this (default 1e-7).
        tolerance_change: stop when the loss or the step changes less (default 1e-9).
        history_size: number of ``(s, y)`` pairs kept (default 100).
        line_search_fn: ``None`` or ``"strong_wolfe"``.

    Example::

        >>> opt = minitorch.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); return loss
        >>> opt.step(closure)
    """

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn: str | None = None) -> None:
        check_nonnegative(lr=lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # --- the parameters as one flat vector ------------------------------------------------------
    def _flat_grad(self):
        """All gradients in one new vector (zeros for a parameter without one)."""
        return cat([zeros(p.numel(), dtype=p.dtype, device=p.device) if p.grad is None
                    else p.grad.reshape(-1) for p in self._params])

    def _move(self, t, direction) -> None:
        """``x ← x + t d``, parameter by parameter."""
        offset = 0
        for p in self._params:
            p.add_(direction[offset:offset + p.numel()].view_as(p), alpha=t)
            offset += p.numel()

    def _evaluate_at(self, closure, t, direction):
        """Loss and flat gradient at ``x + t d``; the parameters are then put back."""
        saved = [p.clone() for p in self._params]
        self._move(t, direction)
        loss = float(closure())
        grad = self._flat_grad()
        for p, value in zip(self._params, saved):
            p.copy_(value)
        return loss, grad

    # --- the algorithm ------------------------------------------------------------------------
    @staticmethod
    def _direction(grad, old_dirs, old_stps, ro, h_diag):
        """The two-loop recursion: ``-H g`` from the stored pairs (``y`` in ``old_dirs``, ``s``
        in ``old_stps``, ``ρ = 1 / y·s`` in ``ro``), starting from ``H = h_diag · I``."""
        q = grad.neg()
        alphas = [None] * len(old_dirs)
        for i in reversed(range(len(old_dirs))):
            alphas[i] = old_stps[i].dot(q) * ro[i]
            q.add_(old_dirs[i], alpha=-alphas[i])
        r = q.mul(h_diag)
        for i in range(len(old_dirs)):
            beta = old_dirs[i].dot(r) * ro[i]
            r.add_(old_stps[i], alpha=alphas[i] - beta)
        return r

    @grad_mode.no_grad()
    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` re-evaluates the loss (and its
        gradients). Returns the loss before the first iteration."""
        if len(self.param_groups) != 1:  # one was added after construction
            raise AssertionError(f"Expected exactly one param_group, but got "
                                 f"{len(self.param_groups)}")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn = group["line_search_fn"]
        state = self.state[self._params[0]]  # PyTorch keeps the whole state under the first
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        def evaluate():
            with grad_mode.enable_grad():
                return closure()

        orig_loss = evaluate()
        loss = float(orig_loss)
        evaluations = 1
        state["func_evals"] += 1
        grad = self._flat_grad()
        if grad.abs().max() <= tolerance_grad:  # already at a stationary point
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:  # steepest descent, no history yet
                d, old_dirs, old_stps, ro, h_diag = grad.neg(), [], [], [], 1
            else:
                y, s = grad.sub(prev_grad), d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == group["history_size"]:
                        for history in (old_dirs, old_stps, ro):
                            history.pop(0)  # forget the oldest pair
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                d = self._direction(grad, old_dirs, old_stps, ro, h_diag)
            prev_grad = grad.clone()
            prev_loss = loss

            t = min(1.0, 1.0 / grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = grad.dot(d)
            if gtd > -tolerance_change:  # d no longer goes downhill
                break

            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                loss, grad, t, used = strong_wolfe(
                    lambda step: self._evaluate_at(evaluate, step, d), t, d, loss,
                    grad, gtd, max_ls=max_eval - evaluations)
                self._move(t, d)
            else:
                self._move(t, d)
                used = 0
                if n_iter != max_iter:  # the last iteration's loss is not needed
                    loss, grad, used = float(evaluate()), self._flat_grad(), 1
            evaluations += used
            state["func_evals"] += used

            if (n_iter == max_iter or evaluations >= max_eval
                    or grad.abs().max() <= tolerance_grad
                    or d.mul(t).abs().max() <= tolerance_change
                    or abs(loss - prev_loss) < tolerance_change):
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_grad, prev_loss=prev_loss)
        return orig_loss
