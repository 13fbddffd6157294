"""``torch.onnx``: export a model to the ONNX format (https://onnx.ai), for onnxruntime,
Netron and the other tools that read it.

``export`` runs the model once while ``tracer.Tracer`` notes every operation (each
``Function.apply`` call), turns each into ONNX nodes (``converters.py``), and writes the graph
with the model's weights (``graph.py``). It needs the ``onnx`` package (the ``onnx`` extra).
"""
from . import errors
from .errors import OnnxExporterError, UnsupportedOperatorError
from .export import export


def is_in_onnx_export() -> bool:
    """True while ``export`` runs the model (as in PyTorch)."""
    from ..autograd import function
    return function.tracer is not None


__all__ = ["export", "errors", "OnnxExporterError", "UnsupportedOperatorError",
           "is_in_onnx_export"]
