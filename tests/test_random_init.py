"""Same seed, same numbers, one level up: ``nn.init``, every layer's default initialisation,
dropout masks, and data shuffling, compared with PyTorch bit for bit after the same seed."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch
import minitorch.nn.functional as F
from minitorch.utils.data import DataLoader, RandomSampler, SubsetRandomSampler, TensorDataset, \
    WeightedRandomSampler, random_split

from random_oracle import assert_identical, assert_same_stream_after, seed_both


def assert_states_identical(expected: torch.nn.Module, actual: minitorch.nn.Module):
    want, got = expected.state_dict(), actual.state_dict()
    assert list(want) == list(got)
    for name in want:
        assert_identical(want[name].detach(), got[name])


# --- nn.init ---------------------------------------------------------------------------------

INIT_CALLS = [
    ("uniform_", dict(a=-0.3, b=0.8)),
    ("normal_", dict(mean=0.5, std=2.0)),
    ("trunc_normal_", dict(std=0.02)),                   # rejection of normals (p > 0.3)
    ("trunc_normal_", dict(mean=0.0, std=1.0, a=2.0, b=3.0)),   # uniform proposals (p <= 0.3)
    ("xavier_uniform_", dict(gain=1.3)),
    ("xavier_normal_", dict()),
    ("kaiming_uniform_", dict(a=5 ** 0.5)),
    ("kaiming_uniform_", dict(mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal_", dict()),
    ("kaiming_normal_", dict(mode="fan_out", nonlinearity="relu")),
]


@pytest.mark.parametrize("name,kwargs", INIT_CALLS)
@pytest.mark.parametrize("shape", [(3, 5), (16, 1), (7, 9), (4, 3, 2, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_init_functions(name, kwargs, shape, dtype):
    seed_both(3)
    t = torch.empty(shape, dtype=getattr(torch, dtype))
    m = minitorch.empty(shape, dtype=getattr(minitorch, dtype))
    assert_identical(getattr(torch.nn.init, name)(t, **kwargs), getattr(minitorch.nn.init, name)(m, **kwargs))
    g_t, g_m = torch.Generator().manual_seed(8), minitorch.Generator().manual_seed(8)
    assert_identical(getattr(torch.nn.init, name)(t, generator=g_t, **kwargs),
                     getattr(minitorch.nn.init, name)(m, generator=g_m, **kwargs))
    assert_same_stream_after()


def test_sparse_init_draws_its_permutations_from_the_default_generator():
    seed_both(4)
    g_t, g_m = torch.Generator().manual_seed(1), minitorch.Generator().manual_seed(1)
    assert_identical(torch.nn.init.sparse_(torch.empty(10, 6), 0.3, generator=g_t),
                     minitorch.nn.init.sparse_(minitorch.empty(10, 6), 0.3, generator=g_m))
    assert_same_stream_after()


@pytest.mark.parametrize("shape", [(3, 5), (6, 2), (4, 2, 3)])
def test_orthogonal_uses_the_same_gaussian_draws(shape):
    # QR comes from NumPy's LAPACK rather than PyTorch's, so the last bits may differ
    seed_both(6)
    expected = torch.nn.init.orthogonal_(torch.empty(shape), gain=1.5).numpy()
    actual = minitorch.nn.init.orthogonal_(minitorch.empty(shape), gain=1.5).numpy()
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5)
    assert_same_stream_after()


# --- every layer's default initialisation ----------------------------------------------------

LAYERS = {
    "Linear": lambda nn: nn.Linear(7, 5),
    "Linear without bias": lambda nn: nn.Linear(7, 5, bias=False),
    "Bilinear": lambda nn: nn.Bilinear(3, 4, 5),
    "Conv1d": lambda nn: nn.Conv1d(3, 4, 3),
    "Conv2d": lambda nn: nn.Conv2d(3, 8, 3),
    "Conv2d groups": lambda nn: nn.Conv2d(4, 8, (3, 2), groups=2),
    "ConvTranspose1d": lambda nn: nn.ConvTranspose1d(3, 4, 3),
    "ConvTranspose2d": lambda nn: nn.ConvTranspose2d(3, 4, 3),
    "Embedding": lambda nn: nn.Embedding(10, 4),
    "Embedding padding_idx": lambda nn: nn.Embedding(10, 4, padding_idx=2),
    "RNN": lambda nn: nn.RNN(3, 5, num_layers=2),
    "RNN bidirectional": lambda nn: nn.RNN(3, 5, bidirectional=True, nonlinearity="relu"),
    "LSTM": lambda nn: nn.LSTM(3, 5, num_layers=2, batch_first=True),
    "GRU": lambda nn: nn.GRU(3, 5, bidirectional=True),
    "RNNCell": lambda nn: nn.RNNCell(3, 5),
    "LSTMCell": lambda nn: nn.LSTMCell(3, 5),
    "GRUCell": lambda nn: nn.GRUCell(3, 5),
    "MultiheadAttention": lambda nn: nn.MultiheadAttention(8, 2),
    "MultiheadAttention kdim vdim": lambda nn: nn.MultiheadAttention(8, 2, kdim=5, vdim=3),
    "TransformerEncoderLayer": lambda nn: nn.TransformerEncoderLayer(8, 2, 16),
    "TransformerDecoderLayer": lambda nn: nn.TransformerDecoderLayer(8, 2, 16, norm_first=True),
    "Transformer": lambda nn: nn.Transformer(8, 2, 1, 1, 16),
    "BatchNorm1d": lambda nn: nn.BatchNorm1d(4),
    "BatchNorm2d": lambda nn: nn.BatchNorm2d(4),
    "LayerNorm": lambda nn: nn.LayerNorm(4),
    "GroupNorm": lambda nn: nn.GroupNorm(2, 4),
    "PReLU": lambda nn: nn.PReLU(3),
    "MLP": lambda nn: nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10)),
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("seed", [0, 1234])
def test_default_initialisation(name, seed):
    seed_both(seed)
    assert_states_identical(LAYERS[name](torch.nn), LAYERS[name](minitorch.nn))
    assert_same_stream_after()


# --- dropout masks -----------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.1, 0.5, 0.75, 1.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_masks(p, dtype):
    seed_both(2)
    x = torch.randn(6, 5, 4, 3, dtype=getattr(torch, dtype))
    m = minitorch.randn(6, 5, 4, 3, dtype=getattr(minitorch, dtype))
    assert_identical(x, m)
    assert_identical(TF.dropout(x, p), F.dropout(m, p))
    assert_identical(TF.dropout1d(x[0], p), F.dropout1d(m[0], p))
    assert_identical(TF.dropout2d(x, p), F.dropout2d(m, p))
    assert_identical(TF.dropout3d(x[None], p), F.dropout3d(m[None], p))
    assert_identical(torch.nn.Dropout(p)(x), minitorch.nn.Dropout(p)(m))
    assert_identical(TF.dropout(x.clone(), p, inplace=True), F.dropout(m.clone(), p, inplace=True))
    assert_same_stream_after()


# --- data shuffling ----------------------------------------------------------------------------

def _pair_dataset(n):
    return (torch.utils.data.TensorDataset(torch.arange(n)),
            TensorDataset(minitorch.arange(n)))


def test_dataloader_shuffle_epochs():
    seed_both(10)
    data_t, data_m = _pair_dataset(37)
    loader_t = torch.utils.data.DataLoader(data_t, batch_size=8, shuffle=True)
    loader_m = DataLoader(data_m, batch_size=8, shuffle=True)
    for _ in range(3):
        for (batch_t,), (batch_m,) in zip(loader_t, loader_m, strict=True):
            assert_identical(batch_t, batch_m)
    assert_same_stream_after()


def test_dataloader_with_a_generator():
    seed_both(0)
    data_t, data_m = _pair_dataset(20)
    loader_t = torch.utils.data.DataLoader(data_t, batch_size=6, shuffle=True,
                                           generator=torch.Generator().manual_seed(5))
    loader_m = DataLoader(data_m, batch_size=6, shuffle=True,
                          generator=minitorch.Generator().manual_seed(5))
    for _ in range(2):
        assert [b.tolist() for b, in loader_t] == [b.tolist() for b, in loader_m]
    assert_same_stream_after()


def test_samplers():
    seed_both(21)
    data = range(23)
    for replacement, num_samples in ((False, None), (False, 50), (True, 70)):
        assert (list(torch.utils.data.RandomSampler(data, replacement, num_samples))
                == list(RandomSampler(data, replacement, num_samples)))
    indices = [3, 9, 1, 20, 7]
    assert list(torch.utils.data.SubsetRandomSampler(indices)) == list(SubsetRandomSampler(indices))
    weights = [0.1, 2.0, 0.0, 3.5, 1.0]
    for replacement in (True, False):
        assert (list(torch.utils.data.WeightedRandomSampler(weights, 4, replacement))
                == list(WeightedRandomSampler(weights, 4, replacement)))
    assert_same_stream_after()


@pytest.mark.parametrize("lengths", [[7, 3], [0.5, 0.3, 0.2]])
def test_random_split(lengths):
    seed_both(8)
    split_t = torch.utils.data.random_split(range(10), lengths)
    split_m = random_split(range(10), lengths)
    assert [s.indices for s in split_t] == [s.indices for s in split_m]
    g_t, g_m = torch.Generator().manual_seed(3), minitorch.Generator().manual_seed(3)
    assert ([s.indices for s in torch.utils.data.random_split(range(10), lengths, generator=g_t)]
            == [s.indices for s in random_split(range(10), lengths, generator=g_m)])
    assert_same_stream_after()
