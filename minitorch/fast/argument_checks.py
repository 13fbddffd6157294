"""A public function's argument-type check written out as one expression (see argument_types.py).

The reference check (``ArgumentTypes.parse``) walks the function's list of
``(position, parameter, kind)`` and calls each kind's tests and conversions: about 1-3 us a
call, on every call. Here the list is turned once, at the function's first call, into the
source of one function of identity tests, e.g. for
``transpose(input: Tensor, dim0: int, dim1: int)``:

    def quick_test(args, kwargs, isinstance=isinstance, Tensor=Tensor, type=type):
        n = len(args)
        if not kwargs:  # the usual call: one branch for each number of arguments
            ...
            if n >= 3: return (isinstance(args[0], Tensor)) and (type(args[1]) is int) and ...
        return ((isinstance(args[0], Tensor)) if n > 0 else ((isinstance(kwargs['input'], Tensor))
                if 'input' in kwargs else True)) and ...

It answers True only where ``parse`` would pass every argument through unchanged; where it is
unsure (a NumPy integer, a tuple of ints, a 0-d tensor for a number) it answers False, and the
guard runs ``parse``, which raises PyTorch's TypeError or converts the arguments. tests/test_argument_types.py holds the two to each other.
"""
from __future__ import annotations

from ..runtime import argument_types
from ..tensor import Tensor
from ..types.dtypes import dtype

# annotation word -> an expression true only for values the word's parse passes unchanged
_QUICK = {
    "Tensor": "isinstance({v}, Tensor)",
    "int": "type({v}) is int",
    # a tuple of Python ints passes unchanged (a list or anything else: parse looks inside)
    "Sequence[int]": "(type({v}) is tuple and all([type(i) is int for i in {v}]))",
    "Sequence[Tensor]": "False",
    "float": "type({v}) is float or type({v}) is int",
    "Number": "type({v}) is float or type({v}) is int",
    "bool": "{v} is True or {v} is False",
    "str": "type({v}) is str",
    "dtype": "type({v}) is dtype",
    "device": "False",  # parse decides
    "Generator": "False",
    "None": "{v} is None",
}


def _test(kind, value: str) -> str:
    """The expression that is true when ``value`` (``args[1]``, ``kwargs['dim']``) passes
    ``kind``'s quick test."""
    words = list(kind.words)
    if "Tensor" in words and words.index("Tensor") > 0:  # parse may turn a tensor into a
        words.remove("Tensor")                           # number first: let it decide
    tests = dict.fromkeys(_QUICK[word] for word in words)  # (in order, without repeats)
    tests = [test for test in tests if test != "False"] or ["False"]
    return "(" + " or ".join(tests).replace("{v}", value) + ")"


def _all(terms: list) -> str:
    return "False" if "False" in terms else " and ".join(terms) or "True"


def quick_test(types: argument_types.ArgumentTypes):
    """The generated test for ``types`` (the reference's ``quick_test`` is never sure).

    Positional calls without keywords, the usual kind, get a branch for each number of
    arguments, testing only the arguments given; other calls take each argument from ``args``
    or ``kwargs``."""
    if not types.checks and types.rest is None:
        return argument_types._nothing_to_check
    namespace = {"Tensor": Tensor, "dtype": dtype}
    positional = [(index, kind) for index, _, kind, _ in types.checks if index is not None]
    last = max((index for index, _ in positional), default=-1)
    # an annotated *shape: calls with up to 6 such arguments are written out, longer ones go
    # to parse, and so do the calls parse refuses for their count (no sizes, or more than the
    # one tuple a function takes)
    top = last + 1 if types.rest is None else types.rest[0] + 7
    lines = ["def quick_test(args, kwargs, isinstance=isinstance, Tensor=Tensor, type=type):",
             "    n = len(args)", "    if not kwargs:"]
    for count in range(top + 1):
        # an argument left out is not checked (its default applies, or Python says it is missing)
        terms = [_test(kind, f"args[{index}]") for index, kind in positional if index < count]
        if types.rest is not None:
            rest_index, _, rest_kind = types.rest
            terms += [_test(rest_kind, f"args[{i}]") for i in range(rest_index, count)]
            no_sizes = types.sizes and count <= rest_index
            one_tuple = types.sizes and types.first_position == 1 and count > rest_index + 1
            if count == top or no_sizes or one_tuple:
                terms.append("False")
        lines.append(f"        if n {'==' if count < top else '>='} {count}: return {_all(terms)}")
    terms = [] if types.rest is None else [f"n <= {types.rest[0]}"]
    for index, parameter, kind, _ in types.checks:
        given = f"({_test(kind, f'kwargs[{parameter!r}]')} if {parameter!r} in kwargs else True)"
        if index is not None:
            given = f"({_test(kind, f'args[{index}]')} if n > {index} else {given})"
        terms.append(given)
    lines.append(f"    return {_all(terms)}")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<argument types of {types.name}>", "exec"), namespace)  # noqa: S102
    namespace["quick_test"].source = source
    return namespace["quick_test"]
