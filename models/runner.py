"""A reference segment runner: what a Baton service does with a model, in PyTorch.

It feeds each ``present`` back as the next ``past`` after the retention policy, builds
``attention_mask`` (all ones over [past ; segment]) and ``position_ids`` (absolute, int64).
Tests compare it with the whole-document pass; the export writes its outputs as goldens.

``run_ragged`` runs one ragged batch (docs/model-contract.md, "Ragged batches"): rows of
different lengths padded on the right, each at its own position, and keeps per row the window
ending at its last real token, as the services do.
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


def next_state(model: HybridLM, present: State, lengths: Tensor = None) -> State:
    """Apply each state tensor's retention policy: present (by output name) -> past (by input name).
    ``lengths`` (B,): the rows' real tokens in a ragged batch (``retain``)."""
    return {s.input: retain(present[s.output], s.retention, lengths) for s in model.state_specs()}


def ragged_inputs(model: HybridLM, starts: Sequence[int], lengths: Sequence[int],
                  width: int) -> Tuple[Tensor, Tensor]:
    """(attention_mask [B, P + T], position_ids [B, T]) of a ragged batch of width T: row b starts
    at token ``starts[b]`` and holds ``lengths[b]`` real tokens, then padding. The mask's past part
    stays all ones; its segment part is 1 over the real tokens; positions run on over the padding."""
    if any(not 1 <= n <= width for n in lengths):
        raise ValueError(f"every row needs 1 to {width} real tokens, got {list(lengths)}")
    columns = torch.arange(width, dtype=torch.int64)
    real = (columns.unsqueeze(0) < torch.tensor(lengths, dtype=torch.int64).unsqueeze(1)).to(torch.int64)
    mask = torch.cat([torch.ones(len(lengths), model.mask_past(), dtype=torch.int64), real], dim=1)
    positions = torch.tensor(starts, dtype=torch.int64).unsqueeze(1) + columns
    return mask, positions


def pad_rows(rows: Sequence[Tensor], width: int) -> Tensor:
    """Token ids of a ragged batch: each row's real tokens (1-D), then id 0 up to ``width``."""
    ids = torch.zeros(len(rows), width, dtype=torch.int64)
    for b, row in enumerate(rows):
        ids[b, :len(row)] = row
    return ids


@torch.no_grad()
def run_ragged(model: HybridLM, rows: Sequence[Tensor], starts: Sequence[int], state: State,
               width: int = None) -> Tuple[Tensor, Tensor, State]:
    """One ragged batch: ``rows`` (each 1-D, the row's real tokens) starting at ``starts``, with
    the rows' ``state``, padded to ``width`` (default the longest row). Returns (logits [B, T, V],
    last_hidden_state [B, T, d], next state after each row's retention); outputs at a row's
    padded positions are unspecified."""
    lengths = [len(r) for r in rows]
    width = max(lengths) if width is None else width
    mask, positions = ragged_inputs(model, starts, lengths, width)
    logits, hidden, present = model.forward_segment(pad_rows(rows, width), mask, positions, state)
    return logits, hidden, next_state(model, present, torch.tensor(lengths, dtype=torch.int64))


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
