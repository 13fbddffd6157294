"""What a newcomer sees in a drawing (issue 25): every tensor says its value or that it was
not kept, inputs needing no gradient are drawn dimmed, parameters and modules are named
without params=, long graphs fit a notebook cell with readable text, and the drawing answers
the graphviz package's calls."""
import re

import numpy as np
import pytest

import minitorch
import viz
from minitorch import nn

CELL_WIDTH_PX = 930      # JupyterLab's output area at a 1400 px window, file browser open
MIN_TEXT_PX = 9
FONT_PT = 10             # viz's node font size


def displayed_text_px(graph) -> float:
    """Text height on screen once a notebook shrinks the SVG to the cell's width."""
    width_pt = float(re.search(r'<svg width="([\d.]+)pt"', graph.svg()).group(1))
    px_per_pt = 4 / 3
    scale = min(1.0, CELL_WIDTH_PX / (width_pt * px_per_pt))
    return FONT_PT * px_per_pt * scale


def neuron():
    """Chapter 01's neuron: a long chain of scalar ops."""
    x1, x2 = minitorch.tensor(2.0, requires_grad=True), minitorch.tensor(-1.0, requires_grad=True)
    w1, w2 = minitorch.tensor(-0.5, requires_grad=True), minitorch.tensor(1.5, requires_grad=True)
    b = minitorch.tensor(0.3, requires_grad=True)
    loss = ((w1 * x1 + w2 * x2 + b).tanh() - x1 * 0.1) ** 2
    return loss, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


def tour_model():
    """Chapter 00's model and loss."""
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    x = minitorch.randn(8, 2)
    loss = nn.functional.cross_entropy(model(x), minitorch.tensor([0, 1] * 4))
    loss.backward()
    return loss, model


def boxes(source):
    return re.findall(r"^\s*(\w+) \[label=<(.*)>\]$", source, re.M)


def test_every_tensor_shows_its_value_or_says_it_was_not_kept():
    a = minitorch.tensor(2.0, requires_grad=True)
    b = a * a + 3 * a
    source = viz.draw(b).source
    tensors = [label for name, label in boxes(source) if name.startswith("t")]
    assert len(tensors) == 4
    for label in tensors:
        assert ">value " in label or ">value not kept<" in label
    assert source.count("value not kept") == 2     # a*a and 3*a: nothing keeps them
    assert "value 2<" in source and "value 10<" in source


def test_constants_and_no_grad_inputs_are_drawn_dimmed():
    a = minitorch.tensor([1.0, 2.0], requires_grad=True)
    x = minitorch.tensor([3.0, 4.0])               # an input that needs no gradient
    source = viz.draw((3 * a * x).sum()).source
    constants = dict((name, label) for name, label in boxes(source) if name.startswith("c"))
    assert len(constants) == 2
    number, tensor = constants.values()
    assert ">constant<" in number and ">value 3<" in number
    assert "no grad: float32[2]" in tensor and "value not kept" in tensor
    assert all('<FONT COLOR="#888888">' in label for label in constants.values())
    for name in constants:
        assert re.search(rf"^{name} -> op\d+ \[style=\"dashed\"", source, re.M)
    # Options of an op (sum's dims, reshape's shape) are not inputs and are not drawn.
    assert "c2" not in viz.draw(a.reshape(2, 1).sum(0).sum()).source


def test_modules_and_parameters_named_from_the_recorded_scope():
    loss, model = tour_model()
    unnamed = viz.draw(loss).source
    assert unnamed == viz.draw(loss, params=model).source
    for text in ('label="0 (Linear)"', 'label="1 (Tanh)"', "0.weight: float32[16,2]",
                 "2.bias: float32[2]"):
        assert text in unnamed


def test_scope_names_pick_the_called_model_not_its_layer():
    # The layer and the Sequential around it own the same parameters: the scope decides.
    layer = nn.Linear(2, 1)
    model = nn.Sequential(layer)
    loss = model(minitorch.ones(1, 2)).sum()
    assert "0.weight: " in viz.draw(loss).source


def test_pytorch_graphs_need_params_for_names():
    torch = pytest.importorskip("torch")
    model = torch.nn.Linear(2, 1)
    source = viz.draw(model(torch.ones(1, 2)).sum()).source
    assert "weight:" not in source and "t1: float32[1,2]" in source  # no scope, no names


def test_from_minitorch_import_viz_is_the_same_package():
    from minitorch import viz as from_minitorch
    assert from_minitorch is viz and from_minitorch.draw is viz.draw


@pytest.mark.parametrize("make", [neuron, tour_model], ids=["chapter01", "chapter00"])
def test_long_graphs_fit_a_cell_with_readable_text(make):
    output, names = make()
    graph = viz.draw(output, params=names)
    assert 'rankdir="TB"' in graph.source           # too long for left to right
    assert displayed_text_px(graph) >= MIN_TEXT_PX
    left_to_right = viz.draw(output, params=names, rankdir="LR")
    assert displayed_text_px(left_to_right) < MIN_TEXT_PX  # what the old default showed


def test_short_graphs_stay_left_to_right():
    a = minitorch.tensor(2.0, requires_grad=True)
    graph = viz.draw((a * a).exp())
    assert 'rankdir="LR"' in graph.source and displayed_text_px(graph) >= MIN_TEXT_PX


def test_graphviz_digraph_calls(tmp_path, monkeypatch):
    a = minitorch.tensor(np.float32(2.0), requires_grad=True)
    graph = viz.draw(a * a)
    assert str(graph) == graph.source and graph.format == "svg" and graph.engine == "dot"
    assert graph.pipe() == graph.svg().encode() and graph.pipe(encoding="utf-8") == graph.svg()
    assert graph.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    path = graph.render("g", directory=tmp_path, format="png")
    assert path == str(tmp_path / "g.png")
    assert (tmp_path / "g").read_text() == graph.source
    assert (tmp_path / "g.png").read_bytes() == graph.png()
    opened = []
    monkeypatch.setattr(viz.render, "open_in_viewer", opened.append)
    graph.format = "svg"
    shown = graph.view("h", directory=tmp_path, cleanup=True)
    assert opened == [tmp_path / "h.svg"] and shown == str(tmp_path / "h.svg")
    assert not (tmp_path / "h").exists()
