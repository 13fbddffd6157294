"""No leaks: an MLP's graph and saved tensors are freed after backward, by reference counting
alone (the cycle collector is switched off), so no reference cycle goes through grad_fn."""
from __future__ import annotations

import gc
import weakref

import pytest

import minitorch
from minitorch import nn


def _mlp():
    minitorch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                         nn.LayerNorm(16), nn.Linear(16, 3))


def _graph_nodes(tensor):
    """Every node reachable from ``tensor.grad_fn`` (iteratively)."""
    seen, stack = [], [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or any(node is s for s in seen):
            continue
        seen.append(node)
        stack.extend(n for n, _ in node.next_functions)
    return seen


@pytest.fixture
def no_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_saved_tensors_released_by_backward(no_cycle_collector):
    model = _mlp()
    x = minitorch.randn(4, 8)
    target = minitorch.tensor([0, 2, 1, 0])
    loss = nn.functional.cross_entropy(model(x), target)
    nodes = [n for n in _graph_nodes(loss) if type(n).__name__ != "AccumulateGrad"]
    saving = [n for n in nodes if n.saved_tensors]
    assert len(saving) >= 4, "the MLP's nodes should have saved tensors before backward"
    saved_arrays = [weakref.ref(t._data) for n in saving for t in n.saved_tensors
                    if t is not None and not any(t is p for p in model.parameters()) and t is not x]
    assert saved_arrays
    loss.backward()
    for node in saving:  # the graph is still reachable from `loss`, but its saved values are gone
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            node.saved_tensors
    assert all(ref() is None for ref in saved_arrays), "an intermediate array outlived backward"


def test_graph_freed_without_the_cycle_collector(no_cycle_collector):
    model = _mlp()
    x = minitorch.randn(4, 8)
    out = model(x)
    loss = (out ** 2).mean()
    node_refs = [weakref.ref(n) for n in _graph_nodes(loss) if type(n).__name__ != "AccumulateGrad"]
    out_ref, loss_ref = weakref.ref(out), weakref.ref(loss)
    loss.backward()
    del out, loss
    assert out_ref() is None and loss_ref() is None, "a result is kept alive by a reference cycle"
    alive = [r().name() for r in node_refs if r() is not None]
    assert not alive, f"graph nodes kept alive by reference cycles: {alive}"


def test_graph_freed_without_backward(no_cycle_collector):
    """A forward whose result is dropped (evaluation without no_grad) frees its graph too."""
    model = _mlp()
    out = model(minitorch.randn(4, 8))
    node_refs = [weakref.ref(n) for n in _graph_nodes(out) if type(n).__name__ != "AccumulateGrad"]
    del out
    assert all(r() is None for r in node_refs)


def test_training_steps_create_no_garbage_cycles(no_cycle_collector):
    """gc.collect() finds nothing to collect after whole training steps: every object the
    steps created was freed by reference counting."""
    model = _mlp()
    optimizer = minitorch.optim.Adam(model.parameters(), lr=1e-3)
    x = minitorch.randn(16, 8)
    target = minitorch.randint(0, 3, (16,))

    def step():
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), target)
        loss.backward()
        optimizer.step()
        return loss.item()

    step()  # first step creates the optimizer state, kept on purpose
    gc.collect()
    for _ in range(20):
        step()
    assert gc.collect() == 0, "training steps left reference cycles for the cycle collector"
