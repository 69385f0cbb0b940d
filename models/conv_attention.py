"""Convolution + attention family in the LFM2 / H3 style: gated short convolutions, a few
attention layers.

LFM2 (Liquid AI, 2025), after H3 (Fu et al., 2023), builds most layers from a *gated short
convolution*: ``in_proj`` splits into ``B, C, x``; ``y = C * conv(B * x)`` with a depthwise
causal convolution of kernel ``L`` (3); ``out_proj``. A few layers are grouped-query attention
with per-head RMSNorm on queries and keys. Every layer is a pre-RMSNorm residual block followed
by a SwiGLU feed-forward; embeddings are tied to the output.

Carried state: a conv layer keeps the last ``L - 1`` inputs of its convolution, ``B * x``
(``past_conv.{i}``, ``[B, d, L - 1]``, zeros at the start = the zero left padding of the whole
pass); an attention layer keeps the keys/values of the last ``W`` tokens and attends exactly
those in the whole pass too. So the segment path sees the same inputs as the whole pass.

Positions: LFM2 uses RoPE, which rotates by the absolute position as a float; here attention
uses ALiBi instead, an integer-distance penalty (a segment at position 10^9 computes exactly
what it computes at 200) that keeps a recency bias like RoPE's. Dropping positions altogether
(NoPE, relying on the convolutions for order) would also be exact, but inside a window every
key would then weigh the same regardless of distance; ALiBi is the closer stand-in.
The attention layers are windowed (LFM2's are global) so the carried state stays bounded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import List, Tuple

import torch
import torch.nn as nn

from .blocks import (REPLACE, CausalConv, GatedMLP, HybridLM, PreNormBlock, RMSNorm, StateSpec,
                     Tensor, WindowAttention, init_weights, kv_specs, real_lengths)

LAYER_TYPES = ("conv", "attention")


@dataclass
class ConvAttentionConfig:
    vocab_size: int = 256
    hidden_size: int = 64
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    intermediate_size: int = 128
    layer_types: List[str] = field(default_factory=lambda: ["conv", "conv", "attention", "conv", "attention"])
    conv_L_cache: int = 3             # kernel size of the short convolution
    sliding_window: int = 40          # tokens an attention layer keeps
    init_std: float = 0.12
    seed: int = 6

    def __post_init__(self):
        unknown = [t for t in self.layer_types if t not in LAYER_TYPES]
        if unknown:
            raise ValueError(f"unknown layer types {unknown}; expected {LAYER_TYPES}")
        if "attention" not in self.layer_types or "conv" not in self.layer_types:
            raise ValueError("a conv/attention hybrid needs at least one layer of each type")
        if self.conv_L_cache < 2:
            raise ValueError("conv_L_cache must be at least 2 (a kernel that sees the past)")


class GatedShortConv(nn.Module):
    """LFM2 / H3 gated short convolution: y = out_proj(C * conv(B * x))."""

    def __init__(self, dim: int, kernel: int):
        super().__init__()
        self.in_proj = nn.Linear(dim, 3 * dim, bias=False)
        self.conv = CausalConv(dim, kernel)
        self.out_proj = nn.Linear(dim, dim, bias=False)

    def gates(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        b, c, h = self.in_proj(x).chunk(3, dim=-1)                                 # (B, T, d) each
        return b * h, c

    def forward(self, x: Tensor) -> Tensor:
        """Whole document: the convolution zero-pads the start."""
        bx, c = self.gates(x)
        return self.out_proj(c * self.conv(bx))

    def forward_segment(self, x: Tensor, attention_mask: Tensor, position_ids: Tensor,
                        past: Tensor) -> Tuple[Tensor, Tensor]:
        """x (B, T, d), past (B, d, L-1) -> (y (B, T, d), present (B, d, L-1)); a convolution
        needs no positions, and of the mask only each row's real length (its state ends there)."""
        bx, c = self.gates(x)
        y, present = self.conv.forward_segment(bx, past, real_lengths(attention_mask, x.shape[1]))
        return self.out_proj(c * y), present


class QKNormAttention(WindowAttention):
    """LFM2 attention: grouped-query, RMSNorm on each head's queries and keys."""

    def __init__(self, dim: int, heads: int, kv_heads: int, window: int):
        super().__init__(dim, heads, kv_heads, window, alibi=True)
        self.q_norm, self.k_norm = RMSNorm(self.head_dim), RMSNorm(self.head_dim)

    def project(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        q, k, v = super().project(x)                                              # (B, H(kv), T, D)
        return self.q_norm(q), self.k_norm(k), v


def conv_attention_block(cfg: ConvAttentionConfig, layer: int) -> PreNormBlock:
    d = cfg.hidden_size
    if cfg.layer_types[layer] == "conv":
        operator = GatedShortConv(d, cfg.conv_L_cache)
    else:
        operator = QKNormAttention(d, cfg.num_attention_heads, cfg.num_key_value_heads, cfg.sliding_window)
    return PreNormBlock(RMSNorm(d), RMSNorm(d), operator, GatedMLP(d, cfg.intermediate_size))


class ConvAttention(HybridLM):
    family = "conv_attention"

    def __init__(self, cfg: ConvAttentionConfig):
        super().__init__()
        self.config = cfg
        torch.manual_seed(cfg.seed)
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(conv_attention_block(cfg, i) for i in range(len(cfg.layer_types)))
        self.norm = RMSNorm(cfg.hidden_size)
        # Scaled so that the residual stream starts at unit scale (see longformer.py).
        self.embed_scale = math.sqrt(cfg.hidden_size)
        init_weights(self, cfg.init_std)

    def layer_specs(self, layer: int) -> List[StateSpec]:
        cfg = self.config
        if cfg.layer_types[layer] == "conv":
            return [StateSpec(f"past_conv.{layer}", f"present_conv.{layer}", layer, "conv",
                              (cfg.hidden_size, cfg.conv_L_cache - 1), REPLACE)]
        return kv_specs(layer, cfg.num_key_value_heads, cfg.hidden_size // cfg.num_attention_heads,
                        window=cfg.sliding_window)

    def hf_config(self) -> dict:
        cfg = self.config
        hf_types = ["conv" if t == "conv" else "full_attention" for t in cfg.layer_types]
        return {
            "model_type": "lfm2", "architectures": ["Lfm2ForCausalLM"],
            "vocab_size": cfg.vocab_size, "hidden_size": cfg.hidden_size,
            "num_hidden_layers": len(cfg.layer_types), "layer_types": hf_types,
            "full_attn_idxs": [i for i, t in enumerate(cfg.layer_types) if t == "attention"],
            "num_attention_heads": cfg.num_attention_heads, "num_key_value_heads": cfg.num_key_value_heads,
            "head_dim": cfg.hidden_size // cfg.num_attention_heads,
            "intermediate_size": cfg.intermediate_size, "block_ff_dim": cfg.intermediate_size,
            "hidden_act": "silu", "norm_eps": 1e-6,
            "conv_L_cache": cfg.conv_L_cache, "conv_bias": True,
            # Baton: attention layers keep (and attend) the last sliding_window tokens, ALiBi.
            "sliding_window": cfg.sliding_window, "position_encoding": "alibi",
            "tie_word_embeddings": True, "tie_embedding": True,
        }
