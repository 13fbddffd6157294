"""Issue 23, the last round: what the 10,000-program fuzz runs found, and the corners the fuzzer
had to leave out because minitorch was wrong there. Each case runs in PyTorch first (the spec)
and then in minitorch, which must compute the same values or raise PyTorch's exception type.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from tests.outcome_oracle import same_outcome


def same_outcomes(cases: dict, **tolerance) -> None:
    """``same_outcome`` for each of ``cases`` (description -> case), naming the failing one."""
    for description, case in cases.items():
        try:
            same_outcome(case, **tolerance.get(description, {}))
        except AssertionError as err:
            raise AssertionError(f"{description}: {err}") from None

RNG = np.random.default_rng(2323)
MATRIX = RNG.standard_normal((4, 3)).astype(np.float32)
ROW = RNG.standard_normal(3).astype(np.float32)
WEIGHTS = RNG.standard_normal((4, 3)).astype(np.float32)


# --- a view requires grad when its base does (PyTorch: requires_grad of a view reads its base) --

VIEWS = {
    "view": lambda b: b.view(-1),
    "slice": lambda b: b[1:],
    "transpose": lambda b: b.t(),
    "expand": lambda b: b[:1].expand(3, 3),
    "unsqueeze": lambda b: b.unsqueeze(0),
    "view_of_a_view": lambda b: b.t()[1:].unsqueeze(-1),
}


def _grads(lib, *tensors):
    """The .grad of each tensor (None where unset), read without the non-leaf warning."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [t.grad for t in tensors]


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("taken", ["before", "under_no_grad"])
def test_a_view_requires_grad_once_its_base_does(view, taken):
    """``v = a.view(..)`` then ``a.requires_grad_()``: v requires grad but stays a leaf with no
    edge to ``a`` (a product of it requires grad, and its backward reaches no one)."""
    def case(lib):
        base = lib.tensor(MATRIX)
        if taken == "before":
            v = VIEWS[view](base)
        else:
            with lib.no_grad():
                v = VIEWS[view](base)
        base.requires_grad_()
        product = v * 2
        flags = [v.requires_grad, v.is_leaf, product.requires_grad, product.is_leaf]
        product.sum().backward()
        return flags, _grads(lib, base, v)
    same_outcome(case)


@pytest.mark.parametrize("view", list(VIEWS))
def test_switching_the_base_off_again(view):
    def case(lib):
        base = lib.tensor(MATRIX)
        v = VIEWS[view](base)
        base.requires_grad = True
        base.requires_grad = False
        return v.requires_grad, (v * 2).requires_grad
    same_outcome(case)


@pytest.mark.parametrize("flag", [True, False])
def test_a_view_keeps_its_own_flag(flag):
    """The view's own flag: False cannot switch off what its base gives; True makes it a leaf
    that accumulates its own gradient."""
    def case(lib):
        base = lib.tensor(MATRIX)
        v = base[1:]
        base.requires_grad = True
        v.requires_grad = flag
        (v * lib.tensor(WEIGHTS[1:])).sum().backward()
        return v.requires_grad, _grads(lib, base, v)
    same_outcome(case)


@pytest.mark.parametrize("use", ["backward_of_the_view", "retain_grad", "hook"])
def test_using_a_view_without_history_as_a_root(use):
    def case(lib):
        base = lib.tensor(MATRIX)
        v = base.t()
        base.requires_grad_()
        if use == "backward_of_the_view":
            v.backward(lib.ones_like(v.detach()))
        elif use == "retain_grad":
            v.retain_grad()
            (v * 3).sum().backward()
        else:
            v.register_hook(lambda g: g * 2)
            (v * 3).sum().backward()
        return _grads(lib, base, v)
    same_outcome(case)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("written", ["no_grad", "with_a_grad_value"])
def test_a_view_taken_earlier_gets_a_history_when_its_base_is_written(view, written):
    """The base written in place after it started requiring grad: the earlier view's history
    is regenerated on top of the base's (AsStridedBackward0), so gradients reach the base."""
    def case(lib):
        base = lib.tensor(MATRIX) * 1 if written == "with_a_grad_value" else lib.tensor(MATRIX)
        v = VIEWS[view](base)
        w = lib.tensor(ROW, requires_grad=True)
        if written == "no_grad":
            base.requires_grad_()
            with lib.no_grad():
                base.mul_(2)
            leaf = base
        else:
            base.mul_(w)  # the base gains a history through w
            leaf = w
        out = v * 3
        flags = [v.requires_grad, v.is_leaf, out.requires_grad]
        out.sum().backward()
        return flags, _grads(lib, leaf)
    same_outcome(case)


def test_a_view_taken_under_no_grad_refuses_a_regenerated_history():
    def case(lib):
        p = lib.tensor(MATRIX, requires_grad=True)
        with lib.no_grad():
            v = p[1:]
            p.add_(1)
        (v * 2).sum().backward()
        return p.grad
    same_outcome(case)


# a row to write into each view (v[i] = row)
RNG_ROWS = {name: RNG.standard_normal(VIEWS[name](torch.tensor(MATRIX))[0].shape).astype(np.float32)
            for name in VIEWS}


@pytest.mark.parametrize("view", ["slice", "transpose", "view_of_a_view"])
@pytest.mark.parametrize("index", [0, -1])
def test_index_assignment_through_a_view_of_a_base_without_grad(view, index):
    """``v = a[...]; v[i] = w * 0.5`` with only w requiring grad: a and v both get histories
    (CopySlices, AsStridedBackward0) and the gradient reaches w through either."""
    def case(lib):
        base = lib.tensor(MATRIX)
        v = VIEWS[view](base)
        w = lib.tensor(RNG_ROWS[view], requires_grad=True)
        v[index] = w * 0.5
        flags = [v.requires_grad, v.is_leaf, base.requires_grad, base.is_leaf]
        (v * 2).sum().backward(retain_graph=True)
        first = w.grad.clone()
        (base * lib.tensor(WEIGHTS)).sum().backward()
        return flags, first, w.grad
    same_outcome(case)


@pytest.mark.parametrize("read_is_leaf_first", [False, True])
@pytest.mark.parametrize("switch", ["setter", "requires_grad_"])
def test_switching_requires_grad_off_on_a_written_view(switch, read_is_leaf_first):
    """PyTorch's check sees the view's history as last recorded: reading ``is_leaf``
    regenerates it, and only then is switching off refused."""
    def case(lib):
        base = lib.tensor(MATRIX)
        v = base[1:]
        v[0] = lib.tensor(ROW, requires_grad=True) * 0.5
        leaf = v.is_leaf if read_is_leaf_first else None
        if switch == "setter":
            v.requires_grad = False
        else:
            v.requires_grad_(False)
        return leaf, v.requires_grad
    same_outcome(case)


# --- alpha and value: numbers converted to the result's dtype (ops/scalar_arguments.py) -------

DTYPES = ["bool", "uint8", "int64", "float16", "float32"]
ALPHAS = [2, 0, -1, True, False, 1.5, 2.0, 300, 1e5, float("nan")]


def _tensor(lib, dtype: str, layout: str):
    """Random values of ``dtype``: a (4, 3) tensor, its transpose's transpose (permuted
    strides), or a row that broadcasts against it."""
    if layout == "row":
        values = ROW
    elif layout == "permuted":
        values = np.ascontiguousarray(MATRIX.T)
    else:
        values = MATRIX
    if dtype == "bool":
        values = values > 0
    elif dtype in ("uint8", "int64"):
        values = np.round(np.abs(values) * 3 if dtype == "uint8" else values * 3)
    t = lib.tensor(values.astype(dtype))
    return t.t() if layout == "permuted" else t


ALPHA_OPS = {
    "add": lambda lib, x, y, a: lib.add(x, y, alpha=a),
    "sub": lambda lib, x, y, a: lib.sub(x, y, alpha=a),
    "add_": lambda lib, x, y, a: x.clone().add_(y, alpha=a),
    "sub_": lambda lib, x, y, a: x.clone().sub_(y, alpha=a),
    "rsub": lambda lib, x, y, a: lib.rsub(x, y, alpha=a),
}


@pytest.mark.parametrize("alpha", ALPHAS, ids=repr)
@pytest.mark.parametrize("op", list(ALPHA_OPS))
def test_alpha_is_converted_to_the_result_dtype(op, alpha):
    """``add(bool, bool, alpha=2)`` stays bool; a float alpha is refused for integers, a bool
    one for anything but bools; 300 does not fit uint8 (PyTorch decides each, here)."""
    cases, tolerance = {}, {}
    for first in DTYPES:
        for second in DTYPES + ["int", "float", "bool_number"]:
            for layout in ("contiguous", "permuted", "row"):
                def case(lib, first=first, second=second, layout=layout):
                    x = _tensor(lib, first, "contiguous")
                    y = {"int": 2, "float": 2.5, "bool_number": True}.get(second)
                    if y is None:
                        y = _tensor(lib, second, layout)
                    return ALPHA_OPS[op](lib, x, y, alpha)
                name = f"{op}({first}, {second} {layout}, alpha={alpha!r})"
                if alpha == 1e5 and "float16" in (first, second) and "float32" not in (first, second):
                    continue  # a float16 result: a listed deviation (test below)
                cases[name] = case
                if "float16" in (first, second):
                    tolerance[name] = {"rtol": 1e-3, "atol": 1e-3}  # (float16: an ulp or two)
    same_outcomes(cases, **tolerance)


def test_alpha_with_a_gradient():
    """The converted alpha scales the gradient too (float64 other of a float32 sum)."""
    def case(lib):
        x = lib.tensor(MATRIX, requires_grad=True)
        y = lib.tensor(ROW.astype(np.float64), requires_grad=True)
        (lib.add(x, y, alpha=-0.5) * lib.tensor(WEIGHTS)).sum().backward()
        return x.grad, y.grad
    same_outcome(case, rtol=1e-6)


VALUES = [2, 0, -1.5, 1.5, True, 300, float("nan")]
VALUE_OPS = {
    "addcmul": lambda lib, x, a, b, v: lib.addcmul(x, a, b, value=v),
    "addcmul_": lambda lib, x, a, b, v: x.clone().addcmul_(a, b, value=v),
    "addcdiv": lambda lib, x, a, b, v: lib.addcdiv(x, a, b, value=v),
    "addcdiv_": lambda lib, x, a, b, v: x.clone().addcdiv_(a, b, value=v),
}


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("op", list(VALUE_OPS))
def test_value_is_converted_to_the_result_dtype(op, value):
    """``addcmul(int, int, int, value=1.5)`` scales by 1 (PyTorch truncates), bool has no
    kernel, 300 does not fit uint8."""
    cases, tolerance = {}, {}
    for dtypes in [(d, d, d) for d in DTYPES] + [("int64", "bool", "bool"), ("bool", "int64", "bool"),
                                                 ("int64", "int64", "float32"),
                                                 ("uint8", "int64", "uint8"), ("float32", "int64", "int64")]:
        def case(lib, dtypes=dtypes):
            x, a = _tensor(lib, dtypes[0], "contiguous"), _tensor(lib, dtypes[1], "permuted")
            b = _tensor(lib, dtypes[2], "row")
            if b.dtype.is_floating_point:
                b = b.abs() + 0.5  # (a divisor away from 0)
            return VALUE_OPS[op](lib, x, a, b, value)
        name = f"{op}{dtypes} value={value!r}"
        cases[name] = case
        # (x + value * t1 / t2 cancels near 0: float32 rounding; float16: an ulp or two)
        tolerance[name] = {"rtol": 1e-3, "atol": 1e-3} if "float16" in dtypes else {"atol": 1e-6}
    same_outcomes(cases, **tolerance)


WEIGHT_KINDS = {
    "int": lambda lib: 2, "float": lambda lib: 0.5, "bool": lambda lib: True,
    "0-d int": lambda lib: lib.tensor(1), "0-d float": lambda lib: lib.tensor(0.5),
    "0-d double": lambda lib: lib.tensor(0.5, dtype=lib.float64),
    "0-d uint8": lambda lib: lib.tensor(1, dtype=lib.uint8),
    "int row": lambda lib: lib.tensor([1, 0, 1]), "float row": lambda lib: lib.tensor(ROW),
}


@pytest.mark.parametrize("weight", list(WEIGHT_KINDS))
@pytest.mark.parametrize("inplace", [False, True])
def test_lerp_weights_and_dtypes(weight, inplace):
    """No integer lerp in PyTorch (NotImplementedError), in place or not; a 0-d float weight
    makes an out-of-place integer lerp a float one, which an in-place one cannot store."""
    cases = {}
    for first, second in [("int64", "int64"), ("uint8", "uint8"), ("int64", "float32"),
                          ("float32", "int64"), ("float32", "float32"), ("int64", "uint8")]:
        def case(lib, first=first, second=second):
            x, end = _tensor(lib, first, "contiguous"), _tensor(lib, second, "permuted")
            w = WEIGHT_KINDS[weight](lib)
            return x.clone().lerp_(end, w) if inplace else lib.lerp(x, end, w)
        cases[f"lerp{'_' if inplace else ''}({first}, {second}, {weight})"] = case
    same_outcomes(cases)


def test_an_alpha_beyond_float16_is_the_listed_deviation():
    """docs/deviations.md: PyTorch refuses an alpha that float16 cannot hold; minitorch
    computes with it (inf), on the accelerated in-place path as on the reference one."""
    for add in (lambda lib, x: lib.add(x, x, alpha=1e5), lambda lib, x: x.clone().add_(x, alpha=1e5)):
        with pytest.raises(RuntimeError, match="without overflow"):
            add(torch, torch.tensor(ROW, dtype=torch.float16))
        result = add(minitorch, minitorch.tensor(ROW, dtype=minitorch.float16))
        assert np.isinf(result.numpy()).all()


# --- found by the fuzzer once gradients were compared after a NaN -----------------------------

@pytest.mark.parametrize("later", ["backward", "backward_inputs_again", "grad"])
def test_backward_inputs_keeps_a_non_leafs_grad_from_then_on(later):
    """``backward(inputs=[y])`` with y a non-leaf makes y retain its gradient (PyTorch calls
    ``retain_grad()`` on it), so a later backward adds into ``y.grad`` too."""
    def case(lib):
        x = lib.tensor(MATRIX, requires_grad=True)
        y = x * 2
        y.add_(lib.tensor(ROW))
        loss = (y * y).sum()
        loss.backward(inputs=[y], retain_graph=True)
        first = y.grad.clone()
        w = lib.tensor(WEIGHTS)
        if later == "backward":
            (w * y).sum().backward()
        elif later == "backward_inputs_again":
            (w * y).sum().backward(inputs=[x])
        else:
            lib.autograd.grad((w * y).sum(), [x])
        return first, _grads(lib, x, y)
    same_outcome(case)


NAN = float("nan")
PRODUCTS = [[0.0, NAN, 0.0], [0.0, NAN, 2.0], [1.0, NAN, 2.0], [0.0, 0.0, 3.0], [NAN, 0.0, 0.0, 0.0],
            [float("inf"), 0.0, 0.0], [0.0], [NAN]]


@pytest.mark.parametrize("values", PRODUCTS, ids=str)
@pytest.mark.parametrize("form", ["all", "dim", "create_graph"])
def test_prod_backward_next_to_nan_and_zeros(values, form):
    """prod's gradient with two zeros is 0 even beside a NaN (PyTorch's shortcut for the full
    product), but not along a dim nor when create_graph records it."""
    def case(lib):
        data = np.array([values, values[::-1]], dtype=np.float32)
        x = lib.tensor(data.T if form == "dim" else data[0], requires_grad=True)
        y = x.prod(0) if form == "dim" else x.prod()
        grad, = lib.autograd.grad(y.sum(), [x], create_graph=form == "create_graph")
        return grad
    same_outcome(case)


HOOK_RESULTS = {"int": lambda g: 1, "doubled": lambda g: g * 2, "none": lambda g: None,
                "float64": lambda g: g.double(), "wrong shape": lambda g: g[None]}


@pytest.mark.parametrize("result", list(HOOK_RESULTS))
@pytest.mark.parametrize("root", ["leaf", "computed"])
def test_hooks_of_a_root_that_leads_to_no_input_still_run(root, result):
    """``autograd.grad(y, x)`` with y unrelated to x: PyTorch still runs the hooks of the
    root tensor y (a wrong result raises there) before it says x was not used."""
    def case(lib):
        x = lib.tensor(ROW, requires_grad=True)
        y = lib.tensor(MATRIX, requires_grad=True)
        if root == "computed":
            y = y * 2
        calls = []
        y.register_hook(lambda g: (calls.append(1), HOOK_RESULTS[result](g))[1])
        try:
            lib.autograd.grad(y, x, grad_outputs=lib.ones_like(y.detach()), retain_graph=True)
        except RuntimeError as err:  # (x unused: the same error in both, after the hooks)
            return calls, "unused" if "not have been used" in str(err) else str(err)[:30]
        return calls
    same_outcome(case)


@pytest.mark.parametrize("first", ["bool", "int64", "float32"])
def test_atan2_backward_with_a_mask_as_first_operand(first):
    """PyTorch's atan2 backward negates the first operand for the second's gradient: a bool
    mask there is refused (in backward), an integer tensor is not (found by the fuzzer)."""
    def case(lib):
        x = _tensor(lib, first, "contiguous")
        y = lib.tensor(np.abs(MATRIX) + 0.5, requires_grad=True)
        (lib.atan2(x, y) * lib.tensor(WEIGHTS)).sum().backward()
        return y.grad
    same_outcome(case)
