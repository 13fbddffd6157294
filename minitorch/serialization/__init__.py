"""Checkpoints: ``minitorch.save`` / ``minitorch.load`` in PyTorch's format, with its safety model.

``save`` writes what ``torch.save`` writes (a zip holding ``data.pkl`` and one member per
storage), so ``torch.load`` opens minitorch's files; ``load`` opens PyTorch's files (the zip
format and the legacy one), and the JSON-based files earlier minitorch versions wrote.
``save_safetensors`` / ``load_safetensors`` handle safetensors files.

A pickle can run code when it is loaded, so ``load`` reads pickles with a weights-only
unpickler (``weights_only=True``, the default, as in PyTorch >= 2.6) that builds only
allowlisted types; :func:`add_safe_globals` / :class:`safe_globals` extend the allowlist and
``weights_only=False`` is the explicit opt-in to full unpickling. Every size in a file is
checked against what the file really holds before memory is allocated, and every malformed
file raises a RuntimeError naming it.

Reading order: ``saving`` -> ``torch_pickler`` -> ``torch_zip_writer``; ``loading`` ->
``checkpoint_file`` -> ``zip_reader`` -> ``torch_zip_reader`` -> ``weights_unpickler`` ->
``torch_names`` -> ``rebuild`` (and ``placement``, ``torch_legacy_reader``, ``json_format``,
``safetensors_format``).
"""
from .errors import CheckpointError, NotACheckpointError, UnpicklingError
from .loading import load
from .safetensors_format import load_safetensors, save_safetensors
from .saving import save
from .torch_names import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals

__all__ = ["save", "load", "save_safetensors", "load_safetensors", "add_safe_globals", "clear_safe_globals", "get_safe_globals",
           "safe_globals", "CheckpointError", "NotACheckpointError", "UnpicklingError"]
