"""A public function's argument-type check written out as one expression (see argument_types.py).

The reference check (``ArgumentTypes.raise_if_wrong``) walks the function's list of
``(position, parameter, kind)`` and calls each kind's tests: about 0.3 us per argument, on
every call. Here the list is turned once, at the function's first call, into the source of
one function of identity tests, e.g. for ``transpose(input: Tensor, dim0: int, dim1: int)``:

    def quick_test(args, kwargs):
        n = len(args)
        return (isinstance((v := (args[0] if n > 0 else kwargs.get('input', default0))), Tensor)) \\
            and (type((v := (args[1] if n > 1 else kwargs.get('dim0', default1)))) is int) and ...

It answers True only where the precise check passes; where it is unsure (a NumPy integer, a
tuple of ints, a 0-d tensor for a number, an argument left out without a default) it answers
False, and the guard runs the precise check, which raises PyTorch's TypeError or lets the call
through. tests/test_argument_types.py holds the two to each other.
"""
from __future__ import annotations

import inspect

from ..runtime import argument_types
from ..tensor import Tensor
from ..types.dtypes import dtype

MISSING = object()  # an argument left out that has no default: the precise check decides

# annotation word -> an expression true only for values the word's precise test accepts
_QUICK = {
    "Tensor": "isinstance({v}, Tensor)",
    "int": "type({v}) is int",
    "Sequence[int]": "type({v}) is int",  # a tuple or list: the precise check looks inside
    "tuple[int, ...]": "type({v}) is int",
    "Sequence[Tensor]": "False",
    "float": "type({v}) is float or type({v}) is int",
    "Number": "type({v}) is float or type({v}) is int",
    "bool": "{v} is True or {v} is False",
    "str": "type({v}) is str",
    "dtype": "type({v}) is dtype",
    "device": "False",  # the precise check decides
    "None": "{v} is None",
}


def _test(kind, value: str) -> str:
    """The expression that is true when ``value`` (an expression) passes ``kind``'s quick test;
    the value is computed once, in the leftmost term, which always runs."""
    test = " or ".join(dict.fromkeys(_QUICK[word] for word in kind.words))
    if value.startswith("args[") and value.endswith("]"):  # a tuple item: cheaper to repeat
        return "(" + test.replace("{v}", value) + ")"
    return "(" + test.replace("{v}", f"(v := ({value}))", 1).replace("{v}", "v") + ")"


def _all(terms: list) -> str:
    return "False" if "False" in terms else " and ".join(terms) or "True"


def quick_test(types: argument_types.ArgumentTypes):
    """The generated test for ``types`` (the reference's ``quick_test`` returns the precise
    check itself). Positional calls without keywords, the usual kind, get a branch for each
    number of arguments, testing only the arguments given (a default that its own kind
    accepts needs no test); other calls take each argument from ``args`` or ``kwargs``."""
    if not types.checks and types.rest is None:
        return argument_types._nothing_to_check
    namespace = {"Tensor": Tensor, "dtype": dtype, "MISSING": MISSING}
    positional = [(index, kind, default) for index, _, kind, default in types.checks
                  if index is not None]
    last = max((index for index, _, _ in positional), default=-1)
    # a keyword-only argument left out takes its default: fine if its kind accepts it
    keyword_defaults_pass = all(default is not inspect.Parameter.empty and kind.accepts(default)
                                for index, _, kind, default in types.checks if index is None)
    # an annotated *shape: calls with up to 3 such arguments are written out, longer ones go
    # to the precise check
    top = last + 1 if types.rest is None else types.rest[0] + 4
    lines = ["def quick_test(args, kwargs, isinstance=isinstance, Tensor=Tensor, type=type):",
             "    n = len(args)", "    if not kwargs:"]
    for count in range(top + 1):
        terms = []
        for index, kind, default in positional:
            if index < count:
                terms.append(_test(kind, f"args[{index}]"))
            elif default is inspect.Parameter.empty or not kind.accepts(default):
                terms.append("False")  # left out: the precise check (or Python) decides
        if types.rest is not None:
            rest_index, _, rest_kind = types.rest
            terms += [_test(rest_kind, f"args[{i}]") for i in range(rest_index, count)]
            if count == top:
                terms.append("False")
        test = _all(terms) if keyword_defaults_pass else "False"
        lines.append(f"        if n {'==' if count < top else '>='} {count}: return {test}")
    terms = [] if types.rest is None else [f"n <= {types.rest[0]}"]
    for number, (index, parameter, kind, default) in enumerate(types.checks):
        namespace[f"default{number}"] = MISSING if default is inspect.Parameter.empty else default
        given = f"kwargs.get({parameter!r}, default{number})"
        terms.append(_test(kind, given if index is None else f"args[{index}] if n > {index} else {given}"))
    lines.append(f"    return {_all(terms)}")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<argument types of {types.name}>", "exec"), namespace)  # noqa: S102
    namespace["quick_test"].source = source
    return namespace["quick_test"]
