"""Data loading as real training scripts do it: makemore's and minGPT's endless loaders,
``RandomSampler(replacement=True, num_samples=int(1e10))``, and nanoGPT's tensors over
``np.memmap``."""
import itertools
import tracemalloc

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import minitorch
import minitorch.utils.data as mdata


def chunked_randint_stream(lib, n, num_samples, seed):
    """What a sampler with replacement must yield if it draws ``randint`` 32 at a time."""
    g = lib.Generator().manual_seed(seed)
    chunks = [lib.randint(n, (32,), generator=g) for _ in range(num_samples // 32)]
    chunks.append(lib.randint(n, (num_samples % 32,), generator=g))
    return [i for chunk in chunks for i in chunk.tolist()]


@pytest.mark.parametrize("num_samples", [1, 31, 32, 33, 100])
def test_replacement_draws_in_chunks_of_32_as_pytorch(num_samples):
    # The chunking is PyTorch's, learnt from PyTorch: its sampler equals its randint in chunks.
    for lib, data in ((torch, tdata), (minitorch, mdata)):
        sampler = data.RandomSampler(range(7), replacement=True, num_samples=num_samples,
                                     generator=lib.Generator().manual_seed(5))
        assert list(sampler) == chunked_randint_stream(lib, 7, num_samples, seed=5), lib.__name__


def test_replacement_with_huge_num_samples_is_lazy():
    num_samples = int(1e10)  # makemore's value: 74.5 GiB of indices if drawn at once
    sampler = mdata.RandomSampler(range(10), replacement=True, num_samples=num_samples)
    assert len(sampler) == len(tdata.RandomSampler(range(10), replacement=True,
                                                   num_samples=num_samples))
    tracemalloc.start()
    try:
        first = list(itertools.islice(iter(sampler), 1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(first) == 1000 and set(first) <= set(range(10))
    assert peak < 1_000_000, f"drawing 1000 indices peaked at {peak} bytes"


def test_endless_loader_as_makemore_builds_it():
    # makemore: DataLoader(ds, batch_size, sampler=RandomSampler(ds, True, int(1e10))) and
    # next(iter(...)) per step.
    for lib, data in ((torch, tdata), (minitorch, mdata)):
        dataset = data.TensorDataset(lib.arange(20).reshape(10, 2), lib.arange(10))
        sampler = data.RandomSampler(dataset, replacement=True, num_samples=int(1e10))
        loader = iter(data.DataLoader(dataset, batch_size=4, sampler=sampler))
        x, y = next(loader)
        assert tuple(x.shape) == (4, 2) and tuple(y.shape) == (4,)
        assert x[:, 0].tolist() == (2 * y).tolist()


# --- nanoGPT's loader: tensors over np.memmap ---------------------------------------------------

class TaggedArray(np.ndarray):
    """Any ndarray subclass (as np.memmap is one)."""


@pytest.mark.filterwarnings("ignore:The given NumPy array is not writable")  # PyTorch's, on mode 'r'
@pytest.mark.parametrize("make", [
    lambda path: np.memmap(path, dtype=np.uint16, mode="r")[2:8].astype(np.int64),  # nanoGPT
    lambda path: np.memmap(path, dtype=np.uint8, mode="r"),  # (uint16 tensors: see deviations)
    lambda path: np.arange(6, dtype=np.float32).view(TaggedArray),
])
def test_from_numpy_of_an_ndarray_subclass(tmp_path, make):
    path = tmp_path / "train.bin"
    np.arange(10, dtype=np.uint16).tofile(path)
    ours, theirs = minitorch.from_numpy(make(path)), torch.from_numpy(make(path))
    assert str(ours.device) == str(theirs.device) == "cpu"
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert minitorch.stack([ours, ours]).tolist() == torch.stack([theirs, theirs]).tolist()
    assert (ours + 1).tolist() == (theirs + 1).tolist()


def test_from_numpy_of_a_memmap_shares_its_memory(tmp_path):
    path = tmp_path / "data.bin"
    np.zeros(4, dtype=np.float32).tofile(path)
    mapped = np.memmap(path, dtype=np.float32, mode="r+")
    tensor = minitorch.from_numpy(mapped)
    mapped[1] = 5.0
    assert tensor.tolist() == [0.0, 5.0, 0.0, 0.0]
