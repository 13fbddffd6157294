"""``einsum``: products and sums written as subscripts, ``einsum('bij,bjk->bik', a, b)``.

The forward is NumPy's (or CuPy's) einsum. The backward is again an einsum: the gradient
w.r.t. one operand is the output gradient contracted with all the *other* operands, written
to that operand's subscripts. Two cases need a step more:

* a label that only that operand has (``'ij->i'`` sums over j): no other term carries it,
  so the result is broadcast (expanded) along it;
* a label repeated in the operand (``'ii->i'``, a diagonal): an output of einsum cannot
  repeat a label, so each repeat gets a fresh label tied to the first by an identity matrix.

Because the backward calls ``einsum`` on Tensors, it is differentiable too.
"""
from __future__ import annotations

import string

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._helpers import check_same_device, sum_to_shape


# The public functions (exported as minitorch.<name>)
__all__ = ["einsum"]

_LETTERS = set(string.ascii_letters)


def _parse(equation: str, operands) -> tuple:
    """(input subscripts per operand, output subscripts), with ``...`` replaced by letters
    and the implicit output (``'ij,jk'``) made explicit, checked as PyTorch checks them."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for i, ch in enumerate(equation):
        if ch not in _LETTERS and ch not in ".,->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               "string, subscripts must be in [a-zA-Z]")
    used = set(equation)
    spare = sorted(_LETTERS - used)
    ellipsis_dims = 0
    for i, (term, t) in enumerate(zip(terms, operands)):
        labels = len(term.replace("...", ""))
        if "..." in term:
            ellipsis_dims = max(ellipsis_dims, t.ndim - labels)
        elif labels != t.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({labels}) "
                               f"does not match the number of dimensions ({t.ndim}) for operand "
                               f"{i} and no ellipsis was given")
    broadcast_labels = "".join(spare[:ellipsis_dims])
    expanded = []
    for term, t in zip(terms, operands):
        if "..." in term:
            n = t.ndim - len(term.replace("...", ""))
            term = term.replace("...", broadcast_labels[ellipsis_dims - n:])
        expanded.append(term)
    if arrow:
        out = rhs.replace("...", broadcast_labels)
        for ch in out:
            if out.count(ch) > 1:
                raise RuntimeError(f"einsum(): output subscript {ch} appears more than once in "
                                   "the output")
            if not any(ch in term for term in expanded):
                raise RuntimeError(f"einsum(): output subscript {ch} does not appear in the "
                                   "equation for any input operand")
    else:
        joined = "".join(terms).replace("...", "")
        out = broadcast_labels + "".join(sorted(ch for ch in set(joined) if joined.count(ch) == 1))
    return expanded, out


def _label_sizes(terms, operands) -> dict:
    """Each label's size; size-1 dims broadcast against the others, as in PyTorch."""
    sizes = {}
    for i, (term, t) in enumerate(zip(terms, operands)):
        seen = {}
        for ch, n in zip(term, t.shape):
            if ch in seen and seen[ch] != n:
                raise RuntimeError(f"einsum(): subscript {ch} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {seen[ch]}")
            seen[ch] = n
            previous = sizes.get(ch, 1)
            if n != 1 and previous != 1 and n != previous:
                raise RuntimeError(f"einsum(): subscript {ch} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {previous}")
            sizes[ch] = n if previous == 1 else previous
    return sizes


class Einsum(Function):
    """y = einsum(terms -> out, *operands); dL/d(operand i) = einsum of dL/dy with the other
    operands, to operand i's subscripts (see the module notes); saves the operands, the subscripts
    and the label sizes."""

    node_name = "EinsumBackward0"

    @staticmethod
    def forward(ctx, terms, out, sizes, *operands):
        ctx.terms, ctx.out, ctx.sizes = terms, out, sizes
        ctx.save_for_backward(*operands)
        arrays = []
        for term, t in zip(terms, operands):
            full = tuple(sizes[ch] for ch in term)
            arrays.append(t._data if t._data.shape == full else np.broadcast_to(t._data, full))
        if len(arrays) == 2:
            result = _pair_as_matmul(terms[0], terms[1], out, arrays[0], arrays[1], sizes)
            if result is not None:
                return result
        equation = ",".join(terms) + "->" + out
        return np.einsum(equation, *arrays, optimize=len(arrays) > 1)

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        grads = [None, None, None]
        for i, needed in enumerate(ctx.needs_input_grad[3:]):
            grads.append(_operand_grad(ctx, grad, operands, i) if needed else None)
        return tuple(grads)


def _pair_as_matmul(term_a: str, term_b: str, out: str, a, b, sizes: dict):
    """A two-operand einsum as one batched matrix product (BLAS), or None when a label
    repeats inside an operand (a diagonal: left to einsum itself).

    Labels in both operands and the output are batch dims, in both but not the output are
    contracted, in one operand and the output are that side's free dims; a label in one
    operand only is summed out first. NumPy's own einsum loops in C without BLAS, which
    makes attention-style products several times slower.
    """
    if len(set(term_a)) != len(term_a) or len(set(term_b)) != len(term_b):
        return None
    alone_a = tuple(i for i, c in enumerate(term_a) if c not in term_b and c not in out)
    if alone_a:
        a = a.sum(axis=alone_a)
        term_a = "".join(c for c in term_a if c in term_b or c in out)
    alone_b = tuple(i for i, c in enumerate(term_b) if c not in term_a and c not in out)
    if alone_b:
        b = b.sum(axis=alone_b)
        term_b = "".join(c for c in term_b if c in term_a or c in out)
    batch = [c for c in term_a if c in term_b and c in out]
    contracted = [c for c in term_a if c in term_b and c not in out]
    left = [c for c in term_a if c not in term_b]
    right = [c for c in term_b if c not in term_a]

    def size(labels):
        n = 1
        for c in labels:
            n *= sizes[c]
        return n
    a = a.transpose([term_a.index(c) for c in batch + left + contracted])
    b = b.transpose([term_b.index(c) for c in batch + contracted + right])
    product = np.matmul(a.reshape(size(batch), size(left), size(contracted)),
                        b.reshape(size(batch), size(contracted), size(right)))
    labels = batch + left + right
    product = product.reshape([sizes[c] for c in labels])
    return product.transpose([labels.index(c) for c in out])


def _operand_grad(ctx, grad, operands, i) -> Tensor:
    terms, sizes = ctx.terms, dict(ctx.sizes)
    spare = iter(sorted(_LETTERS - set("".join(terms) + ctx.out)))
    target, ties = "", []
    for ch in terms[i]:
        if ch in target:  # a repeated label: a fresh one, tied to it by an identity matrix
            fresh = next(spare)
            ties.append(ch + fresh)
            sizes[fresh] = sizes[ch]
            target += fresh
        else:
            target += ch
    inputs = [ctx.out] + [t for j, t in enumerate(terms) if j != i] + ties
    tensors = [grad] + [t for j, t in enumerate(operands) if j != i]
    for tie in ties:
        n = sizes[tie[0]]
        tensors.append(Tensor._from_array(grad._xp.eye(n, dtype=grad._data.dtype)))
    available = set("".join(inputs))
    reachable = "".join(ch for ch in target if ch in available)
    result = einsum(",".join(inputs) + "->" + reachable, *tensors)
    # Labels summed within operand i alone, or seen with size 1 by the other terms: the
    # gradient is the same all along them, so broadcast it back.
    full = tuple(sizes[ch] for ch in target)
    if tuple(result.shape) != full:
        found = iter(result.shape)
        result = result.reshape([next(found) if ch in available else 1 for ch in target])
        result = result.expand(full)
    return sum_to_shape(result, ctx._input_shapes[3 + i])


def einsum(equation, *operands) -> Tensor:
    """Sum of products of the operands' elements, as described by ``equation``.

    Example::

        >>> a, b = minitorch.ones(2, 3), minitorch.ones(3, 4)
        >>> minitorch.einsum('ij,jk->ik', a, b).shape
        minitorch.Size([2, 4])

    ``...`` stands for broadcast dims; the sublist form ``einsum(a, [0, 1], ...)`` is not
    supported.
    """
    # (``equation`` is not annotated: PyTorch's einsum is Python code that counts the operands
    # before it looks at the equation's type)
    if not operands:
        raise ValueError("einsum(): must specify the equation string and at least one "
                         "operand, or at least one operand and its subscripts list")
    if not isinstance(equation, (str, Tensor)):
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not "
                        f"{type(equation).__name__}")
    if not isinstance(equation, str):  # the sublist form
        if not isinstance(operands[0], (list, tuple)):
            raise TypeError(f"einsum(): the sublist format takes a list of dims after each "
                            f"operand, not {type(operands[0]).__name__}")
        raise NotImplementedError("einsum's sublist format (operand, [dims], ...) is not "
                                  "supported by minitorch; use an equation string")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'operands' must be tuple of Tensors, but found "
                            f"element of type {type(t).__name__} at pos {i}")
        if i:
            check_same_device(operands[0], t)
            if t.dtype is not operands[0].dtype:
                raise RuntimeError(f"expected scalar type {operands[0].dtype._torch_name} "
                                   f"but found {t.dtype._torch_name}")
    terms, out = _parse(equation, operands)
    sizes = _label_sizes(terms, operands)
    if len(terms) == 1 and set(terms[0]) == set(out):
        return _diagonals_and_permute(terms[0], out, operands[0])
    return Einsum.apply(tuple(terms), out, sizes, *operands)


def _diagonals_and_permute(term: str, out: str, operand: Tensor) -> Tensor:
    """An einsum of one operand that sums over nothing ('ij->ji', 'ii->i') takes diagonals
    and reorders dims: a view of the operand, as PyTorch's is."""
    labels, view = list(term), operand
    for label in out:
        while labels.count(label) > 1:  # a repeated label: the diagonal, as the last dim
            first = labels.index(label)
            second = labels.index(label, first + 1)
            view = view.diagonal(0, first, second)
            labels = [lb for k, lb in enumerate(labels) if k not in (first, second)] + [label]
    return view.permute([labels.index(label) for label in out])
