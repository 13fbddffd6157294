"""Tensor reprs in PyTorch's format, and ``set_printoptions``.

The rules follow PyTorch's, so that a printed minitorch tensor reads like a PyTorch one:

* one number format is chosen for all the values that will be shown (the *formatter*):
  integers and bools print as themselves; floats that are all whole numbers print as
  ``1.`` ("int mode"); other floats print fixed-point with ``precision`` digits, or in
  scientific notation when the non-zero finite values span more than three orders of
  magnitude, exceed 1e8 or go below 1e-4 (``sci_mode`` forces either way);
* every value is right-aligned to the width of the widest one, and rows wrap at
  ``linewidth``;
* tensors with more than ``threshold`` elements are summarised: only ``edgeitems``
  entries at each end of every dimension are shown, with ``...`` between;
* after the values come suffixes (``device=``, ``dtype=`` when it is not the default for
  its kind, ``grad_fn=`` or ``requires_grad=True``), moved to a new line when they would
  overflow it.

One visible difference: dtypes print as ``minitorch.float16``, four characters longer than
``torch.float16``, so a ``dtype=`` suffix may wrap onto its own line where PyTorch's fits.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import backend
from ..types import dtypes as _dtype


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set options for printing tensors.

    Args:
        precision: digits after the decimal point for floats (default 4).
        threshold: tensors with more elements than this are summarised (default 1000).
        edgeitems: entries shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'`` (never summarise); applied first,
            then overridden by the other arguments given.
        sci_mode: True / False force scientific / fixed notation; None (default) lets the
            values decide. Unlike the others, it is reset by every call that omits it.
    """
    for name, value in _PROFILES.get(profile, {}).items():
        setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current print options as a dict (the names ``set_printoptions`` takes)."""
    return dict(precision=PRINT_OPTS.precision, threshold=PRINT_OPTS.threshold,
                edgeitems=PRINT_OPTS.edgeitems, linewidth=PRINT_OPTS.linewidth,
                sci_mode=PRINT_OPTS.sci_mode)


class _Formatter:
    """Chooses one number format and width for all the values that will be shown."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = PRINT_OPTS.precision
        if not self.floating:
            for v in values.ravel().tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        # Only non-zero finite values decide the format (nan, inf and 0 fit any of them);
        # with none of those, the defaults stand even when sci_mode is forced.
        shown = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if shown.size == 0:
            return
        magnitudes = np.abs(shown)
        lo, hi = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        if self.sci_mode:
            strings = [f"{v:.{p}e}" for v in shown.tolist()]
        elif self.int_mode:
            strings = [f"{v:.0f}." for v in shown.tolist()]
        else:
            strings = [f"{v:.{p}f}" for v in shown.tolist()]
        self.max_width = max(len(s) for s in strings)

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        p = PRINT_OPTS.precision
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{p}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{p}f}"
        return (self.max_width - len(text)) * " " + text


def _summarized(values: np.ndarray) -> np.ndarray:
    """Only the entries a summarised repr shows, so they alone decide the format."""
    e = PRINT_OPTS.edgeitems
    if values.ndim == 0:
        return values
    if values.ndim > 1 and e == 0:
        return values[tuple(slice(0, 0) for _ in values.shape)]
    if values.shape[0] > 2 * e:
        values = np.concatenate([values[:e], values[-e:]])
    if values.ndim == 1:
        return values
    return np.stack([_summarized(v) for v in values])


def _vector_str(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    element_length = formatter.width() + 2  # ", " between entries
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    e = PRINT_OPTS.edgeitems
    if summarize and e == 0:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * e:
        data = ([formatter.format(v) for v in values[:e].tolist()] + [" ..."] +
                [formatter.format(v) for v in values[-e:].tolist()])
    else:
        data = [formatter.format(v) for v in values.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        return _vector_str(values, indent, summarize, formatter)
    e, n = PRINT_OPTS.edgeitems, values.shape[0]
    if summarize and n > 2 * e:
        rows = ([_nested_str(values[i], indent + 1, summarize, formatter) for i in range(e)] +
                ["..."] +
                [_nested_str(values[i], indent + 1, summarize, formatter) for i in range(n - e, n)])
    else:
        rows = [_nested_str(values[i], indent + 1, summarize, formatter) for i in range(n)]
    # blank lines between blocks grow with the rank: one between matrices, two between 3-d blocks
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(rows) + "]"


def array_str(values: np.ndarray, indent: int) -> str:
    """The bracketed body of a repr (``[[1., 2.], ...]``) for the host array ``values``;
    ``indent`` is the column where the opening bracket stands."""
    if values.size == 0:
        return "[]"
    summarize = values.size > PRINT_OPTS.threshold
    if values.dtype == np.float16:  # formatted through float32, as PyTorch does
        values = values.astype(np.float32)
    formatter = _Formatter(_summarized(values) if summarize else values)
    return _nested_str(values, indent, summarize, formatter)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _device_suffix_needed(t) -> bool:
    """PyTorch names the device when it differs from the default device's type, or when a
    CUDA tensor is on another GPU than the current one."""
    from ..creation.factories import get_default_device
    dev = t.device
    if dev.type != get_default_device().type:
        return True
    if dev.type == "cuda":
        return dev.index != backend.cupy_module().cuda.runtime.getDevice()
    return False


def tensor_repr(t, prefix: str = "tensor(") -> str:
    """``repr(t)``: the values followed by the suffixes PyTorch shows."""
    values = backend.to_numpy(t._data)
    indent = len(prefix)
    suffixes = []
    if _device_suffix_needed(t):
        suffixes.append(f"device='{t.device}'")
    if values.size == 0:
        # no values to hint at the dtype, so anything but the default float is named
        body = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if t.dtype is not _dtype.get_default_dtype():
            suffixes.append(f"dtype={t.dtype}")
    else:
        if PRINT_OPTS.edgeitems == 0:
            suffixes.append(f"size={tuple(values.shape)}")
        if t.dtype not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool_):
            suffixes.append(f"dtype={t.dtype}")
        body = array_str(values, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
