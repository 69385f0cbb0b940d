"""A trained folder exported again from its own graph (models/reexport.py): the weights read back
from the graph are exactly the model's, the command checks the goldens before it writes, and what
it writes is what the export writes."""
import json

import numpy as np
import onnx
import pytest
import torch

from models import safetensors_io
from models.export import export_onnx, state_plan, write_goldens
from models.families import FAMILIES, build
from models.precision import METADATA_KEY, float16_linear_names
from models.reexport import NOT_REBUILDABLE, reexport, training_weights, variant, weights_from_graph
from models.train import RunConfig, Run
from models.train_data import TokenData

REBUILDABLE = sorted(set(FAMILIES) - set(NOT_REBUILDABLE))


def trained_like(family: str):
    """A model whose every parameter holds its own float16 values, as trained weights do (random
    initialisation leaves norms at one and Mamba's D at one, which the exporter stores once)."""
    model = build(family)
    generator = torch.Generator().manual_seed(11)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=generator)).copy_(p.half().float())
    return model


def trained_folder(family: str, out):
    model = trained_like(family)
    out.mkdir()
    export_onnx(model, out / "model.onnx", float16=True)
    (out / "config.json").write_text(json.dumps(model.hf_config(), indent=2) + "\n")
    (out / "baton-model.json").write_text("{}\n")
    (out / "training.json").write_text(json.dumps({"family": family, "config_overrides": {},
                                                   "run_config": {"family": family, "model": {}, "seq_len": 16}}) + "\n")
    write_goldens(model, out)
    return model


@pytest.mark.parametrize("family", REBUILDABLE)
def test_weights_read_from_the_graph_are_the_models(family, tmp_path):
    model = trained_folder(family, tmp_path / "folder")
    weights = weights_from_graph(build(family), onnx.load(str(tmp_path / "folder" / "model.onnx")))
    assert weights.keys() == dict(model.named_parameters()).keys()
    for name, p in model.named_parameters():
        assert torch.equal(weights[name], p), name


@pytest.mark.parametrize("family", sorted(NOT_REBUILDABLE))
def test_a_family_whose_graph_hides_a_weight_is_refused(family, tmp_path):
    model = build(family)
    export_onnx(model, tmp_path / "model.onnx")
    with pytest.raises(ValueError, match="cannot be rebuilt"):
        weights_from_graph(model, onnx.load(str(tmp_path / "model.onnx")))


def test_the_command_writes_graph_and_plan_and_leaves_the_rest(tmp_path):
    folder = tmp_path / "gemma2-trained"
    model = trained_folder("gemma2", folder)
    kept = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()
            and p.name not in ("model.onnx", "baton-model.json")}
    graph = (folder / "model.onnx").read_bytes()

    differences = reexport(folder)
    assert set(differences) == {"whole", "segments-64", "segments-ragged"} and max(differences.values()) <= 1e-5
    assert (folder / "model.onnx").read_bytes() == graph, "the same model exports the same graph"
    assert json.loads((folder / "baton-model.json").read_text()) == json.loads(json.dumps(state_plan(model)))
    assert {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()
            and p.name not in ("model.onnx", "baton-model.json")} == kept


def test_goldens_the_rebuilt_model_does_not_reproduce_stop_the_command(tmp_path):
    folder = tmp_path / "jamba-trained"
    trained_folder("jamba", folder)
    golden, meta = safetensors_io.read(folder / "golden" / "segments-64.safetensors")
    logits = golden["logits"].copy()
    logits[0, 100, 7] += 1e-3
    safetensors_io.write(folder / "golden" / "segments-64.safetensors", {**golden, "logits": logits}, meta)
    graph = (folder / "model.onnx").read_bytes()
    with pytest.raises(ValueError, match="does not reproduce its goldens"):
        reexport(folder)
    assert (folder / "model.onnx").read_bytes() == graph
    assert json.loads((folder / "baton-model.json").read_text()) == {}


def test_a_folders_weights_start_a_new_run(tmp_path):
    """``--training-weights``: the folder's weights, checked against its goldens, as the file that
    ``models.train --init-from`` starts a new schedule from (step 0, the exported weights exactly)."""
    folder = tmp_path / "jamba-trained"
    model = trained_folder("jamba", folder)
    differences = training_weights(folder, tmp_path / "init-fp16.pt")
    assert max(differences.values()) <= 1e-5
    vocab = model.hf_config()["vocab_size"]
    data = TokenData([np.arange(40) % vocab, np.arange(33) % vocab], ["a/0", "a/1"], np.ones(vocab, dtype=np.int32))
    run = Run(RunConfig(family="jamba", model={}, batch=2, seq_len=16, steps=3, warmup=1), data, None,
              tmp_path / "run", torch.device("cpu"))
    run.init_from(tmp_path / "init-fp16.pt", rewarm=1)
    assert (run.step, run.tokens) == (0, 0)
    for name, p in model.state_dict().items():
        assert torch.equal(run.model.state_dict()[name], p), name


def test_the_float16_variant_is_the_checked_model_with_float16_products(tmp_path):
    """``--out DIR --precision fp16``: the folder's model, checked against its goldens, exported with its linear
    layers in float16 (what a GPU deployment runs, docs/model-contract.md "Precision") beside the folder's other
    files; the folder itself is untouched, and goldens the rebuilt model misses stop it before anything is written."""
    folder = tmp_path / "jamba-trained"
    model = trained_folder("jamba", folder)
    (folder / "tokenizer.json").write_text('{"model": "bytes"}\n')
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    differences = variant(folder, tmp_path / "fp16", "fp16")
    assert max(differences.values()) <= 1e-5
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before

    out = tmp_path / "fp16"
    graph = onnx.load(str(out / "model.onnx"))
    assert {p.key: p.value for p in graph.metadata_props}[METADATA_KEY] == "fp16"
    halves = {i.name for i in graph.graph.initializer if i.data_type == onnx.TensorProto.FLOAT16}
    assert len([n for n in graph.graph.node if n.op_type == "MatMul" and n.input[1] in halves]) \
        == len(float16_linear_names(model))
    assert json.loads((out / "baton-model.json").read_text()) == state_plan(model, "fp16")
    for name in ("config.json", "tokenizer.json", "training.json"):
        assert (out / name).read_bytes() == before[name], name
    assert not (out / "golden").exists()

    golden, meta = safetensors_io.read(folder / "golden" / "whole.safetensors")
    safetensors_io.write(folder / "golden" / "whole.safetensors", {**golden, "logits": golden["logits"] + 1e-2}, meta)
    with pytest.raises(ValueError, match="does not reproduce its goldens"):
        variant(folder, tmp_path / "refused", "fp16")
    assert not (tmp_path / "refused").exists()


def test_a_variant_with_a_longer_attention_memory_keeps_the_weights(tmp_path):
    """``--set memory=N``: the same weights with windows of N keys (a field that holds no weights), its plan,
    config and training.json saying so; a field that would change the weights is refused and writes nothing."""
    folder = tmp_path / "jamba-trained"
    model = trained_folder("jamba", folder)
    variant(folder, tmp_path / "long", overrides={"memory": 200})

    out = tmp_path / "long"
    windows = {s["retention"]["window"] for s in json.loads((out / "baton-model.json").read_text())["state"]
               if s["retention"]["policy"] == "window"}
    assert windows == {200} and model.config.memory != 200
    assert json.loads((out / "training.json").read_text())["config_overrides"]["memory"] == 200
    longer = build("jamba", memory=200)
    longer.load_state_dict(weights_from_graph(longer, onnx.load(str(out / "model.onnx"))))
    for name, p in model.state_dict().items():
        assert torch.equal(longer.state_dict()[name], p), name

    with pytest.raises(ValueError, match="changes .* weights"):
        variant(folder, tmp_path / "wider", overrides={"hidden_size": 96})
    assert not (tmp_path / "wider").exists()


def test_a_variant_with_a_continuous_cache_keeps_the_weights_and_gets_goldens_of_its_own(tmp_path):
    """``--set cache={...}``: the same weights with a continuous cache (no weights of its own), whose plan carries
    the cache; its outputs changed, so it gets goldens over the source's golden ids, which a model rebuilt from
    its own graph reproduces (the cache's projection is no weight the graph is read for)."""
    folder = tmp_path / "jamba-trained"
    model = trained_folder("jamba", folder)
    cache = {"window": 40, "dim": 8, "theta": 20.0, "mix": 0.1}
    variant(folder, tmp_path / "cached", overrides={"cache": cache})

    out = tmp_path / "cached"
    plan = {s["input"]: s for s in json.loads((out / "baton-model.json").read_text())["state"]}
    assert plan["past_cache.keys"]["retention"] == {"policy": "window", "window": 40, "pinned": 0, "axis": 1}
    assert json.loads((out / "config.json").read_text())["baton_cache"] == cache
    source, _ = safetensors_io.read(folder / "golden" / "whole.safetensors")
    golden, _ = safetensors_io.read(out / "golden" / "whole.safetensors")
    assert np.array_equal(golden["input_ids"], source["input_ids"])
    assert np.abs(golden["logits"] - source["logits"]).max() > 1e-3, "the goldens are the cache's"
    cached = build("jamba", cache=cache)
    cached.load_state_dict(weights_from_graph(cached, onnx.load(str(out / "model.onnx"))))
    for name, p in model.state_dict().items():
        assert torch.equal(cached.state_dict()[name], p), name
    assert max(reexport(out).values()) <= 1e-4
