"""The checker behind every exercise: run the learner's code on chosen inputs, compare with the
answer (from minitorch's reference or from PyTorch), and say what happened in words a learner
can act on.

A chapter's check is a small function that builds one ``Verdict``::

    def central_difference(fn):
        def cases(expect):
            for x in (0.5, 2.0):
                expect.close(f"slope of sin at x={x}", fn(math.sin, x), math.cos(x), atol=1e-6)
        return run("central_difference", cases, hint="divide by 2h, the distance between ...")

``run`` turns what the learner's code does into one of four verdicts:

* **passed**: every ``expect`` held;
* **failed**: an ``expect`` did not hold; the message names the input and shows expected vs got
  (shape, dtype, values, largest error) and the hint;
* **unfinished**: the stub's ``raise NotImplementedError()`` is still there;
* **error**: the code raised something else; the message shows the exception and the line of
  the learner's code it came from, never a traceback from deep inside a library.

A Verdict shows itself as its message (it is what a check cell displays) and is true only when
passed, so tests can assert on it.
"""
from __future__ import annotations

import os
import sys
import traceback

import numpy as np

PASSED, FAILED, UNFINISHED, ERROR = "passed", "failed", "unfinished", "error"
_MARK = {PASSED: "✔", FAILED: "✘", UNFINISHED: "…", ERROR: "✘"}


class Verdict:
    """What a check found: ``status`` (passed/failed/unfinished/error) and a readable ``message``."""

    def __init__(self, name: str, status: str, message: str):
        self.name, self.status, self.message = name, status, message

    def __bool__(self) -> bool:
        return self.status == PASSED

    def __repr__(self) -> str:
        return self.message

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython shows the message as it is
        printer.text(self.message)


class Mismatch(AssertionError):
    """An ``expect`` that did not hold: the learner's answer differs from the expected one."""


class Expect:
    """The comparisons a check makes; each failed one raises ``Mismatch`` with its explanation."""

    def __init__(self):
        self.count = 0

    def close(self, label: str, got, expected, *, rtol: float = 1e-5, atol: float = 1e-7,
              hint: str = "", check_dtype: bool = False) -> None:
        """``got`` equals ``expected`` to tolerance, with the same shape (and dtype if asked).

        Both may be numbers, NumPy arrays, minitorch or PyTorch tensors, anything with
        ``.numpy()`` or an array ``.data``, or (nested) tuples and lists of those."""
        self.count += 1
        if isinstance(expected, (tuple, list)):
            if not isinstance(got, (tuple, list)) or len(got) != len(expected):
                raise Mismatch(_explain(label, f"{len(expected)} results", _describe_container(got),
                                        hint))
            for i, (g, e) in enumerate(zip(got, expected)):
                self.close(f"{label}, result {i}", g, e, rtol=rtol, atol=atol, hint=hint,
                           check_dtype=check_dtype)
            return
        want, have = as_array(expected), as_array(got)
        if have is None:
            raise Mismatch(_explain(label, _show(want), f"{type(got).__name__}: {got!r:.80}", hint))
        problem = _difference(have, want, rtol, atol, check_dtype)
        if problem:
            raise Mismatch(_explain(label, _show(want), _show(have), hint, problem))

    def equal(self, label: str, got, expected, *, hint: str = "") -> None:
        """``got == expected`` for plain Python values (shapes, lists of names, booleans)."""
        self.count += 1
        if got != expected:
            raise Mismatch(_explain(label, repr(expected), repr(got), hint))

    def true(self, label: str, condition: bool, *, hint: str = "") -> None:
        """A property that must hold, e.g. "the gradient has the input's shape"."""
        self.count += 1
        if not condition:
            raise Mismatch(f"{label}: not true\n  hint: {hint}" if hint else f"{label}: not true")


def run(name: str, cases, hint: str = "") -> Verdict:
    """Run ``cases(expect)`` (which calls the learner's code and compares) and judge it."""
    expect = Expect()
    try:
        cases(expect)
    except Mismatch as mismatch:
        text = str(mismatch)
        if hint and "hint:" not in text:
            text += f"\n  hint: {hint}"
        return Verdict(name, FAILED, f"{_MARK[FAILED]} {name}: {text}")
    except NotImplementedError as err:
        if _is_stub(err):
            return Verdict(name, UNFINISHED, f"{_MARK[UNFINISHED]} {name}: not done yet: replace "
                                             "`raise NotImplementedError()` with your code")
        return _error_verdict(name, err, hint)
    except Exception as err:  # the learner's code raised: report it, do not crash the cell
        return _error_verdict(name, err, hint)
    return Verdict(name, PASSED, f"{_MARK[PASSED]} {name}: correct on {expect.count} checks")


def pytorch():
    """PyTorch, the checks' oracle, imported on first use: the course's environment installs
    it (``.[lab]``); minitorch itself never needs it."""
    import torch
    return torch


def as_array(value):
    """A NumPy array for any value a learner's code may return, or None if it is not numeric."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (bool, int, float, np.generic)):
        return np.asarray(value)
    if hasattr(value, "detach") and hasattr(value, "numpy"):   # minitorch or PyTorch tensor
        return np.asarray(value.detach().cpu().numpy())
    if hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    if isinstance(getattr(value, "data", None), (np.ndarray, int, float)):  # a learner's Tensor
        return np.asarray(value.data)
    if isinstance(value, (list, tuple)):
        try:
            return np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return None
    return None


def _difference(have: np.ndarray, want: np.ndarray, rtol, atol, check_dtype) -> str:
    """What is wrong with ``have`` (shape, dtype or values), or '' when it matches ``want``."""
    if have.shape != want.shape:
        return f"shape {have.shape} instead of {want.shape}"
    if check_dtype and have.dtype != want.dtype:
        return f"dtype {have.dtype} instead of {want.dtype}"
    if have.dtype == bool or want.dtype == bool or not np.issubdtype(want.dtype, np.number):
        wrong = np.count_nonzero(have != want)
        return f"{wrong} of {want.size} values differ" if wrong else ""
    h, w = have.astype(np.float64), want.astype(np.float64)
    if np.array_equal(np.isnan(h), np.isnan(w)) and np.allclose(h, w, rtol=rtol, atol=atol,
                                                                  equal_nan=True):
        return ""
    with np.errstate(invalid="ignore"):
        error = np.abs(h - w)
    error = np.where(np.isnan(h) & np.isnan(w), 0.0, error)
    if want.ndim == 0:
        return f"off by {float(error):.3g}"
    worst = np.unravel_index(np.nanargmax(np.where(np.isnan(error), np.inf, error)), error.shape)
    return f"largest error {float(error[worst]):.3g} at index {tuple(int(i) for i in worst)}"


def _show(array: np.ndarray) -> str:
    if array.ndim == 0:
        return f"{array.item():.6g}" if np.issubdtype(array.dtype, np.floating) else repr(array.item())
    body = np.array2string(array, precision=4, threshold=20, edgeitems=2, suppress_small=True)
    return _indent(f"shape {tuple(array.shape)}, {array.dtype}\n{body}", 14)


def _describe_container(value) -> str:
    if isinstance(value, (tuple, list)):
        return f"{len(value)} results"
    return f"one {type(value).__name__}"


def _explain(label, expected: str, got: str, hint: str, problem: str = "") -> str:
    lines = [f"wrong answer for {label}", f"    expected: {expected}", f"    got:      {got}"]
    if problem:
        lines.append(f"    ({problem})")
    if hint:
        lines.append(f"  hint: {hint}")
    return "\n".join(lines)


def _indent(text: str, width: int) -> str:
    return text.replace("\n", "\n" + " " * width)


def _library_dirs() -> tuple:
    """Folders of the libraries a learner's code calls into: frames there are not theirs."""
    return tuple(os.path.dirname(sys.modules[name].__file__) + os.sep
                 for name in ("minitorch", "numpy", "torch") if name in sys.modules)


def _is_stub(err: NotImplementedError) -> bool:
    """A stub's bare ``raise NotImplementedError()``, raised from notebook code (minitorch's own
    NotImplementedErrors for features it lacks carry a message and come from the library)."""
    frames = traceback.extract_tb(err.__traceback__)
    return not err.args and bool(frames) and not frames[-1].filename.startswith(_library_dirs())


def _error_verdict(name: str, err: BaseException, hint: str) -> Verdict:
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if not f.filename.startswith(_library_dirs())]
    where = f"\n    in your code: {frames[-1].line}" if frames and frames[-1].line else ""
    text = f"{_MARK[ERROR]} {name}: your code raised {type(err).__name__}: {err}{where}"
    if hint:
        text += f"\n  hint: {hint}"
    return Verdict(name, ERROR, text)


def summary(*verdicts: Verdict) -> None:
    """A chapter's closing report: one line per exercise, then 'all checks passed' only when
    every exercise passed (a learner's notebook with stubs left says what is left instead)."""
    for verdict in verdicts:
        print(verdict.message.splitlines()[0])
    left = [v.name for v in verdicts if not v]
    if left:
        print(f"{len(verdicts) - len(left)} of {len(verdicts)} exercises done; "
              f"still to do: {', '.join(left)}")
    else:
        print("all checks passed")
