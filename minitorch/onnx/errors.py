"""``torch.onnx.errors``: what export raises, in PyTorch's types (both are RuntimeErrors)."""
from __future__ import annotations


class OnnxExporterError(RuntimeError):
    """An error raised by the ONNX exporter."""


class UnsupportedOperatorError(OnnxExporterError):
    """Raised when the model performs an operation that has no ONNX conversion."""

    def __init__(self, name: str, version: int, supported_version: int | None = None) -> None:
        if supported_version is not None:
            message = (f"Exporting the operator '{name}' to ONNX opset version {version} is not "
                       "supported. Support for this operator was added in version "
                       f"{supported_version}, try exporting with this version")
        else:
            message = (f"Exporting the operator '{name}' to ONNX opset version {version} is not "
                       "supported by minitorch.onnx")
        super().__init__(message)
