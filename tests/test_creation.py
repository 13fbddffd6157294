"""Tensor creation against PyTorch: factories, dtype inference, memory sharing, defaults."""
import numpy as np
import pytest
import torch

import minitorch

# PyTorch's advice when it copies a tensor or a list of arrays (the oracle's, not ours)
pytestmark = [pytest.mark.filterwarnings("ignore:To copy construct from a tensor:UserWarning"),
              pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy:UserWarning")]


@pytest.fixture(autouse=True)
def restore_defaults():
    """Every test leaves the default dtype and device as it found them (both libraries)."""
    dtype, device = minitorch.get_default_dtype(), minitorch.get_default_device()
    torch_dtype = torch.get_default_dtype()
    yield
    minitorch.set_default_dtype(dtype)
    minitorch.set_default_device(device)
    torch.set_default_dtype(torch_dtype)


def dtype_name(d) -> str:
    return str(d).split(".")[-1]


def assert_same(m, t, exact=True, rtol=1e-6, atol=0.0):
    """minitorch tensor ``m`` equals torch tensor ``t``: shape, dtype, requires_grad, values."""
    assert isinstance(m, minitorch.Tensor)
    assert tuple(m.shape) == tuple(t.shape)
    assert dtype_name(m.dtype) == dtype_name(t.dtype)
    assert m.requires_grad == t.requires_grad
    mv, tv = m.detach().numpy(), t.detach().numpy()
    if exact:
        np.testing.assert_array_equal(mv, tv)
    else:
        np.testing.assert_allclose(mv, tv, rtol=rtol, atol=atol)


def run_both(fn):
    """``fn(lib)`` on both libraries; exceptions are returned instead of raised."""
    out = []
    for lib in (minitorch, torch):
        try:
            out.append(fn(lib))
        except Exception as err:  # noqa: BLE001  (compared below)
            out.append(err)
    return out


# Each entry runs unchanged on both libraries: values, dtype, shape and requires_grad must agree.
FACTORIES = {
    "tensor_float_list": lambda L: L.tensor([1, 2.5]),
    "tensor_bool_int": lambda L: L.tensor([True, 1]),
    "tensor_bools": lambda L: L.tensor([True, False]),
    "tensor_nested_mixed": lambda L: L.tensor([[1, 2], [3, 4.0]]),
    "tensor_bool_int_float": lambda L: L.tensor([1, True, 2.5]),
    "tensor_int_scalar": lambda L: L.tensor(3),
    "tensor_float_scalar": lambda L: L.tensor(3.5),
    "tensor_bool_scalar": lambda L: L.tensor(True),
    "tensor_empty": lambda L: L.tensor([]),
    "tensor_empty_nested": lambda L: L.tensor([[], []]),
    "tensor_tuple": lambda L: L.tensor((1, 2)),
    "tensor_range": lambda L: L.tensor(range(3)),
    "tensor_dtype": lambda L: L.tensor([1, 2], dtype=L.float64),
    "tensor_float_to_int": lambda L: L.tensor([1.7, -1.7], dtype=L.int64),
    "tensor_to_bool": lambda L: L.tensor([0.5, 0], dtype=L.bool),
    "tensor_float16": lambda L: L.tensor([[1, 2], [3, 4]], dtype=L.float16),
    "tensor_uint8": lambda L: L.tensor([[1, 2], [3, 255]], dtype=L.uint8),
    "tensor_int64_limits": lambda L: L.tensor([2 ** 63 - 1, -2 ** 63]),
    "tensor_nan": lambda L: L.tensor(float("nan")),
    "tensor_big_float": lambda L: L.tensor([1e300], dtype=L.float32),
    "tensor_requires_grad": lambda L: L.tensor([1., 2], requires_grad=True),
    "tensor_np_int32": lambda L: L.tensor(np.array([1, 2], dtype=np.int32)),
    "tensor_np_wraps": lambda L: L.tensor(np.array([-1, 300]), dtype=L.uint8),
    "tensor_np_scalar": lambda L: L.tensor(np.float64(2.5)),
    "tensor_np_scalar_int": lambda L: L.tensor(np.int32(2)),
    "tensor_np_float32_scalar": lambda L: L.tensor(np.float32(1.5)),
    "tensor_np_bool_scalar": lambda L: L.tensor(np.bool_(True)),
    "tensor_np_scalars_in_list": lambda L: L.tensor([np.float64(2.5), 1]),
    "tensor_np_float16_in_list": lambda L: L.tensor([np.float16(1.5)]),
    "tensor_np_int8_in_list": lambda L: L.tensor([np.int8(1), 2]),
    "tensor_np_float16_and_float": lambda L: L.tensor([np.float16(1), 2.5]),
    "tensor_np_float16_and_int": lambda L: L.tensor([np.float16(1), 2]),
    "tensor_np_uint8_int8": lambda L: L.tensor([np.uint8(1), np.int8(1)]),
    "tensor_np_arrays_in_list": lambda L: L.tensor([np.array([1., 2.]), np.array([3., 4.])]),
    "tensor_np_arrays_mixed": lambda L: L.tensor([np.array([1, 2], dtype=np.int32),
                                                  np.array([1, 2], dtype=np.int8)]),
    "tensor_np_array_and_list": lambda L: L.tensor([np.array([1, 2], dtype=np.int32), [3, 4]]),
    "tensor_nested_np_float64": lambda L: L.tensor([[np.float64(1)]]),
    "tensor_tensors_in_list": lambda L: L.tensor([L.tensor(1.), L.tensor(2.)]),
    "tensor_tensor_and_float": lambda L: L.tensor([L.tensor(1), 2.5]),
    "tensor_int_tensors": lambda L: L.tensor([L.tensor(1, dtype=L.int32), L.tensor(2, dtype=L.int32)]),
    "tensor_float64_tensor": lambda L: L.tensor([L.tensor(1., dtype=L.float64)]),
    "tensor_one_element_tensors": lambda L: L.tensor([L.tensor([1.]), L.tensor([2])]),
    "tensor_uint8_tensor_and_int": lambda L: L.tensor([L.tensor(1, dtype=L.uint8), -1]),
    "tensor_bool_tensor_and_int": lambda L: L.tensor([L.tensor(True), 2]),
    "tensor_of_tensor": lambda L: L.tensor(L.tensor([1, 2], dtype=L.int16)),
    "tensor_of_grad_tensor": lambda L: L.tensor(L.ones(2, requires_grad=True).detach()),
    "zeros_varargs": lambda L: L.zeros(2, 3),
    "zeros_tuple": lambda L: L.zeros((2, 3)),
    "zeros_list": lambda L: L.zeros([2, 3]),
    "zeros_0d": lambda L: L.zeros(()),
    "zeros_empty_dim": lambda L: L.zeros(0, 3),
    "zeros_np_int": lambda L: L.zeros(np.int64(2)),
    "zeros_tensor_size": lambda L: L.zeros([2, L.tensor(3)]),
    "zeros_int_dtype": lambda L: L.zeros(2, dtype=L.int32),
    "zeros_python_float_dtype": lambda L: L.zeros(2, dtype=float),
    "zeros_python_int_dtype": lambda L: L.zeros(2, dtype=int),
    "zeros_python_bool_dtype": lambda L: L.zeros(2, dtype=bool),
    "zeros_requires_grad": lambda L: L.zeros(2, 3, requires_grad=True),
    "ones_bool": lambda L: L.ones(3, dtype=L.bool),
    "ones_float64": lambda L: L.ones((2, 1), dtype=L.float64, requires_grad=True),
    "full_int": lambda L: L.full((2,), 1),
    "full_bool": lambda L: L.full((2,), True),
    "full_float": lambda L: L.full((2,), 1.5),
    "full_float_as_int": lambda L: L.full((2,), 1.5, dtype=L.int64),
    "full_list_size": lambda L: L.full([2, 3], 7),
    "full_0d": lambda L: L.full((), 3),
    "full_tensor_value": lambda L: L.full((2,), L.tensor(3.)),
    "full_int_tensor_value": lambda L: L.full((2,), L.tensor(2, dtype=L.int32)),
    "full_np_float": lambda L: L.full((2,), np.float64(2)),
    "full_np_int": lambda L: L.full((2,), np.int32(2)),
    "full_one_as_bool": lambda L: L.full((2,), 1, dtype=L.bool),
    "full_requires_grad": lambda L: L.full((2,), 1.5, requires_grad=True),
    "zeros_like_int": lambda L: L.zeros_like(L.tensor([1, 2])),
    "ones_like_dtype": lambda L: L.ones_like(L.tensor([1, 2]), dtype=L.float64),
    "full_like_int": lambda L: L.full_like(L.tensor([1, 2]), 2.7),
    "full_like_float": lambda L: L.full_like(L.tensor([1., 2]), 2.7),
    "zeros_like_requires_grad": lambda L: L.zeros_like(L.ones(2, 2), requires_grad=True),
    "empty_like_shape": lambda L: L.empty_like(L.ones(2, 3, dtype=L.int16)).zero_(),
    "empty_shape": lambda L: L.empty(2, 3, dtype=L.int32).zero_(),
    "arange_end": lambda L: L.arange(5),
    "arange_start_end": lambda L: L.arange(1, 4),
    "arange_float_step": lambda L: L.arange(0, 1, 0.25),
    "arange_float_end": lambda L: L.arange(5.0),
    "arange_step3": lambda L: L.arange(0, 10, 3),
    "arange_negative_step": lambda L: L.arange(10, 0, -3),
    "arange_empty": lambda L: L.arange(1, 1),
    "arange_half_start": lambda L: L.arange(0.5, 3),
    "arange_int_float_step": lambda L: L.arange(0, 5, 1.0),
    "arange_dtype": lambda L: L.arange(5, dtype=L.float64),
    "arange_int32": lambda L: L.arange(3, dtype=L.int32),
    "arange_float_bounds_to_int": lambda L: L.arange(0.5, 3.7, 1, dtype=L.int64),
    "arange_float_step_to_int": lambda L: L.arange(0, 3, 1.5, dtype=L.int64),
    "arange_negative_float_start_to_int": lambda L: L.arange(-2.5, 3, 1, dtype=L.int64),
    "arange_bool_end": lambda L: L.arange(True),
    "arange_tensor_end": lambda L: L.arange(L.tensor(3)),
    "arange_np_end": lambda L: L.arange(np.int64(3)),
    "arange_requires_grad": lambda L: L.arange(5., requires_grad=True),
    "linspace": lambda L: L.linspace(0, 1, 5),
    "linspace_one": lambda L: L.linspace(0, 1, 1),
    "linspace_zero": lambda L: L.linspace(0, 1, 0),
    "linspace_odd": lambda L: L.linspace(-3, 10, 7),
    "linspace_int64": lambda L: L.linspace(0, 10, 5, dtype=L.int64),
    "linspace_int64_exact": lambda L: L.linspace(0, 9, 4, dtype=L.int64),
    "linspace_int32": lambda L: L.linspace(3, 10, 5, dtype=L.int32),
    "linspace_int_descending": lambda L: L.linspace(1, 0, 4, dtype=L.int64),
    "linspace_int_symmetric": lambda L: L.linspace(-5, 5, 4, dtype=L.int64),
    "linspace_int_truncated_ends": lambda L: L.linspace(-2.5, 7.3, 33, dtype=L.int64),
    "linspace_tensor_ends": lambda L: L.linspace(L.tensor(0.), L.tensor(1.), 3),
    "linspace_requires_grad": lambda L: L.linspace(0, 1, 7, requires_grad=True),
    "linspace_float64": lambda L: L.linspace(-2.5, 7.3, 33, dtype=L.float64),
    "linspace_long": lambda L: L.linspace(3, -1.7, 100),
    "logspace": lambda L: L.logspace(0, 2, 3),
    "logspace_base2": lambda L: L.logspace(-1, 2, 5, base=2),
    "logspace_int": lambda L: L.logspace(0, 3, 4, dtype=L.int64),
    "logspace_one": lambda L: L.logspace(0, 1, 1),
    "logspace_base_half": lambda L: L.logspace(0, 2, 3, base=0.5),
    "eye": lambda L: L.eye(3),
    "eye_rect": lambda L: L.eye(2, 3),
    "eye_int": lambda L: L.eye(3, dtype=L.int64),
    "eye_bool": lambda L: L.eye(2, dtype=L.bool),
    "eye_empty": lambda L: L.eye(0),
    "eye_no_columns": lambda L: L.eye(2, 0),
    "eye_requires_grad": lambda L: L.eye(3, requires_grad=True),
    "scalar_tensor": lambda L: L.scalar_tensor(2),
    "scalar_tensor_bool": lambda L: L.scalar_tensor(True),
    "scalar_tensor_int64": lambda L: L.scalar_tensor(2, dtype=L.int64),
    "as_tensor_list": lambda L: L.as_tensor([1, 2]),
    "as_tensor_list_dtype": lambda L: L.as_tensor([1., 2], dtype=L.float64),
    "as_tensor_array": lambda L: L.as_tensor(np.array([1., 2])),
    "as_tensor_array_cast": lambda L: L.as_tensor(np.array([1, 2]), dtype=L.float32),
    "from_numpy_int16": lambda L: L.from_numpy(np.array([1, 2], dtype=np.int16)),
    "from_numpy_0d": lambda L: L.from_numpy(np.array(2.5)),
    "new_tensor_keeps_dtype": lambda L: L.tensor([1, 2]).new_tensor([1., 2]),
    "new_tensor_truncates": lambda L: L.tensor([1, 2]).new_tensor([1.5]),
    "new_tensor_float64": lambda L: L.tensor([1., 2], dtype=L.float64).new_tensor([1, 2]),
    "new_zeros_varargs": lambda L: L.tensor([1., 2], dtype=L.float64).new_zeros(2, 3),
    "new_zeros_tuple": lambda L: L.tensor([1., 2], dtype=L.float64).new_zeros((2, 3)),
    "new_ones": lambda L: L.tensor([1, 2]).new_ones(2),
    "new_ones_tuple": lambda L: L.tensor([1, 2]).new_ones((2, 3)),
    "new_full_cast": lambda L: L.tensor([1, 2]).new_full((2,), 1.5),
    "new_full_bool_value": lambda L: L.tensor([1, 2]).new_full([2], True),
    "new_empty_dtype": lambda L: L.tensor([1, 2]).new_empty((2,), dtype=L.float16).zero_(),
    "new_ones_requires_grad": lambda L: L.tensor([1., 2]).new_ones(2, requires_grad=True),
    "new_zeros_dtype": lambda L: L.tensor([1., 2]).new_zeros(2, dtype=L.int32),
    "fill_int_with_float": lambda L: L.ones(3, dtype=L.int64).fill_(2.7),
    "fill_float_with_bool": lambda L: L.ones(2).fill_(True),
    "fill_with_0d_tensor": lambda L: L.ones(2, 2).fill_(L.tensor(4)),
    "zero_": lambda L: L.ones(2, 2).zero_(),
    "copy_broadcast_cast": lambda L: L.zeros(2, 3).copy_(L.tensor([1, 2, 3])),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factory_matches_torch(name):
    m, t = run_both(FACTORIES[name])
    assert not isinstance(t, Exception), f"PyTorch itself raised {t!r}"
    assert not isinstance(m, Exception), f"minitorch raised {m!r}, PyTorch gave {t!r}"
    assert_same(m, t)


# Values PyTorch's vectorised CPU kernels round differently from a scalar loop (by an ulp):
# compared with a tolerance.
CLOSE = {
    "arange_awkward_step": lambda L: L.arange(1e-3, 0.2, 0.013),
    "arange_negative_float": lambda L: L.arange(-0.7, 1.3, 0.3),
    "arange_tenths": lambda L: L.arange(0, 1, 0.1),
    "linspace_tenths": lambda L: L.linspace(0.1, 0.9, 11),
    "linspace_many": lambda L: L.linspace(0, 1, 1000),
    "logspace_many": lambda L: L.logspace(0, 1, 1000),
    "logspace_descending": lambda L: L.logspace(3, -1.7, 100),
    "logspace_float64": lambda L: L.logspace(-5, 5, 4, dtype=L.float64),
}


@pytest.mark.parametrize("name", sorted(CLOSE))
def test_factory_close_to_torch(name):
    m, t = run_both(CLOSE[name])
    assert_same(m, t, exact=False, rtol=5e-7)  # a few ulps


@pytest.mark.parametrize("start,end,steps", [(-3, 10, 7), (0.1, 0.9, 11), (3, -1.7, 100)])
def test_linspace_float16_close(start, end, steps):
    m, t = run_both(lambda L: L.linspace(start, end, steps, dtype=L.float16))
    assert_same(m, t, exact=False, rtol=1e-3, atol=2e-3)  # one half-precision ulp


@pytest.mark.parametrize("start,end,steps", [(-3, 10, 7), (0, 1, 1000), (-2.5, 7.3, 33)])
def test_linspace_float32_float64_exact(start, end, steps):
    for dtype in ("float32", "float64"):
        m, t = run_both(lambda L: L.linspace(start, end, steps, dtype=getattr(L, dtype)))
        assert_same(m, t)


# Bad input: minitorch raises the exception type PyTorch raises.
ERRORS = {
    "ragged": lambda L: L.tensor([[1, 2], [3]]),
    "number_then_list": lambda L: L.tensor([[1, 2], 3]),
    "list_then_number": lambda L: L.tensor([1, [2, 3]]),
    "none_inside": lambda L: L.tensor([1, None]),
    "none": lambda L: L.tensor(None),
    "object": lambda L: L.tensor([object()]),
    "dict": lambda L: L.tensor({1: 2}),
    "many_element_tensor_inside": lambda L: L.tensor([L.tensor([1., 2.]), L.tensor([3., 4.])]),
    "int_overflow": lambda L: L.tensor([2 ** 63]),
    "int_overflow_scalar": lambda L: L.tensor(2 ** 64),
    "uint8_overflow": lambda L: L.tensor([-1, 300], dtype=L.uint8),
    "int8_overflow": lambda L: L.tensor([-1, 300], dtype=L.int8),
    "int32_overflow_float": lambda L: L.tensor([1.5, 1e10], dtype=L.int32),
    "inf_to_int": lambda L: L.tensor(float("inf"), dtype=L.int64),
    "nan_to_int": lambda L: L.tensor(float("nan"), dtype=L.int64),
    "scalar_uint8_overflow": lambda L: L.tensor(300, dtype=L.uint8),
    "int_requires_grad": lambda L: L.tensor([1, 2], requires_grad=True),
    "zeros_int_requires_grad": lambda L: L.zeros(2, 3, dtype=L.int64, requires_grad=True),
    "zeros_like_int_requires_grad": lambda L: L.zeros_like(L.tensor([1, 2]), requires_grad=True),
    "arange_int_requires_grad": lambda L: L.arange(5, requires_grad=True),
    "full_int_requires_grad": lambda L: L.full((2,), 1, requires_grad=True),
    "new_zeros_int_requires_grad": lambda L: L.zeros(2, dtype=L.int64).new_zeros(3, requires_grad=True),
    "zeros_negative": lambda L: L.zeros(-1),
    "empty_negative": lambda L: L.empty(2, -3),
    "zeros_float_size": lambda L: L.zeros(2.5),
    "zeros_float_in_size": lambda L: L.zeros((2, 3.0)),
    "zeros_no_size": lambda L: L.zeros(),
    "full_int_size": lambda L: L.full(2, 1.5),
    "arange_zero_step": lambda L: L.arange(0, 10, 0),
    "arange_wrong_sign": lambda L: L.arange(0, 10, -1),
    "arange_wrong_sign_up": lambda L: L.arange(3, 1),
    "arange_inf": lambda L: L.arange(0, float("inf")),
    "linspace_negative_steps": lambda L: L.linspace(0, 1, -1),
    "linspace_missing_steps": lambda L: L.linspace(0, 1),
    "linspace_float_steps": lambda L: L.linspace(0, 1, 2.0),
    "linspace_bool": lambda L: L.linspace(0, 1, 3, dtype=L.bool),
    "eye_negative": lambda L: L.eye(-1),
    "eye_negative_m": lambda L: L.eye(2, -1),
    "eye_float": lambda L: L.eye(2.0),
    "from_numpy_list": lambda L: L.from_numpy([1, 2]),
    "from_numpy_strings": lambda L: L.from_numpy(np.array(["a"])),
    "fill_with_vector": lambda L: L.ones(3).fill_(L.ones(2)),
    "set_default_dtype_int": lambda L: L.set_default_dtype(L.int64),
    "set_default_dtype_python_float": lambda L: L.set_default_dtype(float),
    "fill_leaf_requiring_grad": lambda L: L.ones(2, requires_grad=True).fill_(1.),
    "zero_leaf_requiring_grad": lambda L: L.ones(2, requires_grad=True).zero_(),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    m, t = run_both(ERRORS[name])
    assert isinstance(t, Exception), "PyTorch accepted this input"
    assert isinstance(m, Exception), f"minitorch accepted it and returned {m!r}; PyTorch raised {t!r}"
    assert type(m) is type(t), f"minitorch raised {m!r}, PyTorch raised {t!r}"


def test_error_messages():
    with pytest.raises(ValueError, match="expected sequence of length 2 at dim 1 \\(got 1\\)"):
        minitorch.tensor([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="floating point and complex dtype can require gradients"):
        minitorch.zeros(2, dtype=minitorch.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8 without overflow"):
        minitorch.tensor([300], dtype=minitorch.uint8)
    with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent with step sign"):
        minitorch.arange(0, 10, -1)
    # an integer result truncates the step first: 0.5 becomes 0 (PyTorch 2.13 raises
    # ValueError; older versions crash on it, so it is not run through the oracle)
    with pytest.raises(ValueError, match="step must be nonzero"):
        minitorch.arange(0, 1.5, 0.5, dtype=minitorch.int64)
    with pytest.raises(TypeError, match="expected np.ndarray \\(got list\\)"):
        minitorch.from_numpy([1, 2])


def test_unsupported_numpy_dtypes_raise_type_error():
    # PyTorch has uint16/uint32/complex tensors; minitorch does not (a documented deviation)
    for array in (np.array([1, 2], dtype=np.uint16), np.array([1 + 2j]), np.array([1], np.uint64)):
        with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
            minitorch.from_numpy(array)
        with pytest.raises(TypeError):
            minitorch.tensor(array)


# --- memory sharing ---------------------------------------------------------------------------

def test_from_numpy_shares_memory_both_ways():
    a = np.zeros(3, dtype=np.float32)
    t = minitorch.from_numpy(a)
    a[0] = 5
    t[1] = 7
    assert t.tolist() == [5.0, 7.0, 0.0]
    assert a.tolist() == [5.0, 7.0, 0.0]
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)


def test_as_tensor_shares_memory_with_arrays_when_dtype_matches():
    a = np.arange(4.0)
    t = minitorch.as_tensor(a)
    t.add_(1)
    assert a.tolist() == [1.0, 2.0, 3.0, 4.0]
    a[0] = -1
    assert t[0].item() == -1.0
    # a different dtype must copy (as in PyTorch)
    copied = minitorch.as_tensor(a, dtype=minitorch.float32)
    copied[0] = 100
    assert a[0] == -1


def test_as_tensor_returns_the_same_tensor_when_nothing_changes():
    x = minitorch.ones(3)
    assert minitorch.as_tensor(x) is x
    assert minitorch.as_tensor(x, dtype=minitorch.float32) is x
    y = minitorch.as_tensor(x, dtype=minitorch.float64)
    assert y is not x and y.dtype is minitorch.float64


def test_as_tensor_of_grad_tensor_stays_in_graph():
    for lib in (minitorch, torch):
        x = lib.ones(2, requires_grad=True)
        y = lib.as_tensor(x, dtype=lib.float64)
        assert y.grad_fn is not None and y.grad_fn.name() == "ToCopyBackward0"
        y.sum().backward()
        assert x.grad.tolist() == [1.0, 1.0]


def test_tensor_copies():
    a = np.arange(3.0)
    t = minitorch.tensor(a)
    a[0] = 9
    assert t[0].item() == 0.0
    source = minitorch.arange(3)
    copy = minitorch.tensor(source)
    source[0] = 9
    assert copy[0].item() == 0
    inner = minitorch.tensor(2.0)
    nested = minitorch.tensor([inner, inner])
    inner.fill_(5)
    assert nested.tolist() == [2.0, 2.0]


def test_tensor_of_tensor_requiring_grad_is_a_new_leaf():
    x = minitorch.ones(2, requires_grad=True) * 2
    y = minitorch.tensor(x.detach())
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None
    z = minitorch.tensor([x[0], x[1]])
    assert z.is_leaf and not z.requires_grad


def test_asarray_copy_flags():
    a = np.arange(3.0)
    assert np.shares_memory(minitorch.asarray(a).numpy(), a)
    assert not np.shares_memory(minitorch.asarray(a, copy=True).numpy(), a)
    with pytest.raises(ValueError):
        minitorch.asarray(a, dtype=minitorch.float32, copy=False)


def test_factories_out_argument():
    for lib in (minitorch, torch):
        out = lib.empty(2, 3)
        result = lib.zeros(2, 3, out=out)
        assert result is out and out.sum().item() == 0
        result = lib.arange(4, out=lib.empty(4, dtype=lib.int64))
        assert result.tolist() == [0, 1, 2, 3]


# --- defaults -------------------------------------------------------------------------------

@pytest.mark.parametrize("default", ["float64", "float16", "float32"])
def test_set_default_dtype_affects_factories_and_inference(default):
    minitorch.set_default_dtype(getattr(minitorch, default))
    torch.set_default_dtype(getattr(torch, default))
    checks = [
        lambda L: L.tensor([1.5, 2]), lambda L: L.tensor(2.5), lambda L: L.tensor([1, 2]),
        lambda L: L.zeros(2), lambda L: L.ones(2, 2), lambda L: L.full((2,), 1.5),
        lambda L: L.full((2,), 2), lambda L: L.arange(0.0, 2), lambda L: L.arange(3),
        lambda L: L.linspace(0, 1, 3), lambda L: L.eye(2), lambda L: L.tensor([]),
        lambda L: L.scalar_tensor(3), lambda L: L.zeros(2, dtype=float),
        lambda L: L.tensor([np.float32(1.5), 2.5]),
        lambda L: L.tensor([1, 2]) / 2, lambda L: L.tensor([1, 2]) * 1.5,
    ]
    for fn in checks:
        m, t = run_both(fn)
        assert_same(m, t)
    for fn in (lambda L: L.rand(2).dtype, lambda L: L.randn(2).dtype, lambda L: L.empty(2).dtype):
        m, t = run_both(fn)
        assert dtype_name(m) == dtype_name(t) == default
    assert minitorch.get_default_dtype() is getattr(minitorch, default)


def test_default_device_and_reset():
    assert minitorch.get_default_device() == minitorch.device("cpu")
    minitorch.set_default_device("cpu")
    assert minitorch.zeros(2).device == minitorch.device("cpu")
    minitorch.set_default_device(None)
    assert minitorch.get_default_device() == minitorch.device("cpu")


def test_default_device_cuda():
    minitorch.set_default_device("cuda")
    if minitorch.cuda.is_available():
        assert minitorch.zeros(2).device.type == "cuda"
        assert minitorch.tensor([1, 2]).device.type == "cuda"
        assert minitorch.arange(3).device.type == "cuda"
        assert minitorch.zeros(2, device="cpu").device.type == "cpu"
    else:
        with pytest.raises(RuntimeError, match="CUDA"):
            minitorch.zeros(2)
        with pytest.raises(RuntimeError, match="CUDA"):
            minitorch.tensor([1.0])


def test_like_functions_follow_input():
    x = minitorch.ones(2, 3, dtype=minitorch.float64)
    for fn in (minitorch.zeros_like, minitorch.ones_like, minitorch.empty_like,
               minitorch.rand_like, minitorch.randn_like):
        y = fn(x)
        assert y.shape == x.shape and y.dtype is minitorch.float64 and y.device == x.device
        assert not y.requires_grad
    assert minitorch.full_like(x, 2).dtype is minitorch.float64


def test_new_methods_keep_device_and_dtype_and_requires_grad_false():
    x = minitorch.ones(2, dtype=minitorch.float16, requires_grad=True)
    for y in (x.new_zeros(3), x.new_ones(3), x.new_empty(3), x.new_full((3,), 2.0),
              x.new_tensor([1, 2, 3])):
        assert y.dtype is minitorch.float16 and y.device == x.device and not y.requires_grad


def test_empty_has_shape_and_dtype():
    x = minitorch.empty(2, 3, dtype=minitorch.int32)
    assert x.shape == (2, 3) and x.dtype is minitorch.int32


def test_tensor_inference_from_large_flat_list_is_float32():
    values = [float(i) for i in range(10000)] + [1]
    t = minitorch.tensor(values)
    assert t.dtype is minitorch.float32 and t.shape == (10001,)
