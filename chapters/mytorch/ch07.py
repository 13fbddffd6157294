"""Chapter 07 of your framework: the cells marked #@save, as you last ran them."""


#@save
import minitorch


def collate(samples):
    """[(x0, y0), (x1, y1), ...] -> (stack of the x's, stack of the y's): one tensor per
    position of the tuples, with the batch as its new first dimension."""
    ### BEGIN SOLUTION
    return tuple(minitorch.stack(list(position)) for position in zip(*samples))
    ### END SOLUTION


#@save
import minitorch


class SimpleLoader:
    """Batches of a map-style dataset, optionally shuffled every epoch (minitorch's DataLoader
    with one process and the most common options)."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None,
                 collate_fn=collate):
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last = shuffle, drop_last
        self.generator, self.collate_fn = generator, collate_fn

    def __len__(self):
        """The number of batches in one epoch."""
        n = len(self.dataset)
        ### BEGIN SOLUTION
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        ### END SOLUTION

    def __iter__(self):
        """One epoch: collated batches of the dataset, in order or in a fresh random order."""
        n = len(self.dataset)
        # DataLoader (minitorch's and PyTorch's) first draws a seed for its worker processes,
        # even when there are none; drawing it too keeps our shuffle in step with theirs.
        minitorch.randint(0, 2**62, (), generator=self.generator)
        ### BEGIN SOLUTION
        order = (minitorch.randperm(n, generator=self.generator).tolist() if self.shuffle
                 else list(range(n)))
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            batch = order[start:start + self.batch_size]
            yield self.collate_fn([self.dataset[i] for i in batch])
        ### END SOLUTION


#@save
def train_epoch(model, loader, optimizer, loss_fn):
    """One pass over loader, one optimizer step per batch (x, y); returns the mean training
    loss per example, as a float (loss_fn gives a batch's mean loss)."""
    ### BEGIN SOLUTION
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / count
    ### END SOLUTION


#@save
import minitorch


def evaluate(model, loader, loss_fn):
    """(mean loss per example, accuracy) of model on loader's batches (x, y), computed in
    eval mode without recording; the model's train/eval mode is restored afterwards."""
    was_training = model.training
    ### BEGIN SOLUTION
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with minitorch.no_grad():
        for x, y in loader:
            scores = model(x)
            total_loss += loss_fn(scores, y).item() * len(y)
            correct += (scores.argmax(1) == y).sum().item()
            count += len(y)
    model.train(was_training)
    return total_loss / count, correct / count
    ### END SOLUTION
