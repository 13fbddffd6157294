"""viz: drawing recorded graphs (minitorch and PyTorch), listings, backward steps, rendering.

Golden files live in tests/golden/viz/; regenerate them with ``pytest tests/test_viz.py
--update-golden`` after an intended change (and look at the diff). Only that command-line option
rewrites them: an environment variable could leak into a run and bless a regression silently.
"""
import base64
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch
import viz
from minitorch.autograd import function as mt_function
from viz import render

GOLDEN = Path(__file__).parent / "golden" / "viz"
ROOT = Path(__file__).resolve().parent.parent


def check_golden(name: str, text: str, *, update: bool = False, folder: Path = GOLDEN) -> None:
    """``text`` must equal the golden file ``name``; ``update`` (--update-golden) rewrites it."""
    path = folder / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="ascii")
    assert path.exists(), f"missing golden file {path}; run pytest with --update-golden"
    assert text == path.read_text(encoding="ascii"), \
        f"{name} differs from the golden file (an intended change? pytest --update-golden)"


@pytest.fixture
def golden(request):
    """check_golden, rewriting the files only when pytest was given --update-golden."""
    update = request.config.getoption("--update-golden")
    return lambda name, text: check_golden(name, text, update=update)


def test_golden_files_change_only_with_the_option(tmp_path, monkeypatch):
    monkeypatch.setenv("VIZ_UPDATE_GOLDEN", "1")  # a variable leaked from another shell
    (tmp_path / "g.dot").write_text("old", encoding="ascii")
    with pytest.raises(AssertionError, match="differs from the golden file"):
        check_golden("g.dot", "new", folder=tmp_path)
    assert (tmp_path / "g.dot").read_text(encoding="ascii") == "old"
    with pytest.raises(AssertionError, match="missing golden file"):
        check_golden("absent.dot", "new", folder=tmp_path)
    assert not (tmp_path / "absent.dot").exists()
    check_golden("g.dot", "new", update=True, folder=tmp_path)
    assert (tmp_path / "g.dot").read_text(encoding="ascii") == "new"


# --- graphs used by several tests ---------------------------------------------------------------

def scalar_expression(lib):
    """e = (a*b + a)^2 at a=2, b=-3: a fans out, and so does d (d*d)."""
    a = lib.tensor(2.0, requires_grad=True)
    b = lib.tensor(-3.0, requires_grad=True)
    d = a * b + a
    e = d * d
    return e, {"a": a, "b": b}


def raw_mlp(lib, scoped=False):
    """A 3-4-1 MLP from raw tensors; with scoped=True (minitorch) ops carry module scopes."""
    def scope(*names):
        if scoped:
            mt_function.current_scope = names
    x = lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 5)
    w1 = lib.tensor((np.arange(12, dtype=np.float32).reshape(3, 4) - 6) / 10, requires_grad=True)
    b1 = lib.tensor(np.array([0.1, -0.2, 0.3, 0.0], dtype=np.float32), requires_grad=True)
    w2 = lib.tensor((np.arange(4, dtype=np.float32).reshape(4, 1) - 1) / 4, requires_grad=True)
    try:
        scope("net", "net.l1")
        h = x @ w1 + b1
        scope("net", "net.act")
        h = h.relu()
        scope("net", "net.l2")
        y = h @ w2
        scope()
        loss = (y * y).mean()
    finally:
        mt_function.current_scope = ()
    return loss, {"net.l1.weight": w1, "net.l1.bias": b1, "net.l2.weight": w2}


def chain(n):
    x = minitorch.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.01
    return y, x


# --- golden DOT and listings -----------------------------------------------------------------

def test_golden_scalar_expression(golden):
    e, names = scalar_expression(minitorch)
    golden("scalar_untraced.dot", viz.draw(e, params=names).source)
    trace = viz.trace_backward(e)
    golden("scalar_traced.dot", viz.draw(e, params=names, trace=trace).source)


def test_golden_raw_mlp_minitorch(golden):
    loss, names = raw_mlp(minitorch)
    trace = viz.trace_backward(loss)
    golden("mlp_minitorch.lst", str(viz.listing(loss, params=names, trace=trace)))
    g = viz.draw(loss, params=names, trace=trace, color_by="grad", show_saved=True)
    golden("mlp_minitorch.dot", g.source)


def test_golden_raw_mlp_torch(golden):
    loss, names = raw_mlp(torch)
    golden("mlp_torch.lst", str(viz.listing(loss, params=names)))
    g_before = viz.draw(loss, params=names, show_saved=True)
    assert "grad: not computed" in g_before.source
    golden("mlp_torch_before.dot", g_before.source)
    trace = viz.trace_backward(loss)
    golden("mlp_torch.dot", viz.draw(loss, params=names, trace=trace).source)


def test_torch_and_minitorch_graphs_side_by_side():
    drawn = {}
    for lib in (minitorch, torch):
        loss, names = raw_mlp(lib)
        viz.trace_backward(loss)
        drawn[lib.__name__] = viz.draw(loss, params=names, title=lib.__name__,
                                       graph_id=lib.__name__)
    mt_graph, t_graph = drawn["minitorch"], drawn["torch"]
    assert (mt_graph.num_nodes, mt_graph.num_edges) == (t_graph.num_nodes, t_graph.num_edges)
    for name in ("MmBackward0", "AddBackward0", "ReluBackward0", "MulBackward0",
                 "net.l1.weight: float32[3,4]", "net.l2.weight: float32[4,1]"):
        assert name in mt_graph.source and name in t_graph.source
    both = viz.side_by_side(mt_graph, t_graph)
    assert repr(both) == "<viz.Strip 2 drawings>"
    svg = both.svg()
    assert svg.count("<svg") == 3 and 'id="minitorch"' in svg and 'id="torch"' in svg
    bundle = both._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}


def test_golden_module_grouping(golden):
    loss, names = raw_mlp(minitorch, scoped=True)
    g = viz.draw(loss, params=names)
    golden("mlp_scoped.dot", g.source)
    assert g.source.count("subgraph cluster_") == 4  # net, l1, act, l2
    # Parameters sit inside the module that owns them.
    l1 = g.source[g.source.index('label="net.l1"'):]
    assert "net.l1.weight" in l1[:l1.index("}")]

    collapsed = viz.draw(loss, params=names, depth=1)
    golden("mlp_scoped_depth1.dot", collapsed.source)
    src = collapsed.source
    assert src.count("subgraph cluster_") == 1            # only "net" stays open
    assert "net.l1.weight" not in src                      # folded into the l1 box
    assert "in ?[2,4]" in src or "in float32[2,4]" in src  # l2's box lists what goes in
    assert "out float32[2,1]" in src
    assert "2 ops, 2 parameter tensors (16 values)" in src

    whole = viz.draw(loss, params=names, depth=0)
    assert "subgraph cluster_" not in whole.source
    assert whole.source.count("parameter tensors") == 1   # everything in one "net" box
    flat = viz.draw(loss, params=names, group_modules=False)
    assert "subgraph" not in flat.source


def nn_mlp(lib):
    """The same Linear-ReLU-Linear network in minitorch or PyTorch, with fixed weights."""
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
            self.out = nn.Linear(2, 1)

        def forward(self, x):
            return self.out(self.hidden(x))

    net = Net()
    with lib.no_grad():
        for k, (_, p) in enumerate(net.named_parameters()):
            n = int(np.prod(p.shape))
            p.copy_(lib.tensor((np.arange(n, dtype=np.float32).reshape(tuple(p.shape)) - k) / 4))
    x = lib.tensor(np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]], dtype=np.float32))
    return net(x).sum(), net


def test_golden_nn_mlp_minitorch_and_torch(golden):
    for lib in (minitorch, torch):
        loss, net = nn_mlp(lib)
        trace = viz.trace_backward(loss)
        g = viz.draw(loss, params=net, trace=trace)
        golden(f"nn_mlp_{lib.__name__}.dot", g.source)
        for name in ("hidden.0.weight: float32[2,3]", "out.bias: float32[1]", "AddmmBackward0"):
            assert name in g.source
    # minitorch records module scopes: clusters named by module and class.
    loss, net = nn_mlp(minitorch)
    src = viz.draw(loss, params=net).source
    assert 'label="hidden (Sequential)"' in src and 'label="hidden.0 (Linear)"' in src
    assert 'label="out (Linear)"' in src


def test_golden_cnn_with_modules_grouped(golden):
    nn = minitorch.nn

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2))
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(2, 1))

        def forward(self, x):
            return self.head(self.features(x))

    minitorch.manual_seed(0)
    net = CNN()
    x = minitorch.tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4) / 16)
    loss = net(x).sum()
    trace = viz.trace_backward(loss)
    structure = dict(params=net, trace=trace, show_values=False, show_grads=False)
    g = viz.draw(loss, **structure)
    golden("cnn_modules.dot", g.source)
    assert g.source.count("subgraph cluster_") == 7   # features, head and their 5 children
    collapsed = viz.draw(loss, depth=1, **structure)
    golden("cnn_modules_depth1.dot", collapsed.source)
    assert "features.0 (Conv2d)" in collapsed.source
    assert "in float32[1,2,2,2]" in collapsed.source   # the ReLU box: what goes in
    assert "1 op, 2 parameter tensors (20 values)" in collapsed.source   # the conv box


def test_listing_text_and_backward_order():
    e, names = scalar_expression(minitorch)
    before = str(viz.listing(e, params=names))
    assert before.splitlines()[-5:] == ["1. MulBackward0: grad of t4 -> t3, t3",
                                        "2. AddBackward0: grad of t3 -> t2, a",
                                        "3. MulBackward0: grad of t2 -> a, b",
                                        "4. AccumulateGrad: a.grad", "5. AccumulateGrad: b.grad"]
    trace = viz.trace_backward(e)   # gradients also tell the dtype of tensors already freed
    text = str(viz.listing(e, params=names, trace=trace))
    assert text == textwrap.dedent("""\
        # tape: 3 ops, 5 tensors
        a: float32[] (leaf)
        b: float32[] (leaf)
        t2: float32[] = MulBackward0(a, b)
        t3: float32[] = AddBackward0(t2, a)
        t4: float32[] = MulBackward0(t3, t3)  # output
        # backward: 5 steps, as recorded
        1. MulBackward0: grad of t4 -> t3, t3
        2. AddBackward0: grad of t3 -> t2, a
        3. MulBackward0: grad of t2 -> a, b
        4. AccumulateGrad: a.grad
        5. AccumulateGrad: b.grad
        """)
    assert repr(viz.listing(e, params=names, trace=trace)) == text


# --- what a tensor box says ---------------------------------------------------------------------

def test_grad_not_computed_is_not_zero():
    e, names = scalar_expression(minitorch)
    src = viz.draw(e, params=names).source
    assert "grad: not computed (2 uses)" in src      # a, before any backward
    assert "grad: not computed<" in src               # b
    assert "grad 0" not in src


def three_scalar_leaves(lib):
    """Leaves of one shape and different gradients: a label showing a neighbour's is wrong."""
    a, b, c = (lib.tensor(v, requires_grad=True) for v in (2.0, -3.0, 0.5))
    return a * b + c * 3 + a * a, {"a": a, "b": b, "c": c}


@pytest.mark.parametrize("lib", [minitorch, torch], ids=["minitorch", "torch"])
@pytest.mark.parametrize("graph", [scalar_expression, three_scalar_leaves, raw_mlp])
@pytest.mark.parametrize("traced", [False, True])
def test_each_leaf_label_shows_its_own_gradient(lib, graph, traced):
    from viz.graph import build_tape, summarize
    from viz.labels import _summary_lines, grad_view
    out, leaves = graph(lib)
    trace = viz.trace_backward(out) if traced else out.backward()
    tape = build_tape(out, params=leaves, trace=trace)
    drawn = {t.name: t for t in tape.tensors if t.leaf}
    assert set(drawn) == set(leaves)
    for name, leaf in leaves.items():
        own = summarize(leaf.grad)
        for summary, where in ((drawn[name].grad, "graph model"),
                               (grad_view(drawn[name], None, traced)[1], "label")):
            stats = (summary.max_abs, summary.vmin, summary.vmax)
            assert stats == (own.max_abs, own.vmin, own.vmax), f"{name}: the {where} holds another gradient"
            np.testing.assert_array_equal(summary.values, own.values, err_msg=f"{name}: {where}")
        lines = grad_view(drawn[name], None, traced)[0]
        wanted = _summary_lines("grad", own)
        # a traced scalar reached twice reads "grad = (-4) + (-4) = -8": the total ends the line
        summed = len(wanted) == 1 and lines[0].startswith("grad = ") and \
            lines[0].endswith(" = " + wanted[0].removeprefix("grad "))
        assert lines[:len(wanted)] == wanted or summed, f"{name}: label {lines}, grad {wanted}"


@pytest.mark.parametrize("lib", [minitorch, torch], ids=["minitorch", "torch"])
def test_traced_intermediate_shows_its_total_gradient(lib):
    """y = exp(x) is used twice (z = y * y) and keeps no .grad: only the trace knows that its
    gradient is 2y. Large (6x6), so the label cannot rebuild it from small parts."""
    from viz.graph import build_tape, summarize
    x = lib.tensor(np.linspace(-1, 1, 36).reshape(6, 6), requires_grad=True)
    y = x.exp()
    loss = (y * y).sum()
    tape = build_tape(loss, params={"x": x, "y": y}, trace=viz.trace_backward(loss))
    (node,) = [t for t in tape.tensors if t.name == "y"]
    expected = summarize(2 * y.detach())
    assert node.grad is not None and node.grad_state == "known"
    assert (node.grad.max_abs, node.grad.vmin, node.grad.vmax) == \
        pytest.approx((expected.max_abs, expected.vmin, expected.vmax))


def test_fan_out_shows_the_sum():
    e, names = scalar_expression(minitorch)
    trace = viz.trace_backward(e)
    src = viz.draw(e, params=names, trace=trace).source
    # de/dd = 2d = -8 reaches d twice as -4; a gets -8 (through +) and -8*b = 24 (through *).
    assert "grad = (-4) + (-4) = -8" in src
    assert "grad = (-8) + 24 = 16" in src
    assert 'label="grad 24"' in src and 'label="grad -8"' in src
    assert float(names["a"].grad.item()) == 16.0
    # Without a trace, after a plain backward: the final grad and how many uses were summed.
    e, names = scalar_expression(minitorch)
    e.backward()
    src = viz.draw(e, params=names).source
    assert 'grad 16<BR ALIGN="LEFT"/>(sum over 2 uses)' in src


def test_nan_and_inf_are_marked():
    x = minitorch.tensor([1.0, 0.0], requires_grad=True)
    y = (x.log() * x).sum()     # 0 * log 0 = nan, and the gradient through log is 0/0 = nan
    trace = viz.trace_backward(y)
    src = viz.draw(y, params={"x": x}, trace=trace, color_by="grad").source
    assert 'COLOR="#cc0000"' in src          # red border
    assert 'BGCOLOR="#ff4d4d"' in src        # red fill in colour-by-grad mode
    assert "NaN or inf" in src and "cluster_legend" in src
    assert "grad [1, nan]" in src and "value nan" in src


def test_colour_buckets_and_legend():
    w = minitorch.tensor([[1e-9, 0.0]], requires_grad=True)
    v = minitorch.tensor([[0.5, 0.25]], requires_grad=True)
    y = (w * 1e-3).sum() + (v * 1000.0).sum()
    y.backward()
    src = viz.draw(y, params={"w": w, "v": v}, color_by="grad").source
    assert 'BGCOLOR="#9ecae1"' in src     # w.grad = 1e-3: the 1e-4 .. 0.01 bucket
    assert 'BGCOLOR="#fd8d3c"' in src     # v.grad = 1000: exploding bucket


def test_options_rankdir_and_graph_id():
    e, _ = scalar_expression(minitorch)
    src = viz.draw(e, rankdir="TB", graph_id="fig3").source
    assert 'rankdir="TB"' in src and 'id="fig3"' in src and src.startswith("digraph fig3 {")
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(e, rankdir="sideways")
    with pytest.raises(ValueError, match="graph_id"):
        viz.draw(e, graph_id="a b")
    no_values = viz.draw(e, show_values=False, show_grads=False).source
    assert "value" not in no_values and "grad" not in no_values


def test_saved_tensors_shown_then_freed():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    src = viz.draw(y, show_saved=True).source
    assert "saved 0: float32[2]" in src and "saved 1: float32[2]" in src
    y.backward()
    assert "saved: freed" in viz.draw(y, show_saved=True).source
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    yt = (xt * xt).sum()
    src = viz.draw(yt, show_saved=True).source
    assert "self: float32[2]" in src and "other: float32[2]" in src


def test_labels_are_ascii_and_escaped():
    x = minitorch.tensor(1.0, requires_grad=True)
    y = x * 2
    src = viz.draw(y, params={"x<&>\u03b1": x}).source
    src.encode("ascii")
    assert "x&lt;&amp;&gt;&#945;" in src


def test_leaf_and_no_grad_outputs():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    g = viz.draw(x, params={"x": x})
    assert (g.num_nodes, g.num_edges) == (1, 0) and "x: float32[2]" in g.source
    c = minitorch.tensor(3.0)
    assert viz.draw(c).num_nodes == 1


def test_multiple_outputs_and_no_id_in_source():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    a, b = x * 2, x + 1
    src = viz.draw([a, b], params={"x": x}).source
    assert src.count(BGCOLOR_OUTPUT) == 2
    assert str(id(x)) not in src and "0x" not in src


BGCOLOR_OUTPUT = 'BGCOLOR="#d9ead3"'


def test_torch_module_names_and_multi_output_ops():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    out = model(torch.ones(4, 3)).sum()
    src = viz.draw(out, params=model).source
    for name in ("0.weight: float32[2,3]", "0.bias: float32[2]", "2.weight: float32[1,2]",
                 "AddmmBackward0", "TanhBackward0", "TBackward0"):
        assert name in src
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    a, b = x.unbind(0)
    y = (a * b).sum()
    lst = str(viz.listing(y, params={"x": x}))
    assert "t1: float32[2], t2: float32[2] = UnbindBackward0(x)" in lst
    assert "t3: float32[2] = MulBackward0(t1, t2)" in lst


# --- size guard -----------------------------------------------------------------------------------

def test_size_guard_truncates_with_a_note():
    y, x = chain(300)
    g = viz.draw(y, max_nodes=40)
    assert g.num_nodes == 40
    assert "more nodes not drawn (max_nodes=40)" in g.source
    # 901 boxes in all: 301 tensors, 300 ops and their 300 number operands (dimmed)
    assert "note -> " in g.source and "... 861 more nodes" in g.source
    assert "t300" in g.source and "t0 " not in g.source               # kept: nearest the output
    assert viz.draw(y, max_nodes=None).num_nodes == 901


def test_size_guard_collapses_modules_first():
    x = minitorch.tensor(0.5, requires_grad=True)
    y = x
    try:
        for block in range(6):
            for _ in range(10):
                mt_function.current_scope = (f"block{block}",)
                y = y * 1.01
    finally:
        mt_function.current_scope = ()
    assert viz.draw(y, max_nodes=None).num_nodes == 181  # 61 tensors, 60 ops, 60 constants
    g = viz.draw(y, max_nodes=30)
    assert g.num_nodes <= 30
    assert "modules collapsed below depth 0" in g.source and "more nodes" not in g.source
    assert g.source.count("10 ops") == 6


def test_draw_is_iterative_for_deep_graphs():
    y, _ = chain(3000)   # deeper than Python's recursion limit
    g = viz.draw(y, max_nodes=None, show_values=False)
    assert g.num_nodes == 9001  # tensors, ops and the ops' number operands


# --- backward steps -------------------------------------------------------------------------------

def branching_graph(lib):
    x = lib.tensor([1.0, -2.0], requires_grad=True)
    w = lib.tensor([0.5, 0.25], requires_grad=True)
    a = x * w
    b = (x + 1.0).tanh()
    c = a * b + w.exp()
    d = c.sum() + (a * 3.0).sum()
    return d, {"x": x, "w": w}


def recorded_order(out):
    """Run backward with minitorch node pre-hooks (and leaf hooks) recording the real order."""
    order, handles = [], []
    from viz.graph import _postorder, is_accumulate
    for node in _postorder([out.grad_fn]):
        if is_accumulate(node):
            handles.append(node.variable.register_hook(lambda g, n=node: order.append(n)))
        else:
            handles.append(node.register_prehook(lambda g, n=node: order.append(n)))
    out.backward()
    for h in handles:
        h.remove()
    return order


def test_engine_order_matches_minitorch_engine():
    d, _ = branching_graph(minitorch)
    predicted = viz.engine_order(d)
    assert recorded_order(d) == predicted
    d, names = branching_graph(minitorch)
    predicted_names = [n.name() for n in viz.engine_order(d)]
    steps = viz.backward_steps(d, params=names)
    assert len(steps) == steps.total_steps == len(predicted_names)
    captions = [f.source.split("backward step ", 1)[1].split("<", 1)[0] for f in steps.frames]
    for k, (caption, name) in enumerate(zip(captions, predicted_names), 1):
        expected = "AccumulateGrad" if name.endswith("AccumulateGrad") else name
        assert caption.startswith(f"{k} of {len(predicted_names)}: {expected}")


def test_trace_order_matches_prediction_in_torch():
    d, _ = branching_graph(torch)
    predicted = [n.name() for n in viz.engine_order(d) if not n.name().endswith("AccumulateGrad")]
    trace = viz.trace_backward(d)
    ran = [n.name() for n in trace.order if not n.name().endswith("AccumulateGrad")]
    assert ran == predicted
    d, names = branching_graph(torch)
    steps = viz.backward_steps(d, params=names)
    assert steps.total_steps == len(viz.engine_order(d)) == len(trace.order)
    assert "grad: not yet" not in steps[-1].source
    np.testing.assert_allclose(names["w"].grad.numpy(),
                               np.array([1.0 * np.tanh(2.0) + 3.0 + np.exp(0.5),   # x b + 3x + e^w
                                         -2.0 * np.tanh(-1.0) - 6.0 + np.exp(0.25)]), rtol=1e-5)


def test_backward_steps_frames_show_progress():
    e, names = scalar_expression(minitorch)
    steps = viz.backward_steps(e, params=names)
    assert repr(steps) == "<viz.BackwardSteps 5 steps>"
    first, last = steps[0].source, steps[-1].source
    assert "grad: not yet" in first and "grad 1<" in first        # only the seed is known
    assert 'penwidth=3' in first                                   # current node highlighted
    assert "grad: not yet" not in last and "grad = (-8) + 24 = 16" in last
    assert f'color="{viz.dot.EDGE_GRAD}"' in last
    # Gradients accumulate where a tensor fans out: after step 2 'a' has one of its two parts.
    assert "grad so far -8 (1 of 2)" in steps[1].source
    assert float(names["a"].grad.item()) == 16.0   # the steps ran the real backward
    bundle = steps._repr_mimebundle_()
    assert bundle["text/plain"] == repr(steps)
    assert bundle["image/svg+xml"].count("<svg") == 6               # 5 frames in one picture
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")


def test_backward_steps_without_running():
    e, names = scalar_expression(minitorch)
    steps = viz.backward_steps(e, params=names, run=False)
    assert len(steps) == 5 and names["a"].grad is None
    assert "not computed" in steps[-1].source


def test_backward_steps_frame_cap_and_slider():
    y, _ = chain(40)
    steps = viz.backward_steps(y, max_frames=5, show_values=False, max_nodes=None)
    assert len(steps) == 5 and steps.total_steps == 41
    assert "step 41 of 41" in steps[-1].source
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="ipywidgets"):
            steps.slider()
    else:
        assert steps.slider() is not None


# --- rendering and files ---------------------------------------------------------------------------

def test_display_bundle_and_files(tmp_path):
    e, names = scalar_expression(minitorch)
    g = viz.draw(e, params=names)
    assert repr(g) == "<viz.Graph 8 nodes, 9 edges>"
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    assert bundle["text/plain"] == repr(g)
    svg = bundle["image/svg+xml"]
    assert "Generated by" not in svg and "<svg" in svg and 'id="viz_node1"' in svg
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert g.save(tmp_path / "g.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert g.save(tmp_path / "g.pdf").read_bytes().startswith(b"%PDF-")
    assert g.save(tmp_path / "g.svg").read_text() == svg
    assert g.save(tmp_path / "g.dot").read_text() == g.source
    with pytest.raises(ValueError, match="unknown format"):
        g.save(tmp_path / "g.bmp")
    steps = viz.backward_steps(e, params=names)
    assert steps.save(tmp_path / "s.svg").read_text().startswith("<svg")
    assert steps.save(tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")
    assert "<html>" in steps.save(tmp_path / "s.html").read_text()


SCRIPT = """
import sys
sys.path.insert(0, {root!r})
import minitorch, viz
a = minitorch.tensor(2.0, requires_grad=True)
b = minitorch.tensor(-3.0, requires_grad=True)
d = a * b + a
e = d * d
trace = viz.trace_backward(e)
g = viz.draw(e, params={{"a": a, "b": b}}, trace=trace, color_by="grad")
sys.stdout.write(g.source + "\\n=====\\n" + g.svg())
"""


def test_same_bytes_in_two_processes():
    script = SCRIPT.format(root=str(ROOT))
    outs = [subprocess.run([sys.executable, "-c", script], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in (1, 2)]
    assert outs[0] == outs[1]
    assert b"<svg" in outs[0] and b"digraph viz" in outs[0]


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(render, "_warned", set())
    for var in render.ENV_VARS:
        monkeypatch.delenv(var, raising=False)


def test_renderer_found_in_interpreter_scripts(fresh_warnings, monkeypatch):
    monkeypatch.setenv("PATH", "")
    path, kind = viz.find_renderer()
    assert kind == "pure" and Path(path).name.startswith("graphviz-pure")


def test_env_var_to_missing_program_falls_through(fresh_warnings, monkeypatch, tmp_path):
    monkeypatch.setenv("VIZ_DOT", str(tmp_path / "no-such-dot"))
    with pytest.warns(viz.VizWarning, match="VIZ_DOT"):
        path, kind = viz.find_renderer()
    assert kind == "pure"
    pure = path
    monkeypatch.setenv("MINITORCH_DOT", pure)
    monkeypatch.delenv("VIZ_DOT")
    assert viz.find_renderer() == (pure, "pure")


def test_fallback_to_system_dot_warns(fresh_warnings, monkeypatch, tmp_path):
    pure, _ = viz.find_renderer()
    fake = tmp_path / "dot"
    fake.symlink_to(pure)   # a "system dot" that happens to be graphviz-pure
    monkeypatch.setattr(render.sysconfig, "get_path", lambda name: str(tmp_path / "none"))
    monkeypatch.setenv("PATH", str(tmp_path))
    e, _ = scalar_expression(minitorch)
    g = viz.draw(e)
    with pytest.warns(viz.VizWarning, match="system dot"):
        svg = g.svg()
    assert "<svg" in svg


def test_no_renderer_shows_dot_source(fresh_warnings, monkeypatch, tmp_path):
    monkeypatch.setattr(render.sysconfig, "get_path", lambda name: str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert viz.find_renderer() == (None, None)
    e, _ = scalar_expression(minitorch)
    g = viz.draw(e)
    with pytest.warns(viz.VizWarning, match="no graphviz renderer"):
        bundle = g._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    assert bundle["text/plain"] == repr(g) + "\n" + g.source
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(viz.RenderError, match="no graphviz renderer"):
            g.svg()


def test_no_renderer_outside_the_venv_says_how_to_enter_it(fresh_warnings, monkeypatch,
                                                           tmp_path):
    # The system python3 run inside the repo: the project's .venv exists but is not running.
    monkeypatch.setattr(render.sysconfig, "get_path", lambda name: str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render, "PROJECT_VENV", tmp_path / ".venv")
    (tmp_path / ".venv").mkdir()
    g = viz.draw(scalar_expression(minitorch)[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(viz.RenderError, match=r"source \.venv/bin/activate.*dev\.py run"):
            g.svg()
    monkeypatch.setattr(render.sys, "prefix", str(tmp_path / ".venv"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(viz.RenderError, match="pip install graphviz-pure"):
            g.svg()


def test_renderer_errors_carry_stderr():
    g = viz.Graph("digraph { a -> }\n", 0, 0)
    with pytest.raises(viz.RenderError, match="failed"):
        g.svg()
