"""Random numbers: shapes, dtypes and errors as PyTorch's; seeding; bounds and distributions.

The values themselves are compared with PyTorch's, bit for bit, in test_random_streams.py
and test_random_init.py; here the distributions are also checked through sample moments
with generous bounds.
"""
import numpy as np
import pytest
import torch

import minitorch


@pytest.fixture(autouse=True)
def restore_state():
    """Leave the default generator and default dtype as they were."""
    state = minitorch.get_rng_state()
    dtype = minitorch.get_default_dtype()
    yield
    minitorch.set_rng_state(state)
    minitorch.set_default_dtype(dtype)


def dtype_name(d) -> str:
    return str(d).split(".")[-1]


def run_both(fn):
    out = []
    for lib in (minitorch, torch):
        try:
            out.append(fn(lib))
        except Exception as err:  # noqa: BLE001  (compared by the caller)
            out.append(err)
    return out


CALLS = {
    "rand": lambda L: L.rand(2, 3),
    "rand_tuple": lambda L: L.rand((4,)),
    "rand_0d": lambda L: L.rand(()),
    "rand_float64": lambda L: L.rand(2, dtype=L.float64),
    "rand_float16": lambda L: L.rand(5, dtype=L.float16),
    "rand_requires_grad": lambda L: L.rand(2, requires_grad=True),
    "rand_empty": lambda L: L.rand(0, 3),
    "randn": lambda L: L.randn(3, 1),
    "randn_float64": lambda L: L.randn([2, 2], dtype=L.float64),
    "randint_high": lambda L: L.randint(5, (3,)),
    "randint_low_high": lambda L: L.randint(3, 5, (2, 2)),
    "randint_keyword_size": lambda L: L.randint(3, 5, size=(4,)),
    "randint_float_dtype": lambda L: L.randint(3, 5, (3,), dtype=L.float32),
    "randint_uint8": lambda L: L.randint(0, 255, (3,), dtype=L.uint8),
    "randint_float_requires_grad": lambda L: L.randint(3, (2,), dtype=L.float32, requires_grad=True),
    "randperm": lambda L: L.randperm(5),
    "randperm_float": lambda L: L.randperm(5, dtype=L.float32),
    "randperm_zero": lambda L: L.randperm(0),
    "rand_like": lambda L: L.rand_like(L.ones(2, 3, dtype=L.float64)),
    "randn_like": lambda L: L.randn_like(L.ones(2)),
    "randint_like_high": lambda L: L.randint_like(L.ones(2, 2), 5),
    "randint_like_low_high": lambda L: L.randint_like(L.ones(3, dtype=L.int32), 3, 5),
    "normal_floats_size": lambda L: L.normal(0., 1., (2,)),
    "normal_ints_size": lambda L: L.normal(0, 1, (2, 3)),
    "normal_dtype": lambda L: L.normal(0., 1., (2,), dtype=L.float64),
    "normal_tensor_mean": lambda L: L.normal(L.zeros(2, 3), 1.),
    "normal_tensor_std": lambda L: L.normal(0., L.ones(2, 3)),
    "normal_tensors_broadcast": lambda L: L.normal(L.zeros(2, 3), L.ones(3)),
    "normal_float64_mean": lambda L: L.normal(L.zeros(2, 3, dtype=L.float64), L.ones(3)),
    "bernoulli": lambda L: L.bernoulli(L.tensor([0., 1., 0.5])),
    "bernoulli_p": lambda L: L.bernoulli(L.tensor([0., 1.]), 0.5),
    "bernoulli_float64": lambda L: L.bernoulli(L.full((3, 2), 0.3, dtype=L.float64)),
    "multinomial_1d": lambda L: L.multinomial(L.tensor([1., 2., 3.]), 2),
    "multinomial_2d": lambda L: L.multinomial(L.ones(2, 5), 3),
    "multinomial_replacement": lambda L: L.multinomial(L.tensor([1., 1., 0.]), 4, True),
    "poisson": lambda L: L.poisson(L.full((2, 2), 3.)),
    "uniform_": lambda L: L.empty(3).uniform_(),
    "uniform_bounds": lambda L: L.empty(3, dtype=L.float64).uniform_(-2, 5),
    "normal_": lambda L: L.empty(2, 2).normal_(1, 2),
    "bernoulli_": lambda L: L.empty(4).bernoulli_(),
    "bernoulli_int": lambda L: L.zeros(4, dtype=L.int64).bernoulli_(0.5),
    "bernoulli_tensor_p": lambda L: L.empty(2).bernoulli_(L.tensor([0., 1.])),
    "random_": lambda L: L.empty(5).random_(),
    "random_to": lambda L: L.empty(5, dtype=L.int32).random_(7),
    "random_from_to": lambda L: L.zeros(5, dtype=L.int64).random_(-3, 3),
    "random_bool": lambda L: L.zeros(5, dtype=L.bool).random_(),
    "exponential_": lambda L: L.empty(4).exponential_(2.0),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_shape_dtype_requires_grad_match_torch(name):
    m, t = run_both(CALLS[name])
    assert not isinstance(t, Exception), f"PyTorch raised {t!r}"
    assert not isinstance(m, Exception), f"minitorch raised {m!r}"
    assert tuple(m.shape) == tuple(t.shape)
    assert dtype_name(m.dtype) == dtype_name(t.dtype)
    assert m.requires_grad == t.requires_grad


ERRORS = {
    "rand_int_dtype": lambda L: L.rand(2, dtype=L.int64),
    "randn_int_dtype": lambda L: L.randn(2, dtype=L.int64),
    "rand_bad_generator": lambda L: L.rand(2, 3, generator=5),
    "rand_negative": lambda L: L.rand(-1),
    "rand_no_size": lambda L: L.rand(),
    "randint_reversed": lambda L: L.randint(5, 3, (3,)),
    "randint_int_size": lambda L: L.randint(5, 3),
    "randint_keyword_int_size": lambda L: L.randint(5, size=3),
    "randint_requires_grad": lambda L: L.randint(0, 5, size=(2,), requires_grad=True),
    "randint_too_big": lambda L: L.randint(2 ** 63, size=(2,)),
    "randint_uint8_low": lambda L: L.randint(-5, -2, (3,), dtype=L.uint8),
    "randint_uint8_high": lambda L: L.randint(0, 300, (3,), dtype=L.uint8),
    "randperm_negative": lambda L: L.randperm(-1),
    "randperm_requires_grad": lambda L: L.randperm(5, requires_grad=True),
    "normal_no_size": lambda L: L.normal(0., 1.),
    "normal_negative_std": lambda L: L.normal(0., -1., (2,)),
    "normal_negative_std_tensor_mean": lambda L: L.normal(L.zeros(2), -1.),
    "normal_bad_broadcast": lambda L: L.normal(L.zeros(2, 3), L.ones(4)),
    "normal_int_mean": lambda L: L.normal(L.zeros(2, 3, dtype=L.int64), 1.),
    "bernoulli_p_above_one": lambda L: L.bernoulli(L.tensor([0., 1., 1.5])),
    "bernoulli_int_input": lambda L: L.bernoulli(L.tensor([0, 1])),
    "multinomial_too_many": lambda L: L.multinomial(L.tensor([1., 1, 0]), 4),
    "multinomial_negative": lambda L: L.multinomial(L.tensor([1., -1, 0]), 1),
    "multinomial_zero_sum": lambda L: L.multinomial(L.tensor([0., 0, 0]), 1),
    "multinomial_nan": lambda L: L.multinomial(L.tensor([1., float("nan"), 0]), 1),
    "multinomial_inf": lambda L: L.multinomial(L.tensor([1., float("inf"), 0]), 1),
    "multinomial_3d": lambda L: L.multinomial(L.ones(2, 3, 4), 1),
    "multinomial_0d": lambda L: L.multinomial(L.tensor(1.), 1),
    "multinomial_int": lambda L: L.multinomial(L.tensor([1, 2]), 1),
    "multinomial_zero_samples": lambda L: L.multinomial(L.tensor([1., 2]), 0),
    "uniform_int": lambda L: L.tensor([1, 2]).uniform_(),
    "uniform_reversed": lambda L: L.tensor([1., 2]).uniform_(3, 1),
    "normal_int": lambda L: L.tensor([1, 2]).normal_(),
    "normal_negative_std_": lambda L: L.tensor([1., 2]).normal_(0, -1),
    "bernoulli_p_out_of_range": lambda L: L.tensor([1., 2]).bernoulli_(1.5),
    "exponential_negative": lambda L: L.tensor([1., 2]).exponential_(-1),
    "exponential_int": lambda L: L.tensor([1, 2]).exponential_(),
    "random_uint8_too_high": lambda L: L.zeros(10, dtype=L.uint8).random_(0, 300),
    "random_reversed": lambda L: L.zeros(10).random_(5, 2),
    "uniform_leaf_requires_grad": lambda L: L.ones(3, requires_grad=True).uniform_(),
    "normal_leaf_requires_grad": lambda L: L.ones(3, requires_grad=True).normal_(),
    "bernoulli_leaf_requires_grad": lambda L: L.ones(3, requires_grad=True).bernoulli_(),
    "random_leaf_requires_grad": lambda L: L.ones(3, requires_grad=True).random_(),
    "exponential_leaf_requires_grad": lambda L: L.ones(3, requires_grad=True).exponential_(),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    m, t = run_both(ERRORS[name])
    assert isinstance(t, Exception), "PyTorch accepted this input"
    assert isinstance(m, Exception), f"minitorch accepted it; PyTorch raised {t!r}"
    assert type(m) is type(t), f"minitorch raised {m!r}, PyTorch raised {t!r}"


def test_error_messages():
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an "
                                           "in-place operation"):
        minitorch.ones(3, requires_grad=True).uniform_()
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size\\(-1\\) samples "
                                           "without replacement"):
        minitorch.multinomial(minitorch.ones(3), 4)
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        minitorch.normal(0.0, -1.0, (2,))


# --- seeding --------------------------------------------------------------------------------

DRAWS = [
    lambda g: minitorch.rand(5, generator=g),
    lambda g: minitorch.randn(2, 3, generator=g),
    lambda g: minitorch.randint(0, 100, (6,), generator=g),
    lambda g: minitorch.randperm(10, generator=g),
    lambda g: minitorch.normal(2.0, 3.0, (4,), generator=g),
    lambda g: minitorch.normal(minitorch.zeros(4), minitorch.ones(4), generator=g),
    lambda g: minitorch.bernoulli(minitorch.full((8,), 0.5), generator=g),
    lambda g: minitorch.multinomial(minitorch.ones(10), 5, generator=g),
    lambda g: minitorch.multinomial(minitorch.ones(10), 5, True, generator=g),
    lambda g: minitorch.rand_like(minitorch.ones(3), generator=g),
    lambda g: minitorch.randn_like(minitorch.ones(3), generator=g),
    lambda g: minitorch.randint_like(minitorch.ones(3), 10, generator=g),
    lambda g: minitorch.poisson(minitorch.full((4,), 2.0), generator=g),
    lambda g: minitorch.empty(5).uniform_(generator=g),
    lambda g: minitorch.empty(5).normal_(generator=g),
    lambda g: minitorch.empty(5).bernoulli_(generator=g),
    lambda g: minitorch.empty(5).random_(generator=g),
    lambda g: minitorch.empty(5).exponential_(generator=g),
]


@pytest.mark.parametrize("index", range(len(DRAWS)))
def test_generator_argument_is_reproducible_and_independent(index):
    draw = DRAWS[index]
    first = draw(minitorch.Generator().manual_seed(123)).tolist()
    minitorch.manual_seed(0)
    minitorch.rand(7)  # moving the default generator must not matter
    second = draw(minitorch.Generator().manual_seed(123)).tolist()
    assert first == second
    other = draw(minitorch.Generator().manual_seed(124)).tolist()
    third = draw(minitorch.Generator().manual_seed(123)).tolist()
    assert third == first
    if index not in (7,):  # 5 of 10 equal weights without replacement could repeat by chance
        assert other != first


@pytest.mark.parametrize("index", range(len(DRAWS)))
def test_manual_seed_reproduces_the_default_stream(index):
    draw = DRAWS[index]
    minitorch.manual_seed(7)
    a = draw(None).tolist()
    b = draw(None).tolist()
    minitorch.manual_seed(7)
    assert draw(None).tolist() == a
    assert draw(None).tolist() == b


def test_rng_state_roundtrip_and_initial_seed():
    gen = minitorch.manual_seed(42)
    assert isinstance(gen, minitorch.Generator) and gen is minitorch.default_generator
    assert minitorch.initial_seed() == 42
    state = minitorch.get_rng_state()
    assert state.dtype is minitorch.uint8
    a = minitorch.rand(4).tolist()
    minitorch.set_rng_state(state)
    assert minitorch.rand(4).tolist() == a
    g = minitorch.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed()
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    assert minitorch.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    s = g.get_state()
    x = minitorch.randn(3, generator=g).tolist()
    g.set_state(s)
    assert minitorch.randn(3, generator=g).tolist() == x
    assert minitorch.Generator(device="cpu").device == minitorch.device("cpu")


def test_seed_from_entropy_changes_stream():
    first = minitorch.seed()
    assert minitorch.initial_seed() == first
    assert isinstance(first, int)


def test_same_seed_same_numbers_on_every_device():
    g = minitorch.Generator().manual_seed(5)
    cpu = minitorch.randn(6, generator=g).tolist()
    if minitorch.cuda.is_available():
        g.manual_seed(5)
        gpu = minitorch.randn(6, generator=g, device="cuda")
        assert gpu.device.type == "cuda" and gpu.cpu().tolist() == cpu
        g.manual_seed(5)
        filled = minitorch.empty(6, device="cuda").normal_(generator=g)
        assert filled.cpu().tolist() == minitorch.empty(6).normal_(
            generator=minitorch.Generator().manual_seed(5)).tolist()
    else:
        with pytest.raises(RuntimeError, match="CUDA"):
            minitorch.randn(6, generator=g, device="cuda")


# --- bounds and distributions (generous bounds: these are statistical checks) -----------------

N = 200_000


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_rand_range_and_moments(dtype):
    x = minitorch.rand(N, dtype=getattr(minitorch, dtype)).numpy().astype(np.float64)
    assert x.min() >= 0.0 and x.max() < 1.0
    assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 1 / 12) < 0.005


def test_randn_moments():
    x = minitorch.randn(N).numpy().astype(np.float64)
    assert abs(x.mean()) < 0.02 and abs(x.std() - 1) < 0.02
    assert abs(((x - x.mean()) ** 3).mean()) < 0.05  # symmetric


def test_normal_overloads_moments():
    a = minitorch.normal(3.0, 2.0, (N,)).numpy()
    assert abs(a.mean() - 3) < 0.05 and abs(a.std() - 2) < 0.05
    mean = minitorch.tensor([[-5.0], [5.0]]).expand(2, N)
    b = minitorch.normal(mean, 0.5).numpy()
    assert np.allclose(b.mean(axis=1), [-5, 5], atol=0.05) and np.allclose(b.std(axis=1), 0.5, atol=0.05)
    c = minitorch.normal(1.0, minitorch.tensor([[0.1], [10.0]]).expand(2, N)).numpy()
    assert np.allclose(c.std(axis=1), [0.1, 10], rtol=0.05)
    d = minitorch.normal(minitorch.zeros(N), minitorch.full((N,), 3.0)).numpy()
    assert abs(d.std() - 3) < 0.1


def test_randint_range_and_uniformity():
    x = minitorch.randint(-3, 4, (N,)).numpy()
    assert x.min() == -3 and x.max() == 3
    counts = np.bincount(x + 3)
    assert np.all(np.abs(counts / N - 1 / 7) < 0.01)


def test_randperm_is_a_permutation():
    p = minitorch.randperm(1000).numpy()
    assert sorted(p.tolist()) == list(range(1000))
    assert p.tolist() != list(range(1000))


def test_bernoulli_frequencies_and_extremes():
    p = minitorch.tensor([0.0, 0.2, 0.7, 1.0]).reshape(4, 1).expand(4, N // 4)
    x = minitorch.bernoulli(p).numpy()
    assert set(np.unique(x).tolist()) <= {0.0, 1.0}
    assert x[0].sum() == 0 and x[3].sum() == N // 4
    assert np.allclose(x.mean(axis=1), [0, 0.2, 0.7, 1], atol=0.01)
    y = minitorch.zeros(N, dtype=minitorch.int64).bernoulli_(0.3).numpy()
    assert abs(y.mean() - 0.3) < 0.01


def test_multinomial_with_replacement_frequencies():
    weights = minitorch.tensor([1.0, 0.0, 3.0, 6.0])
    x = minitorch.multinomial(weights, N, replacement=True).numpy()
    counts = np.bincount(x, minlength=4) / N
    assert counts[1] == 0
    assert np.allclose(counts, [0.1, 0, 0.3, 0.6], atol=0.01)


def test_multinomial_without_replacement_distinct_and_weighted():
    weights = minitorch.rand(50, 20) + 0.01
    x = minitorch.multinomial(weights, 20).numpy()
    for row in x:
        assert sorted(row.tolist()) == list(range(20))
    # zero-weight categories come only after every positive one
    y = minitorch.multinomial(minitorch.tensor([0.0, 1.0, 0.0, 1.0]), 4).numpy()
    assert set(y[:2].tolist()) == {1, 3}
    # first pick follows the weights
    w = minitorch.tensor([1.0, 3.0]).expand(20000, 2)
    first = minitorch.multinomial(w, 1).numpy()[:, 0]
    assert abs(first.mean() - 0.75) < 0.02


def test_inplace_uniform_normal_exponential_moments():
    u = minitorch.empty(N).uniform_(-2, 6).numpy()
    assert u.min() >= -2 and u.max() < 6 and abs(u.mean() - 2) < 0.05
    n = minitorch.empty(N, dtype=minitorch.float64).normal_(1.5, 0.5).numpy()
    assert abs(n.mean() - 1.5) < 0.01 and abs(n.std() - 0.5) < 0.01
    e = minitorch.empty(N).exponential_(4.0).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.01


def test_poisson_moments():
    x = minitorch.poisson(minitorch.full((N,), 4.0)).numpy()
    assert abs(x.mean() - 4) < 0.05 and abs(x.var() - 4) < 0.1
    assert np.all(x == np.round(x))


@pytest.mark.parametrize("dtype,high", [("float32", 2 ** 24), ("float64", 2 ** 53),
                                        ("float16", 2 ** 11), ("int8", 127), ("uint8", 255),
                                        ("int16", 2 ** 15 - 1), ("bool", 1)])
def test_random_default_range(dtype, high):
    x = minitorch.zeros(5000, dtype=getattr(minitorch, dtype)).random_().numpy()
    values = x.astype(np.float64)
    assert values.min() >= 0 and values.max() <= high
    assert values.max() > high / 2  # spread over the whole range
    assert np.all(values == np.round(values))


def test_random_with_bounds():
    x = minitorch.zeros(5000).random_(5).numpy()
    assert set(np.unique(x).tolist()) == {0, 1, 2, 3, 4}
    y = minitorch.zeros(5000, dtype=minitorch.int64).random_(-3, 3).numpy()
    assert set(np.unique(y).tolist()) == {-3, -2, -1, 0, 1, 2}


# --- in-place random ops and autograd ---------------------------------------------------------

INPLACE = {
    "uniform_": (lambda t: t.uniform_(), "UniformBackward0"),
    "normal_": (lambda t: t.normal_(), "NormalBackward0"),
    "bernoulli_": (lambda t: t.bernoulli_(), "BernoulliBackward2"),
    "random_": (lambda t: t.random_(), "RandomBackward2"),
    "exponential_": (lambda t: t.exponential_(), "ExponentialBackward0"),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_random_on_leaf_allowed_under_no_grad(name):
    fill, _ = INPLACE[name]
    for lib in (minitorch, torch):
        w = lib.zeros(3, requires_grad=True)
        with lib.no_grad():
            out = fill(w)
        assert out is w and w.requires_grad and w.is_leaf
        assert w._version == 1


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_random_on_non_leaf_records_zero_gradient(name):
    fill, node = INPLACE[name]
    results = {}
    for lib in (minitorch, torch):
        x = lib.ones(3, requires_grad=True)
        y = fill(x * 2)
        assert y.grad_fn.name() == node
        (y * 3).sum().backward()
        results[lib] = x.grad.tolist()
    assert results[minitorch] == results[torch] == [0.0, 0.0, 0.0]


def test_normal_and_bernoulli_with_grad_parameters_give_zero_gradients():
    for lib in (minitorch, torch):
        mean = lib.zeros(3, requires_grad=True)
        std = lib.ones(3, requires_grad=True)
        n = lib.normal(mean, std)
        assert n.grad_fn.name() == "NormalBackward3"
        n.sum().backward()
        assert mean.grad.tolist() == [0.0, 0.0, 0.0] and std.grad.tolist() == [0.0, 0.0, 0.0]
        p = lib.full((3,), 0.5, requires_grad=True)
        b = lib.bernoulli(p)
        assert b.grad_fn.name() == "BernoulliBackward0"
        b.sum().backward()
        assert p.grad.tolist() == [0.0, 0.0, 0.0]


def test_inplace_random_bumps_version_and_keeps_dtype():
    x = minitorch.zeros(4, dtype=minitorch.float64)
    x.uniform_()
    x.normal_()
    assert x._version == 2 and x.dtype is minitorch.float64
    view = x[1:3]
    view.fill_(7.0)
    assert x.tolist()[1:3] == [7.0, 7.0]
    view.uniform_(10, 11)
    assert all(10 <= v < 11 for v in x.tolist()[1:3])
