"""Run an unchanged PyTorch script on minitorch:

    python -m minitorch.utils.as_torch train.py --some-option=1

Inside the script (and everything it imports), ``import torch``, ``import torch.nn as nn``,
``from torch.utils.data import DataLoader`` ... give minitorch's modules of the same path.
Nothing else changes: a name minitorch lacks fails as it would in any program
(docs/deviations.md lists them). From Python, ``install()`` does the same for the rest of the
process.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import pathlib
import runpy
import sys


class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers imports of ``torch`` and ``torch.*`` with ``minitorch`` and ``minitorch.*``."""

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname == "torch" or fullname.startswith("torch."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module("minitorch" + spec.name[len("torch"):])
        self._own_spec = module.__spec__  # the import system overwrites it with ours
        return module

    def exec_module(self, module) -> None:
        module.__spec__ = self._own_spec  # keep minitorch's own (its imports rely on it)


def install() -> None:
    """From now on, ``import torch`` in this process means ``import minitorch``."""
    already = sys.modules.get("torch")
    if already is not None and already.__name__ == "torch":  # (the alias's is 'minitorch')
        raise RuntimeError("PyTorch is already imported in this process; install the alias "
                           "before anything imports torch")
    if not any(isinstance(finder, _TorchAlias) for finder in sys.meta_path):
        sys.meta_path.insert(0, _TorchAlias())


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit("usage: python -m minitorch.utils.as_torch SCRIPT.py [ARGS ...]")
    install()
    sys.argv = list(argv)
    sys.path.insert(0, str(pathlib.Path(argv[0]).resolve().parent))  # as `python SCRIPT` does
    runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
