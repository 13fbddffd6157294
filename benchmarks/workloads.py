"""The benchmark workloads. Each has implementations in minitorch, PyTorch and (where it is
the limit) hand-written NumPy; the minitorch and PyTorch ones are the *same* PyTorch-style
code run with a different library module, which is the point of the comparison."""
from __future__ import annotations

import numpy as np
import torch

import minitorch


class Workload:
    name = ""
    description = ""
    goal = ""
    repeats = None  # default from the command line

    def implementations(self) -> dict:
        """name -> zero-argument factory returning a zero-argument step function."""
        raise NotImplementedError


# --- per-op overhead --------------------------------------------------------------------------

class PerOp(Workload):
    name = "per_op"
    description = "a * b on float32[1000] with requires_grad, forward and backward"
    goal = "<= 1.0 PyTorch"
    repeats = 2000

    def implementations(self):
        rng = np.random.default_rng(0)
        a0, b0, g0 = (rng.standard_normal(1000).astype(np.float32) for _ in range(3))

        def library(lib):
            def make():
                a = lib.tensor(a0, requires_grad=True)
                b = lib.tensor(b0, requires_grad=True)
                g = lib.tensor(g0)

                def step():
                    c = a * b
                    c.backward(g)
                    a.grad = None
                    b.grad = None
                return step
            return make

        def numpy_make():
            def step():
                c = a0 * b0
                return c, g0 * b0, g0 * a0
            return step

        return {"minitorch": library(minitorch), "pytorch": library(torch), "numpy": numpy_make}


# --- MLP training step -------------------------------------------------------------------------

def _mlp_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128)
    return x, y


def _mlp_weights():
    rng = np.random.default_rng(1)
    shapes = [(256, 784), (256,), (256, 256), (256,), (10, 256), (10,)]
    return [(rng.standard_normal(s) * 0.05).astype(np.float32) for s in shapes]


class MLPStep(Workload):
    name = "mlp"
    description = "MLP 784-256-256-10, cross-entropy, SGD, batch 128, float32 training step"
    goal = "<= 1.0 PyTorch, <= 1.1 NumPy"

    def implementations(self):
        x0, y0 = _mlp_data()
        weights = _mlp_weights()

        def library(lib):
            def make():
                nn = lib.nn
                model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                                      nn.Linear(256, 10))
                model.load_state_dict({k: lib.tensor(w) for k, w in zip(model.state_dict(), weights)})
                optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
                x, y = lib.tensor(x0), lib.tensor(y0)

                def step():
                    optimizer.zero_grad()
                    loss = nn.functional.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
                return step
            return make

        def numpy_make():
            W1, b1, W2, b2, W3, b3 = [w.copy() for w in weights]
            onehot = np.eye(10, dtype=np.float32)[y0]
            lr = np.float32(0.01)

            def step():
                h1 = x0 @ W1.T + b1
                a1 = np.maximum(h1, 0)
                h2 = a1 @ W2.T + b2
                a2 = np.maximum(h2, 0)
                logits = a2 @ W3.T + b3
                shifted = logits - logits.max(1, keepdims=True)
                e = np.exp(shifted)
                p = e / e.sum(1, keepdims=True)
                d3 = (p - onehot) / np.float32(len(y0))
                dW3, db3 = d3.T @ a2, d3.sum(0)
                d2 = (d3 @ W3) * (h2 > 0)
                dW2, db2 = d2.T @ a1, d2.sum(0)
                d1 = (d2 @ W2) * (h1 > 0)
                dW1, db1 = d1.T @ x0, d1.sum(0)
                for w, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3)):
                    w -= lr * g
            return step

        return {"minitorch": library(minitorch), "pytorch": library(torch), "numpy": numpy_make}


ALL = [PerOp(), MLPStep()]
EXTRAS = []
