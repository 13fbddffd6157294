"""What the boxes say: numbers, types, values and gradients as short ASCII lines.

Numbers have 4 significant digits, -0 is 0, NaN and inf are spelled out; anything that is not
ASCII becomes an HTML character reference, so the DOT text is the same bytes everywhere.
A gradient is shown as the final state or as the state after one step of the backward pass
(``grad_view``), including how it was summed where a tensor is used more than once.
"""
from __future__ import annotations

import html
import math

import numpy as np

from .graph import Summary

# |grad| colour scale: (upper bound, fill, legend text); NaN/inf and "no gradient" apart.
GRAD_BUCKETS = (
    (1e-7, "#e0e0e0", "below 1e-7 (vanishing)"),
    (1e-4, "#deebf7", "1e-7 to 1e-4"),
    (1e-2, "#9ecae1", "1e-4 to 0.01"),
    (1.0, "#c7e9c0", "0.01 to 1"),
    (1e2, "#fdd0a2", "1 to 100"),
    (math.inf, "#fd8d3c", "100 or more (exploding)"),
)
FILL_NONFINITE = "#ff4d4d"
FILL_NOGRAD = "#ffffff"


# --- text ---------------------------------------------------------------------------------------

def esc(text: str) -> str:
    """HTML-escape and keep to ASCII (other characters become numeric references)."""
    return html.escape(str(text), quote=True).encode("ascii", "xmlcharrefreplace").decode("ascii")


def fmt(v) -> str:
    """A number in 4 significant digits; -0 is 0; NaN and inf spelled out."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (complex, np.complexfloating)):
        return f"{fmt(v.real)}{'+' if v.imag >= 0 else '-'}{fmt(abs(v.imag))}j"
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    text = format(v, ".4g")
    return "0" if text in ("-0", "0") else text


def type_string(dtype, shape) -> str:
    """``float32[4,2]``, as in a jaxpr; ``?`` for what is not known."""
    shape_text = "?" if shape is None else ",".join(str(s) for s in shape)
    return f"{dtype or '?'}[{shape_text}]"


def array_lines(values: np.ndarray) -> list[str]:
    """[1, 2] on one line; a matrix one row per line."""
    if values.ndim == 0:
        return [fmt(values.item())]
    if values.ndim == 1:
        return ["[" + ", ".join(fmt(x) for x in values.tolist()) + "]"]
    rows = ["[" + ", ".join(fmt(x) for x in row) + "]" for row in values.tolist()]
    if not rows:
        return ["[]"]
    return ["[" + rows[0] + ","] + [r + "," for r in rows[1:-1]] + [rows[-1] + "]"] \
        if len(rows) > 1 else ["[" + rows[0] + "]"]


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


# --- gradients as a frame of the backward pass sees them ----------------------------------

def grad_view(t, frame: int | None, traced: bool):
    """(lines of text, Summary or None for colouring, nonfinite) for tensor ``t``.

    ``frame`` None: the final state. Otherwise the state after step ``frame`` of the backward.
    """
    if traced and (t.contributions or t.grad is not None):
        contribs = [c for c in t.contributions if frame is None or c[0] <= frame]
        expected = t.fan_out + sum(1 for c in t.contributions if c[1] is None)
        complete = frame is None or len(contribs) >= expected or (
            t.accumulate_step is not None and t.accumulate_step <= frame)
        if not contribs and not (complete and t.grad is not None):
            return ["grad: not yet" if frame is not None else "grad: not computed"], None, False
        parts = [c[3] for c in contribs]
        if not complete:
            if all(p.small for p in parts):
                so_far = sum(p.values.astype(np.float64) for p in parts)
                text = " ".join(array_lines(np.asarray(so_far)))
                return [f"grad so far {text} ({len(parts)} of {expected})"], None, False
            return [f"grad: {len(parts)} of {expected} arrived"], None, False
        total = t.grad
        if total is None and parts and all(p.small for p in parts):
            total = parts[0]
            if len(parts) > 1:
                values = sum(p.values.astype(np.float64) for p in parts)
                total = Summary(parts[0].shape, parts[0].dtype, parts[0].numel, values,
                                float(np.abs(values).max()) if values.size else None,
                                None, None, not bool(np.isfinite(values).all()))
        if total is None and len(parts) == 1:
            total = parts[0]
        if total is None:  # large parts and no recorded total: say what is known
            return [f"grad: sum of {len(parts)} contributions"], None, any(p.nonfinite for p in parts)
        if len(parts) >= 2 and total.numel == 1 and all(p.small for p in parts):
            terms = " + ".join(_paren(fmt(p.values.item())) for p in parts)
            return [f"grad = {terms} = {fmt(total.values.item())}"], total, total.nonfinite
        lines = _summary_lines("grad", total)
        if len(parts) >= 2:
            lines.append(f"(sum of {len(parts)} contributions)")
        return lines, total, total.nonfinite
    # Not traced: only what the tensors themselves hold.
    if t.grad is not None and (frame is None or (t.accumulate_step is not None
                                                 and t.accumulate_step <= frame)):
        lines = _summary_lines("grad", t.grad)
        if t.fan_out >= 2:
            lines.append(f"(sum over {t.fan_out} uses)")
        return lines, t.grad, t.grad.nonfinite
    if frame is not None and t.grad is not None:
        return ["grad: not yet"], None, False
    text = f"grad: {t.grad_state}"
    if t.fan_out >= 2:
        text += f" ({t.fan_out} uses)"
    return [text], None, False


def _summary_lines(label: str, s) -> list[str]:
    if s.small:
        lines = array_lines(s.values)
        return [f"{label} {lines[0]}"] + lines[1:]
    if s.max_abs is None:
        return [f"{label}: no finite entries" if s.numel else f"{label}: empty"]
    text = f"{label}: max abs {fmt(s.max_abs)}"
    if s.nonfinite:
        text += ", has nan/inf"
    return [text]


def value_lines(s) -> list[str]:
    if s.small:
        return _summary_lines("value", s)
    if s.vmin is None:
        return ["value: no finite entries" if s.numel else "value: empty"]
    text = f"min {fmt(s.vmin)} max {fmt(s.vmax)}"
    if s.nonfinite:
        text += ", has nan/inf"
    return [text]


def grad_fill(summary, nonfinite: bool) -> str:
    if nonfinite:
        return FILL_NONFINITE
    if summary is None or summary.max_abs is None:
        return FILL_NOGRAD
    for bound, colour, _ in GRAD_BUCKETS:
        if summary.max_abs < bound:
            return colour
    return GRAD_BUCKETS[-1][1]


def _cell_lines(lines: list[str]) -> str:
    if len(lines) == 1:
        return esc(lines[0])
    return "".join(esc(line) + '<BR ALIGN="LEFT"/>' for line in lines)


def html_table(rows: list[list[str]], fill: str, border: str, width: int,
               text_color: str | None = None) -> str:
    """An HTML-like label: one cell per row, a rule under the header row."""
    body = []
    for i, lines in enumerate(rows):
        if i == 1:
            body.append("<HR/>")
        text = _cell_lines(lines)
        if text_color:
            text = f'<FONT COLOR="{text_color}">{text}</FONT>'
        body.append(f'<TR><TD ALIGN="LEFT">{text}</TD></TR>')
    return (f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
            f'COLOR="{border}" BGCOLOR="{fill}">' + "".join(body) + "</TABLE>>")
