"""Universal Transformer family: one shared block applied over depth, with adaptive computation time.

The Universal Transformer (Dehghani et al., 2019, "Universal Transformers") applies ONE block
(here Transformer-XL relative attention over a memory, ``transformer_xl.RelativeAttention``,
plus a ReLU feed-forward) ``depth_steps`` times, adding a learned timing signal (step
embedding) before each step. Adaptive computation time (ACT, Graves 2016) decides per token how
much each step counts: a halting unit gives p_s per token, and the output is the ACT-weighted
sum of the step states (p_s while the cumulative probability stays below ``act_threshold``, the
remainder at the halting step; the last step halts every token still running, so the weights
sum to 1). For export, every step is computed for every token (no data-dependent early exit)
and the bookkeeping (cumulative probability, remainder, running mask) is tensor ops. As in the
tensor2tensor implementation, a halted token keeps being transformed (other tokens may still
attend it) but gets no further weight.

Carried state: per depth step s the keys/values of the last ``mem_len`` (M) tokens of that
step's attention input, named ``past_key_values.{s}.key/.value`` (the index is the depth step,
not a layer). Step s attends itself and the previous M tokens of step s, in both paths; the
halting unit and the ACT weights are per token. So a segment, given the memory of each step,
computes exactly what the whole pass computes for its tokens.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Tuple

import torch
import torch.nn as nn

from .blocks import HybridLM, State, StateSpec, Tensor, init_weights, kv_specs
from .transformer_xl import RelativeAttention, ReluFFN, init_relative_biases


@dataclass
class UniversalConfig:
    vocab_size: int = 256
    hidden_size: int = 64
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    intermediate_size: int = 128
    depth_steps: int = 4              # applications of the shared block
    act_threshold: float = 0.99       # ACT halts a token once its cumulative p would exceed this
    mem_len: int = 48                 # M: tokens of memory each query attends besides itself
    init_std: float = 0.12
    seed: int = 5

    def __post_init__(self):
        if self.depth_steps < 1:
            raise ValueError("depth_steps must be at least 1")
        if not 0.0 < self.act_threshold <= 1.0:
            raise ValueError("act_threshold must be in (0, 1]")
        if self.hidden_size % self.num_attention_heads or self.num_attention_heads % self.num_key_value_heads:
            raise ValueError("hidden_size must be a multiple of the heads, heads of the kv heads")
        if self.mem_len < 1:
            raise ValueError("mem_len must be at least 1")


class UniversalBlock(nn.Module):
    """The shared step: timing signal, halting unit, relative attention, feed-forward (pre-norm)."""

    def __init__(self, cfg: UniversalConfig):
        super().__init__()
        d = cfg.hidden_size
        self.timing = nn.Embedding(cfg.depth_steps, d)                           # learned step embedding
        self.attn_norm, self.ffn_norm = nn.LayerNorm(d), nn.LayerNorm(d)
        self.halt = nn.Linear(d, 1)
        self.attn = RelativeAttention(d, cfg.num_attention_heads, cfg.num_key_value_heads, cfg.mem_len)
        self.ffn = ReluFFN(d, cfg.intermediate_size)

    def enter(self, x: Tensor, step: int) -> Tuple[Tensor, Tensor, Tensor]:
        """Add the timing signal: (state, attention input, halting probability (B, T))."""
        x = x + self.timing.weight[step]
        a = self.attn_norm(x)
        return x, a, torch.sigmoid(self.halt(a)).squeeze(-1)

    def leave(self, x: Tensor, attended: Tensor) -> Tensor:
        x = x + attended
        return x + self.ffn(self.ffn_norm(x))

    def forward(self, x: Tensor, step: int) -> Tuple[Tensor, Tensor]:
        """Whole-document reference: (next state, halting probability)."""
        x, a, p = self.enter(x, step)
        return self.leave(x, self.attn(a)), p

    def forward_segment(self, x, step, attention_mask, position_ids, past_k, past_v):
        x, a, p = self.enter(x, step)
        h, k, v = self.attn.forward_segment(a, attention_mask, position_ids, past_k, past_v)
        return self.leave(x, h), p, k, v


def act_weights(halting: List[Tensor], threshold: float) -> List[Tensor]:
    """ACT weights of the steps from their halting probabilities (each (B, T)), sum 1 per token.

    A running token whose cumulative probability would exceed ``threshold`` halts and takes the
    remainder ``1 - cumulative``; the last step halts every token still running.
    """
    cumulative = torch.zeros_like(halting[0])
    running = torch.ones_like(halting[0], dtype=torch.bool)
    weights = []
    for s, p in enumerate(halting):
        halts = running if s == len(halting) - 1 else running & (cumulative + p > threshold)
        continues = running & ~halts
        remainder = 1.0 - cumulative
        w = torch.where(halts, remainder, torch.where(continues, p, torch.zeros_like(p)))
        cumulative = cumulative + w
        running = continues
        weights.append(w)
    return weights


def act_combine(states: List[Tensor], halting: List[Tensor], threshold: float) -> Tensor:
    """The ACT-weighted sum of the step states (each (B, T, d))."""
    weights = act_weights(halting, threshold)
    return torch.stack([w.unsqueeze(-1) * h for w, h in zip(weights, states)]).sum(0)


class UniversalTransformer(HybridLM):
    family = "universal"

    def __init__(self, cfg: UniversalConfig):
        super().__init__()
        self.config = cfg
        torch.manual_seed(cfg.seed)
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.block = UniversalBlock(cfg)
        self.norm = nn.LayerNorm(cfg.hidden_size)
        init_weights(self, cfg.init_std)
        init_relative_biases(self, cfg.init_std)

    def state_specs(self) -> List[StateSpec]:
        cfg = self.config
        head_dim = cfg.hidden_size // cfg.num_attention_heads
        return [s for step in range(cfg.depth_steps)
                for s in kv_specs(step, cfg.num_key_value_heads, head_dim, cfg.mem_len)]

    def embed_tokens(self, input_ids: Tensor) -> Tensor:
        return self.embed(input_ids) * math.sqrt(self.config.hidden_size)       # (B, T, d)

    def head(self, states: List[Tensor], halting: List[Tensor]) -> Tuple[Tensor, Tensor]:
        hidden = self.norm(act_combine(states, halting, self.config.act_threshold))
        return hidden @ self.embed.weight.t(), hidden                             # (B, T, V), (B, T, d)

    def forward(self, input_ids):
        x = self.embed_tokens(input_ids)
        states, halting = [], []
        for step in range(self.config.depth_steps):
            x, p = self.block(x, step)
            states.append(x)
            halting.append(p)
        return self.head(states, halting)

    def forward_segment(self, input_ids, attention_mask, position_ids, past: State):
        x = self.embed_tokens(input_ids)
        states, halting, present = [], [], {}
        for step in range(self.config.depth_steps):
            x, p, k, v = self.block.forward_segment(x, step, attention_mask, position_ids,
                                                    past[f"past_key_values.{step}.key"],
                                                    past[f"past_key_values.{step}.value"])
            states.append(x)
            halting.append(p)
            present[f"present.{step}.key"], present[f"present.{step}.value"] = k, v
        logits, hidden = self.head(states, halting)
        return logits, hidden, present

    def hf_config(self) -> dict:
        cfg = self.config
        return {
            "model_type": "universal_transformer", "architectures": ["UniversalTransformerForCausalLM"],
            "vocab_size": cfg.vocab_size, "hidden_size": cfg.hidden_size,
            "depth_steps": cfg.depth_steps, "shared_layers": True,
            "layer_types": ["universal_step"] * cfg.depth_steps, "state_index": "depth_step",
            "act": True, "act_threshold": cfg.act_threshold, "timing_signal": "learned_step_embedding",
            "num_attention_heads": cfg.num_attention_heads, "num_key_value_heads": cfg.num_key_value_heads,
            "head_dim": cfg.hidden_size // cfg.num_attention_heads,
            "intermediate_size": cfg.intermediate_size, "hidden_activation": "relu",
            "mem_len": cfg.mem_len, "position_encoding": "relative_sinusoid",
            "pre_lnorm": True, "layer_norm_epsilon": 1e-5, "tie_word_embeddings": True,
        }
