"""minitorch.save / minitorch.load: round trips, map_location, and a format that never runs code."""
import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

import minitorch


def roundtrip(obj, **load_kwargs):
    buffer = io.BytesIO()
    minitorch.save(obj, buffer)
    buffer.seek(0)
    return minitorch.load(buffer, **load_kwargs)


def assert_same_tensor(a, b):
    assert isinstance(b, minitorch.Tensor)
    assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
    assert a.requires_grad == b.requires_grad
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool"])
def test_tensor_dtypes(dtype):
    x = minitorch.tensor(np.arange(6).reshape(2, 3) % 3).to(getattr(minitorch, dtype))
    assert_same_tensor(x, roundtrip(x))


@pytest.mark.parametrize("make", [
    lambda: minitorch.tensor(3.5),                          # 0-d
    lambda: minitorch.zeros(0, 4),                          # empty
    lambda: minitorch.randn(3, 4).permute(1, 0),            # non-contiguous view
    lambda: minitorch.randn(2, 3, requires_grad=True),      # leaf that requires grad
    lambda: minitorch.tensor([float("nan"), float("inf"), -0.0]),
])
def test_tensor_shapes_and_flags(make):
    x = make()
    assert_same_tensor(x, roundtrip(x))


def test_non_leaf_comes_back_as_leaf_with_requires_grad():
    x = minitorch.randn(3, requires_grad=True)
    y = x * 2
    loaded = roundtrip(y)
    assert loaded.requires_grad and loaded.grad_fn is None
    np.testing.assert_allclose(loaded.detach().numpy(), y.detach().numpy())


def test_to_path(tmp_path):
    x = minitorch.randn(5)
    minitorch.save(x, tmp_path / "x.pt")
    assert_same_tensor(x, minitorch.load(tmp_path / "x.pt"))
    minitorch.save(x, str(tmp_path / "y.pt"))
    assert_same_tensor(x, minitorch.load(str(tmp_path / "y.pt")))
    # the container is an ordinary .npz: NumPy opens it without pickle
    with np.load(tmp_path / "x.pt", allow_pickle=False) as archive:
        np.testing.assert_array_equal(archive["arrays/0"], x.numpy())


def test_state_dict_keeps_order_and_type():
    state = collections.OrderedDict([("layer.weight", minitorch.randn(3, 2)),
                                     ("layer.bias", minitorch.zeros(3)),
                                     ("bn.num_batches_tracked", minitorch.tensor(7))])
    loaded = roundtrip(state)
    assert type(loaded) is collections.OrderedDict
    assert list(loaded) == list(state)
    for key in state:
        assert_same_tensor(state[key], loaded[key])


def test_optimizer_state_dict_structure():
    state = {
        "state": {0: {"step": minitorch.tensor(3.0), "exp_avg": minitorch.randn(4),
                      "exp_avg_sq": minitorch.rand(4)},
                  1: {"momentum_buffer": None}},
        "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
                          "amsgrad": False, "maximize": False, "foreach": None,
                          "params": [0, 1], "name": "all"}],
    }
    loaded = roundtrip(state)
    assert list(loaded["state"]) == [0, 1]  # int keys stay ints
    assert loaded["state"][1] == {"momentum_buffer": None}
    for key, value in state["state"][0].items():
        assert_same_tensor(value, loaded["state"][0][key])
    assert loaded["param_groups"] == state["param_groups"]
    group = loaded["param_groups"][0]
    assert type(group["betas"]) is tuple and type(group["weight_decay"]) is int
    assert type(group["amsgrad"]) is bool and group["foreach"] is None


def test_numbers_strings_and_misc():
    obj = [1, -2 ** 62, 2.5, float("inf"), "text", "", None, True, False, (), [], {},
           minitorch.float64, minitorch.device("cpu"), minitorch.Size([2, 3]),
           np.arange(3), np.float32(1.5), np.int64(4)]
    loaded = roundtrip(obj)
    assert loaded[:12] == obj[:12]
    assert loaded[12] is minitorch.float64
    assert loaded[13] == minitorch.device("cpu")
    assert loaded[14] == minitorch.Size([2, 3]) and isinstance(loaded[14], minitorch.Size)
    np.testing.assert_array_equal(loaded[15], np.arange(3))
    assert loaded[16] == 1.5 and loaded[17] == 4
    assert np.isnan(roundtrip(float("nan")))


def test_shared_tensors_saved_once():
    w = minitorch.randn(100)
    buffer = io.BytesIO()
    minitorch.save({"a": w, "b": w, "c": w.detach()}, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert sum(n.startswith("arrays/") for n in archive.namelist()) == 1
    buffer.seek(0)
    loaded = minitorch.load(buffer)
    assert loaded["a"] is loaded["b"]
    assert loaded["c"] is not loaded["a"]
    assert np.shares_memory(loaded["a"].numpy(), loaded["c"].numpy())


def test_parameters_come_back_as_parameters():
    p = minitorch.nn.Parameter(minitorch.randn(3, 2))
    frozen = minitorch.nn.Parameter(minitorch.randn(2), requires_grad=False)
    loaded = roundtrip({"p": p, "frozen": frozen})
    assert isinstance(loaded["p"], minitorch.nn.Parameter) and loaded["p"].requires_grad
    assert isinstance(loaded["frozen"], minitorch.nn.Parameter)
    assert not loaded["frozen"].requires_grad
    assert_same_tensor(p, loaded["p"])


def test_unsupported_object_raises_type_error():
    with pytest.raises(TypeError, match="cannot store an object of type set"):
        minitorch.save({1, 2}, io.BytesIO())


@pytest.mark.parametrize("location", ["cpu", minitorch.device("cpu"), {"cpu": "cpu"}])
def test_map_location_to_cpu(location):
    x = minitorch.randn(3)
    loaded = roundtrip(x, map_location=location)
    assert loaded.device == minitorch.device("cpu")
    assert_same_tensor(x, loaded)


def test_map_location_callable():
    seen = []

    def to_double(tensor, location):
        seen.append(location)
        return tensor.double()

    loaded = roundtrip({"a": minitorch.ones(2), "b": minitorch.zeros(1)}, map_location=to_double)
    assert seen == ["cpu", "cpu"] and loaded["a"].dtype == minitorch.float64


def test_cuda_checkpoint_without_cuda_needs_map_location(monkeypatch):
    # a checkpoint saved from a GPU names 'cuda:0': rewrite the location of a CPU save
    buffer = io.BytesIO()
    minitorch.save(minitorch.ones(2), buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        members = {n: source.read(n) for n in source.namelist()}
    members["minitorch.json"] = members["minitorch.json"].replace(b'"cpu"', b'"cuda:0"')
    rewritten = io.BytesIO()
    with zipfile.ZipFile(rewritten, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    monkeypatch.setattr(minitorch.backend, "cuda_available", lambda: False)
    rewritten.seek(0)
    with pytest.raises(RuntimeError, match="map_location"):
        minitorch.load(rewritten)
    rewritten.seek(0)
    loaded = minitorch.load(rewritten, map_location={"cuda:0": "cpu"})
    assert loaded.device == minitorch.device("cpu") and loaded.tolist() == [1.0, 1.0]


# --- safety: pickles are refused unread ----------------------------------------------------------

class _Payload:
    """Unpickling this creates a marker file: what a malicious checkpoint would do."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_malicious_pickle_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(RuntimeError, match="pickle"):
        minitorch.load(path)
    assert not marker.exists()
    # the same payload inside a zip laid out like torch.save's format
    zipped = tmp_path / "evil_zip.pt"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(_Payload(str(marker))))
    with pytest.raises(RuntimeError, match="pickle"):
        minitorch.load(zipped)
    assert not marker.exists()


def test_torch_save_file_is_refused(tmp_path):
    for legacy in (False, True):
        path = tmp_path / f"torch_{legacy}.pt"
        torch.save({"w": torch.ones(2)}, path, _use_new_zipfile_serialization=not legacy)
        with pytest.raises(RuntimeError, match="torch.save"):
            minitorch.load(path)


def test_object_array_inside_a_checkpoint_is_refused(tmp_path):
    # a crafted checkpoint whose .npy member holds pickled Python objects
    buffer = io.BytesIO()
    minitorch.save(minitorch.ones(2), buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        structure = source.read("minitorch.json")
    payload = io.BytesIO()
    np.save(payload, np.array([_Payload(str(tmp_path / "pwned"))], dtype=object),
            allow_pickle=True)
    path = tmp_path / "crafted.pt"
    with zipfile.ZipFile(path, "w") as target:
        target.writestr("minitorch.json", structure)
        target.writestr("arrays/0.npy", payload.getvalue())
    with pytest.raises(RuntimeError, match="corrupted"):
        minitorch.load(path)
    assert not (tmp_path / "pwned").exists()


# --- damaged files ----------------------------------------------------------------------------

def _small_checkpoint():
    obj = collections.OrderedDict(w=minitorch.tensor([[1.0, 2.0], [3.0, 4.0]]),
                                  b=minitorch.tensor([5, 6]), meta={"lr": 0.1, "names": ["x"]})
    buffer = io.BytesIO()
    minitorch.save(obj, buffer)
    return obj, buffer.getvalue()


def _equal(loaded, obj):
    return (list(loaded) == list(obj) and loaded["meta"] == obj["meta"]
            and all(loaded[k].dtype == obj[k].dtype and loaded[k].tolist() == obj[k].tolist()
                    for k in ("w", "b")))


def test_every_truncation_raises(tmp_path):
    _, data = _small_checkpoint()
    for length in range(len(data)):
        with pytest.raises(RuntimeError):
            minitorch.load(io.BytesIO(data[:length]))
    path = tmp_path / "cut.pt"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(RuntimeError, match="cut.pt"):
        minitorch.load(path)


def test_every_corrupted_byte_raises_or_loads_the_right_values():
    obj, data = _small_checkpoint()
    for position in range(len(data)):
        for flip in (0x01, 0x80):
            damaged = bytearray(data)
            damaged[position] ^= flip
            try:
                loaded = minitorch.load(io.BytesIO(bytes(damaged)))
            except RuntimeError:
                continue
            # bytes no reader looks at (e.g. a timestamp) may change without harm
            assert _equal(loaded, obj), f"byte {position} ^ {flip:#x} gave wrong data silently"


def test_corrupted_array_byte_names_the_file(tmp_path):
    _, data = _small_checkpoint()
    position = data.index(np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32).tobytes())
    damaged = bytearray(data)
    damaged[position + 1] ^= 0x10
    path = tmp_path / "damaged.pt"
    path.write_bytes(bytes(damaged))
    with pytest.raises(RuntimeError, match=r"damaged\.pt.*(corrupted|CRC)"):
        minitorch.load(path)


def test_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(RuntimeError, match="not a minitorch checkpoint"):
        minitorch.load(path)
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    with pytest.raises(RuntimeError, match="empty"):
        minitorch.load(empty)
    with pytest.raises(FileNotFoundError):
        minitorch.load(os.path.join(tmp_path, "missing.pt"))


def test_model_and_optimizer_checkpoint_resumes_training_exactly():
    from minitorch import nn, optim

    def make():
        return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))

    def step(model, opt, x):
        opt.zero_grad()
        model(x).pow(2).sum().backward()
        opt.step()

    minitorch.manual_seed(0)
    model, inputs = make(), minitorch.randn(5, 3)
    opt = optim.Adam(model.parameters(), lr=0.01)
    step(model, opt, inputs)
    checkpoint = roundtrip({"model": model.state_dict(), "optimizer": opt.state_dict()})

    resumed = make()
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt = optim.Adam(resumed.parameters(), lr=0.5)
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    assert resumed_opt.param_groups[0]["lr"] == 0.01
    step(model, opt, inputs)
    step(resumed, resumed_opt, inputs)
    for (name, a), (_, b) in zip(model.state_dict().items(), resumed.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
