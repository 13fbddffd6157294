"""viz.plots: each function returns a matplotlib Figure (Agg, no pyplot state), deterministically."""
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import minitorch  # noqa: E402
from viz import plots  # noqa: E402


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def test_plot_curves_panels_train_and_validation():
    def make():
        return plots.plot_curves({"train": [1.0, 0.5, 0.3], "validation": [1.1, 0.6, 0.4]},
                                 {"train": [0.5, 0.7, 0.9], "test": [0.4, 0.6, 0.8]},
                                 ylabels=["loss", "accuracy"])
    fig = make()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    train, val = fig.axes[0].lines
    np.testing.assert_allclose(val.get_ydata(), [1.1, 0.6, 0.4])
    np.testing.assert_allclose(val.get_xdata(), [1, 2, 3])
    assert (train.get_linestyle(), val.get_linestyle()) == ("-", "--")
    assert png_bytes(fig) == png_bytes(make())
    single = plots.plot_curves(minitorch.tensor([3.0, 2.0, 1.0]))
    assert len(single.axes) == 1 and len(single.axes[0].lines) == 1
    assert single.axes[0].get_ylabel() == "loss"
    with pytest.raises(ValueError):
        plots.plot_curves()


def test_plot_grad_flow_minitorch_and_torch():
    w1 = minitorch.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    w2 = minitorch.tensor([0.5, 0.5], requires_grad=True)
    unused = minitorch.tensor([1.0], requires_grad=True)
    ((w1 * w1).sum() + (w2 * 3.0).sum()).backward()
    fig = plots.plot_grad_flow({"w1": w1, "w2": w2, "unused": unused})
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and len(ax.lines) == 2
    maxes, means = ax.lines[0].get_ydata(), ax.lines[1].get_ydata()
    np.testing.assert_allclose(maxes[:2], [8.0, 3.0])
    np.testing.assert_allclose(means[:2], [5.0, 3.0])
    assert np.isnan(maxes[2])                                    # no grad: not drawn as zero
    assert any(t.get_text() == "no grad" for t in ax.texts)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    model(torch.ones(2, 3)).sum().backward()
    fig = plots.plot_grad_flow(model)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [
        "0.weight", "0.bias", "2.weight", "2.bias"]


def test_plot_decision_boundary():
    X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], dtype=np.float32)
    y = np.array([0, 0, 1, 1])

    def predict(points):   # gets a minitorch tensor (as X is one), returns class scores
        assert isinstance(points, minitorch.Tensor) and points.dtype == minitorch.float32
        return minitorch.stack([-points[:, 0], points[:, 0]], 1)

    fig = plots.plot_decision_boundary(predict, minitorch.tensor(X), minitorch.tensor(y),
                                       resolution=50)
    ax = fig.axes[0]
    assert len(ax.collections) >= 2          # filled regions and the scatter of points
    fig2 = plots.plot_decision_boundary(lambda p: (p[:, 0] > 0).astype(np.int64), X, y,
                                        resolution=50)
    assert png_bytes(fig) == png_bytes(fig2)  # the same regions however they are given
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plots.plot_decision_boundary(predict, np.zeros((3, 3)), y[:3])


def test_plot_histograms_values_and_grads():
    a = minitorch.tensor(np.linspace(-1, 1, 50, dtype=np.float32), requires_grad=True)
    b = minitorch.tensor(np.ones(10, dtype=np.float32), requires_grad=True)
    fig = plots.plot_histograms({"a": a, "b": b}, bins=10)
    assert len(fig.axes) == 2
    assert sum(p.get_height() for p in fig.axes[0].patches) == 50
    (a * 2.0).sum().backward()
    grads = plots.plot_histograms({"a": a, "b": b}, kind="grads")
    assert grads.axes[0].get_title() == "a.grad"
    assert [t.get_text() for t in grads.axes[1].texts] == ["no grad"]
    with pytest.raises(ValueError, match="kind"):
        plots.plot_histograms({"a": a}, kind="weights")


def test_plot_lr_schedule_list_and_torch_scheduler():
    fig = plots.plot_lr_schedule([0.1, 0.1, 0.01])
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1
    w = torch.nn.Parameter(torch.ones(1))
    opt = torch.optim.SGD([w], lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    fig = plots.plot_lr_schedule(sched, steps=6)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [1, 1, 0.5, 0.5, 0.25, 0.25])
    assert opt.param_groups[0]["lr"] == 1.0 and sched.last_epoch == 0   # left as it was
    with pytest.raises(ValueError, match="steps"):
        plots.plot_lr_schedule(sched)
    several = plots.plot_lr_schedule({"constant": [0.1] * 4, "step": sched}, steps=4)
    assert len(several.axes[0].lines) == 2
    assert [t.get_text() for t in several.axes[0].get_legend().get_texts()] == ["constant", "step"]
