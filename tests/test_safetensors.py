"""minitorch.save_safetensors / load_safetensors against the safetensors package and torch."""
import json
import os
import struct

import numpy as np
import pytest
import torch

import minitorch

safetensors = pytest.importorskip("safetensors")
import safetensors.numpy  # noqa: E402
import safetensors.torch  # noqa: E402

from test_serialization_hostile import PEAK_LIMIT_MB, run_loader  # noqa: E402

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _tensors(lib):
    values = np.array([[0, 1, 2], [3, 250, 7]])
    out = {dt: lib.tensor(values % (2 if dt == "bool" else 256)).to(getattr(lib, dt))
           for dt in DTYPES}
    out["scalar"] = lib.tensor(2.5)
    out["empty"] = lib.zeros(0, 3)
    out["transposed"] = lib.arange(6.0).reshape(2, 3).t()  # not contiguous
    return out


def _assert_same(ours, theirs):
    assert list(ours) == list(theirs) or sorted(ours) == sorted(theirs)
    for key in theirs:
        assert str(ours[key].dtype).split(".")[-1] == str(theirs[key].dtype).split(".")[-1], key
        assert tuple(ours[key].shape) == tuple(theirs[key].shape), key
        np.testing.assert_array_equal(np.asarray(ours[key]), np.asarray(theirs[key]), err_msg=key)


def test_roundtrip_every_dtype(tmp_path):
    tensors = _tensors(minitorch)
    minitorch.save_safetensors(tensors, tmp_path / "t.safetensors")
    loaded = minitorch.load_safetensors(tmp_path / "t.safetensors")
    _assert_same({k: v.numpy() for k, v in loaded.items()}, {k: v.numpy() for k, v in tensors.items()})
    loaded["float32"].add_(1)  # loaded tensors own writable memory


def test_torch_reads_what_minitorch_writes(tmp_path):
    minitorch.save_safetensors(_tensors(minitorch), tmp_path / "t.safetensors", metadata={"a": "b"})
    theirs = safetensors.torch.load_file(tmp_path / "t.safetensors")
    _assert_same({k: v for k, v in theirs.items()}, _tensors(torch))
    with safetensors.safe_open(tmp_path / "t.safetensors", framework="np") as handle:
        assert handle.metadata() == {"a": "b"}


def test_minitorch_reads_what_torch_and_numpy_write(tmp_path):
    safetensors.torch.save_file({k: v.contiguous() for k, v in _tensors(torch).items()},
                                tmp_path / "torch.safetensors")
    loaded = minitorch.load_safetensors(tmp_path / "torch.safetensors")
    _assert_same({k: v.numpy() for k, v in loaded.items()},
                 {k: v.numpy() for k, v in _tensors(torch).items()})
    arrays = {"a": np.arange(5, dtype=np.int16), "b": np.ones((2, 2), dtype=np.float64)}
    safetensors.numpy.save_file(arrays, tmp_path / "numpy.safetensors")
    loaded = minitorch.load_safetensors(tmp_path / "numpy.safetensors")
    _assert_same({k: v.numpy() for k, v in loaded.items()}, arrays)


def test_a_torch_state_dict_loads_into_a_minitorch_model(tmp_path):
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    safetensors.torch.save_file(theirs.state_dict(), tmp_path / "m.safetensors")
    ours = minitorch.nn.Sequential(minitorch.nn.Conv2d(1, 2, 3), minitorch.nn.BatchNorm2d(2))
    ours.load_state_dict(minitorch.load_safetensors(tmp_path / "m.safetensors"))
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy())


def test_shared_memory_is_refused_as_safetensors_torch_refuses_it(tmp_path):
    base = torch.arange(6.0)
    with pytest.raises(RuntimeError, match="share memory"):
        safetensors.torch.save_file({"a": base, "b": base[2:]}, tmp_path / "t.safetensors")
    ours = minitorch.arange(6.0)
    with pytest.raises(RuntimeError, match="share memory"):
        minitorch.save_safetensors({"a": ours, "b": ours[2:]}, tmp_path / "m.safetensors")


def test_bad_arguments_raise_type_error(tmp_path):
    with pytest.raises(TypeError, match="dict"):
        minitorch.save_safetensors([minitorch.ones(1)], tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="'w'"):
        minitorch.save_safetensors({"w": np.ones(1)}, tmp_path / "x.safetensors")


def _header_file(path, header: dict, data: bytes, declared_length=None):
    text = json.dumps(header).encode()
    length = len(text) if declared_length is None else declared_length
    path.write_bytes(struct.pack("<Q", length) + text + data)
    return path


def test_damaged_and_hostile_files_raise_runtime_errors_in_bounded_memory(tmp_path):
    good = tmp_path / "good.safetensors"
    minitorch.save_safetensors({"w": minitorch.arange(4.0)}, good)
    data = good.read_bytes()
    files = [
        _header_file(tmp_path / "huge_header.safetensors", {}, b"", declared_length=2 ** 60),
        _header_file(tmp_path / "outside.safetensors",
                     {"w": {"dtype": "F32", "shape": [2 ** 30], "data_offsets": [0, 2 ** 32]}}, b"\0" * 16),
        _header_file(tmp_path / "wrong_size.safetensors",
                     {"w": {"dtype": "F32", "shape": [2 ** 30], "data_offsets": [0, 16]}}, b"\0" * 16),
        _header_file(tmp_path / "bf16.safetensors",
                     {"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4),
        tmp_path / "text.safetensors",
        "/dev/zero",
    ]
    files[4].write_text("not a safetensors file at all")
    for length in range(0, len(data), 7):
        cut = tmp_path / f"cut{length}.safetensors"
        cut.write_bytes(data[:length])
        files.append(cut)
    results = run_loader(files, "load_safetensors")
    assert results[3]["exception"] == "NotImplementedError" and "BF16" in results[3]["message"]
    for path, result in zip(files, results):
        assert result["exception"] is not None and result["runtime_error"], (path, result)
        assert os.path.basename(str(path)) in result["message"], result["message"]
        assert result["peak_mb"] < PEAK_LIMIT_MB
