"""Loss modules and functions against PyTorch: values and the gradients of every float input,
for each reduction, plus PyTorch's errors for bad targets."""
import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F
from oracle import DEVICE, check, check_gradcheck

TOL = {np.float32: dict(rtol=1e-4, atol=1e-6), np.float64: dict(rtol=1e-7, atol=1e-10)}
REDUCTIONS = ["none", "mean", "sum"]


def compare_loss(name, inputs, dtype=np.float32, seed=0, constant=(), **kwargs):
    """Run ``nn.<name>(**kwargs)`` on the same inputs in both libraries; compare the loss and
    the gradient of every float input (except the positions in ``constant``, for targets
    PyTorch cannot differentiate). Array kwargs become tensors."""
    rng = np.random.default_rng(seed)
    arrays = [a.astype(dtype) if a.dtype.kind == "f" else a for a in inputs]
    results = {}
    for lib in (minitorch, torch):
        options = {k: lib.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v
                   for k, v in kwargs.items()}
        tensors = [lib.tensor(a, requires_grad=a.dtype.kind == "f" and i not in constant)
                   for i, a in enumerate(arrays)]
        loss = getattr(lib.nn, name)(**options)(*tensors)
        results[lib] = (tensors, loss)
    (m_in, m_loss), (t_in, t_loss) = results[minitorch], results[torch]
    assert tuple(m_loss.shape) == tuple(t_loss.shape)
    assert str(m_loss.dtype).split(".")[-1] == str(t_loss.dtype).split(".")[-1]
    np.testing.assert_allclose(m_loss.detach().numpy(), t_loss.detach().numpy(), **TOL[dtype])
    weights = rng.standard_normal(tuple(t_loss.shape)).astype(dtype)
    m_loss.backward(minitorch.tensor(weights))
    t_loss.backward(torch.tensor(weights))
    for i, (m, t) in enumerate(zip(m_in, t_in)):
        if t.grad is not None:
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), **TOL[dtype],
                                       err_msg=f"gradient of input {i}")
    return m_loss


def _randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _classes(shape, classes, seed=1):
    return np.random.default_rng(seed).integers(0, classes, shape).astype(np.int64)


# --- regression --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kwargs", [("MSELoss", {}), ("L1Loss", {}), ("SmoothL1Loss", {}),
                                          ("SmoothL1Loss", {"beta": 0.5}), ("SmoothL1Loss", {"beta": 0.0}),
                                          ("HuberLoss", {}), ("HuberLoss", {"delta": 2.0}),
                                          ("SoftMarginLoss", {})])
def test_regression_losses(name, kwargs, reduction, dtype):
    target = _randn(4, 5, seed=2) if name != "SoftMarginLoss" else np.sign(_randn(4, 5, seed=2))
    compare_loss(name, [_randn(4, 5) * 2, target], dtype=dtype, reduction=reduction,
                 constant=(1,) if name == "SoftMarginLoss" else (), **kwargs)


def test_legacy_size_average_and_reduce_flags():
    x, y = _randn(3, 2), _randn(3, 2, seed=5)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        compare_loss("MSELoss", [x, y], size_average=False)
    with pytest.warns(UserWarning, match="reduction='none'"):
        compare_loss("L1Loss", [x, y], reduce=False)
        assert nn.MSELoss(size_average=False, reduce=False).reduction == "none"


def test_shape_mismatch_warns_like_pytorch():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(minitorch.randn(3, 1), minitorch.randn(3))


# --- cross-entropy -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.2}, {"ignore_index": 2},
                                    {"weight": np.linspace(0.5, 2.0, 5)},
                                    {"weight": np.linspace(0.5, 2.0, 5), "ignore_index": 1,
                                     "label_smoothing": 0.1}])
def test_cross_entropy_class_indices(kwargs, reduction, dtype):
    compare_loss("CrossEntropyLoss", [_randn(6, 5) * 3, _classes((6,), 5)], dtype=dtype,
                 reduction=reduction, **kwargs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"weight": np.linspace(0.5, 2.0, 4), "ignore_index": 0,
                                         "label_smoothing": 0.3}])
def test_cross_entropy_spatial_and_unbatched(kwargs, reduction):
    compare_loss("CrossEntropyLoss", [_randn(2, 4, 3, 5), _classes((2, 3, 5), 4)],
                 reduction=reduction, **kwargs)
    compare_loss("CrossEntropyLoss", [_randn(4), np.array(2, dtype=np.int64)],
                 reduction=reduction, **kwargs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.25}, {"weight": np.linspace(0.5, 2.0, 5)}])
def test_cross_entropy_class_probabilities(kwargs, reduction):
    probs = np.random.default_rng(3).dirichlet(np.ones(5), size=6)
    compare_loss("CrossEntropyLoss", [_randn(6, 5), probs], reduction=reduction, **kwargs)
    spatial = np.random.default_rng(4).dirichlet(np.ones(5), size=(2, 3)).transpose(0, 2, 1)
    compare_loss("CrossEntropyLoss", [_randn(2, 5, 3), spatial], reduction=reduction, **kwargs)


def test_cross_entropy_all_ignored_is_nan_like_pytorch():
    loss = F.cross_entropy(minitorch.randn(3, 4), minitorch.full((3,), -100))
    assert np.isnan(loss.item())
    assert np.isnan(torch.nn.functional.cross_entropy(torch.randn(3, 4), torch.full((3,), -100)).item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("case", ["every target ignored", "weights of the targets 0"])
def test_loss_of_zero_total_weight_has_pytorchs_gradient(case, loss, reduction):
    # 'mean' divides by a total weight of 0: PyTorch gives the ignored rows a gradient of 0 and a
    # counted target of weight 0 a NaN (0 * inf)
    rng = np.random.default_rng(6)
    logits, target = rng.normal(size=(4, 3)), np.array([1, 1, 2, 1])
    weight, ignore = ([1.0, 0.5, 2.0], 1) if case == "every target ignored" else ([1.0, 0.0, 0.0], -100)
    grads = []
    for lib in (minitorch, torch):
        x = lib.tensor(logits, requires_grad=True)
        getattr(lib.nn.functional, loss)(x, lib.tensor(target), weight=lib.tensor(weight, dtype=lib.float64), ignore_index=ignore,
                                         reduction=reduction).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, equal_nan=True)


def test_cross_entropy_is_stable_for_huge_logits():
    # (its graph, LogSoftmaxBackward0 then NllLossBackward0, is checked in test_graph_shapes.py)
    logits = minitorch.tensor([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(logits, minitorch.tensor([2, 0]))
    expected = torch.nn.functional.cross_entropy(torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]),
                                                 torch.tensor([2, 0]))
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    loss.backward()
    assert np.all(np.isfinite(logits.grad.numpy()))


def test_cross_entropy_gradcheck_and_second_order():
    target = minitorch.tensor([0, 3, 1], device=DEVICE)
    weight = minitorch.tensor([0.5, 1.0, 2.0, 1.5], dtype=minitorch.float64, device=DEVICE)
    check_gradcheck(lambda lib, x: F.cross_entropy(x, target, weight=weight, label_smoothing=0.2),
                    [(3, 4)])
    check_gradcheck(lambda lib, x: F.cross_entropy(x, target, reduction="none"), [(3, 4)])
    check_gradcheck(lambda lib, x: F.nll_loss(x, target, weight=weight), [(3, 4)])
    tgt = np.array([0, 3, 1])
    check(lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor(tgt, device=x.device), label_smoothing=0.1),
          [(3, 4)], dtype="float64", second_order=True)
    check(lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor(tgt, device=x.device)), [(3, 4)],
          permuted=True)


ONE_NODE_LOSSES = {
    "mse_loss": lambda F, x, t, r: F.mse_loss(x, t, reduction=r),
    "smooth_l1_loss": lambda F, x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.7),
    "huber_loss": lambda F, x, t, r: F.huber_loss(x, t, reduction=r, delta=0.7),
    # (the +-1 targets are a step function of t: no gradient, numerically or analytically)
    "soft_margin_loss":
        lambda F, x, t, r: F.soft_margin_loss(x, (t.detach() > 0.5).to(x.dtype) * 2 - 1, reduction=r),
    "binary_cross_entropy": lambda F, x, t, r: F.binary_cross_entropy(x.sigmoid(), t, reduction=r),
    "binary_cross_entropy_with_logits":
        lambda F, x, t, r: F.binary_cross_entropy_with_logits(x, t, reduction=r),
    "binary_cross_entropy_with_logits(weight, pos_weight)":
        lambda F, x, t, r: F.binary_cross_entropy_with_logits(
            x, t, x.new_tensor([0.5, 2.0, 1.0]), reduction=r, pos_weight=x.new_tensor([3.0, 0.5, 1.0])),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "huber_loss"])
def test_elementwise_weights(name, reduction):
    """PyTorch 2.13's ``weight``: mse_loss's 'mean' is the weighted mean, huber_loss's the
    mean of the weighted losses."""
    weights = np.random.default_rng(7).uniform(0.5, 2.0, (4, 3)).astype("float32")
    check(lambda lib, x, t: getattr(lib.nn.functional, name)(x, t, reduction=reduction,
                                                             weight=lib.tensor(weights, device=x.device)),
          [(4, 3), (4, 3)])


def test_arguments_a_loss_does_not_differentiate_must_not_require_grad():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    calls = {
        "bce_with_logits weight": lambda lib, w: lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(x, requires_grad=True), lib.tensor(x).sigmoid(), w),
        "bce_with_logits pos_weight": lambda lib, w: lib.nn.functional.binary_cross_entropy_with_logits(
            lib.tensor(x, requires_grad=True), lib.tensor(x).sigmoid(), pos_weight=w),
        "bce weight": lambda lib, w: lib.nn.functional.binary_cross_entropy(
            lib.tensor(x, requires_grad=True).sigmoid(), lib.tensor(x).sigmoid(), w),
        "nll_loss weight": lambda lib, w: lib.nn.functional.nll_loss(
            lib.tensor(x, requires_grad=True), lib.tensor([0, 1, 3]), w),
        "soft_margin target": lambda lib, w: lib.nn.functional.soft_margin_loss(
            lib.tensor(x[0], requires_grad=True), w),
    }
    for name, call in calls.items():
        messages = []
        for lib in (torch, minitorch):
            with pytest.raises(RuntimeError) as error:
                call(lib, lib.ones(4, requires_grad=True))
            messages.append(str(error.value))
        assert messages[0] == messages[1], name


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ONE_NODE_LOSSES)
def test_one_node_losses_second_order_and_gradcheck(name, reduction):
    """The losses recorded as one node differentiate input and target, to second order
    (their backward is written with Tensor ops), and agree with central differences."""
    loss = ONE_NODE_LOSSES[name]
    targets = np.random.default_rng(5).uniform(0.1, 0.9, (4, 3))
    check(lambda lib, x, t: loss(lib.nn.functional, x, t, reduction), [(4, 3), targets.astype("float64")],
          dtype="float64", second_order=True)
    check_gradcheck(lambda lib, x, t: loss(lib.nn.functional, x, t, reduction), [(4, 3), targets])


def test_class_losses_on_spatial_inputs_second_order():
    """(N, C, d) inputs: the backward moves the classes back to dim 1, on arrays in a plain
    backward and on Tensors (recorded) under create_graph."""
    tgt = np.array([[0, 3, 1], [2, 2, 0]])
    for fn in (lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor(tgt, device=x.device)),
               lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor(tgt, device=x.device), reduction="none"),
               lambda lib, x: lib.nn.functional.nll_loss(x * x, lib.tensor(tgt, device=x.device), reduction="sum"),
               lambda lib, x: lib.nn.functional.nll_loss(x * x, lib.tensor(tgt, device=x.device))):
        check(fn, [(2, 4, 3)])
        check(fn, [(2, 4, 3)], dtype="float64", second_order=True)
        check_gradcheck(fn, [(2, 4, 3)])


def test_cross_entropy_bad_targets_match_pytorch():
    cases = [np.array([1, 2, 10]), np.array([1, -5, 2]), np.array([1, 2, 3], dtype=np.int32),
             np.array([1.0, 2.0, 3.0], dtype=np.float32), np.array([1, 2])]
    for target in cases:
        for fn in ("cross_entropy", "nll_loss"):
            with pytest.raises(Exception) as theirs:
                getattr(torch.nn.functional, fn)(torch.randn(3, 10), torch.tensor(target))
            with pytest.raises(type(theirs.value)) as ours:
                getattr(F, fn)(minitorch.randn(3, 10), minitorch.tensor(target))
            assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(minitorch.randn(3, 10), minitorch.tensor([1, 2, 3]), reduction="avg")


# --- NLL, BCE -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"weight": np.linspace(0.2, 1.0, 5)}, {"ignore_index": 4}])
def test_nll_loss(kwargs, reduction):
    logp = torch.log_softmax(torch.tensor(_randn(6, 5)), 1).numpy()
    compare_loss("NLLLoss", [logp, _classes((6,), 5)], reduction=reduction, **kwargs)
    spatial = torch.log_softmax(torch.tensor(_randn(2, 5, 3)), 1).numpy()
    compare_loss("NLLLoss", [spatial, _classes((2, 3), 5)], reduction=reduction, **kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(reduction, dtype):
    rng = np.random.default_rng(0)
    probs, target = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    compare_loss("BCELoss", [probs, target], dtype=dtype, reduction=reduction)
    compare_loss("BCELoss", [probs, target], dtype=dtype, reduction=reduction,
                 weight=rng.uniform(0.5, 2, (4, 3)))


def test_bce_clamps_log_and_checks_input():
    loss = compare_loss("BCELoss", [np.array([0.0, 1.0, 0.5]), np.array([1.0, 0.0, 1.0])],
                        reduction="none")
    assert loss[0].item() == 100.0
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(minitorch.tensor([0.5, 1.5]), minitorch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError) as ours:
        F.binary_cross_entropy(minitorch.rand(3, 1), minitorch.rand(3))
    with pytest.raises(ValueError) as theirs:
        torch.nn.functional.binary_cross_entropy(torch.rand(3, 1), torch.rand(3))
    assert str(ours.value) == str(theirs.value).replace("torch.Size", "minitorch.Size")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"pos_weight": np.array([0.5, 2.0, 3.0])},
                                    {"weight": np.array([1.0, 0.5, 2.0]), "pos_weight": np.array([2.0])}])
def test_bce_with_logits(kwargs, reduction, dtype):
    target = np.random.default_rng(1).uniform(0, 1, (4, 3))
    compare_loss("BCEWithLogitsLoss", [_randn(4, 3) * 3, target], dtype=dtype, reduction=reduction,
                 **kwargs)


def test_bce_with_logits_is_stable_for_huge_logits():
    loss = compare_loss("BCEWithLogitsLoss", [np.array([100.0, -100.0, 1e4, -1e4]),
                                              np.array([0.0, 1.0, 1.0, 0.0])], reduction="none")
    assert np.all(np.isfinite(loss.detach().numpy()))


# --- KL, embeddings, ranking -----------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    logp = torch.log_softmax(torch.tensor(_randn(4, 5)), 1).numpy()
    target = np.random.default_rng(2).dirichlet(np.ones(5), size=4)
    if log_target:
        target = np.log(target)
    with pytest.warns(UserWarning) if reduction == "mean" else _no_warning():
        compare_loss("KLDivLoss", [logp, target], reduction=reduction, log_target=log_target)
    if not log_target:
        # a zero-probability class contributes nothing (the target's own derivative is
        # infinite there, so only the input's gradient is compared)
        target[0, 1] = 0.0
        with pytest.warns(UserWarning) if reduction == "mean" else _no_warning():
            compare_loss("KLDivLoss", [logp, target], reduction=reduction, constant=(1,))


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_cosine_embedding_loss(reduction, margin):
    target = np.array([1, -1, 1, -1, -1], dtype=np.int64)
    compare_loss("CosineEmbeddingLoss", [_randn(5, 4), _randn(5, 4, seed=1), target],
                 reduction=reduction, margin=margin)
    compare_loss("CosineEmbeddingLoss", [_randn(4), _randn(4, seed=1), np.array(-1, dtype=np.int64)],
                 reduction=reduction, margin=margin)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_hinge(reduction):
    target = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    compare_loss("MarginRankingLoss", [_randn(5), _randn(5, seed=1), target], reduction=reduction,
                 margin=0.2)
    compare_loss("HingeEmbeddingLoss", [_randn(5), target], reduction=reduction, margin=0.5)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_and_gaussian_nll(reduction):
    rng = np.random.default_rng(0)
    counts = rng.poisson(2.0, (4, 3)).astype(np.float64)
    compare_loss("PoissonNLLLoss", [_randn(4, 3), counts], reduction=reduction)
    compare_loss("PoissonNLLLoss", [rng.uniform(0.5, 3, (4, 3)), counts], reduction=reduction,
                 log_input=False)
    compare_loss("GaussianNLLLoss", [_randn(4, 3), _randn(4, 3, seed=3), rng.uniform(0.1, 2, (4, 3))],
                 reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_full_adds_stirlings_term_as_pytorch(log_input, reduction):
    rng = np.random.default_rng(5)
    counts = rng.poisson(2.0, (5, 3)).astype(np.float64)  # 0s, 1s (no term) and larger counts
    rates = _randn(5, 3) if log_input else rng.uniform(0.5, 3, (5, 3))
    compare_loss("PoissonNLLLoss", [rates, counts], dtype=np.float64, reduction=reduction,
                 log_input=log_input, full=True)


def test_loss_modules_register_weight_buffers_like_pytorch():
    w = np.array([1.0, 2.0], dtype=np.float32)
    ours = nn.CrossEntropyLoss(weight=minitorch.tensor(w))
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(w))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=minitorch.ones(2)).state_dict()) == \
        list(torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(2)).state_dict())
    assert repr(ours) == repr(theirs)
