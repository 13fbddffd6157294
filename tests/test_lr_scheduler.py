"""minitorch.optim.lr_scheduler against PyTorch: the learning-rate (and momentum) sequences,
state dicts, and errors. Python floats on both sides: the sequences must be *equal*."""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch

STEPS = 100


def _optimizer(lib, kind="SGD", groups=2):
    """An optimizer with ``groups`` parameter groups of different learning rates."""
    params = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
    spec = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)]
    if kind == "SGD":
        return lib.optim.SGD(spec, lr=0.1, momentum=0.9)
    return getattr(lib.optim, kind)(spec, lr=0.1)


def _sched(lib, opt, make):
    return make(lib.optim.lr_scheduler, opt)


def _run(lib, make, steps=STEPS, kind="SGD", groups=2, step_args=None):
    """[lrs after construction, lrs after each step] (plus momentum/beta1 per step)."""
    opt = _optimizer(lib, kind, groups)
    sched = _sched(lib, opt, make)
    lrs = [list(sched.get_last_lr())]
    momenta = [[g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups]]
    for i in range(steps):
        opt.step()  # no gradients: a no-op that keeps the call order PyTorch expects
        if step_args is None:
            sched.step()
        else:
            sched.step(*step_args(i))
        lrs.append(list(sched.get_last_lr()))
        momenta.append([g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups])
    return lrs, momenta, sched, opt


SCHEDULES = {
    "LambdaLR": lambda S, o: S.LambdaLR(o, lambda e: 0.97 ** e + 0.01 * (e % 3)),
    "LambdaLR-per-group": lambda S, o: S.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda e: 0.95),
    "StepLR": lambda S, o: S.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[10, 30, 30, 75], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=30),
    "CosineAnnealingLR-eta_min": lambda S, o: S.CosineAnnealingLR(o, T_max=17, eta_min=0.01),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=10),
    "CosineAnnealingWarmRestarts-T_mult": lambda S, o: S.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=0.001),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, total_iters=20),
    "LinearLR-down": lambda S, o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=33),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=12),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=40, power=2.0),
    "SequentialLR": lambda S, o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=10),
                                                    S.CosineAnnealingLR(o, T_max=40)],
                                                milestones=[10]),
    "SequentialLR-three": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.2, total_iters=5), S.ExponentialLR(o, gamma=0.9),
            S.StepLR(o, step_size=10)], milestones=[8, 40]),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=4),
                                                         S.ExponentialLR(o, gamma=0.95)]),
    "ChainedScheduler-cosine": lambda S, o: S.ChainedScheduler(
        [S.LinearLR(o, start_factor=0.5, total_iters=10), S.CosineAnnealingLR(o, T_max=25)],
        optimizer=o),
    "CyclicLR": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7),
    "CyclicLR-triangular2": lambda S, o: S.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3],
                                                    step_size_up=5, step_size_down=9,
                                                    mode="triangular2"),
    "CyclicLR-exp_range": lambda S, o: S.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=6,
                                                  mode="exp_range", gamma=0.97,
                                                  base_momentum=0.7, max_momentum=0.95),
    "CyclicLR-scale_fn": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=4,
                                                 scale_fn=lambda x: 1 / (1 + 0.1 * x),
                                                 scale_mode="iterations", cycle_momentum=False),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=STEPS),
    "OneCycleLR-linear-three-phase": lambda S, o: S.OneCycleLR(
        o, max_lr=[0.5, 2.0], epochs=10, steps_per_epoch=10, anneal_strategy="linear",
        three_phase=True, pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR-no-momentum": lambda S, o: S.OneCycleLR(o, max_lr=0.3, total_steps=120,
                                                        cycle_momentum=False, pct_start=0.4),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_lr_sequence_equals_pytorch(name):
    make = SCHEDULES[name]
    ours, our_momenta, _, _ = _run(minitorch, make)
    theirs, their_momenta, _, _ = _run(torch, make)
    assert ours == theirs
    assert our_momenta == their_momenta


@pytest.mark.parametrize("name", ["OneCycleLR", "OneCycleLR-linear-three-phase", "CyclicLR",
                                  "CyclicLR-exp_range"])
def test_cycling_schedulers_cycle_adam_beta1(name):
    ours, our_betas, _, _ = _run(minitorch, SCHEDULES[name], kind="Adam")
    theirs, their_betas, _, _ = _run(torch, SCHEDULES[name], kind="Adam")
    assert ours == theirs and our_betas == their_betas
    assert len(set(b[0] for b in our_betas)) > 10  # beta1 really moved


def test_one_cycle_refuses_to_step_past_total_steps():
    opt = _optimizer(minitorch)
    sched = minitorch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()


def test_warm_restarts_with_fractional_epochs():
    def step_args(i):
        return (i // 10 + (i % 10) / 10,)
    for make in (SCHEDULES["CosineAnnealingWarmRestarts"],
                 SCHEDULES["CosineAnnealingWarmRestarts-T_mult"]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch deprecates step(epoch)
            ours = _run(minitorch, make, step_args=step_args)[0]
            theirs = _run(torch, make, step_args=step_args)[0]
        assert ours == theirs


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                  "LinearLR", "ConstantLR", "PolynomialLR"])
def test_step_with_epoch_uses_closed_form_like_pytorch(name):
    epochs = [3, 17, 5, 40, 41, 12, 0, 99]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _run(minitorch, SCHEDULES[name], steps=len(epochs), step_args=lambda i: (epochs[i],))[0]
        theirs = _run(torch, SCHEDULES[name], steps=len(epochs), step_args=lambda i: (epochs[i],))[0]
    assert ours == theirs


def _losses():
    """A loss curve with short plateaus, small improvements, noise, and a long final plateau."""
    return [1.0 / (1 + min(k, 60) // 9) + 0.002 * math.sin(k) + (0.05 if k % 23 == 0 else 0.0)
            for k in range(STEPS)]


PLATEAU = [dict(), dict(patience=3), dict(patience=2, cooldown=3, factor=0.5),
           dict(mode="max", patience=1), dict(threshold_mode="abs", threshold=0.01, patience=2),
           dict(mode="max", threshold_mode="abs", threshold=0.001, patience=0),
           dict(patience=1, min_lr=[0.02, 0.05]), dict(patience=0, min_lr=0.003, eps=1e-3)]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_lr_on_plateau_equals_pytorch(kwargs):
    losses = _losses()
    if kwargs.get("mode") == "max":
        losses = [-x for x in losses]

    def make(S, o):
        return S.ReduceLROnPlateau(o, **kwargs)
    ours = _run(minitorch, make, step_args=lambda i: (losses[i],))[0]
    theirs = _run(torch, make, step_args=lambda i: (losses[i],))[0]
    assert ours == theirs
    assert len({tuple(x) for x in ours}) > 1  # the lr did change


def test_reduce_lr_on_plateau_takes_a_tensor_metric():
    opt = _optimizer(minitorch)
    sched = minitorch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    sched.step(minitorch.tensor(1.0))
    sched.step(minitorch.tensor(2.0))
    assert sched.get_last_lr() == pytest.approx([0.01, 0.02])


@pytest.mark.parametrize("name", ["LambdaLR", "StepLR", "CosineAnnealingLR", "SequentialLR",
                                  "ChainedScheduler", "OneCycleLR", "CosineAnnealingWarmRestarts-T_mult",
                                  "MultiStepLR", "CyclicLR-triangular2", "CyclicLR-scale_fn"])
def test_state_dict_round_trip(name):
    make = SCHEDULES[name]
    straight = _run(minitorch, make, steps=60)[0]
    first, _, sched, opt = _run(minitorch, make, steps=25)
    saved_sched = copy.deepcopy(sched.state_dict())
    saved_opt = copy.deepcopy(opt.state_dict())
    # resume as PyTorch recommends: build the scheduler first, then load both states
    fresh_opt = _optimizer(minitorch)
    fresh = _sched(minitorch, fresh_opt, make)
    fresh_opt.load_state_dict(saved_opt)
    fresh.load_state_dict(saved_sched)
    resumed = []
    for _ in range(35):
        fresh_opt.step()
        fresh.step()
        resumed.append(list(fresh.get_last_lr()))
    assert first + resumed == straight


def test_plateau_state_dict_round_trip():
    losses = _losses()
    opt = _optimizer(minitorch)
    S = minitorch.optim.lr_scheduler
    sched = S.ReduceLROnPlateau(opt, patience=2, cooldown=1)
    for x in losses[:40]:
        sched.step(x)
    other_opt = _optimizer(minitorch)
    other = S.ReduceLROnPlateau(other_opt, patience=2, cooldown=1)
    other_opt.load_state_dict(opt.state_dict())
    other.load_state_dict(copy.deepcopy(sched.state_dict()))
    for x in losses[40:]:
        sched.step(x)
        other.step(x)
        assert other.get_last_lr() == sched.get_last_lr()
    assert other.best == sched.best and other.num_bad_epochs == sched.num_bad_epochs


def test_lambda_state_dict_keeps_callable_objects_state():
    class Decay:
        def __init__(self):
            self.rate = 0.9

        def __call__(self, epoch):
            return self.rate ** epoch

    opt = _optimizer(minitorch, groups=1)
    decay = Decay()
    sched = minitorch.optim.lr_scheduler.LambdaLR(opt, decay)
    decay.rate = 0.5
    saved = sched.state_dict()
    assert saved["lr_lambdas"] == [{"rate": 0.5}]
    other_decay = Decay()
    other = minitorch.optim.lr_scheduler.LambdaLR(_optimizer(minitorch, groups=1), other_decay)
    other.load_state_dict(saved)
    assert other_decay.rate == 0.5
    plain = minitorch.optim.lr_scheduler.LambdaLR(_optimizer(minitorch, groups=1), lambda e: 1.0)
    assert plain.state_dict()["lr_lambdas"] == [None]


def test_cyclic_state_dict_keeps_callable_scale_fn_state():
    class Scale:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, x):
            return self.rate ** x

    scale = Scale()
    sched = minitorch.optim.lr_scheduler.CyclicLR(_optimizer(minitorch), 0.01, 0.1, scale_fn=scale)
    scale.rate = 0.25
    saved = sched.state_dict()
    assert saved["_scale_fn_custom"] == {"rate": 0.25}
    other_scale = Scale()
    other = minitorch.optim.lr_scheduler.CyclicLR(_optimizer(minitorch), 0.01, 0.1,
                                                  scale_fn=other_scale)
    other.load_state_dict(saved)
    assert other_scale.rate == 0.25 and other._scale_fn_custom is other_scale


def test_initial_lr_and_base_lrs():
    opt = _optimizer(minitorch)
    sched = minitorch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.2]
    assert sched.base_lrs == [0.1, 0.2] and sched.last_epoch == 0
    opt.step()
    sched.step()
    assert sched.last_epoch == 1 and sched.get_last_lr() == [0.05, 0.1]
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.1]
    with pytest.raises(KeyError, match="initial_lr"):
        minitorch.optim.lr_scheduler.StepLR(_optimizer(minitorch), step_size=2, last_epoch=3)


def test_resuming_with_last_epoch_equals_pytorch():
    results = []
    for lib in (minitorch, torch):
        opt = _optimizer(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20, last_epoch=7)
        lrs = [list(sched.get_last_lr())]
        for _ in range(30):
            opt.step()
            sched.step()
            lrs.append(list(sched.get_last_lr()))
        results.append(lrs)
    assert results[0] == results[1]


def test_warns_when_stepped_before_the_optimizer():
    opt = _optimizer(minitorch)
    sched = minitorch.optim.lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = _optimizer(minitorch)
    sched2 = minitorch.optim.lr_scheduler.StepLR(opt2, step_size=2)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_optimizer_with_scheduler_still_pickles_and_deep_copies():
    import pickle
    opt = _optimizer(minitorch)
    minitorch.optim.lr_scheduler.StepLR(opt, step_size=2)
    clone = pickle.loads(pickle.dumps(opt))
    assert clone.param_groups[0]["lr"] == 0.1
    assert copy.deepcopy(opt).param_groups[1]["initial_lr"] == 0.2


@pytest.mark.parametrize("make,error,message", [
    (lambda S, o: S.StepLR(object(), 3), TypeError, "is not an Optimizer"),
    (lambda S, o: S.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda S, o: S.MultiplicativeLR(o, 0.9), TypeError, "lr_lambda should be a function"),
    (lambda S, o: S.ConstantLR(o, factor=1.5), ValueError, "between 0 and 1"),
    (lambda S, o: S.LinearLR(o, start_factor=0), ValueError, "greater than 0"),
    (lambda S, o: S.LinearLR(o, end_factor=2), ValueError, "between 0 and 1"),
    (lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "positive integer T_0"),
    (lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0), ValueError, "T_mult >= 1"),
    (lambda S, o: S.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps OR"),
    (lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError, "positive integer"),
    (lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5), ValueError,
     "pct_start"),
    (lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"), ValueError,
     "anneal_strategy"),
    (lambda S, o: S.OneCycleLR(o, max_lr=[1.0], total_steps=10), ValueError,
     "max_lr must have the same length"),
    (lambda S, o: S.CyclicLR(o, 0.01, 0.1, mode="sawtooth"), ValueError,
     "mode is invalid and scale_fn is None"),
    (lambda S, o: S.CyclicLR(o, [0.01], 0.1), ValueError, "base_lr must have the same length"),
    (lambda S, o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
    (lambda S, o: S.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown"),
    (lambda S, o: S.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode x is unknown"),
    (lambda S, o: S.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
    (lambda S, o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]), ValueError,
     "one more than the number of milestone"),
    (lambda S, o: S.SequentialLR(o, [], milestones=[]), ValueError, "at least one scheduler"),
    (lambda S, o: S.ChainedScheduler([S.ReduceLROnPlateau(o)]), ValueError,
     "does not support `ReduceLROnPlateau`"),
])
def test_bad_arguments_raise_like_pytorch(make, error, message):
    for lib in (torch, minitorch):
        with pytest.raises(error, match=message):
            _sched(lib, _optimizer(lib), make)


def test_one_cycle_without_momentum_support():
    class NoMomentum(minitorch.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, dict(lr=0.1))

    opt = NoMomentum([minitorch.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        minitorch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5)


def test_scheduled_training_matches_pytorch():
    """An end-to-end check: SGD with momentum under a OneCycle schedule on a small regression."""
    rng = np.random.default_rng(3)
    x, y, w0 = rng.standard_normal((32, 4)), rng.standard_normal((32, 1)), rng.standard_normal((1, 4))
    finals = []
    for lib in (minitorch, torch):
        w = lib.tensor(w0, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.01, momentum=0.9)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=40)
        for _ in range(40):
            opt.zero_grad()
            ((lib.tensor(x) @ w.T - lib.tensor(y)) ** 2).mean().backward()
            opt.step()
            sched.step()
        finals.append(w.detach().numpy())
    np.testing.assert_allclose(finals[0], finals[1], rtol=1e-10)
