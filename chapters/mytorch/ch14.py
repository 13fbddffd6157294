"""Chapter 14 of your framework: the cells marked #@save, as you last ran them."""


#@save
import math

import minitorch
from minitorch.nn import Parameter
from mytorch.ch05 import Linear, TinyModule
from mytorch.ch08 import Conv2dFunction


class Conv2d(TinyModule):
    """nn.Conv2d's parameters and initialisation: weight (out_channels, in_channels, k, k),
    then bias (out_channels,), both uniform in ±1/sqrt(in_channels * k * k). forward(x) is your
    Conv2dFunction with this layer's weight, bias, stride and padding."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.stride, self.padding = stride, padding
        ### BEGIN SOLUTION
        bound = 1 / math.sqrt(in_channels * kernel_size * kernel_size)
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = Parameter(minitorch.empty(*shape).uniform_(-bound, bound))
        self.bias = Parameter(minitorch.empty(out_channels).uniform_(-bound, bound))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return Conv2dFunction.apply(x, self.weight, self.bias, self.stride, self.padding)
        ### END SOLUTION


#@save
from mytorch.ch05 import TinyModule


class MaxPool2d(TinyModule):
    """x (N, C, H, W) -> (N, C, H // k, W // k): the maximum of each k x k window, windows side
    by side (stride k); rows and columns that do not fill a window are dropped."""

    def __init__(self, kernel_size):
        super().__init__()
        self.kernel_size = kernel_size

    def forward(self, x):
        n, c, h, w = x.shape
        k = self.kernel_size
        ### BEGIN SOLUTION
        x = x[:, :, :h // k * k, :w // k * k]
        windows = x.reshape(n, c, h // k, k, w // k, k).permute(0, 1, 2, 4, 3, 5)
        return windows.reshape(n, c, h // k, w // k, k * k).max(dim=-1).values
        ### END SOLUTION


class ReLU(TinyModule):
    def forward(self, x):
        return x.relu()


class Flatten(TinyModule):
    """(N, ...) -> (N, everything else), like nn.Flatten()."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)


#@save
from mytorch.ch05 import TinyModule


class Sequential(TinyModule):
    """Layers applied in order: layer i is registered as the sub-module named str(i), like
    nn.Sequential's "0", "1", ...; forward feeds each layer's output to the next."""

    def __init__(self, *layers):
        super().__init__()
        ### BEGIN SOLUTION
        for i, layer in enumerate(layers):
            setattr(self, str(i), layer)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        for layer in self._modules.values():
            x = layer(x)
        return x
        ### END SOLUTION

    training = True

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)


#@save
import minitorch
from minitorch import nn
from mytorch.ch11 import TransformerBlock


class GPT(nn.Module):
    """tokens (N, T) -> logits (N, T, vocab): token embeddings + position embeddings (0..T-1),
    then each of `layers` TransformerBlock(d_model, heads, 4 * d_model) with the causal mask,
    a final LayerNorm, and a Linear head. Attributes: tokens, positions, blocks (a ModuleList),
    norm, head."""

    def __init__(self, vocab, d_model, heads, layers, context):
        super().__init__()
        ### BEGIN SOLUTION
        self.tokens = nn.Embedding(vocab, d_model)
        self.positions = nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList([TransformerBlock(d_model, heads, 4 * d_model)
                                     for _ in range(layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)
        ### END SOLUTION

    def forward(self, tokens):
        ### BEGIN SOLUTION
        h = self.tokens(tokens) + self.positions(minitorch.arange(tokens.shape[1]))
        for block in self.blocks:
            h = block(h, causal=True)
        return self.head(self.norm(h))
        ### END SOLUTION


#@save
import minitorch


def generate(model, vocabulary, generator, context, max_length=12):
    """A name drawn from model one character at a time: from the tokens [0] ('.'), run model on
    the last `context` tokens, draw the next token from the softmax of the last position's
    logits with minitorch.multinomial(..., 1, generator=generator), append it; stop at '.'
    (not part of the name) or after max_length characters."""
    tokens, name = [0], ""
    with minitorch.no_grad():
        ### BEGIN SOLUTION
        for _ in range(max_length):
            logits = model(minitorch.tensor([tokens[-context:]]))
            probabilities = logits[0, -1].softmax(0)
            next_id = minitorch.multinomial(probabilities, 1, generator=generator).item()
            if next_id == 0:
                break
            name += vocabulary[next_id]
            tokens.append(next_id)
        ### END SOLUTION
    return name
