"""Chapter 10's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes in the embedding's backward, the RNN cell, the LSTM cell and
the sampling loop fail with the input and expected vs got."""
import minitorch
from minitorch.course import ch10 as check

from .learner import failed, module

solution, stub = module("10", "solution"), module("10", "stub")


def _embedding_with(backward):
    """The solution's EmbeddingFunction with another backward."""
    return type("WrongEmbedding", (solution.EmbeddingFunction,),
                {"backward": staticmethod(backward)})


def test_embedding():
    assert check.embedding(solution.EmbeddingFunction)
    assert check.embedding(stub.EmbeddingFunction).status == "unfinished"

    def overwrites_repeated_rows(ctx, grad):
        (tokens,) = ctx.saved_tensors
        grad_weight = minitorch.zeros(ctx.vocabulary_size, grad.shape[-1], dtype=grad.dtype)
        grad_weight[tokens.reshape(-1)] = grad.reshape(-1, grad.shape[-1])
        return grad_weight, None

    def one_dimensional_only(ctx, grad):
        (tokens,) = ctx.saved_tensors
        grad_weight = minitorch.zeros(ctx.vocabulary_size, grad.shape[-1], dtype=grad.dtype)
        grad_weight.index_add_(0, tokens, grad)
        return grad_weight, None

    assert failed(check.embedding(_embedding_with(overwrites_repeated_rows)),
                  "tokens [0, 2, 2, 5]", "*add*")
    verdict = check.embedding(_embedding_with(one_dimensional_only))    # 2-D tokens: no match
    assert verdict.status == "error" and "index_add_" in verdict.message


def test_rnn_cell():
    assert check.rnn_cell(solution.rnn_cell)
    assert check.rnn_cell(stub.rnn_cell).status == "unfinished"

    def no_transpose(x, h, w_ih, w_hh, b_ih, b_hh):
        return (x @ w_ih + b_ih + h @ w_hh + b_hh).tanh()

    def forgets_b_hh(x, h, w_ih, w_hh, b_ih, b_hh):
        return (x @ w_ih.t() + b_ih + h @ w_hh.t()).tanh()

    def sigmoid_instead_of_tanh(x, h, w_ih, w_hh, b_ih, b_hh):
        return (x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh).sigmoid()

    assert failed(check.rnn_cell(no_transpose), "x (3, 4), hidden size 4", "transposes")
    assert failed(check.rnn_cell(forgets_b_hh), "h'")
    assert failed(check.rnn_cell(sigmoid_instead_of_tanh), "tanh")


def _lstm_cell(order="ifgo", new_c_in_h=True):
    """An LSTM cell with the gates taken in ``order`` and h made from the new or the old c."""
    def cell(x, state, w_ih, w_hh, b_ih, b_hh):
        h, c = state
        gates = dict(zip(order, (x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh).chunk(4, dim=1)))
        c_next = gates["f"].sigmoid() * c + gates["i"].sigmoid() * gates["g"].tanh()
        return gates["o"].sigmoid() * (c_next if new_c_in_h else c).tanh(), c_next
    return cell


def test_lstm_cell():
    assert check.lstm_cell(solution.lstm_cell)
    assert check.lstm_cell(_lstm_cell())                 # the helper itself is right
    assert check.lstm_cell(stub.lstm_cell).status == "unfinished"
    assert failed(check.lstm_cell(_lstm_cell(order="ifog")), "c'", "i, f, g, o")
    assert failed(check.lstm_cell(_lstm_cell(order="fiog")), "c'", "chunk(4, dim=1)")
    assert failed(check.lstm_cell(_lstm_cell(new_c_in_h=False)), "h'", "new cell state")

    def returns_c_first(*args):
        h, c = solution.lstm_cell(*args)
        return c, h
    assert failed(check.lstm_cell(returns_c_first), "c'")

    def returns_h_only(*args):
        return solution.lstm_cell(*args)[0]
    assert failed(check.lstm_cell(returns_h_only), "what it returns", "pair")


def _sampler(feed_state=True, greedy=False, keep_dot=False, steps_less=0):
    """The reference loop with one thing done wrong."""
    def sample(model, vocabulary, generator, max_length=12):
        token, state, name = minitorch.tensor([[0]]), None, ""
        with minitorch.no_grad():
            for _ in range(max_length - steps_less):
                scores, new_state = model(token, state)
                state = new_state if feed_state else None
                probabilities = scores[0, -1].softmax(0)
                if greedy:
                    next_id = probabilities.argmax().item()
                else:
                    next_id = minitorch.multinomial(probabilities, 1, generator=generator).item()
                if keep_dot:
                    name += vocabulary[next_id]
                if next_id == 0:
                    break
                if not keep_dot:
                    name += vocabulary[next_id]
                token = minitorch.tensor([[next_id]])
        return name
    return sample


def test_sample():
    assert check.sample(solution.sample)
    assert check.sample(_sampler())                      # the helper itself is right
    assert check.sample(stub.sample).status == "unfinished"
    assert failed(check.sample(_sampler(feed_state=False)), "minitorch", "state")
    assert failed(check.sample(_sampler(greedy=True)), "bigram", "multinomial")
    assert failed(check.sample(_sampler(keep_dot=True)), "without adding it")
    assert failed(check.sample(_sampler(steps_less=1)), "max_length=5")
