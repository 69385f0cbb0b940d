"""Append the per-token negative log-likelihood of the next token to a segment graph.

    /usr/bin/python3 -m models.token_nll models/zoo/gemma2-small [more model folders...]

rewrites each folder's ``model.onnx`` in place with one more input and one more output
(docs/model-contract.md):

- ``target_ids`` (int64 [batch, sequence]): the token each position predicts, i.e. the segment's
  tokens shifted left with the next segment's first token last; a negative id scores nothing;
- ``token_nll`` (float32 [batch, sequence]): ``-log softmax(logits)[target]``, 0 where the
  target is negative.

The nodes read ``logits`` and change nothing before it, so ``logits`` and every other output are
computed exactly as before; a runtime asked only for ``token_nll`` (and the state) copies out
[batch, sequence] floats instead of [batch, sequence, vocab]. ``baton-model.json``, when the
folder has one, gets ``target_ids`` in ``inputs`` and ``token_nll`` in ``outputs``. A graph that
already has ``token_nll`` is left as it is, so the command can run twice. ``models/export.py``
applies the same transformation as its last step; here it reaches models whose weights exist
only in ``model.onnx`` (the trained ``-small`` models, hub exports).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import List

import onnx
from onnx import TensorProto, helper

TARGETS = "target_ids"
OUTPUT = "token_nll"
LOGITS = "logits"
PREFIX = "token_nll/"


def nodes() -> List[onnx.NodeProto]:
    """The appended nodes (opset 17): the target's log-softmax, negated, zero where the target is
    negative (its index clamped to 0 so the gather stays in range).

    LogSoftmax rather than log-sum-exp minus the target's logit: ONNX Runtime's CPU
    ReduceLogSumExp adds up 4,096 float32 terms one by one (2.9e-5 nats from the exact value for
    the trained models) and in float64 it is slow (a batch of 8 x 256 tokens of gemma2-small took
    1.6x the run that fetched logits); its LogSoftmax is vectorised and as close as float32 allows."""
    p = PREFIX
    return [
        helper.make_node("Constant", [], [p + "zero_id"], value=helper.make_tensor(p + "zero_id", TensorProto.INT64, [], [0])),
        helper.make_node("Constant", [], [p + "zero"], value=helper.make_tensor(p + "zero", TensorProto.FLOAT, [], [0.0])),
        helper.make_node("Constant", [], [p + "last_axis"], value=helper.make_tensor(p + "last_axis", TensorProto.INT64, [1], [-1])),
        helper.make_node("GreaterOrEqual", [TARGETS, p + "zero_id"], [p + "scored"]),                # (B, T) bool
        helper.make_node("Where", [p + "scored", TARGETS, p + "zero_id"], [p + "index"]),           # (B, T)
        helper.make_node("Unsqueeze", [p + "index", p + "last_axis"], [p + "index3"]),              # (B, T, 1)
        helper.make_node("LogSoftmax", [LOGITS], [p + "log_p"], axis=-1),                            # (B, T, V)
        helper.make_node("GatherElements", [p + "log_p", p + "index3"], [p + "target_log_p"], axis=-1),  # (B, T, 1)
        helper.make_node("Neg", [p + "target_log_p"], [p + "nll3"]),                                # (B, T, 1)
        helper.make_node("Squeeze", [p + "nll3", p + "last_axis"], [p + "nll"]),                    # (B, T)
        helper.make_node("Where", [p + "scored", p + "nll", p + "zero"], [OUTPUT]),                  # (B, T)
    ]


def has_token_nll(graph: onnx.ModelProto) -> bool:
    return any(o.name == OUTPUT for o in graph.graph.output)


def add_token_nll(graph: onnx.ModelProto) -> onnx.ModelProto:
    """``graph`` with ``target_ids`` appended to its inputs and ``token_nll`` to its outputs
    (unchanged when it has them already). Its ``logits`` must be [batch, sequence, vocab]."""
    if has_token_nll(graph):
        return graph
    outputs = {o.name: o for o in graph.graph.output}
    if LOGITS not in outputs:
        raise ValueError("the graph has no 'logits' output")
    dims = outputs[LOGITS].type.tensor_type.shape.dim
    if len(dims) != 3:
        raise ValueError(f"'logits' has rank {len(dims)}, not 3 (batch, sequence, vocab)")
    batch, sequence = [d.dim_param or d.dim_value for d in dims[:2]]
    graph.graph.input.append(helper.make_tensor_value_info(TARGETS, TensorProto.INT64, [batch, sequence]))
    graph.graph.node.extend(nodes())
    graph.graph.output.append(helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [batch, sequence]))
    onnx.checker.check_model(graph)
    return graph


def remove_token_nll(graph: onnx.ModelProto) -> onnx.ModelProto:
    """``graph`` as exported before token_nll existed (what :func:`add_token_nll` appended, removed):
    the fixture of an old-style export for the Java tests, and the inverse the tests check."""
    kept = [n for n in graph.graph.node if not any(o == OUTPUT or o.startswith(PREFIX) for o in n.output)]
    del graph.graph.node[:]
    graph.graph.node.extend(kept)
    for field, name in ((graph.graph.input, TARGETS), (graph.graph.output, OUTPUT)):
        for value in [v for v in field if v.name == name]:
            field.remove(value)
    return graph


def old_style_folder(zoo_folder: Path, out: Path) -> None:
    """A copy of a model folder as exported before token_nll existed (graph and baton-model.json)."""
    out.mkdir(parents=True, exist_ok=True)
    onnx.save(remove_token_nll(onnx.load(str(zoo_folder / "model.onnx"))), str(out / "model.onnx"))
    plan = json.loads((zoo_folder / "baton-model.json").read_text())
    plan["inputs"] = [n for n in plan["inputs"] if n != TARGETS]
    plan["outputs"] = [n for n in plan["outputs"] if n != OUTPUT]
    (out / "baton-model.json").write_text(json.dumps(plan, indent=2) + "\n")
    for name in ("config.json", "tokenizer.json"):
        (out / name).write_bytes((zoo_folder / name).read_bytes())


def declare(plan: dict) -> dict:
    """The state plan (``baton-model.json``) naming the new input and output."""
    if TARGETS not in plan["inputs"]:
        plan["inputs"] = [*plan["inputs"], TARGETS]
    if OUTPUT not in plan["outputs"]:
        plan["outputs"] = [*plan["outputs"], OUTPUT]
    return plan


def transform_folder(folder: Path) -> bool:
    """Adds token_nll to ``folder/model.onnx`` (and declares it in ``baton-model.json``, if any);
    False when the graph had it already."""
    path = folder / "model.onnx"
    graph = onnx.load(str(path))
    changed = not has_token_nll(graph)
    if changed:
        onnx.save(add_token_nll(graph), str(path))
    plan_file = folder / "baton-model.json"
    if plan_file.is_file():
        plan = json.loads(plan_file.read_text())
        declared = declare(json.loads(json.dumps(plan)))
        if declared != plan:
            plan_file.write_text(json.dumps(declared, indent=2) + "\n")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="model folders holding model.onnx")
    for folder in parser.parse_args().folders:
        print(f"{folder}: {'token_nll added' if transform_folder(folder) else 'already has token_nll'}")


if __name__ == "__main__":
    main()
