"""Small ONNX graphs for the Java side's model-contract tests: graphs that break the contract
(refusal tests) and a Hugging Face hub style export without baton-model.json (plan derivation).

    /usr/bin/python3 -m models.contract_fixtures inference-service/src/test/resources

writes ``contract/past-without-present/model.onnx``, ``contract/targets-without-token-nll/model.onnx``,
``hub-style/`` (``model.onnx``, ``config.json``, ``golden.safetensors``) and ``external-data/``
(a seeded gemma2 zoo folder whose weights lie in ``model.onnx.data-NN`` parts of at most
``EXTERNAL_PART_BYTES``, as a model over 18 MB is exported).
"""
from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path
from typing import List

import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper

from . import safetensors_io
from .export import OPSET, TRACING_EXPORTER, export, save_graph

EXTERNAL_PART_BYTES = 96 * 1024


def past_without_present() -> onnx.ModelProto:
    """Takes past_conv.0 and past_ssm.1 but returns only present_ssm.1 (and logits)."""
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
              helper.make_tensor_value_info("past_conv.0", TensorProto.FLOAT, ["batch", 4, 3]),
              helper.make_tensor_value_info("past_ssm.1", TensorProto.FLOAT, ["batch", 2, 4, 8])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4, 3]),
               helper.make_tensor_value_info("present_ssm.1", TensorProto.FLOAT, ["batch", 2, 4, 8])]
    nodes = [helper.make_node("Identity", ["past_conv.0"], ["logits"]),
             helper.make_node("Identity", ["past_ssm.1"], ["present_ssm.1"])]
    graph = helper.make_graph(nodes, "past_without_present", inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def targets_without_token_nll() -> onnx.ModelProto:
    """Takes target_ids but returns no token_nll (only logits)."""
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
              helper.make_tensor_value_info("target_ids", TensorProto.INT64, ["batch", "sequence"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence", 1])]
    nodes = [helper.make_node("Cast", ["input_ids"], ["ids_float"], to=TensorProto.FLOAT),
             helper.make_node("Unsqueeze", ["ids_float", "last_axis"], ["logits"])]
    graph = helper.make_graph(nodes, "targets_without_token_nll", inputs, outputs,
                              [helper.make_tensor("last_axis", TensorProto.INT64, [1], [-1])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


# --- A Hugging Face hub style export: pasts grow from length 0, no baton-model.json ----------

HUB_CONFIG = {
    "model_type": "hub_style_tiny",
    "architectures": ["HubStyleTinyForCausalLM"],
    "vocab_size": 32,
    "hidden_size": 16,
    "num_hidden_layers": 3,
    "layer_types": ["sliding_attention", "conv", "full_attention"],
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "head_dim": 8,
    "sliding_window": 16,
    "conv_L_cache": 3,
    "rope_theta": 10000.0,
    "torch_dtype": "float32",
}
HUB_GOLDEN_TOKENS = 15


class HubStyleAttention(nn.Module):
    """Causal GQA attention with RoPE over absolute positions; the past is concatenated, so it
    grows, and the layer reads the last past + T columns of attention_mask (its own past may be
    shorter than the longest one when layers keep different amounts)."""

    def __init__(self, cfg: dict):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
        hidden = cfg["hidden_size"]
        self.norm = nn.LayerNorm(hidden)
        self.q = nn.Linear(hidden, self.heads * self.head_dim, bias=False)
        self.k = nn.Linear(hidden, self.kv_heads * self.head_dim, bias=False)
        self.v = nn.Linear(hidden, self.kv_heads * self.head_dim, bias=False)
        self.o = nn.Linear(self.heads * self.head_dim, hidden, bias=False)
        half = self.head_dim // 2
        self.register_buffer("inv_freq", 1.0 / cfg["rope_theta"] ** (torch.arange(half, dtype=torch.float32) / half))

    def rope(self, x, position_ids):                                   # x (B, H, T, D)
        angles = position_ids.to(torch.float32).unsqueeze(-1) * self.inv_freq  # (B, T, D/2)
        cos, sin = angles.cos().unsqueeze(1), angles.sin().unsqueeze(1)          # (B, 1, T, D/2)
        x1, x2 = x[..., : self.head_dim // 2], x[..., self.head_dim // 2:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)

    def forward(self, x, attention_mask, position_ids, past_k, past_v):
        b, t, _ = x.shape
        h = self.norm(x)
        q = self.rope(self.q(h).view(b, t, self.heads, self.head_dim).transpose(1, 2), position_ids)
        k = self.rope(self.k(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2), position_ids)
        v = self.v(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        k, v = torch.cat([past_k, k], dim=2), torch.cat([past_v, v], dim=2)  # (B, KV, P + T, D)
        total = k.shape[2]
        past = total - t
        keys = attention_mask[:, attention_mask.shape[1] - total:]           # (B, P + T)
        causal = torch.arange(total).unsqueeze(0) <= (past + torch.arange(t)).unsqueeze(1)  # (T, P + T)
        allowed = causal.unsqueeze(0) & (keys.unsqueeze(1) > 0)              # (B, T, P + T)
        groups = q.view(b, self.kv_heads, self.heads // self.kv_heads, t, self.head_dim)  # (B, KV, H/KV, T, D)
        scores = groups @ k.unsqueeze(2).transpose(-1, -2) / math.sqrt(self.head_dim)   # (B, KV, H/KV, T, P + T)
        scores = scores.masked_fill(~allowed[:, None, None], -1e9)
        out = (scores.softmax(-1) @ v.unsqueeze(2)).reshape(b, self.heads, t, self.head_dim)
        out = out.transpose(1, 2).reshape(b, t, -1)
        return x + self.o(out), k, v


class HubStyleConv(nn.Module):
    """LFM2-style short causal depthwise convolution; its state is the last kernel - 1 inputs."""

    def __init__(self, cfg: dict):
        super().__init__()
        hidden, self.kernel = cfg["hidden_size"], cfg["conv_L_cache"]
        self.norm = nn.LayerNorm(hidden)
        self.conv = nn.Conv1d(hidden, hidden, self.kernel, groups=hidden, bias=False)

    def forward(self, x, past_conv):                                    # past_conv (B, C, K - 1)
        window = torch.cat([past_conv, self.norm(x).transpose(1, 2)], dim=2)  # (B, C, K - 1 + T)
        return x + self.conv(window).transpose(1, 2), window[:, :, window.shape[2] - (self.kernel - 1):]


class HubStyleLM(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        self.layers = nn.ModuleList(HubStyleConv(cfg) if kind == "conv" else HubStyleAttention(cfg)
                                    for kind in cfg["layer_types"])
        self.norm = nn.LayerNorm(cfg["hidden_size"])
        self.head = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)

    def past_names(self) -> List[str]:
        names = []
        for i, kind in enumerate(self.cfg["layer_types"]):
            names += [f"past_conv.{i}"] if kind == "conv" else [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        return names

    def initial_past(self, batch: int) -> List[torch.Tensor]:
        cfg, past = self.cfg, []
        for kind in cfg["layer_types"]:
            if kind == "conv":
                past.append(torch.zeros(batch, cfg["hidden_size"], cfg["conv_L_cache"] - 1))
            else:
                past += [torch.zeros(batch, cfg["num_key_value_heads"], 0, cfg["head_dim"])] * 2
        return past

    def forward(self, input_ids, attention_mask, position_ids, *past):
        x, present, at = self.embed(input_ids), [], 0
        for layer in self.layers:
            if isinstance(layer, HubStyleConv):
                x, state = layer(x, past[at])
                present.append(state)
                at += 1
            else:
                x, k, v = layer(x, attention_mask, position_ids, past[at], past[at + 1])
                present += [k, v]
                at += 2
        return (self.head(self.norm(x)), *present)


def hub_style_model():
    """A 3-layer tiny LM (sliding attention, short conv, global attention) exported like the hub's
    ONNX exports: past_key_values.{i}.key/.value grow from length 0, present = [past ; new],
    attention_mask covers the real past, no last_hidden_state and no baton-model.json. The pasts'
    head axis is left symbolic ("num_key_value_heads") so the loader must read it from config.json.
    Returns (ONNX model, config.json dict, golden tensors of a whole pass over 15 tokens)."""
    torch.manual_seed(0)
    model = HubStyleLM(HUB_CONFIG).eval()
    names = model.past_names()
    batch, t, p = 2, 4, 3
    ids = torch.randint(0, HUB_CONFIG["vocab_size"], (batch, t))
    mask = torch.ones(batch, p + t, dtype=torch.int64)
    positions = (p + torch.arange(t)).unsqueeze(0).repeat(batch, 1)
    past = [torch.randn(batch, s.shape[1], p if s.shape[2] == 0 else s.shape[2], s.shape[3]) if s.dim() == 4
            else torch.randn(*s.shape) for s in model.initial_past(batch)]
    outputs = ["logits"] + [StatePlanNames.present(n) for n in names]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for n in names:
        grows = n.startswith("past_key_values.")
        axes[n] = {0: "batch_size", 2: "past_sequence_length"} if grows else {0: "batch_size"}
        axes[StatePlanNames.present(n)] = {0: "batch_size", 2: "total_sequence_length"} if grows else {0: "batch_size"}
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, positions, *past), buffer,
                          input_names=["input_ids", "attention_mask", "position_ids", *names],
                          output_names=outputs, dynamic_axes=axes, opset_version=OPSET,
                          do_constant_folding=True, **TRACING_EXPORTER)
    graph = onnx.load_from_string(buffer.getvalue())
    for value in graph.graph.input:
        if value.name.startswith("past_key_values."):
            value.type.tensor_type.shape.dim[1].dim_param = "num_key_value_heads"
    with torch.no_grad():
        golden_ids = torch.randint(0, HUB_CONFIG["vocab_size"], (1, HUB_GOLDEN_TOKENS))
        whole = model(golden_ids, torch.ones(1, HUB_GOLDEN_TOKENS, dtype=torch.int64),
                      torch.arange(HUB_GOLDEN_TOKENS).unsqueeze(0), *model.initial_past(1))[0]
    return graph, dict(HUB_CONFIG), {"input_ids": golden_ids.numpy(), "logits": whole.numpy()}


class StatePlanNames:
    """The hub's past -> present naming, as io.baton.inference.models.StatePlan#presentNameFor has it."""

    @staticmethod
    def present(past: str) -> str:
        if past.startswith("past_key_values."):
            return "present." + past[len("past_key_values."):]
        return "present_" + past[len("past_"):]


def main() -> None:
    root = Path(sys.argv[1])
    out = root / "contract" / "past-without-present"
    out.mkdir(parents=True, exist_ok=True)
    model = past_without_present()
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(out / "model.onnx"))
    print(f"wrote {out / 'model.onnx'}")

    out = root / "contract" / "targets-without-token-nll"
    out.mkdir(parents=True, exist_ok=True)
    model = targets_without_token_nll()
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(out / "model.onnx"))
    print(f"wrote {out / 'model.onnx'}")

    hub = root / "hub-style"
    hub.mkdir(parents=True, exist_ok=True)
    graph, config, golden = hub_style_model()
    onnx.checker.check_model(graph)
    onnx.save(graph, str(hub / "model.onnx"))
    (hub / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    safetensors_io.write(hub / "golden.safetensors", golden,
                         {"pass": "whole document (15 tokens) in PyTorch, from an empty past"})
    print(f"wrote {hub}")

    external = root / "external-data"
    export("gemma2", external)
    parts = save_graph(onnx.load(str(external / "model.onnx")), external / "model.onnx", EXTERNAL_PART_BYTES)
    print(f"wrote {external} ({len(parts)} parts)")


if __name__ == "__main__":
    main()
