"""Checks for chapter 07: training on real data.

The learner's collate and loader are compared with minitorch's ``default_collate`` and
``DataLoader`` (the same batches, shuffled or not); the training epoch with the same epoch
run in PyTorch from the same weights; the evaluation with PyTorch's eval-mode answer.
"""
from __future__ import annotations

import numpy as np

from .checking import pytorch as _torch, run


def _minitorch():
    import minitorch
    return minitorch


def collate(fn):
    """``fn(samples)`` stacks each position of the sample tuples along a new first dim."""
    mt, torch = _minitorch(), _torch()
    from minitorch.utils.data import default_collate
    rng = np.random.default_rng(0)
    images = [rng.standard_normal((3, 4)).astype(np.float32) for _ in range(5)]
    cases_ = [  # (description, samples)
        ("5 samples (image of shape (3, 4), label)",
         [(mt.tensor(image), mt.tensor(label)) for label, image in enumerate(images)]),
        ("4 samples (vector of 2, float64 vector of 3, 0-d label)",
         [(mt.tensor(rng.standard_normal(2).astype(np.float32)), mt.tensor(rng.standard_normal(3)),
           mt.tensor(i)) for i in range(4)]),
        ("1 sample (image of shape (3, 4), label)", [(mt.tensor(images[0]), mt.tensor(7))]),
    ]

    def cases(expect):
        for text, samples in cases_:
            got = fn(samples)
            expected = default_collate(samples)
            expect.equal(f"{text}: the number of tensors returned",
                         len(got) if isinstance(got, (tuple, list)) else type(got).__name__,
                         len(expected), hint="return one tensor per position of the tuples")
            for i, item in enumerate(got):
                expect.equal(f"{text}: the type of result {i}", type(item).__name__, "Tensor",
                             hint="stack every position, the labels too, with minitorch.stack")
            expect.close(text, got, expected, check_dtype=True)
        first = [(torch.tensor(x.numpy()), torch.tensor(y.numpy())) for x, y in cases_[0][1]]
        expect.close(f"{cases_[0][0]}, against PyTorch's default_collate", fn(cases_[0][1]),
                     torch.utils.data.default_collate(first), check_dtype=True)
    return run("collate", cases, hint="minitorch.stack(tensors) stacks along a new first "
                                      "dimension (dim=0): the batch comes first")


def _numbered_dataset(n):
    """Sample i is (features [2i, 2i+1], label i): the labels of a batch show its indices."""
    mt = _minitorch()
    return mt.utils.data.TensorDataset(mt.arange(2.0 * n).reshape(n, 2), mt.arange(n))


def _stack_samples(samples):
    mt = _minitorch()
    return tuple(mt.stack(list(position)) for position in zip(*samples))


def _indices(batches):
    return [y.tolist() for _, y in batches]


def simple_loader(Loader):
    """``Loader(dataset, batch_size, shuffle, drop_last, generator, collate_fn)``: its length
    and batches, against minitorch's DataLoader, in order and shuffled."""
    mt = _minitorch()
    DataLoader = mt.utils.data.DataLoader

    def loader(n, batch_size, shuffle=False, drop_last=False, seed=None):
        generator = None if seed is None else mt.Generator().manual_seed(seed)
        return Loader(_numbered_dataset(n), batch_size, shuffle=shuffle, drop_last=drop_last,
                      generator=generator, collate_fn=_stack_samples)

    def cases(expect):
        for n, size, drop_last in [(10, 3, False), (10, 3, True), (9, 3, False), (9, 3, True),
                                   (5, 8, False), (5, 8, True)]:
            text = f"n = {n}, batch_size = {size}, drop_last = {drop_last}"
            expected = _indices(DataLoader(_numbered_dataset(n), size, drop_last=drop_last))
            expect.equal(f"len(loader) with {text}", len(loader(n, size, drop_last=drop_last)),
                         len(expected), hint="a last, shorter batch counts unless drop_last")
            batches = list(loader(n, size, drop_last=drop_last))
            expect.equal(f"the batches' indices (labels) with {text}, no shuffle", _indices(batches),
                         expected, hint="consecutive slices of batch_size indices; the last one is "
                                        "shorter, or dropped when drop_last")
            if batches:
                expect.close(f"the first batch's features with {text}", batches[0],
                             next(iter(DataLoader(_numbered_dataset(n), size, drop_last=drop_last,
                                                  collate_fn=_stack_samples))))
        for drop_last in (False, True):
            text = f"n = 10, batch_size = 3, shuffle = True, drop_last = {drop_last}"
            order = sum(_indices(loader(10, 3, True, drop_last, seed=0)), [])
            expect.equal(f"the indices of one epoch, sorted, with {text}", sorted(order),
                         sorted(set(order)) if drop_last else list(range(10)),
                         hint="each index exactly once per epoch: shuffle a permutation of "
                              "0..n-1, then cut it into batches")
            expect.equal(f"the number of indices in one epoch with {text}", len(order),
                         9 if drop_last else 10)
        shuffled = loader(10, 3, True, seed=5)
        expect.equal("the first epoch of a shuffled loader (n = 10, batch_size = 3, generator "
                     "seeded with 5), against minitorch's DataLoader", _indices(shuffled),
                     _indices(DataLoader(_numbered_dataset(10), 3, shuffle=True,
                                         generator=mt.Generator().manual_seed(5))),
                     hint="in __iter__, after the worker-seed line, take the order from "
                          "minitorch.randperm(n, generator=self.generator)")
        second = sum(_indices(shuffled), [])
        expect.equal("the second epoch of that loader repeats the first one's order",
                     second == sum(_indices(loader(10, 3, True, seed=5)), []), False,
                     hint="draw a new permutation at the start of every epoch (in __iter__, not "
                          "in __init__)")
        again = loader(10, 3, True, seed=5)
        expect.equal("the second epoch of a second loader seeded with 5 (the same seed gives the "
                     "same epochs)", [sum(_indices(again), []) for _ in range(2)][1], second,
                     hint="draw from self.generator, not from the global generator")
    return run("SimpleLoader", cases)


def _mlp(dropout=0.0):
    mt = _minitorch()
    mt.manual_seed(0)
    return mt.nn.Sequential(mt.nn.Linear(6, 8), mt.nn.ReLU(), mt.nn.Dropout(dropout),
                            mt.nn.Linear(8, 3))


def _torch_copy(model):
    torch = _torch()
    copy = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Identity(),
                               torch.nn.Linear(8, 3))
    copy.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    return copy


def _data(n=10):
    """n examples of 6 features and 3 classes, and a loader of batches of 4, 4, 2 (unequal,
    so that a mean of the batch means differs from the mean over examples)."""
    mt = _minitorch()
    rng = np.random.default_rng(1)
    x = mt.tensor(rng.standard_normal((n, 6)).astype(np.float32))
    y = mt.tensor(rng.integers(0, 3, n))
    return x, y, mt.utils.data.DataLoader(mt.utils.data.TensorDataset(x, y), 4)


def train_epoch(fn):
    """``fn(model, loader, optimizer, loss_fn)``: after one epoch the weights and the mean loss
    equal PyTorch's (SGD with momentum), and a model left in eval mode trains with dropout."""
    mt, torch = _minitorch(), _torch()
    x, y, loader = _data()

    def cases(expect):
        model = _mlp()
        real = _torch_copy(model)
        optimizer = mt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        # PyTorch's SGD update written out (torch.optim's first step costs seconds of imports)
        velocities = [torch.zeros_like(p) for p in real.parameters()]
        losses = []
        for xb, yb in loader:
            loss = torch.nn.functional.cross_entropy(real(torch.tensor(xb.numpy())),
                                                     torch.tensor(yb.numpy()))
            grads = torch.autograd.grad(loss, list(real.parameters()))
            with torch.no_grad():
                for p, v, g in zip(real.parameters(), velocities, grads):
                    v.mul_(0.9).add_(g)
                    p.sub_(0.1 * v)
            losses.append(loss.item() * len(yb))
        mean_loss = fn(model, loader, optimizer, mt.nn.functional.cross_entropy)
        text = "one epoch of SGD(lr=0.1, momentum=0.9) on 10 examples in batches of 4, 4, 2"
        for (name, ours), theirs in zip(model.named_parameters(), real.parameters()):
            expect.close(f"{text}: {name} afterwards (against PyTorch)", ours.detach(),
                         theirs.detach(), rtol=1e-4, atol=1e-6,
                         hint="per batch: forward, loss, optimizer.zero_grad(), loss.backward(), "
                              "optimizer.step() (without zero_grad the gradients accumulate)")
        expect.close(f"{text}: the mean training loss returned", mean_loss, sum(losses) / len(x),
                     rtol=1e-5, hint="weight each batch's mean loss by its size and divide by "
                                     "the number of examples")

        def with_dropout(train):
            model = _mlp(dropout=0.5)
            model.eval()                       # as an evaluation may have left it
            optimizer = mt.optim.SGD(model.parameters(), lr=0.1)
            mt.manual_seed(3)                  # the same dropout masks in both runs
            train(model, optimizer)
            return model[0].weight.detach()

        def reference(model, optimizer):
            model.train()
            for xb, yb in loader:
                loss = mt.nn.functional.cross_entropy(model(xb), yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

        expect.close("a model with Dropout(0.5), left in eval mode before the epoch: its first "
                     "layer's weight afterwards",
                     with_dropout(lambda m, o: fn(m, loader, o, mt.nn.functional.cross_entropy)),
                     with_dropout(reference), rtol=1e-5, atol=1e-7,
                     hint="call model.train() first: in eval mode dropout does nothing")
    return run("train_epoch", cases)


class _Recorder:
    """Wraps a model and notes, at every forward, whether recording was on and the mode."""

    def __init__(self, model):
        self.model, self.seen = model, []

    def __call__(self, x):
        mt = _minitorch()
        self.seen.append((mt.is_grad_enabled(), self.model.training))
        return self.model(x)

    def __getattr__(self, name):     # train(), eval(), training, parameters()... of the model
        return getattr(self.model, name)


def evaluate(fn):
    """``fn(model, loader, loss_fn)`` gives PyTorch's eval-mode loss and accuracy, records
    nothing, and leaves the model in the mode it found it in."""
    mt, torch = _minitorch(), _torch()
    x, y, loader = _data()
    loss_fn = mt.nn.functional.cross_entropy

    def cases(expect):
        model = _mlp(dropout=0.5)
        real = _torch_copy(model).eval()
        with torch.no_grad():
            scores = real(torch.tensor(x.numpy()))
            labels = torch.tensor(y.numpy())
            loss = torch.nn.functional.cross_entropy(scores, labels).item()
            accuracy = (scores.argmax(1) == labels).double().mean().item()
        recorder = _Recorder(model)
        got = fn(recorder, loader, loss_fn)
        text = "a model with Dropout(0.5) on 10 examples in batches of 4, 4, 2"
        expect.equal(f"{text}: what evaluate returns",
                     len(got) if isinstance(got, tuple) else type(got).__name__, 2,
                     hint="return a tuple (mean loss, accuracy)")
        expect.close(f"{text}: the mean loss (against PyTorch, eval mode)", got[0], loss, rtol=1e-5,
                     hint="call model.eval() (dropout off), and weight each batch's mean loss by "
                          "its size")
        expect.close(f"{text}: the accuracy (against PyTorch)", got[1], accuracy, rtol=1e-6,
                     hint="count the examples whose largest score is at the label's position, "
                          "over all batches, and divide by the number of examples")
        expect.equal(f"{text}: was the graph recorded during the forward passes",
                     any(recording for recording, _ in recorder.seen), False,
                     hint="run the batches inside `with minitorch.no_grad():`")
        expect.equal(f"{text}: model.training after evaluate, for a model in training mode",
                     model.training, True,
                     hint="put the mode back: model.train(was_training)")
        model.eval()
        fn(model, loader, loss_fn)
        expect.equal(f"{text}: model.training after evaluate, for a model in eval mode",
                     model.training, False,
                     hint="restore the mode the model was in (model.train(was_training)), "
                          "not always training mode")
    return run("evaluate", cases)
