"""The benchmark workloads. Each has implementations in minitorch, PyTorch and (where it is
the limit) hand-written NumPy; the minitorch and PyTorch ones are the *same* PyTorch-style
code run with a different library module, which is the point of the comparison. Libraries
are imported when an implementation is made, so that a process running one implementation
loads only its own library (see run.py)."""
from __future__ import annotations

from importlib import import_module

import numpy as np


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

        def library(name):
            def make():
                lib = import_module(name)
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

        return {"minitorch": library("minitorch"), "pytorch": library("torch"), "numpy": numpy_make}


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

        def library(name):
            def make():
                lib = import_module(name)
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

        impls = {"minitorch": library("minitorch"), "pytorch": library("torch")}
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

        def library(name):
            def make():
                lib = import_module(name)
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
        return {"minitorch": library("minitorch"), "pytorch": library("torch")}


class TransformerBlock(Workload):
    name = "transformer"
    description = "TransformerEncoderLayer d_model 128, 4 heads, seq 64, batch 16, forward+backward"
    goal = "<= 1.5 PyTorch"

    def implementations(self):
        rng = np.random.default_rng(0)
        x0 = rng.standard_normal((16, 64, 128)).astype(np.float32)

        def library(name):
            def make():
                lib = import_module(name)
                lib.manual_seed(0)
                layer = lib.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0,
                                                       batch_first=True).to(self.device)
                x = lib.tensor(x0, device=self.device)

                def step():
                    layer.zero_grad()
                    layer(x).sum().backward()
                return self.gpu_step(lib, step)
            return make
        return {"minitorch": library("minitorch"), "pytorch": library("torch")}


class MatmulStep(Workload):
    name = "matmul"
    description = "1024x1024 float32 matmul forward+backward"
    goal = "<= 1.05 NumPy"
    repeats = 5

    def implementations(self):
        rng = np.random.default_rng(0)
        a0, b0, g0 = (rng.standard_normal((1024, 1024)).astype(np.float32) for _ in range(3))

        def library(name):
            def make():
                lib = import_module(name)
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
        impls = {"minitorch": library("minitorch"), "pytorch": library("torch")}
        if self.device == "cpu":
            impls["numpy"] = numpy_make
        return impls


# --- scalar graph (micrograd-style) -----------------------------------------------------------

def _scalar_mlp_params(make_param):
    rng = np.random.default_rng(0)
    sizes = [2, 16, 16, 1]
    return [[([make_param(float(w)) for w in rng.uniform(-1, 1, n_in)], make_param(0.0))
             for _ in range(n_out)] for n_in, n_out in zip(sizes, sizes[1:])]


def _scalar_data():
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((30, 2)).tolist()
    return [(x, float(x[0] * x[1] > 0)) for x in xs]


def _scalar_step(params, data, make_input):
    """Forward and backward of an MLP 2-16-16-1 over 30 samples, one number at a time."""
    loss = None
    for x, y in data:
        h = [make_input(v) for v in x]
        for depth, layer in enumerate(params):
            out = [sum((w * hi for w, hi in zip(ws, h)), b) for ws, b in layer]
            h = out if depth == len(params) - 1 else [v.relu() for v in out]
        term = (h[0] - y) ** 2
        loss = term if loss is None else loss + term
    loss.backward()
    return loss


class ScalarGraph(Workload):
    name = "scalar_graph"
    description = "micrograd-style MLP 2-16-16-1, 30 samples one at a time with 0-d tensors, fwd+bwd"
    goal = "<= 1.0 PyTorch, faster than micrograd"
    repeats = 3

    def implementations(self):
        data = _scalar_data()

        def library(name, compile_step=False):
            def make():
                lib = import_module(name)
                params = _scalar_mlp_params(lambda v: lib.tensor(v, requires_grad=True))
                flat = [p for layer in params for ws, b in layer for p in (*ws, b)]

                def step():
                    for p in flat:
                        p.grad = None
                    return _scalar_step(params, data, lambda v: lib.tensor(v)).detach()
                return lib.compile(step) if compile_step else step
            return make

        def micrograd_make():
            from micrograd.engine import Value
            params = _scalar_mlp_params(Value)
            flat = [p for layer in params for ws, b in layer for p in (*ws, b)]

            def step():
                for p in flat:
                    p.grad = 0
                return _scalar_step(params, data, Value)
            return step

        impls = {"minitorch": library("minitorch"), "compiled": library("minitorch", True),
                 "pytorch": library("torch")}
        try:
            import micrograd  # noqa: F401  (the 'bench' extra)
            impls["micrograd"] = micrograd_make
        except ImportError:
            pass
        return impls


class DynamicNet(Workload):
    name = "dynamic_net"
    description = "30,000 tiny steps with data-dependent control flow (float32[8]), backward every 100"
    goal = "<= 1.0 PyTorch"
    repeats = 1

    def implementations(self):
        def library(name):
            def make():
                lib = import_module(name)
                g = lib.Generator().manual_seed(0)
                w = lib.randn(8, generator=g).requires_grad_()
                b = lib.randn(8, generator=g).requires_grad_()

                def step():
                    x = lib.ones(8)
                    for i in range(30_000):
                        x = x * w + b
                        x = x.tanh() if i % 3 else x.sigmoid()
                        if i % 100 == 99:
                            x.sum().backward()
                            x = lib.ones(8)
                    w.grad = b.grad = None
                return step
            return make
        return {"minitorch": library("minitorch"), "pytorch": library("torch")}


class _Extra:
    """A measurement that is not a timed step (import time, memory)."""
    name = ""
    goal = ""

    def run(self) -> dict:
        raise NotImplementedError


def _python(code: str) -> str:
    import subprocess
    import sys
    env = {**__import__("os").environ}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            check=True)
    return result.stdout.strip()


class ImportTime(_Extra):
    name = "import_time"
    goal = "<= 0.3 s, well under PyTorch's"

    def run(self):
        code = ("import time; t = time.perf_counter(); import {m}; "
                "print(time.perf_counter() - t)")
        samples = {m: sorted(float(_python(code.format(m=m))) for _ in range(5))[2]
                   for m in ("minitorch", "torch")}
        return {"workload": self.name, "goal": self.goal, "values": samples,
                "text": f"minitorch {samples['minitorch']:.3f} s, PyTorch {samples['torch']:.3f} s "
                        f"(ratio {samples['minitorch'] / samples['torch']:.2f})"}


_RSS_CODE = """
import numpy as np
import {lib} as lib
# the MLP workload, written here so that the process imports only the library measured
rng = np.random.default_rng(0)
x = lib.tensor(rng.standard_normal((128, 784)).astype(np.float32))
y = lib.tensor(rng.integers(0, 10, 128))
nn = lib.nn
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
def rss_mb(field='VmRSS'):  # VmHWM: the peak (getrusage's maxrss survives exec from the parent)
    for line in open('/proc/self/status'):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
after = []
for i in range(1000):
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
    if i in (99, 999):
        after.append(rss_mb())
print(rss_mb('VmHWM'), after[0], after[1])
"""


class MemoryMLP(_Extra):
    name = "memory_mlp"
    goal = "peak <= 0.5 PyTorch's; flat over 1,000 steps"

    def run(self):
        values = {}
        for name, lib in (("minitorch", "minitorch"), ("pytorch", "torch")):
            peak, at100, at1000 = map(float, _python(_RSS_CODE.format(lib=lib)).split())
            values[name] = {"peak_mb": peak, "rss_100": at100, "rss_1000": at1000}
        m, t = values["minitorch"], values["pytorch"]
        return {"workload": self.name, "goal": self.goal, "values": values,
                "text": (f"peak RSS minitorch {m['peak_mb']:.0f} MB, PyTorch {t['peak_mb']:.0f} MB "
                         f"(ratio {m['peak_mb'] / t['peak_mb']:.2f}); RSS at step 100 -> 1000: minitorch "
                         f"{m['rss_100']:.1f} -> {m['rss_1000']:.1f} MB, PyTorch "
                         f"{t['rss_100']:.1f} -> {t['rss_1000']:.1f} MB")}


ALL = [PerOp(), ScalarGraph(), MLPStep(), CNNStep(), MatmulStep(), TransformerBlock(), DynamicNet()]
EXTRAS = [ImportTime(), MemoryMLP()]
