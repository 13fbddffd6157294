"""Chapter 15 of your framework: the cells marked #@save, as you last ran them."""


#@save
import numpy as np


class Tape:
    """The lines written while NumPy computes: (operation, input names, output name)."""

    def __init__(self):
        self.lines = []
        self.count = 0

    def new_name(self):
        """A fresh name for an array the traced code makes: v1, v2, ..."""
        self.count += 1
        return f"v{self.count}"

    def array(self, values, name):
        """``values`` as a TracedArray called ``name`` that writes on this tape."""
        array = np.asarray(values).view(TracedArray)
        array.name, array.tape = name, self
        return array


class TracedArray(np.ndarray):
    """A NumPy array with a name: every ufunc applied to it is written on its tape."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # compute on plain arrays (np.asarray of a TracedArray is a plain view of it), write
        # the line, return the result as a TracedArray with a new name
        ### BEGIN SOLUTION
        plain = [np.asarray(x) if isinstance(x, TracedArray) else x for x in inputs]
        result = getattr(ufunc, method)(*plain, **kwargs)
        names = tuple(x.name if isinstance(x, TracedArray) else repr(x) for x in inputs)
        operation = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        output = self.tape.new_name()
        self.tape.lines.append((operation, names, output))
        return self.tape.array(result, output)
        ### END SOLUTION


#@save
def live_lines(lines, outputs):
    """The lines of a program whose results (or whose writes) something needs, in order.
    lines: (target, op, inputs, writes) tuples; outputs: the names the program must leave
    right (its results, and the arrays that outlive it)."""
    ### BEGIN SOLUTION
    needed = set(outputs)
    kept = []
    for line in reversed(lines):
        target, op, inputs, writes = line
        if target in needed or writes in needed:
            kept.append(line)
            needed.update(inputs)
    kept.reverse()
    return kept
    ### END SOLUTION
