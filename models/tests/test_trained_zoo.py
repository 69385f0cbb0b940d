"""The trained zoo models (folders with ``training.json``) are what the code describes.

Their weights exist only in ``model.onnx``; the numbers are checked against the goldens by the
Java ``ZooGoldenTest`` (ONNX Runtime). Here: the files, the state plan and config the code
derives from the recorded configuration, the graph's names and float16 storage, the tokenizer,
the recorded goldens (segment by segment equals the whole-document pass), and the model rebuilt
from the graph's weights (models/reexport.py) reproduces them."""
import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from models import safetensors_io
from models.export import GOLDEN_TOKENS, input_names, output_names, state_plan
from models.families import build
from models.reexport import GOLDEN_TOLERANCE, golden_differences, rebuild
from models.train_data import byte_alphabet

ZOO = Path(__file__).resolve().parents[1] / "zoo"
TRAINED = sorted(p for p in ZOO.iterdir() if (p / "training.json").is_file())
LIMIT = 20 * 10**6


def test_there_are_trained_models_of_two_families():
    families = {json.loads((p / "training.json").read_text())["family"] for p in TRAINED}
    assert len(families) >= 2, TRAINED


@pytest.fixture(scope="module", params=TRAINED, ids=lambda p: p.name)
def folder(request):
    return request.param


def model_of(folder: Path):
    training = json.loads((folder / "training.json").read_text())
    return build(training["family"], **training["config_overrides"])


def test_files_are_under_the_size_limit(folder):
    for path in folder.rglob("*"):
        assert path.stat().st_size < LIMIT, path


def test_plan_and_config_are_what_the_code_derives(folder):
    model = model_of(folder)
    assert json.loads((folder / "baton-model.json").read_text()) == json.loads(json.dumps(state_plan(model)))
    assert json.loads((folder / "config.json").read_text()) == json.loads(json.dumps(model.hf_config()))


def test_graph_has_the_contract_names_and_float16_weights(folder):
    model = model_of(folder)
    graph = onnx.load(str(folder / "model.onnx"))
    assert [i.name for i in graph.graph.input] == input_names(model)
    assert [o.name for o in graph.graph.output] == output_names(model)
    stored = {onnx.TensorProto.FLOAT16: 0, onnx.TensorProto.FLOAT: 0}
    for init in graph.graph.initializer:
        if init.data_type in stored:
            stored[init.data_type] += int(np.prod(init.dims))
    parameters = sum(p.numel() for p in model.parameters())
    assert stored[onnx.TensorProto.FLOAT16] >= 0.99 * parameters, "the weights are stored as float16"
    assert stored[onnx.TensorProto.FLOAT] < 0.01 * parameters


def test_tokenizer_is_byte_level_bpe_of_the_model_vocabulary(folder):
    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = tokenizer["model"]["vocab"]
    assert tokenizer["model"]["type"] == "BPE" and tokenizer["pre_tokenizer"]["type"] == "ByteLevel"
    assert sorted(vocab.values()) == list(range(model_of(folder).config.vocab_size))
    assert set(byte_alphabet()) <= set(vocab), "every byte is a token: no unknowns"
    assert tokenizer["added_tokens"] == [] and tokenizer["normalizer"] is None


def test_goldens_agree_segment_by_segment(folder):
    whole, meta = safetensors_io.read(folder / "golden" / "whole.safetensors")
    assert whole["input_ids"].shape == (1, GOLDEN_TOKENS) and meta["source"].startswith("corpus/")
    assert whole["input_ids"].max() < model_of(folder).config.vocab_size
    cache = json.loads((folder / "config.json").read_text()).get("baton_cache")
    for run in ("segments-64", "segments-ragged"):
        golden, _ = safetensors_io.read(folder / "golden" / f"{run}.safetensors")
        assert np.array_equal(golden["input_ids"], whole["input_ids"])
        hidden = np.abs(golden["last_hidden_state"] - whole["last_hidden_state"]).max()
        assert hidden <= 1e-4
        # A continuous cache weights its entries by softmax(theta * cosine) and takes a mix of them: a
        # difference in the hidden states reaches its log probabilities up to about theta * mix times over.
        bound = 1e-4 + (cache["theta"] * cache["mix"] * hidden if cache else 0.0)
        assert np.abs(golden["logits"] - whole["logits"]).max() <= bound


def test_the_model_rebuilt_from_the_graph_reproduces_the_goldens(folder):
    differences = golden_differences(rebuild(folder), folder)
    assert set(differences) == {"whole", "segments-64", "segments-ragged"}
    assert max(differences.values()) <= GOLDEN_TOLERANCE, differences
