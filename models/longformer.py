"""Longformer family, causal form: sliding-window attention plus pinned global tokens.

Longformer (Beltagy, Peters and Cohan, 2020) replaces full self-attention with local attention
over a window of ``W`` neighbours plus *global* attention for a few chosen tokens. Here the
form is causal and the global tokens are the first ``G`` tokens of the document (a document's
leading tokens, like attention sinks): every later token attends to them at any distance, and
to the last ``W`` tokens before it.

Carried state, per layer: keys/values ``[B, Hkv, G + W, D]``; slots ``0..G-1`` hold the pinned
tokens (written by the segment that contains them, kept forever), slots ``G..`` the last ``W``
tokens. The segment path attends ``[pinned ; window ; segment]`` with the same rule as the
whole-document pass, ``0 <= t - s <= W`` or ``s < G``; a token at position ``< G`` is attended
exactly once: through its pinned slot once that is filled, through the segment while it is
being processed, never through a window slot. So both paths see the same keys with the same
biases and agree.

Positions: window keys get an ALiBi penalty ``slope * (t - s)``; pinned keys get a learned
per-head bias instead (their distance is unbounded). Only integer distances and the test
``s < G`` are used, never an absolute position as a float.

Deviations from the paper: causal (decoder) attention instead of a symmetric window; no
separate global query/key/value projections (in the causal form a global token attends only the
tokens before it, which its local attention already covers);
ALiBi instead of learned absolute positions; pre-RMSNorm, a SwiGLU feed-forward, embeddings
scaled by sqrt(d) and tied to the output.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import List, Tuple

import torch
import torch.nn as nn

from .blocks import (GatedMLP, HybridLM, PreNormBlock, RMSNorm, StateSpec, Tensor, WindowAttention,
                     distances, init_weights, key_valid_from, kv_specs, masked_softmax_attention,
                     real_lengths, repeat_kv, segment_key_positions, window_mask)


@dataclass
class LongformerConfig:
    vocab_size: int = 256
    hidden_size: int = 64
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    intermediate_size: int = 128
    # The layer plan: the causal window W of each layer (past tokens a query sees besides the
    # global ones). Longformer grows the window with depth.
    attention_window: List[int] = field(default_factory=lambda: [16, 24, 32, 48])
    global_tokens: int = 4            # G: the first G tokens of a document are global
    init_std: float = 0.12
    seed: int = 4

    def __post_init__(self):
        if not self.attention_window:
            raise ValueError("attention_window needs one entry per layer")
        bad = [w for w in self.attention_window if not isinstance(w, int) or w < 1]
        if bad:
            raise ValueError(f"attention windows must be positive integers, got {bad}")
        if self.global_tokens < 1:
            raise ValueError("global_tokens must be at least 1")


class GlobalLocalAttention(WindowAttention):
    """Causal window attention plus ``pinned`` global tokens (keys at position < pinned)."""

    def __init__(self, dim: int, heads: int, kv_heads: int, window: int, pinned: int):
        super().__init__(dim, heads, kv_heads, window, alibi=True)
        self.pinned = pinned
        # Learned bias of the pinned keys, per head; starts as if they sat at the window's edge.
        self.global_bias = nn.Parameter(-self.slopes * window)

    def attend(self, q: Tensor, k: Tensor, v: Tensor, query_pos: Tensor, key_pos: Tensor,
               key_valid: Tensor) -> Tensor:
        groups = self.heads // self.kv_heads
        k, v = repeat_kv(k, groups), repeat_kv(v, groups)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim)             # (B, H, T, S)
        dist = distances(query_pos, key_pos, self.window).to(scores.dtype)        # (B, 1, T, S)
        is_global = (key_pos < self.pinned)[:, None, None, :]                     # (B, 1, 1, S)
        bias = torch.where(is_global, self.global_bias.view(1, -1, 1, 1),
                           -self.slopes.view(1, -1, 1, 1) * dist)                 # (B, H, T, S)
        mask = window_mask(query_pos, key_pos, key_valid, self.window, pinned=self.pinned)
        out = masked_softmax_attention(scores + bias, mask, v)                    # (B, H, T, D)
        b, _, t, _ = out.shape
        return self.o(out.transpose(1, 2).reshape(b, t, self.heads * self.head_dim))

    def write_pinned(self, past: Tensor, new: Tensor, position_ids: Tensor, lengths: Tensor) -> Tensor:
        """Pinned slot g takes the segment's token g if the segment holds it as one of the row's
        ``lengths`` real tokens (never a ragged row's padding), else keeps past.
        past (B, Hkv, G, D), new (B, Hkv, T, D), lengths (B,) -> (B, Hkv, G, D)."""
        g = torch.arange(self.pinned, device=position_ids.device).unsqueeze(0)    # (1, G)
        offset = g - position_ids[:, :1]                                          # (B, G)
        inside = (offset >= 0) & (offset < lengths.unsqueeze(1))                  # (B, G)
        index = torch.where(inside, offset, torch.zeros_like(offset))
        index = index[:, None, :, None].expand(-1, new.shape[1], -1, new.shape[3])  # (B, Hkv, G, D)
        return torch.where(inside[:, None, :, None], new.gather(2, index), past)

    def forward_segment(self, x: Tensor, attention_mask: Tensor, position_ids: Tensor,
                        past_k: Tensor, past_v: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """One segment: (output, present_k, present_v), present = [pinned ; window ; new]."""
        q, k, v = self.project(x)
        g = self.pinned
        k_all = torch.cat([past_k, k], dim=2)                                     # (B, Hkv, G+W+T, D)
        v_all = torch.cat([past_v, v], dim=2)
        key_pos = segment_key_positions(position_ids, self.window, pinned=g)      # (B, G+W+T)
        slot = torch.arange(key_pos.shape[1], device=key_pos.device).unsqueeze(0)  # (1, G+W+T)
        # A window slot holding a global token duplicates its (filled) pinned slot.
        duplicate = (slot >= g) & (slot < g + self.window) & (key_pos < g)
        valid = key_valid_from(key_pos, attention_mask) & ~duplicate
        out = self.attend(q, k_all, v_all, position_ids, key_pos, valid)
        lengths = real_lengths(attention_mask, x.shape[1])
        present_k = torch.cat([self.write_pinned(past_k[:, :, :g], k, position_ids, lengths), past_k[:, :, g:], k], dim=2)
        present_v = torch.cat([self.write_pinned(past_v[:, :, :g], v, position_ids, lengths), past_v[:, :, g:], v], dim=2)
        return out, present_k, present_v


def longformer_block(cfg: LongformerConfig, layer: int) -> PreNormBlock:
    d = cfg.hidden_size
    attn = GlobalLocalAttention(d, cfg.num_attention_heads, cfg.num_key_value_heads,
                                cfg.attention_window[layer], cfg.global_tokens)
    return PreNormBlock(RMSNorm(d), RMSNorm(d), attn, GatedMLP(d, cfg.intermediate_size))


class Longformer(HybridLM):
    family = "longformer"

    def __init__(self, cfg: LongformerConfig):
        super().__init__()
        self.config = cfg
        torch.manual_seed(cfg.seed)
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(longformer_block(cfg, i) for i in range(len(cfg.attention_window)))
        self.norm = RMSNorm(cfg.hidden_size)
        # Scaled as in Vaswani et al.: the residual stream starts at unit scale, so the final
        # norm does not magnify float rounding of the attention sums.
        self.embed_scale = math.sqrt(cfg.hidden_size)
        init_weights(self, cfg.init_std)

    def layer_specs(self, layer: int) -> List[StateSpec]:
        cfg = self.config
        return kv_specs(layer, cfg.num_key_value_heads, cfg.hidden_size // cfg.num_attention_heads,
                        window=cfg.attention_window[layer], pinned=cfg.global_tokens)

    def hf_config(self) -> dict:
        cfg = self.config
        return {
            "model_type": "longformer", "architectures": ["LongformerForCausalLM"], "is_decoder": True,
            "vocab_size": cfg.vocab_size, "hidden_size": cfg.hidden_size,
            "num_hidden_layers": len(cfg.attention_window),
            "num_attention_heads": cfg.num_attention_heads, "num_key_value_heads": cfg.num_key_value_heads,
            "head_dim": cfg.hidden_size // cfg.num_attention_heads,
            "intermediate_size": cfg.intermediate_size, "hidden_act": "silu",
            # Causal: the number of past tokens a query sees (HF's Longformer window is two-sided).
            "attention_window": list(cfg.attention_window), "global_tokens": cfg.global_tokens,
            "position_encoding": "alibi", "tie_word_embeddings": True,
        }
