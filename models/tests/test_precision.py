"""``--precision fp16``: float16 weights and matrix products inside, the float32 contract outside, and outputs
within the tolerance docs/model-contract.md ("Precision") states of the float32 model."""
import json

import numpy as np
import onnx
import pytest
import torch

from models.corpus import byte_ids, moby_dick_bytes
from models.export import GOLDEN_SOURCE, export
from models.families import FAMILIES, build
from models.precision import METADATA_KEY, float16_linear_names, float16_linears
from models.runner import fixed_split, run_segments

# The stated tolerance of an fp16 export against the fp32 one (docs/model-contract.md, "Precision"):
NLL_TOKEN = 0.05          # nats: |difference| of a token's NLL ...
HIDDEN_TOKEN = 0.02       # ... and the largest |difference| over the hidden axis of a token (values of size ~4) ...
FRACTION = 0.01           # ... exceeded by at most this fraction of the tokens (a MoE routing flipped by a rounding),
NLL_MAX, HIDDEN_MAX = 0.5, 1.0   # and by no token beyond these


def value_infos(graph):
    def info(v):
        t = v.type.tensor_type
        return v.name, t.elem_type, [d.dim_param or d.dim_value for d in t.shape.dim]
    return [info(v) for v in graph.graph.input], [info(v) for v in graph.graph.output]


@pytest.mark.parametrize("family", ["jamba", "gemma2", "linear_attention"])
def test_fp16_export_keeps_the_float32_contract(family, tmp_path):
    export(family, tmp_path / "fp32")
    export(family, tmp_path / "fp16", precision="fp16")
    g32 = onnx.load(str(tmp_path / "fp32" / "model.onnx"))
    g16 = onnx.load(str(tmp_path / "fp16" / "model.onnx"))

    assert value_infos(g16) == value_infos(g32)
    inputs, outputs = value_infos(g16)
    assert all(t == onnx.TensorProto.FLOAT for n, t, _ in inputs + outputs if not n.endswith("_ids")
               and n != "attention_mask")

    halves = {i.name for i in g16.graph.initializer if i.data_type == onnx.TensorProto.FLOAT16}
    matmuls = [n for n in g16.graph.node if n.op_type == "MatMul" and n.input[1] in halves]
    assert len(matmuls) == len(float16_linear_names(build(family)))
    assert not any(i.data_type == onnx.TensorProto.FLOAT16 for i in g32.graph.initializer)
    assert (tmp_path / "fp16" / "model.onnx").stat().st_size < 0.7 * (tmp_path / "fp32" / "model.onnx").stat().st_size

    assert {p.key: p.value for p in g16.metadata_props}[METADATA_KEY] == "fp16"
    assert METADATA_KEY not in {p.key for p in g32.metadata_props}
    plan32 = json.loads((tmp_path / "fp32" / "baton-model.json").read_text())
    plan16 = json.loads((tmp_path / "fp16" / "baton-model.json").read_text())
    assert plan16.pop("precision") == "fp16" and "precision" not in plan32
    assert plan16 == plan32


def documents():
    return torch.cat([byte_ids([moby_dick_bytes(GOLDEN_SOURCE[1] + 20_011 * b, 256)]) for b in range(2)])


def assert_within_tolerance(ids, nll32, nll16, hidden32, hidden16):
    nll = np.abs(nll32 - nll16)
    assert (nll > NLL_TOKEN).mean() <= FRACTION and nll.max() <= NLL_MAX, np.sort(nll.ravel())[-10:]
    per_token = np.abs(hidden32 - hidden16).max(-1)
    assert (per_token > HIDDEN_TOKEN).mean() <= FRACTION and per_token.max() <= HIDDEN_MAX, np.sort(per_token.ravel())[-10:]


def nll_of(logits, ids):
    lp = torch.log_softmax(torch.as_tensor(logits), -1)
    return -lp[:, :-1].gather(-1, torch.as_tensor(ids)[:, 1:, None]).squeeze(-1).numpy()


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_fp16_arithmetic_stays_within_tolerance(family):
    """What the fp16 graph computes, emulated in PyTorch (float16 roundings of inputs, weights and results of
    the linear layers; torch 1.13 has no float16 matmul on the CPU), against float32, state carried."""
    model, ids = build(family), documents()
    with torch.no_grad():
        l32, h32, _ = run_segments(model, ids, fixed_split(256, 64))
        with float16_linears(model):
            l16, h16, _ = run_segments(model, ids, fixed_split(256, 64))
    assert_within_tolerance(ids, nll_of(l32, ids), nll_of(l16, ids), h32.numpy(), h16.numpy())


def test_fp16_graph_on_onnxruntime_stays_within_tolerance(tmp_path):
    """The exported graphs themselves; needs the onnxruntime Python package, which Debian does not package
    (the Java side runs the same comparison on ONNX Runtime's CPU provider: ResidentStatesBench's reference)."""
    ort = pytest.importorskip("onnxruntime", reason="the onnxruntime Python package is not installed here")
    from models.runner import next_state, segment_inputs
    ids = documents()
    results = {}
    for precision in ("fp32", "fp16"):
        model = export("jamba", tmp_path / precision, precision=precision)
        session = ort.InferenceSession(str(tmp_path / precision / "model.onnx"), providers=["CPUExecutionProvider"])
        state = {k: v.numpy() for k, v in model.initial_state(2).items()}
        nll, hidden = [], []
        for step, t0 in enumerate(range(0, 256, 64)):
            mask, positions = segment_inputs(model, 2, t0, 64)
            seg = ids[:, t0:t0 + 64]
            targets = ids[:, t0 + 1:t0 + 65]
            if targets.shape[1] < 64:
                targets = torch.cat([targets, torch.full((2, 1), -1, dtype=torch.int64)], 1)
            feed = {"input_ids": seg.numpy(), "attention_mask": mask.numpy(), "position_ids": positions.numpy(),
                    "target_ids": targets.numpy(), **state}
            names = ["token_nll", "last_hidden_state", *[s.output for s in model.state_specs()]]
            out = dict(zip(names, session.run(names, feed)))
            nll.append(out["token_nll"])
            hidden.append(out["last_hidden_state"])
            state = {k: v.numpy() for k, v in next_state(model, {n: torch.from_numpy(out[n]) for n in names[2:]}).items()}
        results[precision] = np.concatenate(nll, 1)[:, :-1], np.concatenate(hidden, 1)
    assert_within_tolerance(ids, results["fp32"][0], results["fp16"][0], results["fp32"][1], results["fp16"][1])
