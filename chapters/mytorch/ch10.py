"""Chapter 10 of your framework: the cells marked #@save, as you last ran them."""


#@save
import minitorch


class EmbeddingFunction(minitorch.autograd.Function):
    """Rows of weight (V, D) picked by integer tokens of any shape: out[..., :] = weight[token]."""

    @staticmethod
    def forward(ctx, weight, tokens):
        ctx.save_for_backward(tokens)
        ctx.vocabulary_size = weight.shape[0]
        return weight[tokens]

    @staticmethod
    def backward(ctx, grad):
        (tokens,) = ctx.saved_tensors
        ### BEGIN SOLUTION
        size = grad.shape[-1]
        grad_weight = minitorch.zeros(ctx.vocabulary_size, size, dtype=grad.dtype)
        grad_weight.index_add_(0, tokens.reshape(-1), grad.reshape(-1, size))
        ### END SOLUTION
        return grad_weight, None


#@save
def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """One step of a tanh RNN: the new state (N, H) from x (N, D) and h (N, H), with PyTorch's
    weights w_ih (H, D), w_hh (H, H), b_ih (H,), b_hh (H,)."""
    ### BEGIN SOLUTION
    return (x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh).tanh()
    ### END SOLUTION


#@save
def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    """One LSTM step: the new (h, c), each (N, H), from x (N, D) and state = (h, c), with
    PyTorch's weights w_ih (4H, D), w_hh (4H, H), b_ih (4H,), b_hh (4H,), gates i, f, g, o."""
    h, c = state
    ### BEGIN SOLUTION
    gates = x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh
    i, f, g, o = gates.chunk(4, dim=1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    ### END SOLUTION
    return h, c


#@save
import minitorch


def sample(model, vocabulary, generator, max_length=12):
    """A name drawn from model one character at a time: start from token 0 ('.'), draw each
    next token from softmax(scores), stop at '.' (not included) or after max_length characters."""
    name = ""
    with minitorch.no_grad():
        ### BEGIN SOLUTION
        token, state = minitorch.tensor([[0]]), None
        for _ in range(max_length):
            scores, state = model(token, state)
            probabilities = scores[0, -1].softmax(0)
            next_id = minitorch.multinomial(probabilities, 1, generator=generator).item()
            if next_id == 0:
                break
            name += vocabulary[next_id]
            token = minitorch.tensor([[next_id]])
        ### END SOLUTION
    return name
