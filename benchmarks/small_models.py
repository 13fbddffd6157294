"""Small-model training steps, the size learners run: the suite of the "small models as fast as
PyTorch" work.

    python benchmarks/run.py --suite small            # every workload here
    python benchmarks/run.py --suite small char_mlp   # one of them

Each workload is one training step (zero_grad, forward, loss, backward, optimizer step) of a
real small program's model, written once as PyTorch-style code and run with minitorch and
with PyTorch from the same weights (copied across through the state_dict) and the same
batch, so both do the same arithmetic:

- ``makemore_transformer``: Karpathy's makemore Transformer (4 layers, 4 heads, width 64,
  context 16, 27 characters), batch 32, AdamW;
- ``mingpt_adder``: minGPT's adder demo model (3 layers, 3 heads, width 48, context 6,
  10 digits), batch 64, AdamW;
- ``char_mlp``: makemore's MLP (context 16, embedding 64, hidden 64, tanh), batch 32, AdamW;
- ``char_lstm``: a character LSTM (embedding 64, hidden 128, 32 steps, 65 characters),
  batch 16, Adam;
- ``polynomial_dynamic_net``: PyTorch's "control flow + weight sharing" tutorial (five
  scalar weights, a random number of terms each step, 2,000 points), SGD with momentum;
- ``scalar_graph`` (from workloads.py): an MLP evaluated one number at a time.

Each step is small, so what is measured is mostly the per-op cost of Python (recording an
op, running its backward node), not the arithmetic: the gap the accelerations layer has to
close.
"""
from __future__ import annotations

import math
import random
from importlib import import_module

import numpy as np

from workloads import ScalarGraph, Workload


def _same_weights(model, seed: int, lib) -> None:
    """Give every parameter of ``model`` the same values in either library: drawn by NumPy
    from ``seed`` in state_dict order (normal * 0.05; norms' weights 1)."""
    rng = np.random.default_rng(seed)
    state = {}
    for name, value in model.state_dict().items():
        shape = tuple(value.shape)
        if name.endswith("weight") and len(shape) == 1:
            array = np.ones(shape, np.float32)
        else:
            array = (rng.standard_normal(shape) * 0.05).astype(np.float32)
        state[name] = lib.tensor(array)
    model.load_state_dict(state)


def _gpt(lib, vocab: int, context: int, width: int, heads: int, layers: int):
    """The GPT of makemore and minGPT: pre-norm blocks of causal self-attention (one Linear
    for q, k, v; a lower-triangular mask) and a tanh-GELU MLP."""
    nn, F = lib.nn, lib.nn.functional

    class NewGELU(nn.Module):
        def forward(self, x):
            return 0.5 * x * (1.0 + lib.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(width, 3 * width)
            self.c_proj = nn.Linear(width, width)
            self.register_buffer("bias", lib.tril(lib.ones(context, context)).view(1, 1, context, context))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(width, dim=2)
            k = k.view(B, T, heads, C // heads).transpose(1, 2)
            q = q.view(B, T, heads, C // heads).transpose(1, 2)
            v = v.view(B, T, heads, C // heads).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(width)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(width)
            self.mlp = nn.Sequential(nn.Linear(width, 4 * width), NewGELU(), nn.Linear(4 * width, width))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(vocab, width)
            self.wpe = nn.Embedding(context, width)
            self.h = nn.ModuleList([Block() for _ in range(layers)])
            self.ln_f = nn.LayerNorm(width)
            self.lm_head = nn.Linear(width, vocab, bias=False)

        def forward(self, idx, targets):
            b, t = idx.size()
            pos = lib.arange(0, t, dtype=lib.long).unsqueeze(0)
            x = self.wte(idx) + self.wpe(pos)
            for block in self.h:
                x = block(x)
            logits = self.lm_head(self.ln_f(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)

    return GPT()


def _char_mlp(lib, vocab: int, context: int, width: int, hidden: int):
    nn, F = lib.nn, lib.nn.functional

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(vocab + 1, width)  # the extra row: the <BLANK> token
            self.mlp = nn.Sequential(nn.Linear(context * width, hidden), nn.Tanh(),
                                     nn.Linear(hidden, vocab))

        def forward(self, idx, targets):
            embs = []
            for _ in range(context):  # makemore rolls the context one step at a time
                embs.append(self.wte(idx))
                idx = lib.roll(idx, 1, 1)
                idx[:, 0] = vocab
            logits = self.mlp(lib.cat(embs, -1))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)

    return MLP()


def _char_lstm(lib, vocab: int, width: int, hidden: int):
    nn, F = lib.nn, lib.nn.functional

    class CharLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, width)
            self.lstm = nn.LSTM(width, hidden, batch_first=True)
            self.head = nn.Linear(hidden, vocab)

        def forward(self, idx, targets):
            out, _ = self.lstm(self.embed(idx))
            logits = self.head(out)
            return F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))

    return CharLSTM()


class _ModelStep(Workload):
    """One training step of ``build(lib)`` on a fixed batch of token ids."""
    goal = "<= 1.0 PyTorch"
    batch = 32
    context = 16
    vocab = 27
    optimizer = "AdamW"

    def build(self, lib):
        raise NotImplementedError

    def implementations(self):
        rng = np.random.default_rng(0)
        idx0 = rng.integers(0, self.vocab, (self.batch, self.context))
        targets0 = rng.integers(0, self.vocab, (self.batch, self.context))

        def library(name):
            def make():
                lib = import_module(name)
                lib.manual_seed(0)
                model = self.build(lib)
                _same_weights(model, 1, lib)
                options = {"lr": 5e-4, "weight_decay": 0.01} if self.optimizer == "AdamW" else {"lr": 1e-3}
                optimizer = getattr(lib.optim, self.optimizer)(model.parameters(), **options)
                idx, targets = lib.tensor(idx0), lib.tensor(targets0)

                def step():
                    optimizer.zero_grad(set_to_none=True)
                    loss = model(idx, targets)
                    loss.backward()
                    optimizer.step()
                return step
            return make

        return {"minitorch": library("minitorch"), "compiled": compiled(library("minitorch")),
                "pytorch": library("torch")}


def compiled(make):
    """The same step under ``minitorch.compile`` (traced, confirmed, then replayed)."""
    def make_compiled():
        import minitorch
        return minitorch.compile(make())
    return make_compiled


class MakemoreTransformer(_ModelStep):
    name = "makemore_transformer"
    description = "makemore's Transformer (4 layers, 4 heads, width 64, context 16), batch 32, AdamW"

    def build(self, lib):
        return _gpt(lib, self.vocab, self.context, width=64, heads=4, layers=4)


class MinGPTAdder(_ModelStep):
    name = "mingpt_adder"
    description = "minGPT's adder model (3 layers, 3 heads, width 48, context 6), batch 64, AdamW"
    batch, context, vocab = 64, 6, 10

    def build(self, lib):
        return _gpt(lib, self.vocab, self.context, width=48, heads=3, layers=3)


class CharMLP(_ModelStep):
    name = "char_mlp"
    description = "makemore's MLP (context 16, embedding 64, hidden 64, tanh), batch 32, AdamW"

    def build(self, lib):
        return _char_mlp(lib, self.vocab, self.context, width=64, hidden=64)


class CharLSTM(_ModelStep):
    name = "char_lstm"
    description = "character LSTM (embedding 64, hidden 128, 32 steps, 65 characters), batch 16, Adam"
    batch, context, vocab, optimizer = 16, 32, 65, "Adam"

    def build(self, lib):
        return _char_lstm(lib, self.vocab, width=64, hidden=128)


class PolynomialDynamicNet(Workload):
    name = "polynomial_dynamic_net"
    description = ("PyTorch's dynamic-net tutorial: y = a + b x + c x^2 + d x^3 + e x^4 (+ e x^5), "
                   "a random number of terms per step, 2,000 points, SGD momentum")
    goal = "<= 1.0 PyTorch"

    def implementations(self):
        def library(name, compile_step=False):
            def make():
                lib = import_module(name)
                x = lib.linspace(-math.pi, math.pi, 2000)
                y = lib.sin(x)
                params = [lib.tensor(v, requires_grad=True) for v in (0.1, -0.2, 0.3, -0.1, 0.05)]
                optimizer = lib.optim.SGD(params, lr=1e-8, momentum=0.9)
                terms = random.Random(0)

                def fit(last_power):
                    a, b, c, d, e = params
                    y_pred = a + b * x + c * x ** 2 + d * x ** 3
                    for exp in range(4, last_power):
                        y_pred = y_pred + e * x ** exp
                    loss = (y_pred - y).pow(2).sum()
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    return loss.detach()

                # the number of terms is drawn in Python: a compiled step takes it as an
                # argument (its program is traced once for each value it sees)
                fit_step = lib.compile(fit) if compile_step else fit
                if compile_step:  # traced for each term count before the timing, as the
                    for last_power in (4, 4, 4, 5, 5, 6, 6):  # other steps in the warm-up
                        fit_step(last_power)
                return lambda: fit_step(terms.randint(4, 6))
            return make
        return {"minitorch": library("minitorch"), "compiled": library("minitorch", True),
                "pytorch": library("torch")}


SMALL = [MakemoreTransformer(), MinGPTAdder(), CharMLP(), CharLSTM(), PolynomialDynamicNet(),
         ScalarGraph()]
