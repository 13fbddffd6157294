"""minitorch.optim against PyTorch: parameter trajectories, state dicts, errors.

Each trajectory test trains the same small MLP (5 -> 8 -> 3, fixed inputs) on both sides from
the same NumPy weights, gradients coming from each library's own autograd, and compares the
parameters after every one of 50 steps.
"""
from __future__ import annotations

import copy
import itertools
import warnings

import numpy as np
import pytest
import torch

import minitorch

STEPS = 50
# float32: 50 steps of training amplify one-rounding differences per op (minitorch's addcdiv
# rounds value * (a / b) where PyTorch rounds (value * a) / b; PyTorch fuses add's alpha into
# one multiply-add) to about 1e-6 on weights near zero
TOL = {"float64": dict(rtol=1e-9, atol=1e-12), "float32": dict(rtol=2e-5, atol=2e-6)}

_rng = np.random.default_rng(1234)
X = _rng.standard_normal((16, 5))
Y = _rng.standard_normal((16, 3))
ONE_HOT = np.eye(3)[_rng.integers(0, 3, 16)]
WEIGHTS = [_rng.standard_normal((8, 5)) * 0.5, _rng.standard_normal(8) * 0.1,
           _rng.standard_normal((3, 8)) * 0.5, _rng.standard_normal(3) * 0.1]


def _loss(lib, params, kind="mse", sign=1.0):
    """The same computation in both libraries: a tanh MLP with an MSE or cross-entropy loss."""
    dtype = params[0].dtype
    x, y, onehot = (lib.tensor(a, dtype=dtype) for a in (X, Y, ONE_HOT))
    w1, b1, w2, b2 = params
    hidden = (x @ w1.T + b1).tanh() if kind != "relu" else (x @ w1.T + b1).relu()
    out = hidden @ w2.T + b2
    if kind == "ce":
        log_probs = out - out.exp().sum(1, keepdim=True).log()
        loss = -(onehot * log_probs).sum() / 16
    else:
        loss = ((out - y) ** 2).mean()
    return loss * sign


def _params(lib, dtype):
    return [lib.tensor(w.astype(dtype), requires_grad=True) for w in WEIGHTS]


def _train(lib, name, kwargs, dtype, steps=STEPS, kind="mse", params=None, opt=None):
    """Parameters after each step, for ``steps`` steps of optimizer ``name``."""
    params = _params(lib, dtype) if params is None else params
    opt = getattr(lib.optim, name)(params, **kwargs) if opt is None else opt
    # maximize climbs the objective, so it climbs the negated loss (a bounded trajectory)
    sign = -1.0 if kwargs.get("maximize") else 1.0
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        _loss(lib, params, kind, sign).backward()
        opt.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory, params, opt


def _compare(ours, theirs, dtype):
    for step, (mine, ref) in enumerate(zip(ours, theirs)):
        for i, (m, t) in enumerate(zip(mine, ref)):
            assert m.dtype == t.dtype
            np.testing.assert_allclose(m, t, **TOL[dtype],
                                       err_msg=f"parameter {i} differs after step {step + 1}")


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.02, betas=(0.3, 0.8), eps=1e-3)),  # lerp weight >= 0.5
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1, alpha=0.9)),
    ("RMSprop", dict(lr=0.01, eps=1e-4, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4)),
    ("Adadelta", dict(weight_decay=0.1, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.4, 0.9), eps=1e-4)),
    ("Adamax", dict(weight_decay=0.1, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, momentum_decay=0.01, betas=(0.8, 0.99))),
    ("NAdam", dict(weight_decay=0.1)),
    ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),  # the first ~5 steps skip the adaptive term, later ones use it
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.9), maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_trajectory_float64(name, kwargs):
    ours, _, _ = _train(minitorch, name, kwargs, "float64")
    theirs, _, _ = _train(torch, name, kwargs, "float64")
    _compare(ours, theirs, "float64")


FLOAT32_CASES = [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
                 ("Adam", dict(lr=0.01, amsgrad=True)), ("AdamW", dict(lr=0.01)),
                 ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                 ("Adagrad", dict(lr=0.1, lr_decay=0.01)), ("Adadelta", dict()),
                 ("Adamax", dict()), ("NAdam", dict(lr=0.01)), ("RAdam", dict(lr=0.01))]


@pytest.mark.parametrize("name,kwargs", FLOAT32_CASES, ids=[n for n, _ in FLOAT32_CASES])
def test_trajectory_float32(name, kwargs):
    ours, _, _ = _train(minitorch, name, kwargs, "float32", kind="ce")
    theirs, _, _ = _train(torch, name, kwargs, "float32", kind="ce")
    _compare(ours, theirs, "float32")


def _combinations(base, **choices):
    """``base`` updated with every combination of ``choices`` (a list of values per option)."""
    names = list(choices)
    return [dict(base, **dict(zip(names, values)))
            for values in itertools.product(*(choices[n] for n in names))]


# every optimizer with every one of its options on and off (together), over 20 steps
OPTION_GRID = (
    [("SGD", kw) for kw in _combinations(dict(lr=0.05), weight_decay=[0, 0.05],
                                         maximize=[False, True])]
    + [("SGD", kw) for kw in _combinations(dict(lr=0.05, momentum=0.9), weight_decay=[0, 0.05],
                                           maximize=[False, True],
                                           dampening_nesterov=[(0, False), (0, True), (0.3, False)])]
    + [("Adam", kw) for kw in _combinations(dict(lr=0.01), weight_decay=[0, 0.1],
                                            amsgrad=[False, True], maximize=[False, True],
                                            decoupled_weight_decay=[False, True])]
    + [("AdamW", kw) for kw in _combinations(dict(lr=0.01), weight_decay=[0, 0.01, 0.2],
                                             amsgrad=[False, True], maximize=[False, True])]
    + [("RMSprop", kw) for kw in _combinations(dict(lr=0.01), weight_decay=[0, 0.1],
                                               momentum=[0, 0.5], centered=[False, True],
                                               maximize=[False, True])]
    + [("Adagrad", kw) for kw in _combinations(dict(lr=0.1), weight_decay=[0, 0.1],
                                               lr_decay=[0, 0.05],
                                               initial_accumulator_value=[0, 0.5],
                                               maximize=[False, True])]
    + [(name, kw) for name in ("Adadelta", "Adamax")
       for kw in _combinations({}, weight_decay=[0, 0.1], maximize=[False, True])]
    + [(name, kw) for name in ("NAdam", "RAdam")
       for kw in _combinations(dict(lr=0.01), weight_decay=[0, 0.1],
                               decoupled_weight_decay=[False, True], maximize=[False, True])]
)
for _kw in OPTION_GRID:  # SGD's dampening and nesterov go together (nesterov needs no dampening)
    if "dampening_nesterov" in _kw[1]:
        _kw[1]["dampening"], _kw[1]["nesterov"] = _kw[1].pop("dampening_nesterov")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", OPTION_GRID, ids=[f"{n}-{k}" for n, k in OPTION_GRID])
def test_every_option_combination_matches_pytorch(name, kwargs, dtype):
    kind = "ce" if dtype == "float32" else "mse"
    ours, params, opt = _train(minitorch, name, kwargs, dtype, steps=20, kind=kind)
    theirs, t_params, t_opt = _train(torch, name, kwargs, dtype, steps=20, kind=kind)
    _compare(ours, theirs, dtype)
    # the same in-place writes to each parameter (decoupled decay is one more than the update)
    assert [p._version for p in params] == [p._version for p in t_params]
    assert [list(s) for s in opt.state_dict()["state"].values()] == \
        [list(s) for s in t_opt.state_dict()["state"].values()]


_W0 = np.random.default_rng(7).standard_normal(64).astype(np.float32)
_C = np.random.default_rng(8).uniform(0.1, 2.0, 64).astype(np.float32)


def _quadratic_run(lib, name, kwargs):
    """Minimise sum(c w²): its gradient 2 c w is computed bit-identically by both libraries
    (elementwise products, no reductions), so any difference is the optimizer's arithmetic."""
    w, c = lib.tensor(_W0, requires_grad=True), lib.tensor(_C)
    opt = getattr(lib.optim, name)([w], **kwargs)
    sign = -1.0 if kwargs.get("maximize") else 1.0
    out = []
    for _ in range(STEPS):
        opt.zero_grad()
        ((w * w * c).sum() * sign).backward()
        opt.step()
        out.append(w.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_update_arithmetic_float32(name, kwargs):
    ours, theirs = _quadratic_run(minitorch, name, kwargs), _quadratic_run(torch, name, kwargs)
    assert ours.dtype == theirs.dtype == np.float32
    # relative to each step's largest weight: PyTorch fuses some multiply-adds (one rounding
    # instead of two), so bit equality is out of reach; a few 1e-7 over 50 steps is the budget
    scale = np.max(np.abs(theirs), axis=1, keepdims=True)
    assert np.max(np.abs(ours - theirs) / scale) < 5e-6


def test_relu_mlp_and_param_groups_with_own_options():
    def build(lib):
        params = _params(lib, "float64")
        return params, lib.optim.Adam([{"params": params[:2]},
                                       {"params": params[2:], "lr": 0.05, "amsgrad": True}],
                                      lr=0.01)
    results = []
    for lib in (minitorch, torch):
        params, opt = build(lib)
        results.append(_train(lib, "Adam", {}, "float64", kind="relu", params=params, opt=opt)[0])
    _compare(*results, "float64")


def test_parameters_without_grad_are_skipped():
    unused = minitorch.zeros(4, requires_grad=True)
    params = _params(minitorch, "float64")
    opt = minitorch.optim.Adam(params + [unused], lr=0.1)
    _loss(minitorch, params).backward()
    opt.step()
    assert unused not in opt.state
    assert np.all(unused.detach().numpy() == 0)
    assert params[0] in opt.state


def test_step_with_closure_returns_loss_and_matches_torch():
    results = []
    for lib in (minitorch, torch):
        params = _params(lib, "float64")
        opt = lib.optim.SGD(params, lr=0.1, momentum=0.9)

        def closure():
            opt.zero_grad()
            loss = _loss(lib, params)
            loss.backward()
            return loss
        with lib.no_grad():  # the closure must still record: step re-enables grad for it
            losses = [float(opt.step(closure)) for _ in range(5)]
        results.append((losses, [p.detach().numpy() for p in params]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    for m, t in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(m, t, rtol=1e-12)


def test_step_updates_in_place_and_bumps_version():
    params = _params(minitorch, "float32")
    data_before = [p._data for p in params]
    versions = [p._version for p in params]
    opt = minitorch.optim.Adam(params, lr=0.1)
    _loss(minitorch, params).backward()
    opt.step()
    assert all(p._data is d for p, d in zip(params, data_before))
    assert [p._version for p in params] == [v + 1 for v in versions]
    assert all(p.grad_fn is None and p.requires_grad for p in params)
    assert all(s["exp_avg"].dtype == minitorch.float32 for s in opt.state.values())


def test_zero_grad():
    w = minitorch.ones(3, requires_grad=True)
    opt = minitorch.optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and np.all(grad.numpy() == 0)
    opt.zero_grad()
    assert w.grad is None


# --- state dicts -----------------------------------------------------------------------------

ROUND_TRIP = [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)), ("Adam", dict(amsgrad=True)),
              ("AdamW", dict()), ("RMSprop", dict(centered=True, momentum=0.5)),
              ("Adagrad", dict(lr=0.1, lr_decay=0.01)), ("Adadelta", dict()), ("Adamax", dict()),
              ("NAdam", dict()), ("RAdam", dict()), ("Rprop", dict(lr=0.05, etas=(0.3, 1.5))),
              ("ASGD", dict(lr=0.05, lambd=0.01, t0=5))]


@pytest.mark.parametrize("name,kwargs", ROUND_TRIP, ids=[n for n, _ in ROUND_TRIP])
def test_state_dict_round_trip_continues_identically(name, kwargs):
    straight, _, _ = _train(minitorch, name, kwargs, "float32", steps=20)
    first, params, opt = _train(minitorch, name, kwargs, "float32", steps=10)
    saved = copy.deepcopy(opt.state_dict())
    fresh = [minitorch.tensor(p.detach().numpy(), requires_grad=True) for p in params]
    resumed = getattr(minitorch.optim, name)(fresh, **kwargs)
    resumed.load_state_dict(saved)
    second, _, _ = _train(minitorch, name, kwargs, "float32", steps=10, params=fresh, opt=resumed)
    for mine, ref in zip(first + second, straight):
        for m, t in zip(mine, ref):
            np.testing.assert_array_equal(m, t)


def _to_numpy_state_dict(sd):
    def convert(v):
        if isinstance(v, torch.Tensor):
            return v.numpy().copy()
        if isinstance(v, dict):
            return {k: convert(x) for k, x in v.items()}
        return v
    return {"state": convert(sd["state"]), "param_groups": copy.deepcopy(sd["param_groups"])}


@pytest.mark.parametrize("name,kwargs", ROUND_TRIP, ids=[n for n, _ in ROUND_TRIP])
def test_state_dict_has_pytorch_layout_and_loads_pytorch_state(name, kwargs):
    _, t_params, t_opt = _train(torch, name, kwargs, "float64", steps=10)
    _, m_params, m_opt = _train(minitorch, name, kwargs, "float64", steps=10)
    theirs, ours = t_opt.state_dict(), m_opt.state_dict()
    assert ours["param_groups"] == theirs["param_groups"]
    assert ours["state"].keys() == theirs["state"].keys()
    for i in theirs["state"]:
        assert list(ours["state"][i]) == list(theirs["state"][i])
        for key, value in theirs["state"][i].items():
            assert str(ours["state"][i][key].dtype) == str(value.dtype).replace("torch.", "minitorch.")
            np.testing.assert_allclose(ours["state"][i][key].numpy(), value.numpy(), rtol=1e-9)

    # continue PyTorch's run in minitorch from PyTorch's weights and optimizer state
    params = [minitorch.tensor(p.detach().numpy(), requires_grad=True) for p in t_params]
    opt = getattr(minitorch.optim, name)(params, **kwargs)
    opt.load_state_dict(_to_numpy_state_dict(theirs))
    # PyTorch resumes from the same state dict too: loading casts state to the parameters'
    # dtype (ASGD's eta and mu), so a resumed run is the reference, not the uninterrupted one
    t_resumed = getattr(torch.optim, name)(t_params, **kwargs)
    t_resumed.load_state_dict(theirs)
    ours_next, _, _ = _train(minitorch, name, kwargs, "float64", steps=10, params=params, opt=opt)
    theirs_next, _, _ = _train(torch, name, kwargs, "float64", steps=10, params=t_params,
                               opt=t_resumed)
    _compare(ours_next, theirs_next, "float64")


def test_load_state_dict_casts_to_param_dtype_copies_and_restores_options():
    src = minitorch.tensor([1.0, 2.0], dtype=minitorch.float64, requires_grad=True)
    opt = minitorch.optim.Adam([src], lr=0.1)
    src.grad = minitorch.tensor([0.5, -0.5], dtype=minitorch.float64)
    opt.step()
    saved = opt.state_dict()
    dst = minitorch.tensor([1.0, 2.0], requires_grad=True)  # float32
    other = minitorch.optim.Adam([dst], lr=0.5)
    other.load_state_dict(saved)
    state = other.state[dst]
    assert state["exp_avg"].dtype == minitorch.float32
    assert state["step"].dtype == minitorch.float32 and float(state["step"]) == 1
    assert other.param_groups[0]["lr"] == 0.1 and other.param_groups[0]["params"][0] is dst
    # stepping the loaded optimizer leaves the source optimizer's state alone
    same = minitorch.tensor([1.0, 2.0], dtype=minitorch.float64, requires_grad=True)
    third = minitorch.optim.Adam([same])
    third.load_state_dict(saved)
    before = saved["state"][0]["exp_avg"].numpy().copy()
    same.grad = minitorch.tensor([1.0, 1.0], dtype=minitorch.float64)
    third.step()
    np.testing.assert_array_equal(saved["state"][0]["exp_avg"].numpy(), before)


def test_load_state_dict_size_mismatches():
    a, b = minitorch.ones(2, requires_grad=True), minitorch.ones(3, requires_grad=True)
    two = minitorch.optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        minitorch.optim.SGD([a], lr=0.1).load_state_dict(two)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        minitorch.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(two)


def test_adagrad_state_exists_before_the_first_step():
    ours = minitorch.optim.Adagrad(_params(minitorch, "float64"), initial_accumulator_value=0.3)
    theirs = torch.optim.Adagrad(_params(torch, "float64"), initial_accumulator_value=0.3)
    assert ours.state_dict()["state"].keys() == theirs.state_dict()["state"].keys()
    np.testing.assert_array_equal(ours.state_dict()["state"][1]["sum"].numpy(),
                                  theirs.state_dict()["state"][1]["sum"].numpy())


# --- construction, printing and errors -------------------------------------------------------

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]


@pytest.mark.parametrize("name", NAMES)
def test_defaults_and_repr_match_pytorch(name):
    ours = getattr(minitorch.optim, name)(_params(minitorch, "float32"))
    theirs = getattr(torch.optim, name)(_params(torch, "float32"))
    assert ours.defaults == theirs.defaults
    assert list(ours.defaults) == list(theirs.defaults)
    ours.add_param_group({"params": [minitorch.ones(1, requires_grad=True)], "lr": 0.5})
    theirs.add_param_group({"params": [torch.ones(1, requires_grad=True)], "lr": 0.5})
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", NAMES)
def test_negative_lr_rejected(name):
    with pytest.raises(ValueError, match="Invalid learning rate"):
        getattr(minitorch.optim, name)(_params(minitorch, "float32"), lr=-0.1)


@pytest.mark.parametrize("name,kwargs,message", [
    ("SGD", dict(momentum=-0.1), "Invalid momentum value"),
    ("SGD", dict(weight_decay=-1), "Invalid weight_decay value"),
    ("SGD", dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1), "Nesterov"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0"),
    ("AdamW", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value"),
    ("RMSprop", dict(alpha=-0.5), "Invalid alpha value"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value"),
    ("Adagrad", dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value"),
    ("RAdam", dict(weight_decay=-1), "Invalid weight_decay value"),
])
def test_invalid_options_rejected_like_pytorch(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        getattr(torch.optim, name)(_params(torch, "float32"), **kwargs)
    with pytest.raises(ValueError, match=message):
        getattr(minitorch.optim, name)(_params(minitorch, "float32"), **kwargs)


def test_bad_params():
    w = minitorch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        minitorch.optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        minitorch.optim.SGD([{"params": [w]}, {"params": w}], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got minitorch.FloatTensor"):
        minitorch.optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is float"):
        minitorch.optim.SGD([1.0], lr=0.1)
    with pytest.raises(TypeError):
        minitorch.optim.SGD(5, lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        minitorch.optim.SGD([], lr=0.1)
    opt = minitorch.optim.SGD([w], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([minitorch.ones(1, requires_grad=True)])
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {minitorch.ones(1, requires_grad=True)}})
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w]})


def test_duplicate_parameter_in_one_group_warns_like_pytorch():
    with pytest.warns(UserWarning, match="duplicate parameters"):
        torch.optim.SGD([torch.ones(1, requires_grad=True)] * 2, lr=0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        minitorch.optim.SGD([minitorch.ones(1, requires_grad=True)] * 2, lr=0.1)


def test_retained_grad_non_leaf_is_accepted():
    w = minitorch.ones(2, requires_grad=True)
    h = w * 2
    h.retain_grad()
    minitorch.optim.SGD([h], lr=0.1)


def test_named_parameters():
    w, b = minitorch.ones(2, requires_grad=True), minitorch.zeros(1, requires_grad=True)
    opt = minitorch.optim.SGD([("w", w), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["params"] == [w, b]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({"params": [minitorch.ones(1, requires_grad=True)]})


@pytest.mark.parametrize("option", ["fused", "differentiable"])
def test_unimplemented_switches_raise(option):
    with pytest.raises(NotImplementedError, match=option):
        minitorch.optim.Adam(_params(minitorch, "float32"), **{option: True})


def test_tensor_lr_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="lr as a number"):
        minitorch.optim.SGD(_params(minitorch, "float32"), lr=minitorch.tensor(0.1))


def test_step_hooks_are_not_implemented():
    opt = minitorch.optim.SGD(_params(minitorch, "float32"), lr=0.1)
    with pytest.raises(NotImplementedError, match="register_step_pre_hook"):
        opt.register_step_pre_hook(lambda *a: None)


def test_foreach_is_accepted_and_gives_the_same_numbers():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours, _, _ = _train(minitorch, "Adam", dict(lr=0.01, foreach=True), "float64", steps=5)
    theirs, _, _ = _train(torch, "Adam", dict(lr=0.01, foreach=False), "float64", steps=5)
    _compare(ours, theirs, "float64")


# --- the shared loop, zero_grad, step counters -------------------------------------------------

@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_zero_grad_keeping_tensors_detaches_a_gradient_with_a_graph_like_pytorch():
    for lib in (minitorch, torch):
        w = lib.ones(3, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        (w * w).sum().backward(create_graph=True)
        grad = w.grad
        assert grad.grad_fn is not None
        opt.zero_grad(set_to_none=False)
        assert w.grad is grad and grad.grad_fn is None and not grad.requires_grad
        assert np.all(grad.detach().numpy() == 0)


@pytest.mark.parametrize("name", NAMES)
def test_step_counter_follows_the_default_dtype_like_pytorch(name):
    def counter_dtypes(lib):
        previous = lib.get_default_dtype()
        lib.set_default_dtype(lib.float64)
        try:
            _, _, opt = _train(lib, name, {}, "float64", steps=1)
        finally:
            lib.set_default_dtype(previous)
        return [str(s["step"].dtype).split(".")[-1] for s in opt.state.values() if "step" in s]
    assert counter_dtypes(minitorch) == counter_dtypes(torch)


def test_loads_a_step_saved_as_a_plain_number():
    _, params, opt = _train(minitorch, "Adam", dict(lr=0.01), "float64", steps=3)
    saved = copy.deepcopy(opt.state_dict())
    for state in saved["state"].values():
        state["step"] = 3  # as very old PyTorch checkpoints hold it
    resumed = minitorch.optim.Adam(params, lr=0.01)
    resumed.load_state_dict(saved)
    step = resumed.state[params[0]]["step"]
    assert isinstance(step, minitorch.Tensor) and step.dtype == minitorch.float32
    assert float(step) == 3


def test_adagrad_group_added_later_gets_its_state_at_its_first_step():
    w, extra = minitorch.ones(2, requires_grad=True), minitorch.ones(3, requires_grad=True)
    opt = minitorch.optim.Adagrad([w], lr=0.1, initial_accumulator_value=0.5)
    opt.add_param_group({"params": [extra]})
    (w.sum() + (extra * 2).sum()).backward()
    opt.step()
    np.testing.assert_allclose(opt.state[extra]["sum"].numpy(), 4.5)
    assert float(opt.state[extra]["step"]) == 1


def test_a_pytorch_style_optimizer_subclass_runs_unchanged():
    """A user's optimizer written for PyTorch (its own ``step``) needs nothing of our loop."""
    def make(lib):
        class SignSGD(lib.optim.Optimizer):
            def __init__(self, params, lr=0.01):
                super().__init__(params, dict(lr=lr))

            @lib.no_grad()
            def step(self, closure=None):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            p.add_(p.grad.sign(), alpha=-group["lr"])
        return SignSGD
    results = []
    for lib in (minitorch, torch):
        params = _params(lib, "float64")
        results.append(_train(lib, None, {}, "float64", steps=5, params=params,
                              opt=make(lib)(params, lr=0.01))[0])
    _compare(*results, "float64")


def test_an_optimizer_without_update_rule_says_so():
    class Incomplete(minitorch.optim.Optimizer):
        pass
    w = minitorch.ones(2, requires_grad=True)
    opt = Incomplete([w], {"lr": 0.1})
    w.sum().backward()
    with pytest.raises(NotImplementedError, match="Incomplete"):
        opt.step()
