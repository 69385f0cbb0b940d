"""Building blocks shared by the model families, and the contract every family implements.

Every family is a :class:`HybridLM` with two paths over the same weights:

* ``forward(input_ids)``: the whole-document reference, one pass, positions ``0..N-1``;
* ``forward_segment(input_ids, attention_mask, position_ids, past)``: one segment, given the
  state the previous segment left (``past``, keyed by the contract's input names), returning
  the next state (``present``, keyed by output names) before retention.

Positions. Nothing here uses an absolute position as a float. Attention layers see only the
integer distance between a query and a key (ALiBi slopes, Transformer-XL relative encodings,
a window test); ``position_ids`` are int64 and only locate the past slots of the state, so a
document of millions of tokens is processed exactly as one of a thousand.

State layout of an attention layer with window ``W`` (keep the last ``W`` tokens) and ``G``
pinned tokens (the first ``G`` tokens of the document, kept forever):
``past`` is ``[B, H_kv, G + W, D]``: slots ``0..G-1`` hold the pinned tokens, slots
``G..G+W-1`` the last ``W`` tokens before the segment. ``present`` is ``[B, H_kv, G + W + T, D]``
and the runner keeps its first ``G`` and last ``W`` slots (see ``retain``). Slots that hold
no token yet (the document is shorter than the window) start as zeros and are never attended:
their position, derived from ``position_ids``, is negative.

Ragged batches. Rows of one batch may hold different numbers of real tokens ``L_b <= T``, padded
on the right: the last ``T`` columns of ``attention_mask`` are 1 for a row's real tokens and 0 for
its padding (``segment_mask``). A real token never sees a padded one (padding comes after it), so
attention needs nothing more; a state that the segment's end defines is taken at the row's last
real token instead: a causal conv keeps the inputs ending there, an SSM or a running sum adds
nothing at padded positions, pinned slots take only real tokens, and the runner keeps the window
ending at the last real token (``retain`` with ``lengths``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

Tensor = torch.Tensor
State = Dict[str, Tensor]


# ----------------------------------------------------------------------------------------------
# The state plan
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Retention:
    """What the runner keeps of a ``present`` tensor before it becomes the next ``past``.

    ``replace``: the tensor is fixed-size (conv, SSM, recurrent state) and replaces the past.
    ``window``: attention keys/values along ``axis``; keep the first ``pinned`` and the last
    ``window`` slots.
    """
    policy: str
    window: int = 0
    pinned: int = 0
    axis: int = 2

    def to_json(self) -> dict:
        if self.policy == "replace":
            return {"policy": "replace"}
        return {"policy": "window", "window": self.window, "pinned": self.pinned, "axis": self.axis}


REPLACE = Retention("replace")


@dataclass(frozen=True)
class StateSpec:
    """One state tensor: its contract names, layer, per-batch shape and retention."""
    input: str                 # e.g. past_key_values.3.key
    output: str                # e.g. present.3.key
    layer: int                 # absolute layer index (or depth step for the universal transformer)
    kind: str                  # key | value | conv | ssm | recurrent
    shape: Tuple[int, ...]     # without the leading batch axis
    retention: Retention
    dtype: str = "float32"
    initial: str = "zeros"

    def to_json(self) -> dict:
        return {
            "input": self.input, "output": self.output, "layer": self.layer, "kind": self.kind,
            "shape": ["batch", *self.shape], "dtype": self.dtype, "initial": self.initial,
            "retention": self.retention.to_json(),
        }


def kv_specs(layer: int, kv_heads: int, head_dim: int, window: int, pinned: int = 0) -> List[StateSpec]:
    """The key and value specs of one attention layer."""
    keep = Retention("window", window=window, pinned=pinned)
    shape = (kv_heads, pinned + window, head_dim)
    return [
        StateSpec(f"past_key_values.{layer}.key", f"present.{layer}.key", layer, "key", shape, keep),
        StateSpec(f"past_key_values.{layer}.value", f"present.{layer}.value", layer, "value", shape, keep),
    ]


def retain(present: Tensor, retention: Retention, lengths: Optional[Tensor] = None) -> Tensor:
    """Apply a retention policy to a ``present`` tensor (the runner's job, here for tests).

    ``lengths`` (B,), in a ragged batch, are the rows' real tokens: row b keeps its pinned slots
    and the ``window`` slots ending at its last real token, ``[G + L_b, G + W + L_b)`` of the
    ``G + W + T`` slots; with every ``L_b = T`` that is the last ``window`` slots."""
    if retention.policy == "replace":
        return present
    axis, pinned, window = retention.axis, retention.pinned, retention.window
    if lengths is None:
        length = present.shape[axis]
        head = present.narrow(axis, 0, pinned)
        tail = present.narrow(axis, length - window, window)
        return torch.cat([head, tail], dim=axis)
    slots = torch.arange(pinned + window, device=present.device).unsqueeze(0)      # (1, G+W)
    index = torch.where(slots < pinned, slots, slots + lengths.unsqueeze(1))        # (B, G+W)
    shape = [1] * present.dim()
    shape[0], shape[axis] = index.shape
    sizes = list(present.shape)
    sizes[axis] = pinned + window
    return present.gather(axis, index.view(shape).expand(sizes))


# ----------------------------------------------------------------------------------------------
# The family contract
# ----------------------------------------------------------------------------------------------

class HybridLM(nn.Module):
    """Base class of every family: a decoder stack ``embed -> layers -> norm -> logits``.

    Subclasses set ``self.config``, ``self.embed``, ``self.layers`` and ``self.norm`` and
    implement ``layer_specs(i)``. Each layer provides ``forward(x)`` (whole document) and
    ``forward_segment(x, attention_mask, position_ids, past) -> (x, present)``, where ``past``
    and ``present`` are lists in the order of ``layer_specs(i)``. Families with another shape
    (the Universal Transformer's shared block) override ``forward`` and ``forward_segment``.
    """

    family: str = ""
    embed_scale: float = 1.0          # Gemma / Transformer-XL style sqrt(d) scaling when set

    def layer_specs(self, layer: int) -> List[StateSpec]:
        raise NotImplementedError

    def state_specs(self) -> List[StateSpec]:
        specs = [s for i in range(len(self.layers)) for s in self.layer_specs(i)]
        cache = self.continuous_cache()
        return specs + (cache.specs(len(self.layers)) if cache is not None else [])

    def continuous_cache(self) -> Optional["ContinuousCache"]:
        """The model's continuous cache over its own outputs, when its configuration has one."""
        return getattr(self, "cache", None)

    def initial_state(self, batch: int, device=None) -> State:
        """The documented initial state: every tensor zeros (no token seen yet)."""
        return {s.input: torch.zeros((batch, *s.shape), dtype=torch.float32, device=device)
                for s in self.state_specs()}

    def mask_past(self) -> int:
        """Length of the past part of ``attention_mask``: the longest attention past."""
        return max([s.shape[1] for s in self.state_specs() if s.kind == "key"], default=0)

    def embed_tokens(self, input_ids: Tensor) -> Tensor:
        x = self.embed(input_ids)                                                 # (B, T, d)
        return x if self.embed_scale == 1.0 else x * self.embed_scale

    def logits(self, hidden: Tensor) -> Tensor:
        """Output projection; tied to the embedding unless a family overrides it."""
        return hidden @ self.embed.weight.t()                                     # (B, T, V)

    def head(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        hidden = self.norm(x)
        return self.logits(hidden), hidden

    def forward(self, input_ids: Tensor) -> Tuple[Tensor, Tensor]:
        """Whole-document reference: (logits [B, N, V], last_hidden_state [B, N, d])."""
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x)
        logits, hidden = self.head(x)
        cache = self.continuous_cache()
        return (logits, hidden) if cache is None else (cache(logits, hidden, input_ids), hidden)

    def forward_segment(self, input_ids: Tensor, attention_mask: Tensor, position_ids: Tensor,
                        past: State) -> Tuple[Tensor, Tensor, State]:
        """One segment with carried state: (logits, last_hidden_state, present by output name)."""
        x = self.embed_tokens(input_ids)
        present = {}
        for i, layer in enumerate(self.layers):
            specs = self.layer_specs(i)
            x, outs = layer.forward_segment(x, attention_mask, position_ids, [past[s.input] for s in specs])
            present.update((s.output, t) for s, t in zip(specs, outs))
        logits, hidden = self.head(x)
        cache = self.continuous_cache()
        if cache is not None:
            cache_specs = cache.specs(len(self.layers))
            logits, outs = cache.forward_segment(logits, hidden, input_ids, attention_mask, position_ids,
                                                 *[past[s.input] for s in cache_specs])
            present.update((s.output, t) for s, t in zip(cache_specs, outs))
        return logits, hidden, present

    def hf_config(self) -> dict:
        """``config.json`` content (Hugging Face style)."""
        raise NotImplementedError


def init_weights(module: nn.Module, std: float) -> None:
    """Seeded random initialisation, wide enough that attention patterns and state matter."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, std)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.normal_(m.bias, 0.0, std)


# ----------------------------------------------------------------------------------------------
# Layers
# ----------------------------------------------------------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class GatedMLP(nn.Module):
    """SwiGLU / GeGLU feed-forward."""

    def __init__(self, dim: int, hidden: int, activation: str = "silu"):
        super().__init__()
        self.gate = nn.Linear(dim, hidden, bias=False)
        self.up = nn.Linear(dim, hidden, bias=False)
        self.down = nn.Linear(hidden, dim, bias=False)
        self.act = {"silu": F.silu, "gelu": lambda t: F.gelu(t, approximate="tanh")}[activation]

    def forward(self, x: Tensor) -> Tensor:
        return self.down(self.act(self.gate(x)) * self.up(x))


def soft_cap(x: Tensor, cap: Optional[float]) -> Tensor:
    """Gemma 2 logit soft-capping: cap * tanh(x / cap)."""
    return x if not cap else cap * torch.tanh(x / cap)


def alibi_slopes(heads: int) -> Tensor:
    """ALiBi head slopes (geometric, 2^(-8 h / H)): a linear distance penalty per head."""
    return torch.tensor([2.0 ** (-8.0 * (h + 1) / heads) for h in range(heads)])


# ----------------------------------------------------------------------------------------------
# Positions and masks
# ----------------------------------------------------------------------------------------------

def whole_positions(batch: int, length: int, device=None) -> Tensor:
    """Positions 0..N-1 for the whole-document reference: [B, N] int64."""
    return torch.arange(length, device=device).unsqueeze(0).expand(batch, length)


def segment_key_positions(position_ids: Tensor, past_window: int, pinned: int = 0) -> Tensor:
    """Absolute positions of the key slots ``[pinned ; window ; segment]`` of a segment.

    position_ids: [B, T] absolute positions of the segment's tokens (contiguous).
    Returns [B, pinned + past_window + T] int64. Window slot k (0-based) holds the token at
    ``t0 - past_window + k``; pinned slot g holds token g. Slots whose token does not exist
    yet get a negative position (see ``key_valid``).
    """
    t0 = position_ids[:, :1]                                               # (B, 1)
    # t0 + (k - past_window), the offsets one arange: past_window may be a traced shape (a host scalar
    # in ONNX Runtime); as Range's bound it stays on the host, where ``t0 - past_window`` would copy it
    # to the GPU (a Memcpy node, which rules out CUDA graphs).
    window = t0 + torch.arange(-past_window, 0, device=position_ids.device)
    parts = [window, position_ids]
    if pinned:
        g = torch.arange(pinned, device=position_ids.device).unsqueeze(0)       # (1, G)
        # A pinned slot is filled once its token has been seen before this segment.
        parts.insert(0, torch.where(g < t0, g, -torch.ones_like(g)))
    return torch.cat(parts, dim=1)


def window_mask(query_pos: Tensor, key_pos: Tensor, key_valid: Tensor, window: int,
                pinned: int = 0) -> Tensor:
    """Boolean [B, 1, T, S]: query t may attend key s.

    A query attends a valid key at distance ``0 <= t - s <= window``; with ``pinned`` > 0 it
    also attends the first ``pinned`` tokens of the document at any distance.
    """
    d = query_pos.unsqueeze(-1) - key_pos.unsqueeze(-2)                      # (B, T, S) int64
    allowed = (d >= 0) & (d <= window)
    if pinned:
        allowed = allowed | ((d >= 0) & (key_pos.unsqueeze(-2) < pinned))
    return (allowed & key_valid.unsqueeze(-2)).unsqueeze(1)


def segment_mask(attention_mask: Tensor, length: int) -> Tensor:
    """The segment's part of ``attention_mask`` (its last ``length`` columns): (B, T), 1 for a
    real token, 0 for a ragged row's padding on the right."""
    return attention_mask[:, attention_mask.shape[1] - length:]


def real_lengths(attention_mask: Tensor, length: int) -> Tensor:
    """(B,) int64: each row's real tokens L_b (padding is on the right, so they are its first L_b)."""
    return segment_mask(attention_mask, length).sum(dim=1)


def key_valid_from(key_pos: Tensor, attention_mask: Tensor) -> Tensor:
    """Keys that hold a real token: position >= 0 and not masked out by ``attention_mask``.

    ``attention_mask`` is [B, P + T] for the longest past P of the model; a layer whose key
    frame is shorter uses its right-aligned suffix.
    """
    frame = key_pos.shape[1]
    return (key_pos >= 0) & (attention_mask[:, attention_mask.shape[1] - frame:] > 0)


def masked_softmax_attention(scores: Tensor, mask: Tensor, v: Tensor) -> Tensor:
    """softmax over allowed keys, then weights @ v. scores (B, H, T, S), mask (B, 1, T, S)."""
    scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    return torch.softmax(scores, dim=-1) @ v


def repeat_kv(x: Tensor, groups: int) -> Tensor:
    """(B, H_kv, S, D) -> (B, H_kv * groups, S, D) for grouped-query attention."""
    if groups == 1:
        return x
    b, h, s, d = x.shape
    return x.unsqueeze(2).expand(b, h, groups, s, d).reshape(b, h * groups, s, d)


def distances(query_pos: Tensor, key_pos: Tensor, limit: int) -> Tensor:
    """Integer distances t - s clamped to [0, limit]: (B, 1, T, S) int64, for position tables."""
    d = query_pos.unsqueeze(-1) - key_pos.unsqueeze(-2)
    return d.clamp(0, limit).unsqueeze(1)


# ----------------------------------------------------------------------------------------------
# Attention with a carried key/value window
# ----------------------------------------------------------------------------------------------

class WindowAttention(nn.Module):
    """Multi-head (grouped-query) causal attention over a sliding window of ``window`` past
    tokens, with an optional ALiBi distance bias and Gemma 2 soft-capping.

    The same module serves both paths: ``attend(q, k, v, query_pos, key_pos, key_valid)``
    sees only positions, so the whole-document pass and the segment pass differ only in the
    frame of keys they hand it.
    """

    def __init__(self, dim: int, heads: int, kv_heads: int, window: int, *,
                 alibi: bool = True, softcap: Optional[float] = None):
        super().__init__()
        assert heads % kv_heads == 0, "heads must be a multiple of kv_heads"
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, dim // heads
        self.window, self.softcap = window, softcap
        self.q = nn.Linear(dim, heads * self.head_dim, bias=False)
        self.k = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.v = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.o = nn.Linear(heads * self.head_dim, dim, bias=False)
        self.register_buffer("slopes", alibi_slopes(heads) if alibi else torch.zeros(heads),
                             persistent=False)

    def project(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        b, t, _ = x.shape
        q = self.q(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)        # (B, H, T, D)
        k = self.k(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)     # (B, Hkv, T, D)
        v = self.v(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        return q, k, v

    def attend(self, q: Tensor, k: Tensor, v: Tensor, query_pos: Tensor, key_pos: Tensor,
               key_valid: Tensor) -> Tensor:
        groups = self.heads // self.kv_heads
        k, v = repeat_kv(k, groups), repeat_kv(v, groups)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim)             # (B, H, T, S)
        dist = distances(query_pos, key_pos, self.window).to(scores.dtype)        # (B, 1, T, S)
        scores = scores - self.slopes.view(1, -1, 1, 1) * dist
        scores = soft_cap(scores, self.softcap)
        mask = window_mask(query_pos, key_pos, key_valid, self.window)
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
        """One segment: returns (output, present_k, present_v) with present = [past ; new]."""
        q, k, v = self.project(x)
        k_all = torch.cat([past_k, k], dim=2)                                     # (B, Hkv, W+T, D)
        v_all = torch.cat([past_v, v], dim=2)
        key_pos = segment_key_positions(position_ids, past_k.shape[2])
        valid = key_valid_from(key_pos, attention_mask)
        return self.attend(q, k_all, v_all, position_ids, key_pos, valid), k_all, v_all


# ----------------------------------------------------------------------------------------------
# Causal depthwise convolution with a carried state
# ----------------------------------------------------------------------------------------------

class CausalConv(nn.Module):
    """Depthwise causal 1-D convolution over time. State: the last ``kernel - 1`` inputs,
    ``[B, channels, kernel - 1]``, zeros at the start of a document (= zero left padding)."""

    def __init__(self, channels: int, kernel: int):
        super().__init__()
        self.channels, self.kernel = channels, kernel
        self.conv = nn.Conv1d(channels, channels, kernel, groups=channels, bias=True)

    def forward(self, x: Tensor) -> Tensor:
        """Whole document. x (B, T, C) -> (B, T, C)."""
        xt = F.pad(x.transpose(1, 2), (self.kernel - 1, 0))
        return self.conv(xt).transpose(1, 2)

    def forward_segment(self, x: Tensor, past: Tensor, lengths: Tensor) -> Tuple[Tensor, Tensor]:
        """x (B, T, C), past (B, C, K-1), lengths (B,) real tokens of each row ->
        (y (B, T, C), present (B, C, K-1))."""
        # The conv's K products as shifted multiply-adds over (B, T, C), channels innermost: what the
        # whole-document conv computes, and in an ONNX graph K elementwise products instead of a
        # grouped Conv, which ONNX Runtime's CUDA provider runs through cuDNN at 2.7 ms per layer for
        # a batch of 32 x 256 (PyTorch's depthwise kernel: 0.09 ms) and which stalls the launch queue.
        t = x.shape[1]
        xt = torch.cat([past.transpose(1, 2), x], dim=1)                         # (B, K-1+T, C)
        weight = self.conv.weight[:, 0, :]                                       # (C, K)
        y = self.conv.bias + xt[:, 0:t] * weight[:, 0]
        for k in range(1, self.kernel):
            y = y + xt[:, k:k + t] * weight[:, k]
        # The state is the K-1 inputs ending at the row's last real token, xt[L_b : L_b + K-1]; with
        # no padding that is the last K-1 (a gather of K-1 rows, not a slice, for ragged batches).
        keep = lengths.unsqueeze(1) + torch.arange(self.kernel - 1, device=x.device)   # (B, K-1)
        index = keep.unsqueeze(-1).expand(-1, -1, xt.shape[2])                   # (B, K-1, C)
        present = xt.gather(1, index).transpose(1, 2)                            # (B, C, K-1)
        return y, present


# ----------------------------------------------------------------------------------------------
# A continuous cache over the model's own outputs
# ----------------------------------------------------------------------------------------------

class ContinuousCache(nn.Module):
    """A continuous cache (Grave, Joulin and Usunier, 2017, "Improving Neural Language Models with a
    Continuous Cache"): the next-token distribution is mixed with one over the tokens that followed
    the document's earlier positions, each weighted by how alike its output state is to the current
    one. No trained weights: a fixed random projection of the last hidden state (``dim`` of its
    ``hidden`` features, seeded) is a position's key, unit length; ``theta`` sharpens the cosine
    similarities; ``mix`` is the cache's share of the mixture (once any entry is visible).

    Entries. The entry *completed* at position p is (key of position p - 1, token p): the key was
    computed one position earlier, and the token that followed it is known at p. Query t (which
    predicts token t + 1) sees the entries completed at p with ``t - window < p <= t`` and p >= 1,
    so it never sees the token it predicts. The whole-document pass and the segment pass differ
    only in where the entries come from, as for :class:`WindowAttention`.

    Carried state: the keys and tokens of the last ``window`` entries (``past_cache.keys``
    [B, window, dim] and ``past_cache.tokens`` [B, window], token ids as floats; window retention
    on axis 1, as the attention keys: the runner keeps the ``window`` ending at the row's last real
    token), and the key of the segment's last real token, whose entry completes with the next
    segment's first token (``past_cache.last`` [B, dim], replaced).

    The output replaces ``logits`` by ``log((1 - mix) softmax(logits) + mix p_cache)``: log
    probabilities, which are logits of the mixed distribution (their softmax is the mixture), so
    ``token_nll`` and sampling read the mixture.
    """

    def __init__(self, hidden: int, window: int, dim: int, theta: float, mix: float, seed: int = 0):
        super().__init__()
        if window < 1 or dim < 1 or not 0.0 <= mix < 1.0:
            raise ValueError(f"a continuous cache needs window >= 1, dim >= 1 and 0 <= mix < 1, "
                             f"got window {window}, dim {dim}, mix {mix}")
        self.window, self.dim, self.theta, self.mix = window, dim, float(theta), float(mix)
        generator = torch.Generator().manual_seed(seed)
        self.register_buffer("projection", torch.randn(hidden, dim, generator=generator), persistent=False)

    def specs(self, layer: int) -> List[StateSpec]:
        """The cache's state tensors; ``layer`` is one past the model's last layer."""
        keep = Retention("window", window=self.window, pinned=0, axis=1)
        return [
            StateSpec("past_cache.keys", "present_cache.keys", layer, "cache_key", (self.window, self.dim), keep),
            StateSpec("past_cache.tokens", "present_cache.tokens", layer, "cache_token", (self.window,), keep),
            StateSpec("past_cache.last", "present_cache.last", layer, "cache_key", (self.dim,), REPLACE),
        ]

    def keys(self, hidden: Tensor) -> Tensor:
        """(B, T, dim): each position's key, the projected hidden state at unit length."""
        k = hidden @ self.projection
        return k * torch.rsqrt((k * k).sum(-1, keepdim=True) + 1e-12)

    def mixed(self, logits: Tensor, queries: Tensor, keys: Tensor, tokens: Tensor, query_pos: Tensor,
              entry_pos: Tensor) -> Tensor:
        """log of the mixture for queries (B, T, dim) over entries keys (B, S, dim), tokens (B, S)
        (float ids) completed at entry_pos (B, S); query_pos (B, T)."""
        d = query_pos.unsqueeze(-1) - entry_pos.unsqueeze(-2)                  # (B, T, S)
        visible = (d >= 0) & (d < self.window) & (entry_pos.unsqueeze(-2) >= 1)
        scores = (self.theta * (queries @ keys.transpose(-1, -2))).masked_fill(~visible, -1e9)
        weights = torch.softmax(scores, dim=-1) * visible.to(scores.dtype)      # (B, T, S); 0 where none visible
        index = tokens.to(torch.int64).unsqueeze(1).expand(-1, queries.shape[1], -1)
        p_cache = torch.zeros_like(logits).scatter_add(-1, index, weights)      # (B, T, V)
        share = self.mix * visible.any(dim=-1, keepdim=True).to(logits.dtype)   # (B, T, 1)
        # log((1 - s) p_model + s p_cache) in log space: p_model's term is finite, the cache's may be log 0.
        a = torch.log(1.0 - share) + torch.log_softmax(logits, dim=-1)
        b = torch.log(share * p_cache)
        top = torch.maximum(a, b)
        return top + torch.log(torch.exp(a - top) + torch.exp(b - top))

    def forward(self, logits: Tensor, hidden: Tensor, input_ids: Tensor) -> Tensor:
        """Whole document: the entry completed at p holds position p - 1's key (p = 0: none)."""
        q = self.keys(hidden)
        keys = torch.cat([torch.zeros_like(q[:, :1]), q[:, :-1]], dim=1)
        pos = whole_positions(input_ids.shape[0], input_ids.shape[1], input_ids.device)
        return self.mixed(logits, q, keys, input_ids.to(logits.dtype), pos, pos)

    def forward_segment(self, logits: Tensor, hidden: Tensor, input_ids: Tensor, attention_mask: Tensor,
                        position_ids: Tensor, past_keys: Tensor, past_tokens: Tensor, past_last: Tensor):
        """One segment: (mixed logits, [present keys, present tokens, present last])."""
        q = self.keys(hidden)                                                    # (B, T, dim)
        keys = torch.cat([past_keys, past_last.unsqueeze(1), q[:, :-1]], dim=1)  # (B, W + T, dim)
        tokens = torch.cat([past_tokens, input_ids.to(past_tokens.dtype)], dim=1)
        entry_pos = segment_key_positions(position_ids, self.window)             # (B, W + T)
        out = self.mixed(logits, q, keys, tokens, position_ids, entry_pos)
        last = real_lengths(attention_mask, q.shape[1]) - 1                      # (B,)
        present_last = q.gather(1, last.view(-1, 1, 1).expand(-1, 1, self.dim)).squeeze(1)
        return out, [keys, tokens, present_last]


# ----------------------------------------------------------------------------------------------
# The residual block most families share
# ----------------------------------------------------------------------------------------------

class PreNormBlock(nn.Module):
    """Pre-norm residual block: ``x + mixer(norm(x))``, then ``x + ffn(norm(x))``.

    Mixers follow one protocol: ``mixer(x)`` over a whole document, and
    ``mixer.forward_segment(x, attention_mask, position_ids, *past) -> (out, *present)`` with
    the past/present tensors in the order of the layer's state specs.
    """

    def __init__(self, mixer_norm: nn.Module, ffn_norm: nn.Module, mixer: nn.Module, ffn: nn.Module):
        super().__init__()
        self.mixer_norm, self.ffn_norm = mixer_norm, ffn_norm
        self.mixer, self.ffn = mixer, ffn

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.mixer(self.mixer_norm(x))
        return x + self.ffn(self.ffn_norm(x))

    def forward_segment(self, x: Tensor, attention_mask: Tensor, position_ids: Tensor,
                        past: List[Tensor]) -> Tuple[Tensor, List[Tensor]]:
        out, *present = self.mixer.forward_segment(self.mixer_norm(x), attention_mask, position_ids, *past)
        x = x + out
        return x + self.ffn(self.ffn_norm(x)), present
