"""The error catalogue (docs/errors.md): each mistake a learner makes raises PyTorch's exception.

Every case is one function ``case(lib)`` run against PyTorch first, to learn the exception
type PyTorch raises *today*, and then against minitorch, which must raise that same type with
a message naming what was expected and what came (the ``match`` pattern).
"""
from __future__ import annotations

import io
import os
import pickle
import re
import zipfile

import numpy as np
import pytest
import torch

import minitorch


def torch_error(case) -> BaseException:
    try:
        case(torch)
    except Exception as err:  # noqa: BLE001 - the exception is what this learns
        return err
    raise AssertionError("PyTorch did not raise: the catalogue entry is wrong")


def check(case, match: str):
    """minitorch raises PyTorch's exception type for `case`, with a message matching `match`."""
    expected = torch_error(case)
    with pytest.raises(type(expected), match=match) as info:
        case(minitorch)
    return info.value


# --- shapes ------------------------------------------------------------------------------------

def test_broadcast_shape_mismatch():
    check(lambda lib: lib.ones(2, 3) + lib.ones(4, 3),
          re.escape("size of tensor a (2) must match the size of tensor b (4) at non-singleton "
                    "dimension 0"))
    check(lambda lib: lib.ones(2, 3) * lib.ones(4), r"tensor a \(3\).*tensor b \(4\).*dimension 1")
    check(lambda lib: lib.where(lib.ones(2) > 0, lib.ones(3), lib.ones(2)), r"\(2\).*\(3\)")


@pytest.mark.filterwarnings("ignore:Using a target size")
def test_broadcast_reports_the_last_mismatched_dim():
    check(lambda lib: lib.nn.functional.mse_loss(lib.ones(2, 3), lib.ones(3, 2)),
          r"tensor a \(3\) must match the size of tensor b \(2\) at non-singleton dimension 1")


def test_broadcast_into_inplace_output():
    check(lambda lib: lib.ones(3).add_(lib.ones(2, 3)),
          re.escape("output with shape [3] doesn't match the broadcast shape [2, 3]"))


def test_matmul_shapes():
    message = re.escape("mat1 and mat2 shapes cannot be multiplied (4x3 and 5x2)")
    check(lambda lib: lib.ones(4, 3) @ lib.ones(5, 2), message)
    check(lambda lib: lib.mm(lib.ones(4, 3), lib.ones(5, 2)), message)
    check(lambda lib: lib.nn.Linear(3, 2)(lib.ones(4, 5)), r"\(4x5 and 3x2\)")
    check(lambda lib: lib.bmm(lib.ones(2, 4, 3), lib.ones(2, 5, 2)), r"\[2, 3\] but got: \[2, 5\]")


def test_cat_and_stack_shapes():
    check(lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]),
          "Expected size 3 but got size 4 for tensor number 1")
    check(lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2)]), "same number of dimensions: got 2 and 1")
    check(lambda lib: lib.stack([lib.ones(2, 3), lib.ones(2, 4)]),
          re.escape("equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1"))


def test_view_on_non_viewable_strides_and_bad_sizes():
    check(lambda lib: lib.ones(2, 3).t().view(6), r"size and stride.*Use \.reshape\(\.\.\.\) instead")
    check(lambda lib: lib.ones(2, 3).view(5), re.escape("shape '[5]' is invalid for input of size 6"))
    check(lambda lib: lib.ones(2, 3).expand(4, 3), r"expanded size of the tensor \(4\).*existing size \(2\)")


@pytest.mark.parametrize("case", [
    lambda lib: lib.ones(2, 3).sum(2),
    lambda lib: lib.ones(2, 3).softmax(-3),
    lambda lib: lib.ones(2, 3).transpose(0, 5),
    lambda lib: lib.cat([lib.ones(2, 3)], dim=2),
    lambda lib: lib.ones(2).squeeze(3),
    lambda lib: lib.tensor(1.0).mean(dim=1),
], ids=["sum", "softmax", "transpose", "cat", "squeeze", "0-d mean"])
def test_dim_out_of_range(case):
    check(case, r"Dimension out of range \(expected to be in range of \[-\d, \d\], but got -?\d\)")


# --- indexing ------------------------------------------------------------------------------------

def test_float_index_tensor():
    check(lambda lib: lib.ones(3)[lib.tensor([0.0, 1.0])], "must be long, int, byte or bool tensors")


@pytest.mark.parametrize("case", [
    lambda lib: lib.ones(3)[5],
    lambda lib: lib.ones(3)[lib.tensor([0, 5])],
    lambda lib: lib.ones(2, 3)[:, 3],
    lambda lib: lib.ones(3).index_select(0, lib.tensor([7])),
    lambda lib: lib.ones(3).gather(0, lib.tensor([7])),
], ids=["int", "tensor", "second dim", "index_select", "gather"])
def test_index_out_of_bounds(case):
    # minitorch names the index, the dim and its size even where PyTorch only says
    # "index out of range in self" (index_select)
    check(case, r"index -?\d+ is out of bounds for dimension \d with size \d")


def test_embedding_index_out_of_range():
    check(lambda lib: lib.nn.Embedding(5, 2)(lib.tensor([7])),
          r"index out of range in self \(index 7 is out of bounds for an embedding table of 5 rows\)")


def test_mask_shape():
    check(lambda lib: lib.ones(2, 3)[lib.ones(3, dtype=lib.bool)],
          re.escape("shape of the mask [3] at index 0 does not match the shape of the indexed "
                    "tensor [2, 3] at index 0"))


def test_index_bounds_are_checked_before_the_leaf_rule():
    check(lambda lib: lib.zeros(2, requires_grad=True).__setitem__(5, 1.0),
          "index 5 is out of bounds for dimension 0 with size 2")


# --- dtypes --------------------------------------------------------------------------------------

def test_matmul_mixed_float_dtypes():
    check(lambda lib: lib.ones(2, 2) @ lib.ones(2, 2, dtype=lib.float64),
          "expected m1 and m2 to have the same dtype, but got: float != double")


def test_inplace_result_cannot_be_cast():
    message = "result type Float can't be cast to the desired output type Long"

    def iadd(lib):
        x = lib.ones(2, dtype=lib.int64)
        x += 1.5
    check(iadd, message)
    check(lambda lib: lib.ones(2, dtype=lib.int64).add_(lib.ones(2)), message)


def test_dtypes_without_a_kernel_or_meaning():
    check(lambda lib: lib.ones(2) & lib.ones(2), "\"bitwise_and_cpu\" not implemented for 'Float'")
    check(lambda lib: lib.tensor([True]) - lib.tensor([True]), "two bool tensors is not supported")
    check(lambda lib: lib.ones(2, dtype=lib.int64).mean(), "could not infer output dtype.*Got: ")
    check(lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_(), "floating point dtype")
    check(lambda lib: lib.where(lib.ones(2), lib.ones(2), lib.ones(2)),
          "where expected condition to be a boolean tensor")


def test_index_put_dtype_mismatch():
    def put(lib):
        x = lib.zeros(3)
        x[lib.tensor([0])] = lib.ones(1, dtype=lib.float64)
    check(put, "source and destination dtypes match, got Float for the destination and Double")


def test_loss_target_dtype():
    check(lambda lib: lib.nn.functional.cross_entropy(lib.ones(2, 3), lib.tensor([0.0, 1.0])),
          "expected target dtype to be Long or Byte, but got Float")


@pytest.mark.skipif(not minitorch.cuda.is_available(), reason="device mixing needs a CUDA GPU")
def test_device_mixing():
    message = (r"Expected all tensors to be on the same device, but found at least two devices, "
               r"(cuda:0 and cpu|cpu and cuda:0)!")
    cases = [lambda lib: lib.ones(2, device="cuda") + lib.ones(2),
             lambda lib: lib.ones(2, 2) @ lib.ones(2, 2, device="cuda"),
             lambda lib: lib.cat([lib.ones(2, device="cuda"), lib.ones(2)]),
             # the layers' extra tensors (indices, targets, running statistics) too
             lambda lib: lib.nn.functional.embedding(lib.tensor([1, 0]), lib.ones(3, 2, device="cuda")),
             lambda lib: lib.nn.functional.cross_entropy(lib.ones(2, 3, device="cuda"), lib.tensor([1, 0])),
             lambda lib: lib.nn.functional.nll_loss(lib.ones(2, 3, device="cuda"), lib.tensor([1, 0],
                                                    device="cuda"), weight=lib.ones(3)),
             lambda lib: lib.nn.functional.batch_norm(lib.ones(2, 3, device="cuda"), lib.zeros(3),
                                                      lib.ones(3), training=True)]
    for case in cases:
        if torch.cuda.is_available():
            check(case, message)
        else:  # a CPU-only PyTorch build: its type for this error is RuntimeError
            with pytest.raises(RuntimeError, match=message):
                case(minitorch)


# --- autograd ------------------------------------------------------------------------------------

def test_backward_on_non_scalar_needs_gradient():
    check(lambda lib: (lib.ones(2, requires_grad=True) * 2).backward(),
          "grad can be implicitly created only for scalar outputs")


def test_backward_through_freed_graph():
    def twice(lib):
        x = lib.ones(2, requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()
    check(twice, "backward through the graph a second time.*retain_graph=True")


@pytest.mark.parametrize("layer", ["linear", "relu", "cross_entropy", "nll_loss"])
def test_backward_through_freed_graph_of_ops_whose_backward_runs_on_arrays(layer):
    """Linear, ReLU and the class losses compute a plain backward on arrays
    (autograd/formulas.py), and still find their saved tensors freed the second time."""
    def twice(lib):
        x = lib.ones(3, 2, requires_grad=True)
        w = lib.ones(4, 2, requires_grad=True)
        out = {"linear": lambda: lib.nn.functional.linear(x, w).sum(),
               "relu": lambda: x.relu().sum(),
               "cross_entropy": lambda: lib.nn.functional.cross_entropy(x, lib.tensor([0, 1, 1])),
               "nll_loss": lambda: lib.nn.functional.nll_loss(x, lib.tensor([0, 1, 1]))}[layer]()
        out.backward()
        out.backward()
    check(twice, "backward through the graph a second time")


def test_saved_tensor_modified_in_place_names_the_op():
    def modified(lib):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        z = y * y  # saves y
        y.mul_(2)
        z.sum().backward()
    error = check(modified, r"modified by an inplace operation: .*\[2\]\], which is output 0 of "
                            r"MulBackward0, is at version 1; expected version 0 instead")
    assert "MulBackward0" in str(error)


def test_inplace_on_leaf_requiring_grad():
    check(lambda lib: lib.ones(2, requires_grad=True).add_(1),
          "a leaf Variable that requires grad is being used in an in-place operation")


def test_inplace_on_a_view_of_a_leaf_requiring_grad():
    check(lambda lib: lib.ones(4, requires_grad=True)[:2].mul_(2),
          "a view of a leaf Variable that requires grad is being used in an in-place operation")


def test_inplace_partial_overlap():
    def overlap(lib):
        x = lib.zeros(4)
        x[:3].add_(x[1:])
    check(overlap, "refer to a single memory location. Please clone")


def test_backward_without_grad():
    check(lambda lib: lib.ones(2).sum().backward(),
          "element 0 of tensors does not require grad and does not have a grad_fn")


def test_numpy_on_tensor_requiring_grad():
    check(lambda lib: lib.ones(2, requires_grad=True).numpy(), r"Use tensor\.detach\(\)\.numpy\(\)")


def test_assigning_grad():
    def non_tensor(lib):
        lib.ones(2, requires_grad=True).grad = 3
    check(non_tensor, "expected to be a Tensor or None but got grad of type int")

    def wrong_shape(lib):
        lib.ones(2, requires_grad=True).grad = lib.ones(3)
    check(wrong_shape, r"\[2\].*\[3\]|\[3\].*\[2\]")

    def wrong_dtype(lib):
        lib.ones(2, requires_grad=True).grad = lib.ones(2, dtype=lib.float64)
    check(wrong_dtype, "float64|double")


def test_item_and_bool_of_many_elements():
    check(lambda lib: lib.ones(2).item(), "a Tensor with 2 elements cannot be converted to Scalar")
    check(lambda lib: bool(lib.ones(2)), "Boolean value of Tensor with more than one value is ambiguous")


def test_anomaly_mode_names_the_backward_function():
    """Detailed tests live in test_autograd.py; here, the catalogue entry itself."""
    def nan_in_backward(lib):
        with lib.autograd.detect_anomaly():
            x = lib.zeros(1, requires_grad=True)
            (x.sqrt() * 0).sum().backward()  # 0 * (1 / (2 sqrt 0)) = 0 * inf = NaN in SqrtBackward0
    with pytest.warns(UserWarning):
        check(nan_in_backward, r"Function 'SqrtBackward0' returned nan values in its 0th output")


# --- optimizers, modules, losses -------------------------------------------------------------------

def test_optimizer_params():
    check(lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
          "can't optimize a non-leaf Tensor")

    def twice_in_groups(lib):
        x = lib.ones(2, requires_grad=True)
        lib.optim.SGD([{"params": [x]}, {"params": [x]}], lr=0.1)
    check(twice_in_groups, "some parameters appear in more than one parameter group")
    check(lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True), lr=0.1),
          r"should be an iterable of Tensors or dicts, but got \w+\.FloatTensor")


def test_optimizer_same_parameter_twice_in_a_group_warns_like_pytorch():
    for lib in (torch, minitorch):
        x = lib.ones(2, requires_grad=True)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([x, x], lr=0.1)


def test_module_load_state_dict_mismatches():
    def missing(lib):
        m = lib.nn.Linear(2, 3)
        state = m.state_dict()
        del state["bias"]
        m.load_state_dict(state)
    check(missing, r"Error\(s\) in loading state_dict for Linear:\s+Missing key\(s\) in state_dict: \"bias\"")

    def unexpected(lib):
        m = lib.nn.Linear(2, 3)
        state = dict(m.state_dict())
        state["foo"] = lib.ones(1)
        m.load_state_dict(state)
    check(unexpected, r"Unexpected key\(s\) in state_dict: \"foo\"")

    check(lambda lib: lib.nn.Linear(2, 3).load_state_dict(lib.nn.Linear(2, 4).state_dict()),
          r"size mismatch for weight: copying a param with shape \w+\.Size\(\[4, 2\]\) from "
          r"checkpoint, the shape in current model is \w+\.Size\(\[3, 2\]\)")


def test_optimizer_load_state_dict_mismatches():
    def groups(lib):
        x = lib.ones(2, requires_grad=True)
        other = lib.optim.SGD([{"params": [x]}, {"params": [lib.ones(2, requires_grad=True)]}], lr=0.1)
        lib.optim.SGD([x], lr=0.1).load_state_dict(other.state_dict())
    check(groups, "different number of parameter groups")

    def sizes(lib):
        other = lib.optim.SGD([lib.ones(2, requires_grad=True), lib.ones(3, requires_grad=True)], lr=0.1)
        lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=0.1).load_state_dict(other.state_dict())
    check(sizes, "doesn't match the size of optimizer's group")


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("target", [3, -2])
def test_loss_target_out_of_range(loss, target):
    check(lambda lib: getattr(lib.nn.functional, loss)(lib.ones(2, 3), lib.tensor([0, target])),
          f"Target {target} is out of bounds")


# --- checkpoints and data ----------------------------------------------------------------------------

class _RunsCode:
    """A pickle payload that would run code when unpickled (it must never be)."""

    def __reduce__(self):
        return (os.system, ("echo this must never run",))


def _malicious_pickle() -> bytes:
    return pickle.dumps({"weight": _RunsCode()})


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_load_refuses_a_malicious_pickle():
    def load(lib):
        lib.load(io.BytesIO(_malicious_pickle()))
    error = check(load, "Weights only load failed")
    assert isinstance(error, pickle.UnpicklingError)


def test_load_refuses_garbage():
    check(lambda lib: lib.load(io.BytesIO(b"definitely not a checkpoint")), "not a checkpoint|Weights only")


def test_load_refuses_a_truncated_checkpoint():
    def truncated(lib):
        buffer = io.BytesIO()
        lib.save({"a": lib.ones(3)}, buffer)
        data = buffer.getvalue()
        lib.load(io.BytesIO(data[: len(data) // 2]))
    check(truncated, r"truncated|corrupted|failed reading zip archive")


def test_load_refuses_a_malicious_pickle_in_torch_saves_layout():
    """A zip laid out like torch.save's, with a payload as its data.pkl: a RuntimeError in
    both (PyTorch misses a record; minitorch refuses the global, as an UnpicklingError)."""
    def load(lib):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("archive/data.pkl", pickle.dumps({"weight": _RunsCode()}, protocol=2))
        buffer.seek(0)
        lib.load(buffer)
    error = check(load, "system|version")
    assert isinstance(error, pickle.UnpicklingError) and "posix.system" in str(error)


class _Failing:
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 7:
            raise ValueError("sample 7 is broken")
        return np.float32(i)


def test_dataloader_error_names_the_index():
    def iterate(lib):
        for _ in lib.utils.data.DataLoader(_Failing(), batch_size=4):
            pass
    error = check(iterate, "sample 7 is broken")
    assert re.search(r"\[7\]|index 7", str(error))


# --- random states -----------------------------------------------------------------------------

def test_restoring_a_state_that_is_not_an_rng_state():
    check(lambda lib: lib.set_rng_state(lib.zeros(10, dtype=lib.uint8)),
          "CPUGeneratorImplState of size 5056 .*state size to be 10")
    check(lambda lib: lib.set_rng_state(lib.zeros(5056)), "ByteTensor")


def test_number_format_of_a_whole_tensor():
    check(lambda lib: f"{lib.ones(4):.3f}", "unsupported format string passed to Tensor.__format__")
