"""``token_nll`` in the graph (models/token_nll.py): every committed zoo model has it, it is
-log softmax(logits)[target] within 1e-5 of a float64 log-softmax of the same logits, targets < 0
score 0, and the command reproduces the export from a graph without it.

No ONNX runtime is installed for Python here (Debian has none), so the appended nodes are run
by a small numpy interpreter of exactly their operators, in their types, over each model's golden
logits; the Java ``TokenNllTest`` runs the whole graphs in ONNX Runtime against Java's own
log-softmax of the logits the same run returned."""
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from models import safetensors_io
from models.token_nll import (OUTPUT, TARGETS, add_token_nll, old_style_folder, remove_token_nll,
                              transform_folder)

ZOO = Path(__file__).resolve().parents[1] / "zoo"
RESOURCES = Path(__file__).resolve().parents[2] / "inference-service" / "src" / "test" / "resources"
HUB = RESOURCES / "hub-style"
OLD_STYLE = RESOURCES / "before-token-nll" / "gemma2-tiny"
FOLDERS = sorted(p for p in ZOO.iterdir() if (p / "model.onnx").is_file())


def appended_nodes(graph: onnx.ModelProto):
    """The nodes token_nll depends on, back to logits and target_ids, in graph order."""
    producers = {out: node for node in graph.graph.node for out in node.output}
    needed, todo = set(), [OUTPUT]
    while todo:
        name = todo.pop()
        if name in ("logits", TARGETS) or name not in producers:
            continue
        node = producers[name]
        if id(node) not in needed:
            needed.add(id(node))
            todo.extend(node.input)
    return [n for n in graph.graph.node if id(n) in needed]


def attribute(node, name):
    return next(onnx.helper.get_attribute_value(a) for a in node.attribute if a.name == name)


def run_nodes(nodes, values: dict) -> np.ndarray:
    """Runs ``nodes`` over ``values`` (name -> array) with numpy, each operator as ONNX defines it."""
    for node in nodes:
        x = [values[i] for i in node.input]
        if node.op_type == "Constant":
            out = numpy_helper.to_array(attribute(node, "value"))
        elif node.op_type == "GreaterOrEqual":
            out = x[0] >= x[1]
        elif node.op_type == "Where":
            out = np.where(x[0], x[1], x[2])
        elif node.op_type == "Unsqueeze":
            out = np.expand_dims(x[0], tuple(int(a) for a in x[1]))
        elif node.op_type == "Squeeze":
            out = np.squeeze(x[0], tuple(int(a) for a in x[1]))
        elif node.op_type == "GatherElements":
            out = np.take_along_axis(x[0], x[1], axis=attribute(node, "axis"))
        elif node.op_type == "ReduceLogSumExp":
            axes = tuple(attribute(node, "axes"))
            top = x[0].max(axis=axes, keepdims=True)
            out = np.log(np.exp(x[0] - top).sum(axis=axes, keepdims=True)) + top
        elif node.op_type == "Cast":
            out = x[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[attribute(node, "to")])
        elif node.op_type == "LogSoftmax":
            axis = attribute(node, "axis")
            top = x[0].max(axis=axis, keepdims=True)
            shifted = x[0] - top
            out = (shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))).astype(x[0].dtype)
        elif node.op_type == "Neg":
            out = -x[0]
        elif node.op_type == "Sub":
            out = x[0] - x[1]
        else:
            raise AssertionError(f"unexpected operator {node.op_type} on the way to {OUTPUT}")
        values[node.output[0]] = out
    return values[OUTPUT]


@pytest.fixture(scope="module", params=FOLDERS, ids=lambda p: p.name)
def folder(request):
    return request.param


def test_graph_and_plan_declare_token_nll(folder):
    graph = onnx.load(str(folder / "model.onnx"))
    assert graph.graph.input[-1].name == TARGETS and graph.graph.input[-1].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert graph.graph.output[-1].name == OUTPUT and graph.graph.output[-1].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    plan = json.loads((folder / "baton-model.json").read_text())
    assert TARGETS in plan["inputs"] and OUTPUT in plan["outputs"]


def test_token_nll_is_the_log_softmax_of_the_logits(folder):
    golden, _ = safetensors_io.read(folder / "golden" / "segments-ragged.safetensors")
    logits = golden["logits"].astype(np.float32)                    # (1, T, V)
    ids = golden["input_ids"]
    targets = np.concatenate([ids[:, 1:], [[-1]]], axis=1)           # next token; the last scores nothing
    targets[0, 10:14] = [-1, -7, -1, -(2**40)]                       # any negative id scores nothing
    nll = run_nodes(appended_nodes(onnx.load(str(folder / "model.onnx"))),
                    {"logits": logits, TARGETS: targets.astype(np.int64)})
    assert nll.shape == targets.shape and nll.dtype == np.float32

    wide = logits.astype(np.float64)
    top = wide.max(axis=-1, keepdims=True)
    log_softmax = wide - (np.log(np.exp(wide - top).sum(axis=-1, keepdims=True)) + top)
    scored = targets >= 0
    expected = -np.take_along_axis(log_softmax, np.where(scored, targets, 0)[..., None], axis=-1)[..., 0]
    assert np.abs(nll[scored] - expected[scored]).max() <= 1e-5
    assert (nll[~scored] == 0).all() and (~scored).sum() == 5
    assert nll[scored].min() > 0


def test_the_command_turns_an_old_export_into_the_committed_one(tmp_path):
    committed = ZOO / "gemma2-tiny"
    old = tmp_path / "gemma2-tiny"
    old_style_folder(committed, old)
    assert OUTPUT not in [o.name for o in onnx.load(str(old / "model.onnx")).graph.output]
    assert TARGETS not in json.loads((old / "baton-model.json").read_text())["inputs"]

    assert transform_folder(old)
    assert (old / "model.onnx").read_bytes() == (committed / "model.onnx").read_bytes()
    assert (old / "baton-model.json").read_text() == (committed / "baton-model.json").read_text()
    assert not transform_folder(old), "a second run changes nothing"
    assert (old / "model.onnx").read_bytes() == (committed / "model.onnx").read_bytes()


def test_a_graph_without_logits_is_refused():
    graph = onnx.load(str(ZOO / "gemma2-tiny" / "model.onnx"))
    remove_token_nll(graph).graph.output[0].name = "scores"
    with pytest.raises(ValueError, match="no 'logits' output"):
        add_token_nll(graph)


def test_a_hub_export_gets_token_nll_without_a_plan(tmp_path):
    hub = tmp_path / "hub-style"
    shutil.copytree(HUB, hub)
    assert transform_folder(hub)
    graph = onnx.load(str(hub / "model.onnx"))
    assert [i.name for i in graph.graph.input][-1] == TARGETS and graph.graph.output[-1].name == OUTPUT
    assert not (hub / "baton-model.json").exists()


def test_the_old_style_fixture_is_the_committed_gemma2_tiny_without_token_nll(tmp_path):
    """The fixture predates ragged batches too: its plan is the committed one without ``ragged``
    (gemma2's graph did not change for them: attention already skipped masked keys)."""
    old_style_folder(ZOO / "gemma2-tiny", tmp_path)
    for name in ("model.onnx", "config.json", "tokenizer.json"):
        assert (tmp_path / name).read_bytes() == (OLD_STYLE / name).read_bytes(), name
    plan = json.loads((tmp_path / "baton-model.json").read_text())
    assert plan.pop("ragged") is True
    assert json.dumps(plan, indent=2) + "\n" == (OLD_STYLE / "baton-model.json").read_text()
