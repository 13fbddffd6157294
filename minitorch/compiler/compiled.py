"""``CompiledFunction``: trace a function's call, check the trace, replay it.

The life of a compiled training step::

    call 1          eager (it creates the optimizer's state and the .grad tensors)
    call 2          eager while tracing: program A
    call 3          eager while tracing: program B. Same as A? Then it is confirmed.
    call 4, 5 ...   replay: no Tensor, no graph, no tape, only the program's NumPy calls

Why trace twice: a value the Python code computed outside the traced arrays (a counter, a
random draw, a number NumPy handed out in a way we do not see) is frozen into the program
as a constant. If it changes from one call to the next, the two programs differ, and the
function stays eager, with a warning that names the line. (A value that stays the same
for two calls and changes later cannot be seen this way; see "the contract" below.)

Before each replay the program's guards run: the arguments' shapes, dtypes and
``requires_grad``, non-tensor arguments, grad mode, each module's ``training`` flag, each
optimizer's hyper-parameters, and the Python branches the step took on values it read back
(``if low < 0``). If one fails before the program changed anything, the call runs
eagerly and is traced again.

The contract (as with ``jax.jit`` or a CUDA graph, and unlike ``torch.compile``, which reads
the Python bytecode): the function's Python code runs only while it is traced. What it
does besides computing on tensors (printing, appending to a list, drawing from Python's
``random``) happens on traced calls only; a Python value that should change the program
must be an argument. The returned tensors are new tensors without ``grad_fn``; a function
whose outputs require grad (a forward alone, not a whole step) stays eager.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor
from . import traced
from .program import GuardFailed, Program, _OutputTensor
from .symbolic import Symbolic
from .program import Name
from .trace import Trace, TraceStopped

_MAX_TRACES = 6     # traces without two equal programs before the function stays eager
_MAX_PROGRAMS = 8   # confirmed programs kept (one per set of shapes / branches)


class CompiledFunction:
    """``minitorch.compile(fn)`` for a function (see the module docstring)."""

    def __init__(self, fn):
        self.fn = fn
        self.programs: list[tuple[tuple, Program]] = []   # (python state, program)
        self._candidates: list[tuple[tuple, Program]] = []  # traced once, awaiting a second
        self._calls = 0
        self._traces = 0
        self.eager_reason: str | None = None
        self._watched: list | None = None  # the modules and optimizers whose state is guarded
        self.counts = {"eager": 0, "traced": 0, "replayed": 0, "guard_failures": 0}
        self.__wrapped__ = fn
        self.__doc__ = getattr(fn, "__doc__", None)

    @property
    def program(self) -> Program | None:
        """The most recently confirmed program (``print(step.program)`` shows its source)."""
        return self.programs[0][1] if self.programs else None

    def __call__(self, *args, **kwargs):
        self._calls += 1
        if self.eager_reason is not None or traced.active() is not None or self._calls == 1 \
                or not _on_the_cpu(args, kwargs):
            self.counts["eager"] += 1
            return self.fn(*args, **kwargs)
        if self._watched is None:
            self._watched = _watched_objects(self.fn, args, kwargs)
        state = _python_state(args, kwargs, self._watched)
        for known_state, program in self.programs:
            if known_state == state:
                try:
                    result = program.run(args, kwargs)
                except GuardFailed:
                    self.counts["guard_failures"] += 1
                    continue
                self.counts["replayed"] += 1
                return result
        return self._trace(args, kwargs, state)

    def _trace(self, args, kwargs, state):
        trace = Trace()
        trace.start(args, kwargs, _places(self._watched))
        try:
            result = self.fn(*args, **kwargs)
            outputs = _outputs_template(trace, result) if trace.recording else None
        except TraceStopped as err:  # (raised while reading the outputs)
            trace.stop(str(err))
            outputs = None
        finally:
            trace.finish()
        self.counts["traced"] += 1
        self._traces += 1
        if trace.why_not is None:
            self._consider(trace.program(outputs), state)
        elif self._traces >= 2:
            self._stay_eager(trace.why_not)
        return result

    def _consider(self, program: Program, state) -> None:
        """Keep ``program`` if it equals the previous trace's in the same state; else wait
        for the next one."""
        previous = next((p for known, p in self._candidates if known == state), None)
        self._candidates = [(known, p) for known, p in self._candidates if known != state]
        difference = "first trace" if previous is None else previous.same_as(program)
        if difference is None:
            self.programs.insert(0, (state, program))
            del self.programs[_MAX_PROGRAMS:]
            self._traces = 0
        elif self._traces >= _MAX_TRACES:
            self._stay_eager(f"each call gives another program: {difference}")
        else:
            self._candidates.append((state, program))

    def _stay_eager(self, why: str) -> None:
        self.eager_reason = why
        warnings.warn(f"minitorch.compile: {getattr(self.fn, '__name__', 'the function')} "
                      f"runs eagerly: {why}", stacklevel=3)


def _on_the_cpu(args, kwargs) -> bool:
    return all(type(a._data) is np.ndarray for a in list(args) + list(kwargs.values())
               if isinstance(a, Tensor))


def _python_state(args, kwargs, watched) -> tuple:
    """What the Python code of a step may branch on besides the arrays: grad mode, each
    argument's kind (a tensor's requires_grad; any other value itself), every module's
    training flag, its parameters' requires_grad, every optimizer's hyper-parameters."""
    modules, parameters, optimizers = watched
    return (grad_mode.is_grad_enabled(), tuple(_describe(a) for a in args),
            tuple((k, _describe(v)) for k, v in sorted(kwargs.items())),
            tuple(m.training for m in modules), tuple(p._requires_grad for p in parameters),
            tuple(tuple((k, _describe(v)) for k, v in group.items() if k != "params")
                  + (len(group["params"]),) for o in optimizers for group in o.param_groups))


def _describe(value):
    if isinstance(value, Tensor):
        return ("tensor", value._requires_grad)
    return ("value", type(value), value)


def _module_class():
    from ..nn.modules.module import Module
    return Module


def _watched_objects(fn, args, kwargs) -> tuple:
    """The modules (with all their submodules) and optimizers the function can reach: its
    arguments, the variables of its closure and the globals it names, looked into one
    attribute deep (a model kept on an object) and through nested functions. Their flags
    and hyper-parameters join the guards. (They are held as the function holds them.)"""
    from ..optim.optimizer import Optimizer
    Module = _module_class()
    found: dict[int, object] = {}

    def visit(value, depth: int) -> None:
        kind = type(value)
        if id(value) in found or depth > 3 or kind in (int, float, str, bool, type(None)):
            return
        if issubclass(kind, Module):
            for module in value.modules():
                found.setdefault(id(module), module)
        elif issubclass(kind, Optimizer):
            found[id(value)] = value
        elif callable(value) and hasattr(value, "__code__"):
            for cell in value.__closure__ or ():
                visit(cell.cell_contents, depth + 1)
            for name in value.__code__.co_names:
                if name in value.__globals__:
                    visit(value.__globals__[name], depth + 1)
            visit(getattr(value, "__self__", None), depth + 1)
        elif kind in (list, tuple, dict) or hasattr(value, "__dict__"):
            items = value.values() if kind is dict else value if kind in (list, tuple) else \
                vars(value).values()
            for item in list(items)[:100]:
                if isinstance(item, (Module, Optimizer)) or depth == 0:
                    visit(item, depth + 1)

    visit(fn, 0)
    for value in list(args) + list(kwargs.values()):
        visit(value, 1)
    modules = [o for o in found.values() if isinstance(o, Module)]
    parameters = [p for m in modules for p in m._parameters.values() if p is not None]
    return modules, parameters, [o for o in found.values() if isinstance(o, Optimizer)]


def _places(watched) -> dict:
    """Where the step finds each tensor it may read, from an object that stays: id(tensor)
    -> (object, steps) for the modules' parameters and buffers (``module._parameters['w']``)
    and the optimizers' state (``optimizer.state[weight]['exp_avg']``)."""
    modules, _, optimizers = watched
    places = {}
    for module in modules:
        for attribute in ("_parameters", "_buffers"):
            for key, tensor in getattr(module, attribute).items():
                if tensor is not None:
                    places[id(tensor)] = (module, (("attr", attribute), ("item", key)))
    for optimizer in optimizers:
        for param, state in optimizer.state.items():
            for key, value in state.items():
                if isinstance(value, Tensor):
                    places[id(value)] = (optimizer, (("attr", "state"), ("item", param),
                                                     ("item", key)))
    return places


def _outputs_template(trace: Trace, value):
    """The call's result as the program returns it: new tensors are wrapped again. (A loss
    returned with its graph after the step's own backward comes back detached.)"""
    if isinstance(value, Tensor):
        if value.requires_grad and not trace.changed_state():
            raise TraceStopped("it returns a tensor that requires grad (compile a whole "
                               "training step, with backward and the optimizer's step, or "
                               "run it under no_grad)")
        for tensor, _, _ in trace._swapped:
            if tensor is value:
                return Name(trace.object_name(value))
        return _OutputTensor(trace.array_name(value._data))
    if isinstance(value, Symbolic):
        return Name(value.name)
    if type(value) in (tuple, list):
        return type(value)(_outputs_template(trace, v) for v in value)
    if type(value) is dict:
        return {k: _outputs_template(trace, v) for k, v in value.items()}
    if value is None or type(value) in (int, float, bool, str):
        return value
    raise TraceStopped(f"it returns a {type(value).__name__}")
