"""Random programs run in lockstep in minitorch and PyTorch (differential fuzzing).

A *program* is a few input tensors (shapes, dtypes, value ranges; the values come from a
seeded NumPy generator, so both libraries get the same numbers) followed by 2-8 lines of
Python such as ``v3 = lib.cat([v1, v2.transpose(0, 1)], dim=-1)``. Each line runs with
``lib`` bound to ``torch`` and to ``minitorch``; after every line the two sides must agree
on whether it raised (and with which exception type) and on every variable's dtype, shape
and values (views and in-place ops change earlier variables too). At the end, a
random-weighted sum of the last float result is backpropagated on both sides and the input
gradients are compared.

Values are compared with tolerances (float32 whenever float32 arithmetic fed the program)
and NaN/inf must agree. Ops whose derivative blows up at 0 (reciprocal, division) mostly get
their argument shifted away from 0: a value that is 0 up to float32 cancellation (say after
a matmul) differs between any two libraries once inverted, which is no bug; ``log``,
``sqrt`` and a raw ``rsqrt`` stay, so NaN and inf results are checked too. Likewise sin and
cos get arguments in [-10, 10]: at 3000 one float32 ulp of the argument moves sin by 5e-4.

The lines are drawn by hypothesis (``draw_program``) while the program runs, so every op is
chosen for the shapes the program actually has at that point; most lines are valid, a few
are deliberately not (a dim out of range, shapes that do not broadcast) to check that both
libraries refuse them alike. The same `Program` can be replayed without hypothesis
(`check_program`), which is how regression tests pin a mismatch the fuzzer found.

Used by ``tests/test_fuzz.py`` (a short deterministic run) and ``scripts/fuzz.py`` (long runs).
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from hypothesis import strategies as st

import minitorch

TOLERANCE = {"float32": (2e-4, 2e-5), "float64": (1e-8, 1e-10), "float16": (2e-3, 1e-3)}
FLOAT16_TOLERANCE = (2e-3, 1e-3)  # a float16 result: one rounding to 11 bits
GRAD_TOLERANCE = {"float32": (2e-3, 1e-4), "float64": (1e-6, 1e-9), "float16": (1e-2, 1e-3)}


class Mismatch(AssertionError):
    """minitorch and PyTorch disagreed; the message holds the program and what differed."""


class Unsupported(Exception):
    """minitorch raised NotImplementedError: a documented deviation, not a wrong answer."""


@dataclass
class Input:
    shape: tuple
    dtype: str  # "float32", "float64" or "int64"
    low: float = -2.0
    high: float = 2.0

    def array(self, rng: np.random.Generator) -> np.ndarray:
        if self.dtype == "int64":
            return rng.integers(int(self.low), int(self.high) + 1, size=self.shape).astype(np.int64)
        return rng.uniform(self.low, self.high, size=self.shape).astype(self.dtype)


@dataclass
class Program:
    inputs: list
    lines: list = field(default_factory=list)
    seed: int = 0
    raised: str = ""  # the exception type both libraries raised, if the program ended in one

    def source(self) -> str:
        head = [f"# seed={self.seed}"]
        head += [f"v{i} = input{inp.shape} {inp.dtype} in [{inp.low}, {inp.high}]"
                 for i, inp in enumerate(self.inputs)]
        return "\n".join(head + self.lines)


def _numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, minitorch.Tensor) else t.detach().numpy()


def _close(a: np.ndarray, b: np.ndarray, tolerance, precision: str) -> bool:
    """Equal (integers, bools) or close (floats) at the tolerance of ``precision``: "float32"
    whenever float32 arithmetic fed the program, since float32 rounding differences carry
    into a float64 result (``float64 + float32 @ float32``)."""
    if a.dtype.kind != "f":
        return np.array_equal(a, b)
    # (once float16 arithmetic fed the program, every result is as exact as float16's)
    rtol, atol = tolerance[precision if b.dtype == np.float64 or precision == "float16"
                           else "float32"]
    if b.dtype == np.float16:
        rtol, atol = max(rtol, FLOAT16_TOLERANCE[0]), max(atol, FLOAT16_TOLERANCE[1])
    finite = np.isfinite(b)
    scale = float(np.abs(b[finite]).max()) if finite.any() else 1.0
    return bool(np.allclose(a, b, rtol=rtol, atol=atol * max(1.0, scale), equal_nan=True))


def _same_exception(mine: BaseException, theirs: BaseException) -> bool:
    """Same type, or ours is the builtin PyTorch's type derives from (torch.cuda.OutOfMemoryError
    is a RuntimeError; pickle errors are their own)."""
    for base in type(theirs).__mro__:
        if base.__module__ == "builtins" or base.__module__ == "pickle":
            return isinstance(mine, base)
    return False


class Lockstep:
    """Runs one program's lines on both libraries side by side, comparing after each line."""

    def __init__(self, program: Program):
        self.program = program
        rng = np.random.default_rng(program.seed)
        arrays = [inp.array(rng) for inp in program.inputs]
        self.weights_rng = rng
        self.env = {torch: {"lib": torch}, minitorch: {"lib": minitorch}}
        self.names: list[str] = []
        for i, array in enumerate(arrays):
            grad = array.dtype.kind == "f"
            self.env[torch][f"v{i}"] = torch.tensor(array, requires_grad=grad)
            self.env[minitorch][f"v{i}"] = minitorch.tensor(array, requires_grad=grad)
            self.names.append(f"v{i}")
        self.leaves = list(self.names)
        self.raised = False
        self.ran: list[str] = []
        # ``x.data = ...`` after x was used: which saved tensors see the new values differs
        # (docs/deviations.md), so gradients are not compared from then on
        self.data_swapped_after_use = False
        self.precision = "float64" if all(i.dtype == "float64" for i in program.inputs) else "float32"

    def fail(self, what: str) -> None:
        raise Mismatch(f"{what}\nprogram:\n{self.program.source()}")

    def torch_value(self, name: str):
        return self.env[torch][name]

    def run(self, line: str) -> bool:
        """Execute ``line`` on both sides; True when both raised (the program stops there)."""
        swapped = re.match(r"(v\d+)\.data = ", line)
        if swapped and any(re.search(rf"\b{swapped[1]}\b", earlier) for earlier in self.ran):
            self.data_swapped_after_use = True
        self.ran.append(line)
        outcome = {}
        for lib in (torch, minitorch):
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    exec(line, self.env[lib])
                outcome[lib] = None
            except Exception as err:  # noqa: BLE001 - the error itself is what we compare
                outcome[lib] = err
        theirs, mine = outcome[torch], outcome[minitorch]
        if isinstance(mine, NotImplementedError) and not isinstance(theirs, NotImplementedError):
            # a documented deviation; it may also come before an error PyTorch reports first
            raise Unsupported(f"{line}: {mine}")
        if (theirs is None) != (mine is None):
            self.fail(f"line {line!r}: PyTorch {'raised ' + repr(theirs) if theirs else 'ran'}, "
                      f"minitorch {'raised ' + repr(mine) if mine else 'ran'}")
        if theirs is not None:
            if not _same_exception(mine, theirs):
                self.fail(f"line {line!r}: PyTorch raised {type(theirs).__name__}: {theirs}; "
                          f"minitorch raised {type(mine).__name__}: {mine}")
            self.raised = True
            self.program.raised = type(theirs).__name__
            return True
        target = line.split("=", 1)[0].strip()
        if target.isidentifier() and target not in self.names:
            self.names.append(target)
        self.compare_values(line)
        return False

    def compare_values(self, line: str) -> None:
        for name in self.names:
            theirs, mine = self.env[torch][name], self.env[minitorch][name]
            if not isinstance(mine, minitorch.Tensor):
                self.fail(f"after {line!r}: {name} is a {type(mine).__name__}, not a Tensor")
            if str(mine.dtype).split(".")[-1] != str(theirs.dtype).split(".")[-1]:
                self.fail(f"after {line!r}: {name} has dtype {mine.dtype}, PyTorch {theirs.dtype}")
            if tuple(mine.shape) != tuple(theirs.shape):
                self.fail(f"after {line!r}: {name} has shape {tuple(mine.shape)}, "
                          f"PyTorch {tuple(theirs.shape)}")
            if mine.requires_grad != theirs.requires_grad:
                self.fail(f"after {line!r}: {name}.requires_grad is {mine.requires_grad}, "
                          f"PyTorch {theirs.requires_grad}")
            a, b = _numpy(mine), _numpy(theirs)
            if not _close(a, b, TOLERANCE, self.precision):
                self.fail(f"after {line!r}: {name} differs\nminitorch:\n{a}\nPyTorch:\n{b}")

    def backward(self) -> None:
        """Backpropagate sum(w * last) for random weights w and compare the leaves' grads."""
        last = self.names[-1]
        theirs = self.env[torch][last]
        if self.raised or not theirs.requires_grad or self.data_swapped_after_use:
            return
        weights = self.weights_rng.standard_normal(tuple(theirs.shape))
        self.env[torch]["w_"] = torch.tensor(weights, dtype=theirs.dtype)
        dtype = str(theirs.dtype).split(".")[-1]
        self.env[minitorch]["w_"] = minitorch.tensor(weights, dtype=getattr(minitorch, dtype))
        if self.run(f"(w_ * {last}).sum().backward()"):
            return
        for name in self.leaves:
            with warnings.catch_warnings():  # (an input may have become a non-leaf: .data, +=)
                warnings.simplefilter("ignore")
                g_theirs, g_mine = self.env[torch][name].grad, self.env[minitorch][name].grad
            if (g_theirs is None) != (g_mine is None):
                self.fail(f"{name}.grad is {'None' if g_mine is None else 'set'} in minitorch, "
                          f"{'None' if g_theirs is None else 'set'} in PyTorch")
            if g_theirs is None:
                continue
            if str(g_mine.dtype).split(".")[-1] != str(g_theirs.dtype).split(".")[-1]:
                self.fail(f"{name}.grad has dtype {g_mine.dtype}, PyTorch {g_theirs.dtype}")
            a, b = _numpy(g_mine), _numpy(g_theirs)
            if a.shape != b.shape or not _close(a, b, GRAD_TOLERANCE, self.precision):
                self.fail(f"{name}.grad differs\nminitorch:\n{a}\nPyTorch:\n{b}")


def check_program(program: Program) -> None:
    """Replay a program (for regression tests): raises Mismatch if the libraries disagree."""
    step = Lockstep(program)
    for line in program.lines:
        if step.run(line):
            return
    step.backward()


# --- drawing programs ------------------------------------------------------------------------

FLOAT_UNARY = [
    "{x}.exp()", "lib.tanh({x})", "{x}.sigmoid()", "lib.relu({x})", "{x}.abs()",
    "lib.sin({x}.clamp(-10, 10))", "{x}.clamp(-10, 10).cos()", "{x}.log()", "{x}.sqrt()", "{x}.pow(2)", "{x} ** 3", "-{x}", "{x}.square()",
    "{x}.clamp(-0.5, 0.7)", "({x}.abs() + 0.5).reciprocal()", "lib.log({x}.abs() + 0.5)",
    "({x}.abs() + 0.25).rsqrt()", "{x}.rsqrt()",
    "lib.exp(-{x}.abs())", "{x}.softmax({d})", "{x}.log_softmax({d})", "lib.where({x} > 0, {x}, {x} * 0.1)",
    "{x}.log1p()", "{x}.expm1()", "lib.atan({x})", "{x}.erf()", "{x}.floor()", "{x}.sign()",
]
INT_UNARY = ["-{x}", "{x}.abs()", "{x} * 2", "{x} + 1", "{x}.clamp(-1, 1)", "{x}.float()", "{x} // 2",
             "{x} % 3", "{x}.exp()", "{x} / 2"]
BINARY = ["{x} + {y}", "{x} - {y}", "{x} * {y}", "{x} / ({y} ** 2 + 0.5)", "lib.maximum({x}, {y})",
          "lib.minimum({x}, {y})", "lib.where({x} > {y}, {x}, {y})", "{x}.add({y}, alpha=2)",
          "lib.atan2({x}, {y})", "{x} ** 2 + {y}"]
TAKES_NUMBER = {"{x} + {y}", "{x} - {y}", "{x} * {y}", "{x} / ({y} ** 2 + 0.5)", "{x}.add({y}, alpha=2)",
                "{x} ** 2 + {y}"}
INPLACE = ["{x}.add_({y})", "{x}.mul_({y})", "{x}.sub_(1.5)", "{x}.mul_(2)", "{x}.clamp_(-1, 1)",
           "{x}.relu_()", "{x}.exp_()", "{x}.div_(3)", "{x}.zero_()", "{x}.fill_(0.25)",
           "{x}.tanh_()", "{x}.sigmoid_()", "{x}.abs_()", "{x} += {y}", "{x} *= {y}"]


def _broadcastable(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _batch_ok(a, b) -> bool:
    """Whether the batch dims of a matmul of ``a`` and ``b`` broadcast."""
    return _broadcastable(tuple(a.shape[:-2]), tuple(b.shape[:-2]))


class _Drawer:
    def __init__(self, draw, step: Lockstep):
        self.draw, self.step = draw, step

    def pick_var(self, predicate=lambda t: True, recent=True) -> str | None:
        names = [n for n in self.step.names if predicate(self.step.torch_value(n))]
        if not names:
            return None
        if recent and len(names) > 1 and self.draw(st.booleans()):
            return names[-1]
        return self.draw(st.sampled_from(names))

    def dim(self, ndim: int, allow_bad: bool = True) -> int:
        rank = max(ndim, 1)
        if allow_bad and self.draw(st.integers(0, 30)) == 0:
            return self.draw(st.sampled_from([rank, -rank - 1]))
        return self.draw(st.integers(-rank, rank - 1))

    def _index(self, size: int) -> int:
        """An index into a dim of ``size``; now and then one out of range."""
        if size == 0 or self.draw(st.integers(0, 9)) == 0:
            return self.draw(st.sampled_from([size, -size - 1]))
        return self.draw(st.integers(-size, size - 1))

    # each method returns one line of code computing the value for a new name `out`
    def unary(self, out):
        x = self.pick_var()
        t = self.step.torch_value(x)
        table = FLOAT_UNARY if t.dtype.is_floating_point else INT_UNARY
        template = self.draw(st.sampled_from(table))
        return f"{out} = " + template.format(x=x, d=self.dim(t.ndim))

    def binary(self, out):
        x = self.pick_var()
        shape = tuple(self.step.torch_value(x).shape)
        rogue = self.draw(st.integers(0, 12)) == 0
        template = self.draw(st.sampled_from(BINARY))
        if self.draw(st.integers(0, 4)) == 0 and template in TAKES_NUMBER:
            y = self.draw(st.sampled_from(["2", "0.5", "-1.5", "3"]))
        else:
            y = self.pick_var(lambda t: rogue or _broadcastable(shape, tuple(t.shape)), recent=False)
        return f"{out} = " + template.format(x=x, y=y)

    def view(self, out):
        x = self.pick_var()
        t = self.step.torch_value(x)
        shape, ndim = tuple(t.shape), t.ndim
        choices = ["reshape", "unsqueeze", "flatten", "view"]
        if ndim >= 1:
            choices += ["slice", "slice_step", "narrow", "squeeze", "expand"]
        if ndim >= 2:
            choices += ["transpose", "permute", "t_like", "mT"]
        kind = self.draw(st.sampled_from(choices))
        if kind == "reshape":
            return f"{out} = {x}.reshape(-1)" if self.draw(st.booleans()) else \
                f"{out} = {x}.reshape({tuple(reversed(shape))})"
        if kind == "view":
            return f"{out} = {x}.view(-1)"
        if kind == "unsqueeze":
            return f"{out} = {x}.unsqueeze({self.draw(st.integers(-ndim - 1, ndim))})"
        if kind == "flatten":
            return f"{out} = {x}.flatten()"
        d = self.dim(ndim)
        size = shape[d] if -ndim <= d < ndim else 1
        if kind == "slice":
            start = self.draw(st.integers(-size - 1, size))
            stop = self.draw(st.integers(-size - 1, size + 1))
            return f"{out} = {x}[{':, ' * (d % ndim)}{start}:{stop}]"
        if kind == "slice_step":
            return f"{out} = {x}[{':, ' * (d % ndim)}::{self.draw(st.integers(1, 3))}]"
        if kind == "narrow":
            start = self.draw(st.integers(0, size))
            return f"{out} = {x}.narrow({d}, {start}, {self.draw(st.integers(0, size - start))})"
        if kind == "squeeze":
            return f"{out} = {x}.squeeze({d})" if self.draw(st.booleans()) else f"{out} = {x}.squeeze()"
        if kind == "expand":
            target = tuple(3 if s == 1 and self.draw(st.booleans()) else s for s in shape)
            lead = (2,) if self.draw(st.booleans()) else ()
            return f"{out} = {x}.expand{lead + target}"
        if kind == "transpose":
            return f"{out} = {x}.transpose({d}, {self.dim(ndim)})"
        if kind == "permute":
            perm = self.draw(st.permutations(range(ndim)))
            return f"{out} = {x}.permute{tuple(perm)}"
        if kind == "mT":
            return f"{out} = {x}.mT"
        return f"{out} = {x}.transpose(-1, -2).contiguous()"

    def inplace(self, out):
        # mostly on a non-leaf (leaves that require grad must refuse, which is checked too)
        leafy = self.draw(st.integers(0, 10)) == 0
        x = self.pick_var(lambda t: leafy or not t.is_leaf or not t.requires_grad)
        if x is None:
            return None
        t = self.step.torch_value(x)
        shape = tuple(t.shape)
        rogue = self.draw(st.integers(0, 12)) == 0  # sometimes one that widens x: must raise
        y = self.pick_var(lambda u: _broadcastable(shape, tuple(u.shape)) and (
            rogue or np.broadcast_shapes(shape, tuple(u.shape)) == shape), recent=False) or \
            self.draw(st.sampled_from(["2", "0.5"]))
        if t.dtype.is_floating_point:
            template = self.draw(st.sampled_from(INPLACE))
        else:
            template = self.draw(st.sampled_from(["{x}.add_({y})", "{x}.mul_(2)", "{x}.zero_()",
                                                  "{x} += {y}", "{x}.clamp_(-1, 1)"]))
        if t.ndim >= 1 and self.draw(st.integers(0, 3)) == 0:
            index = self._index(shape[0])
            value = self.pick_var(lambda u: np.broadcast_shapes(shape[1:], tuple(u.shape)) == shape[1:]
                                  if _broadcastable(shape[1:], tuple(u.shape)) else rogue, recent=False)
            return f"{x}[{index}] = {value if value and t.dtype.is_floating_point else 1} * 0.5"
        return template.format(x=x, y=y)

    def reduction(self, out):
        x = self.pick_var()
        t = self.step.torch_value(x)
        kind = self.draw(st.sampled_from(
            ["sum", "mean", "max", "amax", "prod", "var", "logsumexp", "min", "std", "norm"]
            if t.dtype.is_floating_point else ["sum", "max", "amax", "prod", "min"]))
        keep = self.draw(st.booleans())
        if self.draw(st.integers(0, 3)) == 0 and kind not in ("logsumexp",):
            return f"{out} = {x}.{kind}()"
        d = self.dim(t.ndim)
        if kind in ("max", "min"):
            return f"{out} = {x}.{kind}(dim={d}, keepdim={keep}).values"
        if kind in ("sum", "mean", "amax") and t.ndim >= 2 and self.draw(st.booleans()):
            other = self.dim(t.ndim, allow_bad=False)
            if other % t.ndim != d % t.ndim or self.draw(st.integers(0, 15)) == 0:
                d = (d, other)
        if kind in ("var", "std") and self.draw(st.booleans()):
            return f"{out} = {x}.{kind}(dim={d}, keepdim={keep}, correction=0)"
        if kind == "norm":
            return f"{out} = {x}.norm(dim={d}, keepdim={keep})"
        return f"{out} = {x}.{kind}(dim={d}, keepdim={keep})"

    def matmul(self, out):
        x = self.pick_var()
        t = self.step.torch_value(x)
        if t.ndim == 0:  # matmul refuses 0-d tensors (checked now and then)
            return f"{out} = {x} @ {x}" if self.draw(st.integers(0, 5)) == 0 else None
        options = [f"{x} @ {x}.transpose(-1, -2)" if t.ndim >= 2 else f"{x} @ {x}"]
        inner = t.shape[-1]
        rogue = self.draw(st.integers(0, 12)) == 0
        y = self.pick_var(lambda u: rogue or u.ndim >= 1 and (
            u.shape[-2] if u.ndim >= 2 else u.shape[0]) == inner and _batch_ok(t, u), recent=False)
        if y is not None:
            options.append(f"{x} @ {y}")
            options.append(f"lib.matmul({x}, {y})")
        return f"{out} = " + self.draw(st.sampled_from(options))

    def join(self, out):
        x = self.pick_var()
        t = self.step.torch_value(x)
        rogue = self.draw(st.integers(0, 12)) == 0
        same = self.pick_var(lambda u: rogue or tuple(u.shape) == tuple(t.shape), recent=False)
        d = self.dim(t.ndim)
        if self.draw(st.booleans()) or (t.ndim == 0 and self.draw(st.integers(0, 5))):
            return f"{out} = lib.stack([{x}, {same}], dim={self.draw(st.integers(-t.ndim - 1, t.ndim))})"
        return f"{out} = lib.cat([{x}, {same}, {x} * 2], dim={d})"

    def index(self, out):
        x = self.pick_var(lambda t: t.ndim >= 1)
        if x is None:
            return None
        t = self.step.torch_value(x)
        size = t.shape[0]
        kind = self.draw(st.sampled_from(["int", "tensor", "mask", "second", "mask_select", "gather"]))
        if kind == "int":
            return f"{out} = {x}[{self._index(size)}]"
        if kind == "tensor":
            idx = self.draw(st.lists(st.integers(-size - 1, size), min_size=0, max_size=5))
            return f"{out} = {x}[lib.tensor({idx}, dtype=lib.int64)]"
        if kind == "second" and t.ndim >= 2:
            idx = self.draw(st.lists(st.integers(-t.shape[1], max(t.shape[1] - 1, 0)), max_size=4))
            return f"{out} = {x}[:, lib.tensor({idx}, dtype=lib.int64)]"
        if kind == "gather" and t.ndim >= 1:
            return f"{out} = {x}.index_select(0, lib.tensor([{size - 1 if size else 0}, 0], dtype=lib.int64))"
        if kind == "mask_select":
            return f"{out} = {x}[{x} > 0]"
        return f"{out} = lib.where({x} > 0, {x}, lib.zeros_like({x}))"


    # --- issue 23: the corners learners reach that the lines above never drew -----------------
    def small_int(self, out):
        """Small int dtypes meeting Python ints outside their range (PyTorch wraps them in
        arithmetic and comparisons, raises when writing them)."""
        x = self.pick_var()
        dtype = self.draw(st.sampled_from(["uint8", "int8", "int16", "int32", "int64"]))
        scale = self.draw(st.sampled_from([1, 7, 100]))
        value = f"(({x} > 0).to(lib.{dtype}) * {scale})"
        scalar = self.draw(st.sampled_from(SMALL_INT_SCALARS))
        form = self.draw(st.sampled_from(SMALL_INT_FORMS))
        shape = tuple(self.step.torch_value(x).shape)
        return f"{out} = " + form.format(v=value, s=scalar, dtype=dtype, shape=shape)

    def float16_reduction(self, out):
        """Long float16 reductions: PyTorch accumulates in float32 (a float16 running sum
        stops growing at 2048)."""
        self.step.precision = "float16"
        n = self.draw(st.sampled_from([10, 3000, 5000]))
        fill = self.draw(st.sampled_from(["1.0", "0.1", "300.0", "-0.5"]))
        op = self.draw(st.sampled_from(FLOAT16_REDUCTIONS))
        if self.draw(st.booleans()):
            x = self.pick_var(lambda t: t.dtype.is_floating_point)
            if x is not None:
                return f"{out} = ({x} * {fill}).to(lib.float16).{op}"
        return f"{out} = lib.full(({n},), {fill}, dtype=lib.float16).{op}"

    def nan_reduction(self, out):
        """NaN in every reduction and sort."""
        x = self.pick_var(lambda t: t.dtype.is_floating_point)
        if x is None:
            return None
        t = self.step.torch_value(x)
        op = self.draw(st.sampled_from(NAN_REDUCTIONS if t.ndim else NAN_REDUCTIONS_0D))
        threshold = self.draw(st.sampled_from(["0.5", "1.5", "-5.0"]))
        return f"{out} = {x}.masked_fill({x} > {threshold}, float('nan')).{op.format(d=self.dim(t.ndim))}"

    def hook(self, out):
        """A tensor hook, sometimes returning something it must not (checked at backward).
        On inputs only: PyTorch 2.13 crashes (a segfault) registering a hook on a view that
        was written in place (``v = a.reshape(..); v[0] = ..; v.register_hook(..)``)."""
        x = self.pick_var(lambda t: t.requires_grad and t.dtype.is_floating_point and t.is_leaf)
        if x is None:
            return None
        result = self.draw(st.sampled_from(HOOK_RESULTS))
        return f"{x}.register_hook(lambda g: {result})"

    def attribute(self, out):
        """Assignments to requires_grad, .grad and .data, right and wrong."""
        x = self.pick_var()
        y = self.pick_var(recent=False)
        form = self.draw(st.sampled_from(ATTRIBUTE_FORMS))
        return form.format(x=x, y=y)

    def autograd_call(self, out):
        """backward(inputs=...) and autograd.grad in their argument forms."""
        x = self.pick_var(lambda t: t.requires_grad and t.dtype.is_floating_point)
        if x is None:
            return None
        y = self.pick_var(lambda t: t.requires_grad, recent=False)
        form = self.draw(st.sampled_from(AUTOGRAD_FORMS))
        return form.format(x=x, y=y, out=out)

    def loss(self, out):
        """Losses with weight / ignore_index / reduction combinations."""
        x = self.pick_var(lambda t: t.dtype.is_floating_point and 1 <= t.ndim <= 2 and t.numel() > 0)
        if x is None:
            return None
        t = self.step.torch_value(x)
        classes = t.shape[-1]
        batch = t.shape[0] if t.ndim == 2 else None
        target = self.draw(st.lists(st.integers(-1, classes), min_size=batch or 1,
                                    max_size=batch or 1))
        target_code = f"lib.tensor({target if batch else target[0]}, dtype=lib.int64)"
        weight_size = classes if self.draw(st.integers(0, 5)) else self.draw(st.integers(1, 5))
        weights = self.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 0.0]), min_size=weight_size,
                                     max_size=weight_size))
        options = []
        if self.draw(st.booleans()):
            options.append(f"weight=lib.tensor({weights}, dtype={x}.dtype)")
        if self.draw(st.booleans()):
            options.append(f"ignore_index={self.draw(st.sampled_from([-100, -1, 0, 1]))}")
        options.append(f"reduction='{self.draw(st.sampled_from(['mean', 'sum', 'none']))}'")
        kind = self.draw(st.sampled_from(["cross_entropy", "nll_loss", "smoothing", "bce",
                                          "bce_logits"]))
        F = "lib.nn.functional"
        if kind == "cross_entropy":
            return f"{out} = {F}.cross_entropy({x}, {target_code}, {', '.join(options)})"
        if kind == "nll_loss":
            return f"{out} = {F}.nll_loss({x}.log_softmax(-1), {target_code}, {', '.join(options)})"
        if kind == "smoothing":
            return (f"{out} = {F}.cross_entropy({x}, {target_code}, label_smoothing=0.2, "
                    f"{', '.join(options)})")
        options = [o for o in options if not o.startswith("ignore_index")]
        target = f"({x}.detach() > 0).to({x}.dtype)"
        if self.draw(st.integers(0, 5)) == 0:
            target = f"({x}.detach() > 0).long()"  # wrong dtype: both must refuse
        if kind == "bce":
            return f"{out} = {F}.binary_cross_entropy({x}.sigmoid(), {target}, {', '.join(options)})"
        return f"{out} = {F}.binary_cross_entropy_with_logits({x}, {target}, {', '.join(options)})"


SMALL_INT_SCALARS = ["300", "-1", "200", "-129", "2**40", "-(2**40)", "255", "-255", "-256",
                     "2**31", "70000"]
SMALL_INT_FORMS = ["{v} + {s}", "{s} + {v}", "{v} - {s}", "{s} - {v}", "{v} * {s}", "{v} == {s}",
                   "{v} < {s}", "{v} >= {s}", "{v} & {s}", "{v} // ({s} or 1)", "{v} % ({s} or 1)",
                   "{v} / {s}", "{v}.clone().add_({s})", "lib.full({shape}, {s}, dtype=lib.{dtype})",
                   "{v}.clone().fill_({s})", "lib.where({v} > 0, {v}, {s})",
                   "{v}.masked_fill({v} > 0, {s})", "lib.tensor([{s}], dtype=lib.{dtype})",
                   "{v} << 3", "{v} >> 1", "{v} ** 2"]
FLOAT16_REDUCTIONS = ["cumsum(0)", "sum()", "mean()", "std()", "var()", "norm()", "cumprod(0)",
                      "reshape(-1).cumsum(0)[-1:]", "amax()", "prod()"]
NAN_REDUCTIONS = ["sum({d})", "mean({d})", "max({d}).values", "min({d}).indices", "amax({d})",
                  "amin({d})", "argmax({d})", "argmin({d})", "prod({d})", "std({d})",
                  "var({d})", "norm(dim={d})", "logsumexp({d})", "cumsum({d})", "cumprod({d})",
                  "sort({d}).values", "sort(dim={d}, stable=True).indices",
                  "argsort(dim={d}, stable=True)", "sort(dim={d}, descending=True, stable=True).indices",
                  "max()", "min()", "sum()", "unique()", "softmax({d})", "log_softmax({d})",
                  "topk(1, {d}).values"]
# (not drawn: nansum, nanmean, median, cummax, cummin: minitorch lacks them, docs/deviations.md)
NAN_REDUCTIONS_0D = ["sum()", "max()", "argmax()", "std()", "sort().values", "unique()"]
HOOK_RESULTS = ["g * 2", "None", "g.double()", "g.float()", "1", "g.sum()", "g[None]",
                "g.detach()", "g.clone().zero_()"]
ATTRIBUTE_FORMS = ["{x}.requires_grad = True", "{x}.requires_grad = False",
                   "{x}.requires_grad_(True)", "{x}.requires_grad_(False)",
                   "{x}.grad = {y}.detach().clone()", "{x}.grad = None",
                   "{x}.grad = {y}.detach().double()", "{x}.data = {x}.detach() * 2",
                   "{x}.data = {x}.detach().long()",
                   "{x}.data.mul_(2)", "{x}.detach_()"]
AUTOGRAD_FORMS = [
    "({x} * {x}).sum().backward(inputs=[{y}], retain_graph=True)",
    "({x} * 2).sum().backward(inputs={y}, retain_graph=True)",
    "({x} * 2).sum().backward(inputs=[], retain_graph=True)",
    "lib.autograd.backward([({x} * 2).sum(), {x}.sum()], retain_graph=True)",
    "lib.autograd.backward([{x} * 2, {x}], [lib.ones_like({x})], retain_graph=True)",
    "{out} = lib.autograd.grad(({x} ** 2).sum(), {y}, retain_graph=True)[0]",
    "{out} = lib.autograd.grad(({x} ** 2).sum(), [{y}], retain_graph=True, allow_unused=True, materialize_grads=True)[0]",
    "{out} = lib.autograd.grad([({x} * 3).sum(), {x}.sum()], [{y}], retain_graph=True)[0]",
    "{out} = lib.autograd.grad({x}, {y}, grad_outputs=lib.ones_like({x}), retain_graph=True)[0]",
    "{out} = lib.autograd.grad(({x} ** 2).sum(), [{y}], create_graph=True)[0]",
    "{out} = lib.autograd.grad(({x} ** 2).sum(), [])",
    "{out} = lib.autograd.grad({x}, [{y}], retain_graph=True)[0]",
]


def _shape(draw, base: tuple) -> tuple:
    """A shape that broadcasts with ``base``: a suffix of it with some dims set to 1."""
    keep = draw(st.integers(0, len(base)))
    suffix = base[len(base) - keep:]
    return tuple(1 if draw(st.integers(0, 3)) == 0 else s for s in suffix)


@st.composite
def programs(draw) -> Program:
    """Draw the inputs of a program (its lines are drawn while it runs, by `draw_program`)."""
    ndim = draw(st.integers(0, 4))
    base = tuple(draw(st.lists(st.integers(0, 4) if draw(st.integers(0, 9)) == 0 else st.integers(1, 4),
                               min_size=ndim, max_size=ndim)))
    count = draw(st.integers(1, 3))
    inputs = []
    for i in range(count):
        shape = base if i == 0 else _shape(draw, base)
        dtype = draw(st.sampled_from(["float32", "float32", "float64", "int64"] if i else
                                     ["float32", "float64"]))
        if i and inputs[0].dtype == "float64" and dtype == "float32" and draw(st.booleans()):
            dtype = "float64"
        low, high = (-3, 3) if dtype == "int64" else draw(st.sampled_from([(-2.0, 2.0), (0.1, 2.0)]))
        inputs.append(Input(shape, dtype, low, high))
    return Program(inputs, [], draw(st.integers(0, 2**16)))


def draw_program(data, program: Program | None = None) -> Program:
    """Draw and run a program in lockstep (``data`` is hypothesis's ``st.data()``).

    Raises Mismatch on the first disagreement, Unsupported when minitorch deliberately
    does not implement a line PyTorch accepts."""
    program = program or data.draw(programs())
    step = Lockstep(program)
    drawer = _Drawer(data.draw, step)
    count = data.draw(st.integers(2, 8))
    kinds = ["unary", "binary", "view", "inplace", "reduction", "matmul", "join", "index",
             "small_int", "float16_reduction", "nan_reduction", "hook", "attribute",
             "autograd_call", "loss"]
    for i in range(count):
        out = f"v{len(step.names)}"
        line = None
        while line is None:
            kind = data.draw(st.sampled_from(kinds))
            line = getattr(drawer, kind)(out)
        program.lines.append(line)
        if step.run(line):
            return program
    step.backward()
    return program
