"""Chapter 15's checks tell right from wrong: the solution passes, the stub is reported
unfinished, and typical mistakes (made in the solution's own lines) fail with the input and
expected vs got."""
from minitorch.course import ch15 as check

from .learner import failed, mistaken, module

solution, stub = module("15", "solution"), module("15", "stub")


def test_traced_array():
    assert check.traced_array(solution.Tape)
    assert check.traced_array(stub.Tape).status == "unfinished"
    returns_plain = mistaken("15", "return result\n", "return self.tape.array(result, output)\n")
    assert failed(check.traced_array(returns_plain.Tape), "a * b + c", "TracedArray")
    no_method = mistaken("15", "operation = ufunc.__name__\n",
                         'operation = ufunc.__name__ if method == "__call__" else '
                         'f"{ufunc.__name__}.{method}"\n')
    assert failed(check.traced_array(no_method.Tape), "reduction", "method='reduce'")
    self_first = mistaken("15", "names = (self.name,) + tuple(x.name if isinstance(x, TracedArray) else "
                                "repr(x) for x in inputs if x is not self)\n",
                          "names = tuple(x.name if isinstance(x, TracedArray) else repr(x) "
                          "for x in inputs)\n")
    assert failed(check.traced_array(self_first.Tape), "2.0 - a", "order")
    # calling the ufunc on the TracedArrays themselves calls __array_ufunc__ again
    recursing = mistaken("15", "result = getattr(ufunc, method)(*inputs, **kwargs)",
                         "result = getattr(ufunc, method)(*plain, **kwargs)")
    verdict = check.traced_array(recursing.Tape)
    assert verdict.status == "error" and "RecursionError" in verdict.message
    assert "np.asarray" in verdict.message
    constant_named = mistaken("15", "names = tuple(x.name for x in inputs)\n",
                              "names = tuple(x.name if isinstance(x, TracedArray) else repr(x) "
                              "for x in inputs)\n")
    verdict = check.traced_array(constant_named.Tape)
    assert verdict.status == "error" and "AttributeError" in verdict.message


def test_live_lines():
    assert check.live_lines(solution.live_lines)
    assert check.live_lines(stub.live_lines).status == "unfinished"
    ignores_writes = mistaken("15", "if target in needed:", "if target in needed or writes in needed:")
    assert failed(check.live_lines(ignores_writes.live_lines), "SGD step", "w after the kept lines")
    every_write = mistaken("15", "if target in needed or writes is not None:",
                           "if target in needed or writes in needed:")
    assert failed(check.live_lines(every_write.live_lines), "buffer filled in place that nothing reads",
                  "no later line reads")
    unordered = mistaken("15", "", "    kept.reverse()\n")
    assert failed(check.live_lines(unordered.live_lines), "program's order")
    inputs_of_reads_only = mistaken("15", "needed.update(inputs if target else ())",
                                    "needed.update(inputs)")
    assert failed(check.live_lines(inputs_of_reads_only.live_lines), "SGD step",
                  "before any kept line makes them")
    # walking forward: keep a line when any later line reads it (dropped or not)
    forward = mistaken("15", "return [line for i, line in enumerate(lines) if line[0] in outputs "
                             "or line[3] is not None or any(line[0] in later[2] "
                             "for later in lines[i + 1:])]\n",
                       "needed = set(outputs)\n")
    assert failed(check.live_lines(forward.live_lines), "dead branch of two lines", "walking backward")
