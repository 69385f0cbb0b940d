"""The span-means graph (models/span_means.py) is the one onnxruntime-ffm carries (its numbers are checked there,
with ONNX Runtime: ResidentStatesTest)."""
from pathlib import Path

import onnx

from models.span_means import span_means

COMMITTED = (Path(__file__).resolve().parents[2] / "onnxruntime-ffm" / "src" / "main" / "resources" / "io" / "baton"
             / "onnx" / "ffm" / "span-means.onnx")


def test_the_committed_graph_is_the_generated_one():
    assert COMMITTED.read_bytes() == span_means().SerializeToString()


def test_the_means_are_the_weights_times_the_values():
    graph = onnx.load(str(COMMITTED)).graph
    assert [(n.op_type, list(n.input), list(n.output)) for n in graph.node] == [
        ("MatMul", ["weights", "values"], ["means"])]
    assert [i.name for i in graph.input] == ["weights", "values"]
    assert not graph.initializer
