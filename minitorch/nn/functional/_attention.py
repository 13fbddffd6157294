"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

Attention mixes the values ``V`` with weights that say how well each query matches each
key: ``softmax(Q K^T * scale + mask) V``. Everything here is composed from differentiable
Tensor ops (matmul, softmax, dropout), so gradients of any order come for free.

Masks come in two conventions, as in PyTorch: a *boolean* ``attn_mask`` given to
``scaled_dot_product_attention`` marks the pairs that MAY attend (True = keep), while the
boolean masks of ``multi_head_attention_forward`` / ``nn.MultiheadAttention`` mark the
pairs that may NOT (True = masked out). Float masks are added to the scores in both.
"""
from __future__ import annotations

import math

import numpy as np

from ...backend import namespace
from ...tensor import Tensor
from ._activation import softmax
from ._dropout import dropout
from ._linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _additive(mask: Tensor, dtype, masked_value: bool) -> Tensor:
    """A mask as something to add to the scores: -inf where a boolean mask equals
    ``masked_value``, 0 elsewhere; float masks are returned as they are."""
    if mask.dtype.name != "bool":
        return mask
    array = mask._data
    bias = np.zeros_like(array, dtype=dtype.numpy)
    bias[array == masked_value] = -np.inf
    return Tensor._from_array(bias)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value`` over the last two dims.

    Args:
        query: (..., L, E); key: (..., S, E); value: (..., S, Ev).
        attn_mask: broadcastable to (..., L, S); boolean (True = may attend) or float (added).
        dropout_p: dropout probability on the attention weights (always applied when > 0,
            as in PyTorch: pass 0.0 in evaluation).
        is_causal: let position i attend only to positions <= i (no attn_mask allowed then).
        scale: defaults to 1 / sqrt(E).

    Example::

        >>> q = k = v = minitorch.randn(2, 4, 8)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        minitorch.Size([2, 4, 8])
    """
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention(enable_gqa=True) is not implemented "
                                  "in minitorch")
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must be at least 2-D")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    length, source = query.shape[-2], key.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = (query @ key.mT) * scale
    if is_causal:
        xp = namespace(query._data)
        allowed = xp.tril(xp.ones((length, source), dtype=bool))
        scores = scores + _additive(Tensor._from_array(allowed), scores.dtype, False)
    if attn_mask is not None:
        scores = scores + _additive(attn_mask, scores.dtype, False)
    weights = softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int,
                                 num_heads: int, in_proj_weight: Tensor | None,
                                 in_proj_bias: Tensor | None, bias_k: Tensor | None,
                                 bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float,
                                 out_proj_weight: Tensor, out_proj_bias: Tensor | None,
                                 training: bool = True, key_padding_mask: Tensor | None = None,
                                 need_weights: bool = True, attn_mask: Tensor | None = None,
                                 use_separate_proj_weight: bool = False,
                                 q_proj_weight: Tensor | None = None,
                                 k_proj_weight: Tensor | None = None,
                                 v_proj_weight: Tensor | None = None, static_k=None, static_v=None,
                                 average_attn_weights: bool = True, is_causal: bool = False):
    """Multi-head attention on sequence-first inputs: query (L, N, E), key/value (S, N, E)
    (or unbatched (L, E), (S, E)). Returns (output (L, N, E), weights or None).

    The projected queries, keys and values are split into ``num_heads`` slices of E / H
    features; each head attends on its own and the heads' outputs are concatenated and
    projected by ``out_proj``. Boolean masks mark what may NOT be attended (True = masked).
    """
    if bias_k is not None or bias_v is not None or add_zero_attn:
        raise NotImplementedError("MultiheadAttention's add_bias_kv and add_zero_attn are not "
                                  "implemented in minitorch")
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward's static_k / static_v are not "
                                  "implemented in minitorch")
    unbatched = query.ndim == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    elif query.ndim != 3:
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.ndim}-D query tensor")
    length, batch, embed_dim = query.shape
    source = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got "
                             f"{embed_dim}")
    head_dim = embed_dim // num_heads
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to create "
                           "this mask.")

    # projections; one matrix product when query, key and value are the same tensor
    if not use_separate_proj_weight and query is key and key is value:
        q, k, v = linear(query, in_proj_weight, in_proj_bias).chunk(3, dim=-1)
    else:
        if use_separate_proj_weight:
            w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
        else:
            w_q, w_k, w_v = in_proj_weight.chunk(3)
        b_q, b_k, b_v = in_proj_bias.chunk(3) if in_proj_bias is not None else (None,) * 3
        q, k, v = linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)

    def heads(x, steps):  # (steps, N, E) -> (N, H, steps, E / H)
        return x.reshape(steps, batch, num_heads, head_dim).permute(1, 2, 0, 3)

    q, k, v = heads(q, length), heads(k, source), heads(v, source)

    mask = None
    if attn_mask is not None:
        mask = _additive(attn_mask, q.dtype, True)
        if mask.ndim == 2:
            if tuple(mask.shape) != (length, source):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but should "
                                   f"be {(length, source)}.")
        elif mask.ndim == 3:
            if tuple(mask.shape) != (batch * num_heads, length, source):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(mask.shape)}, but should "
                                   f"be {(batch * num_heads, length, source)}.")
            mask = mask.reshape(batch, num_heads, length, source)
        else:
            raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (batch, source):
            raise AssertionError(f"expecting key_padding_mask shape of {(batch, source)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        padding = _additive(key_padding_mask, q.dtype, True).reshape(batch, 1, 1, source)
        mask = padding if mask is None else mask + padding

    scores = (q * (1.0 / math.sqrt(head_dim))) @ k.mT
    if mask is not None:
        scores = scores + mask
    weights = softmax(scores, dim=-1)
    if training and dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    out = weights @ v                                   # (N, H, L, E / H)
    out = out.permute(2, 0, 1, 3).reshape(length * batch, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(length, batch, embed_dim)

    if not need_weights:
        weights = None
    elif average_attn_weights:
        weights = weights.mean(dim=1)
    if unbatched:
        out = out.squeeze(1)
        if weights is not None:
            weights = weights.squeeze(0)
    return out, weights
