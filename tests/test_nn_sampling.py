"""interpolate / Upsample and pad against PyTorch."""
import numpy as np
import pytest
import torch

import minitorch
from module_oracle import compare_modules
from oracle import check, check_gradcheck


def F(lib):
    return lib.nn.functional


SIZES = [dict(scale_factor=2), dict(size=(5, 7)), dict(scale_factor=(1.5, 0.5)), dict(size=3),
         dict(scale_factor=2.3, recompute_scale_factor=True)]


@pytest.mark.parametrize("kw", SIZES)
@pytest.mark.parametrize("mode,align_corners", [("nearest", None), ("nearest-exact", None),
                                                ("bilinear", None), ("bilinear", True),
                                                ("bilinear", False), ("area", None)])
def test_interpolate_2d(kw, mode, align_corners):
    check(lambda lib, x: F(lib).interpolate(x, mode=mode, align_corners=align_corners, **kw),
          [(2, 3, 4, 6)])


@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_interpolate_1d(mode):
    check(lambda lib, x: F(lib).interpolate(x, scale_factor=2.5, mode=mode), [(2, 3, 5)])
    check(lambda lib, x: F(lib).interpolate(x, size=3, mode=mode), [(2, 3, 5)])


def test_interpolate_linear_align_corners_and_gradcheck():
    check(lambda lib, x: F(lib).interpolate(x, size=8, mode="linear", align_corners=True),
          [(2, 3, 5)], dtype="float64")
    check_gradcheck(lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode="bilinear"),
                    [(1, 1, 3, 2)])
    check_gradcheck(lambda lib, x: F(lib).interpolate(x, size=(2, 5), mode="nearest"),
                    [(1, 1, 3, 2)])


def test_interpolate_errors():
    x = minitorch.randn(1, 1, 4, 4)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F(minitorch).interpolate(x, scale_factor=2, mode="nearest", align_corners=True)
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        F(minitorch).interpolate(x)
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        F(minitorch).interpolate(x, size=2, scale_factor=2)
    with pytest.raises(NotImplementedError, match="bicubic"):
        F(minitorch).interpolate(x, scale_factor=2, mode="bicubic")


def test_upsample_modules():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    for ours, theirs in [(minitorch.nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
                         (minitorch.nn.Upsample(size=(6, 7), mode="bilinear", align_corners=False),
                          torch.nn.Upsample(size=(6, 7), mode="bilinear", align_corners=False)),
                         (minitorch.nn.UpsamplingBilinear2d(scale_factor=2),
                          torch.nn.UpsamplingBilinear2d(scale_factor=2)),
                         (minitorch.nn.UpsamplingNearest2d(size=5), torch.nn.UpsamplingNearest2d(size=5))]:
        compare_modules(ours, theirs, [x])
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("pad", [(1, 2), (1, 2, 0, 3), (-1, 2, 1, -2), (1, 1, 1, 1, 1, 1), (0, 0)])
def test_constant_pad(pad):
    check(lambda lib, x: F(lib).pad(x, pad, value=1.5), [(2, 3, 4, 5)], dtype="float64",
          second_order=True)
    check(lambda lib, x: F(lib).pad(x, pad), [(2, 3, 4, 5)], permuted=True)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_non_constant_pad(mode):
    check(lambda lib, x: F(lib).pad(x, (1, 2), mode=mode), [(2, 3, 5)])
    check(lambda lib, x: F(lib).pad(x, (1, 2), mode=mode), [(3, 4)])
    check(lambda lib, x: F(lib).pad(x, (2, 1, 0, 3), mode=mode), [(2, 3, 4, 5)], dtype="float64")
    check(lambda lib, x: F(lib).pad(x, (1, 2, 1, 1, 2, 0), mode=mode), [(1, 3, 4, 5, 3)])
    check_gradcheck(lambda lib, x: F(lib).pad(x, (2, 1, 1, 1), mode=mode), [(1, 1, 3, 3)])


def test_pad_errors():
    x = minitorch.randn(1, 1, 4, 4)
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F(minitorch).pad(x, (1, 2, 3))
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 4D input"):
        F(minitorch).pad(x, (1, 1), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input"):
        F(minitorch).pad(x, (4, 4, 0, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding value causes wrapping around more than once"):
        F(minitorch).pad(minitorch.randn(1, 4, 4), (5, 1, 1, 1), mode="circular")
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode"):
        F(minitorch).pad(x, (1, 1), mode="mirror")
    with pytest.raises(RuntimeError, match="resulted in a negative output size"):
        F(minitorch).pad(x, (-3, -3))


AXIS_MAPS = {
    "reflect": lambda F, x: F.pad(x, (2, 1, 0, 3), mode="reflect"),
    "replicate": lambda F, x: F.pad(x, (2, 1, 0, 3), mode="replicate"),
    "nearest": lambda F, x: F.interpolate(x, size=(7, 3)),
    "nearest-exact": lambda F, x: F.interpolate(x, scale_factor=1.5, mode="nearest-exact"),
    "bilinear": lambda F, x: F.interpolate(x, size=(7, 3), mode="bilinear"),
    "linear": lambda F, x: F.interpolate(x[0], size=7, mode="linear"),
    "adaptive_avg_pool2d": lambda F, x: F.adaptive_avg_pool2d(x, (3, 2)),
    "adaptive_avg_pool1d": lambda F, x: F.adaptive_avg_pool1d(x[0], 3),
}


@pytest.mark.parametrize("name", AXIS_MAPS)
def test_axis_maps_second_order(name):
    """Padding, resizing and adaptive average pooling are one node each, with a backward in
    Tensor ops: squared, they have a second derivative that PyTorch agrees with."""
    op = AXIS_MAPS[name]
    check(lambda lib, x: op(F(lib), x) ** 2, [(2, 3, 4, 5)], dtype="float64", second_order=True)
    check_gradcheck(lambda lib, x: op(F(lib), x) ** 2, [(2, 3, 4, 5)])
