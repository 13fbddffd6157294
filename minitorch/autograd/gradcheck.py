"""``gradcheck``: compare backward's gradients with central differences in float64."""
from __future__ import annotations

import numpy as np

from ..backend import namespace, to_numpy


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _numerical_jacobian(func, inputs, index, eps):
    """d(outputs)/d(inputs[index]) by central differences: (f(x + eps) - f(x - eps)) / 2 eps."""
    from ..tensor import Tensor
    from .grad_mode import no_grad
    target = inputs[index]
    flat = target._data.reshape(-1)  # a view: writing it perturbs the input in place
    columns = []
    with no_grad():
        for k in range(flat.size):
            original = flat[k].item()
            flat[k] = original + eps
            plus = [to_numpy(o._data).astype(np.float64).ravel() for o in _as_tuple(func(*inputs))
                    if isinstance(o, Tensor)]
            flat[k] = original - eps
            minus = [to_numpy(o._data).astype(np.float64).ravel() for o in _as_tuple(func(*inputs))
                     if isinstance(o, Tensor)]
            flat[k] = original
            columns.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]))
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def _analytical_jacobian(func, inputs, index):
    """Row by row: backward of each output element (a one-hot gradient) gives one row."""
    from ..tensor import Tensor
    from . import grad as autograd_grad
    outputs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]
    rows = []
    for out_index, out in enumerate(outputs):
        for k in range(out.numel()):
            seed = namespace(out._data).zeros(out._data.shape, dtype=out._data.dtype)
            seed.reshape(-1)[k] = 1
            if not out.requires_grad:
                rows.append(np.zeros(inputs[index].numel()))
                continue
            (g,) = autograd_grad(out, inputs[index], Tensor._from_array(seed),
                                 retain_graph=True, allow_unused=True)
            rows.append(np.zeros(inputs[index].numel()) if g is None else
                        to_numpy(g._data).astype(np.float64).ravel())
    return np.stack(rows) if rows else np.zeros((0, inputs[index].numel()))


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_ignored) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against finite differences.

    Inputs that require grad should be float64 (float32 differences are too coarse).

    Example::

        >>> x = minitorch.randn(3, dtype=minitorch.float64, requires_grad=True)
        >>> minitorch.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    from ..tensor import Tensor
    inputs = _as_tuple(inputs)
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad:
            if t.dtype.name != "float64":
                import warnings
                warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                              "point. This check will likely fail if all the inputs are not of "
                              "double precision floating point.", stacklevel=2)
            numerical = _numerical_jacobian(func, inputs, i, eps)
            analytical = _analytical_jacobian(func, inputs, i)
            if not np.allclose(analytical, numerical.reshape(analytical.shape), rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {i},\n"
                    f"numerical:{numerical}\nanalytical:{analytical}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **_ignored) -> bool:
    """Check second derivatives: gradcheck applied to the function that returns first gradients."""
    from ..tensor import Tensor
    from . import grad as autograd_grad
    inputs = _as_tuple(inputs)
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    rng = np.random.default_rng(0)
    if grad_outputs is None:
        outs = _as_tuple(func(*inputs))
        grad_outputs = tuple(Tensor._from_array(rng.standard_normal(o._data.shape)
                                                .astype(o._data.dtype), requires_grad=True).to(o.device)
                             for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_grads(*args):
        from .grad_mode import enable_grad
        with enable_grad():  # gradcheck's finite differences call this under no_grad
            outs = _as_tuple(func(*args[:n]))
            diff = [t for t in args[:n] if isinstance(t, Tensor) and t.requires_grad]
            grads = autograd_grad(outs, diff, args[n:], create_graph=True, allow_unused=True)
        return tuple(g if g is not None else d * 0 for g, d in zip(grads, diff))

    del diff_inputs
    return gradcheck(first_grads, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
