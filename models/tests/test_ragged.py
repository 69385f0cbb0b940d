"""Ragged batches (docs/model-contract.md, "Ragged batches"): rows of different lengths padded on
the right, each at its own position with its own carried state, give each row what it gives run
alone on its real tokens.

For every family, four documents run three ragged batches in a row, their states carried. Where
they stand when the batches start: row 0 at token 0 with 3 tokens in a batch of 12 (padding at
positions 3.. lies inside Longformer's 4 pinned tokens and must not fill them), row 1 at token 2
one token at a time, row 2 at 45 (inside the first window of the 48-token memories, past the
16-token ones), row 3 at 150 (past every window). The batch of width 40 pads a 1-token row by 39,
beyond the sliding windows, so some padded queries see no key at all (their outputs must still
be finite). Per row and batch, the outputs at real positions and the next state (after the row's
retention) are compared with the row run alone, within 1e-5 of each tensor's scale (its largest
magnitude, at least 1: linear attention's running sums reach 900, where float32's last bit is
6e-5, and their summation order follows the CPU's kernels); and an equal-length runtime's view of
the same batch (padding taken for tokens, the last window slots kept) does not match, so the
comparison can fail. The committed graphs run the same batches in ONNX Runtime in
test_zoo_onnxruntime.py.
"""
import json
from pathlib import Path
from typing import Dict, List

import pytest
import torch

from models.blocks import Retention, retain
from models.corpus import byte_ids, moby_dick_bytes
from models.export import export
from models.families import FAMILIES, build
from models.runner import next_state, pad_rows, ragged_inputs, run_ragged, run_segments, segment_inputs

TOLERANCE = 1e-5
STARTS = [0, 2, 45, 150]
BATCHES = [(12, [3, 1, 12, 7]), (40, [40, 1, 17, 33]), (9, [1, 9, 2, 5])]    # (width T, real lengths)
ZOO = Path(__file__).resolve().parents[1] / "zoo"


def documents() -> torch.Tensor:
    return byte_ids([moby_dick_bytes(30_000 + 5_000 * b, 300) for b in range(len(STARTS))])


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def model(request):
    return build(request.param)


def starting_states(model) -> List[Dict[str, torch.Tensor]]:
    """Each row's state at its start, from its document's first tokens run alone."""
    docs = documents()
    return [run_segments(model, docs[b:b + 1, :t0], [t0])[2] if t0 else model.initial_state(1)
            for b, t0 in enumerate(STARTS)]


def stack(states: List[Dict[str, torch.Tensor]]) -> Dict[str, torch.Tensor]:
    return {name: torch.cat([s[name] for s in states]) for name in states[0]}


@torch.no_grad()
def alone(model, tokens: torch.Tensor, t0: int, state):
    """The row by itself: a batch of one holding exactly its tokens."""
    mask, positions = segment_inputs(model, 1, t0, len(tokens))
    logits, hidden, present = model.forward_segment(tokens.unsqueeze(0), mask, positions, state)
    return logits[0], hidden[0], next_state(model, present)


def scaled_difference(got: torch.Tensor, want: torch.Tensor) -> float:
    """The largest difference in units of the tensor's scale (its largest magnitude, at least 1):
    float32 rounds relative to size. The rule of RaggedBatchTest and test_zoo_onnxruntime.py."""
    return (got - want).abs().max().item() / max(1.0, want.abs().max().item())


def largest_difference(model, run_batch) -> float:
    """Runs BATCHES through ``run_batch(rows, starts, state, width) -> (logits, hidden, next
    state)`` and returns the largest difference from each row run alone (scaled_difference),
    over real positions' logits and hidden states and every next state."""
    docs, states, starts = documents(), starting_states(model), list(STARTS)
    worst = 0.0
    for width, lengths in BATCHES:
        rows = [docs[b, t0:t0 + n] for b, (t0, n) in enumerate(zip(starts, lengths))]
        logits, hidden, batch_state = run_batch(rows, starts, stack(states), width)
        assert logits.shape[:2] == hidden.shape[:2] == (len(rows), width)
        assert torch.isfinite(logits).all() and torch.isfinite(hidden).all(), "padded positions stay finite"
        for b, n in enumerate(lengths):
            want_logits, want_hidden, states[b] = alone(model, rows[b], starts[b], states[b])
            worst = max(worst, scaled_difference(logits[b, :n], want_logits),
                        scaled_difference(hidden[b, :n], want_hidden),
                        *[scaled_difference(batch_state[name][b], want)
                          for name, want in ((k, v[0]) for k, v in states[b].items())])
            starts[b] += n
    return worst


def test_a_ragged_batch_gives_each_row_what_it_gives_alone(model):
    assert largest_difference(model, lambda *args: run_ragged(model, *args)) <= TOLERANCE


def test_padding_taken_for_tokens_does_not_match(model):
    """An equal-length runtime's view of the same batch: the mask all ones (the padding counts as
    tokens) and each window's last slots kept. Some row then differs, so the test above can fail."""
    @torch.no_grad()
    def as_equal_lengths(rows, starts, state, width):
        mask, positions = ragged_inputs(model, starts, [width] * len(rows), width)
        logits, hidden, present = model.forward_segment(pad_rows(rows, width), mask, positions, state)
        return logits, hidden, next_state(model, present)
    assert largest_difference(model, as_equal_lengths) > 1e-3


def test_retention_of_full_rows_is_the_last_window():
    present = torch.randn(3, 2, 4 + 6 + 5, 8)                                 # G 4, W 6, T 5
    keep = Retention("window", window=6, pinned=4)
    assert torch.equal(retain(present, keep, torch.tensor([5, 5, 5])), retain(present, keep))
    shorter = retain(present, keep, torch.tensor([5, 1, 3]))
    assert torch.equal(shorter[1], torch.cat([present[1, :, :4], present[1, :, 5:11]], dim=1))
    assert torch.equal(shorter[2], torch.cat([present[2, :, :4], present[2, :, 7:13]], dim=1))


def test_the_plan_declares_ragged_batches(model, tmp_path):
    export(model.family, tmp_path)
    assert json.loads((tmp_path / "baton-model.json").read_text())["ragged"] is True


@pytest.mark.parametrize("folder", sorted(p.name for p in ZOO.iterdir() if (p / "model.onnx").is_file()))
def test_every_zoo_model_takes_ragged_batches(folder):
    assert json.loads((ZOO / folder / "baton-model.json").read_text()).get("ragged") is True
