"""Jamba family: Mamba layers interleaved with attention layers, mixture-of-experts feed-forwards.

Jamba (Lieber et al., 2024, "Jamba: A Hybrid Transformer-Mamba Language Model") stacks
pre-norm residual blocks whose mixer is either a Mamba layer or an attention layer (one in
``attn_layer_period``), and whose feed-forward is a top-2 mixture of experts on every
``expert_layer_period``-th layer and a dense gated MLP elsewhere. Attention layers have no
positional encoding: the Mamba layers carry order.

The Mamba mixer here is Mamba-2's SSD layer (Dao & Gu, 2024, "Transformers are SSMs"): one
scalar decay per head, so the recurrence ``S_t = exp(dt_t A) S_{t-1} + dt_t x_t B_t^T``,
``y_t = S_t C_t + D x_t`` has a closed, loop-free form inside a segment:
``y = ((C B^T) * L) (dt x) + exp(cumsum(dt A)) (S_past C)`` with ``L[t, s] = exp(sum_{r=s+1..t}
dt_r A)`` for ``s <= t``, 0 above the diagonal. A segment runs it in chunks of :data:`SSD_CHUNK` tokens
(Mamba-2's SSD algorithm): the closed form inside each chunk, and the state carried from chunk to chunk
by the same form one level up (:func:`ssd`), so the work grows with ``T x SSD_CHUNK``, not ``T x T``.

Carried state, per Mamba layer: the last ``d_conv - 1`` conv inputs (``past_conv.{i}``) and the
SSM state ``S`` (``past_ssm.{i}``, [B, heads, head_dim, d_state]); per attention layer the
keys/values of the last ``memory`` tokens. The whole-document reference runs the recurrence
token by token, pads the conv with zeros and lets attention see the same ``memory`` window, so
a segment started from the state the previous one left computes the same function: the SSD
closed form is the recurrence unrolled from ``S_past``, the conv state is the zero padding's
continuation, and the window keeps exactly the keys a query may see. Routing is per token.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import (REPLACE, CausalConv, ContinuousCache, GatedMLP, HybridLM, PreNormBlock, RMSNorm, StateSpec,
                     Tensor, WindowAttention, init_weights, kv_specs, segment_mask)

LAYER_TYPES = ("mamba", "attention")
FFN_TYPES = ("moe", "mlp")


@dataclass
class JambaConfig:
    vocab_size: int = 256
    hidden_size: int = 64
    num_hidden_layers: int = 4
    # Layer plan: explicit lists; when left out they are built from the periods and offsets
    # (as Hugging Face's ``JambaConfig.layers_block_type``).
    attn_layer_period: int = 4
    attn_layer_offset: int = 2
    expert_layer_period: int = 2
    expert_layer_offset: int = 1
    layer_types: Optional[List[str]] = None
    ffn_types: Optional[List[str]] = None
    # Attention
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    memory: int = 96                  # tokens an attention layer keeps (> one 64-token segment)
    # Feed-forward
    intermediate_size: int = 128
    num_experts: int = 4
    num_experts_per_tok: int = 2
    # Mamba-2 mixer
    mamba_d_state: int = 16
    mamba_d_conv: int = 4
    mamba_expand: int = 2
    mamba_headdim: int = 32
    dt_min: float = 0.001
    dt_max: float = 0.1
    rms_norm_eps: float = 1e-6
    init_std: float = 0.12
    seed: int = 3
    # A continuous cache over the model's outputs at inference (blocks.ContinuousCache: window, dim, theta,
    # mix, optional seed); no weights, so a trained model takes one as a variant (models.reexport --set).
    cache: Optional[dict] = None

    def __post_init__(self):
        n = self.num_hidden_layers
        if self.layer_types is None:
            self.layer_types = ["attention" if i % self.attn_layer_period == self.attn_layer_offset
                                else "mamba" for i in range(n)]
        if self.ffn_types is None:
            self.ffn_types = ["moe" if i % self.expert_layer_period == self.expert_layer_offset
                              else "mlp" for i in range(n)]
        for name, values, allowed in (("layer_types", self.layer_types, LAYER_TYPES),
                                      ("ffn_types", self.ffn_types, FFN_TYPES)):
            unknown = [t for t in values if t not in allowed]
            if unknown:
                raise ValueError(f"unknown {name} {unknown}; expected {allowed}")
            if len(values) != n:
                raise ValueError(f"{name} has {len(values)} entries for {n} layers")
        if self.d_inner % self.mamba_headdim:
            raise ValueError("mamba_expand * hidden_size must be a multiple of mamba_headdim")
        if not 1 <= self.num_experts_per_tok <= self.num_experts:
            raise ValueError("num_experts_per_tok must be between 1 and num_experts")

    @property
    def d_inner(self) -> int:
        return self.mamba_expand * self.hidden_size

    @property
    def mamba_heads(self) -> int:
        return self.d_inner // self.mamba_headdim

    @property
    def conv_channels(self) -> int:
        return self.d_inner + 2 * self.mamba_d_state          # x, B, C (one group)


# ----------------------------------------------------------------------------------------------
# Mamba-2 (SSD) mixer
# ----------------------------------------------------------------------------------------------

class Mamba2Mixer(nn.Module):
    """in_proj -> (z, xBC, dt); causal conv + SiLU over xBC; SSD scan; gated RMSNorm; out_proj."""

    def __init__(self, cfg: JambaConfig):
        super().__init__()
        self.heads, self.head_dim, self.d_state = cfg.mamba_heads, cfg.mamba_headdim, cfg.mamba_d_state
        self.d_inner = cfg.d_inner
        self.in_proj = nn.Linear(cfg.hidden_size, 2 * cfg.d_inner + 2 * cfg.mamba_d_state + self.heads,
                                 bias=False)
        self.conv = CausalConv(cfg.conv_channels, cfg.mamba_d_conv)
        # Mamba-2 initialisation: A in [1, 16], dt log-uniform in [dt_min, dt_max] (through an
        # inverse softplus in dt_bias), D = 1.
        self.A_log = nn.Parameter(torch.log(torch.empty(self.heads).uniform_(1.0, 16.0)))
        dt = torch.exp(torch.empty(self.heads).uniform_(math.log(cfg.dt_min), math.log(cfg.dt_max)))
        self.dt_bias = nn.Parameter(dt + torch.log(-torch.expm1(-dt)))
        self.D = nn.Parameter(torch.ones(self.heads))
        self.norm = RMSNorm(cfg.d_inner, cfg.rms_norm_eps)
        self.out_proj = nn.Linear(cfg.d_inner, cfg.hidden_size, bias=False)

    def split_inputs(self, u: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """u (B, T, d) -> z (B, T, d_inner), xBC (B, T, conv_channels), dt (B, T, H)."""
        return torch.split(self.in_proj(u), [self.d_inner, self.d_inner + 2 * self.d_state, self.heads], -1)

    def ssm_inputs(self, xBC: Tensor, dt: Tensor):
        """Conv output and raw dt -> x (B, T, H, P), B and C (B, T, N), dt (B, T, H), A (H)."""
        b, t, _ = xBC.shape
        x, Bm, Cm = torch.split(F.silu(xBC), [self.d_inner, self.d_state, self.d_state], -1)
        x = x.reshape(b, t, self.heads, self.head_dim)
        return x, Bm, Cm, F.softplus(dt + self.dt_bias), -torch.exp(self.A_log)

    def output(self, y: Tensor, z: Tensor) -> Tensor:
        """y (B, T, H, P), z (B, T, d_inner) -> (B, T, d)."""
        y = y.reshape(z.shape)
        return self.out_proj(self.norm(y * F.silu(z)))

    def forward(self, u: Tensor) -> Tensor:
        """Whole-document reference: the recurrence, one token at a time, from a zero state."""
        z, xBC, dt = self.split_inputs(u)
        x, Bm, Cm, dt, A = self.ssm_inputs(self.conv(xBC), dt)
        b, t, h, p = x.shape
        state = x.new_zeros(b, h, p, self.d_state)                               # (B, H, P, N)
        ys = []
        for i in range(t):
            decay = torch.exp(dt[:, i] * A)                                      # (B, H)
            inject = (dt[:, i, :, None] * x[:, i]).unsqueeze(-1) * Bm[:, i, None, None, :]
            state = decay[:, :, None, None] * state + inject                     # (B, H, P, N)
            y = (state * Cm[:, i, None, None, :]).sum(-1)                        # (B, H, P)
            ys.append(y + self.D[:, None] * x[:, i])
        return self.output(torch.stack(ys, dim=1), z)

    def forward_segment(self, u: Tensor, attention_mask: Tensor, position_ids: Tensor,
                        past_conv: Tensor, past_ssm: Tensor):
        """One segment, loop-free (SSD closed form). Returns (out, present_conv, present_ssm).
        The recurrence needs no positions; of the mask, only which tokens are a ragged row's padding."""
        t = u.shape[1]
        real = segment_mask(attention_mask, t)                                   # (B, T)
        z, xBC, dt = self.split_inputs(u)
        xBC, present_conv = self.conv.forward_segment(xBC, past_conv, real.sum(dim=1))
        x, Bm, Cm, dt, A = self.ssm_inputs(xBC, dt)
        # dt = 0 at padding: decay exp(0 * A) = 1 and no input, so the state leaves the segment as
        # it was after the row's last real token (x1.0 elsewhere: an unpadded run is unchanged).
        dt = dt * real.unsqueeze(-1).to(dt.dtype)                                # (B, T, H)
        y, present_ssm = ssd(x, dt, A, Bm, Cm, past_ssm)
        y = y + self.D[:, None] * x                                              # (B, T, H, P)
        return self.output(y, z), present_conv, present_ssm


# Tokens per chunk of the SSD scan: the closed form's (T x T) products and their elementwise chain become
# (T x SSD_CHUNK), 4x less work and memory traffic at 256-token segments (docs/performance.md, session 28).
SSD_CHUNK = 64


def ssd(x: Tensor, dt: Tensor, A: Tensor, Bm: Tensor, Cm: Tensor, past: Tensor,
        chunk: int = SSD_CHUNK) -> Tuple[Tensor, Tensor]:
    """The SSD scan over one segment from the state ``past``, in chunks of ``chunk`` tokens, loop-free.

    x (B, T, H, P), dt (B, T, H) (0 at a ragged row's padding: decay 1 and no input there), A (H), Bm and
    Cm (B, T, N), past (B, H, P, N) -> y (B, T, H, P) without the skip term, and the state after the
    segment (B, H, P, N). The segment is padded to whole chunks with dt = 0, which leaves the state as the
    last real position left it. Inside chunk k the closed form of the module docstring, from the state
    entering it; the states entering the chunks, and the one leaving the last, are the same form over the
    chunks: ``S_k = exp(G_k) S_past + sum_{j<k} exp(G_k - G_{j+1}) own_j``, ``G_k`` the log-decay of the
    chunks before k and ``own_j`` chunk j's own inputs decayed to its end.

    Running sums of log-decays are taken in float64 and every difference of two of them too, rounded once
    to the model's type: the difference of two large float32 sums loses the low bits (3-7x the error
    against a float64 model on the bench recipe, session 11). Above a diagonal the exponent is -inf.
    """
    b, t, h, p = x.shape
    pad = (chunk - t % chunk) % chunk
    x, dt = F.pad(x, (0, 0, 0, 0, 0, pad)), F.pad(dt, (0, 0, 0, pad))
    Bm, Cm = F.pad(Bm, (0, 0, 0, pad)), F.pad(Cm, (0, 0, 0, pad))
    c = x.shape[1] // chunk
    idx = torch.arange(chunk, device=x.device)
    causal = idx.unsqueeze(1) >= idx.unsqueeze(0)                                # (Q, Q) t >= s
    # Inside each chunk: cum from the chunk's start; segsum[t, s] = cum[t] - cum[s].
    cum = torch.cumsum((dt * A).transpose(1, 2).reshape(b, h, c, chunk).double(), dim=-1)   # (B, H, C, Q)
    segsum = (cum.unsqueeze(-1) - cum.unsqueeze(-2)).to(x.dtype)                 # (B, H, C, Q, Q)
    decay = torch.exp(segsum.masked_fill(~causal, float("-inf")))
    xdt = (x * dt.unsqueeze(-1)).transpose(1, 2).reshape(b, h, c, chunk, p)     # (B, H, C, Q, P)
    Bc, Cc = Bm.reshape(b, 1, c, chunk, -1), Cm.reshape(b, 1, c, chunk, -1)      # (B, 1, C, Q, N)
    within = ((Cc @ Bc.transpose(-1, -2)) * decay) @ xdt                         # (B, H, C, Q, P)
    # Each chunk's inputs decayed to its end.
    total = cum[..., -1]                                                         # (B, H, C)
    to_end = torch.exp((total.unsqueeze(-1) - cum).to(x.dtype)).unsqueeze(-1)    # (B, H, C, Q, 1)
    own = (xdt * to_end).transpose(-1, -2) @ Bc                                  # (B, H, C, P, N)
    # Across chunks: G (B, H, C + 1), G_0 = 0; entering[k] = exp(G_k) past + sum_{j<k} exp(G_k - G_{j+1}) own_j.
    G = F.pad(torch.cumsum(total, dim=-1), (1, 0))
    k_idx = torch.arange(c + 1, device=x.device)
    before = k_idx.unsqueeze(1) > k_idx[:-1].unsqueeze(0)                        # (C + 1, C) j < k
    carry = (G.unsqueeze(-1) - G[..., 1:].unsqueeze(-2)).to(x.dtype)             # (B, H, C + 1, C)
    carry = torch.exp(carry.masked_fill(~before, float("-inf")))
    entering = carry @ own.reshape(b, h, c, p * own.shape[-1]) \
        + torch.exp(G.to(x.dtype)).unsqueeze(-1) * past.reshape(b, h, 1, -1)     # (B, H, C + 1, P * N)
    entering = entering.reshape(b, h, c + 1, p, -1)                              # (B, H, C + 1, P, N)
    from_past = torch.exp(cum.to(x.dtype)).unsqueeze(-1)                         # (B, H, C, Q, 1)
    # (Rows by constant indices: an index computed from the shape is a host value, and feeding it to a GPU
    # Gather costs a Memcpy node, which rules out CUDA graphs; docs/model-contract.md "The families".)
    y = within + from_past * (Cc @ entering[:, :, :-1].transpose(-1, -2))        # (B, H, C, Q, P)
    y = y.reshape(b, h, c * chunk, p)[:, :, :t].transpose(1, 2)                  # (B, T, H, P)
    return y, entering[:, :, -1]


# ----------------------------------------------------------------------------------------------
# Feed-forwards
# ----------------------------------------------------------------------------------------------

class SparseMoE(nn.Module):
    """Top-k mixture of gated MLP experts. All experts run densely and are weighted by a
    scattered gate matrix (softmax over the chosen k), so no data-dependent dispatch. The weighted
    outputs are summed expert by expert on (B, T, d), not stacked to (B, T, d, E) and reduced over the
    last axis (a strided Concat and ReduceSum in the graph); the same bits, since all but k of the
    terms are exact zeros."""

    def __init__(self, cfg: JambaConfig):
        super().__init__()
        self.top_k = cfg.num_experts_per_tok
        self.router = nn.Linear(cfg.hidden_size, cfg.num_experts, bias=False)
        self.experts = nn.ModuleList(GatedMLP(cfg.hidden_size, cfg.intermediate_size)
                                     for _ in range(cfg.num_experts))

    def forward(self, x: Tensor) -> Tensor:
        logits = self.router(x)                                                  # (B, T, E)
        top, chosen = torch.topk(logits, self.top_k, dim=-1)                     # (B, T, k)
        # softmax runs in float32 under autocast while the router logits may be bfloat16.
        gates = torch.zeros_like(logits).scatter(-1, chosen, torch.softmax(top, dim=-1).to(logits.dtype))
        out = None
        for e, expert in enumerate(self.experts):
            part = expert(x) * gates[..., e:e + 1]                               # (B, T, d)
            out = part if out is None else out + part
        return out


# ----------------------------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------------------------

def jamba_block(cfg: JambaConfig, layer: int) -> PreNormBlock:
    d = cfg.hidden_size
    if cfg.layer_types[layer] == "attention":
        mixer = WindowAttention(d, cfg.num_attention_heads, cfg.num_key_value_heads, cfg.memory, alibi=False)
    else:
        mixer = Mamba2Mixer(cfg)
    ffn = SparseMoE(cfg) if cfg.ffn_types[layer] == "moe" else GatedMLP(d, cfg.intermediate_size)
    return PreNormBlock(RMSNorm(d, cfg.rms_norm_eps), RMSNorm(d, cfg.rms_norm_eps), mixer, ffn)


class Jamba(HybridLM):
    family = "jamba"

    def __init__(self, cfg: JambaConfig):
        super().__init__()
        self.config = cfg
        torch.manual_seed(cfg.seed)
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(jamba_block(cfg, i) for i in range(cfg.num_hidden_layers))
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        init_weights(self, cfg.init_std)
        if cfg.cache:
            self.cache = ContinuousCache(cfg.hidden_size, **cfg.cache)

    def layer_specs(self, layer: int) -> List[StateSpec]:
        cfg = self.config
        if cfg.layer_types[layer] == "attention":
            return kv_specs(layer, cfg.num_key_value_heads, cfg.hidden_size // cfg.num_attention_heads, cfg.memory)
        return [StateSpec(f"past_conv.{layer}", f"present_conv.{layer}", layer, "conv",
                          (cfg.conv_channels, cfg.mamba_d_conv - 1), REPLACE),
                StateSpec(f"past_ssm.{layer}", f"present_ssm.{layer}", layer, "ssm",
                          (cfg.mamba_heads, cfg.mamba_headdim, cfg.mamba_d_state), REPLACE)]

    def logits(self, hidden: Tensor) -> Tensor:
        return self.lm_head(hidden)                                              # (B, T, V)

    def hf_config(self) -> dict:
        cfg = self.config
        return {
            "model_type": "jamba", "architectures": ["JambaForCausalLM"],
            "vocab_size": cfg.vocab_size, "hidden_size": cfg.hidden_size,
            "num_hidden_layers": cfg.num_hidden_layers,
            "layer_types": list(cfg.layer_types), "layers_block_type": list(cfg.layer_types),
            "ffn_types": list(cfg.ffn_types),
            "layers_num_experts": [cfg.num_experts if f == "moe" else 1 for f in cfg.ffn_types],
            "attn_layer_period": cfg.attn_layer_period, "attn_layer_offset": cfg.attn_layer_offset,
            "expert_layer_period": cfg.expert_layer_period, "expert_layer_offset": cfg.expert_layer_offset,
            "num_attention_heads": cfg.num_attention_heads, "num_key_value_heads": cfg.num_key_value_heads,
            "head_dim": cfg.hidden_size // cfg.num_attention_heads,
            "intermediate_size": cfg.intermediate_size, "hidden_act": "silu",
            "num_experts": cfg.num_experts, "num_experts_per_tok": cfg.num_experts_per_tok,
            "router_normalization": "softmax_over_top_k",
            "mamba_version": 2, "mamba_d_state": cfg.mamba_d_state, "mamba_d_conv": cfg.mamba_d_conv,
            "mamba_expand": cfg.mamba_expand, "mamba_headdim": cfg.mamba_headdim,
            "mamba_n_heads": cfg.mamba_heads, "mamba_n_groups": 1,
            "mamba_conv_bias": True, "mamba_proj_bias": False,
            "rms_norm_eps": cfg.rms_norm_eps, "baton_memory": cfg.memory,
            "position_encoding": "none", "tie_word_embeddings": False,
            **({"baton_cache": dict(cfg.cache)} if cfg.cache else {}),
        }
