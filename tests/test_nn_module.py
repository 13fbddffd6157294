"""nn.Module, Parameter and the containers, checked against PyTorch's behaviour."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch
import minitorch.nn as nn
from minitorch.autograd import function as autograd_function


def _torch_size_text(text: str) -> str:
    """PyTorch's messages say torch.Size; ours name our own class."""
    return text.replace("torch.Size", "minitorch.Size")


def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.fc2 = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(3, 4)
        self.fc2 = torch.nn.Linear(4, 2)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


# --- Parameter ---------------------------------------------------------------------------------

def test_parameter_is_a_tensor_requiring_grad_and_shares_data():
    t = minitorch.zeros(2, 3)
    p = nn.Parameter(t)
    assert isinstance(p, minitorch.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf
    t.add_(1)  # same memory
    assert p.tolist() == [[1.0] * 3] * 2
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)


def test_parameter_repr_matches_pytorch():
    ours = nn.Parameter(minitorch.tensor([1.0, 2.5]))
    theirs = torch.nn.Parameter(torch.tensor([1.0, 2.5]))
    assert repr(ours) == repr(theirs)


def test_parameter_integer_data_cannot_require_grad():
    with pytest.raises(RuntimeError):
        nn.Parameter(minitorch.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        torch.nn.Parameter(torch.tensor([1, 2]))


def test_parameter_survives_deepcopy_and_pickle():
    p = nn.Parameter(minitorch.randn(3))
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad
        np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())


def test_ops_on_parameters_give_plain_tensors():
    p = nn.Parameter(minitorch.ones(2))
    assert type(p * 2) is minitorch.Tensor
    assert type(p.detach()) is minitorch.Tensor


# --- registration --------------------------------------------------------------------------------

def test_attribute_assignment_registers_parameters_modules_buffers():
    m = Net()
    m.register_buffer("steps", minitorch.zeros(()))
    m.register_buffer("cache", minitorch.zeros(2), persistent=False)
    assert [n for n, _ in m.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in m.named_buffers()] == ["steps", "cache"]
    assert list(m.state_dict()) == ["steps", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in m.named_children()] == ["fc1", "fc2"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "fc2"]
    assert [n for n, _ in m.named_modules(prefix="net")] == ["net", "net.fc1", "net.fc2"]
    assert len(list(m.parameters(recurse=False))) == 0
    # PyTorch agrees on the names
    t = TorchNet()
    t.register_buffer("steps", torch.zeros(()))
    t.register_buffer("cache", torch.zeros(2), persistent=False)
    assert list(t.state_dict()) == list(m.state_dict())
    assert [n for n, _ in t.named_buffers()] == [n for n, _ in m.named_buffers()]


def test_reassigning_and_deleting_attributes():
    m = nn.Linear(2, 2)
    m.bias = None
    assert m.bias is None and "bias" in m._parameters
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    with pytest.raises(TypeError, match="cannot assign"):
        m.weight = minitorch.zeros(2, 2)  # a plain tensor where a Parameter lives
    m.extra = nn.ReLU()
    assert "extra" in m._modules
    m.extra = nn.Parameter(minitorch.zeros(1))  # the name changes kind
    assert "extra" not in m._modules and "extra" in m._parameters
    del m.extra
    assert "extra" not in m._parameters
    with pytest.raises(AttributeError):
        m.extra
    m.register_buffer("b", minitorch.zeros(1))
    m.b = minitorch.ones(1)
    assert m._buffers["b"].tolist() == [1.0]
    with pytest.raises(TypeError):
        m.b = 3
    del m.b
    assert "b" not in m._buffers
    assert "weight" in dir(m) and "forward" in dir(m)


def test_unknown_attribute_message_matches_pytorch():
    with pytest.raises(AttributeError) as ours:
        nn.Linear(3, 2).foo
    with pytest.raises(AttributeError) as theirs:
        torch.nn.Linear(3, 2).foo
    assert str(ours.value) == str(theirs.value)


def test_registration_errors():
    m = nn.Module()
    with pytest.raises(KeyError):
        m.register_buffer("a.b", minitorch.zeros(1))
    with pytest.raises(KeyError):
        m.register_parameter("", None)
    with pytest.raises(TypeError):
        m.register_buffer("x", 3)
    with pytest.raises(TypeError):
        m.register_parameter("w", minitorch.zeros(1))
    with pytest.raises(TypeError):
        m.add_module("child", 3)
    m.add_module("child", nn.ReLU())
    with pytest.raises(KeyError):
        m.register_buffer("child", minitorch.zeros(1))
    with pytest.raises(ValueError):
        leaf = minitorch.zeros(1, requires_grad=True)
        p = nn.Parameter(minitorch.zeros(1))
        p.grad_fn = (leaf * 2).grad_fn  # a non-leaf
        m.register_parameter("nl", p)

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(minitorch.zeros(1))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_register_module_and_get_submodule():
    m = nn.Module()
    m.register_module("inner", nn.Sequential(nn.Linear(2, 2)))
    assert m.get_submodule("inner.0") is m.inner[0]
    assert m.get_parameter("inner.0.weight") is m.inner[0].weight
    with pytest.raises(AttributeError):
        m.get_submodule("inner.5")


def test_shared_parameters_counted_once():
    a = nn.Linear(2, 2)
    m = nn.Sequential(a, a)
    assert len(list(m.parameters())) == 2
    assert len(list(m.named_parameters(remove_duplicate=False))) == 4
    assert len(list(m.modules())) == 2
    assert list(m.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]  # as PyTorch
    t = torch.nn.Linear(2, 2)
    assert list(torch.nn.Sequential(t, t).state_dict()) == list(m.state_dict())


# --- modes, grads, conversion ------------------------------------------------------------------------

def test_train_eval_reach_every_module():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout()))
    assert m.training
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError):
        m.train("yes")


def test_zero_grad_and_requires_grad_():
    m = Net()
    m(minitorch.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_first():
    m = Net()
    seen = []
    assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
    assert seen == ["Linear", "Linear", "Net"]


def test_to_double_float_keeps_parameter_objects():
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = m[0].weight
    m(minitorch.randn(4, 2)).sum().backward()
    m.double()
    assert m[0].weight is weight and weight.dtype == minitorch.float64
    assert weight.grad.dtype == minitorch.float64
    assert m[1].running_mean.dtype == minitorch.float64
    assert m[1].num_batches_tracked.dtype == minitorch.int64  # integer buffers keep their dtype
    m.to(minitorch.float32)
    assert weight.dtype == minitorch.float32
    m.to("cpu", dtype=minitorch.float64)
    assert weight.dtype == minitorch.float64
    m.float()
    m.to(minitorch.zeros(1, dtype=minitorch.float64))
    assert weight.dtype == minitorch.float64
    with pytest.raises(TypeError, match="floating point"):
        m.to(minitorch.int64)
    m.half()
    assert weight.dtype == minitorch.float16
    assert m.cpu() is m


def test_deepcopy_module_is_independent():
    m = Net()
    c = copy.deepcopy(m)
    with minitorch.no_grad():
        c.fc1.weight.add_(1)
    assert not np.allclose(c.fc1.weight.detach().numpy(), m.fc1.weight.detach().numpy())
    assert isinstance(c.fc1.weight, nn.Parameter)


# --- state_dict -------------------------------------------------------------------------------------

def _torch_state_to_ours(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


def test_state_dict_keys_and_shapes_equal_pytorch():
    cases = [
        (lambda lib: _mlp(lib)),
        (lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3), lib.nn.ReLU(),
                                       lib.nn.Linear(3, 1))),
        (lambda lib: lib.nn.Sequential(lib.nn.Embedding(10, 4, padding_idx=0), lib.nn.LayerNorm(4),
                                       lib.nn.Flatten(), lib.nn.Linear(4, 2))),
        (lambda lib: lib.nn.ModuleDict({"a": lib.nn.GroupNorm(2, 4),
                                        "b": lib.nn.ModuleList([lib.nn.BatchNorm2d(4)])})),
    ]
    for build in cases:
        ours, theirs = build(minitorch).state_dict(), build(torch).state_dict()
        assert list(ours) == list(theirs)
        for k in ours:
            assert tuple(ours[k].shape) == tuple(theirs[k].shape), k
            assert str(ours[k].dtype).split(".")[-1] == str(theirs[k].dtype).split(".")[-1], k


def test_round_trip_torch_to_ours_and_back():
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    theirs.train()
    theirs(torch.randn(8, 4))  # move the running statistics away from their defaults
    ours = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))
    result = ours.load_state_dict(_torch_state_to_ours(theirs))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(minitorch.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # and back: ours -> a fresh torch model gives the same outputs
    fresh = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    fresh.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    fresh.eval()
    np.testing.assert_allclose(fresh(torch.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6)
    # torch tensors directly (read through .numpy()) and our own tensors are accepted too
    ours.load_state_dict(theirs.state_dict())
    ours.load_state_dict(ours.state_dict())


def test_load_state_dict_copies_in_place():
    m = nn.Linear(3, 2)
    weight = m.weight
    version = weight._version
    m.load_state_dict({"weight": np.ones((2, 3), np.float64), "bias": np.zeros(2, np.float32)})
    assert m.weight is weight and weight.dtype == minitorch.float32
    assert weight.tolist() == [[1.0] * 3] * 2 and weight.requires_grad
    assert weight._version > version


def test_load_state_dict_assign_replaces_tensors():
    m = nn.Linear(3, 2)
    new_weight = minitorch.ones(2, 3)
    m.load_state_dict({"weight": new_weight, "bias": minitorch.zeros(2)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    new_weight.add_(1)
    assert m.weight.tolist() == [[2.0] * 3] * 2  # shares memory with what was loaded


@pytest.mark.parametrize("state", [
    {"weight": np.zeros((2, 3), np.float32)},                                        # missing
    {"weight": np.zeros((2, 3), np.float32), "bias": np.zeros(2, np.float32),
     "extra": np.zeros(1, np.float32), "sub.x": np.zeros(1, np.float32)},            # unexpected
    {"weight": np.zeros((2, 2), np.float32), "bias": np.zeros(2, np.float32)},       # size
    {"weight": np.zeros((3, 3), np.float32), "foo": np.zeros(1, np.float32)},        # all three
])
def test_load_state_dict_errors_match_pytorch(state):
    with pytest.raises(RuntimeError) as ours:
        nn.Linear(3, 2).load_state_dict(state)
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(3, 2).load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    assert str(ours.value) == _torch_size_text(str(theirs.value))


def test_load_state_dict_non_strict_returns_keys_like_pytorch():
    state = {"0.weight": np.zeros((4, 3), np.float32), "9.weight": np.zeros(1, np.float32)}
    ours = _mlp(minitorch).load_state_dict(state, strict=False)
    theirs = _mlp(torch).load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    assert ours.missing_keys == theirs.missing_keys
    assert ours.unexpected_keys == theirs.unexpected_keys
    missing, unexpected = ours
    assert missing == ["0.bias", "2.weight", "2.bias"] and unexpected == ["9.weight"]
    assert repr(ours) == repr(theirs)


def test_batchnorm_checkpoint_without_num_batches_tracked_loads_like_pytorch():
    state = {k: v.numpy() for k, v in torch.nn.BatchNorm1d(3).state_dict().items()
             if k != "num_batches_tracked"}
    assert repr(nn.BatchNorm1d(3).load_state_dict(state)) == "<All keys matched successfully>"
    with pytest.raises(TypeError, match="dict-like"):
        nn.Linear(1, 1).load_state_dict([1, 2])


def test_state_dict_values_are_detached_and_shared():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    assert not sd["weight"].requires_grad
    with minitorch.no_grad():
        m.weight.add_(1)
    np.testing.assert_array_equal(sd["weight"].numpy(), m.weight.detach().numpy())
    assert m.state_dict(keep_vars=True)["weight"] is m.weight
    assert list(m.state_dict(prefix="lin.")) == ["lin.weight", "lin.bias"]


# --- hooks --------------------------------------------------------------------------------------------

def test_forward_pre_hook_and_forward_hook():
    m = nn.Linear(3, 2)
    calls = []
    x = minitorch.randn(4, 3)

    def pre(module, args):
        calls.append(("pre", module, args))
        return (args[0] * 2,)

    def post(module, args, output):
        calls.append(("post", module, args, output))
        return output + 1

    h1 = m.register_forward_pre_hook(pre)
    h2 = m.register_forward_hook(post)
    out = m(x)
    expected = nn.functional.linear(x * 2, m.weight, m.bias) + 1
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-6)
    assert calls[0][0] == "pre" and calls[0][1] is m and calls[0][2][0] is x
    assert calls[1][0] == "post" and calls[1][3].shape == (4, 2)
    h1.remove()
    h2.remove()
    calls.clear()
    m(x)
    assert calls == []


def test_forward_hooks_with_kwargs_and_prepend():
    order = []
    m = nn.Identity()
    m.register_forward_hook(lambda mod, a, o: order.append("first"))
    m.register_forward_hook(lambda mod, a, o: order.append("second"), prepend=True)
    m.register_forward_pre_hook(lambda mod, a, k: (a, k), with_kwargs=True)
    m.register_forward_hook(lambda mod, a, k, o: order.append(("kw", k)), with_kwargs=True)
    m(minitorch.ones(1))
    assert order == ["second", "first", ("kw", {})]


def test_full_backward_hook_matches_pytorch():
    records = {}
    for lib in (minitorch, torch):
        lib.manual_seed(0)
        layer = lib.nn.Linear(3, 2)
        layer.load_state_dict({"weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 10,
                               "bias": np.array([0.5, -0.5], np.float32)}
                              if lib is minitorch else
                              {"weight": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 10,
                               "bias": torch.tensor([0.5, -0.5])})
        seen = []

        def hook(module, grad_input, grad_output, seen=seen):
            seen.append((module, [None if g is None else g.detach().numpy().copy() for g in grad_input],
                         [g.detach().numpy().copy() for g in grad_output]))
            return (grad_input[0] * 10,)
        layer.register_full_backward_hook(hook)
        x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3), requires_grad=True)
        (layer(x) ** 2).sum().backward()
        records[lib] = (seen, x.grad.numpy(), layer)
    (ours, our_grad, our_layer), (theirs, their_grad, _) = records[minitorch], records[torch]
    assert len(ours) == len(theirs) == 1
    assert ours[0][0] is our_layer
    for a, b in zip(ours[0][1] + ours[0][2], theirs[0][1] + theirs[0][2]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-6)  # the hook's replacement reached x


def test_full_backward_hook_when_input_needs_no_grad():
    seen = []
    m = nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go[0].shape)))
    m.register_full_backward_pre_hook(lambda mod, go: seen.append(("pre", len(go))))
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        m(minitorch.ones(3, 2)).sum().backward()
    assert seen[0] == ("pre", 1)
    assert seen[1] == ((None,), (3, 2))
    assert m.weight.grad is not None


# --- scope for the graph renderer --------------------------------------------------------------------

def test_module_scope_recorded_on_nodes():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x).tanh()
            return x

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = Block()
            self.head = nn.Linear(4, 1)

        def forward(self, x):
            return self.head(self.encoder(x)).sigmoid()

    model = Model()
    out = model(minitorch.randn(2, 4))
    assert out.grad_fn.scope == ()                               # sigmoid: in the root's forward
    head = out.grad_fn.next_functions[0][0]
    assert head.scope == ("head",)
    tanh = head.next_functions[1][0]                             # addmm(bias, input, weight.t())
    assert tanh.scope == ("encoder",)
    linear = tanh.next_functions[0][0]
    assert linear.scope == ("encoder", "encoder.layers.1")
    assert autograd_function.current_scope == ()                  # restored afterwards
    # a module that is not part of the running model is named by its class
    free = nn.Linear(4, 4)

    class Wrapper(nn.Module):
        def forward(self, x):
            return free(x)
    assert Wrapper()(minitorch.randn(1, 4)).grad_fn.scope == ("Linear",)


def test_scope_restored_after_an_exception():
    with pytest.raises(RuntimeError):
        nn.Sequential(nn.Linear(3, 2))(minitorch.randn(2, 5))
    assert autograd_function.current_scope == ()
    out = nn.Sequential(nn.Linear(3, 2))(minitorch.randn(2, 3, requires_grad=True))
    assert out.grad_fn.scope == ("0",)


def test_scope_follows_structure_changes():
    model = nn.Sequential(nn.Linear(2, 2))
    model(minitorch.randn(1, 2))
    model.append(nn.Linear(2, 2))
    assert model(minitorch.randn(1, 2)).grad_fn.scope == ("1",)


# --- repr --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("build", [
    lambda lib: lib.nn.Linear(3, 2),
    lambda lib: lib.nn.Linear(3, 2, bias=False),
    _mlp,
    lambda lib: lib.nn.Sequential(lib.nn.Sequential(lib.nn.Linear(1, 2), lib.nn.Tanh()),
                                  lib.nn.Dropout(0.3), lib.nn.BatchNorm1d(2)),
    lambda lib: lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)] + [lib.nn.ReLU()]),
    lambda lib: lib.nn.ModuleDict({"act": lib.nn.GELU(), "norm": lib.nn.LayerNorm((3, 4))}),
    lambda lib: lib.nn.Sequential(),
    lambda lib: lib.nn.Sequential(OrderedDict(fc=lib.nn.Bilinear(2, 3, 4), flat=lib.nn.Flatten(),
                                              un=lib.nn.Unflatten(1, (2, 2)), id=lib.nn.Identity())),
])
def test_repr_matches_pytorch(build):
    assert repr(build(minitorch)) == repr(build(torch))


def test_custom_module_repr_matches_pytorch():
    assert repr(Net()) == repr(TorchNet()).replace("TorchNet", "Net")


def test_parameter_containers_repr():
    ours = nn.ParameterList([nn.Parameter(minitorch.zeros(3, 4)), nn.Parameter(minitorch.zeros(2))])
    assert repr(ours) == ("ParameterList(\n    (0): Parameter containing: [minitorch.float32 of size 3x4]\n"
                          "    (1): Parameter containing: [minitorch.float32 of size 2]\n)")


# --- containers ----------------------------------------------------------------------------------------

def test_sequential_indexing_and_editing():
    a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3)
    s = nn.Sequential(a, b, c)
    assert s[0] is a and s[-1] is c and len(s) == 3 and list(s) == [a, b, c]
    assert isinstance(s[1:], nn.Sequential) and list(s[1:]) == [b, c]
    with pytest.raises(IndexError):
        s[3]
    d = nn.Tanh()
    s.append(d)
    assert s[3] is d
    s.insert(0, nn.Identity())
    assert isinstance(s[0], nn.Identity) and s[1] is a
    s.extend([nn.Sigmoid()])
    assert len(s) == 6
    del s[0]
    assert s[0] is a and [k for k, _ in s.named_children()] == ["0", "1", "2", "3", "4"]
    s[1] = nn.GELU()
    assert isinstance(s[1], nn.GELU)
    named = nn.Sequential(OrderedDict(first=a, second=c))
    assert named.first is a and [n for n, _ in named.named_parameters()][0] == "first.weight"
    x = minitorch.randn(5, 1)
    np.testing.assert_allclose(nn.Sequential(a, b, c)(x).detach().numpy(),
                               c(b(a(x))).detach().numpy())


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
    layers.append(nn.ReLU())
    layers.extend([nn.Tanh()])
    layers.insert(1, nn.Identity())
    assert len(layers) == 5 and isinstance(layers[1], nn.Identity) and isinstance(layers[-1], nn.Tanh)
    assert len(list(layers.parameters())) == 4
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    del layers[0]
    assert isinstance(layers[0], nn.Identity) and list(layers._modules) == ["0", "1", "2", "3"]
    with pytest.raises(TypeError):
        layers.extend(nn.ReLU())
    d = nn.ModuleDict({"a": nn.Linear(1, 1)})
    d["b"] = nn.ReLU()
    d.update([("c", nn.Tanh())])
    assert list(d.keys()) == ["a", "b", "c"] and "b" in d and len(d) == 3
    assert [n for n, _ in d.named_parameters()] == ["a.weight", "a.bias"]
    assert isinstance(d.pop("b"), nn.ReLU) and list(d) == ["a", "c"]


def test_parameter_list_and_dict():
    plist = nn.ParameterList([minitorch.zeros(2), nn.Parameter(minitorch.ones(3))])
    assert all(isinstance(p, nn.Parameter) for p in plist) and len(plist) == 2
    plist.append(minitorch.zeros(1))
    assert [n for n, _ in plist.named_parameters()] == ["0", "1", "2"]
    pdict = nn.ParameterDict({"w": minitorch.zeros(2)})
    pdict["b"] = nn.Parameter(minitorch.ones(1))
    assert isinstance(pdict["w"], nn.Parameter) and list(pdict) == ["w", "b"]
    assert [n for n, _ in pdict.named_parameters()] == ["w", "b"]
    torch_plist = torch.nn.ParameterList([torch.zeros(2), torch.ones(3), torch.zeros(1)])
    assert list(torch_plist.state_dict()) == list(plist.state_dict())


def test_copied_model_records_its_own_scope_names():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    model(minitorch.randn(1, 2))  # fills the name cache
    clone = copy.deepcopy(model)
    assert clone(minitorch.randn(1, 2)).grad_fn.scope == ("1",)
    restored = pickle.loads(pickle.dumps(model))
    assert restored(minitorch.randn(1, 2)).grad_fn.scope == ("1",)


def test_module_type_casts_everything():
    m = nn.Linear(2, 2)
    assert m.type(minitorch.float64) is m and m.weight.dtype == minitorch.float64
    weight = m.weight
    assert m.to_empty(device="cpu") is m and m.weight is weight and weight.shape == (2, 2)


# --- nn.utils --------------------------------------------------------------------------------------

def _grads_both(max_norm=None, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((3, 4)).astype(np.float32) * 3, rng.standard_normal(4).astype(np.float32)]
    ours = [nn.Parameter(minitorch.zeros(*a.shape)) for a in arrays]
    theirs = [torch.nn.Parameter(torch.zeros(*a.shape)) for a in arrays]
    for p, a in zip(ours, arrays):
        p.grad = minitorch.tensor(a)
    for p, a in zip(theirs, arrays):
        p.grad = torch.tensor(a)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm):
    ours, theirs = _grads_both()
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total.dtype == minitorch.float32 and total.shape == ()
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-5)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_edge_cases():
    p = nn.Parameter(minitorch.zeros(2))
    assert nn.utils.clip_grad_norm_([p], 1.0).item() == 0.0  # no gradients at all
    p.grad = minitorch.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    single = nn.Parameter(minitorch.zeros(2))
    single.grad = minitorch.tensor([3.0, 4.0])
    assert nn.utils.clip_grad_norm_(single, 1.0).item() == pytest.approx(5.0)
    assert np.linalg.norm(single.grad.numpy()) == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_value_matches_pytorch():
    ours, theirs = _grads_both()
    assert nn.utils.clip_grad_value_(ours, 0.7) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), t.grad.numpy())


def test_parameters_to_vector_and_back():
    model = Net()
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (sum(p.numel() for p in model.parameters()),)
    expected = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    np.testing.assert_array_equal(vec.detach().numpy(), expected)
    vec.sum().backward()  # differentiable: every parameter gets a gradient of ones
    assert all(np.all(p.grad.numpy() == 1) for p in model.parameters())
    new = minitorch.arange(vec.shape[0], dtype=minitorch.float32)
    nn.utils.vector_to_parameters(new, model.parameters())
    assert model.fc1.weight.tolist()[0] == [0.0, 1.0, 2.0]
    assert model.fc2.bias.tolist() == [float(vec.shape[0] - 2), float(vec.shape[0] - 1)]
    assert model.fc1.weight.requires_grad
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        nn.utils.vector_to_parameters([1.0], model.parameters())
    theirs = TorchNet()
    torch.nn.utils.vector_to_parameters(torch.tensor(new.numpy()), theirs.parameters())
    for (name, p), t in zip(model.named_parameters(), theirs.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), t.detach().numpy(), err_msg=name)


def test_full_backward_hook_with_an_input_that_needs_no_grad():
    class Scale(nn.Module):
        def forward(self, x, factor):
            return x * factor

    seen = {}
    for lib in (minitorch, torch):
        module = Scale() if lib is minitorch else type("TorchScale", (torch.nn.Module,),
                                                       {"forward": lambda self, x, f: x * f})()
        records = []
        module.register_full_backward_hook(
            lambda mod, gi, go, records=records: records.append(
                [None if g is None else g.detach().numpy().copy() for g in gi]))
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        factor = lib.tensor([3.0, 4.0])
        module(x, factor).sum().backward()
        assert not factor.requires_grad
        seen[lib] = records
    (ours,), (theirs,) = seen[minitorch], seen[torch]
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):  # PyTorch reports zeros for the tensor needing no grad
        np.testing.assert_array_equal(a, b)


def test_reassigned_parameter_keeps_its_place_as_in_pytorch():
    def build(lib):
        m = lib.nn.Module()
        m.a = lib.nn.Parameter(lib.zeros(1))
        m.b = lib.nn.Parameter(lib.zeros(2))
        m.a = lib.nn.Parameter(lib.ones(3))          # again: a stays first
        m.c = lib.nn.Linear(1, 1)
        m.b = None                                   # a parameter slot set to None stays
        m.c = lib.nn.Linear(2, 2)                    # a module re-assigned keeps its place too
        return m
    ours, theirs = build(minitorch), build(torch)
    assert list(ours._parameters) == list(theirs._parameters)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
