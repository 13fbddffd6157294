"""Tensor's methods that are exactly op functions: ``x.exp()`` is ``minitorch.exp(x)``.

tensor.py holds what a Tensor is (its data, its place in autograd, conversions); the
operations live in ``minitorch/ops/`` by family, and each op module imports Tensor. So that
tensor.py need not import the ops back (an import loop through every op file), the methods
are attached here, one line each, grouped by the family that defines them.
``minitorch/__init__.py`` imports this module right after ``tensor``.
"""
from __future__ import annotations

from .ops import (comparison, gather_scatter, indexing, joining, linalg, pointwise, rearrange,
                  reduce, rounding, shape, softmax, sorting, unary)
from .tensor import Tensor


# pointwise.py
Tensor.add = pointwise.add
Tensor.sub = pointwise.sub
Tensor.subtract = pointwise.subtract
Tensor.mul = pointwise.mul
Tensor.multiply = pointwise.multiply
Tensor.div = pointwise.div
Tensor.divide = pointwise.divide
Tensor.true_divide = pointwise.true_divide
Tensor.neg = pointwise.neg
Tensor.negative = pointwise.negative
Tensor.positive = pointwise.positive
Tensor.pow = pointwise.pow
Tensor.floor_divide = pointwise.floor_divide
Tensor.fmod = pointwise.fmod
Tensor.remainder = pointwise.remainder
Tensor.maximum = pointwise.maximum
Tensor.minimum = pointwise.minimum
Tensor.atan2 = pointwise.atan2
Tensor.arctan2 = pointwise.arctan2
Tensor.lerp = pointwise.lerp
Tensor.addcmul = pointwise.addcmul
Tensor.addcdiv = pointwise.addcdiv
Tensor.clamp = pointwise.clamp
Tensor.clip = pointwise.clip
Tensor.clamp_min = pointwise.clamp_min
Tensor.clamp_max = pointwise.clamp_max
Tensor.neg_ = pointwise.neg_
Tensor.negative_ = pointwise.neg_
Tensor.floor_divide_ = pointwise.floor_divide_
Tensor.fmod_ = pointwise.fmod_
Tensor.remainder_ = pointwise.remainder_
Tensor.lerp_ = pointwise.lerp_
Tensor.addcmul_ = pointwise.addcmul_
Tensor.addcdiv_ = pointwise.addcdiv_
Tensor.clamp_ = pointwise.clamp_
Tensor.clip_ = pointwise.clamp_
Tensor.clamp_min_ = pointwise.clamp_min_
Tensor.clamp_max_ = pointwise.clamp_max_
Tensor.__add__ = pointwise.add
Tensor.__radd__ = pointwise.add
Tensor.__sub__ = pointwise.sub
Tensor.__rsub__ = pointwise._rsub
Tensor.__mul__ = pointwise.mul
Tensor.__rmul__ = pointwise.mul
Tensor.__truediv__ = pointwise.true_divide
Tensor.__rtruediv__ = pointwise._rtruediv
Tensor.__pow__ = pointwise.pow
Tensor.__rpow__ = pointwise._rpow
Tensor.__neg__ = pointwise.neg
Tensor.__pos__ = pointwise.positive
Tensor.__floordiv__ = pointwise.floor_divide
Tensor.__rfloordiv__ = pointwise._rfloordiv
Tensor.__mod__ = pointwise.remainder
Tensor.__rmod__ = pointwise._rmod

# unary.py
Tensor.exp = unary.exp
Tensor.expm1 = unary.expm1
Tensor.log = unary.log
Tensor.log2 = unary.log2
Tensor.log10 = unary.log10
Tensor.log1p = unary.log1p
Tensor.sqrt = unary.sqrt
Tensor.rsqrt = unary.rsqrt
Tensor.square = unary.square
Tensor.reciprocal = unary.reciprocal
Tensor.sin = unary.sin
Tensor.cos = unary.cos
Tensor.tan = unary.tan
Tensor.atan = unary.atan
Tensor.arctan = unary.arctan
Tensor.sinh = unary.sinh
Tensor.cosh = unary.cosh
Tensor.tanh = unary.tanh
Tensor.sigmoid = unary.sigmoid
Tensor.relu = unary.relu
Tensor.erf = unary.erf
Tensor.exp_ = unary.exp_
Tensor.expm1_ = unary.expm1_
Tensor.log_ = unary.log_
Tensor.log2_ = unary.log2_
Tensor.log10_ = unary.log10_
Tensor.log1p_ = unary.log1p_
Tensor.sqrt_ = unary.sqrt_
Tensor.rsqrt_ = unary.rsqrt_
Tensor.square_ = unary.square_
Tensor.reciprocal_ = unary.reciprocal_
Tensor.sin_ = unary.sin_
Tensor.cos_ = unary.cos_
Tensor.tan_ = unary.tan_
Tensor.atan_ = unary.atan_
Tensor.arctan_ = unary.atan_
Tensor.sinh_ = unary.sinh_
Tensor.cosh_ = unary.cosh_
Tensor.tanh_ = unary.tanh_
Tensor.sigmoid_ = unary.sigmoid_
Tensor.relu_ = unary.relu_
Tensor.erf_ = unary.erf_

# rounding.py
Tensor.abs = rounding.abs
Tensor.absolute = rounding.absolute
Tensor.sign = rounding.sign
Tensor.floor = rounding.floor
Tensor.ceil = rounding.ceil
Tensor.round = rounding.round
Tensor.trunc = rounding.trunc
Tensor.fix = rounding.fix
Tensor.frac = rounding.frac
Tensor.__abs__ = rounding.abs
Tensor.abs_ = rounding.abs_
Tensor.absolute_ = rounding.abs_
Tensor.sign_ = rounding.sign_
Tensor.floor_ = rounding.floor_
Tensor.ceil_ = rounding.ceil_
Tensor.trunc_ = rounding.trunc_
Tensor.fix_ = rounding.trunc_
Tensor.round_ = rounding.round_
Tensor.frac_ = rounding.frac_

# comparison.py
Tensor.where = comparison._where_method
Tensor.isnan = comparison.isnan
Tensor.isinf = comparison.isinf
Tensor.isposinf = comparison.isposinf
Tensor.isneginf = comparison.isneginf
Tensor.isfinite = comparison.isfinite
Tensor.nan_to_num = comparison.nan_to_num
Tensor.nan_to_num_ = comparison.nan_to_num_
Tensor.isclose = comparison.isclose
Tensor.allclose = comparison.allclose
Tensor.equal = comparison.equal
Tensor.eq = comparison.eq
Tensor.ne = comparison.ne
Tensor.lt = comparison.lt
Tensor.le = comparison.le
Tensor.gt = comparison.gt
Tensor.ge = comparison.ge
Tensor.greater = comparison.greater
Tensor.greater_equal = comparison.greater_equal
Tensor.less = comparison.less
Tensor.less_equal = comparison.less_equal
Tensor.not_equal = comparison.not_equal
Tensor.logical_and = comparison.logical_and
Tensor.logical_or = comparison.logical_or
Tensor.logical_xor = comparison.logical_xor
Tensor.logical_not = comparison.logical_not
Tensor.bitwise_and = comparison.bitwise_and
Tensor.bitwise_or = comparison.bitwise_or
Tensor.bitwise_xor = comparison.bitwise_xor
Tensor.bitwise_not = comparison.bitwise_not
Tensor.__eq__ = comparison._eq_operator
Tensor.__ne__ = comparison._ne_operator
Tensor.__lt__ = comparison.lt
Tensor.__le__ = comparison.le
Tensor.__gt__ = comparison.gt
Tensor.__ge__ = comparison.ge
Tensor.__and__ = comparison.bitwise_and
Tensor.__or__ = comparison.bitwise_or
Tensor.__xor__ = comparison.bitwise_xor
Tensor.__rand__ = comparison.bitwise_and
Tensor.__ror__ = comparison.bitwise_or
Tensor.__rxor__ = comparison.bitwise_xor
Tensor.__invert__ = comparison._invert
Tensor.bitwise_left_shift = Tensor.__lshift__ = comparison.bitwise_left_shift
Tensor.bitwise_right_shift = Tensor.__rshift__ = comparison.bitwise_right_shift
Tensor.__rlshift__ = comparison._rlshift
Tensor.__rrshift__ = comparison._rrshift

# reduce.py
Tensor.sum = reduce.sum
Tensor.mean = reduce.mean
Tensor.prod = reduce.prod
Tensor.max = reduce.max
Tensor.min = reduce.min
Tensor.amax = reduce.amax
Tensor.amin = reduce.amin
Tensor.argmax = reduce.argmax
Tensor.argmin = reduce.argmin
Tensor.var = reduce.var
Tensor.std = reduce.std
Tensor.norm = reduce.norm
Tensor.all = reduce.all
Tensor.any = reduce.any
Tensor.count_nonzero = reduce.count_nonzero
Tensor.cumsum = reduce.cumsum
Tensor.cumprod = reduce.cumprod
Tensor.cumsum_ = reduce.cumsum_
Tensor.cumprod_ = reduce.cumprod_

# softmax.py
Tensor.softmax = softmax.softmax
Tensor.log_softmax = softmax.log_softmax
Tensor.logsumexp = softmax.logsumexp

# sorting.py
Tensor.sort = sorting.sort
Tensor.argsort = sorting.argsort
Tensor.topk = sorting.topk
Tensor.unique = sorting.unique

# shape.py
Tensor.view = shape.view
Tensor.view_as = shape._view_as
Tensor.reshape = shape.reshape
Tensor.reshape_as = shape._reshape_as
Tensor.permute = shape.permute
Tensor.transpose = shape.transpose
Tensor.t = shape.t
Tensor.adjoint = shape.adjoint
Tensor.swapaxes = shape.swapaxes
Tensor.swapdims = shape.swapdims
Tensor.movedim = shape.movedim
Tensor.moveaxis = shape.moveaxis
Tensor.expand = shape.expand
Tensor.expand_as = shape.expand_as
Tensor.broadcast_to = shape.broadcast_to
Tensor.squeeze = shape.squeeze
Tensor.unsqueeze = shape.unsqueeze
Tensor.flatten = shape.flatten
Tensor.unflatten = shape.unflatten
Tensor.contiguous = shape.contiguous
Tensor.narrow = shape.narrow
Tensor.select = shape.select
Tensor.diagonal = shape.diagonal
Tensor.mT = property(shape._mT)
Tensor.T = property(shape._T)
Tensor.mH = property(shape._mT)

# linalg.py
Tensor.matmul = linalg.matmul
Tensor.__matmul__ = linalg._matmul_operator
Tensor.__rmatmul__ = linalg._rmatmul
Tensor.mm = linalg.mm
Tensor.bmm = linalg.bmm
Tensor.mv = linalg.mv
Tensor.dot = linalg.dot
Tensor.vdot = linalg.vdot
Tensor.inner = linalg.inner
Tensor.outer = linalg.outer
Tensor.ger = linalg.ger
Tensor.addmm = linalg.addmm
Tensor.baddbmm = linalg.baddbmm

# joining.py
Tensor.split = joining._split_method
Tensor.tensor_split = joining.tensor_split
Tensor.chunk = joining.chunk
Tensor.unbind = joining.unbind

# rearrange.py
Tensor.flip = rearrange.flip
Tensor.unfold = rearrange.unfold
Tensor.fliplr = rearrange.fliplr
Tensor.flipud = rearrange.flipud
Tensor.roll = rearrange.roll
Tensor.repeat = rearrange._repeat
Tensor.tile = rearrange.tile
Tensor.repeat_interleave = rearrange.repeat_interleave
Tensor.tril = rearrange.tril
Tensor.triu = rearrange.triu
Tensor.tril_ = rearrange._tril_
Tensor.triu_ = rearrange._triu_
Tensor.diag = rearrange.diag

# gather_scatter.py
Tensor.gather = gather_scatter.gather
Tensor.scatter = gather_scatter.scatter
Tensor.scatter_add = gather_scatter.scatter_add
Tensor.scatter_ = gather_scatter._scatter_
Tensor.scatter_add_ = gather_scatter._scatter_add_
Tensor.index_select = gather_scatter.index_select
Tensor.index_add = gather_scatter.index_add
Tensor.index_add_ = gather_scatter._index_add_
Tensor.index_fill = gather_scatter.index_fill
Tensor.index_fill_ = gather_scatter._index_fill_
Tensor.masked_fill = gather_scatter.masked_fill
Tensor.masked_fill_ = gather_scatter._masked_fill_
Tensor.masked_select = gather_scatter.masked_select
Tensor.take_along_dim = gather_scatter.take_along_dim
Tensor.nonzero = gather_scatter.nonzero
Tensor.argwhere = gather_scatter.argwhere

# indexing.py
Tensor.__getitem__ = indexing.getitem
Tensor.__setitem__ = indexing.setitem

# composite.py, math_composite.py
from .ops import composite, math_composite  # noqa: E402

Tensor.ravel = composite.ravel
Tensor.diff = composite.diff
Tensor.rot90 = composite.rot90
Tensor.trace = composite.trace
Tensor.nansum = composite.nansum
Tensor.nanmean = composite.nanmean
Tensor.logaddexp = math_composite.logaddexp
Tensor.logaddexp2 = math_composite.logaddexp2
Tensor.xlogy = math_composite.xlogy
Tensor.exp2 = math_composite.exp2
Tensor.deg2rad = math_composite.deg2rad
Tensor.rad2deg = math_composite.rad2deg
Tensor.msort = composite.msort
Tensor.is_signed = composite.is_signed
Tensor.tensor_split = composite.tensor_split
Tensor.hsplit = composite.hsplit
Tensor.vsplit = composite.vsplit
Tensor.dsplit = composite.dsplit
Tensor.is_nonzero = composite.is_nonzero
Tensor.is_same_size = composite.is_same_size
Tensor.diagflat = composite.diagflat
Tensor.logit = math_composite.logit
Tensor.hypot = math_composite.hypot
Tensor.fmax = math_composite.fmax
Tensor.fmin = math_composite.fmin
Tensor.float_power = math_composite.float_power
Tensor.cross = composite.cross
Tensor.take = composite.take

# inverse_trig.py
from .ops import inverse_trig  # noqa: E402

Tensor.asin = inverse_trig.asin
Tensor.acos = inverse_trig.acos
Tensor.asinh = inverse_trig.asinh
Tensor.acosh = inverse_trig.acosh
Tensor.atanh = inverse_trig.atanh
Tensor.arcsin = inverse_trig.arcsin
Tensor.arccos = inverse_trig.arccos
Tensor.arcsinh = inverse_trig.arcsinh
Tensor.arccosh = inverse_trig.arccosh
Tensor.arctanh = inverse_trig.arctanh

# order_statistics.py, counting.py
from .ops import counting, order_statistics  # noqa: E402

Tensor.median = order_statistics.median
Tensor.kthvalue = order_statistics.kthvalue
Tensor.aminmax = order_statistics.aminmax
Tensor.bincount = counting.bincount
Tensor.histc = counting.histc
Tensor.signbit = math_composite.signbit
Tensor.copysign = math_composite.copysign
Tensor.split_with_sizes = composite.split_with_sizes
Tensor.unsafe_split = composite.unsafe_split
Tensor.unsafe_split_with_sizes = composite.unsafe_split_with_sizes
Tensor.unsafe_chunk = composite.unsafe_chunk

# cumulative.py, statistics.py
from .ops import cumulative, statistics  # noqa: E402

Tensor.cummax = cumulative.cummax
Tensor.cummin = cumulative.cummin
Tensor.logcumsumexp = cumulative.logcumsumexp
Tensor.cov = statistics.cov
Tensor.corrcoef = statistics.corrcoef
Tensor.dist = statistics.dist
Tensor.quantile = order_statistics.quantile
