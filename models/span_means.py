"""The span-means graph: the mean of a [B, T, D] readout over spans of positions, as one
``MatMul`` of per-row weights, so that the sentence vectors the service returns can be computed
where a run's ``last_hidden_state`` lies (device memory on CUDA) and only they cross to the host
(issue 16: of a batch of 32 x 256 on the bench model, 64 KB to 1.3 MB instead of 16.8 MB).

    /usr/bin/python3 -m models.span_means onnxruntime-ffm/src/main/resources/io/baton/onnx/ffm/span-means.onnx

Inputs ``weights`` [B, S, T] (row b's span s: 1 / its length at its positions, 0 elsewhere) and
``values`` [B, T, D]; output ``means`` [B, S, D]. The graph holds no weights of its own and no
model's shape, so one file serves every model. The bytes are fixed by the ONNX IR version and
opset set here (``models/tests/test_span_means.py`` checks the committed file against them).
"""
from __future__ import annotations

import sys
from pathlib import Path

import onnx
from onnx import TensorProto, helper

IR_VERSION = 8
OPSET = 17


def span_means() -> onnx.ModelProto:
    """``means = MatMul(weights, values)``: [B, S, T] x [B, T, D] -> [B, S, D], float32."""
    inputs = [helper.make_tensor_value_info("weights", TensorProto.FLOAT, ["batch", "spans", "sequence"]),
              helper.make_tensor_value_info("values", TensorProto.FLOAT, ["batch", "sequence", "width"])]
    outputs = [helper.make_tensor_value_info("means", TensorProto.FLOAT, ["batch", "spans", "width"])]
    graph = helper.make_graph([helper.make_node("MatMul", ["weights", "values"], ["means"])], "span_means",
                              inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="baton")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def main(argv) -> None:
    path = Path(argv[1])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(span_means().SerializeToString())
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv)
