"""Small ONNX graphs that break the model contract, for the Java side's refusal tests.

    /usr/bin/python3 -m models.contract_fixtures inference-service/src/test/resources/contract
"""
from __future__ import annotations

import sys
from pathlib import Path

import onnx
from onnx import TensorProto, helper


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


def main() -> None:
    out = Path(sys.argv[1]) / "past-without-present"
    out.mkdir(parents=True, exist_ok=True)
    model = past_without_present()
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(out / "model.onnx"))
    print(f"wrote {out / 'model.onnx'}")


if __name__ == "__main__":
    main()
