"""Differential fuzzing of whole training steps: random small models, losses and optimizers.

A program is drawn from one integer seed (``draw_program(seed)``): a small model (dense,
1-d or 2-d convolutional, or embedding + recurrent layers, each with random options, often
ending in a layer with a 0-d and a 1-element parameter), a loss with options, an optimizer
with options (sometimes two parameter groups), a dtype and a few steps. ``check_program``
builds the model in PyTorch, copies PyTorch's weights into minitorch's model (seeds are never
relied on), and trains both on the same batches, comparing after every step: the loss, every
parameter's gradient, every parameter and buffer after ``optimizer.step()``. The first
disagreement raises ``Mismatch`` with the program, so that ``draw_program(seed)`` replays it.

Used by tests/test_fuzz_models.py (a few hundred programs per run) and
scripts/fuzz_models.py (thousands).
"""
from __future__ import annotations

import json

import numpy as np
import torch

import minitorch


class Mismatch(AssertionError):
    """minitorch and PyTorch disagree on a program (or minitorch raised where PyTorch did not)."""


class Unsupported(Exception):
    """minitorch refused part of a program with NotImplementedError (a documented deviation)."""


# float32: a few steps through BatchNorm of a small batch amplify summation-order differences
TOLERANCE = {"float64": dict(rtol=1e-7, atol=1e-9), "float32": dict(rtol=1e-3, atol=1e-4)}

ACTIVATIONS = [("ReLU", {}), ("Tanh", {}), ("Sigmoid", {}), ("GELU", {"approximate": "none"}),
               ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("LeakyReLU", {"negative_slope": 0.2}),
               ("ELU", {"alpha": 0.7}), ("CELU", {"alpha": 1.3}), ("SELU", {}), ("Softplus", {"beta": 2.0}),
               ("Hardtanh", {"min_val": -0.5, "max_val": 0.8}), ("ReLU6", {}), ("Mish", {}), ("Softsign", {}),
               ("Hardswish", {}), ("Hardsigmoid", {}), ("Tanhshrink", {}), ("LogSigmoid", {}),
               ("Softshrink", {"lambd": 0.1}), ("Identity", {})]


# --- drawing a program: plain data, printable and replayable ---------------------------------

def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _activation(rng, channels):
    if rng.random() < 0.12:  # PReLU: a learnt slope, one shared (a 1-element parameter) or per channel
        return ("PReLU", {"num_parameters": _pick(rng, [1, channels]), "init": 0.25})
    return _pick(rng, ACTIVATIONS)


def _norm(rng, kind, channels, batch_norm):
    """A normalisation layer after a layer of ``channels`` features, or None.

    Left out, because the gradients they get are 0 in exact arithmetic, so that rounding noise,
    which Adam-like optimizers scale up to a full step, would be compared:
    - BatchNorm after the first layer: it removes whatever is constant over the batch, so a
      bias earlier on (passed on through a layer that is linear on this batch) gets no gradient;
    - BatchNorm in float32: over a small batch, its backward subtracts nearly equal numbers,
      and float32 rounding of the difference exceeds any fixed tolerance (float64 programs
      check the same code);
    - normalising fewer than 3 values: one value becomes 0 and two become -1 and 1 whatever
      they were (so LayerNorm over >= 3 features, GroupNorm groups of >= 3 channels, and
      BatchNorm over a batch of >= 3, see draw_program).
    """
    roll = rng.random()
    if roll < 0.25 and batch_norm:
        return ("BatchNorm2d" if kind == "2d" else "BatchNorm1d",
                {"num_features": channels, "affine": bool(rng.random() < 0.8),
                 "track_running_stats": bool(rng.random() < 0.8), "momentum": _pick(rng, [0.1, 0.5, None])})
    if roll < 0.4 and kind == "dense" and channels >= 3:
        return ("LayerNorm", {"normalized_shape": channels, "elementwise_affine": bool(rng.random() < 0.8),
                              "bias": bool(rng.random() < 0.8)})
    if roll < 0.4 and channels >= 6 and channels % 2 == 0:
        return ("GroupNorm", {"num_groups": 2, "num_channels": channels, "affine": bool(rng.random() < 0.8)})
    return None


def _block(rng, kind, make_layer, channels, batch_norm):
    """``make_layer(bias)``, then maybe a normalisation, an activation, Dropout(p=0). A bias
    right before BatchNorm is left out (as models do; see _norm for why)."""
    norm = _norm(rng, kind, channels, batch_norm)
    layers = [make_layer(norm is None or not norm[0].startswith("BatchNorm"))]
    layers += [norm] if norm else []
    layers.append(_activation(rng, channels))
    if rng.random() < 0.15:
        layers.append(("Dropout", {"p": 0.0}))
    return layers


def _dense(rng, float64):
    features = inputs = int(rng.integers(1, 6))
    layers = []
    for block in range(int(rng.integers(1, 3))):
        width = int(rng.integers(1, 7))
        layers += _block(rng, "dense", lambda bias, i=features, o=width: (
            "Linear", {"in_features": i, "out_features": o, "bias": bool(bias and rng.random() < 0.9)}),
            width, batch_norm=block == 0 and float64)
        features = width
    return {"shape": [inputs], "integers": None}, layers, features


def _conv(rng, dims, float64):
    channels, size = int(rng.integers(1, 4)), int(rng.integers(4, 8))
    out_channels = int(rng.integers(1, 3)) * _pick(rng, [1, channels])
    groups = _pick(rng, [1, channels]) if out_channels % channels == 0 else 1
    stride, dilation = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    kernel = int(rng.integers(1, 4))
    padding = "same" if stride == 1 and rng.random() < 0.3 else int(rng.integers(0, kernel))
    if padding != "same" and size + 2 * padding < dilation * (kernel - 1) + 1:
        dilation = 1  # the dilated kernel would not fit
    mode = _pick(rng, ["zeros", "zeros", "reflect", "replicate", "circular"])
    if mode == "reflect" and padding != "same" and padding >= size:
        mode = "zeros"
    name = f"Conv{dims}d"
    layers = _block(rng, "2d" if dims == 2 else "1d", lambda bias: (name, {
        "in_channels": channels, "out_channels": out_channels, "kernel_size": kernel, "stride": stride,
        "padding": padding, "dilation": dilation, "groups": groups, "bias": bool(bias and rng.random() < 0.9),
        "padding_mode": mode}), out_channels, batch_norm=float64)
    padded = size - 1 if padding == "same" else size + 2 * padding - dilation * (kernel - 1) - 1
    out_size = (padded // stride + 1) if padding != "same" else size
    features = out_channels * out_size ** dims
    layers.append(("Flatten", {}))
    return {"shape": [channels] + [size] * dims, "integers": None}, layers, features


def _sequence(rng):
    vocabulary, length, width = int(rng.integers(3, 8)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    layers = [("Embedding", {"num_embeddings": vocabulary, "embedding_dim": width,
                             "padding_idx": _pick(rng, [None, None, 0])})]
    kind = _pick(rng, ["RNN", "LSTM", "GRU", "mean"])
    if kind == "mean":
        layers.append(("MeanOverTime", {}))
        return {"shape": [length], "integers": vocabulary}, layers, width
    hidden, batch_first = int(rng.integers(1, 5)), bool(rng.random() < 0.6)
    options = {"input_size": width, "hidden_size": hidden, "num_layers": int(rng.integers(1, 3)),
               "bias": bool(rng.random() < 0.85), "batch_first": batch_first,
               "bidirectional": bool(rng.random() < 0.4)}
    if kind == "RNN":
        options["nonlinearity"] = _pick(rng, ["tanh", "relu"])
    if not batch_first:
        layers.append(("TimeFirst", {}))
    layers += [(kind, options), ("LastStep", {"time_dim": 1 if batch_first else 0})]
    return {"shape": [length], "integers": vocabulary}, layers, hidden * (2 if options["bidirectional"] else 1)


LOSSES = ["CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss",
          "BCEWithLogitsLoss", "SoftMarginLoss", "PoissonNLLLoss"]


def _loss(rng, outputs):
    name = _pick(rng, LOSSES)
    options = {"reduction": _pick(rng, ["mean", "mean", "sum", "none"])}
    if name == "CrossEntropyLoss":
        options["label_smoothing"] = _pick(rng, [0.0, 0.0, 0.1, 0.4])
    if name in ("CrossEntropyLoss", "NLLLoss"):
        if rng.random() < 0.3:
            options["weight"] = (rng.random(outputs) + 0.2).round(3).tolist()
        if rng.random() < 0.2:
            options["ignore_index"] = int(rng.integers(outputs))
    if name == "SmoothL1Loss":
        options["beta"] = _pick(rng, [1.0, 0.5, 0.0])
    if name == "HuberLoss":
        options["delta"] = _pick(rng, [1.0, 0.3])
    if name == "BCEWithLogitsLoss" and rng.random() < 0.4:
        options["pos_weight"] = (rng.random(outputs) + 0.5).round(3).tolist()
    if name == "PoissonNLLLoss":
        options["full"] = bool(rng.random() < 0.5)
    return name, options


OPTIMIZERS = {
    "SGD": lambda rng: dict(lr=_pick(rng, [0.01, 0.1]), momentum=_pick(rng, [0.0, 0.9]),
                            weight_decay=_pick(rng, [0.0, 0.01]), maximize=bool(rng.random() < 0.1)),
    "Adam": lambda rng: dict(lr=_pick(rng, [1e-3, 0.05]), betas=_pick(rng, [(0.9, 0.999), (0.5, 0.9)]),
                             eps=_pick(rng, [1e-8, 1e-3]), weight_decay=_pick(rng, [0.0, 0.1]),
                             amsgrad=bool(rng.random() < 0.4), maximize=bool(rng.random() < 0.1)),
    "AdamW": lambda rng: dict(lr=_pick(rng, [1e-3, 0.05]), weight_decay=_pick(rng, [0.0, 0.01, 0.3]),
                              amsgrad=bool(rng.random() < 0.4), maximize=bool(rng.random() < 0.1)),
    "RMSprop": lambda rng: dict(lr=_pick(rng, [1e-3, 0.01]), alpha=_pick(rng, [0.99, 0.5]),
                                weight_decay=_pick(rng, [0.0, 0.05]), momentum=_pick(rng, [0.0, 0.5]),
                                centered=bool(rng.random() < 0.4), maximize=bool(rng.random() < 0.1)),
    "Adagrad": lambda rng: dict(lr=_pick(rng, [0.01, 0.1]), lr_decay=_pick(rng, [0.0, 0.05]),
                                weight_decay=_pick(rng, [0.0, 0.05]),
                                initial_accumulator_value=_pick(rng, [0.0, 0.1]), maximize=bool(rng.random() < 0.1)),
    "Adadelta": lambda rng: dict(lr=_pick(rng, [1.0, 0.5]), rho=_pick(rng, [0.9, 0.5]),
                                 weight_decay=_pick(rng, [0.0, 0.05]), maximize=bool(rng.random() < 0.1)),
    "Adamax": lambda rng: dict(lr=_pick(rng, [2e-3, 0.05]), weight_decay=_pick(rng, [0.0, 0.05]),
                               maximize=bool(rng.random() < 0.1)),
    "NAdam": lambda rng: dict(lr=_pick(rng, [2e-3, 0.05]), weight_decay=_pick(rng, [0.0, 0.05]),
                              momentum_decay=_pick(rng, [4e-3, 0.1]),
                              decoupled_weight_decay=bool(rng.random() < 0.4), maximize=bool(rng.random() < 0.1)),
    "RAdam": lambda rng: dict(lr=_pick(rng, [1e-3, 0.05]), weight_decay=_pick(rng, [0.0, 0.05]),
                              decoupled_weight_decay=bool(rng.random() < 0.4), maximize=bool(rng.random() < 0.1)),
    "Rprop": lambda rng: dict(lr=_pick(rng, [1e-3, 0.01]), etas=_pick(rng, [(0.5, 1.2), (0.3, 1.5)]),
                              step_sizes=_pick(rng, [(1e-6, 50), (1e-4, 0.02)]), maximize=bool(rng.random() < 0.1)),
    "ASGD": lambda rng: dict(lr=_pick(rng, [0.01, 0.1]), lambd=_pick(rng, [1e-4, 0.05]),
                             alpha=_pick(rng, [0.75, 0.5]), t0=_pick(rng, [1e6, 1]),
                             weight_decay=_pick(rng, [0.0, 0.05]), maximize=bool(rng.random() < 0.1)),
}
# LBFGS is left out: its step needs a closure that re-evaluates the model (tests/test_optim_more.py)


def _optimizer(rng, family):
    # Rprop steps by the gradient's sign alone (no eps to damp it, as Adam has): a gradient that
    # is 0 in exact arithmetic and rounding noise in floats (1e-18 on the embedding rows of the
    # recurrent models) gets a full step; it is drawn for the other model families
    names = [name for name in sorted(OPTIMIZERS) if not (name == "Rprop" and family == "sequence")]
    name = _pick(rng, names)
    options = OPTIMIZERS[name](rng)
    if name == "SGD" and options["momentum"]:
        if rng.random() < 0.5:
            options["nesterov"] = True
        elif rng.random() < 0.5:
            options["dampening"] = 0.3
    return name, options


def draw_program(seed: int) -> dict:
    """The program for ``seed``: a dict of plain values (JSON), the same on every machine."""
    rng = np.random.default_rng(seed)
    family = _pick(rng, ["dense", "dense", "conv1d", "conv2d", "sequence", "scalar"])
    dtype = _pick(rng, ["float64", "float64", "float32"])
    loss = _loss(rng, outputs := int(rng.integers(1, 5)))
    classes = loss[0] in ("CrossEntropyLoss", "NLLLoss")
    if classes and outputs == 1:  # one class: log_softmax is 0 whatever the model does
        loss = _loss(rng, outputs := 2)
    signs = loss[0] in ("L1Loss", "SmoothL1Loss", "HuberLoss")
    if signs:  # an odd number of outputs (and batch, below): see there
        outputs = _pick(rng, [1, 3])
    float64 = dtype == "float64"
    if family == "scalar":  # only the 0-d and 1-element parameters (below) are learnt
        source, layers, features = {"shape": [outputs], "integers": None}, [], outputs
    elif family == "dense":
        source, layers, features = _dense(rng, float64)
    elif family == "sequence":
        source, layers, features = _sequence(rng)
    else:
        source, layers, features = _conv(rng, 1 if family == "conv1d" else 2, float64)
    # a 0-d scale and a 1-element shift, learnt; before the last Linear for a loss on classes,
    # where a shift of every logit would change nothing (its gradient is 0 in exact arithmetic)
    scalars = [("ScalarAffine", {"scale": round(float(rng.normal()), 4), "shift": round(float(rng.normal()), 4)})
               ] if family == "scalar" or rng.random() < 0.3 else []
    if classes:
        layers += scalars + [("Linear", {"in_features": features, "out_features": outputs, "bias": True})]
    else:
        layers += ([] if family == "scalar" else
                   [("Linear", {"in_features": features, "out_features": outputs, "bias": True})]) + scalars
    if loss[0] == "NLLLoss":
        layers.append(("LogSoftmax", {"dim": 1}))
    # A batch of >= 3 for BatchNorm (see _norm). An odd batch and number of outputs for the
    # losses whose gradient is +-c for large errors: over an even count, the signs can cancel,
    # and a gradient summed over them (a bias, the 1-element shift) is 0 in exact arithmetic,
    # rounding noise in floats, which Adam-like optimizers scale up to a full step.
    if signs:
        batch = _pick(rng, [3, 5])
    else:
        batch = int(rng.integers(3 if any(name.startswith("BatchNorm") for name, _ in layers) else 2, 6))
    return {"seed": seed, "family": family, "dtype": dtype,
            "batch": batch, "input": source, "outputs": outputs, "layers": layers,
            "loss": loss, "optimizer": _optimizer(rng, family), "two_groups": bool(rng.random() < 0.25),
            "steps": int(rng.integers(2, 5))}


def describe(program: dict) -> str:
    lines = [f"program {program['seed']} ({program['family']}, {program['dtype']}, batch {program['batch']}, "
             f"input {program['input']}, {program['steps']} steps):"]
    lines += [f"  {name}({json.dumps(options)[1:-1]})" for name, options in program["layers"]]
    lines.append(f"  loss {program['loss'][0]}({json.dumps(program['loss'][1])[1:-1]})")
    groups = ", first layer in its own group (lr / 2)" if program["two_groups"] else ""
    lines.append(f"  optimizer {program['optimizer'][0]}({json.dumps(program['optimizer'][1])[1:-1]}){groups}")
    return "\n".join(lines)


# --- building and running a program in one library -------------------------------------------

def _own_layers(lib):
    """The layers a program uses that are not in torch.nn, written once for either library."""
    class ScalarAffine(lib.nn.Module):
        def __init__(self, scale, shift):
            super().__init__()
            self.scale = lib.nn.Parameter(lib.tensor(scale))    # 0-d
            self.shift = lib.nn.Parameter(lib.tensor([shift]))  # 1 element

        def forward(self, x):
            return x * self.scale + self.shift

    class TimeFirst(lib.nn.Module):
        def forward(self, x):
            return x.transpose(0, 1)

    class LastStep(lib.nn.Module):
        def __init__(self, time_dim):
            super().__init__()
            self.time_dim = time_dim

        def forward(self, x):
            return x.select(self.time_dim, -1)

    class MeanOverTime(lib.nn.Module):
        def forward(self, x):
            return x.mean(1)

    return {layer.__name__: layer for layer in (ScalarAffine, TimeFirst, LastStep, MeanOverTime)}


def build_model(lib, program):
    own = _own_layers(lib)

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = lib.nn.ModuleList([(own.get(name) or getattr(lib.nn, name))(**options)
                                             for name, options in program["layers"]])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
                if isinstance(x, tuple):  # RNN, LSTM, GRU: (output, hidden state)
                    x = x[0]
            return x

    return Net().to(getattr(lib, program["dtype"]))


def build_loss(lib, program):
    name, options = program["loss"]
    dtype = getattr(lib, program["dtype"])
    options = {key: lib.tensor(value, dtype=dtype) if key in ("weight", "pos_weight") else value
               for key, value in options.items()}
    return getattr(lib.nn, name)(**options)


def build_optimizer(lib, program, model):
    name, options = program["optimizer"]
    parameters = list(model.parameters())
    first = list(model.layers[0].parameters())
    if program["two_groups"] and first and len(first) < len(parameters):
        ids = {id(p) for p in first}
        parameters = [{"params": first, "lr": options["lr"] / 2},
                      {"params": [p for p in parameters if id(p) not in ids]}]
    return getattr(lib.optim, name)(parameters, **options)


def draw_batches(program):
    """Inputs and targets for each step, as NumPy arrays."""
    rng = np.random.default_rng([program["seed"], 1])
    n, source, outputs = program["batch"], program["input"], program["outputs"]
    dtype = np.dtype(program["dtype"])
    batches = []
    for _ in range(program["steps"]):
        if source["integers"]:
            x = rng.integers(0, source["integers"], size=[n] + source["shape"])
        else:
            x = rng.normal(size=[n] + source["shape"]).astype(dtype)
        loss = program["loss"][0]
        if loss in ("CrossEntropyLoss", "NLLLoss"):
            y = rng.integers(0, outputs, size=n)
        elif loss == "BCEWithLogitsLoss":
            y = rng.random((n, outputs)).astype(dtype)
        elif loss == "SoftMarginLoss":
            y = rng.choice([-1.0, 1.0], size=(n, outputs)).astype(dtype)
        elif loss == "PoissonNLLLoss":
            y = rng.poisson(2.0, size=(n, outputs)).astype(dtype)
        else:
            y = rng.normal(size=(n, outputs)).astype(dtype)
        batches.append((x, y))
    return batches


def _arrays(named):
    return {name: tensor.detach().numpy().copy() for name, tensor in named}


def train_step(lib, model, loss_fn, optimizer, x, y):
    """One step; returns what is compared: the loss, the gradients, the state after the step."""
    optimizer.zero_grad()
    loss = loss_fn(model(lib.tensor(x)), lib.tensor(y))
    if loss.ndim:  # reduction='none'
        loss = loss.sum()
    loss.backward()
    grads = {name: p.grad.numpy().copy() for name, p in model.named_parameters() if p.grad is not None}
    optimizer.step()
    return {"loss": np.array(loss.item()), **{f"grad of {k}": v for k, v in grads.items()},
            **{f"{k} after the step": v for k, v in _arrays(model.state_dict().items()).items()}}


def check_program(program: dict) -> None:
    """Train the program's model in both libraries from PyTorch's weights; raise Mismatch (or
    Unsupported) at the first difference."""
    torch.manual_seed(program["seed"])
    theirs = build_model(torch, program)
    weights = _arrays(theirs.state_dict().items())
    optimizer = build_optimizer(torch, program, theirs)
    loss_fn = build_loss(torch, program)
    batches = draw_batches(program)
    # PyTorch first: an error there is a bug of the generator, not a finding
    expected = [train_step(torch, theirs, loss_fn, optimizer, x, y) for x, y in batches]
    try:
        ours = build_model(minitorch, program)
        ours.load_state_dict(weights)
        run = (minitorch, ours, build_loss(minitorch, program), build_optimizer(minitorch, program, ours))
        for step, (x, y) in enumerate(batches):
            got = train_step(*run, x, y)
            if not np.isfinite(expected[step]["loss"]):
                # training diverged (inf or NaN): after the loss, which inf or NaN each
                # gradient holds depends on the order of operations; stop comparing
                _compare(program, step, {"loss": got["loss"]}, {"loss": expected[step]["loss"]})
                return
            if _noise_amplified(program, got, expected[step]):
                return  # (see _noise_amplified: from here on the runs follow rounding noise)
            _compare(program, step, got, expected[step])
    except NotImplementedError as error:
        raise Unsupported(f"{error}\n{describe(program)}") from error
    except Mismatch:
        raise
    except Exception as error:  # noqa: BLE001 - PyTorch ran it, so minitorch must too
        raise Mismatch(f"minitorch raised {type(error).__name__}: {error}\n{describe(program)}") from error


# optimizers that divide a gradient by its own running size: a gradient that is 0 up to
# rounding (a weight feeding a normalization without affine parameters, whose output does not
# change along some directions of the weight) becomes a step of ~lr * noise / eps
ADAPTIVE = {"Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adadelta",
            "Rprop", "SparseAdam"}


def _noise_amplified(program, got, expected) -> bool:
    """Whether a parameter differs after the step only where its gradient (equal in both
    libraries, within tolerance) is rounding noise, which an adaptive optimizer scales up:
    PyTorch's own result there depends on its order of operations, so the comparison stops."""
    if program["optimizer"][0] not in ADAPTIVE:
        return False
    tolerance = TOLERANCE[program["dtype"]]
    # the size of the step's gradients, all parameters together: a gradient element this many
    # times smaller is rounding (every element of a weight's gradient may be)
    scale = max((float(np.abs(v).max()) for k, v in expected.items()
                 if k.startswith("grad of ") and v.size), default=0.0)
    for key, value in expected.items():
        name = key[:-len(" after the step")] if key.endswith(" after the step") else None
        grad = expected.get(f"grad of {name}")
        if grad is None or grad.shape != value.shape or got[key].shape != value.shape:
            continue
        differs = ~np.isclose(got[key], value, equal_nan=True, **tolerance)
        if not differs.any():
            continue
        noise = np.abs(grad) <= np.finfo(grad.dtype).eps ** 0.5 * scale
        return bool(np.all(noise[differs]))
    return False


def _compare(program, step, got, expected):
    if sorted(got) != sorted(expected):
        raise Mismatch(f"step {step}: minitorch has {sorted(set(got) ^ set(expected))} where PyTorch "
                       f"does not, or the reverse\n{describe(program)}")
    for key, value in expected.items():
        if got[key].shape != value.shape or not np.allclose(got[key], value, equal_nan=True,
                                                            **TOLERANCE[program["dtype"]]):
            worst = _worst(got[key], value)
            raise Mismatch(f"step {step}: {key} differs\n  minitorch {got[key].ravel()[worst]}\n"
                           f"  PyTorch   {value.ravel()[worst]}\n{describe(program)}")


def _worst(got, expected):
    """Up to 6 elements around the one farthest from PyTorch's."""
    if got.shape != expected.shape:
        return slice(0, 6)
    distance = np.nan_to_num(np.abs(got - expected).ravel(), nan=np.inf)
    start = max(0, int(np.argmax(distance)) - 2)
    return slice(start, start + 6)
