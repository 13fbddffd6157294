"""minitorch.save / minitorch.load: PyTorch's format both ways, PyTorch's safety model.

PyTorch is the oracle: what minitorch saves, ``torch.load(weights_only=True)`` reads, and what
``torch.save`` writes, minitorch reads. Hostile and damaged files: test_serialization_hostile.py.
"""
import collections
import io
import json
import pickle
import zipfile

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn, optim

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def to_torch(obj):
    """minitorch.save, then torch.load as PyTorch's users load (weights_only=True)."""
    buffer = io.BytesIO()
    minitorch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def to_minitorch(obj, legacy=False, **load_kwargs):
    """torch.save (in the zip format, or the legacy one before PyTorch 1.6), then minitorch.load."""
    buffer = io.BytesIO()
    torch.save(obj, buffer, _use_new_zipfile_serialization=not legacy)
    buffer.seek(0)
    return minitorch.load(buffer, **load_kwargs)


def roundtrip(obj, **load_kwargs):
    buffer = io.BytesIO()
    minitorch.save(obj, buffer)
    buffer.seek(0)
    return minitorch.load(buffer, **load_kwargs)


def _described(t):
    assert isinstance(t, (minitorch.Tensor, torch.Tensor)), type(t)
    dtype = str(t.dtype).removeprefix("torch.").removeprefix("minitorch.")
    parameter = isinstance(t, (nn.Parameter, torch.nn.Parameter))
    return dtype, tuple(t.shape), t.requires_grad, parameter


def assert_same(a, b):
    """Two tensors (minitorch or torch) with equal dtype, shape, flags and values."""
    assert _described(a) == _described(b)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


# --- tensors, both ways --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_both_ways(dtype):
    values = np.array([[0, 1, 2], [3, 250, 7]]) % (2 if dtype == "bool" else 256)
    ours = minitorch.tensor(values).to(getattr(minitorch, dtype))
    theirs = torch.tensor(values).to(getattr(torch, dtype))
    assert_same(ours, to_torch(ours))
    assert_same(to_minitorch(theirs), theirs)
    assert_same(to_minitorch(theirs, legacy=True), theirs)
    assert_same(ours, roundtrip(ours))


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor(3.5),                                  # 0-d
    lambda lib: lib.zeros(0, 4),                                  # empty
    lambda lib: lib.arange(12.0).reshape(3, 4).permute(1, 0),     # non-contiguous view
    lambda lib: lib.arange(12.0).reshape(3, 4)[1:, ::2],          # offset and steps
    lambda lib: lib.ones(2, 3, requires_grad=True),               # a leaf that requires grad
    lambda lib: lib.tensor([float("nan"), float("inf"), -0.0]),
    lambda lib: lib.ones(3).expand(4, 3),                         # stride 0
])
def test_shapes_views_and_flags_both_ways(make):
    ours, theirs = make(minitorch), make(torch)
    assert_same(ours, to_torch(ours))
    assert_same(to_minitorch(theirs), theirs)


def test_saved_view_keeps_its_strides_in_torch():
    base = minitorch.arange(12.0).reshape(3, 4)
    loaded = to_torch(base.permute(1, 0))
    assert loaded.stride() == (1, 4) and loaded.untyped_storage().nbytes() == 48


def test_negative_strides_are_saved_as_a_copy():
    # NumPy can make a view with negative strides (PyTorch cannot): it is written contiguously
    reversed_view = minitorch.Tensor._from_array(np.arange(5.0)[::-1])
    assert to_torch(reversed_view).tolist() == [4.0, 3.0, 2.0, 1.0, 0.0]


def test_tensor_attributes_come_back_as_in_torch():
    theirs = torch.ones(2)
    theirs.note = "calibrated"  # PyTorch pickles this through _rebuild_from_type_v2
    assert to_minitorch(theirs).note == "calibrated"


def test_what_minitorch_lacks_raises_not_implemented_naming_it():
    with pytest.raises(NotImplementedError, match="BFloat16"):
        to_minitorch(torch.ones(2, dtype=torch.bfloat16))
    with pytest.raises(NotImplementedError, match="sparse"):
        to_minitorch(torch.ones(2).to_sparse())


def test_non_leaf_comes_back_as_leaf_with_requires_grad():
    x = minitorch.randn(3, requires_grad=True)
    for loaded in (roundtrip(x * 2), to_torch(x * 2)):
        assert loaded.requires_grad and loaded.grad_fn is None


def test_parameters_both_ways():
    ours = {"p": nn.Parameter(minitorch.randn(3, 2)),
            "frozen": nn.Parameter(minitorch.randn(2), requires_grad=False)}
    theirs = {"p": torch.nn.Parameter(torch.randn(3, 2)),
              "frozen": torch.nn.Parameter(torch.randn(2), requires_grad=False)}
    for key in ours:
        assert_same(ours[key], to_torch(ours)[key])
        assert_same(to_minitorch(theirs)[key], theirs[key])
        assert_same(ours[key], roundtrip(ours)[key])


# --- shared storage ------------------------------------------------------------------------------

def test_views_share_storage_in_torch():
    base = minitorch.arange(12.0).reshape(3, 4)
    loaded = to_torch({"base": base, "row": base[1], "column": base[:, 2], "t": base.t(),
                       "same": base})
    assert loaded["base"] is loaded["same"]
    storage = loaded["base"].untyped_storage().data_ptr()
    assert all(loaded[k].untyped_storage().data_ptr() == storage for k in ("row", "column", "t"))
    assert loaded["row"].storage_offset() == 4 and loaded["column"].stride() == (4,)
    loaded["base"][1, 2] = 100.0
    assert loaded["row"][2].item() == 100.0 and loaded["column"][1].item() == 100.0
    assert loaded["t"][2, 1].item() == 100.0


@pytest.mark.parametrize("legacy", [False, True])
def test_torch_views_share_memory_in_minitorch(legacy):
    base = torch.arange(12.0).reshape(3, 4)
    loaded = to_minitorch({"base": base, "row": base[1], "t": base.t(), "same": base}, legacy)
    assert loaded["base"] is loaded["same"]
    loaded["base"][1, 2] = 100.0
    assert loaded["row"][2].item() == 100.0 and loaded["t"][2, 1].item() == 100.0
    np.testing.assert_array_equal(loaded["t"].numpy(), loaded["base"].numpy().T)


def _views_of_one_base(lib):
    """A base and views of it that NumPy makes through as_strided / broadcast_to in minitorch
    (an expanded row, a column with a new dim), saved with and without their base."""
    base = lib.arange(16.0).reshape(4, 4)
    return {"with base": {"base": base, "expanded": base[0:1].expand(3, 4),
                          "column": base[:, 1].unsqueeze(0), "strided": base.t()[1:, ::2]},
            "views only": {"row": base[0], "rows": base[1:3], "column": base[:, 1].unsqueeze(0),
                           "expanded": base[0:1].expand(2, 4)}}


def _seen_by_each(loaded: dict) -> dict:
    """Fill the first loaded tensor with -1: which of the tensors see it (share its memory)."""
    first = next(iter(loaded.values()))
    first.fill_(-1.0)
    return {key: bool((np.asarray(t.numpy()) == -1).any()) for key, t in loaded.items()}


@pytest.mark.parametrize("case", ["with base", "views only"])
@pytest.mark.parametrize("direction", ["minitorch->torch", "minitorch->minitorch"])
def test_strided_and_expanded_views_keep_sharing(direction, case):
    """Views NumPy builds with as_strided/broadcast_to (behind a DummyArray) are saved into
    their base's storage, as PyTorch saves them: a write through one reaches the others."""
    theirs = _views_of_one_base(torch)[case]
    buffer = io.BytesIO()
    torch.save(theirs, buffer)
    buffer.seek(0)
    expected = _seen_by_each(torch.load(buffer, weights_only=True))
    ours = _views_of_one_base(minitorch)[case]
    loaded = to_torch(ours) if direction == "minitorch->torch" else roundtrip(ours)
    assert _seen_by_each(loaded) == expected
    for key, tensor in loaded.items():
        np.testing.assert_array_equal(np.asarray(tensor.numpy()).shape, tuple(ours[key].shape))


def test_one_storage_per_array_in_the_file():
    w = minitorch.randn(100)
    buffer = io.BytesIO()
    minitorch.save({"a": w, "b": w, "c": w.detach(), "d": w[10:20]}, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert sum("/data/" in n for n in archive.namelist()) == 1
    buffer.seek(0)
    loaded = minitorch.load(buffer)
    assert loaded["a"] is loaded["b"] and loaded["c"] is not loaded["a"]
    assert np.shares_memory(loaded["a"].numpy(), loaded["c"].numpy())
    assert np.shares_memory(loaded["a"].numpy(), loaded["d"].numpy())


def test_same_memory_as_two_dtypes_is_refused_as_in_torch():
    x = minitorch.zeros(4, dtype=minitorch.int32)
    as_float = minitorch.Tensor._from_array(x._data.view(np.float32))
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        minitorch.save([x, as_float], io.BytesIO())
    theirs = torch.zeros(4, dtype=torch.int32)
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        torch.save([theirs, theirs.view(torch.float32)], io.BytesIO())


# --- containers and plain values -----------------------------------------------------------------

def test_nested_containers_both_ways():
    def build(lib):
        return {"list": [lib.ones(2), (lib.zeros(1), None)], "n": 3, "x": 2.5, "s": "text",
                "flags": (True, False), "od": collections.OrderedDict(b=lib.tensor([1, 2])),
                "nested": {"deeper": [[lib.tensor(7)]]}, "big": -2 ** 62, "empty": ((), [], {}),
                "bytes": b"\x00\xff", "set": {1, 2}, "inf": float("inf")}

    def check(ours, theirs):
        assert type(ours) is type(theirs) or isinstance(ours, minitorch.Tensor)
        if isinstance(ours, minitorch.Tensor):
            assert_same(ours, theirs)
        elif isinstance(ours, dict):
            assert list(ours) == list(theirs)
            for key in ours:
                check(ours[key], theirs[key])
        elif isinstance(ours, (list, tuple)):
            assert len(ours) == len(theirs)
            for a, b in zip(ours, theirs):
                check(a, b)
        else:
            assert ours == theirs

    check(build(minitorch), to_torch(build(minitorch)))
    check(to_minitorch(build(torch)), build(torch))
    check(to_minitorch(build(torch), legacy=True), build(torch))


def test_dtypes_sizes_and_devices_both_ways():
    loaded = to_torch([minitorch.float16, minitorch.Size([2, 3]), minitorch.device("cpu")])
    assert loaded == [torch.float16, torch.Size([2, 3]), torch.device("cpu")]
    assert isinstance(loaded[1], torch.Size)
    back = to_minitorch([torch.float64, torch.Size([4]), torch.device("cpu"), torch.bool])
    assert back[0] is minitorch.float64 and back[3] is minitorch.bool
    assert isinstance(back[1], minitorch.Size) and back[1] == minitorch.Size([4])
    assert back[2] == minitorch.device("cpu")


def test_state_dict_metadata_and_order_survive():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    loaded = to_minitorch(model.state_dict())
    assert type(loaded) is collections.OrderedDict
    assert list(loaded) == list(model.state_dict())
    assert loaded._metadata == model.state_dict()._metadata


def test_unpicklable_object_raises_like_torch():
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        minitorch.save(lambda: 1, io.BytesIO())


# --- state_dicts of every layer type --------------------------------------------------------------

LAYERS = {
    "Linear": lambda nn: nn.Linear(3, 2),
    "Linear-no-bias": lambda nn: nn.Linear(3, 2, bias=False),
    "Bilinear": lambda nn: nn.Bilinear(2, 3, 4),
    "Conv1d": lambda nn: nn.Conv1d(2, 3, 3),
    "Conv2d": lambda nn: nn.Conv2d(2, 3, 3, groups=1),
    "ConvTranspose1d": lambda nn: nn.ConvTranspose1d(2, 3, 3),
    "ConvTranspose2d": lambda nn: nn.ConvTranspose2d(2, 3, 3),
    "BatchNorm1d": lambda nn: nn.BatchNorm1d(3),
    "BatchNorm2d": lambda nn: nn.BatchNorm2d(3),
    "LayerNorm": lambda nn: nn.LayerNorm(4),
    "GroupNorm": lambda nn: nn.GroupNorm(2, 4),
    "Embedding": lambda nn: nn.Embedding(5, 3),
    "PReLU": lambda nn: nn.PReLU(3),
    "RNN": lambda nn: nn.RNN(3, 4, num_layers=2),
    "LSTM": lambda nn: nn.LSTM(3, 4, bidirectional=True),
    "GRU": lambda nn: nn.GRU(3, 4),
    "RNNCell": lambda nn: nn.RNNCell(3, 4),
    "LSTMCell": lambda nn: nn.LSTMCell(3, 4),
    "GRUCell": lambda nn: nn.GRUCell(3, 4),
    "MultiheadAttention": lambda nn: nn.MultiheadAttention(8, 2),
    "TransformerEncoderLayer": lambda nn: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16),
    "TransformerDecoderLayer": lambda nn: nn.TransformerDecoderLayer(8, 2, dim_feedforward=16),
    "Transformer": lambda nn: nn.Transformer(8, 2, 1, 1, dim_feedforward=16),
    "Sequential": lambda nn: nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)),
    "ModuleList": lambda nn: nn.ModuleList([nn.Linear(2, 2), nn.LayerNorm(2)]),
    "ModuleDict": lambda nn: nn.ModuleDict({"a": nn.Linear(2, 2)}),
    "ParameterList": lambda nn: nn.ParameterList([nn.Parameter(nn.Linear(2, 2).weight.detach())]),
    "ParameterDict": lambda nn: nn.ParameterDict({"w": nn.Parameter(nn.Linear(2, 2).bias.detach())}),
    "CrossEntropyLoss-weight": lambda nn: nn.CrossEntropyLoss(weight=nn.Linear(3, 1).weight[0].detach()),
}


# PyTorch's Transformer warns that it cannot use nested tensors: irrelevant here
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor")


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_state_dict_minitorch_to_torch(layer):
    ours, theirs = LAYERS[layer](nn), LAYERS[layer](torch.nn)
    loaded = to_torch(ours.state_dict())
    theirs.load_state_dict(loaded)  # strict: same keys, same shapes
    for key, value in ours.state_dict().items():
        assert_same(value, theirs.state_dict()[key])


@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("layer", LAYERS)
def test_layer_state_dict_torch_to_minitorch(layer, legacy):
    ours, theirs = LAYERS[layer](nn), LAYERS[layer](torch.nn)
    loaded = to_minitorch(theirs.state_dict(), legacy)
    ours.load_state_dict(loaded)
    for key, value in theirs.state_dict().items():
        assert_same(ours.state_dict()[key], value)


# --- optimizer state -----------------------------------------------------------------------------

OPTIMIZERS = {
    "SGD": ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    "Adam": ("Adam", dict(lr=0.01, amsgrad=True)),
    "AdamW": ("AdamW", dict(lr=0.01)),
    "Adamax": ("Adamax", dict(lr=0.01)),
    "NAdam": ("NAdam", dict(lr=0.01)),
    "RAdam": ("RAdam", dict(lr=0.01)),
    "RMSprop": ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    "Adagrad": ("Adagrad", dict(lr=0.1)),
    "Adadelta": ("Adadelta", dict(lr=1.0)),
}


def _optimizer(lib, name, values):
    cls_name, options = OPTIMIZERS[name]
    params = [(nn.Parameter if lib is minitorch else torch.nn.Parameter)(lib.tensor(v))
              for v in values]
    return params, getattr(lib.optim, cls_name)(params, **options)


def _step(lib, params, opt, grads):
    for p, g in zip(params, grads):
        p.grad = lib.tensor(g)
    opt.step()


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("direction", ["minitorch->torch", "torch->minitorch", "torch-legacy->minitorch"])
def test_optimizer_state_resumes_in_the_other_library(name, direction):
    rng = np.random.default_rng(0)
    values = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    grads = [[rng.standard_normal(v.shape) for v in values] for _ in range(3)]
    source, target = (minitorch, torch) if direction == "minitorch->torch" else (torch, minitorch)
    params, opt = _optimizer(source, name, values)
    for g in grads[:2]:
        _step(source, params, opt, g)
    saved = io.BytesIO()
    if direction == "torch-legacy->minitorch":
        torch.save(opt.state_dict(), saved, _use_new_zipfile_serialization=False)
    else:
        source.save(opt.state_dict(), saved)
    saved.seek(0)
    loaded = target.load(saved, weights_only=True)
    resumed_params, resumed = _optimizer(target, name, [p.detach().numpy() for p in params])
    resumed.load_state_dict(loaded)
    _step(source, params, opt, grads[2])
    _step(target, resumed_params, resumed, grads[2])
    for a, b in zip(params, resumed_params):
        # float64 parameters; some optimizers keep float32 counters (NAdam's mu_product)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-7, atol=1e-9)


def test_model_and_optimizer_checkpoint_resumes_training_exactly():
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


# --- the file itself ------------------------------------------------------------------------------

def test_file_layout_is_torchs(tmp_path):
    path = tmp_path / "x.pt"
    minitorch.save({"w": minitorch.ones(3)}, path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert {"archive/data.pkl", "archive/byteorder", "archive/version",
                "archive/data/0"} <= set(names)
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
        info = archive.getinfo("archive/data/0")
    with open(path, "rb") as handle:  # storages start on 64-byte boundaries, as PyTorch's do
        handle.seek(info.header_offset + 26)
        name_length, extra_length = np.frombuffer(handle.read(4), dtype="<u2")
    assert (info.header_offset + 30 + name_length + extra_length) % 64 == 0
    assert torch.load(path, weights_only=True, mmap=True)["w"].tolist() == [1.0, 1.0, 1.0]


def test_paths_and_file_objects(tmp_path):
    x = minitorch.randn(5)
    minitorch.save(x, tmp_path / "x.pt")
    np.testing.assert_array_equal(minitorch.load(tmp_path / "x.pt").numpy(), x.numpy())
    minitorch.save(x, str(tmp_path / "y.pt"))
    with open(tmp_path / "y.pt", "rb") as handle:
        np.testing.assert_array_equal(minitorch.load(handle).numpy(), x.numpy())
    # torch.save to a path names the archive's folder after the file
    torch.save({"w": torch.ones(2)}, tmp_path / "weights.pt")
    with zipfile.ZipFile(tmp_path / "weights.pt") as archive:
        assert archive.namelist()[0].startswith("weights/")
    assert minitorch.load(tmp_path / "weights.pt")["w"].tolist() == [1.0, 1.0]
    # a checkpoint in the middle of a stream, as torch.load allows
    buffer = io.BytesIO(b"header")
    buffer.seek(6)
    minitorch.save(x, buffer)
    buffer.seek(6)
    np.testing.assert_array_equal(minitorch.load(buffer).numpy(), x.numpy())


def _old_minitorch_checkpoint(structure_object, arrays, tensors):
    """A file as minitorch wrote them before it wrote PyTorch's format."""
    structure = {"format": "minitorch-checkpoint", "version": 1, "object": structure_object,
                 "tensors": tensors,
                 "arrays": [{"dtype": str(a.dtype), "shape": list(a.shape)} for a in arrays]}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("minitorch.json", json.dumps(structure))
        for number, array in enumerate(arrays):
            member = io.BytesIO()
            np.save(member, array, allow_pickle=False)
            archive.writestr(f"arrays/{number}.npy", member.getvalue())
    buffer.seek(0)
    return buffer


def test_old_minitorch_files_stay_readable():
    weight = np.arange(6, dtype=np.float32).reshape(2, 3)
    tensors = [{"array": 0, "device": "cpu", "requires_grad": True, "parameter": True},
               {"array": 0, "device": "cpu", "requires_grad": False, "parameter": False}]
    obj = {"$OrderedDict": [["w", {"$tensor": 0}], ["alias", {"$tensor": 1}],
                            ["n", {"$tuple": [1, 2.5, None]}], ["raw", {"$ndarray": 0}],
                            ["dt", {"$dtype": "int64"}], ["size", {"$size": [2, 3]}]]}
    loaded = minitorch.load(_old_minitorch_checkpoint(obj, [weight], tensors))
    assert type(loaded) is collections.OrderedDict and list(loaded)[:2] == ["w", "alias"]
    assert isinstance(loaded["w"], nn.Parameter) and loaded["w"].requires_grad
    np.testing.assert_array_equal(loaded["w"].detach().numpy(), weight)
    assert np.shares_memory(loaded["w"].detach().numpy(), loaded["alias"].numpy())
    assert loaded["n"] == (1, 2.5, None) and loaded["dt"] is minitorch.int64
    assert loaded["size"] == minitorch.Size([2, 3])


# --- map_location --------------------------------------------------------------------------------

@pytest.mark.parametrize("location", ["cpu", minitorch.device("cpu"), {"cpu": "cpu"}])
def test_map_location_to_cpu(location):
    x = minitorch.randn(3)
    loaded = roundtrip(x, map_location=location)
    assert loaded.device == minitorch.device("cpu")
    np.testing.assert_array_equal(loaded.numpy(), x.numpy())


def test_map_location_callable_receives_each_storage_once():
    seen = []

    def to_double(storage, location):
        seen.append((location, tuple(storage.shape)))
        return storage.double()

    base = minitorch.ones(2, 3)
    loaded = roundtrip({"a": base, "row": base[1], "b": minitorch.zeros(1)}, map_location=to_double)
    assert seen == [("cpu", (6,)), ("cpu", (1,))]
    assert loaded["a"].dtype == minitorch.float64 and loaded["row"].tolist() == [1.0, 1.0, 1.0]


def test_map_location_errors_reach_the_caller_unchanged():
    def broken(storage, location):
        raise KeyError("from the user's function")

    with pytest.raises(KeyError, match="from the user's function"):
        roundtrip(minitorch.ones(2), map_location=broken)


def _relocated(obj, location: str):
    """A checkpoint of ``obj`` that says its storages were saved on ``location``."""
    buffer = io.BytesIO()
    minitorch.save(obj, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        members = {n: source.read(n) for n in source.namelist()}
    old, new = b"cpu", location.encode()
    members["archive/data.pkl"] = members["archive/data.pkl"].replace(
        b"X" + len(old).to_bytes(4, "little") + old, b"X" + len(new).to_bytes(4, "little") + new)
    rewritten = io.BytesIO()
    with zipfile.ZipFile(rewritten, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    rewritten.seek(0)
    return rewritten


def test_cuda_checkpoint_without_cuda_needs_map_location(monkeypatch):
    monkeypatch.setattr(minitorch.backend, "cuda_available", lambda: False)
    with pytest.raises(RuntimeError, match="map_location"):
        minitorch.load(_relocated(minitorch.ones(2), "cuda:0"))
    loaded = minitorch.load(_relocated(minitorch.ones(2), "cuda:0"), map_location={"cuda:0": "cpu"})
    assert loaded.device == minitorch.device("cpu") and loaded.tolist() == [1.0, 1.0]
    # PyTorch reads the same file the same way
    assert torch.load(_relocated(minitorch.ones(2), "cuda:0"), map_location="cpu").tolist() == [1, 1]


# --- PyTorch's safety model ------------------------------------------------------------------------

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Embedding(10, 4)
        self.rnn = nn.LSTM(4, 4)
        self.decoder = nn.Linear(4, 10)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        return self.decoder(self.rnn(self.drop(self.encoder(x)))[0])


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2, 2)


def test_a_whole_model_needs_safe_globals_as_in_torch(tmp_path):
    """As in pytorch/examples' word-language model: save the model, load it back under
    safe_globals naming its classes."""
    model = Net().eval()
    path = tmp_path / "model.pt"
    minitorch.save(model, path)
    with pytest.raises(pickle.UnpicklingError) as refused:
        minitorch.load(path)
    assert isinstance(refused.value, RuntimeError)
    message = str(refused.value)
    assert "Weights only load failed" in message and "model.pt" in message
    assert f"GLOBAL {__name__}.Net was not an allowed global by default" in message
    assert "minitorch.serialization.add_safe_globals" in message
    with minitorch.serialization.safe_globals([Net, nn.Embedding, nn.LSTM, nn.Linear, nn.Dropout]):
        loaded = minitorch.load(path)
    assert minitorch.serialization.get_safe_globals() == []
    x = minitorch.tensor([[1, 2, 3]])
    np.testing.assert_array_equal(loaded(x).detach().numpy(), model(x).detach().numpy())
    assert isinstance(loaded.decoder.weight, nn.Parameter)


def test_add_safe_globals_and_clear(tmp_path):
    path = tmp_path / "model.pt"
    minitorch.save(nn.Linear(2, 2), path)
    try:
        minitorch.serialization.add_safe_globals([nn.Linear])
        assert nn.Linear in minitorch.serialization.get_safe_globals()
        assert isinstance(minitorch.load(path), nn.Linear)
    finally:
        minitorch.serialization.clear_safe_globals()
    assert minitorch.serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError, match="Linear was not an allowed global"):
        minitorch.load(path)


def test_weights_only_false_is_the_explicit_opt_in(tmp_path):
    path = tmp_path / "model.pt"
    minitorch.save(nn.Linear(2, 2), path)
    assert isinstance(minitorch.load(path, weights_only=False), nn.Linear)


def test_torch_whole_model_is_refused_like_torch_refuses_it(tmp_path):
    path = tmp_path / "torch_model.pt"
    torch.save(TorchNet(), path)
    with pytest.raises(pickle.UnpicklingError) as theirs:
        torch.load(path)
    with pytest.raises(pickle.UnpicklingError) as ours:
        minitorch.load(path)
    assert f"GLOBAL {__name__}.TorchNet was not an allowed global" in str(theirs.value)
    assert f"GLOBAL {__name__}.TorchNet was not an allowed global" in str(ours.value)


def test_numpy_arrays_need_safe_globals_as_in_torch():
    buffer = io.BytesIO()
    minitorch.save({"a": np.arange(3)}, buffer)
    for load in (torch.load, minitorch.load):
        buffer.seek(0)
        with pytest.raises(pickle.UnpicklingError, match="not an allowed global"):
            load(buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(minitorch.load(buffer, weights_only=False)["a"], np.arange(3))


def test_blocked_modules_stay_blocked_even_when_allowlisted():
    import os
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02cos\ngetcwd\n)R.")
    with minitorch.serialization.safe_globals([os.getcwd]):
        buffer.seek(0)
        with pytest.raises(pickle.UnpicklingError, match="whose module os is blocked"):
            minitorch.load(buffer)


def test_pickle_module_with_weights_only_is_refused_as_in_torch():
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        minitorch.load(io.BytesIO(b""), pickle_module=pickle, weights_only=True)
