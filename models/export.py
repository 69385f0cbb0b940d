"""Export a zoo model to a Baton model folder.

    /usr/bin/python3 -m models.export --family jamba --out models/zoo/jamba-tiny

writes ``model.onnx`` (opset 17, the segment path with the contract's input/output names),
``config.json`` (Hugging Face style), ``baton-model.json`` (the state plan), a byte-level
``tokenizer.json`` (Hugging Face tokenizers format) and ``golden/`` (token ids of a real text
and the expected outputs of the whole-document pass and of segment-by-segment runs). The
contract is described in docs/model-contract.md.
"""
from __future__ import annotations

import argparse
import inspect
import json
from pathlib import Path
from typing import List

import numpy as np
import onnx
import torch
import torch.nn as nn

from . import safetensors_io
from .blocks import HybridLM
from .corpus import byte_ids, moby_dick_bytes
from .families import FAMILIES, build
from .runner import fixed_split, ragged_split, run_segments

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
    return ["input_ids", "attention_mask", "position_ids", *[s.input for s in model.state_specs()]]


def output_names(model: HybridLM) -> List[str]:
    return ["logits", "last_hidden_state", *[s.output for s in model.state_specs()]]


def export_onnx(model: HybridLM, path: Path) -> None:
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
    with torch.no_grad():
        torch.onnx.export(SegmentGraph(model), (ids, mask, positions, *past), str(path),
                          input_names=input_names(model), output_names=output_names(model),
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True,
                          **TRACING_EXPORTER)
    check_graph(model, onnx.load(str(path)))


def check_graph(model: HybridLM, graph: onnx.ModelProto) -> None:
    """The exported graph has exactly the contract's inputs and outputs, in order."""
    onnx.checker.check_model(graph)
    got_in = [i.name for i in graph.graph.input]
    got_out = [o.name for o in graph.graph.output]
    if got_in != input_names(model) or got_out != output_names(model):
        raise RuntimeError(f"exported names differ from the contract: inputs {got_in}, outputs {got_out}")


def state_plan(model: HybridLM) -> dict:
    cfg = model.config
    return {
        "format": FORMAT,
        "family": model.family,
        "model": "model.onnx",
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.hidden_size,
        "inputs": ["input_ids", "attention_mask", "position_ids"],
        "mask_past": model.mask_past(),
        "outputs": ["logits", "last_hidden_state"],
        "state": [s.to_json() for s in model.state_specs()],
    }


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


def write_goldens(model: HybridLM, out: Path) -> None:
    source, offset = GOLDEN_SOURCE
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
            "pass": "whole-document reference" if name == "whole" else "segment by segment, state carried"})


def export(family: str, out: Path, **overrides) -> HybridLM:
    model = build(family, **overrides)
    out.mkdir(parents=True, exist_ok=True)
    export_onnx(model, out / "model.onnx")
    (out / "config.json").write_text(json.dumps(model.hf_config(), indent=2) + "\n")
    (out / "baton-model.json").write_text(json.dumps(state_plan(model), indent=2) + "\n")
    (out / "tokenizer.json").write_text(json.dumps(byte_level_tokenizer(model.config.vocab_size),
                                                   ensure_ascii=False) + "\n")
    write_goldens(model, out)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", required=True, choices=sorted(FAMILIES))
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                        help="override a config field, e.g. --set hidden_size=512")
    args = parser.parse_args()
    overrides = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
    export(args.family, args.out, **overrides)
    print(f"exported {args.family} to {args.out}")


if __name__ == "__main__":
    main()
