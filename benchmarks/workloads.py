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
    device = "cpu"  # set by run.py --device; on 'cuda' only minitorch and PyTorch run

    def implementations(self) -> dict:
        """name -> zero-argument factory returning a zero-argument step function."""
        raise NotImplementedError

    def gpu_step(self, lib, step):
        """On a GPU, wait for the queued kernels so the time covers the work itself."""
        if self.device == "cpu":
            return step

        def synchronized():
            step()
            lib.cuda.synchronize()
        return synchronized


def _training_step(lib, model, optimizer, loss_fn, x, y):
    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return step


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
                model.to(self.device)
                optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
                x, y = lib.tensor(x0, device=self.device), lib.tensor(y0, device=self.device)
                step = _training_step(lib, model, optimizer, nn.functional.cross_entropy, x, y)
                return self.gpu_step(lib, step)
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

        impls = {"minitorch": library(minitorch), "pytorch": library(torch)}
        if self.device == "cpu":
            impls["numpy"] = numpy_make
        return impls


class CNNStep(Workload):
    name = "cnn"
    description = ("small CNN step: conv 1->8 3x3, ReLU, maxpool 2, conv 8->16 3x3, ReLU, maxpool 2, "
                   "linear to 10; 28x28, batch 64, SGD")
    goal = "<= 1.5 PyTorch"

    def implementations(self):
        rng = np.random.default_rng(0)
        x0 = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
        y0 = rng.integers(0, 10, 64)

        def library(lib):
            def make():
                nn = lib.nn
                lib.manual_seed(0)
                model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Flatten(), nn.Linear(16 * 5 * 5, 10)).to(self.device)
                optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
                x, y = lib.tensor(x0, device=self.device), lib.tensor(y0, device=self.device)
                return self.gpu_step(lib, _training_step(lib, model, optimizer,
                                                         nn.functional.cross_entropy, x, y))
            return make
        return {"minitorch": library(minitorch), "pytorch": library(torch)}


class TransformerBlock(Workload):
    name = "transformer"
    description = "TransformerEncoderLayer d_model 128, 4 heads, seq 64, batch 16, forward+backward"
    goal = "<= 1.5 PyTorch"

    def implementations(self):
        rng = np.random.default_rng(0)
        x0 = rng.standard_normal((16, 64, 128)).astype(np.float32)

        def library(lib):
            def make():
                lib.manual_seed(0)
                layer = lib.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0,
                                                       batch_first=True).to(self.device)
                x = lib.tensor(x0, device=self.device)

                def step():
                    layer.zero_grad()
                    layer(x).sum().backward()
                return self.gpu_step(lib, step)
            return make
        return {"minitorch": library(minitorch), "pytorch": library(torch)}


class MatmulStep(Workload):
    name = "matmul"
    description = "1024x1024 float32 matmul forward+backward"
    goal = "<= 1.05 NumPy"
    repeats = 5

    def implementations(self):
        rng = np.random.default_rng(0)
        a0, b0, g0 = (rng.standard_normal((1024, 1024)).astype(np.float32) for _ in range(3))

        def library(lib):
            def make():
                a = lib.tensor(a0, requires_grad=True, device=self.device)
                b = lib.tensor(b0, requires_grad=True, device=self.device)
                g = lib.tensor(g0, device=self.device)

                def step():
                    (a @ b).backward(g)
                    a.grad = None
                    b.grad = None
                return self.gpu_step(lib, step)
            return make

        def numpy_make():
            def step():
                c = a0 @ b0
                return c, g0 @ b0.T, a0.T @ g0
            return step
        impls = {"minitorch": library(minitorch), "pytorch": library(torch)}
        if self.device == "cpu":
            impls["numpy"] = numpy_make
        return impls


ALL = [PerOp(), MLPStep(), CNNStep(), MatmulStep(), TransformerBlock()]
EXTRAS = []
