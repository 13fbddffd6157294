"""Names for parameters and modules when ``viz.draw`` is given no ``params=``.

minitorch records, on every op, the names of the nn.Modules whose forward was running
(``scope``), but not the modules themselves. The modules are still in memory: this finds the
module that owns the graph's leaf tensors (the one holding the most of them; on a tie, the
one whose submodule names are the recorded scopes, then the smallest: the model that was
called, not the layer inside it nor a bigger model around it), so that its ``named_parameters``
and ``named_modules`` name the boxes (``0.weight``) and clusters (``0 (Linear)``) exactly as
``params=model`` would. PyTorch records no scope, so for its graphs nothing is looked up.
"""
from __future__ import annotations

import gc
import sys


def find_model(leaves: list, scopes: set):
    """The minitorch nn.Module owning most of ``leaves``, or None (no scope, no modules)."""
    nn = sys.modules.get("minitorch.nn")
    if not scopes or not leaves or nn is None:
        return None
    wanted = {id(t) for t in leaves}
    best, best_key = None, None
    # One pass over the objects the garbage collector tracks (modules are among them);
    # type() rather than isinstance: some lazy objects warn when asked for __class__.
    for obj in gc.get_objects():
        if not issubclass(type(obj), nn.Module):
            continue
        params = list(obj.parameters())
        owned = sum(id(p) in wanted for p in params)
        if not owned:
            continue
        named = {name for name, _ in obj.named_modules()}
        key = (owned, len(scopes & named), -len(params))
        if best_key is None or key > best_key:
            best, best_key = obj, key
    return best
