"""Chapter 07's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes fail with the input and expected vs got."""
import minitorch
from minitorch.course import ch07 as check

from .learner import failed, module

solution, stub = module("07", "solution"), module("07", "stub")


def test_collate():
    assert check.collate(solution.collate)
    assert check.collate(stub.collate).status == "unfinished"

    def labels_left_as_a_list(samples):
        xs, ys = zip(*samples)
        return minitorch.stack(list(xs)), list(ys)

    def batch_last(samples):          # stacked along the last dimension instead of the first
        return tuple(minitorch.stack(list(p), dim=-1) for p in zip(*samples))

    assert failed(check.collate(labels_left_as_a_list), "type of result 1", "Tensor")
    assert failed(check.collate(batch_last), "shape (3, 4, 5) instead of (5, 3, 4)")


def _loader_with(**methods):
    """The solution's SimpleLoader with some methods replaced by wrong ones."""
    return type("Wrong", (solution.SimpleLoader,), methods)


def test_simple_loader():
    assert check.simple_loader(solution.SimpleLoader)
    assert check.simple_loader(stub.SimpleLoader).status == "unfinished"

    def length_rounded_down(self):
        return len(self.dataset) // self.batch_size

    def batches(self, order, stop):
        for start in range(0, stop, self.batch_size):
            yield self.collate_fn([self.dataset[i] for i in order[start:start + self.batch_size]])

    def ignores_drop_last(self):
        minitorch.randint(0, 2**62, (), generator=self.generator)
        n = len(self.dataset)
        order = minitorch.randperm(n, generator=self.generator).tolist() if self.shuffle else range(n)
        return batches(self, list(order), n)

    def loses_the_last_batch(self):   # range(0, n - batch_size + 1, ...): off by one batch
        minitorch.randint(0, 2**62, (), generator=self.generator)
        n = len(self.dataset)
        order = minitorch.randperm(n, generator=self.generator).tolist() if self.shuffle else range(n)
        return batches(self, list(order), n - self.batch_size + 1)

    def global_generator(self):       # shuffles, but not from the loader's generator
        n = len(self.dataset)
        order = minitorch.randperm(n).tolist() if self.shuffle else range(n)
        return batches(self, list(order), n - n % self.batch_size if self.drop_last else n)

    def shuffled_once(self):          # the order of the first epoch, for ever
        if not hasattr(self, "order"):
            minitorch.randint(0, 2**62, (), generator=self.generator)
            n = len(self.dataset)
            self.order = (minitorch.randperm(n, generator=self.generator).tolist() if self.shuffle
                          else list(range(n)))
        n = len(self.dataset)
        return batches(self, self.order, n - n % self.batch_size if self.drop_last else n)

    assert failed(check.simple_loader(_loader_with(__len__=length_rounded_down)), "len(loader)")
    assert failed(check.simple_loader(_loader_with(__iter__=ignores_drop_last)), "drop_last = True")
    assert failed(check.simple_loader(_loader_with(__iter__=loses_the_last_batch)),
                  "drop_last = False")
    assert failed(check.simple_loader(_loader_with(__iter__=global_generator)),
                  "against minitorch's DataLoader", "self.generator")
    assert failed(check.simple_loader(_loader_with(__iter__=shuffled_once)), "second epoch")


def _train_epoch_without(skip=(), mean_of_batch_means=False):
    """The solution's loop, with steps left out."""
    def train_epoch(model, loader, optimizer, loss_fn):
        if "train" not in skip:
            model.train()
        losses, sizes = [], []
        for x, y in loader:
            loss = loss_fn(model(x), y)
            if "zero_grad" not in skip:
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            sizes.append(len(y))
        if mean_of_batch_means:
            return sum(losses) / len(losses)
        return sum(l * s for l, s in zip(losses, sizes)) / sum(sizes)
    return train_epoch


def test_train_epoch():
    assert check.train_epoch(solution.train_epoch)
    assert check.train_epoch(stub.train_epoch).status == "unfinished"
    assert failed(check.train_epoch(_train_epoch_without(skip=("zero_grad",))), "zero_grad",
                  "against PyTorch")
    assert failed(check.train_epoch(_train_epoch_without(mean_of_batch_means=True)),
                  "mean training loss")
    assert failed(check.train_epoch(_train_epoch_without(skip=("train",))), "eval mode",
                  "model.train()")


def _evaluate_with(eval_mode=True, no_grad=True, restore=True, mean_of_batch_means=False):
    def evaluate(model, loader, loss_fn):
        was_training = model.training
        if eval_mode:
            model.eval()
        losses, sizes, correct = [], [], 0
        with minitorch.set_grad_enabled(not no_grad):
            for x, y in loader:
                scores = model(x)
                losses.append(loss_fn(scores, y).item())
                sizes.append(len(y))
                correct += (scores.argmax(1) == y).sum().item()
        if restore:
            model.train(was_training)
        else:
            model.train()
        mean = (sum(losses) / len(losses) if mean_of_batch_means
                else sum(l * s for l, s in zip(losses, sizes)) / sum(sizes))
        return mean, correct / sum(sizes)
    return evaluate


def test_evaluate():
    assert check.evaluate(solution.evaluate)
    assert check.evaluate(stub.evaluate).status == "unfinished"
    assert check.evaluate(_evaluate_with())             # the wrong answers below differ only in one
    assert failed(check.evaluate(_evaluate_with(eval_mode=False)), "mean loss", "model.eval()")
    assert failed(check.evaluate(_evaluate_with(mean_of_batch_means=True)), "mean loss")
    assert failed(check.evaluate(_evaluate_with(no_grad=False)), "recorded", "no_grad")
    assert failed(check.evaluate(_evaluate_with(restore=False)), "for a model in eval mode")
