"""One source, two versions: a chapter keeps its solutions between nbgrader's markers, and the
learner's notebook gets a stub in their place.

    def central_difference(f, x, h=1e-5):
        ### BEGIN SOLUTION
        return (f(x + h) - f(x - h)) / (2 * h)
        ### END SOLUTION

becomes, in ``exercises/``::

    def central_difference(f, x, h=1e-5):
        # YOUR CODE HERE
        raise NotImplementedError()

These are nbgrader's markers and stubs, so the chapters could be fed to nbgrader itself; the
course only needs this one transformation, not nbgrader's server and database.
"""
from __future__ import annotations

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
ANSWER_STUB = ("YOUR ANSWER HERE",)


def strip_solutions(source: str, stub: tuple = CODE_STUB) -> str:
    """``source`` with every solution region replaced by ``stub``, indented like its marker."""
    out, inside = [], False
    for number, line in enumerate(source.splitlines(), 1):
        if BEGIN in line:
            if inside:
                raise ValueError(f"line {number}: {BEGIN!r} inside another solution region")
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            out.extend(indent + stub_line for stub_line in stub)
        elif END in line:
            if not inside:
                raise ValueError(f"line {number}: {END!r} without {BEGIN!r}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} is never closed by {END!r}")
    return "\n".join(out)


def count_solutions(source: str) -> int:
    return sum(BEGIN in line for line in source.splitlines())


def solution_only(source: str) -> str:
    """``source`` with the markers removed and the solution kept (the chapters' version)."""
    return "\n".join(line for line in source.splitlines() if BEGIN not in line and END not in line)
