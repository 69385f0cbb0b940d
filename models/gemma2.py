"""Gemma 2 family: alternating sliding-window (local) and global attention, logit soft-capping.

Gemma 2 (Gemma Team, 2024) alternates local layers (sliding window W) with global layers, uses
grouped-query attention, GeGLU feed-forwards, RMSNorm before *and* after each sub-block, and
soft-caps attention scores and final logits with ``cap * tanh(x / cap)``.

Carried state: local layers keep the keys/values of the last ``sliding_window`` tokens, global
layers those of the last ``memory`` tokens (M >> W); a global layer attends to exactly those, so
the whole-document reference uses the same windows. Positions enter only as ALiBi distance
penalties (integer distances), never as absolute positions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import List

import torch
import torch.nn as nn

from .blocks import (GatedMLP, HybridLM, RMSNorm, StateSpec, Tensor, WindowAttention, init_weights,
                     kv_specs, soft_cap)

LAYER_TYPES = ("sliding_attention", "full_attention")


@dataclass
class Gemma2Config:
    vocab_size: int = 256
    hidden_size: int = 64
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    intermediate_size: int = 128
    layer_types: List[str] = field(default_factory=lambda: ["sliding_attention", "full_attention"] * 2)
    sliding_window: int = 16          # tokens a local layer keeps
    memory: int = 48                  # tokens a global layer keeps
    attn_logit_softcapping: float = 50.0
    final_logit_softcapping: float = 30.0
    init_std: float = 0.12
    seed: int = 2

    def __post_init__(self):
        unknown = [t for t in self.layer_types if t not in LAYER_TYPES]
        if unknown:
            raise ValueError(f"unknown layer types {unknown}; expected {LAYER_TYPES}")
        if self.memory < self.sliding_window:
            raise ValueError("memory of global layers must be at least the sliding window")

    def window_of(self, layer: int) -> int:
        return self.sliding_window if self.layer_types[layer] == "sliding_attention" else self.memory


class Gemma2Block(nn.Module):
    def __init__(self, cfg: Gemma2Config, layer: int):
        super().__init__()
        d = cfg.hidden_size
        self.attn_norm, self.post_attn_norm = RMSNorm(d), RMSNorm(d)
        self.ffn_norm, self.post_ffn_norm = RMSNorm(d), RMSNorm(d)
        self.attn = WindowAttention(d, cfg.num_attention_heads, cfg.num_key_value_heads,
                                    cfg.window_of(layer), softcap=cfg.attn_logit_softcapping)
        self.mlp = GatedMLP(d, cfg.intermediate_size, activation="gelu")

    def feed_forward(self, x: Tensor) -> Tensor:
        return x + self.post_ffn_norm(self.mlp(self.ffn_norm(x)))

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.post_attn_norm(self.attn(self.attn_norm(x)))
        return self.feed_forward(x)

    def forward_segment(self, x, attention_mask, position_ids, past: List[Tensor]):
        h, k, v = self.attn.forward_segment(self.attn_norm(x), attention_mask, position_ids, *past)
        x = x + self.post_attn_norm(h)
        return self.feed_forward(x), [k, v]


class Gemma2(HybridLM):
    family = "gemma2"

    def __init__(self, cfg: Gemma2Config):
        super().__init__()
        self.config = cfg
        torch.manual_seed(cfg.seed)
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(Gemma2Block(cfg, i) for i in range(len(cfg.layer_types)))
        self.norm = RMSNorm(cfg.hidden_size)
        self.embed_scale = math.sqrt(cfg.hidden_size)
        init_weights(self, cfg.init_std)

    def layer_specs(self, layer: int) -> List[StateSpec]:
        cfg = self.config
        return kv_specs(layer, cfg.num_key_value_heads, cfg.hidden_size // cfg.num_attention_heads,
                        cfg.window_of(layer))

    def logits(self, hidden: Tensor) -> Tensor:
        return soft_cap(hidden @ self.embed.weight.t(), self.config.final_logit_softcapping)

    def hf_config(self) -> dict:
        cfg = self.config
        return {
            "model_type": "gemma2", "architectures": ["Gemma2ForCausalLM"],
            "vocab_size": cfg.vocab_size, "hidden_size": cfg.hidden_size,
            "num_hidden_layers": len(cfg.layer_types), "layer_types": list(cfg.layer_types),
            "num_attention_heads": cfg.num_attention_heads, "num_key_value_heads": cfg.num_key_value_heads,
            "head_dim": cfg.hidden_size // cfg.num_attention_heads,
            "intermediate_size": cfg.intermediate_size, "hidden_activation": "gelu_pytorch_tanh",
            "sliding_window": cfg.sliding_window, "baton_memory": cfg.memory,
            "attn_logit_softcapping": cfg.attn_logit_softcapping,
            "final_logit_softcapping": cfg.final_logit_softcapping,
            "position_encoding": "alibi", "tie_word_embeddings": True,
        }
