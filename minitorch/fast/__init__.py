"""minitorch.fast: the accelerations. A reader learning how minitorch works can skip it.

Everything here makes minitorch faster and nothing here changes what it computes: each
entry of ``ACCELERATIONS`` below replaces one piece of the reference path (the plain code in
autograd/ and ops/) with a faster version of the same behaviour, and tests/test_fast.py
holds each one to the piece it replaces. ``import minitorch`` calls ``install()`` unless
the environment sets ``MINITORCH_REFERENCE=1``; then no code from this package runs at all.

The mechanism is one ``setattr`` per entry: the reference module exposes a plain function
(or method), and ``install`` assigns the faster one in its place, in each module that uses
it (``from ._helpers import binary_arrays`` binds the name in the importing module, so
``pointwise.binary_arrays`` and ``comparison.binary_arrays`` are entries of their own). Modules that import
a replaced name after ``install`` (nn, loaded on first use) get the faster one.
The entries for nn (loaded on first use) go in when its module loads (``_WhenLoaded``).
tests/test_fast.py checks that no module is left holding a replaced reference piece.

Timings: one core of the shared 2-core benchmark machine, NumPy 2 on OpenBLAS. The
workload figures come from ``python benchmarks/fast_pieces.py``, which times a workload
with every entry installed and with one module's entries put back (mlp: the 784-256-256-10
training step; per_op: a recorded ``a * b`` forward and backward); runs there vary by about
5%, so "no measurable effect" on a workload means under that.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys

import numpy as np

from .. import backend
from ..autograd import engine, formulas, function
from ..ops import (_helpers, comparison, einsum, gather_scatter, indexing, linalg, pointwise,
                   rearrange, shape, softmax, unary)
from ..tensor import Tensor
from ..random import mt19937
from ..runtime import argument_types
from . import (argument_checks, array_formulas, engine_loop, inplace, malloc, mersenne, operators, ownership, recording,
               roll, rows, scatter)

_sum_to_shape_on_arrays = array_formulas.sum_to_shape(_helpers.sum_to_shape)

# (owner, attribute, faster version, why it is faster: measured)
ACCELERATIONS = [
    (function.Function, "apply", classmethod(recording.apply),
     "the node's tuples built in one loop, equal ones shared between nodes (fewer garbage "
     "collections): recording a small op 6.0 us instead of 7.8-8.0 us; per_op 1.04x"),
    (engine, "run_backward", engine_loop.run_backward,
     "loss.backward() (one root, no inputs) set up without the general bookkeeping"),
    (engine, "run_ready_nodes", engine_loop.run_ready_nodes,
     "the engine's main loop without a Python call per node and edge; with the entry "
     "above, backward of a recorded a * b 4.4 us (23%) faster, per_op 1.16x slower without"),
    (function, "gradient_to_keep", ownership.keep_if_unshared,
     "a leaf's first gradient is kept without a copy when reference counts show nothing "
     "else holds it (the reference copies it: 4 MB per 1024x1024 weight, every step; "
     "no measurable effect on mlp or cnn)"),
    (formulas, "operands", array_formulas.operands,
     "backward formulas written with operands() compute on bare arrays when nothing is "
     "recorded: Addmm's (every Linear with a bias), 5 Tensor ops fewer per layer and the "
     "weight gradient made without a Tensor-level view (see ownership.py)"),
    (_helpers, "sum_to_shape", _sum_to_shape_on_arrays,
     "a broadcast operand's gradient summed back to its shape on the array (the sum and "
     "the reshape as two array calls, not two Tensor ops with their argument checks): "
     "the dynamic net's eager step 0.46-0.47 ms instead of 0.58-0.65 (five such gradients a "
     "step; alternating with the reference pieces, median of 400 steps)"),
    *[(module, "sum_to_shape", _sum_to_shape_on_arrays, "(the same, where it is imported)")
      for module in (pointwise, comparison, shape, linalg, einsum, gather_scatter, indexing)],
    (unary.Relu, "backward", array_formulas.relu_backward(unary.Relu.backward),
     "a mask multiplication on arrays instead of a where() through Function.apply"),
    (backend, "scatter_add", scatter.scatter_add_flat(backend.scatter_add),
     "np.add.at on a flat view of the target with the flat positions of the numbers the "
     "index names (NumPy's fast loop for one flat index; a row index into a 2-D table goes "
     "through its slow generic path): an embedding's backward, 512 rows of 64 floats into "
     "28, 50 us instead of 350 (PyTorch 50-66); 1024 rows of 768 into 50,257 1.5 ms "
     "instead of 8.2; the same additions in the same order"),
    (indexing, "scatter_add", scatter.scatter_add_flat(backend.scatter_add), "(the same)"),
    (rearrange.Roll, "forward", roll.roll_forward(rearrange.Roll.forward),
     "a roll along given dims as two slice copies per dim into a new array, not np.roll's "
     "Python bookkeeping: a (32, 16) array rolled along dim 1 2.7 us instead of 8.0 (makemore's "
     "MLP rolls its context 16 times a step)"),
    (softmax, "row_maxes", rows.transposed_row_maxes,
     "maxima of rows of up to 64 (softmax's shift) down a transposed copy: 3-15x faster"),
    (pointwise, "binary_arrays", operators.same_dtype_operands(_helpers.binary_arrays),
     "a binary op's operands of one dtype are used as they are, without the promotion rules"),
    (comparison, "binary_arrays", operators.same_dtype_operands(_helpers.binary_arrays),
     "(the same)"),
    (Tensor, "__add__", operators.direct_operator(np.add, operators.add),
     "+ - * / @ compute the NumPy operation directly when nothing is recorded, without "
     "Function.apply (with binary_arrays above: per_op 1.30x slower without)"),
    (Tensor, "__radd__", operators.direct_operator(np.add, operators.add), "(the same)"),
    (Tensor, "__sub__", operators.direct_operator(np.subtract, operators.sub), "(the same)"),
    (Tensor, "__rsub__", operators.direct_operator(np.subtract, operators.sub, reflected=True),
     "(the same)"),
    (Tensor, "__mul__", operators.direct_operator(np.multiply, operators.mul), "(the same)"),
    (Tensor, "__rmul__", operators.direct_operator(np.multiply, operators.mul), "(the same)"),
    (Tensor, "__truediv__", operators.direct_operator(np.true_divide, operators.true_divide),
     "(the same)"),
    (Tensor, "__rtruediv__",
     operators.direct_operator(np.true_divide, operators.true_divide, reflected=True), "(the same)"),
    (Tensor, "__matmul__", operators.direct_operator(np.matmul, Tensor.__matmul__),
     "(the same)"),
    (Tensor, "add_", inplace.binary_inplace(np.add, Tensor.add_, with_alpha=True),
     "in-place arithmetic written into the array (ufunc out=) when nothing is recorded, "
     "not computed out of place and copied back: mul_ on 200k float32 19 us instead of 79; "
     "Adam's step on the 784-256-256-10 MLP 0.76-0.79 ms instead of 1.59, SGD-momentum "
     "0.21 ms instead of 0.59-0.82 (optimizer.step() alone, minimum of 100)"),
    (Tensor, "__iadd__", inplace.binary_inplace(np.add, Tensor.__iadd__, with_alpha=True),
     "(the same)"),
    (Tensor, "sub_", inplace.binary_inplace(np.subtract, Tensor.sub_, with_alpha=True),
     "(the same)"),
    (Tensor, "__isub__", inplace.binary_inplace(np.subtract, Tensor.__isub__, with_alpha=True),
     "(the same)"),
    (Tensor, "mul_", inplace.binary_inplace(np.multiply, Tensor.mul_), "(the same)"),
    (Tensor, "__imul__", inplace.binary_inplace(np.multiply, Tensor.__imul__), "(the same)"),
    (Tensor, "div_", inplace.binary_inplace(np.true_divide, Tensor.div_), "(the same)"),
    (Tensor, "__itruediv__", inplace.binary_inplace(np.true_divide, Tensor.__itruediv__),
     "(the same)"),
    (Tensor, "addcmul_", inplace.addc_inplace(np.multiply, Tensor.addcmul_), "(the same)"),
    (Tensor, "addcdiv_", inplace.addc_inplace(np.true_divide, Tensor.addcdiv_), "(the same)"),
    (Tensor, "lerp_", inplace.lerp_inplace(Tensor.lerp_), "(the same)"),
    (argument_types, "quick_test", argument_checks.quick_test,
     "a public function's argument types checked by one generated expression of identity "
     "tests, and ``parse`` (a walk over the parameters, about 1-3 us) run only where it is "
     "unsure: 0.10-0.21 us per call for x.sum(1), F.linear, x.view(32, 16), F.relu "
     "(timeit of the test alone, minimum of 40 x 5000 calls)"),
    (mt19937.MT19937, "random", mersenne.random,
     "the Mersenne Twister's words from NumPy's C MT19937 (the same stream): torch-equal "
     "rand(1_000_000) 0.015 s instead of 0.35 s, randn(1_000_000) 0.13 s instead of 0.69 s"),
]


def _rnn_accelerations(rnn) -> list:
    """The entries for nn/modules/rnn.py, put in when it loads (see ``_WhenLoaded``)."""
    from . import lstm_sequence
    return [
        (rnn, "fused_direction", lstm_sequence.fused_direction(rnn.fused_direction),
         "an LSTM direction over the whole sequence as one op, backpropagation through time "
         "on arrays (every step's local derivatives computed at once: 7 calls a step) and "
         "W_hh's gradient in one matrix product, not one per step: char_lstm's eager training "
         "step 10.3-10.5 ms instead of 17.7-22.3 ms (the reference steps; alternating, "
         "median of 40 steps each); in float32 each step's elementwise part is one call "
         "of a C kernel (lstm_steps.py, compiled on first use; ~10 us a step instead of "
         "~40): 7.64 ms instead of 9.55, compiled 6.45 instead of 8.40 (alternating "
         "processes, 5 rounds of 40 steps)"),
    ]


def every_acceleration() -> list:
    """``ACCELERATIONS`` with the entries of the modules that load later (nn's), listed
    whether or not they have loaded, or been put in (chapter 13 prints this table)."""
    from ..nn.modules import rnn
    listed = {(owner, attribute) for owner, attribute, _, _ in ACCELERATIONS}
    return ACCELERATIONS + [entry for entry in _rnn_accelerations(rnn)
                            if (entry[0], entry[1]) not in listed]


class _WhenLoaded(importlib.abc.MetaPathFinder):
    """Puts in the entries for a module that loads after ``install``: nn loads on first use
    (importing it here would cost every ``import minitorch`` 0.15-0.25 s, and its modules would
    bind the replaced names above before they are replaced). The module is found as usual;
    its entries are swapped in as soon as its code has run."""

    def __init__(self, name: str, entries) -> None:
        self.name, self.entries = name, entries

    def find_spec(self, name, path, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)  # once, and out of the way of the usual search below
        spec = importlib.util.find_spec(name)
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            entries = self.entries(module)
            ACCELERATIONS.extend(entries)
            _swap_in(entries)

        spec.loader.exec_module = exec_module
        return spec


# The reference pieces the entries replaced, by (owner, attribute): tests compare the two.
REFERENCES: dict = {}


def _swap_in(entries) -> None:
    for owner, attribute, faster, _why in entries:
        REFERENCES[owner, attribute] = vars(owner)[attribute]
        setattr(owner, attribute, faster)


def install() -> None:
    """Swap every faster version in (once), then apply the process settings below."""
    if REFERENCES:
        return
    _swap_in(ACCELERATIONS)
    sys.meta_path.insert(0, _WhenLoaded("minitorch.nn.modules.rnn", _rnn_accelerations))
    # Process settings, not replacements:
    # - glibc keeps freed memory for the next training step (malloc.py: a small CNN's step
    #   was 1.3-1.9x slower without it; MINITORCH_MALLOC_TUNING=0 leaves malloc alone)
    malloc.tuned = malloc.keep_freed_memory()
    # - measure the reference counts of an unshared gradient (ownership.py)
    ownership.calibrate()
