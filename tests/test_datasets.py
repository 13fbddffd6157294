"""minitorch.datasets: shapes, dtypes, labels, splits, determinism, and no network access."""
import socket
import string

import numpy as np
import pytest

import minitorch
from minitorch import datasets
from minitorch.datasets import _files
from minitorch.utils.data import DataLoader, TensorDataset


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_loading_never_touches_the_network(no_network):
    for cache in (_files._digits_table, _files._mnist_table, _files._all_names):
        cache.cache_clear()  # read the files again, under the guard
    assert len(datasets.load_digits()) == 1797
    assert len(datasets.load_mnist_5k("test")) == 1000
    assert len(datasets.load_names()) == 5163
    assert len(datasets.make_spirals(10)) == 10


def _check_images(ds, n, side, flatten=False):
    images, labels = ds.tensors
    assert isinstance(ds, TensorDataset) and len(ds) == n
    assert tuple(images.shape) == ((n, side * side) if flatten else (n, 1, side, side))
    assert images.dtype == minitorch.float32 and labels.dtype == minitorch.int64
    x = images.numpy()
    assert x.min() == 0.0 and x.max() == 1.0
    assert set(labels.tolist()) == set(range(10))


def test_digits_match_scikit_learn():
    from sklearn.datasets import load_digits as sklearn_digits
    reference = sklearn_digits()
    ds = datasets.load_digits()
    _check_images(ds, 1797, 8)
    np.testing.assert_array_equal(ds.tensors[0].numpy().reshape(1797, 64), reference.data / 16)
    np.testing.assert_array_equal(ds.tensors[1].numpy(), reference.target)


@pytest.mark.parametrize("load,n,side", [(datasets.load_digits, 1797, 8),
                                         (datasets.load_mnist_5k, 5000, 28)])
def test_image_splits_are_stratified_and_disjoint(load, n, side):
    all_images, all_labels = load().tensors
    train, test = load("train"), load("test")
    _check_images(train, len(train), side)
    _check_images(load("test", flatten=True), len(test), side, flatten=True)
    assert len(train) + len(test) == n
    counts = np.bincount(all_labels.numpy(), minlength=10)
    test_counts = np.bincount(test.tensors[1].numpy(), minlength=10)
    np.testing.assert_array_equal(test_counts, counts // 5)  # every fifth per class
    # together the two splits are exactly the whole set (as multisets of rows)
    rows = lambda images, labels: sorted(row.tobytes() for row in np.column_stack(
        [images.numpy().reshape(len(labels), -1), labels.numpy()]))
    joined = rows(train.tensors[0], train.tensors[1]) + rows(test.tensors[0], test.tensors[1])
    assert sorted(joined) == rows(all_images, all_labels)


def test_mnist_classes_and_determinism():
    ds = datasets.load_mnist_5k()
    _check_images(ds, 5000, 28)
    np.testing.assert_array_equal(np.bincount(ds.tensors[1].numpy()), [500] * 10)
    assert tuple(np.bincount(datasets.load_mnist_5k("train").tensors[1].numpy())) == (400,) * 10
    ds.tensors[0][0] = 5.0  # changing a returned tensor does not change the next load
    again = datasets.load_mnist_5k()
    assert again.tensors[0].numpy().max() == 1.0
    # real handwriting: a digit has ink (non-zero pixels) but is mostly background
    ink = (again.tensors[0].numpy() > 0).mean(axis=(1, 2, 3))
    assert 0.05 < ink.min() and ink.max() < 0.6


def test_names():
    ds = datasets.load_names()
    names = [ds[i] for i in range(len(ds))]
    assert len(names) == 5163 and names == ds.names
    assert names == sorted(set(names))
    assert all(name and set(name) <= set(string.ascii_lowercase) for name in names)
    assert {"mary", "james", "emma", "olivia"} <= set(names)
    train, test = datasets.load_names("train"), datasets.load_names("test")
    assert (len(train), len(test)) == (4647, 516)
    assert sorted(train.names + test.names) == names
    batch = next(iter(DataLoader(ds, batch_size=3)))
    assert batch == ["aaron", "abbey", "abbie"]  # strings collate to a list
    with pytest.raises(ValueError, match="split"):
        datasets.load_names("valid")


TOYS = [datasets.make_moons, datasets.make_circles, datasets.make_spirals, datasets.make_xor]


@pytest.mark.parametrize("make", TOYS)
def test_toy_sets_shapes_determinism_and_errors(make):
    ds = make(101, noise=0.1, generator=minitorch.Generator().manual_seed(0))
    points, labels = ds.tensors
    assert tuple(points.shape) == (101, 2) and points.dtype == minitorch.float32
    assert tuple(labels.shape) == (101,) and labels.dtype == minitorch.int64
    assert set(labels.tolist()) == {0, 1}
    same = make(101, noise=0.1, generator=minitorch.Generator().manual_seed(0))
    other = make(101, noise=0.1, generator=minitorch.Generator().manual_seed(1))
    assert points.tolist() == same.tensors[0].tolist()
    assert points.tolist() != other.tensors[0].tolist()
    minitorch.manual_seed(3)
    first = make(20).tensors[0].tolist()
    minitorch.manual_seed(3)
    assert make(20).tensors[0].tolist() == first
    with pytest.raises(ValueError):
        make(0)
    with pytest.raises(ValueError):
        make(10, noise=-1.0)


def test_toy_geometry_without_noise():
    g = minitorch.Generator().manual_seed(0)
    points, labels = (t.numpy() for t in datasets.make_circles(100, factor=0.5, generator=g).tensors)
    radius = np.linalg.norm(points, axis=1)
    np.testing.assert_allclose(radius[labels == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[labels == 1], 0.5, rtol=1e-6)
    assert np.bincount(labels).tolist() == [50, 50]

    points, labels = (t.numpy() for t in datasets.make_moons(51, generator=g).tensors)
    upper, lower = points[labels == 0], points[labels == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0, rtol=1e-6)
    assert (upper[:, 1] >= -1e-7).all() and (lower[:, 1] <= 0.5 + 1e-7).all()
    assert (len(upper), len(lower)) == (26, 25)

    points, labels = (t.numpy() for t in datasets.make_xor(200, generator=g).tensors)
    np.testing.assert_array_equal(labels, (points[:, 0] * points[:, 1] < 0).astype(np.int64))
    assert np.abs(points).max() <= 1.0

    points, labels = (t.numpy() for t in datasets.make_spirals(90, n_classes=3, generator=g).tensors)
    assert np.bincount(labels).tolist() == [30, 30, 30]
    assert np.linalg.norm(points, axis=1).max() <= 1.0 + 1e-6


def test_train_test_split():
    ds = datasets.make_moons(200, noise=0.1, generator=minitorch.Generator().manual_seed(0))
    labels = ds.tensors[1]
    train, test = datasets.train_test_split(ds, 0.25, stratify=labels,
                                            generator=minitorch.Generator().manual_seed(0))
    assert (len(train), len(test)) == (150, 50)
    assert sorted(train.indices + test.indices) == list(range(200))
    assert np.bincount(labels.numpy()[test.indices]).tolist() == [25, 25]
    again = datasets.train_test_split(ds, 0.25, stratify=labels,
                                      generator=minitorch.Generator().manual_seed(0))
    assert again[1].indices == test.indices
    plain_train, plain_test = datasets.train_test_split(range(10), 0.33)
    assert (len(plain_train), len(plain_test)) == (6, 4)
    with pytest.raises(ValueError):
        datasets.train_test_split(ds, 1.5)
    with pytest.raises(ValueError):
        datasets.train_test_split(ds, 0.2, stratify=[0, 1])


def test_datasets_feed_a_dataloader():
    loader = DataLoader(datasets.load_digits("test"), batch_size=64, shuffle=True,
                        generator=minitorch.Generator().manual_seed(0))
    images, labels = next(iter(loader))
    assert tuple(images.shape) == (64, 1, 8, 8) and tuple(labels.shape) == (64,)
    assert len(loader) == 6
