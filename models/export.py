"""Export a zoo model to a Baton model folder.

    /usr/bin/python3 -m models.export --family jamba --out models/zoo/jamba-tiny

writes ``model.onnx`` (opset 17, the segment path with the contract's input/output names),
``config.json`` (Hugging Face style), ``baton-model.json`` (the state plan), a byte-level
``tokenizer.json`` (Hugging Face tokenizers format) and ``golden/`` (token ids of a real text
and the expected outputs of the whole-document pass and of segment-by-segment runs). The
contract is described in docs/model-contract.md. ``--precision fp16`` computes the linear layers
in float16 with float32 inputs, outputs and states (models/precision.py; docs/model-contract.md,
"Precision"); the default, ``fp32``, exports what it always did.

A trained model (``models/train.py``) is exported from its float16 weights file:

    /usr/bin/python3 -m models.export --weights best-fp16.pt --tokenizer models/tokenizer/bpe-4096.json \
        --golden-ids golden_ids.json --out models/zoo/gemma2-small

The weights are float16 values computed in float32; ``model.onnx`` stores every float32
initializer whose values are exactly float16 as float16 plus a Cast, so the file is half the
size and computes exactly what the float32 PyTorch model with those weights computes (the
goldens). ``golden_ids.json`` holds the token ids of the golden text under the model's
tokenizer (``models.train_data.golden_token_ids``; the ``tokenizers`` package is not needed here).
"""
from __future__ import annotations

import argparse
import contextlib
import inspect
import json
from pathlib import Path
from typing import List

import numpy as np
import onnx
from onnx import external_data_helper, helper, numpy_helper
import torch
import torch.nn as nn

from . import safetensors_io
from .blocks import HybridLM
from .corpus import byte_ids, moby_dick_bytes
from .families import FAMILIES, build
from .precision import METADATA_KEY, PRECISIONS, float16_linears
from .runner import fixed_split, ragged_split, run_segments
from .token_nll import add_token_nll

OPSET = 17
# The same exporter on torch 1.13 and 2.x: tracing (TorchScript). torch >= 2.9 defaults to the
# dynamo exporter, which cannot take ``dynamic_axes`` for a graph with this many state inputs.
TRACING_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
FORMAT = 1
GOLDEN_TOKENS = 256
GOLDEN_SOURCE = ("corpus/moby-dick/moby-dick.txt", 50_000)


class SegmentGraph(nn.Module):
    """The segment path with flat, ordered inputs and outputs, as ONNX sees it."""

    def __init__(self, model: HybridLM):
        super().__init__()
        self.model = model
        self.specs = model.state_specs()

    def forward(self, input_ids, attention_mask, position_ids, *past):
        state = {s.input: t for s, t in zip(self.specs, past)}
        logits, hidden, present = self.model.forward_segment(input_ids, attention_mask, position_ids, state)
        return (logits, hidden, *[present[s.output] for s in self.specs])


def input_names(model: HybridLM) -> List[str]:
    """The graph's inputs: the traced ones, then ``target_ids`` (appended by models/token_nll.py)."""
    return ["input_ids", "attention_mask", "position_ids", *[s.input for s in model.state_specs()], "target_ids"]


def output_names(model: HybridLM) -> List[str]:
    """The graph's outputs: the traced ones, then ``token_nll`` (appended by models/token_nll.py)."""
    return ["logits", "last_hidden_state", *[s.output for s in model.state_specs()], "token_nll"]


def export_onnx(model: HybridLM, path: Path, float16: bool = False, precision: str = "fp32") -> None:
    """Traces the segment path to ``path``; with ``float16``, stores the weights that are exactly
    float16 as float16 (:func:`store_float16`); last, appends ``token_nll`` (models/token_nll.py).
    ``precision`` ``fp16`` computes the linear layers in float16 (models/precision.py); inputs,
    outputs and states stay float32."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision is one of {PRECISIONS}, was {precision!r}")
    specs = model.state_specs()
    batch, seq, t0 = 2, 5, 3
    ids = torch.randint(0, model.config.vocab_size, (batch, seq))
    mask = torch.ones(batch, model.mask_past() + seq, dtype=torch.int64)
    positions = (t0 + torch.arange(seq)).unsqueeze(0).repeat(batch, 1)
    state = model.initial_state(batch)
    past = tuple(state[s.input] for s in specs)

    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "past_sequence"},
            "position_ids": {0: "batch", 1: "sequence"},
            "logits": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"}}
    for s in specs:
        axes[s.input] = {0: "batch"}
        axes[s.output] = {0: "batch", s.retention.axis: "present_sequence"} if s.retention.policy == "window" \
            else {0: "batch"}
    half = float16_linears(model) if precision == "fp16" else contextlib.nullcontext()
    with torch.no_grad(), half:
        torch.onnx.export(SegmentGraph(model), (ids, mask, positions, *past), str(path),
                          input_names=input_names(model)[:-1], output_names=output_names(model)[:-1],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True,
                          **TRACING_EXPORTER)
    if float16:
        store_float16(path)
    graph = add_token_nll(onnx.load(str(path)))
    if precision != "fp32":
        helper.set_model_props(graph, {**{p.key: p.value for p in graph.metadata_props}, METADATA_KEY: precision})
    check_graph(model, graph)
    save_graph(graph, path)


PART_BYTES = 18 * 10**6     # every file of a model folder stays under 20 MB (docs/model-contract.md)
EXTERNAL_MIN_BYTES = 1024   # smaller initializers stay inside the graph


def save_graph(graph: onnx.ModelProto, path: Path, part_bytes: int = PART_BYTES) -> List[Path]:
    """Writes ``path``; a graph over ``part_bytes`` keeps its initializers in ONNX external data
    files beside it, ``<name>.data-00``, ``-01``, ..., each at most ``part_bytes`` (ONNX Runtime
    reads them from the model's folder; the services' model digest covers them in name order).
    Any parts of an earlier export at ``path`` are removed first. Returns the parts written."""
    for old in path.parent.glob(path.name + ".data-*"):
        old.unlink()
    if graph.ByteSize() <= part_bytes:
        onnx.save(graph, str(path))
        return []
    parts: List[Path] = []
    out, written = None, part_bytes
    try:
        for init in graph.graph.initializer:
            if not init.HasField("raw_data"):          # values in the typed fields: as raw bytes
                init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init), init.name))
            size = len(init.raw_data)
            if size < EXTERNAL_MIN_BYTES:
                continue
            if size > part_bytes:
                raise ValueError(f"initializer {init.name} ({size} bytes) is larger than a part ({part_bytes})")
            if written + size > part_bytes:
                if out:
                    out.close()
                parts.append(path.parent / f"{path.name}.data-{len(parts):02d}")
                out, written = open(parts[-1], "wb"), 0
            out.write(init.raw_data)
            external_data_helper.set_external_data(init, parts[-1].name, offset=written, length=size)
            init.ClearField("raw_data")
            written += size
    finally:
        if out:
            out.close()
    onnx.save(graph, str(path))
    return parts


def check_graph(model: HybridLM, graph: onnx.ModelProto) -> None:
    """The exported graph has exactly the contract's inputs and outputs, in order."""
    onnx.checker.check_model(graph)
    got_in = [i.name for i in graph.graph.input]
    got_out = [o.name for o in graph.graph.output]
    if got_in != input_names(model) or got_out != output_names(model):
        raise RuntimeError(f"exported names differ from the contract: inputs {got_in}, outputs {got_out}")


def state_plan(model: HybridLM, precision: str = "fp32") -> dict:
    """``baton-model.json``; a float16 export says so in ``precision`` (absent for float32, so
    those files are unchanged; readers ignore keys they do not know). ``ragged``: every family's
    graph takes ragged batches (docs/model-contract.md, "Ragged batches"); a plan without the key,
    an older export's, takes segments of one length only."""
    cfg = model.config
    plan = {
        "format": FORMAT,
        "family": model.family,
        "model": "model.onnx",
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.hidden_size,
        "inputs": ["input_ids", "attention_mask", "position_ids", "target_ids"],
        "mask_past": model.mask_past(),
        "outputs": ["logits", "last_hidden_state", "token_nll"],
        "ragged": True,
        "state": [s.to_json() for s in model.state_specs()],
    }
    if precision != "fp32":
        plan["precision"] = precision
    return plan


def byte_level_tokenizer(vocab_size: int) -> dict:
    """A Hugging Face tokenizers BPE model over the 256 bytes, no merges: byte b is id b.

    Bytes are spelled with GPT-2's printable byte-to-unicode alphabet, which the ByteLevel
    pre-tokenizer and decoder use, so any UTF-8 text round-trips."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    if vocab_size != 256:
        raise ValueError("the byte-level tokenizer has exactly 256 tokens")
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": False, "vocab": {chars[b]: b for b in range(256)}, "merges": []},
    }


def store_float16(path: Path, min_elements: int = 1024) -> int:
    """Store each float32 initializer of at least ``min_elements`` whose values are all exactly
    representable in float16 as float16, followed by a Cast back to float32: the same
    numbers, half the bytes. Returns how many initializers were converted."""
    graph = onnx.load(str(path))
    casts, converted = [], 0
    for init in graph.graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT or int(np.prod(init.dims)) < min_elements:
            continue
        values = numpy_helper.to_array(init)
        half = values.astype(np.float16)
        if not np.array_equal(half.astype(np.float32), values):
            continue
        name = init.name
        init.CopyFrom(numpy_helper.from_array(half, name + "_fp16"))
        casts.append(helper.make_node("Cast", [name + "_fp16"], [name], to=onnx.TensorProto.FLOAT,
                                      name=name + "_to_fp32"))
        converted += 1
    nodes = casts + list(graph.graph.node)
    del graph.graph.node[:]
    graph.graph.node.extend(nodes)
    onnx.checker.check_model(graph)
    onnx.save(graph, str(path))
    return converted


def write_goldens(model: HybridLM, out: Path, ids: torch.Tensor = None, meta: dict = None) -> None:
    """Golden outputs for ``ids`` [1, 256] (default: the bytes of the golden text, the byte-level
    tokenizer's ids)."""
    source, offset = GOLDEN_SOURCE
    if ids is None:
        ids = byte_ids([moby_dick_bytes(offset, GOLDEN_TOKENS)])
    golden = out / "golden"
    golden.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        whole = model(ids)
    runs = {"whole": ([GOLDEN_TOKENS], whole),
            "segments-64": (fixed_split(GOLDEN_TOKENS, 64), None),
            "segments-ragged": (ragged_split(GOLDEN_TOKENS), None)}
    for name, (lengths, outputs) in runs.items():
        logits, hidden = outputs if outputs else run_segments(model, ids, lengths)[:2]
        safetensors_io.write(golden / f"{name}.safetensors", {
            "input_ids": ids.numpy(), "segment_lengths": np.array(lengths, dtype=np.int64),
            "logits": logits.numpy(), "last_hidden_state": hidden.numpy(),
        }, {"source": source, "byte_offset": str(offset), "tokens": str(GOLDEN_TOKENS),
            "pass": "whole-document reference" if name == "whole" else "segment by segment, state carried",
            **(meta or {})})


def write_graph(model: HybridLM, out: Path, float16: bool = False, precision: str = "fp32") -> None:
    """``model.onnx`` (with its weight parts) and ``baton-model.json`` in ``out``: what every export,
    a trained model's re-export included, writes of the model itself."""
    export_onnx(model, out / "model.onnx", float16=float16, precision=precision)
    (out / "baton-model.json").write_text(json.dumps(state_plan(model, precision), indent=2) + "\n")


def export(family: str, out: Path, precision: str = "fp32", **overrides) -> HybridLM:
    model = build(family, **overrides)
    out.mkdir(parents=True, exist_ok=True)
    write_graph(model, out, precision=precision)
    (out / "config.json").write_text(json.dumps(model.hf_config(), indent=2) + "\n")
    (out / "tokenizer.json").write_text(json.dumps(byte_level_tokenizer(model.config.vocab_size),
                                                   ensure_ascii=False) + "\n")
    write_goldens(model, out)
    return model


def export_trained(weights: Path, tokenizer: Path, golden_ids: Path, out: Path) -> HybridLM:
    """A trained model folder: float16 weights from ``models/train.py``, its tokenizer, goldens
    over the tokenized golden text, and ``training.json`` (what the weights are)."""
    ckpt = torch.load(weights, map_location="cpu")
    run = ckpt["run_config"]
    model = build(run["family"], **{**run["model"], "vocab_size": ckpt["vocab_size"]})
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in ckpt["model"].items()})
    golden = json.loads(golden_ids.read_text())
    if golden["byte_offset"] != GOLDEN_SOURCE[1] or len(golden["ids"]) != GOLDEN_TOKENS:
        raise ValueError(f"{golden_ids} is not {GOLDEN_TOKENS} ids of the golden text at {GOLDEN_SOURCE}")
    out.mkdir(parents=True, exist_ok=True)
    write_graph(model, out, float16=True)
    (out / "config.json").write_text(json.dumps(model.hf_config(), indent=2) + "\n")
    (out / "tokenizer.json").write_text(tokenizer.read_text(encoding="utf-8"), encoding="utf-8")
    write_goldens(model, out, torch.tensor([golden["ids"]], dtype=torch.int64),
                  {"tokenizer": "tokenizer.json (byte-level BPE)"})
    evaluation = ckpt["eval"]
    (out / "training.json").write_text(json.dumps({
        "family": run["family"], "config_overrides": run["model"], "run_config": run,
        "step": ckpt["step"], "tokens_seen": ckpt["tokens"], "weights": "float16 (computed in float32)",
        "validation_bits_per_byte_fp32_weights": {m: evaluation[m]["bpb"] for m in ("carried", "reset")},
        "validation_by_source_carried": evaluation["carried"]["by_source"],
        "validation_by_source_reset": evaluation["reset"]["by_source"],
    }, indent=2) + "\n")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=sorted(FAMILIES), help="a random-initialised zoo model")
    parser.add_argument("--weights", type=Path, help="a trained model's best-fp16.pt (models/train.py)")
    parser.add_argument("--tokenizer", type=Path, help="with --weights: its tokenizer.json")
    parser.add_argument("--golden-ids", type=Path, help="with --weights: token ids of the golden text")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32",
                        help="fp16: linear layers' weights and products in float16, inputs, outputs and "
                             "states float32 (models/precision.py); default fp32")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                        help="override a config field, e.g. --set hidden_size=512")
    args = parser.parse_args()
    if args.weights:
        if not (args.tokenizer and args.golden_ids) or args.family or args.set or args.precision != "fp32":
            parser.error("--weights needs --tokenizer and --golden-ids, and takes no --family, --set or --precision")
        model = export_trained(args.weights, args.tokenizer, args.golden_ids, args.out)
        print(f"exported trained {model.family} to {args.out}")
        return
    if not args.family:
        parser.error("give --family (random-initialised) or --weights (trained)")
    overrides = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
    export(args.family, args.out, args.precision, **overrides)
    print(f"exported {args.family} ({args.precision}) to {args.out}")


if __name__ == "__main__":
    main()
