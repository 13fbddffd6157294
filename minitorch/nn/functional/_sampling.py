"""``interpolate`` (and the older ``upsample`` names): resize the spatial dimensions.

Resizing works one axis at a time. ``nearest`` copies, for each output position, one input
position (an AxisSelection). ``linear`` / ``bilinear`` mix two neighbouring inputs with
weights (1 - t, t): along one axis that is a product with a sparse (out, in) matrix, so
``bilinear`` is ``A_h @ x @ A_w^T`` (an AxisMixing). ``area`` is adaptive average pooling.
"""
from __future__ import annotations

import math

import numpy as np

from ...tensor import Tensor
from ._axis_maps import (UpsampleBilinear2d, UpsampleLinear1d, UpsampleNearest1d, UpsampleNearest2d,
                         UpsampleNearestExact1d, UpsampleNearestExact2d, matrix_like)
from ._pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_LINEAR_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _nearest_positions(size: int, out: int, scale: float, exact: bool):
    """Input position copied to each output position (PyTorch computes in float32)."""
    dst = np.arange(out, dtype=np.float32)
    if exact:
        dst = dst + np.float32(0.5)
    src = np.floor(dst * np.float32(scale)).astype(np.int64)
    return np.minimum(src, size - 1)


def _linear_matrix(size: int, out: int, scale: float | None, align_corners: bool, like) -> Tensor:
    """(out, size) matrix of linear-interpolation weights along one axis."""
    dst = np.arange(out, dtype=np.float64)
    if align_corners:
        src = dst * ((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    low = np.floor(src).astype(np.int64)
    low = np.minimum(low, size - 1)
    high = np.minimum(low + 1, size - 1)
    t = src - low
    matrix = np.zeros((out, size))
    rows = np.arange(out)
    np.add.at(matrix, (rows, low), 1.0 - t)
    np.add.at(matrix, (rows, high), t)
    return matrix_like(matrix, like)


def _sizes_and_scales(input, size, scale_factor, recompute_scale_factor, dims: int):
    """Output sizes, and the scale (input / output) each axis maps coordinates with."""
    in_sizes = tuple(input.shape[-dims:])
    if size is not None:
        sizes = (size,) * dims if isinstance(size, (int, np.integer)) else tuple(size)
        if len(sizes) != dims:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but "
                             f"got input with spatial dimensions of {list(in_sizes)} and output size of "
                             f"{list(sizes)}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                             "format and output size in (o1, o2, ...,oK) format.")
        sizes = tuple(int(s) for s in sizes)
        return sizes, tuple(n / s if s else 0.0 for n, s in zip(in_sizes, sizes))
    factors = (scale_factor,) * dims if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
    if len(factors) != dims:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but "
                         f"got input with spatial dimensions of {list(in_sizes)} and scale_factor of "
                         f"shape {list(factors)}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                         "format and scale_factor in (s1, s2, ...,sK) format.")
    sizes = tuple(int(math.floor(n * float(f))) for n, f in zip(in_sizes, factors))
    if recompute_scale_factor:
        return sizes, tuple(n / s if s else 0.0 for n, s in zip(in_sizes, sizes))
    return sizes, tuple(1.0 / float(f) for f in factors)


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of (N, C, L) or (N, C, H, W) input to ``size`` or by ``scale_factor``.

    Args:
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'``
            (4-D input) or ``'area'``.
        align_corners: for the linear modes, map the corner pixels' centres onto each other
            (True) or the corners of the image (False, the default).

    Example::

        >>> F.interpolate(minitorch.tensor([[[1., 2.]]]), scale_factor=2).tolist()
        [[[1.0, 1.0, 2.0, 2.0]]]
    """
    if size is not None and scale_factor is not None:  # (PyTorch checks these first)
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not implemented in minitorch")
    dims = input.ndim - 2
    if dims not in (1, 2):
        raise NotImplementedError(f"minitorch's interpolate supports 3-D and 4-D inputs, got "
                                  f"{input.ndim}-D input with mode {mode}")
    if mode in ("bicubic", "trilinear"):
        raise NotImplementedError(f"interpolate(mode='{mode}') is not implemented in minitorch")
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != dims:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR_MODES[mode] + 2}D input")
    sizes, scales = _sizes_and_scales(input, size, scale_factor, recompute_scale_factor, dims)
    in_sizes = tuple(input.shape[-dims:])
    if mode in ("nearest", "nearest-exact"):
        positions = tuple(_nearest_positions(n, out, scale, mode == "nearest-exact")
                          for n, out, scale in zip(in_sizes, sizes, scales))
        nearest = _NEAREST[mode][dims - 1]
        return nearest.apply(input, positions=positions)
    if mode == "area":
        return adaptive_avg_pool1d(input, sizes) if dims == 1 else adaptive_avg_pool2d(input, sizes)
    if mode not in _LINEAR_MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.ndim}D) for the modes: nearest | linear | bilinear | bicubic "
                                  f"| trilinear | area | nearest-exact (got {mode})")
    corners = bool(align_corners)
    width = _linear_matrix(in_sizes[-1], sizes[-1], scales[-1], corners, input)
    if dims == 1:
        return UpsampleLinear1d.apply(input, rows=None, cols=width)
    height = _linear_matrix(in_sizes[0], sizes[0], scales[0], corners, input)
    return UpsampleBilinear2d.apply(input, rows=height, cols=width)


_NEAREST = {"nearest": (UpsampleNearest1d, UpsampleNearest2d),
            "nearest-exact": (UpsampleNearestExact1d, UpsampleNearestExact2d)}


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated name of :func:`interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
