"""Transformer-XL family: segment recurrence with a key/value memory and relative positions.

Transformer-XL (Dai et al., 2019, "Transformer-XL: Attentive Language Models Beyond a
Fixed-Length Context") lets each segment attend to a memory of the previous tokens and scores
query i against key j with relative positional encodings::

    score(i, j) = (q_i + u) . k_j  +  (q_i + v) . (W_r R_{i-j})

where ``R_d`` is a sinusoid of the integer distance ``d`` and ``u``, ``v`` are learned biases
per head. Layers are pre-norm (LayerNorm) with the paper's ReLU feed-forward.

Carried state: per layer the keys/values of the last ``mem_len`` (M) tokens. The original
caches the hidden states of the previous segment and projects them again with W_k, W_v; the
projections are per token, so caching the projected keys/values instead is equivalent (and is
what the contract stores). The memory is made segment-length independent: every query attends
itself and the previous M tokens (distances 0..M), and the whole-document reference uses the
same band, so processing a document segment by segment equals the whole pass. Positions enter
only as integer distances (a table ``W_r R_d`` for d = 0..M, gathered by the distance matrix),
never as absolute positions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import List, Tuple

import torch
import torch.nn as nn

from .blocks import (HybridLM, PreNormBlock, StateSpec, Tensor, distances, init_weights,
                     key_valid_from, kv_specs, masked_softmax_attention, repeat_kv,
                     segment_key_positions, whole_positions, window_mask)

LAYER_TYPES = ("relative_attention",)


@dataclass
class TransformerXLConfig:
    vocab_size: int = 256
    hidden_size: int = 64             # d_model
    num_attention_heads: int = 4      # n_head
    num_key_value_heads: int = 2      # grouped-query keys/values (the paper has one per head)
    intermediate_size: int = 128      # d_inner
    layer_types: List[str] = field(default_factory=lambda: ["relative_attention"] * 4)
    mem_len: int = 48                 # M: tokens of memory each query attends besides itself
    init_std: float = 0.12
    seed: int = 3

    def __post_init__(self):
        unknown = [t for t in self.layer_types if t not in LAYER_TYPES]
        if unknown:
            raise ValueError(f"unknown layer types {unknown}; expected {LAYER_TYPES}")
        if self.hidden_size % self.num_attention_heads or self.num_attention_heads % self.num_key_value_heads:
            raise ValueError("hidden_size must be a multiple of the heads, heads of the kv heads")
        if self.mem_len < 1:
            raise ValueError("mem_len must be at least 1")


def relative_sinusoid(length: int, dim: int) -> Tensor:
    """R_d for the integer distances d = 0..length-1, in float32: [length, dim] = [sin ; cos]."""
    d = torch.arange(length, dtype=torch.int64).to(torch.float32)
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    angles = d.unsqueeze(1) * inv_freq.unsqueeze(0)                               # (L, dim/2)
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class RelativeAttention(nn.Module):
    """Multi-head (grouped-query) attention over the current token and the previous ``memory``
    tokens, with Transformer-XL relative position scores.

    Like ``blocks.WindowAttention``, ``attend`` sees only positions, so the whole pass and the
    segment pass differ only in the frame of keys they hand it.
    """

    def __init__(self, dim: int, heads: int, kv_heads: int, memory: int):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim, self.memory = heads, kv_heads, dim // heads, memory
        self.q = nn.Linear(dim, heads * self.head_dim, bias=False)
        self.k = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.v = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.r = nn.Linear(dim, heads * self.head_dim, bias=False)               # W_r
        self.o = nn.Linear(heads * self.head_dim, dim, bias=False)
        self.u = nn.Parameter(torch.zeros(heads, self.head_dim))                # content bias
        self.v_bias = nn.Parameter(torch.zeros(heads, self.head_dim))           # position bias
        self.register_buffer("sinusoid", relative_sinusoid(memory + 1, dim), persistent=False)

    def project(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        b, t, _ = x.shape
        q = self.q(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)        # (B, H, T, D)
        k = self.k(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)     # (B, Hkv, T, D)
        v = self.v(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        return q, k, v

    def attend(self, q: Tensor, k: Tensor, v: Tensor, query_pos: Tensor, key_pos: Tensor,
               key_valid: Tensor) -> Tensor:
        groups = self.heads // self.kv_heads
        k, v = repeat_kv(k, groups), repeat_kv(v, groups)                          # (B, H, S, D)
        content = (q + self.u.unsqueeze(1)) @ k.transpose(-1, -2)                 # (B, H, T, S)
        r = self.r(self.sinusoid).view(-1, self.heads, self.head_dim).transpose(0, 1)  # (H, M+1, D)
        table = (q + self.v_bias.unsqueeze(1)) @ r.transpose(-1, -2)              # (B, H, T, M+1)
        dist = distances(query_pos, key_pos, self.memory)                         # (B, 1, T, S)
        position = torch.gather(table, 3, dist.expand(-1, self.heads, -1, -1))   # (B, H, T, S)
        scores = (content + position) / math.sqrt(self.head_dim)
        mask = window_mask(query_pos, key_pos, key_valid, self.memory)            # (B, 1, T, S)
        out = masked_softmax_attention(scores, mask, v)                           # (B, H, T, D)
        b, _, t, _ = out.shape
        return self.o(out.transpose(1, 2).reshape(b, t, self.heads * self.head_dim))

    def forward(self, x: Tensor) -> Tensor:
        """Whole-document reference."""
        q, k, v = self.project(x)
        pos = whole_positions(x.shape[0], x.shape[1], x.device)
        return self.attend(q, k, v, pos, pos, torch.ones_like(pos, dtype=torch.bool))

    def forward_segment(self, x: Tensor, attention_mask: Tensor, position_ids: Tensor,
                        past_k: Tensor, past_v: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """One segment: returns (output, present_k, present_v) with present = [memory ; new]."""
        q, k, v = self.project(x)
        k_all = torch.cat([past_k, k], dim=2)                                     # (B, Hkv, M+T, D)
        v_all = torch.cat([past_v, v], dim=2)
        key_pos = segment_key_positions(position_ids, past_k.shape[2])
        valid = key_valid_from(key_pos, attention_mask)
        return self.attend(q, k_all, v_all, position_ids, key_pos, valid), k_all, v_all


def init_relative_biases(module: nn.Module, std: float) -> None:
    """Seeded initialisation of the u, v biases of every ``RelativeAttention`` in ``module``."""
    for m in module.modules():
        if isinstance(m, RelativeAttention):
            nn.init.normal_(m.u, 0.0, std)
            nn.init.normal_(m.v_bias, 0.0, std)


class ReluFFN(nn.Module):
    """The paper's position-wise feed-forward: Linear, ReLU, Linear."""

    def __init__(self, dim: int, inner: int):
        super().__init__()
        self.up = nn.Linear(dim, inner)
        self.down = nn.Linear(inner, dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.down(torch.relu(self.up(x)))


def transformer_xl_block(cfg: TransformerXLConfig) -> PreNormBlock:
    d = cfg.hidden_size
    attn = RelativeAttention(d, cfg.num_attention_heads, cfg.num_key_value_heads, cfg.mem_len)
    return PreNormBlock(nn.LayerNorm(d), nn.LayerNorm(d), attn, ReluFFN(d, cfg.intermediate_size))


class TransformerXL(HybridLM):
    family = "transformer_xl"

    def __init__(self, cfg: TransformerXLConfig):
        super().__init__()
        self.config = cfg
        torch.manual_seed(cfg.seed)
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(transformer_xl_block(cfg) for _ in cfg.layer_types)
        self.norm = nn.LayerNorm(cfg.hidden_size)
        self.embed_scale = math.sqrt(cfg.hidden_size)
        init_weights(self, cfg.init_std)
        init_relative_biases(self, cfg.init_std)

    def layer_specs(self, layer: int) -> List[StateSpec]:
        cfg = self.config
        return kv_specs(layer, cfg.num_key_value_heads, cfg.hidden_size // cfg.num_attention_heads, cfg.mem_len)

    def hf_config(self) -> dict:
        cfg = self.config
        return {
            "model_type": "transfo-xl", "architectures": ["TransfoXLLMHeadModel"],
            "vocab_size": cfg.vocab_size, "d_model": cfg.hidden_size, "d_embed": cfg.hidden_size,
            "n_layer": len(cfg.layer_types), "layer_types": list(cfg.layer_types),
            "n_head": cfg.num_attention_heads, "num_key_value_heads": cfg.num_key_value_heads,
            "d_head": cfg.hidden_size // cfg.num_attention_heads, "d_inner": cfg.intermediate_size,
            "mem_len": cfg.mem_len, "clamp_len": cfg.mem_len, "same_length": True,
            "attn_type": 0, "pre_lnorm": True, "untie_r": True, "div_val": 1, "cutoffs": [],
            "adaptive": False, "hidden_activation": "relu", "layer_norm_epsilon": 1e-5,
            "position_encoding": "relative_sinusoid", "tie_word_embeddings": True,
        }
