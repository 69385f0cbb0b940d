"""The continuous cache (``blocks.ContinuousCache``) on the Jamba family: segment by segment with the cache in the
carried state gives the whole-document pass (fixed, ragged and one-segment splits, batch 2); the output is a
distribution, with ``mix`` 0 exactly the model's own; a position's output never depends on the token it predicts;
and on text that repeats, the cache lowers the loss of the repetition."""
import pytest
import torch

from models.blocks import Retention
from models.families import build
from models.runner import run_segments
from models.tests.test_parity import SPLITS, TOKENS, document

CACHE = {"window": 48, "dim": 16, "theta": 20.0, "mix": 0.1}
# Hidden states agree within the family's 1e-5 (test_parity); the cache's weights are softmax(theta * cosine),
# so a difference in the hidden state reaches the logits multiplied by about theta (20): here 4e-6 becomes 2e-5.
TOLERANCE = 1e-5
LOGITS_TOLERANCE = 20 * 4e-6


@pytest.fixture(scope="module")
def model():
    return build("jamba", cache=CACHE)


@pytest.mark.parametrize("split", ["16", "64", "ragged", "one"])
def test_segments_with_the_cache_carried_match_the_whole_document(model, split):
    ids = document(2)
    lengths = [TOKENS] if split == "one" else SPLITS[split](TOKENS)
    with torch.no_grad():
        want_logits, want_hidden = model(ids)
        got_logits, got_hidden, _ = run_segments(model, ids, lengths)
    assert (got_logits - want_logits).abs().max().item() <= LOGITS_TOLERANCE
    assert (got_hidden - want_hidden).abs().max().item() <= TOLERANCE


def test_the_state_plan_carries_the_cache_with_a_window_on_axis_1(model):
    specs = {s.input: s for s in model.state_specs()}
    keep = Retention("window", window=48, pinned=0, axis=1)
    assert specs["past_cache.keys"].shape == (48, 16) and specs["past_cache.keys"].retention == keep
    assert specs["past_cache.tokens"].shape == (48,) and specs["past_cache.tokens"].retention == keep
    assert specs["past_cache.last"].shape == (16,) and specs["past_cache.last"].retention.policy == "replace"
    assert model.mask_past() == build("jamba").mask_past(), "the cache does not lengthen attention's past"


def test_the_output_is_a_distribution_and_no_mix_is_the_model_itself(model):
    ids = document(1)
    with torch.no_grad():
        logits, _ = model(ids)
        plain, _ = build("jamba")(ids)
        unmixed, _ = build("jamba", cache={**CACHE, "mix": 0.0})(ids)
    assert torch.logsumexp(logits, dim=-1).abs().max().item() < 1e-5
    assert (unmixed - torch.log_softmax(plain, dim=-1)).abs().max().item() < 1e-5
    assert (logits - unmixed).abs().max().item() > 1e-2, "the cache changes the distribution"


def test_no_position_sees_the_token_it_predicts(model):
    ids = document(1)
    changed = ids.clone()
    changed[0, 150] = (changed[0, 150] + 1) % 256
    with torch.no_grad():
        before, _ = model(ids)
        after, _ = model(changed)
    assert torch.equal(before[0, :150], after[0, :150])
    assert not torch.equal(before[0, 150:], after[0, 150:])


def test_on_text_that_repeats_the_cache_lowers_the_loss_of_the_repetition():
    piece = document(1)[:, :120]
    ids = torch.cat([piece, piece], dim=1)
    targets = ids[0, 121:]

    def repetition_nll(m):
        with torch.no_grad():
            logits, _ = m(ids)
        return -torch.log_softmax(logits[0, 120:-1], dim=-1).gather(1, targets[:, None]).mean().item()

    assert repetition_nll(build("jamba", cache={**CACHE, "window": 256, "mix": 0.3})) < repetition_nll(build("jamba"))
