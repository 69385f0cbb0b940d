"""Export a trained model folder again from its own weights: the graph's initializers, read back
into the PyTorch model they were exported from.

    /usr/bin/python3 -m models.reexport models/zoo/jamba-medium [more folders...]
    /usr/bin/python3 -m models.reexport models/zoo/jamba-medium --out /tmp/fp16/jamba-medium --precision fp16
    /usr/bin/python3 -m models.reexport models/zoo/jamba-large --out /tmp/m1024/jamba-large --set memory=1024

``--out DIR`` writes a *variant* of the one folder to DIR instead, from the same checked weights: ``--precision
fp16`` computes the linear layers' products in float16 (``models/export.py --precision fp16``, the float32
contract outside; for GPU deployments, docs/model-contract.md "Precision"), and ``--set KEY=JSON`` changes
configuration fields that hold no weights (Jamba's attention ``memory``, the keys a window keeps; a field that
would change the weights is refused). Beside the graph: the tokenizer and selector.json copied, the config and
training.json as the variant's. A variant is checked through its source's goldens before it is written; one with
``--set`` computes something else (e.g. a continuous cache, ``--set 'cache={"window": 1024, ...}'``), so it gets
goldens of its own over the source's golden ids.

A trained model's weights exist only in its ``model.onnx`` (and parts; the training runs' weight
files are not in the repository), so when a family's segment path changes (ragged batches, issue
16) the folder is exported again from them. The folder's ``training.json`` names the family and
its configuration. The rebuilt model must reproduce the folder's goldens (the whole-document
pass and both segment runs, within :data:`GOLDEN_TOLERANCE`) before anything is written; then
``model.onnx`` (and its ``model.onnx.data-NN`` parts) and ``baton-model.json`` are written as
``models/export.py`` writes them, and ``config.json``, ``tokenizer.json``, ``training.json``,
``selector.json`` and ``golden/`` stay as they are.

How the weights are found. The export traces the segment path with constant folding, so the
graph holds each parameter in one of these forms:

- under its own name, float32, or float16 as ``<name>_fp16`` followed by a Cast (``store_float16``);
- a linear layer's weight transposed, as the second input of a MatMul, under a generated name
  (``onnx::MatMul_N``): matched to the linear layers in the order the segment path calls them
  (the order the tracer recorded them in), each checked by shape; a MatMul left over must be a
  head tied to the embedding, checked by value;
- a few parameters reshaped or sliced by the code that reads them, matched in graph order by
  shape and the operator that reads them, module by module (:func:`folded_parameters`): Mamba's
  ``D[:, None]``, the causal conv's kernel columns ``weight[:, 0, k]``, Longformer's pinned-key
  bias ``view(1, -1, 1, 1)``.

The exporter also replaces equal constants by one initializer and Identity nodes, which are
followed. Transformer-XL and the Universal Transformer fold ``W_r`` into its product with the
sinusoids, which does not give ``W_r`` back: they are refused (they have no trained models).
"""
from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

from . import safetensors_io
from .blocks import CausalConv, HybridLM
from .export import write_goldens, write_graph
from .families import build
from .jamba import Mamba2Mixer
from .longformer import GlobalLocalAttention
from .precision import PRECISIONS
from .runner import run_segments, segment_inputs
from .train import save_weights

# The rebuilt model against the folder's goldens, in units of each tensor's scale (its largest
# magnitude, at least 1: float32 rounds relative to size), the rule of the ragged tests
# (test_ragged.py, test_zoo_onnxruntime.py, RaggedBatchTest). The same weights give the same numbers
# up to float32 summation order, which follows the CPU and the torch version: jamba-medium (logits
# up to 18.3) within 7.2e-5 absolute on torch 1.13 and 1.14e-4 on torch 2.13 on an AMD EPYC (6.3e-6
# of scale), its goldens' own segment-vs-whole noise 4.1e-5; one weight read wrong moves the logits
# by far more.
GOLDEN_TOLERANCE = 1e-5
PREFIX = "model."          # the graph names a parameter as an attribute of export.SegmentGraph
NOT_REBUILDABLE = {"transformer_xl": "W_r is folded into its product with the sinusoids",
                   "universal": "W_r is folded into its product with the sinusoids"}


@dataclass(frozen=True)
class Use:
    """A node's input that reads a stored constant: the operator, the input's index, the constant."""
    op: str
    index: int
    source: str


class GraphWeights:
    """The constants of a graph by the names its nodes read them under, and their uses in node order."""

    def __init__(self, graph: onnx.ModelProto):
        stored = {i.name: numpy_helper.to_array(i) for i in graph.graph.initializer}
        self.values: Dict[str, np.ndarray] = {}
        canonical: Dict[str, str] = {}
        for name, value in stored.items():
            if value.dtype == np.float32:
                self.values[name], canonical[name] = value, name
        for node in graph.graph.node:
            source = node.input[0] if node.input else None
            if node.op_type == "Cast" and source in stored and stored[source].dtype == np.float16:
                # store_float16: a float16 initializer and a Cast back to the float32 name.
                self.values[node.output[0]] = stored[source].astype(np.float32)
                canonical[node.output[0]] = node.output[0]
            elif node.op_type == "Identity" and source in canonical:
                # The exporter keeps one initializer of equal constants and Identity nodes for the rest.
                canonical[node.output[0]] = canonical[source]
        self.uses = [Use(node.op_type, index, canonical[name])
                     for node in graph.graph.node for index, name in enumerate(node.input) if name in canonical]

    def value(self, use: Use) -> np.ndarray:
        return self.values[use.source]


def linear_call_order(model: HybridLM) -> List[nn.Linear]:
    """The linear layers in the order the segment path calls them (a layer called twice, twice)."""
    calls: List[nn.Linear] = []
    hooks = [m.register_forward_hook(lambda module, args, out: calls.append(module))
             for m in model.modules() if isinstance(m, nn.Linear)]
    try:
        mask, positions = segment_inputs(model, 1, 0, 2)
        with torch.no_grad():
            model.forward_segment(torch.zeros(1, 2, dtype=torch.int64), mask, positions, model.initial_state(1))
    finally:
        for hook in hooks:
            hook.remove()
    return calls


def folded_parameters(model: HybridLM) -> Iterator[tuple]:
    """(parameter name, op, shape of each piece, how many pieces, join) for each parameter the
    code reads through a reshape or slice, in module order (the trace's order). ``join`` turns the
    pieces, in graph order, back into the parameter."""
    for name, module in model.named_modules():
        if isinstance(module, CausalConv):
            channels, _, kernel = module.conv.weight.shape
            yield (f"{name}.conv.weight", "Mul", (channels,), kernel,
                   lambda pieces: np.stack(pieces, axis=-1)[:, None, :])            # weight[:, 0, k]
        elif isinstance(module, Mamba2Mixer):
            yield f"{name}.D", "Mul", (module.heads, 1), 1, lambda pieces: pieces[0][:, 0]   # D[:, None]
        elif isinstance(module, GlobalLocalAttention):
            yield (f"{name}.global_bias", "Where", (1, module.heads, 1, 1), 1,
                   lambda pieces: pieces[0].reshape(-1))                             # view(1, -1, 1, 1)


def weights_from_graph(model: HybridLM, graph: onnx.ModelProto) -> Dict[str, torch.Tensor]:
    """The state dict of ``model`` (whose configuration the graph was exported from) read from the
    graph's constants; raises ValueError when a parameter cannot be found or does not fit."""
    if model.family in NOT_REBUILDABLE:
        raise ValueError(f"{model.family} cannot be rebuilt from its graph: {NOT_REBUILDABLE[model.family]}")
    weights = GraphWeights(graph)
    params = dict(model.named_parameters())
    found = {n: weights.values[PREFIX + n] for n in params if PREFIX + n in weights.values}
    generated = [u for u in weights.uses if not u.source.startswith(PREFIX)]

    names = {id(m): n for n, m in model.named_modules()}
    calls = [names[id(c)] + ".weight" for c in linear_call_order(model)]
    calls = [n for n in calls if n not in found]
    matmuls = [u for u in generated if u.op == "MatMul" and u.index == 1 and weights.value(u).ndim == 2]
    if len(matmuls) < len(calls):
        raise ValueError(f"the graph has {len(matmuls)} MatMuls with a weight for {len(calls)} linear layers")
    for name, use in zip(calls, matmuls):
        take(found, name, weights.value(use).T, params)
    embedding = found.get("embed.weight")
    for use in matmuls[len(calls):]:
        if embedding is None or not np.array_equal(weights.value(use).T, embedding):
            raise ValueError(f"a MatMul reads {use.source}, which is no linear layer's weight and not the embedding")

    taken: Dict[tuple, int] = {}                         # pieces used so far, by (op, shape)
    for name, op, shape, count, join in folded_parameters(model):
        if name in found:                                # stored under its name (an older graph)
            continue
        pieces = [u for u in generated if u.op == op and weights.value(u).shape == shape]
        start = taken.get((op, shape), 0)
        if len(pieces) < start + count:
            raise ValueError(f"{name}: the graph has too few {op} constants of shape {shape}")
        take(found, name, join([weights.value(u) for u in pieces[start:start + count]]), params)
        taken[(op, shape)] = start + count

    missing = sorted(set(params) - set(found))
    if missing:
        raise ValueError(f"parameters not found in the graph: {missing}")
    return {n: torch.tensor(np.ascontiguousarray(v)) for n, v in found.items()}


def take(found: Dict[str, np.ndarray], name: str, value: np.ndarray, params: Dict[str, nn.Parameter]) -> None:
    """Records ``value`` for parameter ``name``; a second reading must agree with the first."""
    if tuple(value.shape) != tuple(params[name].shape):
        raise ValueError(f"{name}: the graph gives shape {value.shape}, the model has {tuple(params[name].shape)}")
    if name in found and not np.array_equal(found[name], value):
        raise ValueError(f"{name}: two readings of the graph disagree")
    found[name] = value


def rebuild(folder: Path) -> HybridLM:
    """The PyTorch model of a trained folder, its weights read from ``model.onnx``."""
    training = json.loads((folder / "training.json").read_text())
    model = build(training["family"], **training["config_overrides"])
    model.load_state_dict(weights_from_graph(model, onnx.load(str(folder / "model.onnx"))))
    return model


def scaled_difference(got: np.ndarray, want: np.ndarray) -> float:
    """The largest difference in units of ``want``'s scale (its largest magnitude, at least 1)."""
    return float(np.abs(got - want).max() / max(1.0, float(np.abs(want).max())))


def golden_differences(model: HybridLM, folder: Path) -> Dict[str, float]:
    """Largest difference of ``model``'s logits and hidden states from each golden of ``folder``,
    each in units of the golden tensor's scale (its largest magnitude, at least 1)."""
    out = {}
    for path in sorted((folder / "golden").glob("*.safetensors")):
        golden, _ = safetensors_io.read(path)
        ids = torch.from_numpy(golden["input_ids"].copy())
        with torch.no_grad():
            if path.stem == "whole":
                logits, hidden = model(ids)
            else:
                logits, hidden, _ = run_segments(model, ids, [int(n) for n in golden["segment_lengths"]])
        out[path.stem] = max(scaled_difference(logits.numpy(), golden["logits"]),
                             scaled_difference(hidden.numpy(), golden["last_hidden_state"]))
    return out


def checked_rebuild(folder: Path) -> Tuple[HybridLM, Dict[str, float]]:
    """``folder``'s model rebuilt from its graph, and its largest differences from the folder's goldens;
    fails when they exceed :data:`GOLDEN_TOLERANCE`."""
    model = rebuild(folder)
    differences = golden_differences(model, folder)
    if not differences or max(differences.values()) > GOLDEN_TOLERANCE:
        raise ValueError(f"the model rebuilt from {folder} does not reproduce its goldens: {differences}")
    return model, differences


def reexport(folder: Path) -> Dict[str, float]:
    """Rebuilds ``folder``'s model, checks it against the goldens, writes the graph and the plan."""
    model, differences = checked_rebuild(folder)
    if json.loads((folder / "config.json").read_text()) != json.loads(json.dumps(model.hf_config())):
        raise ValueError(f"{folder}/config.json is not what training.json's configuration gives")
    write_graph(model, folder, float16=True)
    return differences


def training_weights(folder: Path, out: Path) -> Dict[str, float]:
    """Writes ``folder``'s weights, rebuilt and checked against its goldens, as the float16 file that
    ``models.train --init-from`` starts from, at step 0: a new schedule over the model as exported (e.g. a
    continued run on other text)."""
    model, differences = checked_rebuild(folder)
    training = json.loads((folder / "training.json").read_text())
    save_weights(out, model, training["run_config"], model.hf_config()["vocab_size"], 0, 0, {"from": str(folder)})
    return differences


def variant(folder: Path, out: Path, precision: str = "fp32", overrides: Optional[dict] = None) -> Dict[str, float]:
    """``folder``'s model, rebuilt and checked against its goldens, written to ``out`` in ``precision`` and with
    the configuration ``overrides`` (fields that hold no weights: the rebuilt weights must load into the changed
    model as they are), beside its tokenizer and selector.json; returns the goldens check."""
    model, differences = checked_rebuild(folder)
    training = json.loads((folder / "training.json").read_text())
    if overrides:
        config = {**training["config_overrides"], **overrides}
        changed = build(training["family"], **config)
        try:
            changed.load_state_dict(model.state_dict())
        except RuntimeError as e:
            raise ValueError(f"{overrides} changes {folder}'s weights, so it is no variant of them: {e}") from e
        model, training = changed, {**training, "config_overrides": config}
    out.mkdir(parents=True, exist_ok=True)
    write_graph(model, out, float16=True, precision=precision)
    if overrides:
        (out / "config.json").write_text(json.dumps(model.hf_config(), indent=2) + "\n")
        (out / "training.json").write_text(json.dumps(training, indent=2) + "\n")
        write_variant_goldens(model, folder, out)
    names = ("tokenizer.json", "selector.json") + (() if overrides else ("config.json", "training.json"))
    for name in names:
        if (folder / name).exists():
            shutil.copyfile(folder / name, out / name)
    return differences


def write_variant_goldens(model: HybridLM, folder: Path, out: Path) -> None:
    """The goldens of a variant whose configuration changes what it computes: the changed model's outputs
    over the source folder's golden ids, so that the variant is checked as the zoo's models are."""
    golden, meta = safetensors_io.read(folder / "golden" / "whole.safetensors")
    keep = {k: v for k, v in meta.items() if k not in ("pass", "source", "byte_offset", "tokens")}
    write_goldens(model, out, torch.from_numpy(golden["input_ids"].copy()), keep)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="trained model folders (with training.json)")
    parser.add_argument("--training-weights", type=Path, metavar="FILE",
                        help="instead of exporting: write the one folder's weights for models.train --init-from")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="instead of exporting in place: write a variant of the one folder to DIR")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32",
                        help="with --out: fp16 computes the linear layers' products in float16")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                        help="with --out: a configuration field that holds no weights, e.g. memory=1024")
    args = parser.parse_args()
    if args.out:
        if len(args.folders) != 1 or args.training_weights:
            parser.error("--out takes one folder and no --training-weights")
        overrides = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
        differences = variant(args.folders[0], args.out, args.precision, overrides)
        print(f"{args.out}: variant of {args.folders[0]} ({args.precision}, {overrides or 'same configuration'}); "
              "rebuilt model vs goldens, largest difference " + ", ".join(f"{k} {v:.2e}" for k, v in differences.items()))
        return
    if args.set or args.precision != "fp32":
        parser.error("--precision and --set write a variant: give --out")
    if args.training_weights:
        if len(args.folders) != 1:
            parser.error("--training-weights takes one folder")
        differences = training_weights(args.folders[0], args.training_weights)
        print(f"{args.training_weights}: weights of {args.folders[0]}, rebuilt model vs goldens, largest difference "
              + ", ".join(f"{k} {v:.2e}" for k, v in differences.items()))
        return
    for folder in args.folders:
        differences = reexport(folder)
        print(f"{folder}: exported again; rebuilt model vs goldens, largest difference "
              + ", ".join(f"{k} {v:.2e}" for k, v in differences.items()))


if __name__ == "__main__":
    main()
