"""Linear attention family: kernelised attention with a running sum, plus a sliding window.

Linear attention (Katharopoulos et al. 2020, "Transformers are RNNs") replaces softmax(q k^T)
with a feature map phi(x) = elu(x) + 1, so causal attention becomes a recurrence:
``S_t = S_{t-1} + phi(k_t) v_t^T``, ``z_t = z_{t-1} + phi(k_t)``,
``y_t = phi(q_t) S_t / (phi(q_t) . z_t)``. As in Based (Arora et al. 2024), a few sliding-window
softmax layers sit between the linear layers to recall exact recent tokens.

Carried state: per linear layer the running sum and normaliser in one tensor,
``past_recurrent.{i}`` of shape [B, H, d_k, d_v + 1] (the last column is z, obtained by
appending a constant 1 to every value); per window layer the last ``sliding_window`` tokens'
keys/values. The segment path splits each sum into the carried part and the in-segment part
(a causal T x T product), which is exactly the whole-document cumulative sum.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import (REPLACE, GatedMLP, HybridLM, PreNormBlock, RMSNorm, StateSpec, Tensor,
                     WindowAttention, init_weights, kv_specs, segment_mask)

LAYER_TYPES = ("linear_attention", "sliding_attention")
EPS = 1e-6


@dataclass
class LinearAttentionConfig:
    vocab_size: int = 256
    hidden_size: int = 64
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    intermediate_size: int = 128
    layer_types: List[str] = field(default_factory=lambda: [
        "linear_attention", "linear_attention", "sliding_attention", "linear_attention"])
    sliding_window: int = 24
    init_std: float = 0.12
    seed: int = 7

    def __post_init__(self):
        unknown = [t for t in self.layer_types if t not in LAYER_TYPES]
        if unknown:
            raise ValueError(f"unknown layer types {unknown}; expected {LAYER_TYPES}")


def feature_map(x: Tensor) -> Tensor:
    return F.elu(x) + 1.0


class LinearAttentionMixer(nn.Module):
    """Causal linear attention with a carried [B, H, d_k, d_v + 1] running sum."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)

    def features(self, x: Tensor, mask: Tensor):
        """phi(q), phi(k) (B, H, T, D) and values with a ones column (B, H, T, D+1).
        Tokens with attention_mask 0 add nothing to the sums."""
        b, t, _ = x.shape
        qkv = self.qkv(x).view(b, t, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                                        # (B, H, T, D)
        keep = mask.to(x.dtype).view(b, 1, t, 1)
        v1 = torch.cat([v, torch.ones_like(v[..., :1])], dim=-1) * keep
        return feature_map(q), feature_map(k), v1

    def read_out(self, num_den: Tensor) -> Tensor:
        """(B, H, T, D+1) -> (B, T, dim): numerator / normaliser, heads merged."""
        y = num_den[..., :-1] / (num_den[..., -1:] + EPS)
        b, _, t, _ = y.shape
        return self.o(y.transpose(1, 2).reshape(b, t, self.heads * self.head_dim))

    def forward(self, x: Tensor) -> Tensor:
        """Whole document: explicit running sums S_t by a cumulative sum over tokens."""
        mask = torch.ones(x.shape[:2], dtype=torch.int64)
        q, k, v1 = self.features(x, mask)
        sums = torch.cumsum(k.unsqueeze(-1) * v1.unsqueeze(-2), dim=2)        # (B, H, T, D, D+1)
        return self.read_out(torch.einsum("bhtd,bhtde->bhte", q, sums))

    def forward_segment(self, x: Tensor, attention_mask: Tensor, position_ids: Tensor, past: Tensor):
        t = x.shape[1]
        q, k, v1 = self.features(x, segment_mask(attention_mask, t))
        idx = torch.arange(t, device=x.device)
        causal = (idx.unsqueeze(1) >= idx.unsqueeze(0)).to(x.dtype)            # (T, T)
        inside = ((q @ k.transpose(-1, -2)) * causal) @ v1                      # (B, H, T, D+1)
        carried = q @ past                                                      # (B, H, T, D+1)
        present = past + k.transpose(-1, -2) @ v1                               # (B, H, D, D+1)
        return self.read_out(inside + carried), present


def linear_attention_block(cfg: LinearAttentionConfig, kind: str) -> PreNormBlock:
    d = cfg.hidden_size
    if kind == "linear_attention":
        mixer = LinearAttentionMixer(d, cfg.num_attention_heads)
    else:
        mixer = WindowAttention(d, cfg.num_attention_heads, cfg.num_key_value_heads, cfg.sliding_window)
    return PreNormBlock(RMSNorm(d), RMSNorm(d), mixer, GatedMLP(d, cfg.intermediate_size))


class LinearAttention(HybridLM):
    family = "linear_attention"

    def __init__(self, cfg: LinearAttentionConfig):
        super().__init__()
        self.config = cfg
        torch.manual_seed(cfg.seed)
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(linear_attention_block(cfg, kind) for kind in cfg.layer_types)
        self.norm = RMSNorm(cfg.hidden_size)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        init_weights(self, cfg.init_std)

    def layer_specs(self, layer: int) -> List[StateSpec]:
        cfg = self.config
        head_dim = cfg.hidden_size // cfg.num_attention_heads
        if cfg.layer_types[layer] == "sliding_attention":
            return kv_specs(layer, cfg.num_key_value_heads, head_dim, cfg.sliding_window)
        return [StateSpec(f"past_recurrent.{layer}", f"present_recurrent.{layer}", layer, "recurrent",
                          (cfg.num_attention_heads, head_dim, head_dim + 1), REPLACE)]

    def logits(self, hidden: Tensor) -> Tensor:
        return self.lm_head(hidden)                                              # (B, T, V)

    def hf_config(self) -> dict:
        cfg = self.config
        return {
            "model_type": "linear_attention", "architectures": ["BatonLinearAttentionForCausalLM"],
            "vocab_size": cfg.vocab_size, "hidden_size": cfg.hidden_size,
            "num_hidden_layers": len(cfg.layer_types), "layer_types": list(cfg.layer_types),
            "num_attention_heads": cfg.num_attention_heads, "num_key_value_heads": cfg.num_key_value_heads,
            "intermediate_size": cfg.intermediate_size, "feature_map": "elu_plus_one",
            "sliding_window": cfg.sliding_window, "recurrent_state": "[heads, d_k, d_v + 1]; last column = normaliser",
            "tie_word_embeddings": False,
        }
