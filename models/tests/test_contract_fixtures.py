"""The hub-style fixture (models/contract_fixtures.py) behaves like a hub export, and the committed
copy under inference-service/src/test/resources/hub-style/ is what the code generates."""
import json
from pathlib import Path

import numpy as np
import onnx
import torch

from models import safetensors_io
from models.contract_fixtures import HUB_CONFIG, HubStyleLM, hub_style_model

COMMITTED = Path(__file__).resolve().parents[2] / "inference-service" / "src" / "test" / "resources" / "hub-style"


def test_segments_with_a_growing_past_match_one_pass():
    torch.manual_seed(0)
    model = HubStyleLM(HUB_CONFIG).eval()
    ids = torch.randint(0, HUB_CONFIG["vocab_size"], (1, 15))
    with torch.no_grad():
        whole = model(ids, torch.ones(1, 15, dtype=torch.int64), torch.arange(15).unsqueeze(0),
                      *model.initial_past(1))[0]
        past, logits, start = model.initial_past(1), [], 0
        for length in (4, 5, 6):
            mask = torch.ones(1, past[0].shape[2] + length, dtype=torch.int64)
            out = model(ids[:, start:start + length], mask, torch.arange(start, start + length).unsqueeze(0), *past)
            logits.append(out[0])
            past, start = list(out[1:]), start + length
    assert past[0].shape == (1, 1, 15, 8)  # the past grew from 0
    assert torch.allclose(torch.cat(logits, dim=1), whole, atol=1e-5)


def test_committed_fixture_is_what_the_code_generates():
    graph, config, golden = hub_style_model()
    assert json.loads((COMMITTED / "config.json").read_text()) == config
    committed, _ = safetensors_io.read(COMMITTED / "golden.safetensors")
    assert np.array_equal(committed["input_ids"], golden["input_ids"])
    assert np.allclose(committed["logits"], golden["logits"], atol=1e-6)
    names = [i.name for i in onnx.load(str(COMMITTED / "model.onnx")).graph.input]
    assert names == [i.name for i in graph.graph.input]
    assert not (COMMITTED / "baton-model.json").exists()
