"""A seeded script prints PyTorch's numbers: the README's first example, and an MLP trained
on digits with a shuffling DataLoader and dropout, run unchanged under ``import torch`` and
``import minitorch as torch``. Every random draw is identical (see test_random_streams.py),
so the only difference left is float32 rounding in the arithmetic."""
import re
from pathlib import Path

import numpy as np
import torch

import minitorch
from minitorch.datasets import load_digits

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_example() -> str:
    return re.search(r"```python\n(import minitorch as torch.*?)```", README.read_text(), re.S).group(1)


def _run(source: str, library) -> list[float]:
    """Run ``source`` with ``torch`` bound to ``library``; collect what it prints."""
    printed = []
    namespace = {"print": lambda *args: printed.append(" ".join(map(str, args)))}
    exec(source.replace("import minitorch as torch", ""), {**namespace, "torch": library})
    return [float(x) for line in printed for x in re.findall(r"-?\d+\.\d+", line)]


def test_readme_example_prints_pytorchs_loss():
    source = _readme_example()
    ours, theirs = _run(source, minitorch), _run(source, torch)
    assert ours and ours == theirs  # the printed numbers (4 decimals) are PyTorch's


def _train_digits(lib, images: np.ndarray, labels: np.ndarray) -> list[float]:
    lib.manual_seed(0)
    data = lib.utils.data.TensorDataset(lib.tensor(images), lib.tensor(labels))
    loader = lib.utils.data.DataLoader(data, batch_size=64, shuffle=True)
    model = lib.nn.Sequential(lib.nn.Linear(64, 32), lib.nn.ReLU(), lib.nn.Dropout(0.2),
                              lib.nn.Linear(32, 10))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(2):
        for x, y in loader:
            loss = lib.nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def test_seeded_digits_training_matches_pytorch():
    digits = load_digits("train", flatten=True)
    images, labels = (t.numpy() for t in digits.tensors)
    ours = _train_digits(minitorch, images, labels)
    theirs = _train_digits(torch, images, labels)
    assert len(ours) == len(theirs) > 20
    # same batches, masks and weights; only float32 rounding of the arithmetic differs
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    assert ours[-1] < ours[0] / 2
