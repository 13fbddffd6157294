"""Which way a drawing runs, so that it fits a notebook cell with readable text.

JupyterLab and nbconvert shrink an SVG wider than the output area to fit it, text included
(a long chain drawn left to right showed 5-6 px text), and nbconvert's HTML cuts it off.
So ``rankdir=None`` (the default) estimates the drawing's width from its boxes: left to
right when that fits ``FIT_WIDTH_PT``, otherwise top to bottom (a tall picture scrolls with
the page, at full size). The estimate only picks a direction; the layout program places
the boxes.
"""
from __future__ import annotations

FIT_WIDTH_PT = 700   # about 930 px: a JupyterLab cell at a 1400 px window, sidebar open
CHAR_PT = 5.6        # average width of a character at 10 pt Helvetica
BOX_PAD_PT = 10
RANK_GAP_PT = 30     # ranksep plus the arrow between two columns


def _box_width(item, tape) -> float:
    if item.kind == "tensor":
        t = tape.tensors[item.ref]
        chars = max(len(t.name) + 12, 16)
    elif item.kind == "op":
        chars = len(tape.ops[item.ref].name)
    elif item.kind == "module":
        chars = 30
    else:  # constants and saved tensors
        chars = 16
    return chars * CHAR_PT + BOX_PAD_PT


def _ranks(layout) -> dict:
    """Each box's column in a left-to-right layout: the longest path of edges into it."""
    feeding = {}
    for e in layout.edges:
        feeding.setdefault(e.dst, []).append(e.src)
    rank = {}
    for it in layout.items:  # items come in creation order: inputs before their consumers
        rank[it.id] = 1 + max((rank.get(src, 0) for src in feeding.get(it.id, ())), default=-1)
    return rank


def estimated_widths(layout, tape) -> tuple[float, float]:
    """(width left to right, width top to bottom) in points, roughly."""
    rank = _ranks(layout)
    column_width, row_width = {}, {}
    for it in layout.items:
        w = _box_width(it, tape)
        r = rank[it.id]
        column_width[r] = max(column_width.get(r, 0.0), w)
        row_width[r] = row_width.get(r, 0.0) + w + RANK_GAP_PT / 2
    lr = sum(column_width.values()) + RANK_GAP_PT * max(len(column_width) - 1, 0)
    return lr, max(row_width.values(), default=0.0)


def choose_rankdir(layout, tape) -> str:
    lr, tb = estimated_widths(layout, tape)
    return "LR" if lr <= FIT_WIDTH_PT or lr <= tb else "TB"
