"""One test per mismatch the differential fuzzer (scripts/fuzz.py) found: each is the minimal
program hypothesis shrank it to, replayed in minitorch and PyTorch (tests/fuzz_programs.py),
plus a direct assertion of the behaviour that was wrong. The docstring says what it was."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from fuzz_programs import Input, Program, check_program

F32 = "float32"


def replay(inputs, lines, seed=0):
    check_program(Program([Input(*i) if isinstance(i, tuple) else i for i in inputs], lines, seed))


def test_reduction_dim_out_of_range_on_0d():
    """`(0,) @ (0,)` is 0-d; `mean(dim=1)` on it ran in minitorch (dims of 0-d tensors were
    not checked), PyTorch raises IndexError."""
    replay([((0,), F32)], ["v1 = v0 @ v0", "v2 = v1.mean(dim=1, keepdim=False)"])
    with pytest.raises(IndexError, match=r"range of \[-1, 0\], but got 1"):
        minitorch.tensor(1.0).sum(dim=1)


def test_setitem_checks_the_key_before_the_leaf_rule():
    """`leaf[0] = ...` on an empty leaf: PyTorch raises IndexError (bad key), minitorch raised
    the leaf-in-place RuntimeError first."""
    replay([((0, 0, 0, 0), F32)], ["v0[0] = v0 * 0.5"])


def test_amax_of_empty_tensor_without_dim():
    """`amax()` of an empty tensor: PyTorch raises RuntimeError asking for a dim, minitorch
    raised IndexError."""
    replay([((0,), F32)], ["v1 = v0.exp()", "v2 = v0.amax()"])
    with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
        minitorch.zeros(0).amin()


@pytest.mark.parametrize("dtype", [F32, "int64"])
def test_add_number_with_alpha(dtype):
    """`x.add(0.5, alpha=2)`: minitorch crashed with AttributeError (the scaled number was
    wrapped as a broken tensor)."""
    replay([((), F32), ((), dtype, -3, 3)], ["v2 = v0.add(2, alpha=2)", "v3 = v1.add(0.5, alpha=2)",
                                             "v4 = v1.sub(3, alpha=2)"])


def test_inplace_partial_overlap_is_refused():
    """`v2 = v1.flatten(); v2.add_(v1)`: the input partly overlaps the written memory; PyTorch
    refuses (RuntimeError), minitorch ran."""
    replay([((), F32), ((), "int64", -3, 3)], ["v2 = v1.flatten()", "v2.add_(v1)"])
    replay([((4,), F32)], ["v1 = v0 * 1", "v1[:3].add_(v1[1:])"])
    replay([((4,), F32)], ["v1 = v0 * 1", "v1[:2] = v1[1:3]"])
    replay([((2, 2), F32)], ["v1 = v0 * 1", "v2 = v1.add_(v1)", "v3 = v1.add_(v1.t())"])


def test_index_select_on_empty_dim():
    """`index_select` along a size-0 dim with a non-empty index: PyTorch raises RuntimeError
    ("self indexing axis dim should be positive"), minitorch IndexError."""
    replay([((0, 0, 0, 0), F32)], ["v1 = v0.reshape((0, 0, 0, 0))",
                                   "v2 = v1.index_select(0, lib.tensor([0, 0], dtype=lib.int64))"])


def test_where_backward_does_not_leak_nan_from_the_branch_not_taken():
    """`log(where(x > 0, x, 0))`: the gradient of log at the masked 0 is inf; where's backward
    multiplied it by 0 (NaN) instead of selecting 0, so x.grad had NaN where PyTorch has 0."""
    replay([((2,), F32), ((), F32)], ["v2 = v0.exp()", "v3 = lib.where(v0 > 0, v0, lib.zeros_like(v0))",
                                      "v4 = v3.log()"])
    x = minitorch.tensor([-1.0, 2.0], requires_grad=True)
    minitorch.where(x > 0, x, 0.0).log().sum().backward()
    assert np.array_equal(x.grad.numpy(), [0.0, 0.5])


def test_setitem_value_with_extra_leading_dims_backward():
    """`v1[0] = v0 * 0.5` with v0 of shape (1, 1, 0): the value has one more leading 1-dim
    than the written region; sum_to_shape could not reduce a gradient to a shape with more
    dims, so backward raised RuntimeError (PyTorch ran). Also for non-empty shapes."""
    replay([((1, 1, 0), F32)], ["v1 = v0.abs()", "v1[0] = v0 * 0.5"])
    replay([((1, 1, 3), F32), ((2, 2, 3), F32)], ["v2 = v1 * 1", "v2[0] = v0 * 0.5"])


def test_gradient_is_cast_to_each_input_dtype():
    """`v0 (float64) + v1 @ v1.T (float32)`: the float64 gradient of the sum reached the float32
    matmul's backward, which refused to mix dtypes (RuntimeError); PyTorch's engine casts
    each gradient to its input's dtype. Leaves got gradients of the wrong dtype too."""
    replay([((2, 2), "float64"), ((2, 2), F32)], ["v2 = v1 @ v1.transpose(-1, -2)", "v3 = v0 + v2"])
    a = minitorch.ones(2, dtype=minitorch.float64, requires_grad=True)
    b = minitorch.ones(2, requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.dtype == minitorch.float64 and b.grad.dtype == minitorch.float32


def test_index_select_on_empty_1d():
    """`index_select` on a 1-D empty tensor: PyTorch raises IndexError (its bounds error),
    not the RuntimeError it gives for an empty dim of a tensor of more dims."""
    replay([((0,), F32)], ["v1 = v0.index_select(0, lib.tensor([0, 0], dtype=lib.int64))"])


def test_index_arrays_into_an_empty_tensor_are_not_bounds_checked():
    """`v1[tensor([0, 0, 0, 0, 1])]` with v1 of shape (1, 0): nothing is read, and PyTorch
    returns an empty (5, 0) tensor; minitorch raised IndexError."""
    replay([((0, 0), F32), ((1, 0), F32)], ["v2 = v1[lib.tensor([0, 0, 0, 0, 1], dtype=lib.int64)]",
                                            "v3 = v1[:, lib.tensor([], dtype=lib.int64)]"])
    with pytest.raises(IndexError, match="out of bounds"):  # the indexed dim itself is empty
        minitorch.zeros(0)[minitorch.tensor([0])]


def test_full_min_backward_selects_instead_of_multiplying():
    """`sqrt(v0.min())` of a negative minimum: the NaN gradient reached every element of v0
    (mask * NaN); PyTorch's min()/max() backward selects, so the others get 0. (amin/amax do
    multiply in PyTorch, NaN everywhere; both are kept.)"""
    replay([((2,), F32)], ["v1 = v0.min()", "v2 = v1.flatten()", "v3 = v0.reshape((2,))",
                           "v4 = v1.sqrt()"])
    replay([((3,), F32)], ["v1 = v0 * 1", "v1[0] = -1.0", "v2 = v1.amin().sqrt()"])


def test_relu_backward_gives_zero_not_nan_for_an_infinite_gradient():
    """`relu_` then `log`: log's gradient at relu's 0 is inf, and ReLU's backward multiplied
    it by the 0 mask (NaN) where PyTorch gives 0."""
    replay([((1,), F32)], ["v1 = v0.exp()", "v2 = v0 + 2", "v2.add_(v0)", "v2.relu_()", "v3 = v2.log()"],
           seed=3)
    x = minitorch.tensor([-1.0, 2.0], requires_grad=True)
    minitorch.relu(x).log().sum().backward()
    assert np.array_equal(x.grad.numpy(), [0.0, 0.5])


def test_output_saved_by_an_inplace_op_is_version_checked():
    """`v1.relu_(); v1.add_(v0)`: relu_ saves its output, which add_ then modifies; PyTorch's
    backward refuses (version 2, expected 1), minitorch's saved copy escaped the check."""
    replay([((0,), F32)], ["v1 = v0.abs()", "v1.relu_()", "v1.add_(v0)"])
    replay([((3,), F32)], ["v1 = v0 * 1", "v1.exp_()", "v1.mul_(2)"])
    x = minitorch.ones(2, requires_grad=True)
    y = x * 1
    y.sigmoid_()
    y.add_(1)
    with pytest.raises(RuntimeError, match="is at version 2; expected version 1"):
        y.sum().backward()


def test_matmul_batch_dims_that_do_not_broadcast():
    """`(0, 0, 2) @ (0, 2, 0, 2)`: batch dims (0,) and (0, 2) do not broadcast; minitorch
    raised NumPy's ValueError, PyTorch a RuntimeError naming the sizes."""
    replay([((0, 0, 2), F32), ((), F32)], ["v2 = lib.stack([v0, v0], dim=1)", "v2.add_(v1)",
                                           "v3 = v0 @ v2"])


def test_view_taken_before_its_base_changed_gets_the_base_s_history():
    """`v3 = v2.reshape(...)` then `v2.add_(v0)`: PyTorch rebases the view's history onto the
    modified base; minitorch once kept v3's old history and returned a gradient without the
    add_ contribution (0.70 where PyTorch has 1.34), then refused it (NotImplementedError).
    Now the view's history is regenerated (AsStridedBackward0), as in PyTorch."""
    replay([((1, 1), F32)], ["v1 = v0 @ v0.transpose(-1, -2)", "v2 = v1.reshape((1, 1))",
                             "v1.add_(v0)", "v3 = v2 * 2"])


def test_inplace_on_a_view_of_a_tensor_without_grad():
    """`v2 = v1[0]; v2.add_(w)` with v1 not requiring grad and w requiring it: PyTorch makes v1
    require grad (CopySlices); minitorch once left v1 without history (its gradient to w
    silently lost), then refused it. Now v1 gets the CopySlices history."""
    replay([((2, 3), F32), ((3,), F32)], ["v2 = v0.detach() * 1", "v2[0].add_(v1)", "v3 = v2 * v2"])


def test_cat_of_only_empty_1d_tensors_accepts_any_dim():
    """`cat([v0, v0, v0 * 2], dim=1)` with v0 of shape (0,): PyTorch skips empty 1-D inputs
    (a legacy rule) and, when nothing is left, checks no dim; minitorch raised IndexError."""
    replay([((0,), F32)], ["v1 = lib.cat([v0, v0, v0 * 2], dim=1)", "v2 = lib.cat([v0, v0], dim=-2)"])


def test_amax_checks_empty_dims_before_repeated_dims():
    """`amax(dim=(0, 0))` of a (0, 1) tensor: PyTorch reports the empty dim (IndexError),
    minitorch the repeated dim (RuntimeError)."""
    replay([((0, 0), F32), ((1, 1), "int64", -3, 3)], ["v2 = v1[lib.tensor([], dtype=lib.int64)]",
                                                       "v3 = v2.amax(dim=(0, 0), keepdim=True)"])


def test_relu_backward_passes_the_gradient_of_a_nan():
    """`relu(log(v0))` with a negative v0: relu(NaN) is NaN, and PyTorch's backward passes the
    gradient wherever the result is not <= 0 (so also at NaN); minitorch's `result > 0` mask
    dropped it (0 where PyTorch has -0.11)."""
    replay([((2,), F32)], ["v1 = v0.log()", "v2 = lib.relu(v1)"])
    x = minitorch.tensor([-1.0, 2.5], requires_grad=True)
    minitorch.relu(x.log()).backward(minitorch.ones(2))
    assert np.allclose(x.grad.numpy(), [-1.0, 0.4])


_NAN_INPUT = np.array([-2.0, -0.5, 0.0, 0.5, 2.0, np.nan], dtype=np.float32)
_INF_GRAD = np.array([1.0, np.inf, 1.0, -np.inf, 2.0, 1.0], dtype=np.float32)


@pytest.mark.parametrize("name, args", [
    ("relu", ()), ("relu6", ()), ("hardtanh", ()), ("elu", ()), ("selu", ()), ("celu", ()),
    ("hardshrink", ()), ("softshrink", ()), ("hardswish", ()), ("hardsigmoid", ()),
    ("leaky_relu", ()), ("threshold", (0.1, 20.0)),
])
def test_activation_with_nan_input_and_infinite_gradient(name, args):
    """Found while extending the fuzzer's masks to nn.functional: piecewise activations
    multiplied an infinite upstream gradient by a 0 mask (NaN where PyTorch has 0), or masked
    out the gradient of a NaN input that PyTorch passes on (relu6/hardtanh, elu/selu/celu,
    hard/softshrink, threshold; threshold's forward also turned NaN into `value`)."""
    import torch
    results = []
    for lib in (torch, minitorch):
        x = lib.tensor(_NAN_INPUT, requires_grad=True)
        y = getattr(lib.nn.functional, name)(x, *args)
        y.backward(lib.tensor(_INF_GRAD))
        results.append((y.detach().numpy(), x.grad.numpy()))
    (y_t, g_t), (y_m, g_m) = results
    np.testing.assert_allclose(y_m, y_t, rtol=1e-5, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(g_m, g_t, rtol=1e-5, atol=1e-6, equal_nan=True)


def test_amax_of_a_nan_gives_nan_gradients():
    """`log(v0).amax()` with a negative v0: the result is NaN. PyTorch's amax backward matches
    elements with `==`, so nothing matches and every gradient is NaN; minitorch matched the
    NaN element (as PyTorch does for max() only) and gave finite gradients."""
    replay([((2,), F32)], ["v1 = v0.log()", "v2 = v1.amax()"])
    replay([((2,), F32)], ["v1 = v0.log()", "v2 = v1.max()"])


def test_comparison_shapes_that_do_not_broadcast():
    """`v1 > v0` with shapes (2, 0) and (0, 2): comparisons are not Functions, so NumPy's
    ValueError escaped; PyTorch raises RuntimeError naming the sizes."""
    replay([((0, 2), F32)], ["v1 = v0.reshape((2, 0))", "v2 = lib.where(v1 > v0, v1, v0)"])
    replay([((2, 3), F32)], ["v1 = v0.reshape((3, 2))", "v2 = (v1 > 0) & (v0 > 0)"])


def test_advanced_index_result_is_contiguous():
    """`v0[:, tensor([0, 0])]` came back from NumPy in a non-C layout, which `v3 + 2` kept, so
    `.view(-1)` refused; PyTorch's index result (and what is computed from it) is contiguous."""
    replay([((2, 1), F32)], ["v1 = v0[:, lib.tensor([0, 0], dtype=lib.int64)]", "v2 = v1 + 2",
                             "v3 = v2.view(-1)"])
    assert minitorch.ones(2, 1)[:, minitorch.tensor([0, 0])].is_contiguous()


def test_prod_of_a_0d_tensor_has_gradient_one():
    """`log(v0).prod()` of a negative 0-d v0: the product of one number has derivative 1,
    PyTorch returns the gradient as is; minitorch computed result / input = NaN / NaN."""
    replay([((), F32)], ["v1 = v0.log()", "v2 = v1.prod()"], seed=2)


def test_atan2_gradient_at_the_origin_is_zero():
    """`atan2(v1, v1)` with v1 = 0: PyTorch's gradient is 0 there, minitorch's was
    grad / 0 * 0 = NaN."""
    replay([((), F32)], ["v1 = v0 - v0", "v2 = lib.atan2(v1, v1)"])


def test_writing_into_an_expanded_tensor():
    """`v6 = v1.expand(2, 1); v6[0] = 0.5`: PyTorch writes through to v1 (one element, no
    overlap in the written region); minitorch's NumPy broadcast view was read-only, and the
    error came out as a misleading "shape mismatch". Now expand is writable like PyTorch's,
    and computed in-place ops on overlapping elements raise PyTorch's RuntimeError."""
    replay([((1,), "int64", -3, 3)], ["v1 = v0.expand(2, 1)", "v1[0] = 1 * 0.5"])
    replay([((1,), F32)], ["v1 = v0 * 1", "v2 = v1.expand(2, 1)", "v2.add_(1)"])
    replay([((1,), F32)], ["v1 = v0 * 1", "v2 = v1.expand(2, 3)", "v2[:] = 3.0"])
    replay([((1,), "int64", -3, 3)], ["v1 = v0.expand(2, 1)", "v1.fill_(5)", "v2 = v0 + 0"])


def test_matmul_with_an_empty_batch_does_not_check_dtypes():
    """`int64 (1, 1, 0) @ float64 (0, 0, 0)`: PyTorch's batched product returns early for an
    empty batch or operand, without its dtype check (the result is float64); minitorch
    raised RuntimeError."""
    replay([((0, 0, 0), "float64"), ((1, 1, 0), "int64", -3, 3)], ["v2 = v1 @ v0"])
    replay([((0, 1, 0), "float64"), ((1, 1), "int64", -3, 3)], ["v2 = lib.matmul(v1, v0)"])
    replay([((1, 0, 0), "float64"), ((1, 1, 0), "int64", -3, 3)], ["v2 = v1 @ v0"])
    replay([((1, 0, 2), "float64"), ((1, 2, 0), "int64", -3, 3)], ["v2 = v1 @ v0"])
    # ... and the promoted dtype is PyTorch's (int64 with float32 is float32, not NumPy's float64)
    replay([((0, 0, 0), F32), ((0, 1), "int64", -3, 3)], ["v2 = v1 @ v1.transpose(-1, -2)",
                                                         "v3 = v2 @ v0"])


def test_matmul_of_a_grad_matrix_and_an_empty_batch_checks_dtypes():
    """`float32 (0, 0) requiring grad @ float64 (0, 0, 0)`: PyTorch folds a matrix that
    requires grad times a batch into one mm, whose dtype check raises even when empty;
    minitorch returned early as for other empty batches (found by scripts/fuzz.py)."""
    replay([((0, 0, 0), "float64"), ((0, 1), F32)],
           ["v2 = v1 + 2", "v3 = v2 @ v2.transpose(-1, -2)", "v4 = v3 + 2", "v5 = lib.matmul(v4, v0)"])


def test_stack_and_cat_results_are_contiguous():
    """`stack([v1, v1])` of an expand()ed v1: NumPy laid the result out in the inputs' memory
    order, so `.view(-1)` refused; PyTorch's result is contiguous. Also: an in-place change
    of an operand saved by an empty mixed-dtype batched matmul is still caught."""
    replay([((2,), F32)], ["v1 = v0.expand(2, 2)", "v2 = lib.stack([v1, v1], dim=0)", "v3 = v2.view(-1)",
                           "v4 = lib.cat([v1, v1]).view(-1)"])
    replay([((0, 0, 0, 0), "float64"), ((1, 0, 1), F32)],
           ["v2 = v1 @ v1.transpose(-1, -2)", "v3 = v2 @ v0", "v4 = lib.where(v3 > 0, v3, lib.zeros_like(v3))",
            "v2.sub_(1.5)"])


def test_setitem_through_an_expanded_view_writes_only_its_region():
    """`v5 = v4.expand(2, 1); v5[0] = v0 * 0.5`: the region v5[0] is v4's one element, which
    PyTorch overwrites. When in-place writes on views became recorded, minitorch wrote the
    whole expanded view back (its second row, still the old value, landing last on the same
    memory), so v4 kept its old value. A basic-key write is now a copy_ into the region's
    view, as in PyTorch (found by the fuzzer, seed 31337)."""
    replay([((1,), F32)], ["v1 = v0.exp()", "v2 = v1.expand(2, 1)", "v2[0] = v0 * 0.5",
                           "v3 = v1 * v2"])
