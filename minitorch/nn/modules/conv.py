"""``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``: learned convolutions."""
from __future__ import annotations

import math

from ...creation import factories as _creation
from ...tensor import Tensor
from .. import init
from ..functional import _conv as F
from ..functional._padding import pad as _pad
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


def _tuple(value, dims: int) -> tuple:
    if isinstance(value, int):
        return (value,) * dims
    value = tuple(value)
    return value * dims if len(value) == 1 else value


class _ConvNd(Module):
    """Shared set-up: weight (out, in / groups, *kernel), or (in, out / groups, *kernel) when
    transposed, both initialised U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as in PyTorch."""

    _dims = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 output_padding=0, device=None, dtype=None) -> None:
        super().__init__()
        dims = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in _tuple(stride, dims)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _tuple(kernel_size, dims)
        self.stride = _tuple(stride, dims)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, dims)
        self.dilation = _tuple(dilation, dims)
        self.transposed = self._transposed
        self.output_padding = _tuple(output_padding, dims)
        self.groups, self.padding_mode = groups, padding_mode
        shape = ((in_channels, out_channels // groups) if self._transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(_creation.empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # kaiming_uniform_ with a = sqrt(5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _explicit_padding(self) -> list:
        """F.pad amounts (last dim first) for the non-zeros padding modes."""
        amounts = []
        for k, d, p in zip(reversed(self.kernel_size), reversed(self.dilation),
                           reversed(self.padding) if not isinstance(self.padding, str)
                           else [None] * self._dims):
            if self.padding == "valid":
                amounts += [0, 0]
            elif self.padding == "same":
                total = d * (k - 1)
                amounts += [total // 2, total - total // 2]
            else:
                amounts += [p, p]
        return amounts

    def _conv(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = F.conv2d if self._dims == 2 else F.conv1d
        if self.padding_mode != "zeros":
            return conv(_pad(input, self._explicit_padding(), mode=self.padding_mode), weight, bias,
                        self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) input.

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size, stride, padding, dilation: an int or a pair; padding may also be
            ``'valid'`` or ``'same'``.
        groups: split channels into this many independent convolutions.
        bias: learn a per-output-channel bias. Default: True.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.

    Example::

        >>> conv = nn.Conv2d(1, 8, 3)
        >>> conv(minitorch.randn(4, 1, 28, 28)).shape
        minitorch.Size([4, 8, 26, 26])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, 0, device, dtype)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L) input (arguments as Conv2d, ints)."""

    _dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, 0, device, dtype)


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, device, dtype)

    def _output_padding(self, input: Tensor, output_size) -> tuple:
        """The output_padding that makes the output exactly ``output_size`` (when given)."""
        if output_size is None:
            return self.output_padding
        dims = self._dims
        output_size = tuple(output_size)[-dims:]
        if len(output_size) != dims:
            raise ValueError(f"ConvTranspose{dims}D: for {input.dim()}D input, output_size must have "
                             f"{dims} or {dims + 2} elements (got {len(output_size)})")
        padding = []
        for size, want, s, p, d, k in zip(input.shape[-dims:], output_size, self.stride,
                                          self.padding, self.dilation, self.kernel_size):
            smallest = (size - 1) * s - 2 * p + d * (k - 1) + 1
            if not smallest <= want < smallest + s:
                raise ValueError(f"requested an output size of {list(output_size)}, but valid sizes "
                                 f"range from {smallest} to {smallest + s - 1} (for an input of "
                                 f"{list(input.shape[-dims:])})")
            padding.append(want - smallest)
        return tuple(padding)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        conv = F.conv_transpose2d if self._dims == 2 else F.conv_transpose1d
        return conv(input, self.weight, self.bias, self.stride, self.padding,
                    self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (the gradient of Conv2d w.r.t. its input), weight of shape
    (in_channels, out_channels / groups, kH, kW).

    Output size: (H - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1.
    ``forward(input, output_size)`` picks output_padding to reach ``output_size``.
    """


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C_in, L) or (C_in, L) input."""

    _dims = 1
