"""Segment-by-segment processing with carried state equals the whole-document pass.

For every family, segment lengths 16, 64 and a ragged split, batch 1 and 2, the logits and
last hidden states agree within 1e-5; and resetting the state at each segment does *not*
agree, so the comparison can fail when the state is not carried.
"""
import pytest
import torch

from models.corpus import byte_ids, moby_dick_bytes
from models.families import FAMILIES, build
from models.runner import fixed_split, ragged_split, run_segments, segment_inputs

TOLERANCE = 1e-5
TOKENS = 300
SPLITS = {"16": lambda n: fixed_split(n, 16), "64": lambda n: fixed_split(n, 64), "ragged": ragged_split}


def document(batch: int) -> torch.Tensor:
    return byte_ids([moby_dick_bytes(20_000 + 7_919 * b, TOKENS) for b in range(batch)])


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def model(request):
    return build(request.param)


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("split", sorted(SPLITS))
def test_segments_match_whole_document(model, split, batch):
    ids = document(batch)
    with torch.no_grad():
        want_logits, want_hidden = model(ids)
    got_logits, got_hidden, _ = run_segments(model, ids, SPLITS[split](TOKENS))
    assert got_logits.shape == want_logits.shape == (batch, TOKENS, model.config.vocab_size)
    assert (got_logits - want_logits).abs().max().item() <= TOLERANCE
    assert (got_hidden - want_hidden).abs().max().item() <= TOLERANCE


def test_reset_state_does_not_match(model):
    """Without the carried state the outputs differ: the parity above is not vacuous."""
    ids = document(1)
    with torch.no_grad():
        want, _ = model(ids)
    pieces = [run_segments(model, ids[:, s:s + 64], [ids[:, s:s + 64].shape[1]])[0]
              for s in range(0, TOKENS, 64)]
    reset = torch.cat(pieces, dim=1)
    assert (reset[:, 64:] - want[:, 64:]).abs().max().item() > 1e-3


def test_initial_state_is_documented_zeros(model):
    specs = model.state_specs()
    assert specs, "a hybrid model carries state"
    state = model.initial_state(2)
    assert list(state) == [s.input for s in specs]
    for s in specs:
        assert s.initial == "zeros" and s.dtype == "float32"
        assert state[s.input].shape == (2, *s.shape)
        assert torch.count_nonzero(state[s.input]) == 0


def test_present_matches_past_after_retention(model):
    """Every past input has a present output; retention brings it back to the past's shape."""
    ids = document(2)[:, :37]
    _, _, state = run_segments(model, ids, [37])
    for s in model.state_specs():
        assert state[s.input].shape == (2, *s.shape), s.input


def test_long_positions_stay_exact(model):
    """A segment far into a document (position 10^9) computes exactly what it computes at
    position 200 from the same state: once the windows are full, only distances matter."""
    ids = document(1)
    _, _, state = run_segments(model, ids[:, :200], [200])
    seg = ids[:, 200:264]
    outs = []
    for t0 in (200, 1_000_000_000):
        mask, positions = segment_inputs(model, 1, t0, seg.shape[1])
        with torch.no_grad():
            logits, _, _ = model.forward_segment(seg, mask, positions, state)
        outs.append(logits)
    assert torch.equal(outs[0], outs[1])


@pytest.mark.parametrize("length", [1, 63, 64, 65, 200, 256])
def test_ssd_in_chunks_matches_the_closed_form_over_the_whole_segment(length):
    """The chunked scan (chunks of 64, the segment padded to whole chunks) against the same scan in one chunk
    of the whole segment (the closed form over T x T), in float64, with a carried state and a ragged row."""
    from models.jamba import ssd
    g = torch.Generator().manual_seed(length)
    b, h, p, n = 2, 4, 8, 16
    x = torch.randn(b, length, h, p, generator=g, dtype=torch.float64)
    dt = torch.rand(b, length, h, generator=g, dtype=torch.float64) * 0.2
    dt[1, length // 2 + 1:] = 0
    a = -torch.rand(h, generator=g, dtype=torch.float64) * 15 - 1
    bm, cm = (torch.randn(b, length, n, generator=g, dtype=torch.float64) for _ in range(2))
    past = torch.randn(b, h, p, n, generator=g, dtype=torch.float64)
    y, state = ssd(x, dt, a, bm, cm, past)
    want_y, want_state = ssd(x, dt, a, bm, cm, past, chunk=length)
    assert (y - want_y).abs().max().item() <= 1e-12
    assert (state - want_state).abs().max().item() <= 1e-12
