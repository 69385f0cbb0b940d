"""A reference segment runner: what a Baton service does with a model, in PyTorch.

It feeds each ``present`` back as the next ``past`` after the retention policy, builds
``attention_mask`` (all ones over [past ; segment]) and ``position_ids`` (absolute, int64).
Tests compare it with the whole-document pass; the export writes its outputs as goldens.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import torch

from .blocks import HybridLM, State, Tensor, retain


def segment_inputs(model: HybridLM, batch: int, t0: int, length: int) -> Tuple[Tensor, Tensor]:
    """(attention_mask [B, P + T], position_ids [B, T]) for a segment starting at token t0."""
    mask = torch.ones(batch, model.mask_past() + length, dtype=torch.int64)
    positions = (t0 + torch.arange(length, dtype=torch.int64)).unsqueeze(0).expand(batch, length)
    return mask, positions.contiguous()


def next_state(model: HybridLM, present: State) -> State:
    """Apply each state tensor's retention policy: present (by output name) -> past (by input name)."""
    return {s.input: retain(present[s.output], s.retention) for s in model.state_specs()}


@torch.no_grad()
def run_segments(model: HybridLM, input_ids: Tensor, lengths: Sequence[int],
                 state: State = None) -> Tuple[Tensor, Tensor, State]:
    """Process ``input_ids`` [B, N] segment by segment; returns concatenated (logits, hidden)
    and the final state. ``lengths`` must add up to N."""
    batch, total = input_ids.shape
    if sum(lengths) != total:
        raise ValueError(f"segment lengths add up to {sum(lengths)}, not {total}")
    state = model.initial_state(batch) if state is None else state
    logits, hidden, t0 = [], [], 0
    for length in lengths:
        mask, positions = segment_inputs(model, batch, t0, length)
        out, h, present = model.forward_segment(input_ids[:, t0:t0 + length], mask, positions, state)
        state = next_state(model, present)
        logits.append(out)
        hidden.append(h)
        t0 += length
    return torch.cat(logits, dim=1), torch.cat(hidden, dim=1), state


def fixed_split(total: int, length: int) -> List[int]:
    """Segments of ``length`` tokens, the last one shorter."""
    return [min(length, total - start) for start in range(0, total, length)]


def ragged_split(total: int) -> List[int]:
    """A deterministic uneven split that includes 1-token and window-crossing segments."""
    pattern = [1, 50, 77, 3, 125, 17, 64, 9]
    out, start, i = [], 0, 0
    while start < total:
        n = min(pattern[i % len(pattern)], total - start)
        out.append(n)
        start += n
        i += 1
    return out
