"""Chapter 13's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes (made in the solution's own lines) fail with the input and
expected vs got."""
from minitorch.course import ch13 as check

from .learner import failed, mistaken, module

solution, stub = module("13", "solution"), module("13", "stub")


def test_softmax_cross_entropy():
    assert check.softmax_cross_entropy(solution.SoftmaxCrossEntropy)
    assert check.softmax_cross_entropy(stub.SoftmaxCrossEntropy).status == "unfinished"
    no_shift = mistaken("13", "shifted = z\n",
                        "shifted = z - z.max(axis=1, keepdims=True)          # exp cannot overflow\n")
    assert failed(check.softmax_cross_entropy(no_shift.SoftmaxCrossEntropy), "size ~300", "max")
    no_mean = mistaken("13", "", "        d_logits /= d_logits.shape[0]\n")
    assert failed(check.softmax_cross_entropy(no_mean.SoftmaxCrossEntropy), "gradient", "batch size")
    no_upstream = mistaken("13", "return minitorch.from_numpy(d_logits), None",
                           "return grad * minitorch.from_numpy(d_logits), None")
    assert failed(check.softmax_cross_entropy(no_upstream.SoftmaxCrossEntropy), "upstream gradient 2.5")


def test_linear_relu():
    assert check.linear_relu(solution.LinearReLU)
    assert check.linear_relu(stub.LinearReLU).status == "unfinished"
    no_mask = mistaken("13", "grad = grad\n", "grad = grad * (out > 0)                  # the ReLU: no gradient where it cut\n")
    assert failed(check.linear_relu(no_mask.LinearReLU), "gradient of x", "relu")
    transposed = mistaken("13", "grad @ weight, x.T @ grad,", "grad @ weight, grad.T @ x,")
    assert failed(check.linear_relu(transposed.LinearReLU), "square layer", "gradient of weight")
    bias_not_summed = mistaken("13", "grad.T @ x, grad\n", "grad.T @ x, grad.sum(0)\n")
    assert check.linear_relu(bias_not_summed.LinearReLU).status == "error"   # the engine refuses the shape


def test_saved_bytes():
    assert check.saved_bytes(solution.saved_bytes)
    assert check.saved_bytes(stub.saved_bytes).status == "unfinished"
    every_path = mistaken("13", "if node is None:", "if node is None or id(node) in seen:")
    assert failed(check.saved_bytes(every_path.saved_bytes), "three paths", "once")
    elements = mistaken("13", "total += saved.numel()\n",
                        "total += saved.numel() * saved.element_size()\n")
    assert failed(check.saved_bytes(elements.saved_bytes), "float32", "element_size")
