"""Issue 23's second round of learner mistakes: each case runs in PyTorch first (the spec) and
then in minitorch, which must compute the same values or raise PyTorch's exception type.
Numerics (accumulation) live in test_accumulation.py, Python ints meeting small int dtypes
in test_small_int_scalars.py."""
from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import torch

import minitorch
from tests.outcome_oracle import same_outcome

RNG = np.random.default_rng(23)
FLOATS = RNG.standard_normal((3, 4)).astype(np.float32)
INTS = RNG.integers(-5, 6, size=(3, 4))
MASK = RNG.random((3, 4)) > 0.5


# --- attribute assignment -----------------------------------------------------------------------

def _set_requires_grad(lib, data, flag, computed):
    x = lib.tensor(data, requires_grad=computed)
    target = x * 2 if computed else x
    target.requires_grad = flag
    return target.requires_grad


@pytest.mark.parametrize("data", [INTS, MASK, FLOATS], ids=["int64", "bool", "float32"])
@pytest.mark.parametrize("flag", [True, False])
def test_requires_grad_assignment_on_a_leaf(data, flag):
    same_outcome(lambda lib: _set_requires_grad(lib, data, flag, computed=False))


@pytest.mark.parametrize("flag", [True, False])
def test_requires_grad_assignment_on_a_non_leaf(flag):
    same_outcome(lambda lib: _set_requires_grad(lib, FLOATS, flag, computed=True))


@pytest.mark.parametrize("computed,retain,backward", [(True, False, False), (True, True, True),
                                                      (False, False, True)])
def test_reading_grad_of_a_non_leaf_warns(computed, retain, backward):
    """PyTorch warns (UserWarning) when the .grad of a non-leaf is read while unset."""
    def warned(lib):
        x = lib.tensor(FLOATS, requires_grad=True)
        y = x * 2 if computed else x
        if retain:
            y.retain_grad()
        if backward:
            y.sum().backward()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y.grad  # noqa: B018 - reading it is the test
        return [str(w.category.__name__) for w in caught]
    assert warned(minitorch) == warned(torch)


def test_int_gradient_cannot_reach_an_optimizer():
    def step(lib):
        x = lib.tensor(INTS)
        x.requires_grad = True
        return x
    same_outcome(step)


# --- autograd argument forms -----------------------------------------------------------------

@pytest.mark.parametrize("n_grads", [0, 1, 3])
def test_backward_with_a_wrong_number_of_gradients(n_grads):
    def case(lib):
        a = lib.tensor(FLOATS[0], requires_grad=True)
        lib.autograd.backward([a * 2, a * 3], [lib.ones(4)] * n_grads or None)
        return a.grad
    same_outcome(case)


@pytest.mark.parametrize("permuted", [False, True])
def test_backward_inputs_may_be_non_leaves(permuted):
    def case(lib):
        a = lib.tensor(FLOATS, requires_grad=True)
        b = (a.t() if permuted else a) * 2
        c = b.exp()
        (c * lib.tensor(FLOATS.T.copy() if permuted else FLOATS)).sum().backward(inputs=[b, a])
        return b.grad, a.grad
    same_outcome(case)


@pytest.mark.parametrize("form", ["grad_empty", "backward_empty", "tensor_backward_empty"])
def test_empty_inputs_are_rejected(form):
    def case(lib):
        x = lib.tensor(FLOATS, requires_grad=True)
        y = (x * 2).sum()
        if form == "grad_empty":
            return lib.autograd.grad(y, [])
        if form == "backward_empty":
            return lib.autograd.backward(y, inputs=[])
        return y.backward(inputs=[])
    same_outcome(case)


# --- hooks that return wrong things -----------------------------------------------------------

HOOK_RESULTS = {
    "float64": lambda lib, g: g.double(),
    "int": lambda lib, g: 1,
    "wrong_shape": lambda lib, g: lib.ones(g.shape[0] + 1),
    "list": lambda lib, g: [g],
    "doubled": lambda lib, g: g * 2,
    "none": lambda lib, g: None,
}


@pytest.mark.parametrize("name", sorted(HOOK_RESULTS))
@pytest.mark.parametrize("on_leaf", [True, False])
def test_hook_results_are_checked(name, on_leaf):
    def case(lib):
        x = lib.tensor(FLOATS[0], requires_grad=True)
        y = x if on_leaf else x * 3
        y.register_hook(lambda g: HOOK_RESULTS[name](lib, g))
        (y * y).sum().backward()
        return x.grad
    error = same_outcome(case)
    if isinstance(error, Exception):
        assert "<lambda>" in str(error), "the message names the hook"


# --- losses -----------------------------------------------------------------------------------

@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("weight_size", [2, 4, 5])
@pytest.mark.parametrize("target_kind", ["indices", "probabilities"])
def test_class_weight_must_cover_every_class(loss, weight_size, target_kind):
    logits = RNG.standard_normal((3, 4)).astype(np.float32)
    weight = RNG.random(weight_size).astype(np.float32)
    indices = np.array([0, 3, 1])
    probabilities = np.abs(RNG.standard_normal((3, 4))).astype(np.float32)

    def case(lib):
        target = lib.tensor(indices if target_kind == "indices" else probabilities)
        return getattr(lib.nn.functional, loss)(lib.tensor(logits), target, weight=lib.tensor(weight))
    same_outcome(case, rtol=1e-5)


@pytest.mark.parametrize("target_dtype", ["int64", "float64", "float32"])
def test_binary_cross_entropy_target_dtype(target_dtype):
    probabilities = RNG.random(5).astype(np.float32)
    target = RNG.integers(0, 2, 5).astype(target_dtype)
    same_outcome(lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor(probabilities), lib.tensor(target)), rtol=1e-5)


def test_cross_entropy_on_int_logits():
    same_outcome(lambda lib: lib.nn.functional.cross_entropy(lib.tensor(INTS), lib.tensor([0, 1, 2])))


@pytest.mark.parametrize("channels,weight", [(6, 4), (4, 4), (5, 4)])
def test_group_norm_channel_count(channels, weight):
    x = RNG.standard_normal((2, channels, 3)).astype(np.float32)
    w = RNG.standard_normal(weight).astype(np.float32)
    same_outcome(lambda lib: lib.nn.functional.group_norm(lib.tensor(x), 2, lib.tensor(w)),
                 rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kernel", [(0, 0), (0, 2), (2, 2)])
def test_conv2d_kernel_size(kernel):
    x = RNG.standard_normal((1, 1, 3, 3)).astype(np.float32)
    w = RNG.standard_normal((1, 1) + kernel).astype(np.float32)
    same_outcome(lambda lib: lib.nn.functional.conv2d(lib.tensor(x), lib.tensor(w)), rtol=1e-5)


@pytest.mark.parametrize("betas", [(0.9,), (0.9, 0.99), (0.9, 0.99, 0.5), 0.9])
@pytest.mark.parametrize("optimizer", ["Adam", "AdamW"])
def test_adam_betas_must_be_a_pair(betas, optimizer):
    same_outcome(lambda lib: len(getattr(lib.optim, optimizer)(
        [lib.ones(2, requires_grad=True)], betas=betas).param_groups))


# --- bool, int and float dtypes without a kernel ---------------------------------------------------

BOOL_CASES = {
    "int_minus_bool": lambda lib: lib.tensor(INTS) - lib.tensor(MASK),
    "bool_minus_int": lambda lib: lib.tensor(MASK) - lib.tensor(INTS),
    "bool_minus_scalar": lambda lib: lib.tensor(MASK) - 1,
    "scalar_minus_bool": lambda lib: 1.5 - lib.tensor(MASK),
    "sub_alpha": lambda lib: lib.sub(lib.tensor(INTS), lib.tensor(MASK), alpha=2),
    "remainder": lambda lib: lib.remainder(lib.tensor(MASK), lib.tensor(MASK[::-1].copy())),
    "remainder_scalar": lambda lib: lib.remainder(lib.tensor(MASK), 1),
    "fmod": lambda lib: lib.fmod(lib.tensor(MASK), lib.tensor(MASK)),
    "floordiv": lambda lib: lib.tensor(MASK) // lib.tensor(MASK),
    "pow": lambda lib: lib.pow(lib.tensor(MASK), lib.tensor(MASK)),
    "pow_scalar": lambda lib: lib.tensor(MASK) ** 2,
    "floor": lambda lib: lib.floor(lib.tensor(MASK)),
    "ceil": lambda lib: lib.ceil(lib.tensor(MASK)),
    "round": lambda lib: lib.round(lib.tensor(MASK)),
    "trunc": lambda lib: lib.trunc(lib.tensor(MASK)),
    "floor_int": lambda lib: lib.floor(lib.tensor(INTS)),
    "argmax": lambda lib: lib.argmax(lib.tensor(MASK)),
    "argmin_dim": lambda lib: lib.argmin(lib.tensor(MASK), 1),
    "argmax_empty": lambda lib: lib.argmax(lib.tensor([])),
    "argmax_empty_dim": lambda lib: lib.zeros(0, 3).argmax(1),
    "lerp_int": lambda lib: lib.lerp(lib.tensor(INTS), lib.tensor(INTS.T.copy()).t(), 0.5),
    "lerp_int_tensor_weight": lambda lib: lib.lerp(lib.tensor(INTS), lib.tensor(INTS),
                                                   lib.tensor(0.25)),
    "invert_float": lambda lib: ~lib.tensor(FLOATS),
    "bitwise_not_float": lambda lib: lib.bitwise_not(lib.tensor(FLOATS)),
    "invert_int": lambda lib: ~lib.tensor(INTS),
    "div_round": lambda lib: lib.div(lib.tensor(FLOATS), 3, rounding_mode="round"),
}


@pytest.mark.parametrize("name", sorted(BOOL_CASES))
def test_dtypes_without_a_kernel(name):
    same_outcome(BOOL_CASES[name])


POWERS = {
    "int_tensor_exponent": lambda lib, b, e: b ** e,
    "scalar_base": lambda lib, b, e: 2 ** e,
    "negative_scalar_base": lambda lib, b, e: (-3) ** e,
    "pow_function": lambda lib, b, e: lib.pow(b, e.t().t()),
    "broadcast": lambda lib, b, e: b[:1] ** e,
    "negative_scalar_exponent": lambda lib, b, e: b ** -1,
    "float_base": lambda lib, b, e: b.float() ** e,
}


@pytest.mark.parametrize("name", sorted(POWERS))
def test_integer_powers(name):
    base = RNG.integers(-3, 4, size=(2, 6))
    exponent = RNG.integers(-3, 4, size=(2, 6))
    same_outcome(lambda lib: POWERS[name](lib, lib.tensor(base), lib.tensor(exponent)), rtol=1e-6)


SHIFTS = {
    "left_scalar": lambda lib, a, s: a << 2,
    "right_tensor": lambda lib, a, s: a >> s,
    "left_tensor": lambda lib, a, s: a << s,
    "reflected": lambda lib, a, s: 3 << s,
    "functions": lambda lib, a, s: lib.bitwise_right_shift(a, 1) + lib.bitwise_left_shift(a, s),
    "int8": lambda lib, a, s: a.to(lib.int8) << s.to(lib.int8),
    "uint8_right": lambda lib, a, s: a.abs().to(lib.uint8) >> 3,
    "float": lambda lib, a, s: a.float() << 1,
    "bools": lambda lib, a, s: (a > 0) << (s > 0),
}


@pytest.mark.parametrize("name", sorted(SHIFTS))
def test_shifts(name):
    values = RNG.integers(-100, 100, size=(3, 5))
    amounts = RNG.integers(-2, 70, size=(3, 5))
    same_outcome(lambda lib: SHIFTS[name](lib, lib.tensor(values), lib.tensor(amounts)))


# --- indexing -----------------------------------------------------------------------------------

INDEXING = {
    "float_slice_start": lambda x: x[1.0:3],
    "float_slice_step": lambda x: x[::1.0],
    "two_ellipses": lambda x: x[..., ...],
    "ellipsis_int_ellipsis": lambda x: x[..., 0, ...],
    "int_ellipsis_int_ellipsis": lambda x: x[0, ..., 1, ...],
    "ellipsis_none_ellipsis": lambda x: x[..., None, ...],
    "string_key": lambda x: x["a"],
    "string_in_tuple": lambda x: x[None, "a"],
    "float_key": lambda x: x[1.0],
}


@pytest.mark.parametrize("name", sorted(INDEXING))
def test_indexing_keys(name):
    data = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    same_outcome(lambda lib: INDEXING[name](lib.tensor(data)))


@pytest.mark.parametrize("value", ["a", b"a", None, [1], (1,), 1.5, 300, -1, -256])
@pytest.mark.parametrize("dtype", ["int64", "uint8"])
def test_assigning_a_value(value, dtype):
    def case(lib):
        x = lib.tensor(INTS[0] % 7, dtype=getattr(lib, dtype))
        x[1] = value
        return x
    same_outcome(case)


@pytest.mark.parametrize("sections", [3, 1, 9, [5, 2, 9], [1, 3], [], 0, -1])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_tensor_split(sections, dim):
    data = RNG.standard_normal((7, 4)).astype(np.float32)

    def case(lib):
        x = lib.tensor(data, requires_grad=True)
        pieces = lib.tensor_split(x, sections, dim)
        sum(((p * p).sum() for p in pieces), lib.zeros(())).backward()
        return [p.detach() for p in pieces] + [x.grad, len(pieces)]
    same_outcome(case)


@pytest.mark.parametrize("shape,dim,size,step", [((7,), 0, 3, 2), ((2, 5, 3), 1, 2, 1),
                                                 ((2, 5, 3), -1, 3, 3), ((4, 3), 0, 4, 1),
                                                 ((4, 3), 0, 5, 1), ((4, 3), 1, 0, 1),
                                                 ((4, 3), 0, 2, 0), ((), 0, 1, 1)])
def test_unfold(shape, dim, size, step):
    data = RNG.standard_normal(shape).astype(np.float32)

    def case(lib):
        x = lib.tensor(data, requires_grad=True)
        y = x.unfold(dim, size, step)
        weights = lib.tensor(np.arange(y.numel(), dtype=np.float32).reshape(tuple(y.shape)))
        (y * weights).sum().backward()
        return y.detach(), x.grad
    same_outcome(case, rtol=1e-6)


# --- values -----------------------------------------------------------------------------------

def test_erf_keeps_float16():
    data = RNG.standard_normal(20).astype(np.float16)
    same_outcome(lambda lib: lib.erf(lib.tensor(data)), rtol=1e-3)


@pytest.mark.parametrize("flags", [(False, False), (True, True)])
def test_unique_keeps_every_nan(flags):
    data = RNG.integers(0, 3, 12).astype(np.float32)
    data[RNG.random(12) > 0.6] = np.nan
    same_outcome(lambda lib: lib.unique(lib.tensor(data), return_inverse=flags[0],
                                        return_counts=flags[1]))


def test_data_written_between_forward_and_backward():
    """PyTorch's .data has its own version counter: the write goes unnoticed."""
    def case(lib):
        x = lib.tensor(FLOATS, requires_grad=True)
        y = x * x
        x.data.mul_(10)
        y.sum().backward()
        return x.grad
    same_outcome(case)


@pytest.mark.parametrize("make", ["x[2:]", "x.view(2, 3)", "x[::2]", "x.view(2, 3).t()"])
@pytest.mark.parametrize("view_first", [False, True])
def test_saved_view_shares_with_its_base_after_load(make, view_first):
    def case(lib):
        x = lib.tensor(RNG.standard_normal(6).astype(np.float32))
        v = eval(make)  # noqa: S307 - a fixed list of view expressions
        saved = {"v": v, "x": x} if view_first else {"x": x, "v": v}
        buffer = io.BytesIO()
        lib.save(saved, buffer)
        buffer.seek(0)
        loaded = lib.load(buffer)
        loaded["x"].fill_(7.0)
        return loaded["v"]
    same_outcome(case)


CREATION = {
    "string_dtype": lambda lib: lib.zeros(2, dtype="float32"),
    "string_data": lambda lib: lib.tensor(["a"]),
    "string_scalar": lambda lib: lib.tensor("a"),
    "huge": lambda lib: lib.zeros(10**13),
    "expand_negative": lambda lib: lib.ones(3).expand(-2, 3),
    "view_minus_one_zero": lambda lib: lib.ones(2, 3).view(-1, 0),
    "view_empty_minus_one_zero": lambda lib: lib.ones(0, 3).view(-1, 0),
}


@pytest.mark.parametrize("name", sorted(CREATION))
def test_creation_mistakes(name):
    error = same_outcome(CREATION[name])
    if name == "view_minus_one_zero":
        assert "invalid for input of size 6" in str(error)


# --- found by the fuzzer's new generators (tests/fuzz_programs.py) -----------------------------

FUZZ_FOUND = {
    "int_floordiv_by_zero": lambda lib: lib.tensor(INTS) // lib.tensor(INTS.T.copy()).t(),
    "int_remainder_by_zero": lambda lib: lib.remainder(lib.tensor(INTS), 0),
    "int_fmod_by_zero": lambda lib: lib.fmod(lib.tensor(INTS), lib.tensor(INTS)),
    "uint8_floordiv_by_wrapped_zero": lambda lib: lib.tensor([3, 4], dtype=lib.uint8) // 256,
    "int_div_trunc_by_zero": lambda lib: lib.div(lib.tensor(INTS), 0, rounding_mode="trunc"),
    "float_floordiv_by_zero": lambda lib: lib.tensor(FLOATS) // 0,
    "python_float_remainder": lambda lib: 2.5 % lib.tensor(INTS),
    "detach_a_view_in_place": lambda lib: lib.tensor(FLOATS)[1:].detach_(),
    "inplace_on_a_view_of_a_leaf_switched_off": lambda lib: _view_of_switched_leaf(lib),
    "bool_matmul": lambda lib: lib.tensor(MASK) @ lib.tensor(MASK.T.copy()),
    "bool_dot": lambda lib: lib.matmul(lib.tensor(MASK[0]), lib.tensor(MASK[1])),
    "bool_batched_matmul_float": lambda lib: lib.tensor(MASK[None]) @ lib.tensor(FLOATS.T.copy()),
    "float_matmul_bool": lambda lib: lib.tensor(FLOATS) @ lib.tensor(MASK.T.copy()),
    "bce_weight_larger_than_input": lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor([0.3]), lib.tensor([1.0]), weight=lib.ones(2)),
    "bce_logits_pos_weight_larger": lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.tensor([0.3]), lib.tensor([1.0]), pos_weight=lib.ones(2)),
    "bce_logits_pos_weight_mismatched": lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.tensor([0.3, 0.1]), lib.tensor([1.0, 0.0]), pos_weight=lib.ones(3)),
    "bce_weight_broadcast": lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor(FLOATS).sigmoid(), lib.tensor(FLOATS > 0).float(), weight=lib.tensor(FLOATS[0])),
    "python_int_floordiv": lambda lib: 7 // lib.tensor(INTS[0] % 3 + 1),
    "empty_int_floordiv_by_wrapped_zero": lambda lib: lib.zeros(0, 2, dtype=lib.int8) // 2**40,
    "bce_nan_probability": lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor(np.where(MASK, np.nan, 0.5).astype(np.float32)), lib.tensor(FLOATS > 0).float()),
    "bce_with_logits_long_target": lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.tensor(FLOATS), lib.tensor(INTS > 0).long()),
    "data_set_to_int_on_requires_grad": lambda lib: setattr(
        lib.tensor(FLOATS, requires_grad=True), "data", lib.tensor(INTS)),
    "data_set_to_other_shape": lambda lib: _data_swapped(lib),
    "nll_ignored_nan_sample": lambda lib: lib.nn.functional.nll_loss(
        lib.tensor(np.where(MASK, np.nan, FLOATS)[:, :3].copy()), lib.tensor(np.where(
            MASK[:, 0], -1, 1)), ignore_index=-1, reduction="sum"),
    "requires_grad_switched_off_after_forward": lambda lib: _switched_off(lib),
    "cross_entropy_every_sample_ignored": lambda lib: _every_sample_ignored(lib),
}


def _every_sample_ignored(lib):
    x = lib.tensor(FLOATS, requires_grad=True)
    loss = lib.nn.functional.cross_entropy(x, lib.tensor([-1, -1, -1]), ignore_index=-1)
    loss.exp().backward()  # (a NaN gradient arrives: the input's is still 0)
    return loss.detach(), x.grad


def _view_of_switched_leaf(lib):
    x = lib.tensor(FLOATS, requires_grad=True)
    view = x.reshape(-1)
    x.requires_grad = False
    return view.zero_()


def _switched_off(lib):
    """PyTorch's AccumulateGrad skips a leaf that no longer requires grad."""
    x = lib.tensor(FLOATS, requires_grad=True)
    w = lib.tensor(FLOATS, requires_grad=True)
    y = (x * w).sum()
    x.requires_grad = False
    y.backward()
    return x.grad is None, w.grad


def _data_swapped(lib):
    x = lib.tensor(FLOATS, requires_grad=True)
    x.data = lib.tensor(FLOATS[:2].copy())
    return x.detach(), x.requires_grad


@pytest.mark.parametrize("name", sorted(FUZZ_FOUND))
def test_found_by_the_fuzzer(name):
    same_outcome(FUZZ_FOUND[name])


@pytest.mark.parametrize("requires_grad", [True, False])
def test_unique_of_a_tensor_that_requires_grad(requires_grad):
    """PyTorch's unique result requires grad, and its backward says it is not implemented."""
    def case(lib):
        x = lib.tensor(INTS[0].astype(np.float32), requires_grad=requires_grad)
        u = lib.unique(x)
        flags = (u.requires_grad, None if u.grad_fn is None else u.grad_fn.name())
        if requires_grad:
            u.sum().backward()
        return u, flags
    same_outcome(case)


@pytest.mark.parametrize("form", ["list", "tensor"])
def test_backward_inputs_stops_at_a_non_leaf(form):
    """backward(inputs=[y]) runs only the nodes leading to y: a tensor saved further back
    and modified in place since does not matter (found by the fuzzer)."""
    def case(lib):
        x = lib.tensor(FLOATS[0], requires_grad=True)
        y = x.exp()  # ExpBackward0 saves its output...
        z = y * 1
        y.add_(1)  # ...which changes here
        w = z + 2
        (w * 2).sum().backward(inputs=[z] if form == "list" else z)
        return z.grad, x.grad
    same_outcome(case)
