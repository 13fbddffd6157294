"""minitorch.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader."""
import collections
import itertools
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import minitorch
import minitorch.utils.data as mdata

Point = collections.namedtuple("Point", ["x", "y"])


def plain(obj):
    """A library-independent picture of a (nested) batch: tensors become (dtype, values)."""
    if isinstance(obj, (torch.Tensor, minitorch.Tensor)):
        return ("tensor", str(obj.dtype).split(".")[-1], tuple(obj.shape), obj.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: plain(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [plain(v) for v in obj])
    return obj


def both(make_samples):
    """The same samples built with each library's tensors."""
    return make_samples(minitorch), make_samples(torch)


# --- collation ---------------------------------------------------------------------------------

COLLATE_CASES = {
    "tensors": lambda lib: [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
    "int_tensors_0d": lambda lib: [lib.tensor(1), lib.tensor(2), lib.tensor(3)],
    "numpy_arrays": lambda lib: [np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)],
    "numpy_int_arrays": lambda lib: [np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int32)],
    "numpy_0d_arrays": lambda lib: [np.array(2.0), np.array(3.0)],
    "numpy_float_scalars": lambda lib: [np.float32(1.5), np.float32(2.5)],
    "numpy_int_scalars": lambda lib: [np.int64(1), np.int64(2)],
    "numpy_bool_scalars": lambda lib: [np.bool_(True), np.bool_(False)],
    "python_floats": lambda lib: [1.5, 2.0, -3.25],
    "python_ints": lambda lib: [1, 2, 3],
    "python_bools": lambda lib: [True, False],
    "strings": lambda lib: ["a", "bb", "ccc"],
    "dicts": lambda lib: [{"image": lib.ones(2), "label": 1, "name": "a"},
                          {"image": lib.zeros(2), "label": 0, "name": "b"}],
    "ordered_dicts": lambda lib: [collections.OrderedDict(a=1.0, b=2), collections.OrderedDict(a=3.0, b=4)],
    "tuples": lambda lib: [(lib.tensor([1.0]), 0, "x"), (lib.tensor([2.0]), 1, "y")],
    "lists": lambda lib: [[1, 2.0], [3, 4.0]],
    "named_tuples": lambda lib: [Point(1.0, lib.tensor(1)), Point(2.0, lib.tensor(2))],
    "nested": lambda lib: [{"pair": (np.float64(1), [1, 2]), "meta": {"id": 7}},
                           {"pair": (np.float64(2), [3, 4]), "meta": {"id": 8}}],
}


@pytest.mark.parametrize("case", sorted(COLLATE_CASES))
def test_default_collate_matches_torch(case):
    ours, theirs = both(COLLATE_CASES[case])
    assert plain(mdata.default_collate(ours)) == plain(tdata.default_collate(theirs))


def test_named_tuple_type_is_kept():
    batch = mdata.default_collate([Point(1.0, 2), Point(3.0, 4)])
    assert type(batch) is Point and batch.x.dtype == minitorch.float64 and batch.y.dtype == minitorch.int64


@pytest.mark.parametrize("sample", [np.arange(3), (np.arange(2.0), 1), {"a": np.float32(2)},
                                    "text", 3, [np.ones(2), "s"]], ids=str)
def test_default_convert_matches_torch(sample):
    assert plain(mdata.default_convert(sample)) == plain(tdata.default_convert(sample))


def test_collate_errors_match_torch():
    for lib_collate in (mdata.default_collate, tdata.default_collate):
        with pytest.raises(RuntimeError, match="equal size"):
            lib_collate([[1, 2], [3]])
        with pytest.raises(TypeError, match="default_collate: batch must contain"):
            lib_collate([object(), object()])
        with pytest.raises(TypeError, match="default_collate: batch must contain"):
            lib_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        mdata.default_collate([minitorch.ones(2), minitorch.ones(3)])


# --- datasets ---------------------------------------------------------------------------------

def test_tensor_dataset_and_mismatch():
    x, y = minitorch.arange(12).reshape(4, 3), minitorch.arange(4)
    ds = mdata.TensorDataset(x, y)
    assert len(ds) == 4 and ds[2][0].tolist() == [6, 7, 8] and ds[2][1].item() == 2
    with pytest.raises(AssertionError, match="Size mismatch"):
        mdata.TensorDataset(minitorch.zeros(2), minitorch.zeros(3))


def test_concat_subset_stack_datasets_match_torch():
    ours = mdata.ConcatDataset([range(3), range(10, 14), range(20, 22)])
    theirs = tdata.ConcatDataset([range(3), range(10, 14), range(20, 22)])
    assert len(ours) == len(theirs) and ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i] for i in range(-len(ours), len(ours))] == \
        [theirs[i] for i in range(-len(theirs), len(theirs))]
    with pytest.raises(IndexError):
        ours[len(ours)]
    with pytest.raises(ValueError):
        ours[-len(ours) - 1]
    with pytest.raises(AssertionError):
        mdata.ConcatDataset([])
    assert list((mdata.Subset(range(10), [3, 1]) + mdata.Subset(range(5), [4]))[i] for i in range(3)) == [3, 1, 4]
    stacked = mdata.StackDataset(range(3), "abc")
    assert stacked[1] == (1, "b") and len(stacked) == 3
    assert mdata.StackDataset(a=range(2), b=range(2, 4))[1] == {"a": 1, "b": 3}
    with pytest.raises(ValueError):
        mdata.StackDataset(range(2), range(3))


@pytest.mark.parametrize("n,lengths", [(10, [3, 7]), (10, [0.3, 0.3, 0.4]), (11, [0.33, 0.33, 0.34]),
                                       (7, [0.5, 0.5]), (5, [1.0]), (100, [0.8, 0.1, 0.1]),
                                       (3, [0.2, 0.2, 0.2, 0.2, 0.2])])
def test_random_split_sizes_match_torch(n, lengths):
    with warnings.catch_warnings(record=True) as ours_warned:
        warnings.simplefilter("always")
        ours = mdata.random_split(range(n), lengths, generator=minitorch.Generator().manual_seed(0))
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")
        theirs = tdata.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    assert len(ours_warned) == len(theirs_warned)  # an empty split warns, as in PyTorch
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    items = sorted(itertools.chain.from_iterable(ours))
    assert items == list(range(n))  # disjoint and covering


def test_random_split_generator_and_errors():
    split = lambda seed: [list(s) for s in mdata.random_split(
        range(20), [0.5, 0.5], generator=minitorch.Generator().manual_seed(seed))]
    assert split(1) == split(1) and split(1) != split(2)
    for lib in (mdata, tdata):
        with pytest.raises(ValueError, match="Sum of input lengths"):
            lib.random_split(range(10), [3, 3])
        with pytest.raises(ValueError):
            lib.random_split(range(10), [0.5, 0.6])


# --- samplers ------------------------------------------------------------------------------------

def test_sequential_and_batch_sampler_match_torch():
    for n, size, drop in [(7, 3, False), (7, 3, True), (6, 3, False), (2, 5, False), (2, 5, True)]:
        ours = mdata.BatchSampler(mdata.SequentialSampler(range(n)), size, drop)
        theirs = tdata.BatchSampler(tdata.SequentialSampler(range(n)), size, drop)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_random_sampler_semantics():
    g = minitorch.Generator().manual_seed(0)
    assert sorted(mdata.RandomSampler(range(10), generator=g)) == list(range(10))
    with_replacement = list(mdata.RandomSampler(range(5), replacement=True, num_samples=50, generator=g))
    assert len(with_replacement) == 50 and set(with_replacement) <= set(range(5))
    assert len(set(with_replacement)) < 50
    # without replacement and more samples than items: whole permutations, then a partial one
    counts = collections.Counter(mdata.RandomSampler(range(4), num_samples=10, generator=g))
    assert sorted(counts.values()) == [2, 2, 3, 3]
    for kwargs in [{}, {"num_samples": 7}, {"replacement": True, "num_samples": 3}]:
        assert len(mdata.RandomSampler(range(5), **kwargs)) == len(tdata.RandomSampler(range(5), **kwargs))
    first = list(mdata.RandomSampler(range(20), generator=minitorch.Generator().manual_seed(3)))
    again = list(mdata.RandomSampler(range(20), generator=minitorch.Generator().manual_seed(3)))
    assert first == again


@pytest.mark.parametrize("make", [
    lambda lib: lib.RandomSampler(range(3), num_samples=0),
    lambda lib: lib.RandomSampler(range(3), replacement=1),
    lambda lib: lib.BatchSampler(range(3), 0, False),
    lambda lib: lib.BatchSampler(range(3), 2, 1),
    lambda lib: lib.WeightedRandomSampler([[1.0]], 2),
    lambda lib: lib.WeightedRandomSampler([1.0], 0),
    lambda lib: lib.WeightedRandomSampler([1.0], 2, replacement=1),
    lambda lib: list(lib.WeightedRandomSampler([1.0, 1.0], 3, replacement=False)),
])
def test_sampler_errors_match_torch(make):
    with pytest.raises(Exception) as theirs:
        make(tdata)
    with pytest.raises(theirs.type):
        make(mdata)


def test_subset_random_and_weighted_samplers():
    g = minitorch.Generator().manual_seed(0)
    indices = [5, 9, 2, 7]
    sampler = mdata.SubsetRandomSampler(indices, generator=g)
    assert len(sampler) == 4 and sorted(sampler) == sorted(indices)
    weighted = list(mdata.WeightedRandomSampler([0.0, 1.0, 3.0], 400, generator=g))
    counts = collections.Counter(weighted)
    assert len(weighted) == 400 and counts[0] == 0 and counts[2] > counts[1] > 0
    unique = list(mdata.WeightedRandomSampler([1.0, 2.0, 3.0, 0.5], 4, replacement=False, generator=g))
    assert sorted(unique) == [0, 1, 2, 3]
    assert len(mdata.WeightedRandomSampler(minitorch.tensor([1.0, 2.0]), 5)) == 5


# --- DataLoader, single process ---------------------------------------------------------------

def _pair(lib, n=10):
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    return lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(np.arange(n)))


@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (3, False), (3, True), (10, False),
                                                  (12, True), (None, False)])
def test_batches_and_len_match_torch(batch_size, drop_last):
    ours = mdata.DataLoader(_pair(minitorch), batch_size=batch_size, drop_last=drop_last)
    theirs = tdata.DataLoader(_pair(torch), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert [plain(b) for b in ours] == [plain(b) for b in theirs]


def test_shuffle_covers_every_item_once_and_is_reproducible():
    data = _pair(minitorch, 23)
    loader = mdata.DataLoader(data, batch_size=4, shuffle=True,
                              generator=minitorch.Generator().manual_seed(0))
    epochs = [[i for _, y in loader for i in y.tolist()] for _ in range(2)]
    for epoch in epochs:
        assert sorted(epoch) == list(range(23))
    assert epochs[0] != epochs[1]  # a new order each epoch
    again = mdata.DataLoader(data, batch_size=4, shuffle=True,
                             generator=minitorch.Generator().manual_seed(0))
    assert [[i for _, y in again for i in y.tolist()] for _ in range(2)] == epochs
    minitorch.manual_seed(5)
    global_first = [y.tolist() for _, y in mdata.DataLoader(data, batch_size=4, shuffle=True)]
    minitorch.manual_seed(5)
    assert [y.tolist() for _, y in mdata.DataLoader(data, batch_size=4, shuffle=True)] == global_first


def test_sampler_batch_sampler_and_collate_fn_options():
    data = list(range(10))
    loader = mdata.DataLoader(data, batch_sampler=[[0, 1], [5, 6, 7]])
    assert [b.tolist() for b in loader] == [[0, 1], [5, 6, 7]] and len(loader) == 2
    loader = mdata.DataLoader(data, sampler=[9, 8, 7], batch_size=2, collate_fn=lambda b: sum(b))
    assert list(loader) == [17, 7]
    loader = mdata.DataLoader(data, batch_size=3, pin_memory=True)
    assert [b.tolist() for b in loader][-1] == [9]


@pytest.mark.parametrize("kwargs", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True), dict(sampler=[0], shuffle=True),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True),
])
def test_dataloader_option_errors_match_torch(kwargs):
    with pytest.raises(ValueError):
        tdata.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError):
        mdata.DataLoader(list(range(4)), **kwargs)


class Stream(mdata.IterableDataset):
    """0..n-1; with workers each worker yields only its share (worker id modulo)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = mdata.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("batch_size,drop_last", [(3, False), (3, True), (None, False)])
def test_iterable_dataset_single_process(batch_size, drop_last):
    loader = mdata.DataLoader(Stream(8), batch_size=batch_size, drop_last=drop_last)
    batches = [b.tolist() if isinstance(b, minitorch.Tensor) else b for b in loader]
    expected = [b.tolist() if isinstance(b, torch.Tensor) else b
                for b in tdata.DataLoader(_TorchStream(8), batch_size=batch_size, drop_last=drop_last)]
    assert batches == expected and len(loader) == len(expected)
    with pytest.raises(ValueError, match="IterableDataset"):
        mdata.DataLoader(Stream(3), shuffle=True)


class _TorchStream(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class Faulty(mdata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, index):
        if index == 5:
            raise ValueError("sample is broken")
        return index


def test_error_names_the_index_single_process():
    with pytest.raises(ValueError, match=r"dataset\[5\].*sample is broken") as info:
        list(mdata.DataLoader(Faulty(), batch_size=2))
    assert isinstance(info.value.__cause__, ValueError)


# --- DataLoader with worker processes (kept few: starting processes is slow) ------------------

def test_workers_give_the_same_batches_as_the_main_process():
    data = _pair(minitorch, 21)

    def batches(workers):
        loader = mdata.DataLoader(data, batch_size=4, shuffle=True, num_workers=workers,
                                  generator=minitorch.Generator().manual_seed(7))
        return [plain(b) for b in loader]

    assert batches(2) == batches(0)


def test_persistent_workers_over_two_epochs():
    loader = mdata.DataLoader(list(range(9)), batch_size=2, num_workers=2, persistent_workers=True,
                              prefetch_factor=1)
    first = [b.tolist() for b in loader]
    pool = loader._pool
    second = [b.tolist() for b in loader]
    assert first == second == [[0, 1], [2, 3], [4, 5], [6, 7], [8]]
    assert loader._pool is pool and all(p.is_alive() for p in pool.processes)
    pool.shutdown()


def _record_worker(worker_id):
    info = mdata.get_worker_info()
    assert info.id == worker_id and info.num_workers == 2


def test_iterable_dataset_with_workers_shards_by_worker_info():
    assert mdata.get_worker_info() is None
    loader = mdata.DataLoader(Stream(11), batch_size=2, num_workers=2, worker_init_fn=_record_worker)
    items = [i for b in loader for i in b.tolist()]
    assert sorted(items) == list(range(11))


def test_worker_error_names_index_and_original_exception():
    with pytest.raises(ValueError, match=r"worker process \d while loading dataset\[5\]: "
                                         r"sample is broken") as info:
        list(mdata.DataLoader(Faulty(), batch_size=2, num_workers=2))
    assert "Traceback" in str(info.value)


class Slow(mdata.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        time.sleep(3)
        return index


def test_worker_timeout():
    with pytest.raises(RuntimeError, match="timed out"):
        list(mdata.DataLoader(Slow(), num_workers=1, timeout=0.3))
