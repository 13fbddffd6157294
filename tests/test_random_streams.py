"""Same seed, same numbers: minitorch's random functions against PyTorch's, bit for bit.

Each test seeds both libraries alike, draws with the same call, and compares the values
exactly (dtype, shape and every bit), on sizes on both sides of PyTorch's algorithm switches
(normal: 16 elements; randperm and bernoulli have none below memory sizes), then checks that
the generators are left in the same state by comparing the next draw.
"""
import pytest
import torch

import minitorch

from random_oracle import assert_identical, assert_same_stream_after, rand_both, seed_both

SEEDS = [0, 1, 42, 2 ** 32 + 7, 67280421310721]
SIZES = [1, 2, 7, 15, 16, 17, 31, 32, 33, 100, 1000]
FLOATS = ["float16", "float32", "float64"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_rand(seed, dtype):
    seed_both(seed)
    for n in SIZES:
        assert_identical(torch.rand(n, dtype=getattr(torch, dtype)),
                         minitorch.rand(n, dtype=getattr(minitorch, dtype)))
    assert_identical(torch.rand(3, 5, 2), minitorch.rand(3, 5, 2))
    assert_same_stream_after()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_randn_both_algorithms(seed, dtype):
    # below 16 elements: scalar Box-Muller with a cached second sample (kept across calls);
    # from 16 on: the 16-wide fill, the last block redrawn when n % 16 != 0
    seed_both(seed)
    for n in SIZES + [4096, 4099]:
        assert_identical(torch.randn(n, dtype=getattr(torch, dtype)),
                         minitorch.randn(n, dtype=getattr(minitorch, dtype)))
    assert_identical(torch.randn(4, 8), minitorch.randn(4, 8))
    assert_same_stream_after()


def test_randn_float16():
    # PyTorch draws float16's uniforms for whole blocks of 16 only, then 16 for the last one
    seed_both(3)
    for n in SIZES:
        assert_identical(torch.randn(n, dtype=torch.float16), minitorch.randn(n, dtype=minitorch.float16))
        assert_identical(torch.empty(n, dtype=torch.float16).normal_(0.5, 2.5),
                         minitorch.empty(n, dtype=minitorch.float16).normal_(0.5, 2.5))
    assert_same_stream_after()


@pytest.mark.parametrize("seed", SEEDS)
def test_normal_forms(seed):
    seed_both(seed)
    assert_identical(torch.normal(2.0, 3.0, (40,)), minitorch.normal(2.0, 3.0, (40,)))
    assert_identical(torch.normal(-1.0, 0.5, (5,)), minitorch.normal(-1.0, 0.5, (5,)))
    (mean, m_mean), (std, m_std) = rand_both(3, 7), rand_both(7)
    assert_identical(torch.normal(mean, std), minitorch.normal(m_mean, m_std))
    assert_identical(torch.normal(mean, 2.0), minitorch.normal(m_mean, 2.0))
    assert_identical(torch.normal(1.5, std), minitorch.normal(1.5, m_std))
    assert_identical(torch.normal(mean.double(), 0.3), minitorch.normal(m_mean.double(), 0.3))
    assert_same_stream_after()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_and_uniform_fills(seed, dtype):
    seed_both(seed)
    for n in (3, 15, 16, 17, 50, 300):
        t = torch.empty(n, dtype=getattr(torch, dtype))
        m = minitorch.empty(n, dtype=getattr(minitorch, dtype))
        assert_identical(t.normal_(0.25, 1.7), m.normal_(0.25, 1.7))
        assert_identical(t.uniform_(-0.37, 2.9), m.uniform_(-0.37, 2.9))
        assert_identical(t.exponential_(1.3), m.exponential_(1.3))
    assert_same_stream_after()


def test_fills_of_transposed_views_follow_memory_order():
    seed_both(5)
    t, m = torch.empty(6, 40), minitorch.empty(6, 40)
    assert_identical(t.t().normal_(), m.t().normal_())  # non-contiguous: the scalar path
    assert_identical(t.t().uniform_(-1, 1), m.t().uniform_(-1, 1))
    assert_identical(t, m)
    assert_same_stream_after()


def test_uniform_float16_never_reaches_the_upper_bound():
    # PyTorch maps a value that rounds up to `to` back to `from`
    seed_both(0)
    assert_identical(torch.rand(200_000, dtype=torch.float16), minitorch.rand(200_000, dtype=minitorch.float16))
    assert_identical(torch.empty(5000, dtype=torch.float16).uniform_(-2, 3),
                     minitorch.empty(5000, dtype=minitorch.float16).uniform_(-2, 3))


@pytest.mark.parametrize("seed", SEEDS)
def test_randint(seed):
    seed_both(seed)
    for low, high in [(0, 2), (0, 10), (-7, 300), (0, 2 ** 32), (-2 ** 40, 2 ** 40)]:
        for n in (1, 17, 100):
            assert_identical(torch.randint(low, high, (n,)), minitorch.randint(low, high, (n,)))
    assert_identical(torch.randint(5, (3, 4), dtype=torch.int32),
                     minitorch.randint(5, (3, 4), dtype=minitorch.int32))
    assert_identical(torch.randint(0, 2 ** 33, (9,), dtype=torch.float64),
                     minitorch.randint(0, 2 ** 33, (9,), dtype=minitorch.float64))
    assert_same_stream_after()


@pytest.mark.parametrize("seed", SEEDS)
def test_randperm(seed):
    seed_both(seed)
    for n in (0, 1, 2, 3, 10, 17, 1000, 60000):
        assert_identical(torch.randperm(n), minitorch.randperm(n))
    assert_identical(torch.randperm(12, dtype=torch.float32), minitorch.randperm(12, dtype=minitorch.float32))
    assert_same_stream_after()


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool",
                                   "float16", "float32", "float64"])
def test_random_(dtype):
    seed_both(11)
    t, m = torch.empty(50, dtype=getattr(torch, dtype)), minitorch.empty(50, dtype=getattr(minitorch, dtype))
    assert_identical(t.random_(), m.random_())
    if dtype != "bool":
        assert_identical(t.random_(100), m.random_(100))
        assert_identical(t.random_(3, 20), m.random_(3, 20))
    assert_same_stream_after()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bernoulli(seed, dtype):
    seed_both(seed)
    p, m_p = rand_both(4, 33, dtype=dtype)
    assert_identical(torch.bernoulli(p), minitorch.bernoulli(m_p))
    assert_identical(torch.bernoulli(p, 0.3), minitorch.bernoulli(m_p, 0.3))
    t, m = torch.empty(4, 33, dtype=getattr(torch, dtype)), minitorch.empty(4, 33, dtype=getattr(minitorch, dtype))
    assert_identical(t.bernoulli_(0.7), m.bernoulli_(0.7))
    assert_identical(t.bernoulli_(p[0]), m.bernoulli_(m_p[0]))  # broadcast probabilities
    assert_identical(t.t().bernoulli_(p.t()), m.t().bernoulli_(m_p.t()))
    assert_same_stream_after()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multinomial(seed, dtype):
    seed_both(seed)
    weights, m_weights = rand_both(5, 12, dtype=dtype)
    weights[:, 3] = 0
    m_weights[:, 3] = 0
    for replacement in (False, True):
        for samples in (1, 4, 11):
            assert_identical(torch.multinomial(weights, samples, replacement),
                             minitorch.multinomial(m_weights, samples, replacement))
            assert_identical(torch.multinomial(weights[2], samples, replacement),
                             minitorch.multinomial(m_weights[2], samples, replacement))
    assert_identical(torch.multinomial(weights, 40, True), minitorch.multinomial(m_weights, 40, True))
    assert_same_stream_after()


def test_generator_objects_and_their_streams():
    seed_both(0)
    g_t, g_m = torch.Generator().manual_seed(123), minitorch.Generator().manual_seed(123)
    assert_identical(torch.randn(20, generator=g_t), minitorch.randn(20, generator=g_m))
    assert_identical(torch.randperm(30, generator=g_t), minitorch.randperm(30, generator=g_m))
    assert_identical(torch.rand(4), minitorch.rand(4))  # the default stream was not touched
    assert g_t.initial_seed() == g_m.initial_seed()
    assert_identical(torch.Generator().get_state(), minitorch.Generator().get_state())
    assert torch.Generator().initial_seed() == minitorch.Generator().initial_seed()


@pytest.mark.parametrize("seed", [0, 7, -1, 2 ** 63 + 5])
def test_initial_seed_and_state_bytes(seed):
    seed_both(seed)
    assert torch.initial_seed() == minitorch.initial_seed()
    assert_identical(torch.get_rng_state(), minitorch.get_rng_state())
    torch.randn(3)  # leaves a cached normal sample in the state
    minitorch.randn(3)
    assert_identical(torch.get_rng_state(), minitorch.get_rng_state())
    torch.rand(700)
    minitorch.rand(700)
    assert_identical(torch.get_rng_state(), minitorch.get_rng_state())


def test_states_move_between_the_libraries():
    torch.manual_seed(9)
    torch.randn(5)
    minitorch.set_rng_state(minitorch.tensor(torch.get_rng_state().numpy()))
    assert_identical(torch.randn(7), minitorch.randn(7))
    minitorch.rand(1000)
    torch.set_rng_state(torch.from_numpy(minitorch.get_rng_state().numpy()))
    assert_identical(torch.randn(33), minitorch.randn(33))


def test_set_rng_state_errors_match_pytorch():
    for bad in (torch.zeros(10, dtype=torch.uint8), torch.zeros(5056, dtype=torch.int64)):
        with pytest.raises(Exception) as expected:
            torch.set_rng_state(bad)
        with pytest.raises(type(expected.value)):
            minitorch.set_rng_state(minitorch.tensor(bad.numpy()))


def test_seed_reseeds_and_reports_the_seed():
    s = minitorch.seed()
    assert minitorch.initial_seed() == s
    torch.manual_seed(s)
    assert_identical(torch.rand(5), minitorch.rand(5))
