"""Representative calls of every ``nn.functional`` op, written once for both libraries.

Each case is ``fn(F, *inputs)`` where ``F`` is ``torch.nn.functional`` or
``minitorch.nn.functional`` and the inputs are drawn from the specs below (float inputs
require grad unless marked constant). In-place ops run on a ``clone()`` of a leaf, as a
leaf that requires grad cannot be modified in place.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Normal:
    shape: tuple
    requires_grad: bool = True

    def draw(self, rng):
        return rng.standard_normal(self.shape).astype("float32")


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float
    shape: tuple
    requires_grad: bool = True

    def draw(self, rng):
        return rng.uniform(self.low, self.high, size=self.shape).astype("float32")


@dataclass(frozen=True)
class Ints:
    """Class indices (int64), or any integers in [low, high)."""
    high: int
    shape: tuple
    low: int = 0
    requires_grad: bool = False

    def draw(self, rng):
        return rng.integers(self.low, self.high, size=self.shape).astype("int64")


@dataclass(frozen=True)
class Signs:
    """+1 / -1 targets of the margin and embedding losses (float, constant)."""
    shape: tuple
    requires_grad: bool = False

    def draw(self, rng):
        return np.where(rng.random(self.shape) < 0.5, -1.0, 1.0).astype("float32")


def const(shape, low=0.0, high=1.0):
    """A float input that does not require grad (a target)."""
    return Uniform(low, high, shape, requires_grad=False)


@dataclass(frozen=True)
class Case:
    id: str
    fn: object
    inputs: tuple

    @property
    def op(self) -> str:
        return self.id.split("[")[0]


def case(op: str, variant: str, fn, *inputs) -> Case:
    return Case(f"{op}[{variant}]" if variant else op, fn, inputs)


X = Normal((3, 5))          # a batch of 3 rows of 5 features
IMAGE = Normal((2, 3, 6, 6))
SIGNAL = Normal((2, 3, 8))
POSITIVE = Uniform(0.1, 0.9, (3, 5))

ACTIVATIONS = [
    "relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "tanh",
    "sigmoid", "logsigmoid", "softsign", "tanhshrink", "hardtanh", "hardswish", "hardsigmoid",
    "hardshrink", "softshrink", "leaky_relu",
]
IN_PLACE = ["relu_", "elu_", "leaky_relu_", "hardtanh_"]

CASES = [case(name, "", lambda F, x, name=name: getattr(F, name)(x), X) for name in ACTIVATIONS]
CASES += [case(name, "", lambda F, x, name=name: getattr(F, name)(x.clone()), X) for name in IN_PLACE]
CASES += [
    case("relu", "inplace", lambda F, x: F.relu(x.clone(), inplace=True), X),
    case("gelu", "tanh", lambda F, x: F.gelu(x, approximate="tanh"), X),
    case("softplus", "beta", lambda F, x: F.softplus(x, beta=2.0, threshold=1.0), X),
    case("threshold", "", lambda F, x: F.threshold(x, 0.1, -2.0), X),
    case("threshold_", "", lambda F, x: F.threshold_(x.clone(), 0.1, -2.0), X),
    case("prelu", "per-channel", lambda F, x, w: F.prelu(x, w), Normal((2, 3, 4)), Normal((3,))),
    case("prelu", "shared", lambda F, x, w: F.prelu(x, w), Normal((2, 3, 4)), Normal((1,))),
    case("glu", "", lambda F, x: F.glu(x, dim=0), Normal((4, 5))),
    case("softmax", "", lambda F, x: F.softmax(x, dim=1), X),
    case("log_softmax", "", lambda F, x: F.log_softmax(x, dim=-1), X),
    case("softmin", "", lambda F, x: F.softmin(x, dim=0), X),
]

CASES += [
    case("linear", "2d-bias", lambda F, x, w, b: F.linear(x, w, b), X, Normal((4, 5)), Normal((4,))),
    case("linear", "2d-nobias", lambda F, x, w: F.linear(x, w), X, Normal((4, 5))),
    case("linear", "3d-bias", lambda F, x, w, b: F.linear(x, w, b), Normal((2, 3, 5)), Normal((4, 5)),
         Normal((4,))),
    case("linear", "3d-nobias", lambda F, x, w: F.linear(x, w), Normal((2, 3, 5)), Normal((4, 5))),
    case("linear", "1d-nobias", lambda F, x, w: F.linear(x, w), Normal((5,)), Normal((4, 5))),
    case("linear", "1d", lambda F, x, w, b: F.linear(x, w, b), Normal((5,)), Normal((4, 5)), Normal((4,))),
    case("bilinear", "bias", lambda F, a, b, w, c: F.bilinear(a, b, w, c), Normal((3, 4)), Normal((3, 5)),
         Normal((2, 4, 5)), Normal((2,))),
    case("bilinear", "nobias", lambda F, a, b, w: F.bilinear(a, b, w), Normal((3, 4)), Normal((3, 5)),
         Normal((2, 4, 5))),
]

REDUCTIONS = ["mean", "sum", "none"]
# pointwise losses: (input, target) of the same shape, target constant
for reduction in REDUCTIONS:
    r = reduction
    CASES += [
        case("mse_loss", r, lambda F, x, t, r=r: F.mse_loss(x, t, reduction=r), X, const((3, 5))),
        case("l1_loss", r, lambda F, x, t, r=r: F.l1_loss(x, t, reduction=r), X, const((3, 5))),
        case("smooth_l1_loss", r, lambda F, x, t, r=r: F.smooth_l1_loss(x, t, reduction=r, beta=0.5), X,
             const((3, 5))),
        case("huber_loss", r, lambda F, x, t, r=r: F.huber_loss(x, t, reduction=r, delta=0.5), X,
             const((3, 5))),
        case("binary_cross_entropy", r, lambda F, x, t, r=r: F.binary_cross_entropy(x, t, reduction=r),
             POSITIVE, const((3, 5))),
        case("binary_cross_entropy_with_logits", r,
             lambda F, x, t, r=r: F.binary_cross_entropy_with_logits(x, t, reduction=r), X, const((3, 5))),
        case("kl_div", r, lambda F, x, t, r=r: F.kl_div(x, t, reduction=r), X, const((3, 5))),
        case("soft_margin_loss", r, lambda F, x, t, r=r: F.soft_margin_loss(x, t, reduction=r), X,
             Signs((3, 5))),
        case("cross_entropy", r, lambda F, x, t, r=r: F.cross_entropy(x, t, reduction=r), X, Ints(5, (3,))),
        case("nll_loss", r, lambda F, x, t, r=r: F.nll_loss(x, t, reduction=r), X, Ints(5, (3,))),
        case("poisson_nll_loss", r, lambda F, x, t, r=r: F.poisson_nll_loss(x, t, reduction=r), X,
             const((3, 5), 0, 3)),
        case("gaussian_nll_loss", r, lambda F, x, t, v, r=r: F.gaussian_nll_loss(x, t, v, reduction=r), X,
             const((3, 5)), Uniform(0.5, 1.5, (3, 5))),
        case("hinge_embedding_loss", r, lambda F, x, t, r=r: F.hinge_embedding_loss(x, t, reduction=r), X,
             Signs((3, 5))),
        case("margin_ranking_loss", r, lambda F, a, b, t, r=r: F.margin_ranking_loss(a, b, t, 0.1, reduction=r),
             Normal((5,)), Normal((5,)), Signs((5,))),
        case("cosine_embedding_loss", r,
             lambda F, a, b, t, r=r: F.cosine_embedding_loss(a, b, t, 0.1, reduction=r),
             X, Normal((3, 5)), Signs((3,))),
    ]

CASES += [
    case("mse_loss", "target-grad", lambda F, x, t: F.mse_loss(x, t), X, Normal((3, 5))),
    case("mse_loss", "weight", lambda F, x, t, w: F.mse_loss(x, t, weight=w), X, const((3, 5)),
         const((3, 5))),
    case("huber_loss", "weight", lambda F, x, t, w: F.huber_loss(x, t, weight=w), X, const((3, 5)),
         const((3, 5))),
    case("binary_cross_entropy", "weight", lambda F, x, t, w: F.binary_cross_entropy(x, t, w),
         POSITIVE, const((3, 5)), const((5,))),
    case("binary_cross_entropy_with_logits", "weight-posweight",
         lambda F, x, t, w, p: F.binary_cross_entropy_with_logits(x, t, w, pos_weight=p),
         X, const((3, 5)), const((5,)), const((5,), 0.5, 2)),
    case("binary_cross_entropy_with_logits", "target-grad",
         lambda F, x, t: F.binary_cross_entropy_with_logits(x, t), X, Uniform(0, 1, (3, 5))),
    case("cross_entropy", "weight", lambda F, x, t, w: F.cross_entropy(x, t, w), X, Ints(5, (3,)),
         const((5,))),
    case("cross_entropy", "ignore-index", lambda F, x, t: F.cross_entropy(x, t, ignore_index=1), X,
         Ints(5, (3,))),
    case("cross_entropy", "label-smoothing", lambda F, x, t: F.cross_entropy(x, t, label_smoothing=0.1),
         X, Ints(5, (3,))),
    case("cross_entropy", "3d", lambda F, x, t: F.cross_entropy(x, t), Normal((2, 5, 4)), Ints(5, (2, 4))),
    case("cross_entropy", "probabilities", lambda F, x, t: F.cross_entropy(x, t), X, const((3, 5))),
    case("cross_entropy", "probabilities-smoothing",
         lambda F, x, t: F.cross_entropy(x, t, label_smoothing=0.2), X, const((3, 5))),
    case("nll_loss", "weight", lambda F, x, t, w: F.nll_loss(x, t, w), X, Ints(5, (3,)), const((5,))),
    case("nll_loss", "3d", lambda F, x, t: F.nll_loss(x, t), Normal((2, 5, 4)), Ints(5, (2, 4))),
    case("kl_div", "log-target", lambda F, x, t: F.kl_div(x, t, reduction="batchmean", log_target=True),
         X, const((3, 5))),
    case("poisson_nll_loss", "probabilities", lambda F, x, t: F.poisson_nll_loss(x, t, log_input=False),
         POSITIVE, const((3, 5), 0, 3)),
    case("gaussian_nll_loss", "full", lambda F, x, t, v: F.gaussian_nll_loss(x, t, v, full=True), X,
         const((3, 5)), Uniform(0.5, 1.5, (3, 1))),
]

CASES += [
    case("batch_norm", "train-affine",
         lambda F, x, m, v, w, b: F.batch_norm(x, m, v, w, b, training=True),
         IMAGE, const((3,)), const((3,), 0.5, 1.5), Normal((3,)), Normal((3,))),
    case("batch_norm", "train-plain", lambda F, x: F.batch_norm(x, None, None, training=True), IMAGE),
    case("batch_norm", "eval-affine", lambda F, x, m, v, w, b: F.batch_norm(x, m, v, w, b),
         IMAGE, const((3,)), const((3,), 0.5, 1.5), Normal((3,)), Normal((3,))),
    case("layer_norm", "affine", lambda F, x, w, b: F.layer_norm(x, (5,), w, b), Normal((2, 3, 5)),
         Normal((5,)), Normal((5,))),
    case("layer_norm", "plain", lambda F, x: F.layer_norm(x, (3, 5)), Normal((2, 3, 5))),
    case("group_norm", "affine", lambda F, x, w, b: F.group_norm(x, 2, w, b), Normal((2, 4, 3)),
         Normal((4,)), Normal((4,))),
    case("group_norm", "plain", lambda F, x: F.group_norm(x, 2), Normal((2, 4, 3))),
    case("normalize", "", lambda F, x: F.normalize(x, dim=1), X),
    case("cosine_similarity", "", lambda F, a, b: F.cosine_similarity(a, b), X, Normal((3, 5))),
    case("pairwise_distance", "", lambda F, a, b: F.pairwise_distance(a, b), X, Normal((3, 5))),
]

CASES += [
    case("dropout", "", lambda F, x: F.dropout(x, 0.3), X),
    case("dropout", "eval", lambda F, x: F.dropout(x, 0.3, training=False), X),
    case("dropout1d", "", lambda F, x: F.dropout1d(x, 0.3), SIGNAL),
    case("dropout2d", "", lambda F, x: F.dropout2d(x, 0.3), IMAGE),
    case("dropout3d", "", lambda F, x: F.dropout3d(x, 0.3), Normal((2, 3, 2, 2, 2))),
    case("embedding", "", lambda F, i, w: F.embedding(i, w), Ints(6, (2, 3)), Normal((6, 4))),
    case("embedding", "padding", lambda F, i, w: F.embedding(i, w, padding_idx=0), Ints(6, (2, 3)),
         Normal((6, 4))),
    case("one_hot", "", lambda F, i: F.one_hot(i, 4), Ints(4, (3,))),
]

PAD_MODES = ["constant", "reflect", "replicate", "circular"]
CASES += [case("pad", mode, lambda F, x, mode=mode: F.pad(x, (1, 2, 2, 1), mode=mode), IMAGE)
          for mode in PAD_MODES]
CASES += [case("pad", "1d-reflect", lambda F, x: F.pad(x, (2, 1), mode="reflect"), SIGNAL)]

CASES += [
    case("conv2d", "bias", lambda F, x, w, b: F.conv2d(x, w, b, padding=1), IMAGE, Normal((4, 3, 3, 3)),
         Normal((4,))),
    case("conv2d", "nobias-stride", lambda F, x, w: F.conv2d(x, w, stride=2), IMAGE, Normal((4, 3, 3, 3))),
    case("conv1d", "bias", lambda F, x, w, b: F.conv1d(x, w, b), SIGNAL, Normal((4, 3, 3)), Normal((4,))),
    case("conv_transpose2d", "bias", lambda F, x, w, b: F.conv_transpose2d(x, w, b, stride=2), IMAGE,
         Normal((3, 2, 3, 3)), Normal((2,))),
    case("conv_transpose1d", "nobias", lambda F, x, w: F.conv_transpose1d(x, w), SIGNAL, Normal((3, 2, 3))),
    case("unfold", "", lambda F, x: F.unfold(x, 2, padding=1), IMAGE),
    case("fold", "", lambda F, x: F.fold(x, (4, 4), 2), Normal((2, 12, 9))),
]

CASES += [
    case("max_pool2d", "", lambda F, x: F.max_pool2d(x, 2), IMAGE),
    case("max_pool2d_with_indices", "", lambda F, x: F.max_pool2d_with_indices(x, 3, 2, 1), IMAGE),
    case("max_pool1d", "", lambda F, x: F.max_pool1d(x, 2), SIGNAL),
    case("max_pool1d_with_indices", "", lambda F, x: F.max_pool1d_with_indices(x, 3, 2), SIGNAL),
    case("avg_pool2d", "", lambda F, x: F.avg_pool2d(x, 2), IMAGE),
    case("avg_pool2d", "padded", lambda F, x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), IMAGE),
    case("avg_pool1d", "", lambda F, x: F.avg_pool1d(x, 2), SIGNAL),
    case("adaptive_avg_pool2d", "", lambda F, x: F.adaptive_avg_pool2d(x, (4, 3)), IMAGE),
    case("adaptive_avg_pool2d", "global", lambda F, x: F.adaptive_avg_pool2d(x, 1), IMAGE),
    case("adaptive_avg_pool1d", "", lambda F, x: F.adaptive_avg_pool1d(x, 3), SIGNAL),
    case("adaptive_max_pool2d", "", lambda F, x: F.adaptive_max_pool2d(x, (4, 3)), IMAGE),
    case("adaptive_max_pool1d", "", lambda F, x: F.adaptive_max_pool1d(x, 3), SIGNAL),
]

CASES += [
    case("interpolate", "nearest", lambda F, x: F.interpolate(x, scale_factor=2), IMAGE),
    case("interpolate", "bilinear", lambda F, x: F.interpolate(x, size=(9, 7), mode="bilinear"), IMAGE),
    case("interpolate", "bilinear-corners",
         lambda F, x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True), IMAGE),
    case("interpolate", "linear", lambda F, x: F.interpolate(x, size=12, mode="linear"), SIGNAL),
    case("upsample", "", lambda F, x: F.upsample(x, scale_factor=2), IMAGE),
    case("upsample_nearest", "", lambda F, x: F.upsample_nearest(x, scale_factor=2), IMAGE),
    case("upsample_bilinear", "", lambda F, x: F.upsample_bilinear(x, scale_factor=2), IMAGE),
]

QKV = (Normal((2, 3, 4)), Normal((2, 5, 4)), Normal((2, 5, 4)))
CASES += [
    case("scaled_dot_product_attention", "", lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v), *QKV),
    case("scaled_dot_product_attention", "causal",
         lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), *QKV),
    case("multi_head_attention_forward", "",
         lambda F, x, w, b, ow, ob: F.multi_head_attention_forward(
             x, x, x, 4, 2, w, b, None, None, False, 0.0, ow, ob, need_weights=False),
         Normal((3, 2, 4)), Normal((12, 4)), Normal((12,)), Normal((4, 4)), Normal((4,))),
]
