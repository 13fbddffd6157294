"""dtype and device conversions, Python protocols (len, iter, bool, int, float, index),
NumPy access and DLPack exchange, against PyTorch."""
import numpy as np
import pytest
import torch

import minitorch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def dtype_name(d) -> str:
    return str(d).split(".")[-1]


def run_both(fn):
    out = []
    for lib in (minitorch, torch):
        try:
            out.append(fn(lib))
        except Exception as err:  # noqa: BLE001  (compared by the caller)
            out.append(err)
    return out


def values(lib):
    return lib.tensor([[-2.7, -0.5, 0.0], [0.5, 1.5, 300.25]])


# --- to / type / the dtype shortcuts -------------------------------------------------------

@pytest.mark.parametrize("source", DTYPES)
@pytest.mark.parametrize("target", DTYPES)
def test_to_dtype_all_pairs(source, target):
    def fn(lib):
        x = lib.tensor([[0, 1, 2], [3, 100, 7]], dtype=getattr(lib, source))
        return x.to(getattr(lib, target))
    m, t = run_both(fn)
    assert dtype_name(m.dtype) == target
    np.testing.assert_array_equal(m.numpy(), t.numpy())


METHODS = ["float", "double", "half", "long", "int", "short", "char", "bool", "byte"]


@pytest.mark.parametrize("method", METHODS)
def test_dtype_shortcut_methods(method):
    m, t = run_both(lambda lib: getattr(values(lib), method)())
    assert dtype_name(m.dtype) == dtype_name(t.dtype)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


TO_FORMS = {
    "dtype": lambda L, x: x.to(L.float64),
    "python_float": lambda L, x: x.to(float),
    "python_int": lambda L, x: x.to(int),
    "python_bool": lambda L, x: x.to(bool),
    "device_string": lambda L, x: x.to("cpu"),
    "device_object": lambda L, x: x.to(L.device("cpu")),
    "device_and_dtype": lambda L, x: x.to("cpu", L.float64),
    "device_keyword_dtype": lambda L, x: x.to(L.device("cpu"), dtype=L.int32),
    "keywords": lambda L, x: x.to(dtype=L.int32, device="cpu"),
    "other_tensor": lambda L, x: x.to(L.tensor([1], dtype=L.int32)),
    "dtype_non_blocking_copy": lambda L, x: x.to(L.float16, False, True),
    "copy_keyword": lambda L, x: x.to(L.float32, copy=True),
    "type_dtype": lambda L, x: x.type(L.int32),
    "type_python": lambda L, x: x.type(L.float64),
    "type_string": lambda L, x: x.type(f"{L.__name__}.IntTensor"),
    "type_string_double": lambda L, x: x.type(f"{L.__name__}.DoubleTensor"),
}


@pytest.mark.parametrize("name", sorted(TO_FORMS))
def test_to_forms_match_torch(name):
    m, t = run_both(lambda lib: TO_FORMS[name](lib, values(lib)))
    assert not isinstance(m, Exception), f"minitorch raised {m!r}"
    assert dtype_name(m.dtype) == dtype_name(t.dtype)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


TO_ERRORS = {
    "two_dtypes": lambda L, x: x.to(L.float32, L.int32),
    "unknown_keyword": lambda L, x: x.to(foo=1),
    "dtype_name_string": lambda L, x: x.to("float32"),
    "bad_device_string": lambda L, x: x.to("gpu"),
    "type_bad_string": lambda L, x: x.type("foo"),
}


@pytest.mark.parametrize("name", sorted(TO_ERRORS))
def test_to_errors_match_torch(name):
    m, t = run_both(lambda lib: TO_ERRORS[name](lib, values(lib)))
    assert isinstance(t, Exception) and isinstance(m, Exception), (m, t)
    assert type(m) is type(t), f"minitorch raised {m!r}, PyTorch raised {t!r}"


def test_to_returns_self_when_nothing_changes_and_copies_when_asked():
    x = minitorch.ones(3)
    assert x.to(minitorch.float32) is x
    assert x.to("cpu") is x
    assert x.cpu() is x
    assert x.float() is x
    assert x.to(x) is x
    y = x.to(minitorch.float32, copy=True)
    assert y is not x
    y[0] = 5
    assert x[0].item() == 1.0


def test_type_without_argument_names_the_tensor_type():
    for dtype in DTYPES:
        m, t = run_both(lambda lib: lib.zeros(1, dtype=getattr(lib, dtype)).type())
        assert m == t.replace("torch.", "minitorch.")


def test_to_is_differentiable_and_casts_gradient_back():
    for lib in (minitorch, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.to(lib.float64)
        assert y.grad_fn.name() == "ToCopyBackward0"
        (y * y).sum().backward()
        assert x.grad.dtype == lib.float32 and x.grad.tolist() == [2.0, 4.0]
        z = x.to(lib.float32, copy=True)
        assert z.grad_fn.name() == "ToCopyBackward0"


def test_cast_to_integer_does_not_require_grad():
    for lib in (minitorch, torch):
        x = lib.tensor([1.5, 2.5], requires_grad=True)
        for method in ("long", "int", "bool", "byte"):
            y = getattr(x, method)()
            assert not y.requires_grad and y.grad_fn is None
        assert x.half().requires_grad and x.double().requires_grad


def test_cuda_without_gpu_raises_clear_runtime_error():
    x = minitorch.ones(2)
    calls = [lambda: x.cuda(), lambda: x.to("cuda"), lambda: x.to("cuda:0"),
             lambda: minitorch.zeros(2, device="cuda"), lambda: minitorch.tensor([1.0], device="cuda")]
    if minitorch.cuda.is_available():
        for call in calls:
            assert call().device.type == "cuda"
        return
    for call in calls:
        with pytest.raises(RuntimeError, match="CUDA is not available") as info:
            call()
        # one clear message, not a chained CuPy/driver traceback
        assert info.value.__cause__ is None and info.value.__context__ is None


def test_cuda_round_trip_when_available():
    if not minitorch.cuda.is_available():
        with pytest.raises(RuntimeError):
            minitorch.ones(2).cuda()
        return
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = x.cuda()
    assert y.is_cuda and y.device == minitorch.device("cuda", 0)
    assert repr(y.detach()) == "tensor([1., 2.], device='cuda:0')"
    (y * 3).sum().backward()
    assert x.grad.device.type == "cpu" and x.grad.tolist() == [3.0, 3.0]
    with pytest.raises(TypeError, match="Use Tensor.cpu\\(\\)"):
        y.detach().numpy()
    assert y.cpu().tolist() == [1.0, 2.0]
    assert y.detach().numpy(force=True).tolist() == [1.0, 2.0]
    assert y.to("cpu", minitorch.float64).dtype is minitorch.float64


# --- Python protocols ---------------------------------------------------------------------

PROTOCOLS = {
    "len": lambda L: len(L.zeros(4, 2)),
    "len_0d": lambda L: len(L.tensor(1.)),
    "iter": lambda L: [t.tolist() for t in L.tensor([[1, 2], [3, 4]])],
    "iter_0d": lambda L: iter(L.tensor(1.)),
    "bool_true": lambda L: bool(L.tensor([2.0])),
    "bool_false": lambda L: bool(L.tensor(0)),
    "bool_many": lambda L: bool(L.tensor([1., 2])),
    "bool_empty": lambda L: bool(L.tensor([])),
    "int_float": lambda L: int(L.tensor([1.7])),
    "int_negative": lambda L: int(L.tensor(-1.7)),
    "int_many": lambda L: int(L.tensor([1.7, 2])),
    "int_nan": lambda L: int(L.tensor(float("nan"))),
    "float_int": lambda L: float(L.tensor([[3]])),
    "float_bool": lambda L: float(L.tensor(True)),
    "float_many": lambda L: float(L.tensor([1, 2])),
    "index_int": lambda L: [0, 1, 2][L.tensor(1)],
    "index_one_element": lambda L: [0, 1, 2][L.tensor([1])],
    "index_uint8": lambda L: range(5)[L.tensor(2, dtype=L.uint8)],
    "index_float": lambda L: [0, 1, 2][L.tensor(1.)],
    "index_bool": lambda L: [0, 1, 2][L.tensor(True)],
    "index_many": lambda L: [0, 1, 2][L.tensor([1, 2])],
    "index_method_float": lambda L: L.tensor([1.]).__index__(),
    "item_float": lambda L: L.tensor([[2.5]]).item(),
    "item_int": lambda L: L.tensor(7).item(),
    "item_bool": lambda L: L.tensor([True]).item(),
    "item_many": lambda L: L.tensor([1.5, 2]).item(),
    "item_float16": lambda L: L.tensor(1.5, dtype=L.float16).item(),
    "tolist_2d": lambda L: L.tensor([[1, 2], [3, 4]], dtype=L.int8).tolist(),
    "tolist_0d": lambda L: L.tensor(2.5).tolist(),
    "tolist_bool": lambda L: L.tensor([True, False]).tolist(),
    "tolist_empty": lambda L: L.zeros(2, 0).tolist(),
    "format_0d": lambda L: f"{L.tensor(2.5):.3f}",
    "range_with_tensor": lambda L: list(range(L.tensor(3))),
    "numpy_requires_grad": lambda L: L.tensor([1.5], requires_grad=True).numpy(),
    "numpy_detached": lambda L: L.tensor([1.5], requires_grad=True).detach().numpy().tolist(),
    "np_asarray": lambda L: np.asarray(L.tensor([1, 2])).tolist(),
    "np_asarray_requires_grad": lambda L: np.asarray(L.ones(2, requires_grad=True)),
}


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_protocols_match_torch(name):
    m, t = run_both(PROTOCOLS[name])
    if isinstance(t, Exception):
        assert isinstance(m, Exception), f"minitorch returned {m!r}; PyTorch raised {t!r}"
        assert type(m) is type(t), f"minitorch raised {m!r}, PyTorch raised {t!r}"
    else:
        assert not isinstance(m, Exception), f"minitorch raised {m!r}"
        assert m == t and type(m) is type(t)


def test_protocol_messages():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(minitorch.ones(2))
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        minitorch.ones(2, requires_grad=True).numpy()
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(minitorch.tensor(1.0))
    with pytest.raises(TypeError, match="only integer tensors of a single element can be converted to an index"):
        [1, 2][minitorch.tensor(0.0)]


def test_numpy_shares_memory():
    x = minitorch.zeros(3)
    a = x.numpy()
    a[0] = 4
    assert x[0].item() == 4.0
    x[1] = 5
    assert a[1] == 5


def test_iteration_gives_views():
    x = minitorch.zeros(2, 3)
    rows = list(x)
    assert len(rows) == 2 and rows[0].shape == (3,)
    rows[1].fill_(1.0)
    assert x.tolist() == [[0, 0, 0], [1, 1, 1]]


# --- DLPack ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_from_dlpack_shares_memory(dtype):
    m = minitorch.zeros(2, 3, dtype=getattr(minitorch, dtype))
    t = torch.from_dlpack(m)
    assert dtype_name(t.dtype) == dtype and tuple(t.shape) == (2, 3)
    t[0, 1] = 1
    assert m.tolist()[0][1] == 1
    m[1, 2] = 1
    assert t[1, 2].item() == 1
    assert t.data_ptr() == m.data_ptr()


@pytest.mark.parametrize("dtype", DTYPES)
def test_minitorch_from_dlpack_shares_memory(dtype):
    t = torch.zeros(2, 3, dtype=getattr(torch, dtype))
    m = minitorch.from_dlpack(t)
    assert dtype_name(m.dtype) == dtype and tuple(m.shape) == (2, 3)
    m[0, 1] = 1
    assert t[0, 1].item() == 1
    t[1, 2] = 1
    assert m.tolist()[1][2] == 1
    assert t.data_ptr() == m.data_ptr()


def test_dlpack_with_numpy_and_strides():
    a = np.arange(6.0).reshape(2, 3)
    m = minitorch.from_dlpack(a)
    a[0, 0] = 9
    assert m[0, 0].item() == 9.0
    back = np.from_dlpack(m)
    back[1, 1] = -1
    assert a[1, 1] == -1
    # a transposed (non-contiguous) view keeps its strides through the exchange
    mt_view = minitorch.arange(6.0).reshape(2, 3).t()
    t = torch.from_dlpack(mt_view)
    assert t.tolist() == mt_view.tolist() and t.stride() == mt_view.stride()
    th_view = torch.arange(6.0).reshape(2, 3).t()
    m2 = minitorch.from_dlpack(th_view)
    assert m2.tolist() == th_view.tolist() and m2.stride() == th_view.stride()
    assert minitorch.ones(2).__dlpack_device__() == torch.ones(2).__dlpack_device__()


def test_dlpack_round_trip_of_minitorch_tensor():
    x = minitorch.arange(4)
    y = minitorch.from_dlpack(x)
    y[0] = 10
    assert x[0].item() == 10


def test_dlpack_refuses_tensors_that_require_grad():
    for lib in (minitorch, torch):
        with pytest.raises(BufferError, match="Can't export tensors that require gradient"):
            lib.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError, match="require gradient"):
        torch.from_dlpack(minitorch.ones(2, requires_grad=True))
    detached = torch.from_dlpack(minitorch.ones(2, requires_grad=True).detach())
    assert detached.tolist() == [1.0, 1.0]


def test_from_dlpack_rejects_non_arrays():
    with pytest.raises(TypeError, match="__dlpack__"):
        minitorch.from_dlpack([1, 2, 3])


def test_dlpack_on_gpu_shares_memory():
    if not minitorch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            minitorch.zeros(2, device="cuda")
        return
    m = minitorch.zeros(2, 3, device="cuda")
    assert m.__dlpack_device__()[0] == 2  # kDLCUDA
    if torch.cuda.is_available():
        t = torch.from_dlpack(m)
        assert t.is_cuda and t.data_ptr() == m.data_ptr()
        t[0, 1] = 5
        assert m.cpu().tolist()[0][1] == 5
        source = torch.zeros(4, device="cuda")
        back = minitorch.from_dlpack(source)
        assert back.device.type == "cuda" and back.data_ptr() == source.data_ptr()
        back[2] = 3
        torch.cuda.synchronize()
        assert source[2].item() == 3
    import cupy
    c = cupy.from_dlpack(m)
    c[1, 2] = 7
    assert m.cpu().tolist()[1][2] == 7
    assert minitorch.from_dlpack(c).data_ptr() == m.data_ptr()
