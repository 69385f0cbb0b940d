"""The export writes a model folder that follows the contract, and the committed zoo is what
the current code exports (so a change to a family cannot silently leave stale fixtures)."""
import json
from pathlib import Path

import onnx
import pytest
import torch

from models import safetensors_io
from models.export import GOLDEN_TOKENS, OPSET, export, input_names, output_names, save_graph, state_plan
from models.families import FAMILIES, build

ZOO = Path(__file__).resolve().parents[1] / "zoo"


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_export_writes_the_contract(family, tmp_path):
    model = export(family, tmp_path)
    graph = onnx.load(str(tmp_path / "model.onnx"))
    assert graph.opset_import[0].version == OPSET
    assert [i.name for i in graph.graph.input] == input_names(model)
    assert [o.name for o in graph.graph.output] == output_names(model)
    assert (tmp_path / "model.onnx").stat().st_size < 4 * 2**20

    plan = json.loads((tmp_path / "baton-model.json").read_text())
    assert plan["family"] == family and plan["mask_past"] == model.mask_past()
    assert [s["input"] for s in plan["state"]] == [n for n in input_names(model) if n.startswith("past")]
    assert all(s["shape"][0] == "batch" and s["initial"] == "zeros" for s in plan["state"])

    tokenizer = json.loads((tmp_path / "tokenizer.json").read_text())
    vocab = tokenizer["model"]["vocab"]
    assert sorted(vocab.values()) == list(range(256)) and vocab["A"] == ord("A")
    assert json.loads((tmp_path / "config.json").read_text())["vocab_size"] == 256


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_committed_zoo_is_what_the_code_exports(family):
    folder = ZOO / f"{family}-tiny"
    golden, meta = safetensors_io.read(folder / "golden" / "whole.safetensors")
    assert golden["input_ids"].shape == (1, GOLDEN_TOKENS) and meta["source"].startswith("corpus/")
    with torch.no_grad():
        logits, hidden = build(family)(torch.from_numpy(golden["input_ids"].copy()))
    assert abs(logits.numpy() - golden["logits"]).max() <= 1e-5
    assert abs(hidden.numpy() - golden["last_hidden_state"]).max() <= 1e-5
    plan = json.loads((folder / "baton-model.json").read_text())
    assert plan == json.loads(json.dumps(state_plan(build(family))))


def test_a_graph_over_the_part_size_keeps_its_weights_in_parts_beside_it(tmp_path):
    export("gemma2", tmp_path / "whole")
    graph = onnx.load(str(tmp_path / "whole" / "model.onnx"))
    weights = {i.name: onnx.numpy_helper.to_array(i) for i in graph.graph.initializer}
    (tmp_path / "split").mkdir()
    path = tmp_path / "split" / "model.onnx"
    (tmp_path / "split" / "model.onnx.data-99").write_bytes(b"a part of an earlier export")
    parts = save_graph(onnx.load(str(tmp_path / "whole" / "model.onnx")), path, part_bytes=64 * 1024)
    assert len(parts) > 1 and all(p.stat().st_size <= 64 * 1024 for p in parts)
    assert sorted(p.name for p in (tmp_path / "split").iterdir()) == sorted(["model.onnx"] + [p.name for p in parts])
    loaded = onnx.load(str(path))                      # reads the parts back
    assert {i.name: onnx.numpy_helper.to_array(i) for i in loaded.graph.initializer}.keys() == weights.keys()
    for init in loaded.graph.initializer:
        assert (onnx.numpy_helper.to_array(init) == weights[init.name]).all(), init.name
    # Under the part size: one file, and the parts of the earlier export are gone.
    assert save_graph(onnx.load(str(tmp_path / "whole" / "model.onnx")), path) == []
    assert [p.name for p in (tmp_path / "split").iterdir()] == ["model.onnx"]
